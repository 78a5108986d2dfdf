// SPDX-License-Identifier: GPL-2.0
/*
 * bpf/deferred.bpf.c: every workqueue item and every timer, per function.
 *
 * Work items: workqueue_queue_work records the item (its stats slot, when it was queued,
 * whether the queueing task is in the selected container) in an LRU hash keyed by the
 * work_struct; workqueue_activate_work notes when it became active (a workqueue at its
 * max_active limit holds items back); workqueue_execute_start/end time the run in the
 * executing task's storage. A kworker runs one item at a time, so a start while the task
 * already runs one is a BH work item in a softirq on top of it: those belong to the
 * tasklets collector, as do items of WQ_BH workqueues.
 *
 * Timers: hrtimer_start/timer_start count starts per callback; hrtimer_expire_entry/exit
 * and timer_expire_entry/exit time the callback per CPU (a hard hrtimer can interrupt a
 * soft one or a timer_list callback, so each kind has its own running slot) and take its
 * lateness: for an hrtimer, the time the interrupt read the clock minus the hard expiry
 * time; for a timer_list, the timer wheel's clock minus the expiry, in jiffies.
 *
 * Each (function, workqueue) and (function, timer kind) gets a stats slot the first time
 * it is queued or armed, and keeps it. Stats are cumulative counters (ktop.bpf.h) in one
 * array per table shared by all CPUs, updated with atomic adds: memory does not grow with
 * the number of possible CPUs. Maxima and the CPU list are plain stores: two CPUs ending a
 * run of the same function at the same instant may keep the smaller maximum.
 *
 * Per container: work counts when the task that queued it is in the selected container,
 * a timer's expiries when the task that last armed it was (an LRU hash kept only while a
 * container is selected).
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "container_filter.bpf.h"
#include "deferred.h"
#include "ktop.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define PF_WQ_WORKER 0x00000020 /* include/linux/sched.h: a workqueue worker thread */

/* The kernel's jiffy (1 s / CONFIG_HZ) in ns, set by user space (clock_getres of
 * CLOCK_MONOTONIC_COARSE); not a __kconfig extern, which fails the whole load where no
 * kernel config file can be read (containers, initramfs); 0: unknown */
const volatile __u64 jiffy_ns;

/* Slots handed out per table (may lag behind the info maps briefly) */
__u32 nslots[DEFERRED_TABLES];
/* Row whose callers are wanted (slot per table), DEFERRED_NO_FOCUS when none */
__u32 focus_slot[DEFERRED_TABLES] = { DEFERRED_NO_FOCUS, DEFERRED_NO_FOCUS };
/* A test cannot make kernel work_structs and timers: its build of this file
 * (tests/bpf/deferred_test.bpf.c) defines DEFERRED_TEST_FUNC as the callback's address,
 * when not 0, instead of reading it from the fake object. Shipped, there is no such hook. */
#ifndef DEFERRED_TEST_FUNC
#define DEFERRED_TEST_FUNC 0
#endif

/* Work runs whose queueing was not seen (queued before load, or the record was evicted) */
__u64 work_unmatched;

struct queued_work {
	__u64 queued_ns;
	__u64 activated_ns; /* 0 until activated */
	__u32 slot;
	__u8 bh;      /* a WQ_BH item: the tasklets collector's */
	__u8 allowed; /* queued by a task of the selected container */
	__u8 pad[2];
};

/* The work item the task runs now */
struct work_run {
	__u64 work;
	__u64 start_ns; /* 0 when none */
	__u64 delay_ns;
	__u64 held_ns;
	__u32 slot;
	__u8 has_delay;
	__u8 pad[3];
};

/* The timer callback running on this CPU, per kind */
struct timer_run {
	__u64 timer;
	__u64 start_ns; /* 0 when none */
	__u64 late_ns;
	__u32 slot;
	__u8 has_late;
	__u8 allowed;
	__u8 pad[2];
};

#define SLOT_MAPS(prefix)                                                                    \
	struct {                                                                             \
		__uint(type, BPF_MAP_TYPE_HASH);                                             \
		__uint(max_entries, DEFERRED_SLOTS);                                         \
		__type(key, struct deferred_key);                                            \
		__type(value, __u32);                                                        \
	} prefix##_slots SEC(".maps");                                                       \
	struct {                                                                             \
		__uint(type, BPF_MAP_TYPE_HASH);                                             \
		__uint(max_entries, DEFERRED_SLOTS);                                         \
		__type(key, __u32);                                                          \
		__type(value, struct deferred_slot_info);                                    \
	} prefix##_slot_info SEC(".maps");                                                   \
	struct {                                                                             \
		__uint(type, BPF_MAP_TYPE_ARRAY);                                            \
		__uint(max_entries, DEFERRED_SLOTS);                                         \
		__type(key, __u32);                                                          \
		__type(value, struct deferred_stat);                                         \
	} prefix##_stats SEC(".maps");                                                       \
	struct {                                                                             \
		__uint(type, BPF_MAP_TYPE_HASH);                                             \
		__uint(max_entries, DEFERRED_CALLERS);                                       \
		__type(key, __u32);                                                          \
		__type(value, struct deferred_caller);                                       \
	} prefix##_callers SEC(".maps");

SLOT_MAPS(work)
SLOT_MAPS(timer)

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, DEFERRED_QUEUED);
	__type(key, __u64);
	__type(value, struct queued_work);
} queued SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct work_run);
} work_runs SEC(".maps");

/* timer -> 1: armed by a task of the selected container (only while one is selected) */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, DEFERRED_ARMED);
	__type(key, __u64);
	__type(value, __u8);
} armed SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, TIMER_KINDS);
	__type(key, __u32);
	__type(value, struct timer_run);
} timer_runs SEC(".maps");

/* The callback an object names: what the kernel holds at ptr, or the test's */
static __always_inline __u64 func_at(const void *ptr)
{
	__u64 func = 0;

	if (DEFERRED_TEST_FUNC)
		return DEFERRED_TEST_FUNC;
	bpf_probe_read_kernel(&func, sizeof(func), ptr);
	return func;
}

#define FUNC_OF(obj, field) func_at(__builtin_preserve_access_index(&(obj)->field))

/* The slot of key in one table: found, or claimed (ktop_slot_claim) */
static __always_inline __u32 slot_of(void *slots, void *info, __u32 *count,
				     const struct deferred_key *key, const char *name)
{
	struct deferred_slot_info new = { .func = key->func, .ctx = key->ctx };
	__u32 *found = bpf_map_lookup_elem(slots, key);

	if (found)
		return *found;
	if (*count >= DEFERRED_OTHER_SLOT)
		return DEFERRED_OTHER_SLOT;
	if (name)
		bpf_probe_read_kernel_str(new.name, sizeof(new.name), name);
	return ktop_slot_claim(slots, key, info, &new, count, DEFERRED_OTHER_SLOT);
}

static __always_inline struct deferred_stat *stat_at(void *stats, __u32 slot)
{
	__u32 key = slot & (DEFERRED_SLOTS - 1);

	return bpf_map_lookup_elem(stats, &key);
}

/* ktop_max_add() for a shared map: the same, with a lost race keeping the smaller one */
static __always_inline void shared_max_add(struct ktop_max *max, __u64 ns)
{
	ktop_max_add(max, ns);
}

/* One run (expiry) that took ns, with its delay (lateness) when known */
static __always_inline void stat_run(struct deferred_stat *st, __u64 ns, bool has_delay,
				     __u64 delay_ns, __u64 held_ns)
{
	/* the maxima before the counters (ktop_max_add orders them) */
	shared_max_add(&st->max, ns);
	if (has_delay)
		shared_max_add(&st->delay_max, delay_ns);
	ktop_cpus_add(&st->cpus, counter_epoch);
	__sync_fetch_and_add(&st->count, 1);
	__sync_fetch_and_add(&st->total_ns, ns);
	ktop_hist_add_shared(st->exec_hist, ns);
	if (has_delay) {
		__sync_fetch_and_add(&st->delay_count, 1);
		__sync_fetch_and_add(&st->delay_total_ns, delay_ns);
		__sync_fetch_and_add(&st->held_total_ns, held_ns);
		ktop_hist_add_shared(st->delay_hist, delay_ns);
	}
}

/* The task queueing (arming) the focused row, into its callers map */
static __always_inline void caller_add(void *callers, __u32 table, __u32 slot)
{
	struct deferred_caller init = {}, *c;
	__u32 tgid, cpu;

	if (table >= DEFERRED_TABLES || focus_slot[table & 1] != slot)
		return;
	tgid = bpf_get_current_pid_tgid() >> 32;
	c = ktop_map_lookup_or_init(callers, &tgid, &init);
	if (!c)
		return;
	if (!c->comm[0])
		bpf_get_current_comm(c->comm, sizeof(c->comm));
	cpu = bpf_get_smp_processor_id();
	if (cpu < 64 && !(c->cpus & (1ull << cpu)))
		__sync_fetch_and_add(&c->cpus, 1ull << cpu);
	__sync_fetch_and_add(&c->count, 1);
}

/* ---- work items ---- */

static __always_inline int on_queue_work(struct pool_workqueue *pwq, struct work_struct *work)
{
	struct workqueue_struct *wq = BPF_CORE_READ(pwq, wq);
	struct deferred_key key = { .ctx = (__u64)wq };
	struct queued_work rec = { .queued_ns = bpf_ktime_get_ns() };
	__u64 w = (__u64)work;
	struct deferred_stat *st;

	/* WQ_BH appeared in 6.9: those items are the tasklets collector's */
	if (bpf_core_enum_value_exists(enum wq_flags, WQ_BH) &&
	    (BPF_CORE_READ(wq, flags) & bpf_core_enum_value(enum wq_flags, WQ_BH))) {
		rec.bh = 1;
		bpf_map_update_elem(&queued, &w, &rec, BPF_ANY);
		return 0;
	}
	rec.allowed = container_allowed();
	key.func = FUNC_OF(work, func);
	rec.slot = slot_of(&work_slots, &work_slot_info, &nslots[DEFERRED_WORK], &key,
			   (const char *)wq + bpf_core_field_offset(struct workqueue_struct, name));
	bpf_map_update_elem(&queued, &w, &rec, BPF_ANY);
	if (!rec.allowed)
		return 0;
	st = stat_at(&work_stats, rec.slot);
	if (st)
		__sync_fetch_and_add(&st->queued, 1);
	caller_add(&work_callers, DEFERRED_WORK, rec.slot);
	return 0;
}

static __always_inline int on_activate_work(__u64 work)
{
	struct queued_work *q = bpf_map_lookup_elem(&queued, &work);

	if (q && !q->activated_ns)
		q->activated_ns = bpf_ktime_get_ns();
	return 0;
}

static __always_inline int on_work_start(struct work_struct *work)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u64 now = bpf_ktime_get_ns(), w = (__u64)work;
	struct queued_work *q = bpf_map_lookup_elem(&queued, &w);
	struct deferred_key key = {};
	struct container_filter_config *cfg;
	struct work_run *run;

	if (q && q->bh) {
		bpf_map_delete_elem(&queued, &w);
		return 0;
	}
	run = bpf_task_storage_get(&work_runs, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!run)
		return 0;
	if (run->start_ns && run->work != w)
		return 0; /* BH work in a softirq on top of a kworker's item */
	run->work = w;
	run->start_ns = now;
	run->has_delay = 0;
	run->held_ns = 0;
	if (q) {
		run->slot = q->slot;
		if (q->queued_ns <= now) {
			run->has_delay = 1;
			run->delay_ns = now - q->queued_ns;
			if (q->activated_ns >= q->queued_ns && q->activated_ns <= now)
				run->held_ns = q->activated_ns - q->queued_ns;
		}
		if (!q->allowed)
			run->start_ns = 0;
		bpf_map_delete_elem(&queued, &w);
		return 0;
	}
	/* not seen queued: a kworker's item counts (without a delay and, with a container
	 * selected, not at all: who queued it is unknown); anything else is BH work */
	if (!(BPF_CORE_READ(task, flags) & PF_WQ_WORKER)) {
		run->start_ns = 0;
		return 0;
	}
	__sync_fetch_and_add(&work_unmatched, 1);
	cfg = container_filter_get();
	if (cfg && cfg->mode != CONTAINER_ID_NONE) {
		run->start_ns = 0;
		return 0;
	}
	key.func = FUNC_OF(work, func);
	run->slot = slot_of(&work_slots, &work_slot_info, &nslots[DEFERRED_WORK], &key, 0);
	return 0;
}

static __always_inline int on_work_end(__u64 work)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u64 now = bpf_ktime_get_ns(), start;
	struct deferred_stat *st;
	struct work_run *run;

	run = bpf_task_storage_get(&work_runs, task, 0, 0);
	if (!run || !run->start_ns || run->work != work)
		return 0;
	start = run->start_ns;
	run->start_ns = 0;
	st = stat_at(&work_stats, run->slot);
	if (st && now >= start)
		stat_run(st, now - start, run->has_delay, run->delay_ns, run->held_ns);
	return 0;
}

/* ---- timers ---- */

static __always_inline __u32 timer_slot(__u64 func, __u32 kind)
{
	struct deferred_key key = { .func = func, .ctx = kind };

	return slot_of(&timer_slots, &timer_slot_info, &nslots[DEFERRED_TIMER], &key, 0);
}

static __always_inline int on_timer_start(__u64 timer, __u64 func, __u32 kind)
{
	struct container_filter_config *cfg = container_filter_get();
	struct deferred_stat *st;
	__u8 one = 1;
	__u32 slot;

	if (cfg && cfg->mode != CONTAINER_ID_NONE) {
		if (!container_allowed()) {
			bpf_map_delete_elem(&armed, &timer);
			return 0;
		}
		bpf_map_update_elem(&armed, &timer, &one, BPF_ANY);
	}
	slot = timer_slot(func, kind);
	st = stat_at(&timer_stats, slot);
	if (st)
		__sync_fetch_and_add(&st->queued, 1);
	caller_add(&timer_callers, DEFERRED_TIMER, slot);
	return 0;
}

static __always_inline __u32 hrtimer_kind(struct hrtimer *t)
{
	return BPF_CORE_READ(t, is_soft) ? TIMER_KIND_HRTIMER_SOFT : TIMER_KIND_HRTIMER;
}

/* Expiry of timer (of kind, calling func) late by late_ns (has_late: known) */
static __always_inline int on_expire_entry(__u64 timer, __u64 func, __u32 kind, bool has_late,
					   __u64 late_ns)
{
	struct container_filter_config *cfg = container_filter_get();
	struct timer_run *run;
	__u32 idx = kind;

	run = bpf_map_lookup_elem(&timer_runs, &idx);
	if (!run)
		return 0;
	run->allowed = 1;
	if (cfg && cfg->mode != CONTAINER_ID_NONE && !bpf_map_lookup_elem(&armed, &timer))
		run->allowed = 0;
	run->timer = timer;
	run->slot = timer_slot(func, kind);
	run->has_late = has_late;
	run->late_ns = late_ns;
	run->start_ns = bpf_ktime_get_ns();
	return 0;
}

/* The run of kind idx under way, if it is timer's */
static __always_inline struct timer_run *run_of(__u64 timer, __u32 idx)
{
	struct timer_run *run = bpf_map_lookup_elem(&timer_runs, &idx);

	return run && run->start_ns && run->timer == timer ? run : NULL;
}

/* The end of timer's run, of kind first or last (hrtimers' exit does not say soft or hard).
 * Two lookups and one accounting, not a loop: 6.1's verifier calls such a loop infinite,
 * and two inlined accountings (each with two log2s) exceed its million instructions. */
static __always_inline int on_expire_exit(__u64 timer, __u32 first, __u32 last)
{
	__u64 now = bpf_ktime_get_ns(), start;
	struct deferred_stat *st;
	struct timer_run *run;

	run = run_of(timer, first);
	if (!run && last != first)
		run = run_of(timer, last);
	if (!run)
		return 0;
	start = run->start_ns;
	run->start_ns = 0;
	if (!run->allowed || now < start)
		return 0;
	st = stat_at(&timer_stats, run->slot);
	if (st)
		stat_run(st, now - start, run->has_late, run->late_ns, 0);
	return 0;
}

static __always_inline int on_hrtimer_start(struct hrtimer *t)
{
	return on_timer_start((__u64)t, FUNC_OF(t, function), hrtimer_kind(t));
}

static __always_inline int on_hrtimer_entry(struct hrtimer *t, ktime_t *nowp)
{
	__s64 now = 0, expires = BPF_CORE_READ(t, node.expires);
	bool has_late = false;
	__u64 late = 0;

	if (nowp && !bpf_probe_read_kernel(&now, sizeof(now), nowp) && now) {
		has_late = true;
		late = now > expires ? now - expires : 0; /* within the soft range: on time */
	}
	return on_expire_entry((__u64)t, FUNC_OF(t, function), hrtimer_kind(t), has_late, late);
}

static __always_inline int on_timer_list_entry(struct timer_list *t, __u64 baseclk)
{
	__u64 expires = BPF_CORE_READ(t, expires);
	__u64 late = 0;

	if (jiffy_ns && (long)(baseclk - expires) > 0)
		late = (baseclk - expires) * jiffy_ns;
	return on_expire_entry((__u64)t, FUNC_OF(t, function), TIMER_KIND_TIMER, jiffy_ns != 0,
			       late);
}

SEC("tp_btf/workqueue_queue_work")
int BPF_PROG(work_queue_btf, int req_cpu, struct pool_workqueue *pwq, struct work_struct *work)
{
	return on_queue_work(pwq, work);
}

SEC("raw_tp/workqueue_queue_work")
int BPF_PROG(work_queue_raw, int req_cpu, struct pool_workqueue *pwq, struct work_struct *work)
{
	return on_queue_work(pwq, work);
}

SEC("tp_btf/workqueue_activate_work")
int BPF_PROG(work_activate_btf, struct work_struct *work)
{
	return on_activate_work((__u64)work);
}

SEC("raw_tp/workqueue_activate_work")
int BPF_PROG(work_activate_raw, struct work_struct *work)
{
	return on_activate_work((__u64)work);
}

SEC("tp_btf/workqueue_execute_start")
int BPF_PROG(work_start_btf, struct work_struct *work)
{
	return on_work_start(work);
}

SEC("raw_tp/workqueue_execute_start")
int BPF_PROG(work_start_raw, struct work_struct *work)
{
	return on_work_start(work);
}

/* the function is not taken from the second argument: tp_btf refuses function-pointer args */
SEC("tp_btf/workqueue_execute_end")
int BPF_PROG(work_end_btf, struct work_struct *work)
{
	return on_work_end((__u64)work);
}

SEC("raw_tp/workqueue_execute_end")
int BPF_PROG(work_end_raw, struct work_struct *work)
{
	return on_work_end((__u64)work);
}

SEC("tp_btf/hrtimer_start")
int BPF_PROG(hrtimer_start_btf, struct hrtimer *t)
{
	return on_hrtimer_start(t);
}

SEC("raw_tp/hrtimer_start")
int BPF_PROG(hrtimer_start_raw, struct hrtimer *t)
{
	return on_hrtimer_start(t);
}

SEC("tp_btf/hrtimer_expire_entry")
int BPF_PROG(hrtimer_entry_btf, struct hrtimer *t, ktime_t *now)
{
	return on_hrtimer_entry(t, now);
}

SEC("raw_tp/hrtimer_expire_entry")
int BPF_PROG(hrtimer_entry_raw, struct hrtimer *t, ktime_t *now)
{
	return on_hrtimer_entry(t, now);
}

SEC("tp_btf/hrtimer_expire_exit")
int BPF_PROG(hrtimer_exit_btf, struct hrtimer *t)
{
	return on_expire_exit((__u64)t, TIMER_KIND_HRTIMER, TIMER_KIND_HRTIMER_SOFT);
}

SEC("raw_tp/hrtimer_expire_exit")
int BPF_PROG(hrtimer_exit_raw, struct hrtimer *t)
{
	return on_expire_exit((__u64)t, TIMER_KIND_HRTIMER, TIMER_KIND_HRTIMER_SOFT);
}

SEC("tp_btf/timer_start")
int BPF_PROG(timer_start_btf, struct timer_list *t)
{
	return on_timer_start((__u64)t, FUNC_OF(t, function), TIMER_KIND_TIMER);
}

SEC("raw_tp/timer_start")
int BPF_PROG(timer_start_raw, struct timer_list *t)
{
	return on_timer_start((__u64)t, FUNC_OF(t, function), TIMER_KIND_TIMER);
}

SEC("tp_btf/timer_expire_entry")
int BPF_PROG(timer_entry_btf, struct timer_list *t, unsigned long baseclk)
{
	return on_timer_list_entry(t, baseclk);
}

SEC("raw_tp/timer_expire_entry")
int BPF_PROG(timer_entry_raw, struct timer_list *t, unsigned long baseclk)
{
	return on_timer_list_entry(t, baseclk);
}

SEC("tp_btf/timer_expire_exit")
int BPF_PROG(timer_exit_btf, struct timer_list *t)
{
	return on_expire_exit((__u64)t, TIMER_KIND_TIMER, TIMER_KIND_TIMER);
}

SEC("raw_tp/timer_expire_exit")
int BPF_PROG(timer_exit_raw, struct timer_list *t)
{
	return on_expire_exit((__u64)t, TIMER_KIND_TIMER, TIMER_KIND_TIMER);
}
