// SPDX-License-Identifier: GPL-2.0
/* collectors/cpu_slots.c: per-(slot, CPU) hashes read as per-CPU arrays (see cpu_slots.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bpf/cpu_slots.h"
#include "cpu_slots.h"

int cpu_slot_map_init(struct cpu_slot_map *m, int fd, const struct counter_layout *layout,
		      int ncpus)
{
	int err;

	memset(m, 0, sizeof(*m));
	m->ncpus = ncpus > 0 ? ncpus : 1;
	m->stride = counter_stride(layout);
	err = counter_map_init(&m->map, fd, layout, 1, false);
	if (err)
		return err;
	m->values = calloc((size_t)m->ncpus, m->stride);
	if (!m->values) {
		cpu_slot_map_free(m);
		return -ENOMEM;
	}
	return 0;
}

void cpu_slot_map_free(struct cpu_slot_map *m)
{
	counter_map_free(&m->map);
	free(m->keys);
	free(m->deltas);
	free(m->order);
	free(m->values);
	m->keys = NULL;
	m->deltas = m->values = NULL;
	m->order = NULL;
	m->n = m->cap = 0;
}

/* counter_fn: keep one (slot, CPU) entry's growth until the whole hash is read */
static int keep_delta(void *arg, __u32 key, const void *delta)
{
	struct cpu_slot_map *m = arg;

	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 64;
		__u32 *keys = realloc(m->keys, cap * sizeof(*keys));
		size_t *order;
		void *deltas;

		if (!keys)
			return -ENOMEM;
		m->keys = keys;
		deltas = realloc(m->deltas, cap * m->stride);
		if (!deltas)
			return -ENOMEM;
		m->deltas = deltas;
		order = realloc(m->order, cap * sizeof(*order));
		if (!order)
			return -ENOMEM;
		m->order = order;
		m->cap = cap;
	}
	m->keys[m->n] = key;
	memcpy((char *)m->deltas + m->n * m->stride, delta, m->stride);
	m->order[m->n] = m->n;
	m->n++;
	return 0;
}

static int by_key(const void *a, const void *b, void *keys)
{
	__u32 ka = ((const __u32 *)keys)[*(const size_t *)a];
	__u32 kb = ((const __u32 *)keys)[*(const size_t *)b];

	return ka < kb ? -1 : ka > kb;
}

int cpu_slot_map_read(struct cpu_slot_map *m, __u64 epoch, counter_fn fn, void *arg)
{
	int err;

	m->n = 0;
	err = counter_map_read(&m->map, epoch, keep_delta, m);
	if (err)
		return err;
	if (m->n) /* nothing read yet: order may still be NULL (qsort_r's argument is nonnull) */
		qsort_r(m->order, m->n, sizeof(*m->order), by_key, m->keys);
	for (size_t i = 0; i < m->n;) {
		__u32 slot = CPU_SLOT_OF(m->keys[m->order[i]]);

		memset(m->values, 0, (size_t)m->ncpus * m->stride);
		for (; i < m->n && CPU_SLOT_OF(m->keys[m->order[i]]) == slot; i++) {
			size_t at = m->order[i];
			__u32 cpu = CPU_SLOT_CPU(m->keys[at]);

			if (cpu < (__u32)m->ncpus)
				memcpy((char *)m->values + (size_t)cpu * m->stride,
				       (const char *)m->deltas + at * m->stride, m->stride);
		}
		err = fn(arg, slot, m->values);
		if (err < 0)
			return err;
	}
	return 0;
}
