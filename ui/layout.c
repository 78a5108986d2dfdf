// SPDX-License-Identifier: GPL-2.0
/*
 * ui/layout.c: the columns and heights of the main screen's panes (see layout.h).
 *
 * In a column, every pane that has rows wants its rows plus two lines (title and column
 * header); a pane with nothing to show wants its title line alone, which says so. When the
 * wants do not fit, the lines are shared as water fills vessels: each open pane gets the
 * same level, the focused pane LAYOUT_FOCUS_WEIGHT times it, none more than it wants. While
 * an open pane then gets less than a useful height, the last open pane of the column that is
 * not focused is folded to its title line: the order of [general] panes is the order of
 * importance. Lines left over go back to folded panes that fit whole, then to the focused
 * pane (room to grow into without moving the others).
 */
#include <math.h>
#include <string.h>

#include "layout.h"

#define LAYOUT_MAX_PANES 32

unsigned int layout_rows_step(unsigned int rows)
{
	unsigned int step = 4;

	if (rows <= 4)
		return rows;
	/* 6 8 12 16 24 32 ...: each step is 1.5x or 1.33x the one before */
	for (;;) {
		if (rows <= step + step / 2)
			return step + step / 2;
		if (rows <= step * 2)
			return step * 2;
		step *= 2;
	}
}

unsigned int layout_rows_follow(struct layout_memory *m, unsigned int wanted, uint64_t seq)
{
	if (wanted > m->rows / 2 || seq < m->need_seq)
		m->need_seq = seq;
	if (wanted > m->rows || seq >= m->need_seq + LAYOUT_SHRINK_FRAMES) {
		m->rows = layout_rows_step(wanted);
		m->need_seq = seq;
	}
	return m->rows;
}

static int pane_want(const struct layout_pane *p)
{
	int want = p->rows ? (int)p->rows + 2 : 1;

	return p->focused && want < LAYOUT_OPEN_MIN ? LAYOUT_OPEN_MIN : want;
}

static double pane_weight(const struct layout_pane *p)
{
	return p->focused ? LAYOUT_FOCUS_WEIGHT : 1.0;
}

/* Shares of budget lines among the open panes, each capped at what it wants; folded: 1 */
static void column_shares(const struct layout_pane *p, unsigned int n, const bool *open,
			  double budget, double *share)
{
	bool capped[LAYOUT_MAX_PANES];

	for (unsigned int i = 0; i < n; i++) {
		capped[i] = !open[i];
		share[i] = open[i] ? 0 : 1;
	}
	for (;;) {
		double weights = 0, level;
		bool changed = false;

		for (unsigned int i = 0; i < n; i++)
			if (!capped[i])
				weights += pane_weight(&p[i]);
		if (weights == 0)
			return;
		level = budget / weights;
		for (unsigned int i = 0; i < n; i++)
			if (!capped[i] && pane_weight(&p[i]) * level >= pane_want(&p[i])) {
				capped[i] = true;
				share[i] = pane_want(&p[i]);
				budget -= share[i];
				changed = true;
			}
		if (changed)
			continue;
		for (unsigned int i = 0; i < n; i++)
			if (!capped[i])
				share[i] = pane_weight(&p[i]) * level;
		return;
	}
}

/* Which panes of a column stay open, and their shares of its lines */
static void column_open(const struct layout_pane *p, unsigned int n, int lines, bool *open,
			double *share)
{
	double useful = LAYOUT_USEFUL < lines / 2 ? LAYOUT_USEFUL : lines / 2;
	double left;

	for (unsigned int i = 0; i < n; i++)
		open[i] = p[i].rows > 0 || p[i].focused;
	for (;;) {
		unsigned int folded = 0;
		bool starving = false;
		int victim = -1;

		for (unsigned int i = 0; i < n; i++)
			folded += !open[i];
		column_shares(p, n, open, lines - (double)folded, share);
		for (unsigned int i = 0; i < n; i++) {
			double enough = pane_want(&p[i]) < useful ? pane_want(&p[i]) : useful;

			if (open[i] && (share[i] < enough - 1e-9 || share[i] < LAYOUT_OPEN_MIN))
				starving = true;
			if (open[i] && !p[i].focused)
				victim = (int)i;
		}
		if (!starving || victim < 0)
			break;
		open[victim] = false;
	}
	/* every open pane has all it wants: folded panes that fit whole open again */
	left = lines;
	for (unsigned int i = 0; i < n; i++)
		left -= share[i];
	for (unsigned int i = 0; i < n; i++)
		if (!open[i] && p[i].rows && pane_want(&p[i]) - 1 <= left + 1e-9) {
			open[i] = true;
			share[i] = pane_want(&p[i]);
			left -= share[i] - 1;
		}
}

/* Heights of the panes of one column, top to bottom in col */
static void column_place(struct layout_pane *p, unsigned int n, struct layout_box col)
{
	bool open[LAYOUT_MAX_PANES];
	double share[LAYOUT_MAX_PANES];
	int h[LAYOUT_MAX_PANES], used = 0, grow = -1, y = col.y;

	column_open(p, n, col.height, open, share);
	for (unsigned int i = 0; i < n; i++) {
		h[i] = open[i] ? (int)floor(share[i] + 1e-9) : 1;
		used += h[i];
	}
	/* the lines rounding left: to the open panes cut shortest, by their fractions */
	while (used < col.height) {
		int best = -1;
		double frac = 0;

		for (unsigned int i = 0; i < n; i++) {
			double f = share[i] - h[i];

			if (open[i] && h[i] < pane_want(&p[i]) && f > frac + 1e-9)
				best = (int)i, frac = f;
		}
		if (best < 0)
			break;
		h[best]++;
		used++;
	}
	/* still some left: the focused pane grows, else the open pane that wants most */
	for (unsigned int i = 0; i < n; i++)
		if (open[i] && (grow < 0 || p[i].focused ||
				(!p[grow].focused && pane_want(&p[i]) > pane_want(&p[grow]))))
			grow = (int)i;
	if (grow >= 0 && used < col.height)
		h[grow] += col.height - used;
	for (unsigned int i = 0; i < n; i++) {
		p[i].box = (struct layout_box){ col.x, y, col.width, h[i] };
		y += h[i];
	}
}

/* Lines the panes [from, to) want in all */
static int wants(const struct layout_pane *p, unsigned int from, unsigned int to)
{
	int sum = 0;

	for (unsigned int i = from; i < to; i++)
		sum += pane_want(&p[i]);
	return sum;
}

static int max3(int a, int b, int c)
{
	return a > b ? (a > c ? a : c) : (b > c ? b : c);
}

/* Where columns 2 and 3 start: the split whose fullest column wants the least */
static void columns_split(const struct layout_pane *p, unsigned int n, unsigned int k,
			  unsigned int *start)
{
	int best = -1;

	start[0] = 0;
	start[1] = start[2] = n;
	for (unsigned int a = 1; k >= 2 && a < n; a++) {
		for (unsigned int b = k == 3 ? a + 1 : n; b <= n; b++) {
			int cost;

			if (k == 3 && b >= n)
				break;
			cost = max3(wants(p, 0, a), wants(p, a, b), wants(p, b, n));
			if (best < 0 || cost < best) {
				best = cost;
				start[1] = a;
				start[2] = b;
			}
		}
	}
	start[k] = n;
}

unsigned int layout_place(struct layout_pane *p, unsigned int n, struct layout_box area)
{
	unsigned int k = (unsigned int)(area.width / LAYOUT_COLUMN_WIDTH);
	unsigned int start[LAYOUT_MAX_COLUMNS + 1];
	int x = area.x, width;

	if (n == 0 || n > LAYOUT_MAX_PANES)
		return 0;
	if (k > LAYOUT_MAX_COLUMNS)
		k = LAYOUT_MAX_COLUMNS;
	if (k > n)
		k = n;
	if (k < 1)
		k = 1;
	columns_split(p, n, k, start);
	/* each column holds every title line, and the focused pane open */
	for (unsigned int c = 0; c < k; c++) {
		int need = (int)(start[c + 1] - start[c]);

		for (unsigned int i = start[c]; i < start[c + 1]; i++)
			need += p[i].focused ? LAYOUT_OPEN_MIN - 1 : 0;
		if (need > area.height)
			return 0;
	}
	width = (area.width - (int)(k - 1) * LAYOUT_GAP) / (int)k;
	for (unsigned int c = 0; c < k; c++) {
		struct layout_box col = { x, area.y, width, area.height };

		if (c == k - 1)
			col.width = area.x + area.width - x;
		column_place(p + start[c], start[c + 1] - start[c], col);
		x += width + LAYOUT_GAP;
	}
	return k;
}
