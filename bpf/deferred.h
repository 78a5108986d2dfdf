/* SPDX-License-Identifier: GPL-2.0 */
/* bpf/deferred.h: what the deferred-work BPF program (workqueue items and timers) and its
 * collector share. Tasklets and BH work items are bpf/tasklets.h's. */
#ifndef KTOP_BPF_DEFERRED_H
#define KTOP_BPF_DEFERRED_H

#include "common.h"

/*
 * Stats slots, per table: a (function, context) pair gets a slot the first time it is seen
 * and keeps it; the last slot collects every pair beyond the others. The stats are one
 * shared array per table (atomic adds), not per CPU: their size does not grow with the
 * number of possible CPUs.
 */
#define DEFERRED_SLOTS 512
#define DEFERRED_OTHER_SLOT (DEFERRED_SLOTS - 1)
#define DEFERRED_QUEUED 4096   /* work items queued and not started yet (LRU) */
#define DEFERRED_ARMED 4096    /* timers armed by the selected container (LRU), filter on */
#define DEFERRED_CALLERS 1024  /* processes that queued or armed the focused row */
#define DEFERRED_NAME_LEN 32   /* workqueue_struct.name (WQ_NAME_LEN) */
#define DEFERRED_NO_FOCUS 0xffffffffu

/* Which table a slot belongs to (index of the per-table maps and globals) */
enum deferred_table {
	DEFERRED_WORK,
	DEFERRED_TIMER,
	DEFERRED_TABLES,
};

/* What kind of timer: the context of a timer slot's key */
enum deferred_timer_kind {
	TIMER_KIND_HRTIMER,	 /* hrtimer whose callback runs in hard-IRQ context */
	TIMER_KIND_HRTIMER_SOFT, /* hrtimer whose callback runs in the HRTIMER softirq */
	TIMER_KIND_TIMER,	 /* timer_list, in the TIMER softirq */
	TIMER_KINDS,
};

/* A slot's key: the callback and its context (the workqueue_struct, or the timer kind) */
struct deferred_key {
	__u64 func;
	__u64 ctx;
};

/* What user space learns about a slot (slot -> this) */
struct deferred_slot_info {
	__u64 func;
	__u64 ctx;
	char name[DEFERRED_NAME_LEN]; /* the workqueue's name; empty for timers */
};

/*
 * One slot's statistics, cumulative since load (collectors/counters.c layout: u64
 * counters, the maxima, the histograms, then what is not a counter). For a work item: runs,
 * run time, queue delay (queued -> started), time held inactive (queued -> activated, the
 * workqueue's max_active limit). For a timer: expiries, time in the callback, lateness
 * (expiry time -> callback start), starts.
 */
struct deferred_stat {
	__u64 count;	      /* runs (work) or expiries (timers) that ended */
	__u64 total_ns;	      /* time in the function */
	__u64 delay_count;    /* runs whose queueing (expiry time) we saw */
	__u64 delay_total_ns; /* queue delay (work) or lateness (timers) */
	__u64 queued;	      /* queue_work (work) or hrtimer_start/timer_start (timers) */
	__u64 held_total_ns;  /* work: queued -> activated, summed */
	struct ktop_max max;
	struct ktop_max delay_max;
	__u32 exec_hist[KTOP_HIST_SLOTS];
	__u32 delay_hist[KTOP_HIST_SLOTS];
	struct ktop_cpus cpus; /* where it ran this epoch */
};

/* A process that queued (armed) the focused row, cumulative while the focus stays */
struct deferred_caller {
	__u64 count;
	__u64 cpus; /* CPUs it queued from, bits ever seen */
	char comm[16];
};

#endif
