// SPDX-License-Identifier: GPL-2.0
/* collectors/counters.c: deltas of cumulative per-CPU BPF counters (see counters.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>

#include "counters.h"

struct counter_row {
	__u32 key;
	void *prev; /* ncpus values (per_cpu) or one, as at the last read */
};

size_t counter_stride(const struct counter_layout *layout)
{
	return (layout->size + 7) & ~(size_t)7;
}

int counter_map_init(struct counter_map *m, int fd, const struct counter_layout *layout,
		     int ncpus, bool per_cpu)
{
	memset(m, 0, sizeof(*m));
	m->fd = fd;
	m->layout = layout;
	m->per_cpu = per_cpu;
	m->ncpus = ncpus > 0 ? ncpus : 1;
	m->stride = counter_stride(layout);
	m->chunk = 64;
	m->keys = calloc(m->chunk, sizeof(*m->keys));
	m->values = calloc((size_t)m->chunk * m->ncpus, m->stride);
	m->out = calloc(per_cpu ? m->ncpus : 1, m->stride);
	m->sum = calloc(1, m->stride);
	if (!m->keys || !m->values || !m->out || !m->sum) {
		counter_map_free(m);
		return -ENOMEM;
	}
	return 0;
}

void counter_map_free(struct counter_map *m)
{
	for (size_t i = 0; i < m->nrows; i++)
		free(m->rows[i].prev);
	free(m->rows);
	free(m->keys);
	free(m->values);
	free(m->out);
	free(m->sum);
	memset(m, 0, sizeof(*m));
	m->fd = -1;
}

/* The row of key, created (all zero: counting from load) when create */
static struct counter_row *row_of(struct counter_map *m, __u32 key, bool create)
{
	size_t lo = 0, hi = m->nrows, width = (m->per_cpu ? m->ncpus : 1) * m->stride;
	struct counter_row *r;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (m->rows[mid].key == key)
			return &m->rows[mid];
		if (m->rows[mid].key < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!create)
		return NULL;
	if (m->nrows == m->rows_capacity) {
		size_t cap = m->rows_capacity ? m->rows_capacity * 2 : 64;

		r = realloc(m->rows, cap * sizeof(*r));
		if (!r)
			return NULL;
		m->rows = r;
		m->rows_capacity = cap;
	}
	r = &m->rows[lo];
	memmove(r + 1, r, (m->nrows - lo) * sizeof(*r));
	r->key = key;
	r->prev = calloc(1, width);
	if (!r->prev) {
		memmove(r, r + 1, (m->nrows - lo) * sizeof(*r));
		return NULL;
	}
	m->nrows++;
	return r;
}

static bool counters_zero(const struct counter_map *m, const void *cpu_values)
{
	const __u64 *v = cpu_values;

	for (int cpu = 0; cpu < m->ncpus; cpu++, v = (const __u64 *)((const char *)v + m->stride))
		for (unsigned int i = 0; i < m->layout->u64s; i++)
			if (v[i])
				return false;
	return true;
}

/* cur += v, for the counters of one CPU's value (a sum over CPUs) */
static void value_add(const struct counter_layout *l, void *cur, const void *v, __u64 epoch)
{
	const struct ktop_max *vmax = (const void *)((const __u64 *)v + l->u64s);
	struct ktop_max *cmax = (void *)((__u64 *)cur + l->u64s);
	const __u32 *v32 = (const void *)(vmax + l->maxes);
	__u32 *c32 = (void *)(cmax + l->maxes);
	size_t rest = (const char *)(v32 + l->u32s) - (const char *)v;

	for (unsigned int i = 0; i < l->u64s; i++)
		((__u64 *)cur)[i] += ((const __u64 *)v)[i];
	for (unsigned int i = 0; i < l->maxes; i++)
		if (vmax[i].epoch == epoch && vmax[i].ns > cmax[i].ns)
			cmax[i].ns = vmax[i].ns;
	for (unsigned int i = 0; i < l->u32s; i++)
		c32[i] += v32[i];
	/* what is not a counter: bits ever seen */
	for (size_t i = rest / 8; i < l->size / 8; i++)
		((__u64 *)cur)[i] |= ((const __u64 *)v)[i];
}

/*
 * out = cur - prev for the counters, and prev = cur. A counter that went back (the entry
 * was deleted and created again) counts from zero. The maxima of out are cur's of epoch
 * (cur_is_sum: already chosen by value_add).
 */
static bool value_delta(const struct counter_layout *l, void *out, void *prev, const void *cur,
			__u64 epoch, bool cur_is_sum)
{
	const struct ktop_max *cmax = (const void *)((const __u64 *)cur + l->u64s);
	struct ktop_max *omax = (void *)((__u64 *)out + l->u64s);
	const __u32 *c32 = (const void *)(cmax + l->maxes);
	size_t at32 = (const char *)c32 - (const char *)cur;
	const __u32 *p32 = (const void *)((const char *)prev + at32);
	__u32 *o32 = (void *)(omax + l->maxes);
	size_t rest = (const char *)(c32 + l->u32s) - (const char *)cur;
	bool grew = false;

	for (unsigned int i = 0; i < l->u64s; i++) {
		__u64 c = ((const __u64 *)cur)[i], p = ((const __u64 *)prev)[i];

		((__u64 *)out)[i] = c >= p ? c - p : c;
		grew |= c != p;
	}
	for (unsigned int i = 0; i < l->maxes; i++) {
		omax[i].ns = cur_is_sum || cmax[i].epoch == epoch ? cmax[i].ns : 0;
		omax[i].epoch = epoch;
	}
	for (unsigned int i = 0; i < l->u32s; i++)
		o32[i] = c32[i] - p32[i]; /* modulo 2^32: a histogram slot may wrap */
	memcpy((char *)out + rest, (const char *)cur + rest, l->size - rest);
	memcpy(prev, cur, l->size);
	return grew;
}

/* One key's values as read (ncpus of them) into deltas, then fn */
static int key_delta(struct counter_map *m, __u32 key, const void *values, __u64 epoch,
		     counter_fn fn, void *arg)
{
	const struct counter_layout *l = m->layout;
	struct counter_row *r = row_of(m, key, false);
	bool grew = false;

	if (!r) {
		if (counters_zero(m, values))
			return 0; /* never used */
		r = row_of(m, key, true);
		if (!r)
			return -ENOMEM;
	}
	if (m->per_cpu) {
		for (int cpu = 0; cpu < m->ncpus; cpu++) {
			size_t at = (size_t)cpu * m->stride;

			grew |= value_delta(l, (char *)m->out + at, (char *)r->prev + at,
					    (const char *)values + at, epoch, false);
		}
	} else {
		memset(m->sum, 0, m->stride);
		for (int cpu = 0; cpu < m->ncpus; cpu++)
			value_add(l, m->sum, (const char *)values + (size_t)cpu * m->stride, epoch);
		grew = value_delta(l, m->out, r->prev, m->sum, epoch, true);
	}
	return grew ? fn(arg, key, m->out) : 0;
}

int counter_map_read(struct counter_map *m, __u64 epoch, counter_fn fn, void *arg)
{
	__u32 out_batch, count;
	void *in = NULL;
	int err;

	do {
		count = m->chunk;
		err = bpf_map_lookup_batch(m->fd, in, &out_batch, m->keys, m->values, &count, NULL);
		if (err && errno != ENOENT)
			return -errno;
		for (__u32 i = 0; i < count; i++) {
			int ret = key_delta(m, m->keys[i],
					    (char *)m->values + (size_t)i * m->ncpus * m->stride,
					    epoch, fn, arg);

			if (ret < 0)
				return ret;
		}
		in = &out_batch;
	} while (!err);
	return 0;
}
