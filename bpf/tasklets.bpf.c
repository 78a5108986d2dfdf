// SPDX-License-Identifier: GPL-2.0
/*
 * bpf/tasklets.bpf.c: execution time and queue delay of every tasklet and BH work item.
 *
 * Execution: irq:tasklet_entry/exit, per CPU (tasklets do not nest on a CPU).
 * Queue delay: tasklet_schedule() has no tracepoint, but it raises the TASKLET (or HI)
 * softirq right after appending the tasklet to this CPU's tasklet_vec (tasklet_hi_vec),
 * so at irq:softirq_raise the list's tail points at &t->next of the tasklet just queued.
 * We record t -> now (keeping the first record until t runs: the kernel re-queues and
 * re-raises a tasklet it could not run) and take the difference at tasklet_entry(t).
 * The per-CPU lists are reached without __ksym: user space reads the per-CPU offsets of
 * tasklet_vec and tasklet_hi_vec from BTF, and this CPU's per-CPU base comes from
 * bpf/percpu.bpf.h.
 * BH work items (WQ_BH workqueues, 6.9+) run in the same softirqs: they are classified at
 * workqueue_queue_work and timed from there to execute_start and on to execute_end.
 * Without the tasklet tracepoints, the fallback programs time the TASKLET and HI vectors.
 *
 * Each function gets a stats slot the first time it runs (func_slots, never deleted); the
 * stats are cumulative counters that user space reads at any time (ktop.bpf.h), in a hash
 * keyed by (slot, CPU) that holds only the pairs that ran (cpu_slots.h): a per-CPU array
 * of every slot took 10 MiB at 128 possible CPUs and was copied out whole each tick. Each
 * entry is written by its own CPU only. The last slot is remembered per CPU so a tasklet
 * that runs again costs no func_slots lookup. Tasklets run on the CPU that queued them, so
 * their queue records live in a small per-CPU table, direct-mapped by address.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "container_filter.bpf.h"
#include "cpu_slots.bpf.h"
#include "ktop.bpf.h"
#include "percpu.bpf.h"
#include "tasklets.h"

char LICENSE[] SEC("license") = "GPL";

/* Per-CPU offsets from the .data..percpu DATASEC; user space sets them, and
 * runqueues_known (percpu.bpf.h), only when all three are found */
const volatile __u64 off_tasklet_vec;
const volatile __u64 off_tasklet_hi_vec;

__u64 lost_delays; /* queue records overwritten before their tasklet ran: counted, shown */
__u64 lost_runs;   /* runs not counted: tasklet_stats was full (counted, shown) */
__u32 nslots;	  /* stats slots handed out (may lag behind slot_funcs briefly) */

/* A test cannot fill the kernel's tasklet lists: its build of this file
 * (tests/bpf/tasklets_test.bpf.c) defines TASKLET_TEST_TAIL(idx) as what the tail of [HI,
 * TASKLET] holds, when not 0 (see TASKLET_TAIL_EMPTY). Shipped, there is no such hook. */
#ifndef TASKLET_TEST_TAIL
#define TASKLET_TEST_TAIL(idx) 0
#endif

struct queued {
	__u64 obj;  /* tasklet_struct (pending table) */
	__u64 ns;   /* when it was queued, 0 once it has run */
	__u32 kind; /* enum tasklet_kind */
	__u32 pad;
};

/* What runs now on this CPU: [0] a tasklet (or the vector, in fallback), [1] a BH work */
struct running {
	__u64 obj;	/* tasklet_struct, work_struct or vector */
	__u64 start_ns; /* 0 when nothing runs */
	__u64 delay_ns; /* queue delay of this run */
	__u64 func;	/* BH work: work->func, read at the start (the work may be freed by it) */
	__u32 kind;	/* enum tasklet_kind, TASKLET_KINDS when unknown */
	__u32 has_delay;
	__u64 last_func; /* the function whose slot this CPU used last */
	__u32 last_slot; /* + 1; 0 when none yet */
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, TASKLET_SLOTS);
	__type(key, __u64);
	__type(value, __u32);
} func_slots SEC(".maps");

/* slot -> function, for user space (and to claim a slot) */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, TASKLET_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} slot_funcs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, TASKLET_FUNCS_PER_CPU * TASKLET_SIZED_CPUS);
	__type(key, __u32); /* CPU_SLOT_KEY(slot, cpu) */
	__type(value, struct tasklet_stat);
} tasklet_stats SEC(".maps");

/* Per CPU: tasklets queued and not run yet, at [hash(address)] */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, TASKLET_PENDING_SLOTS);
	__type(key, __u32);
	__type(value, struct queued);
} pending SEC(".maps");

/* BH work items queued (on any CPU) and not run yet */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, TASKLET_QUEUED_WORK);
	__type(key, __u64);
	__type(value, struct queued);
} queued_work SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct running);
} running SEC(".maps");

/* Fallback: first raise of [HI, TASKLET] not yet served, per CPU */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} vec_raised SEC(".maps");

static __always_inline struct running *running_slot(__u32 which)
{
	return bpf_map_lookup_elem(&running, &which);
}

/* The tail of this CPU's tasklet list for vector index idx (0 HI, 1 TASKLET):
 * a pointer, TASKLET_TAIL_EMPTY, or 0 when it cannot be read */
static __always_inline __u64 tasklet_tail(__u32 idx)
{
	__u64 base, head, tail = 0;

	if (TASKLET_TEST_TAIL(idx))
		return TASKLET_TEST_TAIL(idx);
	base = this_cpu_base();
	if (!base)
		return 0;
	head = base + (idx ? off_tasklet_vec : off_tasklet_hi_vec);
	if (bpf_probe_read_kernel(&tail, sizeof(tail),
				  (void *)(head + bpf_core_field_offset(struct tasklet_head, tail))))
		return 0;
	if (tail == head + bpf_core_field_offset(struct tasklet_head, head))
		return TASKLET_TAIL_EMPTY;
	return tail;
}

static __always_inline struct queued *pending_slot(__u64 t)
{
	__u32 i = (__u32)((t >> 6) ^ (t >> 12)) & (TASKLET_PENDING_SLOTS - 1);

	return bpf_map_lookup_elem(&pending, &i);
}

static __always_inline int on_softirq_raise(unsigned int vec)
{
	struct queued *q;
	__u32 idx;
	__u64 tail;

	if (vec != TASKLET_VEC_HI && vec != TASKLET_VEC_NORMAL)
		return 0;
	idx = vec == TASKLET_VEC_NORMAL;
	tail = tasklet_tail(idx);
	if (tail == 0 || tail == TASKLET_TAIL_EMPTY)
		return 0; /* unreadable, or not a tasklet enqueue (BH work, a re-raise) */
	/* tail == &t->next */
	tail -= bpf_core_field_offset(struct tasklet_struct, next);
	q = pending_slot(tail);
	if (!q)
		return 0;
	q->kind = idx ? TASKLET_KIND_NORMAL : TASKLET_KIND_HI;
	if (q->obj == tail && q->ns)
		return 0; /* queued before and not run yet: its delay counts from then */
	/* a different tasklet still waiting in this slot loses its record: rare, and it
	 * then runs without a queue delay rather than with a wrong one */
	if (q->obj && q->ns)
		__sync_fetch_and_add(&lost_delays, 1);
	q->obj = tail;
	q->ns = bpf_ktime_get_ns();
	return 0;
}

/* A slot for a function seen for the first time (ktop_slot_claim) */
static __always_inline __u32 new_slot(__u64 func)
{
	return ktop_slot_claim(&func_slots, &func, &slot_funcs, &func, &nslots,
			       TASKLET_OTHER_SLOT);
}

/* The stats slot of func: the CPU's last one, or from func_slots */
static __always_inline struct tasklet_stat *stat_of(struct running *run, __u64 func)
{
	static const struct tasklet_stat zero;
	struct tasklet_stat *st;
	__u32 slot, *found;

	if (run->last_slot && run->last_func == func) {
		slot = run->last_slot - 1;
	} else {
		found = bpf_map_lookup_elem(&func_slots, &func);
		slot = found ? *found : new_slot(func);
		if (slot != TASKLET_OTHER_SLOT) {
			run->last_func = func;
			run->last_slot = slot + 1;
		}
	}
	st = cpu_slot_stat(&tasklet_stats, slot & (TASKLET_SLOTS - 1), &zero);
	if (!st)
		__sync_fetch_and_add(&lost_runs, 1);
	return st;
}

static __always_inline void account(__u64 func, struct running *run, __u64 ns)
{
	struct tasklet_stat *st;

	/* with a container selected: only runs that interrupted one of its tasks */
	if (!container_allowed())
		return;
	st = stat_of(run, func);
	if (!st)
		return;
	if (run->kind < TASKLET_KINDS)
		st->kinds |= 1ull << run->kind;
	if (run->has_delay)
		ktop_stat_add(&st->queue_count, &st->queue_total_ns, &st->queue_max, st->queue_hist,
			      run->delay_ns);
	ktop_stat_add(&st->count, &st->total_ns, &st->max, st->exec_hist, ns);
}

static __always_inline int on_tasklet_entry(__u64 t)
{
	struct running *run = running_slot(0);
	__u64 now = bpf_ktime_get_ns();
	struct queued *q;

	if (!run)
		return 0;
	run->obj = t;
	/* tp_btf hands us a typed pointer, on which the verifier forbids the shifts of
	 * pending_slot(): read it back from the map as a plain number */
	t = *(volatile __u64 *)&run->obj;
	run->start_ns = now;
	run->kind = TASKLET_KINDS;
	run->has_delay = 0;
	q = pending_slot(t);
	if (q && q->obj == t) {
		run->kind = q->kind;
		if (q->ns && q->ns <= now) {
			run->delay_ns = now - q->ns;
			run->has_delay = 1;
		}
		q->ns = 0;
	}
	return 0;
}

static __always_inline int on_tasklet_exit(__u64 t, __u64 func)
{
	struct running *run = running_slot(0);
	__u64 now = bpf_ktime_get_ns(), start;

	if (!run || !run->start_ns || run->obj != t)
		return 0; /* the run began before we attached */
	start = run->start_ns;
	run->start_ns = 0;
	account(func, run, now - start);
	return 0;
}

/* BH work: only items of WQ_BH workqueues are recorded, so execute_start ignores the rest */
static __always_inline int on_queue_work(struct pool_workqueue *pwq, __u64 work)
{
	struct queued rec = { .obj = work, .kind = TASKLET_KIND_BH_WORK };
	unsigned int flags;

	/* WQ_BH appeared in 6.9 */
	if (!bpf_core_enum_value_exists(enum wq_flags, WQ_BH))
		return 0;
	flags = BPF_CORE_READ(pwq, wq, flags);
	if (!(flags & bpf_core_enum_value(enum wq_flags, WQ_BH)))
		return 0;
	rec.ns = bpf_ktime_get_ns();
	bpf_map_update_elem(&queued_work, &work, &rec, BPF_ANY);
	return 0;
}

static __always_inline int on_work_start(__u64 work)
{
	struct queued *q = bpf_map_lookup_elem(&queued_work, &work);
	__u64 now = bpf_ktime_get_ns();
	struct running *run;

	if (!q || q->kind != TASKLET_KIND_BH_WORK)
		return 0;
	run = running_slot(1);
	if (run) {
		run->obj = work;
		run->func = (__u64)BPF_CORE_READ((struct work_struct *)work, func);
		run->start_ns = now;
		run->kind = TASKLET_KIND_BH_WORK;
		run->has_delay = q->ns && q->ns <= now;
		run->delay_ns = run->has_delay ? now - q->ns : 0;
	}
	bpf_map_delete_elem(&queued_work, &work);
	return 0;
}

static __always_inline int on_work_end(__u64 work)
{
	struct running *run = running_slot(1);
	__u64 now = bpf_ktime_get_ns(), start;

	if (!run || !run->start_ns || run->obj != work)
		return 0;
	start = run->start_ns;
	run->start_ns = 0;
	account(run->func, run, now - start);
	return 0;
}

/* Fallback without tasklet tracepoints: the TASKLET and HI vectors as a whole, keyed by
 * the vector number, with the delay from the first raise */
static __always_inline int on_vec_raise(unsigned int vec)
{
	__u32 idx = vec == TASKLET_VEC_NORMAL;
	__u64 *raised;

	if (vec != TASKLET_VEC_HI && vec != TASKLET_VEC_NORMAL)
		return 0;
	raised = bpf_map_lookup_elem(&vec_raised, &idx);
	if (raised && !*raised)
		*raised = bpf_ktime_get_ns();
	return 0;
}

static __always_inline int on_vec_entry(unsigned int vec)
{
	__u32 idx = vec == TASKLET_VEC_NORMAL;
	__u64 now = bpf_ktime_get_ns(), *raised;
	struct running *run;

	if (vec != TASKLET_VEC_HI && vec != TASKLET_VEC_NORMAL)
		return 0;
	run = running_slot(0);
	if (!run)
		return 0;
	run->obj = vec;
	run->start_ns = now;
	run->kind = TASKLET_KIND_SOFTIRQ;
	run->has_delay = 0;
	raised = bpf_map_lookup_elem(&vec_raised, &idx);
	if (raised) {
		if (*raised && *raised <= now) {
			run->delay_ns = now - *raised;
			run->has_delay = 1;
		}
		*raised = 0;
	}
	return 0;
}

static __always_inline int on_vec_exit(unsigned int vec)
{
	if (vec != TASKLET_VEC_HI && vec != TASKLET_VEC_NORMAL)
		return 0;
	return on_tasklet_exit(vec, vec);
}

SEC("tp_btf/softirq_raise")
int BPF_PROG(tasklet_raise_btf, unsigned int vec)
{
	return on_softirq_raise(vec);
}

SEC("raw_tp/softirq_raise")
int BPF_PROG(tasklet_raise_raw, unsigned int vec)
{
	return on_softirq_raise(vec);
}

SEC("tp_btf/tasklet_entry")
int BPF_PROG(tasklet_entry_btf, struct tasklet_struct *t, void *func)
{
	return on_tasklet_entry((__u64)t);
}

SEC("raw_tp/tasklet_entry")
int BPF_PROG(tasklet_entry_raw, struct tasklet_struct *t, void *func)
{
	return on_tasklet_entry((__u64)t);
}

SEC("tp_btf/tasklet_exit")
int BPF_PROG(tasklet_exit_btf, struct tasklet_struct *t, void *func)
{
	return on_tasklet_exit((__u64)t, (__u64)func);
}

SEC("raw_tp/tasklet_exit")
int BPF_PROG(tasklet_exit_raw, struct tasklet_struct *t, void *func)
{
	return on_tasklet_exit((__u64)t, (__u64)func);
}

SEC("tp_btf/workqueue_queue_work")
int BPF_PROG(bh_queue_btf, int req_cpu, struct pool_workqueue *pwq, struct work_struct *work)
{
	return on_queue_work(pwq, (__u64)work);
}

SEC("raw_tp/workqueue_queue_work")
int BPF_PROG(bh_queue_raw, int req_cpu, struct pool_workqueue *pwq, struct work_struct *work)
{
	return on_queue_work(pwq, (__u64)work);
}

SEC("tp_btf/workqueue_execute_start")
int BPF_PROG(bh_start_btf, struct work_struct *work)
{
	return on_work_start((__u64)work);
}

SEC("raw_tp/workqueue_execute_start")
int BPF_PROG(bh_start_raw, struct work_struct *work)
{
	return on_work_start((__u64)work);
}

/* the function is not taken from the second argument: tp_btf refuses function-pointer args */
SEC("tp_btf/workqueue_execute_end")
int BPF_PROG(bh_end_btf, struct work_struct *work)
{
	return on_work_end((__u64)work);
}

SEC("raw_tp/workqueue_execute_end")
int BPF_PROG(bh_end_raw, struct work_struct *work)
{
	return on_work_end((__u64)work);
}

SEC("tp_btf/softirq_raise")
int BPF_PROG(tasklet_vraise_btf, unsigned int vec)
{
	return on_vec_raise(vec);
}

SEC("raw_tp/softirq_raise")
int BPF_PROG(tasklet_vraise_raw, unsigned int vec)
{
	return on_vec_raise(vec);
}

SEC("tp_btf/softirq_entry")
int BPF_PROG(tasklet_ventry_btf, unsigned int vec)
{
	return on_vec_entry(vec);
}

SEC("raw_tp/softirq_entry")
int BPF_PROG(tasklet_ventry_raw, unsigned int vec)
{
	return on_vec_entry(vec);
}

SEC("tp_btf/softirq_exit")
int BPF_PROG(tasklet_vexit_btf, unsigned int vec)
{
	return on_vec_exit(vec);
}

SEC("raw_tp/softirq_exit")
int BPF_PROG(tasklet_vexit_raw, unsigned int vec)
{
	return on_vec_exit(vec);
}
