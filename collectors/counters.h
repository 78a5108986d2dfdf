/* SPDX-License-Identifier: GPL-2.0 */
/*
 * collectors/counters.h: this interval's share of the kernel's cumulative counters.
 *
 * ktop's BPF programs only ever add to their statistics (bpf/ktop.bpf.h): user space
 * never zeroes or switches them, so a program that runs while they are read shows in
 * this interval or the next, never twice and never lost. A read takes each value's growth
 * since the previous read. A maximum cannot grow that way: a struct ktop_max holds the
 * longest event of an epoch, the read keeps those of the object's current epoch, and
 * counter_epoch_advance() then starts the next one. Programs write the maximum before the
 * counters, and a value is copied out counters first, so an event counted in a read has
 * its time in that read's maximum; only an event the read catches in the middle of its
 * few stores can have its count in one interval and its time in the one before.
 *
 * One CPU's value is laid out as: __u64 counters, then struct ktop_max records, then
 * __u32 counters (histograms), then anything else, passed on as it is (bits ever seen).
 */
#ifndef KTOP_COLLECTORS_COUNTERS_H
#define KTOP_COLLECTORS_COUNTERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/types.h>

#include "bpf/common.h"

struct counter_layout {
	size_t size;	    /* sizeof the value */
	unsigned int u64s;  /* leading __u64 counters */
	unsigned int maxes; /* then struct ktop_max records */
	unsigned int u32s;  /* then __u32 counters */
};

/*
 * Called for each key whose counters grew since the last read, with this interval's
 * values: one per CPU (counter_stride() apart), or one summed over the CPUs
 */
typedef int (*counter_fn)(void *arg, __u32 key, const void *values);

struct counter_row;

struct counter_map {
	int fd;
	const struct counter_layout *layout;
	bool per_cpu;
	int ncpus;
	size_t stride; /* one CPU's value as the kernel copies it out (8-byte aligned) */
	__u32 chunk;   /* keys per batch read */
	__u32 *keys;
	void *values; /* one batch: chunk x ncpus values */
	void *out;    /* one key's deltas */
	void *sum;    /* one key's values summed over the CPUs */
	struct counter_row *rows; /* what each key held at the last read, by key */
	size_t nrows, rows_capacity;
};

/* A per-CPU array or hash with __u32 keys; per_cpu: keep each CPU's share apart */
int counter_map_init(struct counter_map *m, int fd, const struct counter_layout *layout,
		     int ncpus, bool per_cpu);
/* Read every key, call fn for those that grew; the maxima are those of epoch */
int counter_map_read(struct counter_map *m, __u64 epoch, counter_fn fn, void *arg);
void counter_map_free(struct counter_map *m);
size_t counter_stride(const struct counter_layout *layout);

/*
 * The longest of count events, total_ns in all, as read: max_ns, or their mean when that is
 * more. The longest is never below the mean, yet the maximum read can be: an event the read
 * catches between its stores (above) has its count here and its time in the epoch before,
 * and a maximum that CPUs share can lose a race to a shorter event. For one event the mean
 * is its time. AVG <= MAX then holds on every row.
 */
static inline __u64 counter_max(__u64 max_ns, __u64 total_ns, __u64 count)
{
	__u64 mean = count ? (total_ns + count - 1) / count : 0;

	return max_ns > mean ? max_ns : mean;
}

/* *to: the longest of its events and those of one more value (counter_max) */
static inline void counter_max_into(uint64_t *to, __u64 max_ns, __u64 total_ns, __u64 count)
{
	__u64 longest = counter_max(max_ns, total_ns, count);

	if (longest > *to)
		*to = longest;
}

/* After every map of an object has been read: later maxima belong to the next interval */
static inline void counter_epoch_advance(__u64 *epoch)
{
	__atomic_store_n(epoch, *epoch + 1, __ATOMIC_RELEASE);
}

#endif
