/* SPDX-License-Identifier: GPL-2.0 */
/* collectors/irqs.h: the interrupts collector's tables and what each row value means. */
#ifndef KTOP_COLLECTORS_IRQS_H
#define KTOP_COLLECTORS_IRQS_H

#include "core/table.h"

/* Row keys of the system vectors' lines (enum sysvec_line) in "hardirqs": beyond every
 * irq number */
#define SYSVEC_ROW_KEY(line) ((1ull << 32) | (line))

/* Row values of the hard-IRQ tables */
enum hardirq_value {
	HV_ID,	  /* irq (a system vector's x86 vector), or the CPU in the per-CPU tables */
	HV_COUNT, /* interrupts */
	HV_TOTAL, /* handler time */
	HV_MAX,	  /* longest interrupt */
	HV_CALLS, /* handler runs */
	HV_CPUS,  /* bit per CPU it ran on */
};

/* Row values of the softirq tables */
enum softirq_value {
	SV_ID,		/* vector, or the CPU in the per-CPU tables */
	SV_COUNT,	/* runs */
	SV_TOTAL,	/* net time */
	SV_MAX,		/* longest run */
	SV_DELAYS,	/* runs whose raise was seen */
	SV_DELAY_TOTAL, /* raise -> run waits */
	SV_DELAY_MAX,
	SV_KSOFTIRQD,	/* runs in ksoftirqd/N */
	SV_IRQ,		/* hard-IRQ time that interrupted it */
	SV_CPUS,	/* bit per CPU it ran on */
};

/* Row values of the cross-call tables */
enum xcall_value {
	XV_CPU,		/* the CPU, in the per-CPU table */
	XV_COUNT,	/* runs sent from another CPU */
	XV_TOTAL,	/* time in the function, those runs */
	XV_MAX,		/* longest run */
	XV_DELAYS,	/* runs whose send was seen */
	XV_DELAY_TOTAL, /* send -> run latencies */
	XV_DELAY_MAX,
	XV_SENT,	/* calls queued for another CPU */
	XV_LOCAL,	/* runs of the sender's own share of a call to many CPUs (no IPI) */
	XV_CPUS,	/* bit per CPU it ran on for another CPU */
	XV_FROM_CPUS,	/* bit per CPU that sent it */
	XV_LOCAL_NS,	/* time of the local runs */
};

extern const struct table_schema hardirqs_table, hardirq_cpus_table, hardirqs_by_cpu_table;
extern const struct table_schema softirqs_table, softirq_cpus_table, softirqs_by_cpu_table;
extern const struct table_schema xcalls_table, xcall_cpus_table;

#endif
