/* SPDX-License-Identifier: GPL-2.0 */
/* collectors/containers.h: the containers table and what each row value means. */
#ifndef KTOP_COLLECTORS_CONTAINERS_H
#define KTOP_COLLECTORS_CONTAINERS_H

#include "core/table.h"

/* Values of a row of "containers": one container (the row's key: core/containers.h) */
enum container_value {
	CONTAINER_V_RUNTIME, /* enum container_runtime (value_names: container_runtime_names) */
	CONTAINER_V_PROCS,   /* processes in its cgroups */
	CONTAINER_V_COUNT,   /* system calls (from the syscalls collector's sums) */
	CONTAINER_V_ERRORS,  /* failed system calls */
	CONTAINER_V_IRQ,     /* ns of hard-IRQ and softirq time charged to it */
	CONTAINER_V_CGROUP,  /* cgroup id of its directory in the identity hierarchy */
};

extern const struct table_schema containers_table;

#endif
