/* SPDX-License-Identifier: GPL-2.0 */
/* bpf/cpu_slots.bpf.h: this CPU's entry of a per-(slot, CPU) stats hash (cpu_slots.h). */
#ifndef KTOP_BPF_CPU_SLOTS_BPF_H
#define KTOP_BPF_CPU_SLOTS_BPF_H

#include "cpu_slots.h"
#include "ktop.bpf.h"

/* This CPU's stats of slot in map, created from zero on first use; NULL: no room */
static __always_inline void *cpu_slot_stat(void *map, __u32 slot, const void *zero)
{
	__u32 cpu = bpf_get_smp_processor_id(), key = CPU_SLOT_KEY(slot, cpu);
	void *value;

	if (cpu > CPU_SLOT_MAX_CPU)
		return NULL;
	value = bpf_map_lookup_elem(map, &key);
	if (value)
		return value;
	return ktop_map_lookup_or_init(map, &key, zero);
}

#endif
