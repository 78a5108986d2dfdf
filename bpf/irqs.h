/* SPDX-License-Identifier: GPL-2.0 */
/* bpf/irqs.h: what the hard-IRQ/softirq BPF program and its collector share. */
#ifndef KTOP_BPF_IRQS_H
#define KTOP_BPF_IRQS_H

#include "common.h"

#define SOFTIRQ_VECS 10		/* NR_SOFTIRQS: hi timer net_tx net_rx ... rcu */
#define HARDIRQ_ENTRIES 8192	/* (generation, irq) pairs that ever fired */
#define HARDIRQ_NAME_LEN 32
#define IRQS_MAX_CPUS 4096	/* size cap of the per-CPU ksoftirqd pid table */

/* Per-CPU, per (generation, irq): one interrupt = every action of a shared line */
struct hardirq_key {
	__u32 generation;
	__u32 irq;
};

struct hardirq_stat {
	__u64 count;	/* interrupts (counted at the last action of the line) */
	__u64 calls;	/* handler runs, one per action */
	__u64 total_ns; /* time in the handlers */
	__u64 max_ns;	/* longest interrupt: all actions of one interrupt summed */
	__u32 hist[KTOP_HIST_SLOTS];
};

struct hardirq_name {
	char name[HARDIRQ_NAME_LEN];
};

/* Per-CPU, slot [generation * SOFTIRQ_VECS + vec] */
struct softirq_stat {
	__u64 count;
	__u64 total_ns;	      /* net: hard-IRQ handler time nested inside removed */
	__u64 max_ns;
	__u64 irq_ns;	      /* hard-IRQ handler time that interrupted this vector */
	__u64 delays;	      /* runs with a known raise time */
	__u64 delay_total_ns; /* first raise -> entry */
	__u64 delay_max_ns;
	__u64 ksoftirqd;      /* runs in ksoftirqd/N (the rest ran at irq exit or bh enable) */
	__u32 hist[KTOP_HIST_SLOTS];
	__u32 delay_hist[KTOP_HIST_SLOTS];
};

#endif
