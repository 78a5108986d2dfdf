/* SPDX-License-Identifier: GPL-2.0 */
/* collectors/deferred.h: the deferred collector's tables and what each row value means. */
#ifndef KTOP_COLLECTORS_DEFERRED_H
#define KTOP_COLLECTORS_DEFERRED_H

#include "core/table.h"

/* Values of a row of "workqueues" (one work function and workqueue) and of "timers" (one
 * callback and timer kind): the same stats, read as each table's columns say */
enum deferred_value {
	DEFERRED_V_COUNT,	/* runs; timers: expiries */
	DEFERRED_V_TOTAL,	/* ns of run time; timers: in the callback */
	DEFERRED_V_MAX,		/* ns, the longest run */
	DEFERRED_V_DELAY_COUNT, /* runs whose queue delay (timers: lateness) is known */
	DEFERRED_V_DELAY_TOTAL, /* ns of queue delay; timers: lateness */
	DEFERRED_V_DELAY_MAX,
	DEFERRED_V_QUEUED,	/* items queued; timers: starts (armed or re-armed) */
	DEFERRED_V_HELD,	/* ns of the queue delay spent inactive (max_active) */
	DEFERRED_V_CPUS,	/* mask of the CPUs it ran on */
	DEFERRED_V_KIND,	/* timers: value_names "hrtimer", "hrtimer_soft", "timer" */
};

/* Values of a row of "workqueue_callers" and "timer_callers": a process that queued
 * (armed) the focused row */
enum deferred_caller_value {
	DEFERRED_CALLER_V_PID,
	DEFERRED_CALLER_V_COUNT,
	DEFERRED_CALLER_V_CPUS, /* mask of the CPUs it queued from */
};

extern const struct table_schema workqueues_table, timers_table, workqueue_callers_table,
	timer_callers_table;

#endif
