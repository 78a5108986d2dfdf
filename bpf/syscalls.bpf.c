// SPDX-License-Identifier: GPL-2.0
/*
 * bpf/syscalls.bpf.c: count and time every system call.
 *
 * sys_enter keeps (start time, stats slot) in task-local storage; sys_exit adds the call
 * to the cumulative counters of its slot [abi][nr] (shared by the CPUs, atomic adds: per
 * CPU they cost 38 MB at 128 possible CPUs). User space reads them whenever it likes and
 * takes deltas.
 *
 * Which calls count, the same in both modes (timed, and count-only with sys_exit alone):
 * every call that returns to its caller, including those seccomp answered without running
 * them (they have no sys_enter), never the child's return from fork/clone (the parent's
 * call already counted) nor a skipped call (number -1); exit and exit_group, which never
 * return, are counted when the thread ends. Restarts (-512..-516) are counted apart from
 * errors: the caller never sees them.
 *
 * Per-process figures cost a hash lookup, too much for every call: each thread adds its
 * calls to counters in its own task storage (already at hand) and moves them into the
 * per-process LRU map (shared, atomic adds) at most every flush_ns, when it blocks, and
 * when it exits. So process rows lag by up to flush_ns while the thread runs, and not at
 * all once it sleeps.
 *
 * With a container selected, calls of other tasks are dropped at sys_enter (or at
 * sys_exit in count-only mode): container_filter.bpf.h.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "container_filter.bpf.h"
#include "ktop.bpf.h"
#include "syscalls.h"

char LICENSE[] SEC("license") = "GPL";

#define PF_KTHREAD 0x00200000
#define PF_IO_WORKER 0x00000010

const volatile __u64 flush_ns = 100000000; /* per-thread counters to the process map */
const volatile bool track_processes = true;

__s32 focus_slot = -1;	    /* stats slot whose callers are broken down per process */
__u32 focus_tgid;	    /* process whose calls are broken down per syscall (0: none) */

/* Per thread: the call in progress, and calls not yet added to process_stats */
struct syscall_thread {
	__u64 start_ns;
	__u32 slot;
	__u32 pad;
	__u64 flushed_ns;
	struct process_stat pending;
	struct container_filter_cache filter;
	__u64 tag_cset; /* the css_set the tag was found for: found again only when it changes */
	__u64 tag;	/* cgroup id in the container identity hierarchy */
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct syscall_thread);
} syscall_starts SEC(".maps");

/*
 * Per slot, shared by the CPUs (atomic adds). A per-CPU array of every slot was the
 * cheapest per call, and 38 MB of kernel memory at 128 possible CPUs; a per-CPU hash of
 * only the slots called cannot answer a read of a slot never called. The price: a locked
 * add per counter, and CPUs making the same call at once share its cache line.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SYSCALL_KEYS);
	__type(key, __u32);
	__type(value, struct syscall_stat);
} syscall_stats SEC(".maps");

/* Per process, shared too: threads add to it seldom (flush_ns, blocking, exit) */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, SYSCALL_PROCESS_ENTRIES);
	__type(key, __u32);
	__type(value, struct process_stat);
} process_stats SEC(".maps");

/* Callers of the focused slot: while someone looks, a few CPUs at a time */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, SYSCALL_FOCUS_ENTRIES);
	__type(key, __u32);
	__type(value, struct process_stat);
} focus_process_stats SEC(".maps");

/* The focused process's calls per stats slot, cumulative since the focus was set */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SYSCALL_KEYS);
	__type(key, __u32);
	__type(value, struct process_stat);
} focus_syscall_stats SEC(".maps");

static __always_inline __u32 syscall_slot(long id)
{
	struct task_struct *task;
	__u32 abi = 0;

	if (id & SYSCALL_X32_BIT) {
		abi = 2;
		id &= ~(long)SYSCALL_X32_BIT;
	} else {
		/* a trusted BTF pointer: a plain load, no probe-read helper call */
		task = bpf_get_current_task_btf();
		if (task->thread_info.status & SYSCALL_TS_COMPAT)
			abi = 1;
	}
	if ((unsigned long)id >= SYSCALL_SLOTS)
		id = SYSCALL_SLOTS - 1;
	return abi * SYSCALL_SLOTS + (__u32)id;
}

/* The number of a slot in its ABI: x64 and x32 share the numbers the checks below need */
static __always_inline bool slot_is(__u32 slot, __u32 nr64, __u32 nr32)
{
	__u32 nr = slot % SYSCALL_SLOTS;

	return slot / SYSCALL_SLOTS == 1 ? nr == nr32 : nr == nr64;
}

/* The new task's return from fork, vfork, clone or clone3: its parent's call is the one */
static __always_inline bool fork_child_return(__u32 slot, long ret)
{
	return ret == 0 && (slot_is(slot, 56, 120) || slot_is(slot, 57, 2) ||
			    slot_is(slot, 58, 190) || slot_is(slot, 435, 435));
}

static __always_inline bool call_failed(long ret)
{
	return ret < 0 && ret >= -4095 &&
	       (ret < -SYSCALL_RESTART_LAST || ret > -SYSCALL_RESTART_FIRST);
}

static __always_inline bool call_restarted(long ret)
{
	return ret >= -SYSCALL_RESTART_LAST && ret <= -SYSCALL_RESTART_FIRST;
}

static __always_inline struct process_stat *process_entry(void *map, __u32 tgid)
{
	static const struct process_stat zero;

	return ktop_map_lookup_or_init(map, &tgid, &zero);
}

/* One call, its return value and its time, into p (the thread's own: plain adds) */
static __always_inline void process_stat_add(struct process_stat *p, long ret, __u64 ns)
{
	p->count++;
	if (call_failed(ret))
		p->errors++;
	p->total_ns += ns;
}

/* The same into an entry the CPUs share */
static __always_inline void process_stat_add_shared(struct process_stat *p, long ret, __u64 ns)
{
	__sync_fetch_and_add(&p->count, 1);
	if (call_failed(ret))
		__sync_fetch_and_add(&p->errors, 1);
	if (ns)
		__sync_fetch_and_add(&p->total_ns, ns);
}

static __always_inline void process_add(void *map, __u32 tgid, long ret, __u64 ns)
{
	struct process_stat *p = process_entry(map, tgid);

	if (p)
		process_stat_add_shared(p, ret, ns);
}

static __always_inline void thread_flush(struct syscall_thread *t, __u32 tgid, __u64 now)
{
	struct container_filter_config *cfg;
	struct task_struct *task;
	struct process_stat *p;
	__u64 cset;

	t->flushed_ns = now;
	if (!t->pending.count)
		return;
	p = process_entry(&process_stats, tgid);
	if (!p)
		return;
	__sync_fetch_and_add(&p->count, t->pending.count);
	if (t->pending.errors)
		__sync_fetch_and_add(&p->errors, t->pending.errors);
	__sync_fetch_and_add(&p->total_ns, t->pending.total_ns);
	cfg = container_filter_get();
	if (cfg && cfg->identity != CONTAINER_ID_NONE) {
		task = bpf_get_current_task_btf();
		cset = (__u64)BPF_CORE_READ(task, cgroups);
		if (cset != t->tag_cset || !t->tag) {
			t->tag = container_cgroup_id(cfg->identity);
			t->tag_cset = cset;
		}
		p->cgroup = t->tag;
	}
	t->pending.count = 0;
	t->pending.errors = 0;
	t->pending.total_ns = 0;
}

/* Count one call for the thread's process: pending, moved to the map now and then */
static __always_inline void thread_add(struct syscall_thread *t, long ret, __u64 ns, __u64 now)
{
	if (!track_processes)
		return;
	process_stat_add(&t->pending, ret, ns);
	if (now - t->flushed_ns >= flush_ns)
		thread_flush(t, bpf_get_current_pid_tgid() >> 32, now);
}

/* Drill-down detail, paid for only while someone looks: who makes the focused syscall,
 * and what the focused process calls */
static __always_inline void focus_add(__u32 slot, long ret, __u64 ns)
{
	struct process_stat *p;
	__u32 tgid;

	if ((__s32)slot != focus_slot && !focus_tgid)
		return;
	tgid = bpf_get_current_pid_tgid() >> 32;
	if ((__s32)slot == focus_slot)
		process_add(&focus_process_stats, tgid, ret, ns);
	if (tgid != focus_tgid)
		return;
	p = bpf_map_lookup_elem(&focus_syscall_stats, &slot);
	if (p)
		process_stat_add_shared(p, ret, ns);
}

/* One call into its slot's counters; timed says whether ns is known */
static __always_inline void syscall_stat_add(__u32 slot, long ret, __u64 ns, bool timed)
{
	struct syscall_stat *st = bpf_map_lookup_elem(&syscall_stats, &slot);

	if (!st)
		return;
	if (timed)
		ktop_stat_add_shared(&st->count, &st->total_ns, &st->max, st->hist, ns);
	else
		__sync_fetch_and_add(&st->count, 1);
	if (call_failed(ret))
		__sync_fetch_and_add(&st->errors, 1);
	else if (call_restarted(ret))
		__sync_fetch_and_add(&st->restarts, 1);
}

/* A call whose sys_enter we did not see, in a task under seccomp: seccomp answered it
 * (errno, trap, a user-space supervisor) without running it. Elsewhere such an exit is
 * a call already running when we attached. */
static __always_inline bool answered_by_seccomp(void)
{
	struct task_struct *task = bpf_get_current_task_btf();

	if (!bpf_core_field_exists(task->seccomp))
		return false;
	return BPF_CORE_READ(task, seccomp.mode) != 0;
}

static __always_inline int on_sys_enter(long id)
{
	struct syscall_thread *s;

	if (id < 0)
		return 0;
	s = bpf_task_storage_get(&syscall_starts, bpf_get_current_task_btf(), 0,
				 BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!s || !container_allowed_cached(&s->filter))
		return 0;
	s->slot = syscall_slot(id);
	s->start_ns = bpf_ktime_get_ns();
	return 0;
}

/* Count-only mode, and timed mode's exits without an entry: no time, the number from the
 * registers */
static __always_inline int count_untimed(long id, long ret)
{
	struct syscall_thread *s;
	__u32 slot;

	if (id < 0)
		return 0;
	slot = syscall_slot(id);
	if (fork_child_return(slot, ret))
		return 0;
	s = track_processes ? bpf_task_storage_get(&syscall_starts, bpf_get_current_task_btf(),
						   0, BPF_LOCAL_STORAGE_GET_F_CREATE)
			    : NULL;
	if (s ? !container_allowed_cached(&s->filter) : !container_allowed())
		return 0;
	syscall_stat_add(slot, ret, 0, false);
	if (s)
		thread_add(s, ret, 0, bpf_ktime_get_ns());
	focus_add(slot, ret, 0);
	return 0;
}

/* regs is read only for an exit without an entry; btf says it is a typed pointer */
static __always_inline int on_sys_exit(struct pt_regs *regs, long ret, bool btf)
{
	struct syscall_thread *s;
	__u64 ns, now;
	__u32 slot;

	s = bpf_task_storage_get(&syscall_starts, bpf_get_current_task_btf(), 0, 0);
	if (!s || !s->start_ns) {
		if (!answered_by_seccomp())
			return 0; /* the call began before we attached, or a fork child's return */
		return count_untimed(btf ? regs->orig_ax : BPF_CORE_READ(regs, orig_ax), ret);
	}
	now = bpf_ktime_get_ns();
	ns = now - s->start_ns;
	slot = s->slot;
	s->start_ns = 0;
	if (fork_child_return(slot, ret))
		return 0;
	syscall_stat_add(slot, ret, ns, true);
	thread_add(s, ret, ns, now);
	focus_add(slot, ret, ns);
	return 0;
}

/* A thread ends: exit or exit_group is counted if that is how (they never reach
 * sys_exit), and what it has not yet added to its process goes now */
static __always_inline int on_thread_exit(void)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct syscall_thread *s;
	struct pt_regs *regs;
	__u32 slot;
	long id;

	s = bpf_task_storage_get(&syscall_starts, task, 0, 0);
	if (!(task->flags & (PF_KTHREAD | PF_IO_WORKER))) {
		regs = (struct pt_regs *)bpf_task_pt_regs(task);
		id = regs ? (long)BPF_CORE_READ(regs, orig_ax) : -1;
		slot = id >= 0 ? syscall_slot(id) : 0;
		if (id >= 0 && (slot_is(slot, 60, 1) || slot_is(slot, 231, 252)) &&
		    (s ? container_allowed_cached(&s->filter) : container_allowed())) {
			syscall_stat_add(slot, 0, 0, false);
			if (s && track_processes)
				process_stat_add(&s->pending, 0, 0);
			focus_add(slot, 0, 0);
		}
	}
	if (s)
		thread_flush(s, bpf_get_current_pid_tgid() >> 32, bpf_ktime_get_ns());
	/* the process's last thread (do_exit counts signal->live down before this
	 * tracepoint): its entry is final, and user space drops it once read. The name is
	 * the group leader's, as /proc/PID/comm says: the last thread may be another one,
	 * named otherwise; the leader, even if it ended first, is kept until the process is
	 * reaped */
	if (track_processes && task->signal && task->signal->live.counter == 0) {
		__u32 tgid = bpf_get_current_pid_tgid() >> 32;
		struct process_stat *p = bpf_map_lookup_elem(&process_stats, &tgid);

		if (p) {
			BPF_CORE_READ_STR_INTO(&p->comm, task, group_leader, comm);
			p->exited = 1;
		}
	}
	return 0;
}

/* A thread leaves the CPU: if it goes to sleep, its pending calls go to its process now
 * (it may sleep for minutes); if it was preempted, only when they are due anyway */
static __always_inline int on_switch_out(bool preempt)
{
	struct syscall_thread *s;
	__u64 now;

	s = bpf_task_storage_get(&syscall_starts, bpf_get_current_task_btf(), 0, 0);
	if (!s || !s->pending.count)
		return 0;
	now = bpf_ktime_get_ns();
	if (preempt && now - s->flushed_ns < flush_ns)
		return 0;
	thread_flush(s, bpf_get_current_pid_tgid() >> 32, now);
	return 0;
}

/* First in the file, so attached first (the skeleton attaches in this order): a process
 * that flushes its calls into process_stats once the other programs are on, and exits,
 * has its entry marked and named; attached last, a process ending while ktop starts
 * left an entry that no exit ever marked, and a row named "?" */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(thread_exit_btf, struct task_struct *task)
{
	return on_thread_exit();
}

SEC("raw_tp/sched_process_exit")
int BPF_PROG(thread_exit_raw, struct task_struct *task)
{
	return on_thread_exit();
}

SEC("tp_btf/sys_enter")
int BPF_PROG(sys_enter_btf, struct pt_regs *regs, long id)
{
	return on_sys_enter(id);
}

SEC("raw_tp/sys_enter")
int BPF_PROG(sys_enter_raw, struct pt_regs *regs, long id)
{
	return on_sys_enter(id);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(sys_exit_btf, struct pt_regs *regs, long ret)
{
	return on_sys_exit(regs, ret, true);
}

SEC("raw_tp/sys_exit")
int BPF_PROG(sys_exit_raw, struct pt_regs *regs, long ret)
{
	return on_sys_exit(regs, ret, false);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(sys_exit_count_btf, struct pt_regs *regs, long ret)
{
	return count_untimed(regs->orig_ax, ret); /* typed pointer: a plain load */
}

SEC("raw_tp/sys_exit")
int BPF_PROG(sys_exit_count_raw, struct pt_regs *regs, long ret)
{
	return count_untimed(BPF_CORE_READ(regs, orig_ax), ret);
}

/* the current task is still the one switched out (prev) */
SEC("tp_btf/sched_switch")
int BPF_PROG(switch_out_btf, bool preempt)
{
	return on_switch_out(preempt);
}

SEC("raw_tp/sched_switch")
int BPF_PROG(switch_out_raw, bool preempt)
{
	return on_switch_out(preempt);
}
