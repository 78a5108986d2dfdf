/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ui/layout.h: where the panes of the main screen go. On a wide terminal the panes stand in
 * columns side by side; in each column the lines are shared by what each pane has to show,
 * the focused pane getting a larger share. A pane that cannot get a useful height is folded
 * to its title line (with a one-line summary), so every pane stays on screen. Curses-free,
 * so the rule is unit-tested.
 */
#ifndef KTOP_UI_LAYOUT_H
#define KTOP_UI_LAYOUT_H

#include <stdbool.h>
#include <stdint.h>

#define LAYOUT_COLUMN_WIDTH 100 /* cells per column of panes, the gap included */
#define LAYOUT_MAX_COLUMNS 3
#define LAYOUT_GAP 1            /* blank cells between two columns */
#define LAYOUT_USEFUL 12        /* lines an open pane should get (title, header, 10 rows) */
#define LAYOUT_FOCUS_WEIGHT 1.5 /* the focused pane's share against another's */
#define LAYOUT_OPEN_MIN 3       /* title, column header and one row */
#define LAYOUT_SHRINK_FRAMES 60 /* a pane's height comes down after its rows fit in half of
				 * it for this many frames */

struct layout_box {
	int x, y, width, height;
};

struct layout_pane {
	unsigned int rows; /* in: rows it has to show (see layout_rows_step) */
	bool focused;      /* in */
	struct layout_box box; /* out: height 1 is its title line only (folded) */
};

/*
 * rows rounded up to a step of a rough 1.5x scale (0 1 2 3 4 6 8 12 16 24 ...): the layout
 * moves when a pane's rows change by a step, not by every row that comes and goes, since
 * every move repaints the panes that move
 */
unsigned int layout_rows_step(unsigned int rows);

/* The rows a pane's height is given for, and the newest frame that needed more than half */
struct layout_memory {
	unsigned int rows;
	uint64_t need_seq;
};

/*
 * The rows a pane's height is given for, m remembering, when in the frames up to seq it had
 * wanted rows at most: up at once to the step of wanted when they outgrow it; down to it
 * only once they have fit in half of it for LAYOUT_SHRINK_FRAMES frames, so that rows that
 * come and go now and then (processes living a second, a late timer every few seconds) do
 * not move the panes in and out, each move repainting every pane that moves
 */
unsigned int layout_rows_follow(struct layout_memory *m, unsigned int wanted, uint64_t seq);
/*
 * Place n panes in area: columns of at least LAYOUT_COLUMN_WIDTH cells side by side (the
 * panes, in order, split where the columns' lines wanted are most even), heights in each
 * column as the top of this file says. Returns the number of columns, or 0 when the area
 * cannot hold every pane's title line and the focused pane (then nothing is placed).
 */
unsigned int layout_place(struct layout_pane *p, unsigned int n, struct layout_box area);

#endif
