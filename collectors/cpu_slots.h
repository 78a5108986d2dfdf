/* SPDX-License-Identifier: GPL-2.0 */
/*
 * collectors/cpu_slots.h: a hash of per-(slot, CPU) cumulative stats (bpf/cpu_slots.h),
 * read as if it were a per-CPU array.
 *
 * Each tick only the entries that exist are copied out (those of the CPUs that ran the
 * slot), their growth taken by collectors/counters.c; the slots that grew are then handed
 * to the callback one by one, with one value per possible CPU, zero for the CPUs whose
 * entry did not grow, as counter_map_read() hands a per-CPU array's.
 */
#ifndef KTOP_COLLECTORS_CPU_SLOTS_H
#define KTOP_COLLECTORS_CPU_SLOTS_H

#include <stddef.h>

#include <linux/types.h>

#include "counters.h"

struct cpu_slot_map {
	struct counter_map map; /* the hash, one value per key */
	int ncpus;
	size_t stride;
	__u32 *keys;   /* this read's keys that grew */
	void *deltas;  /* and their growth, stride apart */
	size_t n, cap;
	size_t *order; /* indices of keys, sorted by key */
	void *values;  /* one slot: ncpus values */
};

int cpu_slot_map_init(struct cpu_slot_map *m, int fd, const struct counter_layout *layout,
		      int ncpus);
/* fn(arg, slot, values) for each slot that grew since the last read; maxima of epoch */
int cpu_slot_map_read(struct cpu_slot_map *m, __u64 epoch, counter_fn fn, void *arg);
void cpu_slot_map_free(struct cpu_slot_map *m);

#endif
