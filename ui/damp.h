/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ui/damp.h: damping of the numbers on screen. A number a pane shows is sent to the
 * terminal again only when it moved by more than DAMP_TOLERANCE from what is on screen, or
 * what is on screen is DAMP_MAX_FRAMES frames old: a low rate that wobbles every second
 * costs no bytes until it means something. Curses-free, so the rule is unit-tested.
 */
#ifndef KTOP_UI_DAMP_H
#define KTOP_UI_DAMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DAMP_TOLERANCE 0.25 /* relative change that is drawn at once */
#define DAMP_MAX_FRAMES 5   /* frames a damped number may stay on screen */
#define DAMP_ROWS 64        /* rows remembered per pane */
#define DAMP_COLUMNS 16     /* columns remembered per row */
#define DAMP_TEXT 16        /* longest text remembered; longer is always drawn */
#define DAMP_SPARK 40       /* longest sparkline remembered */
#define DAMP_ORDER_FACTOR 1.5 /* how much more a row must have to pass the row above it */

/* True when a cell showing shown since frame shown_frame may keep it in frame frame,
 * the value now being now */
bool damp_keep(double shown, double now, uint64_t shown_frame, uint64_t frame);

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
 */
const char *damp_text(struct damp_row *row, unsigned int col, double now, const char *text,
		      uint64_t frame, bool exact);
/* The same for one cell */
const char *damp_cell_text(struct damp_cell *c, double now, const char *text, uint64_t frame,
			   bool exact);
/* A row's sparkline: it moves every frame, so it is drawn anew every DAMP_MAX_FRAMES */
const char *damp_spark(struct damp_row *row, const char *line, uint64_t frame, bool exact);
/*
 * Row order with hysteresis: order[] holds n indexes into value[], the order last shown
 * first; a row moves above its upper neighbour only when its value is more than
 * DAMP_ORDER_FACTOR times the neighbour's (less than 1/DAMP_ORDER_FACTOR when ascending),
 * so rows of close rates keep their places instead of swapping every frame.
 */
void damp_order(const double *value, unsigned int *order, unsigned int n, bool ascending);

#endif
