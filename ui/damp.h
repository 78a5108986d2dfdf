/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ui/damp.h: damping of the rows on screen. A row of a pane shows one frame's values, all
 * of them: the frame it was last drawn in. It is drawn again, whole, with the newest
 * frame's values, when one of its numbers moved by more than DAMP_TOLERANCE from what is on
 * screen (or by more than DAMP_FLOOR of the largest number of its column in the pane,
 * whichever is more), when a number turned zero or non-zero, when one of its other cells
 * (a name, a CPU list) reads differently, or when what is on screen is DAMP_MAX_FRAMES
 * frames old. A row of few events wobbles more than that by chance alone: the tolerance of
 * a row whose frames counted a and b events is DAMP_NOISE standard deviations of their
 * difference (sqrt(a + b), as for two Poisson counts) relative to the larger, when that is
 * more than DAMP_TOLERANCE (16 and 20 calls: 60%; 100 and 120: 25%; 1000 and 4: 25%).
 * A maximum (the longest event of a frame) wobbles more than any count: it is news when it
 * moves by more than DAMP_EXTREME times up or down. An age (AGO: when in its frame a row's
 * last event came) changes every frame, and a share (% of a column's sum) moves when other
 * rows move: neither is news by itself, and each is shown from the frame the row shows.
 * Otherwise it keeps every cell and its sparkline as they are: a low rate that wobbles
 * every second costs no bytes until it means something, and AVG <= MAX, ERR <=
 * CALLS and TIME / CALLS = AVG hold on every line, because no line mixes two frames.
 * The rows are ordered by what they show (damp_row_keeps): a row that keeps its figures
 * keeps its place for them, and the order on screen is the order of what the screen says,
 * to within DAMP_ORDER_FACTOR (damp_arrange), with as few rows changing lines as that
 * allows. Curses-free, so the rules are unit-tested.
 */
#ifndef KTOP_UI_DAMP_H
#define KTOP_UI_DAMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DAMP_TOLERANCE 0.25 /* relative change that is drawn at once */
#define DAMP_FLOOR 0.02     /* ... or change relative to the largest of the column */
#define DAMP_NOISE 2.0      /* ... or standard deviations of a row's event count */
#define DAMP_EXTREME 2.0    /* ... or, for a maximum, this factor up or down */
#define DAMP_MAX_FRAMES 10  /* frames a damped row may stay on screen */
#define DAMP_ROWS 128       /* rows remembered per pane (UI_MAX_SHOWN) */
#define DAMP_COLUMNS 16     /* cells remembered per row; a wider row is always drawn */
#define DAMP_TEXT 16        /* longest number text remembered; longer: the row is drawn */
#define DAMP_SPARK 40       /* longest sparkline remembered */
#define DAMP_ORDER_FACTOR 2.0 /* how much more a row must have to pass a row above it */
#define DAMP_LINGER_FRAMES 3 /* frames a row that had nothing to count keeps its line */
#define DAMP_SIDE_SECONDS 5.0 /* panes not focused take a new frame this often ... */
#define DAMP_SIDE_MAX_SECONDS 9.0 /* ... or up to this, when they cover more (see below) */

/* True when a number shown since frame shown_frame may stay in frame frame, the value now
 * being now; floor: a change this small is kept whatever its ratio */
bool damp_keep(double shown, double now, double floor, uint64_t shown_frame, uint64_t frame);

/* The relative change a row keeps that counted a events in the frame it shows and b in
 * the newest: DAMP_TOLERANCE, or DAMP_NOISE * sqrt(a + b) / max(a, b) when more */
double damp_tolerance(double a, double b);

/* A single number on its own (a header figure, a row count): damped by damp_keep */
struct damp_cell {
	uint64_t frame; /* when text was drawn; 0 = nothing remembered */
	double value;
	char text[DAMP_TEXT];
};

/* One cell of a row as the newest frame would draw it */
struct damp_draft {
	const char *text;
	double value; /* number cells */
	bool number;  /* damped by damp_keep; other cells must read the same to be kept */
	double events; /* events counted in the frame (an events column's own count), or 0 */
	/* a number that is never news by itself, shown from the frame the row shows: an age
	 * (AGO: when in its frame the last event came, different every frame) or a share
	 * (it moves when other rows move: their news) */
	bool passive;
	/* a maximum (the longest event of its frame): a figure far noisier than the events
	 * counted, kept while within DAMP_EXTREME times, either way, of the one shown */
	bool extreme;
};

/* What one row of a pane shows, every cell from the one frame it was drawn in */
struct damp_row {
	uint64_t key;
	uint64_t seen;  /* last frame the row was looked up in */
	uint64_t frame; /* the frame the row shows; 0 = nothing remembered */
	bool kept;      /* this time it keeps what it shows (see damp_row_decide) */
	bool moving;    /* moves along with a neighbour this frame: keeps what it shows */
	bool has_spark;
	double events; /* the most events a cell of the frame it shows counted */
	unsigned int ncells;
	struct {
		bool number;
		double value;
		uint64_t hash; /* of the text: other cells are compared, not remembered */
		char text[DAMP_TEXT]; /* number cells */
	} cells[DAMP_COLUMNS];
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
/* The remembered row of key, NULL when there is none (nothing is taken or marked seen) */
struct damp_row *damp_row_find(struct damp_table *d, uint64_t key);
/*
 * Whether row keeps what it shows in frame frame, or is drawn whole from now[] (n cells)
 * and spark (NULL: none), which it then remembers (see the top of this file). floor[c]:
 * DAMP_FLOOR times the largest number of column c on screen (0: none). A moving row keeps
 * what it shows whatever its numbers did, if its other cells read the same and it is young
 * enough. exact: drawn anew. Sets row->kept and returns it.
 */
bool damp_row_decide(struct damp_row *row, const struct damp_draft *now, unsigned int n,
		     const double *floor, const char *spark, uint64_t frame, bool exact);
/*
 * Whether damp_row_decide would let row keep what it shows, not moving, not exact; nothing
 * is changed. Rows are ordered by what they will show (see damp_arrange's callers).
 */
bool damp_row_keeps(const struct damp_row *row, const struct damp_draft *now, unsigned int n,
		    const double *floor, bool has_spark, uint64_t frame);
/* The text of cell col of a row damp_row_decide decided for; now: the newest frame's */
const char *damp_row_text(const struct damp_row *row, unsigned int col, const char *now);
/* The same for its sparkline */
const char *damp_row_spark(const struct damp_row *row, const char *now);
/*
 * The text to draw for a single cell of value now whose exact text is text: text itself
 * (and remembered) unless damp_keep lets the cell keep what it shows. exact: always text.
 */
const char *damp_cell_text(struct damp_cell *c, double now, double floor, const char *text,
			   uint64_t frame, bool exact);
/*
 * Row order with hysteresis, keeping rows on their lines. The lines shown last time (lines
 * of them) held rows, some of which are gone. n rows have values now (value[]): row i was
 * on line was[i] (lines or more: none, a new row); steady[] has them in the steady sort
 * (ties go that way). m rows that had nothing to count may linger: row j on line linger[j].
 * out[] gets what the lines show now, top down: i < n for row i, n + j for lingering row j;
 * returns how many (n, and the lingering rows that kept their lines).
 *
 * The order is true to within DAMP_ORDER_FACTOR: no row is more than DAMP_ORDER_FACTOR
 * times any row above it (less than 1/DAMP_ORDER_FACTOR when ascending), so rows of close
 * values keep their places instead of swapping every frame. Within that, as many rows as
 * can stay on their lines do: a row that must move takes one line, and the rows it passes
 * keep theirs where they may. A line whose row moved or went is taken by a row without a
 * line below (new, or moved off its own), else by the row from the furthest line below that
 * fits there; a lingering row keeps its line unless a row without one takes it. Where panes
 * stand side by side the terminal cannot scroll part of a line, and every line that holds
 * another row is drawn anew: this way a change costs a line or two per band of close values
 * it crosses, not every line under it.
 */
unsigned int damp_arrange(const double *value, const unsigned int *was,
			  const unsigned int *steady, unsigned int n, bool ascending,
			  const unsigned int *linger, unsigned int m, unsigned int lines,
			  unsigned int *out);
/*
 * True when row i of now[] (n row keys in the order drawn now) moves to another line along
 * with the row above or below it (before[]: the keys in the order drawn last time): a
 * block of rows pushed by a row that came, went or passed them. Such rows keep what they
 * show for the frame, so their lines are the same as before, one line off, and curses
 * scrolls them instead of drawing them again.
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

/*
 * Which of the newest frames a pane that is not focused shows (pane_frame in ui/screen.c):
 * seq[age] is the number of the frame age intervals back (n of them, the newest first),
 * last the one the pane showed last (0: none), every the frames from one it takes to the
 * next. Returns that age: the newest frame whose number is a multiple of every, within
 * the last every frames, or the one shown last when it is newer (a pane that was focused a
 * moment ago does not step back). With no multiple there yet (the first frames), the one
 * shown last while it is there: else a pane that is not focused followed every frame for
 * its first step, and a frame with something new and hot was gone the next moment. 0, the
 * newest, when every <= 1 or neither is there.
 */
unsigned int damp_side_age(const uint64_t *seq, unsigned int n, uint64_t last,
			   unsigned int every);
/*
 * How often, in seconds, the panes not focused take a new frame, when the focused pane
 * covers focused cells of the screen and they cover others: DAMP_SIDE_SECONDS, times
 * others / focused when they cover more than it does, up to DAMP_SIDE_MAX_SECONDS. What
 * curses sends is what changed on screen; side by side on a wide terminal the panes not
 * focused are most of it (three columns: two thirds of the cells), all of it changing at
 * each step (short processes, one-off sections, rows passing each other), so the same pace
 * would send twice what one column does. In proportion to what they cover, together they
 * change no more cells a second than at a third of the focused pane's pace.
 */
double damp_side_seconds(unsigned long focused, unsigned long others);

#endif
