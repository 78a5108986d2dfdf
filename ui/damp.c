// SPDX-License-Identifier: GPL-2.0
/* ui/damp.c: damping of the rows on screen (see damp.h): the rule and the memory of what
 * each pane shows, row by row. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "damp.h"

/* damp_keep with the relative change allowed: tolerance */
static bool keep_within(double shown, double now, double floor, double tolerance,
			uint64_t shown_frame, uint64_t frame)
{
	double change;

	if (shown_frame == 0 || frame < shown_frame || frame - shown_frame >= DAMP_MAX_FRAMES)
		return false;
	if (isnan(shown) || isnan(now))
		return false;
	if (shown == now)
		return true;
	/* something where there was nothing, or the other way round, is always news */
	if (shown == 0 || now == 0)
		return false;
	change = fabs(now - shown);
	return change <= tolerance * fabs(shown) || change <= floor;
}

bool damp_keep(double shown, double now, double floor, uint64_t shown_frame, uint64_t frame)
{
	return keep_within(shown, now, floor, DAMP_TOLERANCE, shown_frame, frame);
}

/* The most events a cell of now[] counted */
static double draft_events(const struct damp_draft *now, unsigned int n)
{
	double e = 0;

	for (unsigned int c = 0; c < n; c++)
		if (now[c].events > e)
			e = now[c].events;
	return e;
}

double damp_tolerance(double a, double b)
{
	double most = a > b ? a : b, chance;

	if (!(most > 0))
		return DAMP_TOLERANCE;
	chance = DAMP_NOISE * sqrt(a + b) / most;
	return chance > DAMP_TOLERANCE ? chance : DAMP_TOLERANCE;
}

void damp_reset(struct damp_table *d)
{
	memset(d->rows, 0, sizeof(d->rows));
	memset(&d->count, 0, sizeof(d->count));
}

struct damp_row *damp_row_find(struct damp_table *d, uint64_t key)
{
	for (unsigned int i = 0; i < DAMP_ROWS; i++)
		if (d->rows[i].seen && d->rows[i].key == key)
			return &d->rows[i];
	return NULL;
}

struct damp_row *damp_row(struct damp_table *d, uint64_t key, uint64_t frame)
{
	struct damp_row *oldest = &d->rows[0];

	for (unsigned int i = 0; i < DAMP_ROWS; i++) {
		struct damp_row *r = &d->rows[i];

		if (r->seen && r->key == key) {
			r->seen = frame;
			return r;
		}
		if (r->seen < oldest->seen)
			oldest = r;
	}
	memset(oldest, 0, sizeof(*oldest));
	oldest->key = key;
	oldest->seen = frame;
	return oldest;
}

/* FNV-1a: cells that are not numbers are compared, not remembered */
static uint64_t text_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h;
}

/* The rule at the top of damp.h, for the whole row: every cell must allow it */
static bool row_may_keep(const struct damp_row *row, const struct damp_draft *now,
			 unsigned int n, const double *floor, bool has_spark, uint64_t frame,
			 bool moving)
{
	double tolerance;

	if (!row->frame || frame < row->frame || frame - row->frame >= DAMP_MAX_FRAMES)
		return false;
	if (row->ncells != n || row->has_spark != has_spark)
		return false;
	tolerance = damp_tolerance(row->events, draft_events(now, n));
	for (unsigned int c = 0; c < n; c++) {
		double shown = row->cells[c].value, cell = tolerance;

		if (row->cells[c].number != now[c].number)
			return false;
		if (!now[c].number) {
			if (row->cells[c].hash != text_hash(now[c].text))
				return false;
			continue;
		}
		if (moving || now[c].passive)
			continue;
		/* a maximum: up to DAMP_EXTREME times it, or down to 1 / DAMP_EXTREME */
		if (now[c].extreme)
			cell = fmax(cell, now[c].value > shown ? DAMP_EXTREME - 1
							       : 1 - 1 / DAMP_EXTREME);
		if (!keep_within(shown, now[c].value, floor ? floor[c] : 0, cell, row->frame,
				 frame))
			return false;
	}
	return true;
}

/* The whole row as the newest frame draws it; when some part cannot be remembered, the
 * row remembers nothing and is drawn anew every frame */
static void row_remember(struct damp_row *row, const struct damp_draft *now, unsigned int n,
			 const char *spark, uint64_t frame)
{
	row->frame = 0;
	if (n > DAMP_COLUMNS || (spark && strlen(spark) >= sizeof(row->spark)))
		return;
	for (unsigned int c = 0; c < n; c++) {
		row->cells[c].number = now[c].number;
		row->cells[c].hash = text_hash(now[c].text);
		if (!now[c].number)
			continue;
		if (strlen(now[c].text) >= sizeof(row->cells[c].text))
			return;
		strcpy(row->cells[c].text, now[c].text);
		row->cells[c].value = now[c].value;
	}
	row->ncells = n;
	row->events = draft_events(now, n);
	row->has_spark = spark != NULL;
	snprintf(row->spark, sizeof(row->spark), "%s", spark ? spark : "");
	row->frame = frame;
}

bool damp_row_decide(struct damp_row *row, const struct damp_draft *now, unsigned int n,
		     const double *floor, const char *spark, uint64_t frame, bool exact)
{
	row->kept = !exact && row_may_keep(row, now, n, floor, spark != NULL, frame, row->moving);
	if (!row->kept)
		row_remember(row, now, n, spark, frame);
	return row->kept;
}

bool damp_row_keeps(const struct damp_row *row, const struct damp_draft *now, unsigned int n,
		    const double *floor, bool has_spark, uint64_t frame)
{
	return row_may_keep(row, now, n, floor, has_spark, frame, false);
}

const char *damp_row_text(const struct damp_row *row, unsigned int col, const char *now)
{
	if (!row->kept || col >= row->ncells || !row->cells[col].number)
		return now;
	return row->cells[col].text;
}

const char *damp_row_spark(const struct damp_row *row, const char *now)
{
	return row->kept && row->has_spark ? row->spark : now;
}

const char *damp_cell_text(struct damp_cell *c, double now, double floor, const char *text,
			   uint64_t frame, bool exact)
{
	if (!exact && damp_keep(c->value, now, floor, c->frame, frame))
		return c->text;
	if (strlen(text) >= sizeof(c->text)) {
		c->frame = 0;
		return text;
	}
	strcpy(c->text, text);
	c->value = now;
	c->frame = frame;
	return text;
}

/* The key rows are ordered by: larger first (the reciprocal when ascending); nothing
 * (NaN, negative) counts as zero */
static double order_key(double v, bool ascending)
{
	if (!(v > 0))
		v = 0;
	if (!ascending)
		return v;
	return v > 0 ? 1 / v : INFINITY;
}

/* What damp_arrange sorts its rows by: the key, largest first, then the steady order */
struct arrange_sort {
	const double *key;
	const unsigned int *rank;
};

static int arrange_compare(const void *a, const void *b, void *context)
{
	const struct arrange_sort *c = context;
	unsigned int i = *(const unsigned int *)a, j = *(const unsigned int *)b;

	if (c->key[i] != c->key[j])
		return c->key[i] > c->key[j] ? -1 : 1;
	return c->rank[i] < c->rank[j] ? -1 : c->rank[i] > c->rank[j];
}

/* The lingering row from the furthest line below p not placed yet, or m */
static unsigned int furthest_lingering(const unsigned int *linger, const bool *placed,
				       unsigned int m, unsigned int p)
{
	unsigned int below = m;

	for (unsigned int j = 0; j < m; j++)
		if (!placed[j] && linger[j] > p && (below == m || linger[j] > linger[below]))
			below = j;
	return below;
}

unsigned int damp_arrange(const double *value, const unsigned int *was,
			  const unsigned int *steady, unsigned int n, bool ascending,
			  const unsigned int *linger, unsigned int m, unsigned int lines,
			  unsigned int *out)
{
	bool *placed = calloc(n ? n : 1, sizeof(*placed));
	unsigned int *at = malloc((lines ? lines : 1) * sizeof(*at)); /* who was on each line */
	double *key = malloc((n ? n : 1) * sizeof(*key));
	bool *placed_linger = calloc(m ? m : 1, sizeof(*placed_linger));
	unsigned int *rank = malloc((n ? n : 1) * sizeof(*rank));
	unsigned int *by_key = malloc((n ? n : 1) * sizeof(*by_key));
	unsigned int count = 0, left = n, head = 0;

	if (!placed || !at || !key || !placed_linger || !rank || !by_key) {
		memcpy(out, steady, n * sizeof(*out)); /* the steady order is an order too */
		count = n;
		goto out;
	}
	for (unsigned int p = 0; p < lines; p++)
		at[p] = UINT_MAX;
	for (unsigned int s = 0; s < n; s++) {
		rank[steady[s]] = s;
		by_key[s] = steady[s];
	}
	for (unsigned int i = 0; i < n; i++) {
		key[i] = order_key(value[i], ascending);
		if (was[i] < lines)
			at[was[i]] = i;
	}
	qsort_r(by_key, n, sizeof(*by_key), arrange_compare,
		&(struct arrange_sort){ key, rank });
	for (unsigned int j = 0; j < m; j++)
		if (linger[j] < lines)
			at[linger[j]] = n + j;
	for (unsigned int p = 0; left || p < lines; p++) {
		unsigned int who = p < lines ? at[p] : UINT_MAX, top, next, pick = UINT_MAX;
		unsigned int free_pick = UINT_MAX, far = UINT_MAX;
		double most, second;

		if (!left) { /* every row placed: the lingering rows under them stay */
			if (who != UINT_MAX && who >= n && !placed_linger[who - n]) {
				placed_linger[who - n] = true;
				out[count++] = who;
			} else if (who == UINT_MAX || who < n) {
				/* a line left empty: the lingering row from the furthest line
				 * below takes it, not every one under it a line up */
				unsigned int j = furthest_lingering(linger, placed_linger, m, p);

				if (j < m) {
					placed_linger[j] = true;
					out[count++] = n + j;
				}
			}
			continue;
		}
		/* the two largest keys left: a row may go here only if every row left could
		 * go under it, the largest of the others being at most F times its key */
		while (placed[by_key[head]])
			head++;
		top = by_key[head];
		most = key[top];
		for (next = head + 1; next < n && placed[by_key[next]]; next++)
			;
		second = next < n ? key[by_key[next]] : -1;
#define FITS(i) (key[i] * DAMP_ORDER_FACTOR >= ((i) == top ? second : most))
		/* the row that was on this line stays on it */
		if (who < n && !placed[who] && FITS(who))
			pick = who;
		/* or a row without a line below: new, or moved off its line above, the
		 * largest first (in the steady order among equals); or the row from the
		 * furthest line below that fits, so that the lines between keep theirs. The
		 * rows that fit are the first ones by key */
		for (unsigned int k = head; pick == UINT_MAX && k < n; k++) {
			unsigned int i = by_key[k];

			if (placed[i])
				continue;
			if (!FITS(i))
				break;
			if (was[i] >= lines || was[i] < p) {
				if (free_pick == UINT_MAX)
					free_pick = i;
			} else if (far == UINT_MAX || was[i] > was[far]) {
				far = i;
			}
		}
#undef FITS
		/* a lingering row keeps its line, unless a row without one takes it */
		if (pick == UINT_MAX && who != UINT_MAX && who >= n && free_pick == UINT_MAX) {
			placed_linger[who - n] = true;
			out[count++] = who;
			continue;
		}
		if (pick == UINT_MAX)
			pick = free_pick != UINT_MAX ? free_pick : far != UINT_MAX ? far : top;
		placed[pick] = true;
		left--;
		out[count++] = pick;
	}
out:
	free(placed);
	free(at);
	free(key);
	free(placed_linger);
	free(rank);
	free(by_key);
	return count;
}

bool damp_lingers(uint64_t counted, uint64_t frame)
{
	return counted && frame > counted && frame - counted <= DAMP_LINGER_FRAMES;
}

void damp_linger(const unsigned int *order, unsigned int n, const unsigned int *lingering,
		 const unsigned int *line, unsigned int m, unsigned int *out)
{
	unsigned int i = 0, j = 0;

	while (i < n || j < m) {
		if (j < m && (i == n || line[j] <= i + j)) {
			out[i + j] = lingering[j];
			j++;
		} else {
			out[i + j] = order[i];
			i++;
		}
	}
}

bool damp_moves_along(const uint64_t *before, unsigned int nbefore, const uint64_t *now,
		      unsigned int n, unsigned int i)
{
	unsigned int j = 0;

	if (i >= n)
		return false;
	while (j < nbefore && before[j] != now[i])
		j++;
	if (j == nbefore || j == i)
		return false;
	return (i > 0 && j > 0 && now[i - 1] == before[j - 1]) ||
	       (i + 1 < n && j + 1 < nbefore && now[i + 1] == before[j + 1]);
}

unsigned int damp_side_age(const uint64_t *seq, unsigned int n, uint64_t last,
			   unsigned int every)
{
	unsigned int shown = UINT_MAX;

	for (unsigned int age = 0; every > 1 && age < every && age < n; age++) {
		if (seq[age] == last && shown == UINT_MAX)
			shown = age;
		if (seq[age] % every == 0)
			return shown < age ? shown : age;
	}
	return shown != UINT_MAX ? shown : 0;
}

double damp_side_seconds(unsigned long focused, unsigned long others)
{
	double s = DAMP_SIDE_SECONDS;

	if (focused && others > focused)
		s *= (double)others / (double)focused;
	return s < DAMP_SIDE_MAX_SECONDS ? s : DAMP_SIDE_MAX_SECONDS;
}
