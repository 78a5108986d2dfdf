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
	for (unsigned int i = 0; i < HIST_SLOTS; i++)
		dst->slot[i] += src->slot[i];
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

void table_reset(struct table *t)
{
	t->nrows = 0;
	t->dropped_rows = 0;
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

/* A row with its sort value computed once: comparisons need no context and no sums */
struct sort_item {
	double value;
	const char *name; /* when sorting by name */
	int name_order;	  /* 1 ascending, -1 descending */
	struct table_row row;
};

static int sort_item_compare(const void *a, const void *b)
{
	const struct sort_item *x = a, *y = b;

	if (x->name || y->name) {
		int order = x->name_order * strcmp(x->name ? x->name : "", y->name ? y->name : "");

		if (order)
			return order;
	} else if (x->value != y->value) {
		return x->value < y->value ? -1 : 1;
	}
	return x->row.key < y->row.key ? -1 : x->row.key > y->row.key;
}

void table_sort(struct table *t, unsigned int col, bool ascending, double interval_s)
{
	const struct table_column *c;
	struct sort_item *items;
	bool by_name;

	if (col >= t->schema->ncolumns || t->nrows < 2)
		return;
	c = &t->schema->columns[col];
	by_name = c->kind == COL_NAME;
	items = malloc(t->nrows * sizeof(*items));
	if (!items)
		return; /* unsorted is still every row */
	for (unsigned int i = 0; i < t->nrows; i++) {
		items[i].row = t->rows[i];
		items[i].name = by_name ? (t->rows[i].name ? t->rows[i].name : "") : NULL;
		items[i].name_order = ascending ? 1 : -1;
		/* a share orders its rows as its source column does: no column sum needed */
		items[i].value = by_name ? 0 :
				 c->kind == COL_SHARE ? (double)t->rows[i].v[c->src] :
				 table_column_value(t, &t->rows[i], col, interval_s);
		if (!ascending)
			items[i].value = -items[i].value;
	}
	qsort(items, t->nrows, sizeof(*items), sort_item_compare);
	for (unsigned int i = 0; i < t->nrows; i++)
		t->rows[i] = items[i].row;
	free(items);
}

struct steady_row {
	double bucket;
	unsigned int rank; /* position last shown, or past the end */
	struct table_row row;
};

static int steady_compare(const void *a, const void *b)
{
	const struct steady_row *x = a, *y = b;

	if (x->bucket != y->bucket)
		return x->bucket > y->bucket ? -1 : 1;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return x->row.key < y->row.key ? -1 : x->row.key > y->row.key;
}

void table_sort_steady(struct table *t, unsigned int col, bool ascending, double interval_s,
		       const uint64_t *prev, unsigned int nprev)
{
	struct steady_row *tmp;

	if (col >= t->schema->ncolumns || t->nrows < 2)
		return;
	if (t->schema->columns[col].kind == COL_NAME || !prev || nprev == 0 ||
	    !(tmp = malloc(t->nrows * sizeof(*tmp)))) {
		table_sort(t, col, ascending, interval_s);
		return;
	}
	for (unsigned int i = 0; i < t->nrows; i++) {
		double v = table_column_value(t, &t->rows[i], col, interval_s);

		tmp[i].bucket = v > 0 ? floor(log(v) / log(1.25)) : -1e9;
		if (ascending)
			tmp[i].bucket = -tmp[i].bucket;
		tmp[i].rank = nprev;
		for (unsigned int j = 0; j < nprev; j++)
			if (prev[j] == t->rows[i].key) {
				tmp[i].rank = j;
				break;
			}
		tmp[i].row = t->rows[i];
	}
	qsort(tmp, t->nrows, sizeof(*tmp), steady_compare);
	for (unsigned int i = 0; i < t->nrows; i++)
		t->rows[i] = tmp[i].row;
	free(tmp);
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
