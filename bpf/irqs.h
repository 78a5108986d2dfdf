/* SPDX-License-Identifier: GPL-2.0 */
/* bpf/irqs.h: what the hard-IRQ/softirq BPF program and its collector share. */
#ifndef KTOP_BPF_IRQS_H
#define KTOP_BPF_IRQS_H

#include "common.h"

#define SOFTIRQ_VECS 10		/* NR_SOFTIRQS: hi timer net_tx net_rx ... rcu */
#define HARDIRQ_ENTRIES 8192	/* irqs that ever fired */
#define HARDIRQ_NAME_LEN 32
#define IRQS_MAX_CPUS 4096	/* size cap of the per-CPU ksoftirqd pid table */

/*
 * Per-CPU, per irq, cumulative since load (collectors/counters.c): u64 counters, the
 * maximum, then the histogram, in this order. One interrupt = every action of a shared
 * line.
 */
struct hardirq_stat {
	__u64 count;	/* interrupts (counted at the last action of the line) */
	__u64 calls;	/* handler runs, one per action */
	__u64 total_ns; /* time in the handlers */
	struct ktop_max max; /* longest interrupt: all actions of one interrupt summed */
	__u32 hist[KTOP_HIST_SLOTS];
};

struct hardirq_name {
	char name[HARDIRQ_NAME_LEN];
};

/* Per-CPU, per vector, cumulative since load, laid out as hardirq_stat */
struct softirq_stat {
	__u64 count;
	__u64 total_ns;	      /* net: hard-IRQ handler time nested inside removed */
	__u64 irq_ns;	      /* hard-IRQ handler time that interrupted this vector */
	__u64 delays;	      /* runs with a known raise time */
	__u64 delay_total_ns; /* first raise -> entry */
	__u64 ksoftirqd;      /* runs in ksoftirqd/N (the rest ran at irq exit or bh enable) */
	struct ktop_max max;
	struct ktop_max delay_max;
	__u32 hist[KTOP_HIST_SLOTS];
	__u32 delay_hist[KTOP_HIST_SLOTS];
};

#endif
