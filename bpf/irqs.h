/* SPDX-License-Identifier: GPL-2.0 */
/* bpf/irqs.h: what the hard-IRQ/softirq BPF program and its collector share. */
#ifndef KTOP_BPF_IRQS_H
#define KTOP_BPF_IRQS_H

#include "common.h"

#define SOFTIRQ_VECS 10		/* NR_SOFTIRQS: hi timer net_tx net_rx ... rcu */
#define HARDIRQ_ENTRIES 8192	/* (irq, CPU) pairs that ever fired */
/* hardirq_stats' key: the CPU above the irq number. Linux numbers irqs below 2^20 (NR_IRQS
 * is at most 2^19 + 256); an irq or CPU beyond the key's room is counted as lost */
#define HARDIRQ_CPU_SHIFT 20
#define HARDIRQ_MAX_IRQ ((1u << HARDIRQ_CPU_SHIFT) - 1)
#define HARDIRQ_MAX_CPU ((1u << (32 - HARDIRQ_CPU_SHIFT)) - 1)
#define HARDIRQ_KEY(irq, cpu) ((__u32)(cpu) << HARDIRQ_CPU_SHIFT | (__u32)(irq))
#define HARDIRQ_NAME_LEN 32
#define IRQS_MAX_CPUS 4096	/* size cap of the per-CPU ksoftirqd pid table */
/* The (slot, CPU) hashes have room for every slot on this many CPUs, or on every possible
 * CPU when there are more (set at load, collectors/irqs.c): a fixed size up to there, so
 * tools/map-memory.sh projects them exactly to 128 and 256 possible CPUs */
#define IRQS_SIZED_CPUS 256
#define XCALL_FUNCS_PER_CPU 8 /* cross-call functions seen per CPU: room for, not a limit */

/*
 * Per (irq, CPU), cumulative since load (collectors/counters.c): u64 counters, the
 * maximum, then the histogram, in this order. One interrupt = every action of a shared
 * line. A shared hash keyed by HARDIRQ_KEY, not a per-CPU map: a line fires on the few
 * CPUs its affinity names, so a per-CPU value for every possible CPU would be almost all
 * zeros (168 MB at 128 possible CPUs); each entry is written by its own CPU only, so
 * plain adds are exact.
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

/* Per (vector, CPU) (bpf/cpu_slots.h), cumulative since load, laid out as hardirq_stat */
struct softirq_stat {
	__u64 count;
	__u64 total_ns;	      /* net: time of the interrupts nested inside removed */
	__u64 irq_ns;	      /* handler, system vector and NMI time that interrupted it */
	__u64 delays;	      /* runs with a known raise time */
	__u64 delay_total_ns; /* first raise -> entry */
	__u64 ksoftirqd;      /* runs in ksoftirqd/N (the rest ran at irq exit or bh enable) */
	struct ktop_max max;
	struct ktop_max delay_max;
	__u32 hist[KTOP_HIST_SLOTS];
	__u32 delay_hist[KTOP_HIST_SLOTS];
};

/*
 * The x86 system vectors' lines of /proc/interrupts that have tracepoints: stats per
 * (line, CPU) in sysvec_stats, laid out as hardirq_stat. CAL is both call-function vectors; TLB
 * counts flush_tlb_func runs on a CPU other than the one that asked (irq_tlb_count), seen
 * at csd_function_entry; NMI counts nmi:nmi_handler runs (one per handler of an NMI).
 */
enum sysvec_line {
	SYSVEC_NMI,
	SYSVEC_LOC,
	SYSVEC_SPU,
	SYSVEC_IWI,
	SYSVEC_RES,
	SYSVEC_CAL,
	SYSVEC_TLB,
	SYSVEC_TRM,
	SYSVEC_ERR,
	SYSVEC_PLT,
	SYSVEC_LINES,
};

/* Cross-CPU calls (smp_call_function*): a stats slot per called function, the last slot
 * for every function beyond the others */
#define XCALL_SLOTS 32
#define XCALL_OTHER_SLOT (XCALL_SLOTS - 1)
#define XCALL_QUEUED 1024 /* csds sent and not run yet */
#define XCALL_COMM_LEN 16

/* Per (function slot, CPU), cumulative since load, in the order counters.c reads */
struct xcall_stat {
	__u64 count;	      /* runs on this CPU sent from another (csd != NULL) */
	__u64 total_ns;	      /* time in the function, those runs */
	__u64 local;	      /* runs of the caller's own share (csd == NULL): not an IPI */
	__u64 local_ns;
	__u64 sent;	      /* csds queued from this CPU to another */
	__u64 delays;	      /* runs whose send was seen */
	__u64 delay_total_ns; /* send (csd_queue_cpu) -> start of the run */
	struct ktop_max max;
	struct ktop_max delay_max;
	__u32 hist[KTOP_HIST_SLOTS];
};

/* The last sender of a function slot: who, from where (written at each send) */
struct xcall_sender {
	__u64 callsite; /* the caller of the smp_call_function* that queued it */
	__u32 pid;	/* thread id of the sender */
	__u32 pad;
	char comm[XCALL_COMM_LEN];
};

#endif
