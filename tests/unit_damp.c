// SPDX-License-Identifier: GPL-2.0
/*
 * tests/unit_damp.c: the damping of rows on screen (ui/damp.c): a small wobble keeps what
 * is shown, a real change or an old text is drawn, exact rows always are, and a row is
 * always one frame's: kept whole or drawn whole, never some cells of each. The memory of
 * rows follows row keys, rows pass each other only for a clear difference and otherwise
 * keep their lines, rows that had nothing to count keep their lines a while, and rows
 * pushed along keep their own texts. A pane not focused takes a new frame every so many.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "ui/damp.h"

static void test_keep_rule(void **state)
{
	(void)state;
	/* within the tolerance and young: kept */
	assert_true(damp_keep(100, 100, 0, 1, 2));
	assert_true(damp_keep(100, 100 * (1 + DAMP_TOLERANCE) - 1, 0, 1, 2));
	assert_true(damp_keep(100, 100 * (1 - DAMP_TOLERANCE) + 1, 0, 1, 2));
	/* moved more than the tolerance: drawn */
	assert_false(damp_keep(100, 100 * (1 + DAMP_TOLERANCE) + 1, 0, 1, 2));
	assert_false(damp_keep(100, 100 * (1 - DAMP_TOLERANCE) - 1, 0, 1, 2));
	/* from zero or to zero: drawn */
	assert_false(damp_keep(0, 1, 0, 1, 2));
	assert_false(damp_keep(1, 0, 0, 1, 2));
	assert_true(damp_keep(0, 0, 0, 1, 2));
	/* too old, nothing shown yet, time going backwards (a replay seek): drawn */
	assert_true(damp_keep(100, 101, 0, 10, 10 + DAMP_MAX_FRAMES - 1));
	assert_false(damp_keep(100, 101, 0, 10, 10 + DAMP_MAX_FRAMES));
	assert_false(damp_keep(100, 100, 0, 0, 2));
	assert_false(damp_keep(100, 100, 0, 5, 4));
	assert_false(damp_keep(__builtin_nan(""), 100, 0, 1, 2));
	/* a change below the column's floor is kept whatever its ratio; zero is never hidden */
	assert_true(damp_keep(10, 19, 10, 1, 2));
	assert_false(damp_keep(10, 21, 10, 1, 2));
	assert_false(damp_keep(0, 5, 10, 1, 2));
	assert_false(damp_keep(5, 0, 10, 1, 2));
}

static void test_cell(void **state)
{
	struct damp_cell c = { 0 };

	(void)state;
	assert_string_equal(damp_cell_text(&c, 100, 0, "100", 1, false), "100");
	/* a wobble: the old text stays for DAMP_MAX_FRAMES frames */
	for (uint64_t f = 2; f < 1 + DAMP_MAX_FRAMES; f++)
		assert_string_equal(damp_cell_text(&c, 105, 0, "105", f, false), "100");
	assert_string_equal(damp_cell_text(&c, 105, 0, "105", 1 + DAMP_MAX_FRAMES, false),
			    "105");
	/* a jump is drawn at once; an exact cell is always drawn */
	assert_string_equal(damp_cell_text(&c, 300, 0, "300", 12, false), "300");
	assert_string_equal(damp_cell_text(&c, 301, 0, "301", 13, true), "301");
	assert_string_equal(damp_cell_text(&c, 302, 0, "302", 14, false), "301");
	/* text too long to remember: drawn as it is */
	assert_string_equal(damp_cell_text(&c, 1, 0, "0123456789abcdefghij", 15, false),
			    "0123456789abcdefghij");
	assert_string_equal(damp_cell_text(&c, 1, 0, "0123456789abcdefghiJ", 16, false),
			    "0123456789abcdefghiJ");
}

/* A row of a syscalls pane: its name, calls, average, longest */
enum { CELL_NAME, CELL_CALLS, CELL_AVG, CELL_MAX, CELLS };

struct test_row {
	char text[CELLS][32];
	struct damp_draft cell[CELLS];
};

static const struct damp_draft *row_of(struct test_row *r, const char *name, double calls,
				       double avg, double max)
{
	const double value[CELLS] = { 0, calls, avg, max };

	snprintf(r->text[CELL_NAME], sizeof(r->text[0]), "%s", name);
	for (unsigned int c = CELL_CALLS; c < CELLS; c++)
		snprintf(r->text[c], sizeof(r->text[0]), "%g", value[c]);
	for (unsigned int c = 0; c < CELLS; c++)
		r->cell[c] = (struct damp_draft){ .text = r->text[c], .value = value[c],
						  .number = c != CELL_NAME,
						  .extreme = c == CELL_MAX };
	return r->cell;
}

/* What the row shows: its cells, as drawn, joined by spaces */
static const char *shown(const struct damp_row *dr, const struct test_row *r)
{
	static char line[128];
	size_t used = 0;

	for (unsigned int c = 0; c < CELLS; c++)
		used += (size_t)snprintf(line + used, sizeof(line) - used, c ? " %s" : "%s",
					 damp_row_text(dr, c, r->text[c]));
	return line;
}

/* damp_row_decide for a row named name of calls (its count of events: events), average
 * and max (passive_max: the max is an age, never news by itself) in frame frame */
static bool decide(struct damp_row *dr, struct test_row *r, const char *name, double calls,
		   double events, double max, bool passive_max, uint64_t frame)
{
	static const double no_floor[CELLS] = { 0 };

	row_of(r, name, calls, 10, max);
	r->cell[CELL_CALLS].events = events;
	r->cell[CELL_MAX].passive = passive_max;
	return damp_row_decide(dr, r->cell, CELLS, no_floor, NULL, frame, false);
}

/*
 * A row of few events wobbles by chance: its tolerance is DAMP_NOISE standard deviations of
 * the difference of its two counts, relative to the larger, when that is more than
 * DAMP_TOLERANCE; many events, or a count that collapsed, keep DAMP_TOLERANCE
 */
static void test_noise_tolerance(void **state)
{
	static struct damp_table d;
	struct test_row r;

	(void)state;
	assert_float_equal(damp_tolerance(16, 20), DAMP_NOISE * 6 / 20, 1e-9);
	assert_float_equal(damp_tolerance(10000, 12000), DAMP_TOLERANCE, 1e-9);
	assert_float_equal(damp_tolerance(1000, 4), DAMP_TOLERANCE, 1e-9);
	assert_float_equal(damp_tolerance(0, 0), DAMP_TOLERANCE, 1e-9);
	/* 16 calls, then 24 (+50%): a row with its count as its events keeps frame 1 */
	damp_reset(&d);
	assert_false(decide(damp_row(&d, 7, 1), &r, "futex", 16, 16, 20, false, 1));
	assert_true(decide(damp_row(&d, 7, 2), &r, "futex", 24, 24, 20, false, 2));
	assert_string_equal(shown(damp_row(&d, 7, 2), &r), "futex 16 10 20");
	/* the same change counted in thousands is news */
	damp_reset(&d);
	assert_false(decide(damp_row(&d, 7, 1), &r, "futex", 1600, 1600, 20, false, 1));
	assert_false(decide(damp_row(&d, 7, 2), &r, "futex", 2400, 2400, 20, false, 2));
	assert_string_equal(shown(damp_row(&d, 7, 2), &r), "futex 2400 10 20");
}

/* An age (AGO: when in its frame the last event came) or a share is shown from the frame
 * the row shows, but its change alone draws nothing; the rest of the row still decides */
static void test_passive_is_no_news(void **state)
{
	static struct damp_table d;
	struct test_row r;

	(void)state;
	damp_reset(&d);
	assert_false(decide(damp_row(&d, 9, 1), &r, "idle", 100, 0, 102, true, 1));
	assert_true(decide(damp_row(&d, 9, 2), &r, "idle", 100, 0, 849, true, 2));
	assert_string_equal(shown(damp_row(&d, 9, 2), &r), "idle 100 10 102");
	assert_false(decide(damp_row(&d, 9, 3), &r, "idle", 300, 0, 5, true, 3));
	assert_string_equal(shown(damp_row(&d, 9, 3), &r), "idle 300 10 5");
}

/* A maximum wobbles more than any count: it is news beyond DAMP_EXTREME times up or down */
static void test_extreme_within_factor(void **state)
{
	static const struct { double max; bool kept; } next[] = {
		{ 35, true }, { 11, true }, { 45, false }, { 9, false },
	};
	static struct damp_table d;
	struct test_row r;

	(void)state;
	for (unsigned int i = 0; i < sizeof(next) / sizeof(next[0]); i++) {
		damp_reset(&d);
		assert_false(decide(damp_row(&d, 5, 1), &r, "read", 100, 100, 20, false, 1));
		assert_int_equal(decide(damp_row(&d, 5, 2), &r, "read", 100, 100, next[i].max,
					false, 2),
				 next[i].kept);
	}
	/* the average is no maximum: 20% more events, 60% longer on average, is news */
	damp_reset(&d);
	assert_false(decide(damp_row(&d, 5, 1), &r, "read", 100, 100, 20, false, 1));
	row_of(&r, "read", 120, 16, 20);
	r.cell[CELL_CALLS].events = 120;
	assert_false(damp_row_decide(damp_row(&d, 5, 2), r.cell, CELLS, NULL, NULL, 2, false));
}

static void test_row_whole(void **state)
{
	static struct damp_table d;
	const double no_floor[CELLS] = { 0 };
	struct damp_row *dr;
	struct test_row r;

	(void)state;
	damp_reset(&d);
	dr = damp_row(&d, 42, 1);
	assert_false(damp_row_decide(dr, row_of(&r, "read", 100, 10, 20), CELLS, no_floor, NULL,
				     1, false));
	assert_string_equal(shown(dr, &r), "read 100 10 20");
	/* every number wobbles a little: the whole row keeps frame 1 */
	assert_true(damp_row_decide(dr, row_of(&r, "read", 110, 11, 22), CELLS, no_floor, NULL,
				    2, false));
	assert_string_equal(shown(dr, &r), "read 100 10 20");
	/* the longest call fell a lot, the rest wobbled: the whole row is frame 3's, never a
	 * mix where the average (kept at 10) passes the new longest (8) */
	assert_false(damp_row_decide(dr, row_of(&r, "read", 105, 7, 8), CELLS, no_floor, NULL,
				     3, false));
	assert_string_equal(shown(dr, &r), "read 105 7 8");
	assert_true(damp_row_decide(dr, row_of(&r, "read", 110, 7.5, 9), CELLS, no_floor, NULL,
				    4, false));
	assert_string_equal(shown(dr, &r), "read 105 7 8");
	/* a number that turns zero is news */
	assert_false(damp_row_decide(dr, row_of(&r, "read", 0, 0, 0), CELLS, no_floor, NULL, 5,
				     false));
	assert_string_equal(shown(dr, &r), "read 0 0 0");
	/* a name that reads differently (a pid used again): drawn */
	row_of(&r, "read", 100, 10, 20);
	damp_row_decide(dr, r.cell, CELLS, no_floor, NULL, 6, false);
	assert_false(damp_row_decide(dr, row_of(&r, "write", 100, 10, 20), CELLS, no_floor, NULL,
				     7, false));
	assert_string_equal(shown(dr, &r), "write 100 10 20");
	/* the same frame drawn again (a key was pressed): kept */
	assert_true(damp_row_decide(dr, r.cell, CELLS, no_floor, NULL, 7, false));
	/* what is on screen gets old: drawn again after DAMP_MAX_FRAMES frames */
	for (uint64_t f = 8; f < 7 + DAMP_MAX_FRAMES; f++)
		assert_true(damp_row_decide(dr, row_of(&r, "write", 101, 10, 20), CELLS, no_floor,
					    NULL, f, false));
	assert_false(damp_row_decide(dr, r.cell, CELLS, no_floor, NULL, 7 + DAMP_MAX_FRAMES,
				     false));
	assert_string_equal(shown(dr, &r), "write 101 10 20");
	/* exact (the selected row, a paused screen): drawn, and remembered */
	assert_false(damp_row_decide(dr, row_of(&r, "write", 102, 10, 20), CELLS, no_floor, NULL,
				     20, true));
	assert_string_equal(shown(dr, &r), "write 102 10 20");
	assert_true(damp_row_decide(dr, row_of(&r, "write", 103, 10, 20), CELLS, no_floor, NULL,
				    21, false));
	assert_string_equal(shown(dr, &r), "write 102 10 20");
	/* time going backwards (a replay seek): drawn */
	assert_false(damp_row_decide(dr, r.cell, CELLS, no_floor, NULL, 19, false));
}

static void test_row_floor(void **state)
{
	static struct damp_table d;
	/* the largest number of the calls column on screen is 10000: 2% of it is 200 */
	const double floor[CELLS] = { 0, 200, 0, 0 };
	struct damp_row *dr;
	struct test_row r;

	(void)state;
	damp_reset(&d);
	dr = damp_row(&d, 1, 1);
	damp_row_decide(dr, row_of(&r, "x", 10, 5, 6), CELLS, floor, NULL, 1, false);
	/* 10 -> 19 calls hides under the floor; the row keeps frame 1, all of it */
	assert_true(damp_row_decide(dr, row_of(&r, "x", 19, 5, 6), CELLS, floor, NULL, 2, false));
	assert_string_equal(shown(dr, &r), "x 10 5 6");
	/* ... but a cell without a floor does not: its jump redraws the row */
	assert_false(damp_row_decide(dr, row_of(&r, "x", 19, 50, 60), CELLS, floor, NULL, 3,
				     false));
	assert_string_equal(shown(dr, &r), "x 19 50 60");
}

static void test_row_spark(void **state)
{
	static struct damp_table d;
	const double no_floor[CELLS] = { 0 };
	struct damp_row *dr;
	struct test_row r;

	(void)state;
	damp_reset(&d);
	dr = damp_row(&d, 1, 1);
	damp_row_decide(dr, row_of(&r, "x", 10, 5, 6), CELLS, no_floor, "abc", 1, false);
	assert_string_equal(damp_row_spark(dr, "abc"), "abc");
	/* the sparkline belongs to the row's frame: kept with it, drawn with it */
	assert_true(damp_row_decide(dr, r.cell, CELLS, no_floor, "bcd", 2, false));
	assert_string_equal(damp_row_spark(dr, "bcd"), "abc");
	assert_false(damp_row_decide(dr, row_of(&r, "x", 100, 5, 6), CELLS, no_floor, "cde", 3,
				     false));
	assert_string_equal(damp_row_spark(dr, "cde"), "cde");
	/* a row that gains a sparkline (its pane got the focus) or loses it: drawn */
	assert_false(damp_row_decide(dr, r.cell, CELLS, no_floor, NULL, 4, false));
	assert_false(damp_row_decide(dr, r.cell, CELLS, no_floor, "def", 5, false));
	assert_string_equal(damp_row_spark(dr, "def"), "def");
	/* a sparkline too long to remember: the row is drawn every frame */
	{
		char long_spark[DAMP_SPARK + 1];

		memset(long_spark, '#', DAMP_SPARK);
		long_spark[DAMP_SPARK] = '\0';
		assert_false(damp_row_decide(dr, row_of(&r, "x", 1000, 5, 6), CELLS, no_floor,
					     long_spark, 6, false));
		assert_false(damp_row_decide(dr, r.cell, CELLS, no_floor, long_spark, 7, false));
		assert_string_equal(damp_row_spark(dr, long_spark), long_spark);
	}
}

static void test_row_unremembered(void **state)
{
	static struct damp_table d;
	const double floor[DAMP_COLUMNS + 1] = { 0 };
	struct damp_draft wide[DAMP_COLUMNS + 1];
	struct damp_row *dr;
	struct test_row r;

	(void)state;
	damp_reset(&d);
	dr = damp_row(&d, 1, 1);
	/* a number whose text is too long to remember: the row is drawn every frame */
	row_of(&r, "x", 10, 5, 6);
	snprintf(r.text[CELL_MAX], sizeof(r.text[0]), "0123456789abcdefghij");
	assert_false(damp_row_decide(dr, r.cell, CELLS, floor, NULL, 1, false));
	assert_false(damp_row_decide(dr, r.cell, CELLS, floor, NULL, 2, false));
	assert_string_equal(shown(dr, &r), "x 10 5 0123456789abcdefghij");
	/* more cells than remembered: the same */
	for (unsigned int c = 0; c < DAMP_COLUMNS + 1; c++)
		wide[c] = (struct damp_draft){ .text = "1", .value = 1, .number = true };
	assert_false(damp_row_decide(dr, wide, DAMP_COLUMNS + 1, floor, NULL, 3, false));
	assert_false(damp_row_decide(dr, wide, DAMP_COLUMNS + 1, floor, NULL, 4, false));
	assert_string_equal(damp_row_text(dr, DAMP_COLUMNS, "1"), "1");
	/* a reset forgets */
	damp_row_decide(dr, row_of(&r, "x", 10, 5, 6), CELLS, floor, NULL, 5, false);
	damp_reset(&d);
	dr = damp_row(&d, 1, 6);
	assert_false(damp_row_decide(dr, r.cell, CELLS, floor, NULL, 6, false));
	/* the row count of a title: a cell of its own, forgotten by a reset too */
	damp_cell_text(&d.count, 10, 0, "10", 11, false);
	assert_string_equal(damp_cell_text(&d.count, 11, 0, "11", 12, false), "10");
	damp_reset(&d);
	assert_string_equal(damp_cell_text(&d.count, 11, 0, "11", 12, false), "11");
}

/* Asking whether a row would keep what it shows changes nothing, and says what deciding
 * would: the pane orders its rows by what they will show */
static void test_row_keeps(void **state)
{
	static struct damp_table d;
	const double no_floor[CELLS] = { 0 };
	struct damp_row *r, before;
	struct test_row tr;

	(void)state;
	damp_reset(&d);
	assert_null(damp_row_find(&d, 7));
	assert_null(damp_row_find(&d, 7)); /* finding makes no row */
	r = damp_row(&d, 7, 1);
	damp_row_decide(r, row_of(&tr, "x", 100, 5, 6), CELLS, no_floor, NULL, 1, false);
	assert_ptr_equal(damp_row_find(&d, 7), r);
	before = *r;
	assert_true(damp_row_keeps(r, row_of(&tr, "x", 110, 5, 6), CELLS, no_floor, false, 2));
	assert_false(damp_row_keeps(r, row_of(&tr, "x", 200, 5, 6), CELLS, no_floor, false, 2));
	assert_false(damp_row_keeps(r, row_of(&tr, "x", 110, 5, 6), CELLS, no_floor, true, 2));
	assert_false(damp_row_keeps(r, row_of(&tr, "x", 110, 5, 6), CELLS, no_floor, false,
				    1 + DAMP_MAX_FRAMES));
	assert_memory_equal(&before, r, sizeof(before));
	/* the same answers as deciding */
	assert_true(damp_row_decide(r, row_of(&tr, "x", 110, 5, 6), CELLS, no_floor, NULL, 2,
				    false));
	assert_false(damp_row_decide(r, row_of(&tr, "x", 200, 5, 6), CELLS, no_floor, NULL, 3,
				     false));
}

static void test_rows(void **state)
{
	static struct damp_table d;
	const double no_floor[CELLS] = { 0 };
	struct damp_row *first;
	struct test_row r;

	(void)state;
	damp_reset(&d);
	first = damp_row(&d, 7, 1);
	damp_row_decide(first, row_of(&r, "x", 10, 5, 6), CELLS, no_floor, NULL, 1, false);
	/* the same key finds the same memory */
	assert_ptr_equal(damp_row(&d, 7, 2), first);
	/* more keys than room: the least recently seen is reused, the others stay */
	for (uint64_t k = 100; k < 100 + DAMP_ROWS - 1; k++)
		damp_row(&d, k, 3);
	assert_ptr_equal(damp_row(&d, 7, 4), first);
	assert_string_equal(first->cells[CELL_CALLS].text, "10");
	assert_ptr_not_equal(damp_row(&d, 1000, 5), first); /* key 100 made room */
	assert_ptr_equal(damp_row(&d, 7, 5), first);
	damp_row(&d, 2000, 6); /* makes room with some key seen in frame 3, not 7 */
	assert_ptr_equal(damp_row(&d, 7, 6), first);
	assert_string_equal(first->cells[CELL_CALLS].text, "10");
}

/* arrange() with the rows in the steady order 0 1 2 ...: order[] from value[] and was[] */
static void arrange(const double *value, const unsigned int *was, unsigned int n, bool ascending,
		    unsigned int *order)
{
	unsigned int steady[64];

	for (unsigned int i = 0; i < n; i++)
		steady[i] = i;
	assert_int_equal(damp_arrange(value, was, steady, n, ascending, NULL, 0, n, order), n);
}

/* No row is more than DAMP_ORDER_FACTOR times any row above it (descending) */
static bool order_is_true(const double *value, const unsigned int *order, unsigned int n,
			  bool ascending)
{
	for (unsigned int a = 0; a < n; a++)
		for (unsigned int b = a + 1; b < n; b++) {
			double above = value[order[a]], below = value[order[b]];

			if (ascending ? above > DAMP_ORDER_FACTOR * below
				      : below > DAMP_ORDER_FACTOR * above)
				return false;
		}
	return true;
}

/* How many positions hold another row than last time (was[]) */
static unsigned int lines_changed(const unsigned int *was, const unsigned int *order,
				  unsigned int n)
{
	unsigned int changed = 0;

	for (unsigned int p = 0; p < n; p++)
		changed += was[order[p]] != p;
	return changed;
}

static void test_order(void **state)
{
	/* last shown: 0 1 2 3; row 1 grew a little, row 3 a lot, row 0 fell to nothing */
	const double value[] = { 0, 110, 100, 1000 };
	const unsigned int was[] = { 0, 1, 2, 3 };
	/* ascending, last shown: 3 2 1 0 with the same values */
	const unsigned int was_up[] = { 3, 2, 1, 0 };
	unsigned int order[5];

	(void)state;
	arrange(value, was, 4, false, order);
	/* 3 passes everything; 1 and 2 are close: they keep their places; 0 goes down */
	assert_int_equal(order[0], 3);
	assert_int_equal(order[1], 1);
	assert_int_equal(order[2], 2);
	assert_int_equal(order[3], 0);
	arrange(value, was_up, 4, true, order);
	/* 0 passes all, 2 stays over 1 (close), 3 is largest: last */
	assert_int_equal(order[0], 0);
	assert_int_equal(order[1], 2);
	assert_int_equal(order[2], 1);
	assert_int_equal(order[3], 3);
	/* close values never swap, whatever their order */
	{
		const double close[] = { 100, 100 * DAMP_ORDER_FACTOR, 100 };

		arrange(close, was, 3, false, order);
		assert_int_equal(order[0], 0);
		assert_int_equal(order[1], 1);
		assert_int_equal(order[2], 2);
	}
	/* new rows (no position) come in by their values, larger first */
	{
		const double grown[] = { 100, 90, 5, 400, 80 };
		const unsigned int old[] = { 0, 1, 2, 5, 5 };

		arrange(grown, old, 5, false, order);
		assert_int_equal(order[0], 3);
		assert_true(order_is_true(grown, order, 5, false));
		assert_int_equal(order[4], 2);
	}
}

/*
 * The order is true to within the factor between any two rows, not only neighbours: rows of
 * 100, 190 and 360 shown in that order become 360 190 100 (each passed only its neighbour
 * by less than twice, which left 360 under 100)
 */
static void test_order_true(void **state)
{
	const double value[] = { 100, 190, 360 };
	const unsigned int was[] = { 0, 1, 2 };
	unsigned int order[40];
	unsigned int seed = 1;

	(void)state;
	arrange(value, was, 3, false, order);
	assert_true(order_is_true(value, order, 3, false));
	assert_int_equal(order[0], 2);
	/* any values, any last positions, rows new or gone: always true, always every row */
	for (unsigned int round = 0; round < 2000; round++) {
		double v[40];
		unsigned int w[40], n = 1 + round % 40, seen[40] = { 0 };
		bool ascending = round & 1;

		for (unsigned int i = 0; i < n; i++) {
			seed = seed * 1103515245 + 12345;
			v[i] = (seed >> 8) % 7 == 0 ? 0 : (double)((seed >> 4) % 100000) / 100;
			w[i] = i;
		}
		for (unsigned int i = n; i-- > 1;) { /* last positions shuffled */
			unsigned int j, t;

			seed = seed * 1103515245 + 12345;
			j = (seed >> 8) % (i + 1);
			t = w[i], w[i] = w[j], w[j] = t;
		}
		for (unsigned int i = 0; i < n; i++) { /* some new, some positions free */
			seed = seed * 1103515245 + 12345;
			if ((seed >> 8) % 5 == 0)
				w[i] = (seed >> 12) % 3 ? n + i : UINT32_MAX;
		}
		arrange(v, w, n, ascending, order);
		assert_true(order_is_true(v, order, n, ascending));
		for (unsigned int p = 0; p < n; p++)
			seen[order[p]]++;
		for (unsigned int i = 0; i < n; i++)
			assert_int_equal(seen[i], 1);
	}
}

/*
 * Rows keep their lines where the order allows: a row that went leaves its line to one
 * row from below, not every row under it a line up; a row that shot up takes a line, and
 * the rows it passed keep theirs where they may. Panes side by side cannot be scrolled by
 * the terminal: each line that holds another row is drawn anew.
 */
static void test_order_keeps_lines(void **state)
{
	/* row 2 of 10 went: the 9 left have their last positions, 2 is free */
	const double tail[] = { 100, 50, 47, 46, 45, 44, 43, 42, 41 };
	const unsigned int tail_was[] = { 0, 1, 3, 4, 5, 6, 7, 8, 9 };
	/* row 8 shot up from 42 to 1000 */
	const double spike[] = { 100, 50, 48, 47, 46, 45, 44, 43, 1000, 41 };
	const unsigned int spike_was[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 };
	/* nothing changed enough: nothing moves */
	const double calm[] = { 100, 150, 90, 120, 70 };
	unsigned int order[10];

	(void)state;
	arrange(tail, tail_was, 9, false, order);
	assert_true(order_is_true(tail, order, 9, false));
	assert_int_equal(order[2], 8); /* the last row, 41, fits where 48 was */
	assert_true(lines_changed(tail_was, order, 9) <= 2);
	arrange(spike, spike_was, 10, false, order);
	assert_true(order_is_true(spike, order, 10, false));
	assert_int_equal(order[0], 8);
	assert_true(lines_changed(spike_was, order, 10) <= 3);
	arrange(calm, spike_was, 5, false, order);
	assert_int_equal(lines_changed(spike_was, order, 5), 0);
}

/*
 * Rows that had nothing to count keep their lines among the others, unless a row without a
 * line of its own (a new one) takes it; lines left empty under the last row are taken by
 * the lingering row from the furthest line below
 */
static void test_order_lingering(void **state)
{
	/* lines last time: 0 row 0, 1 lingering A, 2 row 1, 3 lingering B, 4 row 2 */
	const double value[] = { 100, 90, 80 };
	const unsigned int was[] = { 0, 2, 4 }, steady[] = { 0, 1, 2 }, linger[] = { 1, 3 };
	/* and a new row of 85: it fits where A was, A goes */
	const double more[] = { 100, 90, 80, 85 };
	const unsigned int was_more[] = { 0, 2, 4, 99 }, steady_more[] = { 0, 1, 3, 2 };
	/* row 1 went: line 2 is empty; the lingering rows under the last row fill it */
	const double fewer[] = { 100 };
	const unsigned int was_fewer[] = { 0 }, linger_low[] = { 3, 5 };
	unsigned int out[8];

	(void)state;
	assert_int_equal(damp_arrange(value, was, steady, 3, false, linger, 2, 5, out), 5);
	assert_int_equal(out[0], 0);
	assert_int_equal(out[1], 3 + 0); /* A */
	assert_int_equal(out[2], 1);
	assert_int_equal(out[3], 3 + 1); /* B */
	assert_int_equal(out[4], 2);
	assert_int_equal(damp_arrange(more, was_more, steady_more, 4, false, linger, 2, 5, out),
			 5);
	assert_int_equal(out[0], 0);
	assert_int_equal(out[1], 3); /* the new row, where A was */
	assert_int_equal(out[2], 1);
	assert_int_equal(out[3], 4 + 1); /* B stays */
	assert_int_equal(out[4], 2);
	/* lines: 0 row 0, 1 and 2 gone, 3 lingering A, 4 gone, 5 lingering B */
	assert_int_equal(damp_arrange(fewer, was_fewer, steady, 1, false, linger_low, 2, 6, out),
			 3);
	assert_int_equal(out[0], 0);
	assert_int_equal(out[1], 1 + 1); /* B, from the furthest line, to line 1 */
	assert_int_equal(out[2], 1 + 0); /* then A, from the furthest line left */
}

static void test_linger(void **state)
{
	/* rows 10 and 11 had nothing to count: back on lines 1 and 4, the others around them */
	const unsigned int order[] = { 0, 1, 2, 3 }, lingering[] = { 10, 11 }, line[] = { 1, 4 };
	const unsigned int want[] = { 0, 10, 1, 2, 11, 3 };
	/* a line past the end: at the end */
	const unsigned int late[] = { 9 }, want_late[] = { 0, 1, 2, 3, 10 };
	unsigned int out[6];

	(void)state;
	damp_linger(order, 4, lingering, line, 2, out);
	for (unsigned int i = 0; i < 6; i++)
		assert_int_equal(out[i], want[i]);
	damp_linger(order, 4, lingering, late, 1, out);
	for (unsigned int i = 0; i < 5; i++)
		assert_int_equal(out[i], want_late[i]);
	/* only lingering rows left */
	damp_linger(order, 0, lingering, line, 2, out);
	assert_int_equal(out[0], 10);
	assert_int_equal(out[1], 11);
	/* how long: DAMP_LINGER_FRAMES frames after the last one that counted something */
	assert_true(damp_lingers(10, 11));
	assert_true(damp_lingers(10, 10 + DAMP_LINGER_FRAMES));
	assert_false(damp_lingers(10, 11 + DAMP_LINGER_FRAMES));
	assert_false(damp_lingers(10, 10));
	assert_false(damp_lingers(0, 2));
}

static void test_moves_along(void **state)
{
	/* 9 came in on top: 1 2 3 move down a line together; 4 went: 5 moves up alone */
	const uint64_t before[] = { 1, 2, 3, 4, 5 }, now[] = { 9, 1, 2, 3, 5 };
	/* 1 and 2 swap places: each moves, neither with a neighbour */
	const uint64_t swapped[] = { 2, 1, 3, 4, 5 };
	const double no_floor[CELLS] = { 0 };
	static struct damp_table d;
	struct damp_row *r;
	struct test_row tr;

	(void)state;
	assert_false(damp_moves_along(before, 5, now, 5, 0)); /* new */
	assert_true(damp_moves_along(before, 5, now, 5, 1));
	assert_true(damp_moves_along(before, 5, now, 5, 2));
	assert_true(damp_moves_along(before, 5, now, 5, 3));
	assert_false(damp_moves_along(before, 5, now, 5, 4));
	assert_false(damp_moves_along(before, 5, swapped, 5, 0));
	assert_false(damp_moves_along(before, 5, swapped, 5, 1));
	assert_false(damp_moves_along(before, 5, swapped, 5, 2)); /* did not move */
	assert_false(damp_moves_along(before, 5, now, 5, 5));     /* past the end */
	/* a moving row keeps all it shows, whatever its numbers did; an exact one does not */
	damp_reset(&d);
	r = damp_row(&d, 1, 1);
	damp_row_decide(r, row_of(&tr, "x", 100, 5, 6), CELLS, no_floor, "abc", 1, false);
	r->moving = true;
	assert_true(damp_row_decide(r, row_of(&tr, "x", 1000, 50, 60), CELLS, no_floor, "bcd", 2,
				    false));
	assert_string_equal(shown(r, &tr), "x 100 5 6");
	assert_string_equal(damp_row_spark(r, "bcd"), "abc");
	assert_false(damp_row_decide(r, tr.cell, CELLS, no_floor, "bcd", 2, true));
	assert_string_equal(shown(r, &tr), "x 1000 50 60");
	/* its own texts only: a row whose name reads differently is drawn, moving or not */
	assert_false(damp_row_decide(r, row_of(&tr, "y", 1000, 50, 60), CELLS, no_floor, "bcd",
				     3, false));
	assert_string_equal(shown(r, &tr), "y 1000 50 60");
	/* and not for ever: DAMP_MAX_FRAMES frames at most */
	assert_false(damp_row_decide(r, row_of(&tr, "y", 1, 1, 1), CELLS, no_floor, "bcd",
				     3 + DAMP_MAX_FRAMES, false));
	/* the next frame it is drawn by the usual rule */
	r->moving = false;
	assert_false(damp_row_decide(r, row_of(&tr, "y", 2000, 1, 1), CELLS, no_floor, "bcd",
				     4 + DAMP_MAX_FRAMES, false));
	assert_string_equal(shown(r, &tr), "y 2000 1 1");
}

/* The frame a pane not focused shows: a new one every `every` frames, the same between */
/* The step of the panes not focused grows with what they cover, from 5 s up to 9 s */
static void test_side_seconds(void **state)
{
	(void)state;
	assert_true(damp_side_seconds(1000, 500) == DAMP_SIDE_SECONDS); /* less than it */
	assert_true(damp_side_seconds(1000, 1000) == DAMP_SIDE_SECONDS);
	assert_true(damp_side_seconds(1000, 1500) == 1.5 * DAMP_SIDE_SECONDS);
	/* three columns: twice the step, or the most */
	assert_true(damp_side_seconds(1000, 2000) == fmin(2 * DAMP_SIDE_SECONDS,
							 DAMP_SIDE_MAX_SECONDS));
	assert_true(damp_side_seconds(1000, 100000) == DAMP_SIDE_MAX_SECONDS);
	assert_true(damp_side_seconds(0, 1000) == DAMP_SIDE_SECONDS); /* nothing focused shown */
}

static void test_side_age(void **state)
{
	/* seq[age]: frames 10, 9, 8, ... newest first */
	const uint64_t seq[] = { 10, 9, 8, 7, 6, 5 };
	unsigned int shown[12];

	(void)state;
	/* every 3: frame 9 (one back) until 12 comes */
	assert_int_equal(damp_side_age(seq, 6, 0, 3), 1);
	assert_int_equal(damp_side_age(seq + 1, 5, 9, 3), 0);  /* 9 is the newest */
	assert_int_equal(damp_side_age(seq, 6, 9, 3), 1);
	/* the pane showed 10 a moment ago (focused then): it does not step back to 9 */
	assert_int_equal(damp_side_age(seq, 6, 10, 3), 0);
	/* ... but an older one it showed gives way to the newer multiple */
	assert_int_equal(damp_side_age(seq, 6, 7, 3), 1);
	/* every 1, or none: the newest */
	assert_int_equal(damp_side_age(seq, 6, 0, 1), 0);
	assert_int_equal(damp_side_age(seq, 6, 0, 0), 0);
	/* no multiple among the last `every` frames (the history shorter): the newest */
	assert_int_equal(damp_side_age(seq, 1, 0, 3), 0);
	assert_int_equal(damp_side_age(seq + 3, 2, 0, 5), 0); /* 7 6 kept, not 5 */
	/* ... but the one shown last, while it is there: the first frames do not all show */
	assert_int_equal(damp_side_age(seq + 3, 2, 6, 5), 1);
	assert_int_equal(damp_side_age(seq + 3, 2, 7, 5), 0);
	assert_int_equal(damp_side_age(seq + 3, 3, 0, 5), 2); /* 7 6 5 */
	assert_int_equal(damp_side_age(seq + 3, 3, 0, 2), 1); /* 7 6: 6 */
	assert_int_equal(damp_side_age(seq, 6, 0, 5), 0);     /* 10 itself */
	/* frames 1..12 coming one by one: what is shown changes at 3, 6, 9, 12 only */
	for (uint64_t now = 1; now <= 12; now++) {
		uint64_t h[3];
		unsigned int n = 0;

		for (uint64_t s = now; s >= 1 && n < 3; s--)
			h[n++] = s;
		shown[now - 1] = (unsigned int)h[damp_side_age(h, n, now > 1 ? shown[now - 2] : 0, 3)];
	}
	assert_int_equal(shown[0], 1); /* before 3: the first, until 3 comes */
	assert_int_equal(shown[1], 1);
	for (unsigned int i = 2; i < 12; i++)
		assert_int_equal(shown[i], (i + 1) / 3 * 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keep_rule),
		cmocka_unit_test(test_cell),
		cmocka_unit_test(test_row_whole),
		cmocka_unit_test(test_row_floor),
		cmocka_unit_test(test_row_spark),
		cmocka_unit_test(test_row_unremembered),
		cmocka_unit_test(test_row_keeps),
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_order_true),
		cmocka_unit_test(test_order_keeps_lines),
		cmocka_unit_test(test_order_lingering),
		cmocka_unit_test(test_linger),
		cmocka_unit_test(test_moves_along),
		cmocka_unit_test(test_side_age),
		cmocka_unit_test(test_side_seconds),
		cmocka_unit_test(test_noise_tolerance),
		cmocka_unit_test(test_passive_is_no_news),
		cmocka_unit_test(test_extreme_within_factor),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
