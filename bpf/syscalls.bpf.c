// SPDX-License-Identifier: GPL-2.0
/*
 * bpf/syscalls.bpf.c: count and time every system call.
 *
 * sys_enter keeps (start time, stats slot) in task-local storage; sys_exit adds the call
 * to a per-CPU array slot [generation][abi][nr]. User space flips `generation` each tick
 * and drains the other half, so every interval gets exact counts and its own maximum
 * without atomics or shared cache lines.
 *
 * Per-process figures cost a hash lookup, too much for every call: each thread adds its
 * calls to counters in its own task storage (already at hand) and moves them into the
 * per-process LRU map at most every flush_ns, and when it exits. So process rows lag by
 * up to flush_ns; the per-syscall rows are exact.
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

const volatile __u64 flush_ns = 100000000; /* per-thread counters to the process map */
const volatile bool track_processes = true;

__u32 generation;	    /* written by user space each tick */
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
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct syscall_thread);
} syscall_starts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2 * SYSCALL_KEYS);
	__type(key, __u32);
	__type(value, struct syscall_stat);
} syscall_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
	__uint(max_entries, SYSCALL_PROCESS_ENTRIES);
	__type(key, __u32);
	__type(value, struct process_stat);
} process_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
	__uint(max_entries, SYSCALL_FOCUS_ENTRIES);
	__type(key, __u32);
	__type(value, struct process_stat);
} focus_process_stats SEC(".maps");

/* The focused process's calls per stats slot, cumulative since the focus was set */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
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

static __always_inline struct process_stat *process_entry(void *map, __u32 tgid)
{
	struct process_stat *p = bpf_map_lookup_elem(map, &tgid);

	if (!p) {
		struct process_stat zero = {};

		bpf_map_update_elem(map, &tgid, &zero, BPF_NOEXIST);
		p = bpf_map_lookup_elem(map, &tgid);
	}
	return p;
}

/* One call, its return value and its time, into p */
static __always_inline void stat_add(struct process_stat *p, long ret, __u64 ns)
{
	p->count++;
	if (ret < 0 && ret >= -4095)
		p->errors++;
	p->total_ns += ns;
}

static __always_inline void process_add(void *map, __u32 tgid, long ret, __u64 ns)
{
	struct process_stat *p = process_entry(map, tgid);

	if (p)
		stat_add(p, ret, ns);
}

static __always_inline void thread_flush(struct syscall_thread *t, __u32 tgid, __u64 now)
{
	struct container_filter_config *cfg;
	struct process_stat *p;

	t->flushed_ns = now;
	if (!t->pending.count)
		return;
	p = process_entry(&process_stats, tgid);
	if (!p)
		return;
	p->count += t->pending.count;
	p->errors += t->pending.errors;
	p->total_ns += t->pending.total_ns;
	cfg = container_filter_get();
	if (cfg && cfg->identity != CONTAINER_ID_NONE)
		p->cgroup = container_cgroup_id(cfg->identity);
	t->pending.count = 0;
	t->pending.errors = 0;
	t->pending.total_ns = 0;
}

/* Count one call for the thread's process: pending, moved to the map now and then */
static __always_inline void thread_add(struct syscall_thread *t, long ret, __u64 ns, __u64 now)
{
	if (!track_processes)
		return;
	stat_add(&t->pending, ret, ns);
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
		stat_add(p, ret, ns);
}

static __always_inline struct syscall_stat *stat_slot(__u32 slot)
{
	__u32 key = (generation & 1) * SYSCALL_KEYS + slot;

	return bpf_map_lookup_elem(&syscall_stats, &key);
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

static __always_inline int on_sys_exit(long ret)
{
	struct syscall_thread *s;
	struct syscall_stat *st;
	__u64 ns, now;
	__u32 slot;

	s = bpf_task_storage_get(&syscall_starts, bpf_get_current_task_btf(), 0, 0);
	if (!s || !s->start_ns)
		return 0; /* the call began before we attached */
	now = bpf_ktime_get_ns();
	ns = now - s->start_ns;
	slot = s->slot;
	s->start_ns = 0;
	st = stat_slot(slot);
	if (!st)
		return 0;
	st->count++;
	if (ret < 0 && ret >= -4095)
		st->errors++;
	st->total_ns += ns;
	if (ns > st->max_ns)
		st->max_ns = ns;
	st->hist[ktop_log2_slot(ns) & (KTOP_HIST_SLOTS - 1)]++;

	thread_add(s, ret, ns, now);
	focus_add(slot, ret, ns);
	return 0;
}

/* Count-only mode: no start time, no latency; the number comes from the registers */
static __always_inline int on_sys_exit_count(long id, long ret)
{
	struct syscall_thread *s;
	struct syscall_stat *st;
	__u32 slot;

	s = track_processes ? bpf_task_storage_get(&syscall_starts, bpf_get_current_task_btf(),
						   0, BPF_LOCAL_STORAGE_GET_F_CREATE)
			    : NULL;
	if (s ? !container_allowed_cached(&s->filter) : !container_allowed())
		return 0;
	slot = syscall_slot(id);
	st = stat_slot(slot);
	if (!st)
		return 0;
	st->count++;
	if (ret < 0 && ret >= -4095)
		st->errors++;
	if (s)
		thread_add(s, ret, 0, bpf_ktime_get_ns());
	focus_add(slot, ret, 0);
	return 0;
}

/* A thread ends: what it has not yet added to its process goes now */
static __always_inline int on_thread_exit(void)
{
	struct syscall_thread *s;

	s = bpf_task_storage_get(&syscall_starts, bpf_get_current_task_btf(), 0, 0);
	if (s)
		thread_flush(s, bpf_get_current_pid_tgid() >> 32, bpf_ktime_get_ns());
	return 0;
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
	return on_sys_exit(ret);
}

SEC("raw_tp/sys_exit")
int BPF_PROG(sys_exit_raw, struct pt_regs *regs, long ret)
{
	return on_sys_exit(ret);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(sys_exit_count_btf, struct pt_regs *regs, long ret)
{
	return on_sys_exit_count(regs->orig_ax, ret); /* typed pointer: a plain load */
}

SEC("raw_tp/sys_exit")
int BPF_PROG(sys_exit_count_raw, struct pt_regs *regs, long ret)
{
	return on_sys_exit_count(BPF_CORE_READ(regs, orig_ax), ret);
}

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
