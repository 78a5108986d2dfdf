/* SPDX-License-Identifier: GPL-2.0 */
/* collectors/critical.h: what the critical-sections collector tells besides its tables. */
#ifndef KTOP_COLLECTORS_CRITICAL_H
#define KTOP_COLLECTORS_CRITICAL_H

#include "bpf/critical.h"
#include "core/table.h"

struct collector;

/* Values of a row of "critical": one offender (stack signature) */
enum critical_value {
	CRITICAL_V_COUNT,  /* detections */
	CRITICAL_V_KIND,   /* enum stack_kind (value_names) */
	CRITICAL_V_MAX,	   /* ns, the longest detection */
	CRITICAL_V_TOTAL,  /* ns, detections summed */
	CRITICAL_V_CPUS,   /* mask of the CPUs it was seen on */
	CRITICAL_V_AGO,	   /* ns from the last detection to the end of the interval */
	CRITICAL_V_METHOD, /* how it was measured (value_names: "timer_lateness"...) */
};

/* Values of a row of "critical_events": one detection */
enum critical_event_value {
	CRITICAL_EV_CPU,
	CRITICAL_EV_DURATION, /* ns, at least */
	CRITICAL_EV_KIND,     /* enum stack_kind (value_names) */
	CRITICAL_EV_PID,      /* the interrupted task, or the one that kept the CPU */
	CRITICAL_EV_AGO,      /* ns before the end of the interval */
	CRITICAL_EV_METHOD,   /* as CRITICAL_V_METHOD */
};

/* Values of a row of "critical_stack": one frame of the focused offender's stack */
enum critical_stack_value {
	CRITICAL_STACK_V_DEPTH, /* from the outermost frame */
};

extern const struct table_schema critical_table, critical_events_table, critical_stack_table;

/*
 * The BPF side's counters now, summed over CPUs: how many timer runs were looked at, how
 * many were late, and how many waits were taken out as no section (armed already expired,
 * retry passes, softirq work). Tests use it to see that a workload made the waits it is
 * meant to make. Returns 0 or a negative errno
 */
int critical_counters_sum(struct collector *c, struct critical_counters *sum);

#endif
