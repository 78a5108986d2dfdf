// SPDX-License-Identifier: GPL-2.0
/* ui/damp.c: damping of the rows on screen (see damp.h): the rule and the memory of what
 * each pane shows, row by row. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "damp.h"

bool damp_keep(double shown, double now, double floor, uint64_t shown_frame, uint64_t frame)
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
	return change <= DAMP_TOLERANCE * fabs(shown) || change <= floor;
}

void damp_reset(struct damp_table *d)
{
	memset(d->rows, 0, sizeof(d->rows));
	memset(&d->count, 0, sizeof(d->count));
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
			 unsigned int n, const double *floor, bool has_spark, uint64_t frame)
{
	if (!row->frame || frame < row->frame || frame - row->frame >= DAMP_MAX_FRAMES)
		return false;
	if (row->ncells != n || row->has_spark != has_spark)
		return false;
	for (unsigned int c = 0; c < n; c++) {
		if (row->cells[c].number != now[c].number)
			return false;
		if (!now[c].number) {
			if (row->cells[c].hash != text_hash(now[c].text))
				return false;
		} else if (!row->moving && !damp_keep(row->cells[c].value, now[c].value,
						       floor ? floor[c] : 0, row->frame, frame)) {
			return false;
		}
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
	row->has_spark = spark != NULL;
	snprintf(row->spark, sizeof(row->spark), "%s", spark ? spark : "");
	row->frame = frame;
}

bool damp_row_decide(struct damp_row *row, const struct damp_draft *now, unsigned int n,
		     const double *floor, const char *spark, uint64_t frame, bool exact)
{
	row->kept = !exact && row_may_keep(row, now, n, floor, spark != NULL, frame);
	if (!row->kept)
		row_remember(row, now, n, spark, frame);
	return row->kept;
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

static bool passes(double x, double above, bool ascending)
{
	return ascending ? x * DAMP_ORDER_FACTOR < above : x > above * DAMP_ORDER_FACTOR;
}

void damp_order(const double *value, unsigned int *order, unsigned int n, bool ascending)
{
	for (unsigned int i = 1; i < n; i++) {
		unsigned int x = order[i], j = i;

		for (; j > 0 && passes(value[x], value[order[j - 1]], ascending); j--)
			order[j] = order[j - 1];
		order[j] = x;
	}
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
