/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bpf/container_filter.bpf.h: one container filter shared by every BPF program.
 *
 * Include it, call container_allowed() where an event is counted, and have user space
 * reuse the maps (collectors/container_filter.c) before load. The maps are created once
 * and shared, so switching containers is a map update in every program at once, no
 * reload. With the filter off the check is one array lookup and a branch; callers with
 * task storage at hand keep the verdict there (container_allowed_cached).
 *
 * Identity: on cgroup v2, bpf_get_current_cgroup_id(); on v1 and hybrid hosts (where the
 * v2 id is the root's for everything) the kernfs id of the task's v1 memory cgroup, which
 * is the inode of its directory under /sys/fs/cgroup/memory. User space puts the ids of
 * every cgroup in the selected container's subtree in container_filter_ids.
 */
#ifndef KTOP_BPF_CONTAINER_FILTER_BPF_H
#define KTOP_BPF_CONTAINER_FILTER_BPF_H

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

#include "container_filter.h"
#include "ktop.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct container_filter_config);
} container_filter_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, CONTAINER_FILTER_IDS);
	__type(key, __u64);
	__type(value, __u8);
} container_filter_ids SEC(".maps");

/* cgroup id -> ns of interrupt work that ran while a task of that cgroup was current.
 * Shared by the CPUs (one atomic add per handler or softirq run): a per-CPU value of 4096
 * cgroups is 4 MB at 128 possible CPUs */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, CONTAINER_CHARGE_ENTRIES);
	__type(key, __u64);
	__type(value, __u64);
} container_charged_ns SEC(".maps");

static __always_inline struct container_filter_config *container_filter_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&container_filter_config, &zero);
}

/* The current task's cgroup id in the hierarchy `how` (CONTAINER_ID_*) */
static __always_inline __u64 container_cgroup_id(__u32 how)
{
	struct task_struct *task;
	struct cgroup_subsys_state *css = NULL;
	struct css_set *cset;
	int memory;

	if (how != CONTAINER_ID_V1_MEMORY)
		return bpf_get_current_cgroup_id();
	/* the memory controller's slot in css_set.subsys depends on the kernel's config */
	if (!bpf_core_enum_value_exists(enum cgroup_subsys_id, memory_cgrp_id))
		return 0;
	memory = bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id);
	task = bpf_get_current_task_btf();
	cset = BPF_CORE_READ(task, cgroups);
	if (!cset)
		return 0;
	bpf_probe_read_kernel(&css, sizeof(css),
			      (char *)cset + bpf_core_field_offset(struct css_set, subsys) +
				      (memory & 15) * sizeof(void *));
	if (!css)
		return 0;
	return BPF_CORE_READ(css, cgroup, kn, id);
}

/* Does the selected container (or the whole machine, when none is) own the current task? */
static __always_inline bool container_allowed(void)
{
	struct container_filter_config *cfg = container_filter_get();
	__u64 id;

	if (!cfg || cfg->mode == CONTAINER_ID_NONE)
		return true;
	id = container_cgroup_id(cfg->mode);
	return bpf_map_lookup_elem(&container_filter_ids, &id) != NULL;
}

/* container_allowed() for a caller that keeps a per-task cache (in its task storage): a
 * task that stays in its cgroups costs one read of task->cgroups after the first call */
static __always_inline bool container_allowed_cached(struct container_filter_cache *cache)
{
	struct container_filter_config *cfg = container_filter_get();
	struct task_struct *task;
	__u64 id, cset;
	bool allowed;

	if (!cfg || cfg->mode == CONTAINER_ID_NONE)
		return true;
	task = bpf_get_current_task_btf();
	cset = (__u64)BPF_CORE_READ(task, cgroups);
	if (cache->cset == cset && cache->generation == cfg->generation)
		return cache->allowed;
	id = container_cgroup_id(cfg->mode);
	allowed = bpf_map_lookup_elem(&container_filter_ids, &id) != NULL;
	cache->cset = cset;
	cache->generation = cfg->generation;
	cache->allowed = allowed;
	return allowed;
}

/* Charge ns of interrupt work to the cgroup of the task it interrupted */
static __always_inline void container_charge(__u64 ns)
{
	struct container_filter_config *cfg = container_filter_get();
	static const __u64 zero;
	__u64 id, *sum;

	if (!cfg || cfg->identity == CONTAINER_ID_NONE || !ns)
		return;
	id = container_cgroup_id(cfg->identity);
	sum = ktop_map_lookup_or_init(&container_charged_ns, &id, &zero);
	if (sum)
		__sync_fetch_and_add(sum, ns);
}

#endif
