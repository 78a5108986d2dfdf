// SPDX-License-Identifier: GPL-2.0
/* core/delta.c: per-interval deltas from cumulative counters (see delta.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "delta.h"

static int entry_compare(const void *a, const void *b)
{
	const struct delta_entry *x = a, *y = b;

	return x->key < y->key ? -1 : x->key > y->key;
}

static int delta_grow(struct delta_set *d)
{
	size_t cap = d->capacity ? d->capacity * 2 : 256;
	struct delta_entry *p = realloc(d->prev, cap * sizeof(*p));
	struct delta_entry *c;

	if (!p)
		return -ENOMEM;
	d->prev = p;
	c = realloc(d->cur, cap * sizeof(*c));
	if (!c)
		return -ENOMEM;
	d->cur = c;
	d->capacity = cap;
	return 0;
}

/* Room for one more entry in diff */
static bool diff_room(struct delta_set *d)
{
	size_t cap = d->diff_capacity ? d->diff_capacity * 2 : 64;
	struct delta_entry *f;

	if (d->ndiff < d->diff_capacity)
		return true;
	f = realloc(d->diff, cap * sizeof(*f));
	if (!f)
		return false;
	d->diff = f;
	d->diff_capacity = cap;
	return true;
}

int delta_push_tagged(struct delta_set *d, uint64_t key, const uint64_t v[DELTA_VALUES],
		      uint64_t tag)
{
	if (d->ncur == d->capacity && delta_grow(d) < 0)
		return -ENOMEM;
	d->cur[d->ncur].key = key;
	memcpy(d->cur[d->ncur].v, v, sizeof(d->cur[0].v));
	d->cur[d->ncur].tag = tag;
	d->ncur++;
	return 0;
}

int delta_push(struct delta_set *d, uint64_t key, const uint64_t v[DELTA_VALUES])
{
	return delta_push_tagged(d, key, v, 0);
}

size_t delta_finish(struct delta_set *d)
{
	struct delta_entry *tmp;
	size_t j = 0;

	if (d->ncur) /* cur is NULL until the first push */
		qsort(d->cur, d->ncur, sizeof(*d->cur), entry_compare);
	d->ndiff = 0;
	for (size_t i = 0; i < d->ncur; i++) {
		const struct delta_entry *c = &d->cur[i];
		const struct delta_entry *p = NULL;
		struct delta_entry out = { .key = c->key, .tag = c->tag };
		bool grew = false;

		while (j < d->nprev && d->prev[j].key < c->key)
			j++;
		if (j < d->nprev && d->prev[j].key == c->key)
			p = &d->prev[j];
		if (p && c->v[0] < p->v[0])
			p = NULL; /* recreated: count from zero */
		for (int k = 0; k < DELTA_VALUES; k++) {
			out.v[k] = p && c->v[k] >= p->v[k] ? c->v[k] - p->v[k] : (p ? 0 : c->v[k]);
			grew |= out.v[k] != 0;
		}
		if (grew && diff_room(d))
			d->diff[d->ndiff++] = out;
	}
	/* this tick becomes the previous one; the next push starts a new tick */
	tmp = d->prev;
	d->prev = d->cur;
	d->cur = tmp;
	d->nprev = d->ncur;
	d->ncur = 0;
	return d->ndiff;
}

static int top_compare(const void *a, const void *b, void *value)
{
	const struct delta_entry *x = a, *y = b;
	unsigned int k = *(const unsigned int *)value;

	if (x->v[k] != y->v[k])
		return x->v[k] > y->v[k] ? -1 : 1;
	return x->key < y->key ? -1 : x->key > y->key;
}

size_t delta_top(struct delta_set *d, size_t n, unsigned int value, size_t max,
		 size_t *nonzero_out)
{
	size_t nonzero = 0;

	if (nonzero_out)
		*nonzero_out = 0;
	if (value >= DELTA_VALUES || n > d->ndiff)
		return 0;
	/* the non-zero ones first, in place: on a quiet machine that is all it takes */
	for (size_t i = 0; i < n; i++)
		if (d->diff[i].v[value]) {
			struct delta_entry e = d->diff[i];

			d->diff[i] = d->diff[nonzero];
			d->diff[nonzero++] = e;
		}
	if (nonzero_out)
		*nonzero_out = nonzero;
	if (nonzero <= max)
		return nonzero;
	if (max == 0)
		return 0;
	qsort_r(d->diff, nonzero, sizeof(*d->diff), top_compare, &value);
	return max;
}

void delta_reset(struct delta_set *d)
{
	d->nprev = d->ncur = d->ndiff = 0;
}

void delta_free(struct delta_set *d)
{
	free(d->prev);
	free(d->cur);
	free(d->diff);
	memset(d, 0, sizeof(*d));
}
