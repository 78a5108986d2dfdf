/* SPDX-License-Identifier: GPL-2.0 */
/* bpf/tasklets.h: what the tasklets BPF program and its collector share. */
#ifndef KTOP_BPF_TASKLETS_H
#define KTOP_BPF_TASKLETS_H

#include "common.h"

/* Softirq vectors that run tasklets (and, since 6.9, BH work items) */
#define TASKLET_VEC_HI 0
#define TASKLET_VEC_NORMAL 6

/* What ran: bits of tasklet_stat.kinds, and the order of the pane's kind names */
enum tasklet_kind {
	TASKLET_KIND_NORMAL,  /* tasklet_schedule(): TASKLET softirq */
	TASKLET_KIND_HI,      /* tasklet_hi_schedule(): HI softirq */
	TASKLET_KIND_BH_WORK, /* a work item of a WQ_BH workqueue */
	TASKLET_KIND_SOFTIRQ, /* fallback: the whole TASKLET/HI vector, no tasklet tracepoints */
	TASKLET_KINDS,
};

/* Stats slots; a function gets a slot the first time it runs. The last slot collects every
 * function beyond the others. */
#define TASKLET_SLOTS 256
#define TASKLET_OTHER_SLOT (TASKLET_SLOTS - 1)
#define TASKLET_PENDING_SLOTS 64    /* per CPU: tasklets queued, direct-mapped by address */
#define TASKLET_QUEUED_WORK 4096    /* BH work items waiting to run */
/* tasklet_stats has room for this many functions per CPU on up to TASKLET_SIZED_CPUS CPUs
 * (a fixed size there, so tools/map-memory.sh projects it exactly), on every possible CPU
 * beyond (set at load) */
#define TASKLET_FUNCS_PER_CPU 16
#define TASKLET_SIZED_CPUS 256

/*
 * Test-only override of the softirq_raise tail read (see tasklets.bpf.c): BPF_PROG_TEST_RUN
 * cannot fake the kernel's per-CPU tasklet lists, so a test may say what the tail holds.
 * 0 = read the kernel (always, outside tests); TASKLET_TAIL_EMPTY = the list is empty.
 */
#define TASKLET_TAIL_EMPTY 1

/*
 * Per (function slot, CPU) (bpf/cpu_slots.h), cumulative since load (collectors/counters.c):
 * u64 counters, the maxima, the histograms, then what is not a counter, in this order
 */
struct tasklet_stat {
	__u64 count;	      /* runs that ended */
	__u64 total_ns;	      /* execution time */
	__u64 queue_count;    /* runs whose queueing we saw */
	__u64 queue_total_ns; /* queue delay: schedule -> start of the run */
	struct ktop_max max;
	struct ktop_max queue_max;
	__u32 exec_hist[KTOP_HIST_SLOTS];
	__u32 queue_hist[KTOP_HIST_SLOTS];
	__u64 kinds;	      /* bit per enum tasklet_kind ever seen */
};

#endif
