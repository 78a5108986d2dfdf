/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ui/damp.h: damping of the numbers on screen. A number a pane shows is sent to the
 * terminal again only when it moved by more than DAMP_TOLERANCE from what is on screen (or
 * by more than DAMP_FLOOR of the largest number of its column on screen, whichever is
 * more), when it turned zero or non-zero, or when what is on screen is DAMP_MAX_FRAMES
 * frames old: a low rate that wobbles every second costs no bytes until it means
 * something, and the numbers that rank high stay within DAMP_TOLERANCE. Curses-free, so
 * the rule is unit-tested.
 */
#ifndef KTOP_UI_DAMP_H
#define KTOP_UI_DAMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DAMP_TOLERANCE 0.25 /* relative change that is drawn at once */
#define DAMP_FLOOR 0.02     /* ... or change relative to the largest of the column */
#define DAMP_MAX_FRAMES 10  /* frames a damped number may stay on screen */
#define DAMP_ROWS 64        /* rows remembered per pane */
#define DAMP_COLUMNS 16     /* columns remembered per row */
#define DAMP_TEXT 16        /* longest text remembered; longer is always drawn */
#define DAMP_SPARK 40       /* longest sparkline remembered */
#define DAMP_ORDER_FACTOR 2.0 /* how much more a row must have to pass the row above it */
#define DAMP_LINGER_FRAMES 3 /* frames a row that had nothing to count keeps its line */

/* True when a cell showing shown since frame shown_frame may keep it in frame frame,
 * the value now being now; floor: a change this small is kept whatever its ratio */
bool damp_keep(double shown, double now, double floor, uint64_t shown_frame, uint64_t frame);

struct damp_cell {
	uint64_t frame; /* when text was drawn; 0 = nothing remembered */
	double value;
	char text[DAMP_TEXT];
};

struct damp_row {
	uint64_t key;
	uint64_t seen; /* last frame the row was looked up in */
	struct damp_cell cells[DAMP_COLUMNS];
	uint64_t spark_frame; /* when spark was drawn */
	bool moving; /* moves along with a neighbour this frame: keeps what it shows */
	char spark[DAMP_SPARK];
};

/* What one pane has on screen, row by row */
struct damp_table {
	const void *owner;  /* the schema this belongs to */
	unsigned int epoch; /* the full redraw it was last reset for */
	struct damp_cell count; /* the number of rows in the title */
	int order_column;       /* the sort last drawn: a new sort starts a new order */
	bool order_ascending;
	struct damp_row rows[DAMP_ROWS];
};

/* Forget everything (a full redraw) */
void damp_reset(struct damp_table *d);
/* The remembered row of key, taking the least recently seen one when key is new */
struct damp_row *damp_row(struct damp_table *d, uint64_t key, uint64_t frame);
/*
 * The text to draw for a cell of value now whose exact text is text: text itself (and
 * remembered) unless the rule lets the cell keep what it shows. exact: always text.
 * floor: DAMP_FLOOR times the largest value of the column on screen (0: none)
 */
const char *damp_text(struct damp_row *row, unsigned int col, double now, double floor,
		      const char *text, uint64_t frame, bool exact);
/* The same for one cell */
const char *damp_cell_text(struct damp_cell *c, double now, double floor, const char *text,
			   uint64_t frame, bool exact);
/* A row's sparkline: it moves every frame, so it is drawn anew every DAMP_MAX_FRAMES */
const char *damp_spark(struct damp_row *row, const char *line, uint64_t frame, bool exact);
/*
 * Row order with hysteresis: order[] holds n indexes into value[], the order last shown
 * first; a row moves above its upper neighbour only when its value is more than
 * DAMP_ORDER_FACTOR times the neighbour's (less than 1/DAMP_ORDER_FACTOR when ascending),
 * so rows of close rates keep their places instead of swapping every frame.
 */
void damp_order(const double *value, unsigned int *order, unsigned int n, bool ascending);
/*
 * True when row i of now[] (n row keys in the order drawn now) moves to another line along
 * with the row above or below it (before[]: the keys in the order drawn last time): a
 * block of rows pushed by a row that came, went or passed them. Such rows keep their texts
 * for the frame, so their lines are the same as before, one line off, and curses scrolls
 * them instead of drawing them again.
 */
bool damp_moves_along(const uint64_t *before, unsigned int nbefore, const uint64_t *now,
		      unsigned int n, unsigned int i);
/* True when a row last counted in frame counted may still keep its line in frame frame */
bool damp_lingers(uint64_t counted, uint64_t frame);
/*
 * Rows that had nothing to count keep their lines for a while: a row gone from the middle
 * of a pane for one interval would otherwise move every row under it up a line, and back
 * down the next. out[] gets the n + m rows to show: the m lingering rows (indexes
 * lingering[]) on the lines they were last shown on (line[], ascending), the n others
 * (indexes order[]) in their order around them.
 */
void damp_linger(const unsigned int *order, unsigned int n, const unsigned int *lingering,
		 const unsigned int *line, unsigned int m, unsigned int *out);

#endif
