/* SPDX-License-Identifier: GPL-2.0 */
/* collectors/tasklets.h: the tasklets collector's tables and what each row value means. */
#ifndef KTOP_COLLECTORS_TASKLETS_H
#define KTOP_COLLECTORS_TASKLETS_H

#include "core/table.h"

/* Values of a row of "tasklets" (one function) and of "tasklet_cpus" (one CPU of the
 * focused function) */
enum tasklet_value {
	TASKLET_V_KIND,	       /* enum tasklet_kind (value_names); "tasklet_cpus": the CPU */
	TASKLET_V_COUNT,       /* runs completed */
	TASKLET_V_TOTAL,       /* ns of execution time */
	TASKLET_V_MAX,	       /* ns, the longest run */
	TASKLET_V_QUEUE_COUNT, /* runs whose queue delay is known */
	TASKLET_V_QUEUE_TOTAL, /* ns of queue delay (schedule to start of run) */
	TASKLET_V_QUEUE_MAX,
	TASKLET_V_CPUS,	       /* mask of the CPUs it ran on */
};
/* the per-CPU table keeps the CPU where the main table keeps the kind */
#define TASKLET_V_CPU TASKLET_V_KIND

extern const struct table_schema tasklets_table, tasklet_cpus_table;

#endif
