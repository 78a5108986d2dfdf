// SPDX-License-Identifier: GPL-2.0
/* ui/damp.c: damping of the numbers on screen (see damp.h): the rule and the memory of
 * what each pane shows. */
#include <math.h>
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

const char *damp_text(struct damp_row *row, unsigned int col, double now, double floor,
		      const char *text, uint64_t frame, bool exact)
{
	if (col >= DAMP_COLUMNS)
		return text;
	if (row->moving && !exact && row->cells[col].frame)
		return row->cells[col].text;
	return damp_cell_text(&row->cells[col], now, floor, text, frame, exact);
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

const char *damp_spark(struct damp_row *row, const char *line, uint64_t frame, bool exact)
{
	if (!exact && row->moving && row->spark_frame)
		return row->spark;
	if (!exact && damp_keep(0, 0, 0, row->spark_frame, frame))
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
