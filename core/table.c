// SPDX-License-Identifier: GPL-2.0
/* core/table.c: rows, histograms and column values of the sample buffer's tables. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "table.h"

unsigned int hist_slot(uint64_t ns)
{
	unsigned int slot = 0;

	while (ns > 1 && slot < HIST_SLOTS - 1) {
		ns >>= 1;
		slot++;
	}
	return slot;
}

uint64_t hist_slot_floor(unsigned int slot)
{
	return slot == 0 ? 0 : (uint64_t)1 << slot;
}

uint64_t hist_total(const struct hist *h)
{
	uint64_t n = 0;

	for (unsigned int i = 0; i < HIST_SLOTS; i++)
		n += h->slot[i];
	return n;
}

uint64_t hist_quantile(const struct hist *h, double q)
{
	uint64_t total = hist_total(h), seen = 0;
	double want;

	if (total == 0)
		return 0;
	if (q < 0)
		q = 0;
	if (q > 1)
		q = 1;
	want = q * (double)total;
	for (unsigned int i = 0; i < HIST_SLOTS; i++) {
		if (h->slot[i] == 0)
			continue;
		if ((double)(seen + h->slot[i]) >= want) {
			uint64_t lo = hist_slot_floor(i), hi = (uint64_t)1 << (i + 1);
			double within = (want - (double)seen) / h->slot[i];

			return lo + (uint64_t)(within * (double)(hi - lo));
		}
		seen += h->slot[i];
	}
	return (uint64_t)1 << HIST_SLOTS;
}

void hist_add(struct hist *dst, const struct hist *src)
{
	hist_add_u32(dst, src->slot);
}

void hist_add_u32(struct hist *h, const uint32_t *slots)
{
	for (unsigned int i = 0; h && slots && i < HIST_SLOTS; i++)
		h->slot[i] += slots[i];
}

struct table_row *table_add_row(struct table *t, uint64_t key)
{
	struct table_row *r;

	if (t->nrows == t->capacity) {
		/* most tables hold a handful of rows, in every one of hundreds of frames */
		unsigned int cap = t->capacity ? t->capacity * 2 : 8;
		struct table_row *rows = realloc(t->rows, cap * sizeof(*rows));

		if (!rows) {
			errno = ENOMEM;
			return NULL;
		}
		t->rows = rows;
		t->capacity = cap;
	}
	r = &t->rows[t->nrows++];
	memset(r, 0, sizeof(*r));
	r->key = key;
	r->hist[0] = r->hist[1] = -1;
	return r;
}

struct table_row *table_find_row(const struct table *t, uint64_t key)
{
	for (unsigned int i = 0; i < t->nrows; i++)
		if (t->rows[i].key == key)
			return &t->rows[i];
	return NULL;
}

int table_keyed_start(struct table_keyed *k, struct table *t)
{
	hash_index_clear(&k->ix);
	k->t = t;
	for (unsigned int i = 0; i < t->nrows; i++)
		if (hash_index_put(&k->ix, hash_mix(t->rows[i].key), i) < 0)
			return -ENOMEM;
	return 0;
}

struct table_row *table_keyed_find(const struct table_keyed *k, uint64_t key)
{
	struct table *t = k->t;
	size_t slot = SIZE_MAX;
	uint32_t at;

	while (hash_index_next(&k->ix, hash_mix(key), &slot, &at))
		if (at < t->nrows && t->rows[at].key == key)
			return &t->rows[at];
	return NULL;
}

struct table_row *table_keyed_row(struct table_keyed *k, uint64_t key, bool *added)
{
	struct table *t = k->t;
	struct table_row *r = table_keyed_find(k, key);

	*added = false;
	if (r)
		return r;
	if (!table_add_row(t, key))
		return NULL;
	if (hash_index_put(&k->ix, hash_mix(key), t->nrows - 1) < 0) {
		t->nrows--;
		return NULL;
	}
	*added = true;
	return &t->rows[t->nrows - 1];
}

void table_keyed_free(struct table_keyed *k)
{
	hash_index_free(&k->ix);
	k->t = NULL;
}

void table_reset(struct table *t)
{
	t->nrows = 0;
	t->dropped_rows = 0;
	t->title = NULL;
}

const char *table_title(const struct table *t)
{
	return t->title ? t->title : t->schema->title;
}

void table_free(struct table *t)
{
	free(t->rows);
	t->rows = NULL;
	t->nrows = t->capacity = 0;
}

static double column_sum(const struct table *t, unsigned int src)
{
	double sum = 0;

	for (unsigned int i = 0; i < t->nrows; i++)
		sum += (double)t->rows[i].v[src];
	return sum;
}

double table_column_value(const struct table *t, const struct table_row *r, unsigned int col,
			  double interval_s)
{
	const struct table_column *c = &t->schema->columns[col];
	double v = (double)r->v[c->src];

	switch (c->kind) {
	case COL_NAME:
	case COL_ID:
	case COL_DURATION:
	case COL_AGE:
	case COL_CPUS:
	case COL_TEXT_VALUE:
		return v;
	case COL_COUNT:
	case COL_TIME:
		return interval_s > 0 ? v / interval_s : v;
	case COL_CPU_PCT:
		return interval_s > 0 ? 100.0 * v / (interval_s * 1e9) : 0;
	case COL_AVERAGE:
		return r->v[c->den] ? v / (double)r->v[c->den] : 0;
	case COL_SHARE: {
		double sum = column_sum(t, c->src);

		return sum > 0 ? 100.0 * v / sum : 0;
	}
	}
	return v;
}

void table_column_values(const struct table *t, unsigned int col, double interval_s,
			 double *value)
{
	const struct table_column *c = &t->schema->columns[col];
	double sum = c->kind == COL_SHARE ? column_sum(t, c->src) : 0;

	for (unsigned int i = 0; i < t->nrows; i++) {
		const struct table_row *r = &t->rows[i];

		if (c->kind == COL_SHARE)
			value[i] = sum > 0 ? 100.0 * (double)r->v[c->src] / sum : 0;
		else
			value[i] = table_column_value(t, r, col, interval_s);
	}
}

/* What an index sort compares: the context qsort_r passes, so that no sort shares state */
struct order_context {
	const struct table *t;
	const double *key;	  /* per row, smaller first; NULL: by name */
	const unsigned int *rank; /* per row, steady sorts: position last shown; else NULL */
	bool label;		  /* by name: the row's label, not its name */
	int name_order;		  /* by name: 1 ascending, -1 descending */
};

static int order_compare(const void *a, const void *b, void *arg)
{
	const struct order_context *ctx = arg;
	unsigned int i = *(const unsigned int *)a, j = *(const unsigned int *)b;
	const struct table_row *x = &ctx->t->rows[i], *y = &ctx->t->rows[j];

	if (!ctx->key) {
		const char *p = ctx->label ? x->label : x->name, *q = ctx->label ? y->label : y->name;
		int order = ctx->name_order * strcmp(p ? p : "", q ? q : "");

		if (order)
			return order;
	} else if (ctx->key[i] != ctx->key[j]) {
		return ctx->key[i] < ctx->key[j] ? -1 : 1;
	}
	if (ctx->rank && ctx->rank[i] != ctx->rank[j])
		return ctx->rank[i] < ctx->rank[j] ? -1 : 1;
	return x->key < y->key ? -1 : x->key > y->key;
}

/*
 * The order of t's rows into order[]: by column col, steady on prev when rank is wanted
 * (prev may be NULL). Each row's sort key is computed once, before qsort_r.
 */
static int order_rows(const struct table *t, unsigned int col, bool ascending, double interval_s,
		      const uint64_t *prev, unsigned int nprev, unsigned int *order)
{
	const struct table_column *c;
	struct order_context ctx = { .t = t, .name_order = ascending ? 1 : -1 };
	double *key = NULL;
	unsigned int *rank = NULL;
	int err = 0;

	for (unsigned int i = 0; i < t->nrows; i++)
		order[i] = i;
	if (col >= t->schema->ncolumns || t->nrows < 2)
		return 0;
	c = &t->schema->columns[col];
	if (c->kind == COL_NAME) {
		ctx.label = c->src != 0;
	} else {
		key = malloc(t->nrows * sizeof(*key));
		rank = prev && nprev ? malloc(t->nrows * sizeof(*rank)) : NULL;
		if (!key || (prev && nprev && !rank)) {
			err = -ENOMEM; /* unsorted is still every row */
			goto out;
		}
		table_column_values(t, col, interval_s, key);
		for (unsigned int i = 0; i < t->nrows; i++) {
			/* steady: rows within the same step of a 1.25x log scale tie */
			if (rank)
				key[i] = key[i] > 0 ? floor(log(key[i]) / log(1.25)) : -1e9;
			if (!ascending)
				key[i] = -key[i];
		}
		for (unsigned int i = 0; rank && i < t->nrows; i++) {
			rank[i] = nprev;
			for (unsigned int j = 0; j < nprev; j++)
				if (prev[j] == t->rows[i].key) {
					rank[i] = j;
					break;
				}
		}
		ctx.key = key;
		ctx.rank = rank;
	}
	qsort_r(order, t->nrows, sizeof(*order), order_compare, &ctx);
out:
	free(key);
	free(rank);
	return err;
}

int table_order(const struct table *t, unsigned int col, bool ascending, double interval_s,
		unsigned int *order)
{
	return order_rows(t, col, ascending, interval_s, NULL, 0, order);
}

int table_order_steady(const struct table *t, unsigned int col, bool ascending,
		       double interval_s, const uint64_t *prev, unsigned int nprev,
		       unsigned int *order)
{
	return order_rows(t, col, ascending, interval_s, prev, nprev, order);
}

void table_sort(struct table *t, unsigned int col, bool ascending, double interval_s)
{
	unsigned int *order;
	struct table_row *rows;

	if (t->nrows < 2)
		return;
	order = malloc(t->nrows * sizeof(*order));
	rows = malloc(t->nrows * sizeof(*rows));
	if (order && rows && table_order(t, col, ascending, interval_s, order) == 0) {
		for (unsigned int i = 0; i < t->nrows; i++)
			rows[i] = t->rows[order[i]];
		memcpy(t->rows, rows, t->nrows * sizeof(*rows));
	}
	free(order);
	free(rows);
}

void table_keep(struct table *t, unsigned int max)
{
	if (t->nrows <= max)
		return;
	table_sort(t, t->schema->sort_column, false, 1.0);
	t->dropped_rows += t->nrows - max;
	t->nrows = max;
}

void table_trim(struct table *t)
{
	if (t->schema->max_rows)
		table_keep(t, t->schema->max_rows);
}

int table_column_index(const struct table_schema *s, const char *id)
{
	for (unsigned int i = 0; i < s->ncolumns; i++)
		if (strcmp(s->columns[i].id, id) == 0)
			return (int)i;
	return -1;
}
