/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bpf/ktop.bpf.h: helpers shared by ktop's BPF programs.
 *
 * Each handler body is written once and wrapped twice: as tp_btf (preferred: typed
 * arguments, cheapest) and as raw_tp (the fallback, and the one BPF_PROG_TEST_RUN can
 * run). User space enables one of the pair with bpf_program__set_autoload().
 *
 * Statistics are counters user space can read at any time: programs only ever add to
 * them, nothing is zeroed or switched, so a read that races a program sees its update in
 * this interval or the next, never twice and never lost (collectors/counters.c). The
 * longest time of an interval cannot be cumulative: it is kept per counter_epoch, which
 * user space advances right after each read.
 */
#ifndef KTOP_BPF_KTOP_BPF_H
#define KTOP_BPF_KTOP_BPF_H

#include "common.h"

/* floor(log2(v)) for v >= 1, 0 for 0, capped to the last slot. clang 14 crashes on
 * __builtin_clzll for BPF, so shifts and compares. */
static __always_inline __u32 ktop_log2_slot(__u64 v)
{
	__u32 r = 0;

	if (v >> 32) {
		v >>= 32;
		r += 32;
	}
	if (v >> 16) {
		v >>= 16;
		r += 16;
	}
	if (v >> 8) {
		v >>= 8;
		r += 8;
	}
	if (v >> 4) {
		v >>= 4;
		r += 4;
	}
	if (v >> 2) {
		v >>= 2;
		r += 2;
	}
	if (v >> 1)
		r += 1;
	return r < KTOP_HIST_SLOTS ? r : KTOP_HIST_SLOTS - 1;
}

/* The value of key in a hash map, created from init when there is none */
static __always_inline void *ktop_map_lookup_or_init(void *map, const void *key, const void *init)
{
	void *value = bpf_map_lookup_elem(map, key);

	if (value)
		return value;
	/* another CPU may create it first: then its entry is the one */
	bpf_map_update_elem(map, key, init, BPF_NOEXIST);
	return bpf_map_lookup_elem(map, key);
}

/*
 * A stats slot for key, which slots (key -> slot) does not hold yet: the next of *count,
 * claimed by writing owner into owners (slot -> what it is for), or other when they are
 * all taken. clang 14 cannot use the value an atomic add returns (BPF v1), so the claim is
 * an insert with BPF_NOEXIST: of two CPUs that read the same count, one wins and the other
 * counts this event as other. When another CPU gave key a slot meanwhile, that one is
 * used and the slot claimed here stays empty.
 */
static __always_inline __u32 ktop_slot_claim(void *slots, const void *key, void *owners,
					     const void *owner, __u32 *count, __u32 other)
{
	__u32 slot = *count, *found;

	if (slot >= other)
		return other;
	if (bpf_map_update_elem(owners, &slot, owner, BPF_NOEXIST))
		return other;
	__sync_fetch_and_add(count, 1);
	if (bpf_map_update_elem(slots, key, &slot, BPF_NOEXIST)) {
		found = bpf_map_lookup_elem(slots, key);
		return found ? *found : other;
	}
	return slot;
}

/* Advanced by user space after it has read the object's counters */
__u64 counter_epoch;

static __always_inline void ktop_max_add(struct ktop_max *max, __u64 ns)
{
	__u64 epoch = counter_epoch;

	if (max->epoch != epoch) {
		max->epoch = epoch;
		max->ns = ns;
	} else if (ns > max->ns) {
		max->ns = ns;
	}
	/* the maximum before the counters: a read that sees the count sees its time too */
	asm volatile("" ::: "memory");
}

static __always_inline void ktop_hist_add(__u32 *hist, __u64 ns)
{
	hist[ktop_log2_slot(ns) & (KTOP_HIST_SLOTS - 1)]++;
}

/* One timed event into a statistic's count, total, maximum and histogram */
static __always_inline void ktop_stat_add(__u64 *count, __u64 *total_ns, struct ktop_max *max,
					  __u32 *hist, __u64 ns)
{
	ktop_max_add(max, ns);
	*count += 1;
	*total_ns += ns;
	ktop_hist_add(hist, ns);
}

/*
 * The same for a statistic the CPUs share (a table no one can afford per CPU at hundreds
 * of possible CPUs): counters by atomic adds, so none is lost; the maximum by
 * compare-and-swap. Only the first events of a new epoch can race (each CPU sets the
 * epoch and its time): then the epoch's maximum may be the smaller of them, never a count.
 */
static __always_inline void ktop_max_add_shared(struct ktop_max *max, __u64 ns)
{
	__u64 epoch = counter_epoch, cur;

	if (*(volatile __u64 *)&max->epoch != epoch) {
		max->ns = ns;
		*(volatile __u64 *)&max->epoch = epoch;
	} else {
		/* a few tries: another CPU that wins each time has set a larger one meanwhile */
		for (int i = 0; i < 4; i++) {
			cur = *(volatile __u64 *)&max->ns;
			if (ns <= cur || __sync_val_compare_and_swap(&max->ns, cur, ns) == cur)
				break;
		}
	}
	asm volatile("" ::: "memory");
}

/* One more ns into a log2 histogram that all CPUs share */
static __always_inline void ktop_hist_add_shared(__u32 *hist, __u64 ns)
{
	__sync_fetch_and_add(&hist[ktop_log2_slot(ns) & (KTOP_HIST_SLOTS - 1)], 1);
}

/* This CPU into the CPU list of counter epoch `epoch`. Each CPU sets only its own bit, so
 * adding the bit when it is clear is an atomic OR; a new epoch starts the list again */
static __always_inline void ktop_cpus_add(struct ktop_cpus *cpus, __u64 epoch)
{
	__u32 cpu = bpf_get_smp_processor_id();
	__u64 bit = cpu < 64 ? 1ull << cpu : 0;

	if (cpus->epoch != epoch) {
		cpus->bits = bit;
		cpus->epoch = epoch;
	} else if (bit && !(cpus->bits & bit)) {
		__sync_fetch_and_add(&cpus->bits, bit);
	}
}

static __always_inline void ktop_stat_add_shared(__u64 *count, __u64 *total_ns,
						 struct ktop_max *max, __u32 *hist, __u64 ns)
{
	ktop_max_add_shared(max, ns);
	__sync_fetch_and_add(count, 1);
	__sync_fetch_and_add(total_ns, ns);
	ktop_hist_add_shared(hist, ns);
}

#endif
