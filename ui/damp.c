// SPDX-License-Identifier: GPL-2.0
/* ui/damp.c: damping of the numbers on screen (see damp.h): the rule and the memory of
 * what each pane shows. */
#include <math.h>
#include <string.h>

#include "damp.h"

bool damp_keep(double shown, double now, uint64_t shown_frame, uint64_t frame)
{
	if (shown_frame == 0 || frame < shown_frame || frame - shown_frame >= DAMP_MAX_FRAMES)
		return false;
	if (isnan(shown) || isnan(now))
		return false;
	if (shown == now)
		return true;
	return fabs(now - shown) <= DAMP_TOLERANCE * fabs(shown);
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

const char *damp_text(struct damp_row *row, unsigned int col, double now, const char *text,
		      uint64_t frame, bool exact)
{
	if (col >= DAMP_COLUMNS)
		return text;
	return damp_cell_text(&row->cells[col], now, text, frame, exact);
}

const char *damp_cell_text(struct damp_cell *c, double now, const char *text, uint64_t frame,
			   bool exact)
{
	if (!exact && damp_keep(c->value, now, c->frame, frame))
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

const char *damp_spark(struct damp_row *row, const char *line, uint64_t frame, bool exact)
{
	if (!exact && damp_keep(0, 0, row->spark_frame, frame))
		return row->spark;
	if (strlen(line) >= sizeof(row->spark)) {
		row->spark_frame = 0;
		return line;
	}
	strcpy(row->spark, line);
	row->spark_frame = frame;
	return line;
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
