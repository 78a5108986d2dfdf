/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bpf/container_filter.h: what the shared container filter maps hold, for both sides.
 * The maps themselves are declared in container_filter.bpf.h and created once in user
 * space (collectors/container_filter.c), then reused by every skeleton.
 */
#ifndef KTOP_BPF_CONTAINER_FILTER_H
#define KTOP_BPF_CONTAINER_FILTER_H

#include "common.h"

/* Which cgroup id identifies a task's container */
#define CONTAINER_ID_NONE 0	 /* filter off */
#define CONTAINER_ID_V2 1	 /* the cgroup2 (default hierarchy) id */
#define CONTAINER_ID_V1_MEMORY 2 /* the kernfs id (= inode) of the v1 memory cgroup */

#define CONTAINER_FILTER_IDS 4096    /* cgroups in the selected container's subtree */
#define CONTAINER_CHARGE_ENTRIES 4096 /* cgroups interrupt time was charged to */

struct container_filter_config {
	__u32 mode;	/* CONTAINER_ID_*: NONE lets every task through */
	__u32 identity; /* CONTAINER_ID_V2 or _V1_MEMORY: the id interrupt time is charged to */
	__u32 generation; /* bumped by user space at every change of the selection */
	__u32 pad;
};

/* A task's last verdict, kept in the caller's task storage: valid while the task's css_set
 * (its cgroups in every hierarchy) and the selection's generation are the same */
struct container_filter_cache {
	__u64 cset;
	__u32 generation;
	__u32 allowed;
};

#endif
