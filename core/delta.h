/* SPDX-License-Identifier: GPL-2.0 */
/*
 * core/delta.h: turning cumulative kernel counters into per-interval deltas.
 *
 * Each tick, push every (key, counters) read from a map; finish() sorts them, and for each
 * key gives the growth since the previous tick. A key seen for the first time, or whose
 * counters went backwards (an LRU entry evicted and created again), counts from zero.
 */
#ifndef KTOP_CORE_DELTA_H
#define KTOP_CORE_DELTA_H

#include <stddef.h>
#include <stdint.h>

#define DELTA_VALUES 4

struct delta_entry {
	uint64_t key;
	uint64_t v[DELTA_VALUES];
	uint64_t tag; /* carried from this tick as it is, not a counter (a cgroup id) */
};

struct delta_set {
	struct delta_entry *prev, *cur, *diff;
	size_t nprev, ncur, capacity;
	/* diff holds only the keys that grew: under process churn a map holds thousands of
	 * processes that have exited, and a diff as large as the map was most of its memory */
	size_t ndiff, diff_capacity;
};

int delta_push(struct delta_set *d, uint64_t key, const uint64_t v[DELTA_VALUES]);
int delta_push_tagged(struct delta_set *d, uint64_t key, const uint64_t v[DELTA_VALUES],
		      uint64_t tag);
/* Returns n: d->diff[0..n) holds this tick's keys that grew, sorted, with their growth
 * (a key whose counters did not move is left out; -ENOMEM is not returned: a key that does
 * not fit is left out too) */
size_t delta_finish(struct delta_set *d);
/*
 * Of d->diff[0..n), move to the front the entries whose v[value] is non-zero (how many:
 * *nonzero, when not NULL), and when there are more than max, the max largest before the
 * others (then largest first); returns how many of those are kept, at most max. For a
 * table that keeps max rows: only those get a row and a name looked up, and the frame
 * never holds more rows than it keeps.
 */
size_t delta_top(struct delta_set *d, size_t n, unsigned int value, size_t max,
		 size_t *nonzero);
/* Forget the previous tick: the next finish() reports everything as new */
void delta_reset(struct delta_set *d);
void delta_free(struct delta_set *d);

#endif
