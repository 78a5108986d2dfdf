// SPDX-License-Identifier: GPL-2.0
/*
 * tests/unit_damp.c: the damping of numbers on screen (ui/damp.c): a small wobble keeps
 * what is shown, a real change or an old text is drawn, exact cells always are, the
 * memory of rows follows row keys, rows pass each other only for a clear difference, rows
 * that had nothing to count keep their lines a while, and rows pushed along keep their texts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
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

static void test_text(void **state)
{
	static struct damp_table d;
	struct damp_row *r;

	(void)state;
	damp_reset(&d);
	r = damp_row(&d, 42, 1);
	assert_string_equal(damp_text(r, 3, 100, 0, "100", 1, false), "100");
	/* a wobble: the old text stays for DAMP_MAX_FRAMES frames */
	for (uint64_t f = 2; f < 1 + DAMP_MAX_FRAMES; f++)
		assert_string_equal(damp_text(r, 3, 105, 0, "105", f, false), "100");
	assert_string_equal(damp_text(r, 3, 105, 0, "105", 1 + DAMP_MAX_FRAMES, false), "105");
	/* a jump is drawn at once; an exact cell is always drawn */
	assert_string_equal(damp_text(r, 3, 300, 0, "300", 7, false), "300");
	assert_string_equal(damp_text(r, 3, 301, 0, "301", 8, true), "301");
	assert_string_equal(damp_text(r, 3, 302, 0, "302", 9, false), "301");
	/* text too long to remember: drawn as it is */
	assert_string_equal(damp_text(r, 4, 1, 0, "0123456789abcdefghij", 9, false),
			    "0123456789abcdefghij");
	assert_string_equal(damp_text(r, 4, 1, 0, "0123456789abcdefghiJ", 10, false),
			    "0123456789abcdefghiJ");
	/* columns past the memory: drawn as they are */
	assert_string_equal(damp_text(r, DAMP_COLUMNS, 1, 0, "1", 10, false), "1");
	/* a reset forgets */
	damp_reset(&d);
	r = damp_row(&d, 42, 11);
	assert_string_equal(damp_text(r, 3, 302, 0, "302", 11, false), "302");
	/* the row count of a title: a cell of its own, forgotten by a reset too */
	damp_cell_text(&d.count, 10, 0, "10", 11, false);
	assert_string_equal(damp_cell_text(&d.count, 11, 0, "11", 12, false), "10");
	damp_reset(&d);
	assert_string_equal(damp_cell_text(&d.count, 11, 0, "11", 12, false), "11");
}

static void test_spark(void **state)
{
	static struct damp_table d;
	struct damp_row *r;

	(void)state;
	damp_reset(&d);
	r = damp_row(&d, 1, 1);
	assert_string_equal(damp_spark(r, "abc", 1, false), "abc");
	for (uint64_t f = 2; f < 1 + DAMP_MAX_FRAMES; f++)
		assert_string_equal(damp_spark(r, "bcd", f, false), "abc");
	assert_string_equal(damp_spark(r, "cde", 1 + DAMP_MAX_FRAMES, false), "cde");
	/* the selected row: current every frame */
	assert_string_equal(damp_spark(r, "def", 2 + DAMP_MAX_FRAMES, true), "def");
}

static void test_rows(void **state)
{
	static struct damp_table d;
	struct damp_row *first;

	(void)state;
	damp_reset(&d);
	first = damp_row(&d, 7, 1);
	damp_text(first, 1, 10, 0, "10", 1, false);
	/* the same key finds the same memory */
	assert_ptr_equal(damp_row(&d, 7, 2), first);
	/* more keys than room: the least recently seen is reused, the others stay */
	for (uint64_t k = 100; k < 100 + DAMP_ROWS - 1; k++)
		damp_row(&d, k, 3);
	assert_ptr_equal(damp_row(&d, 7, 4), first);
	assert_string_equal(first->cells[1].text, "10");
	assert_ptr_not_equal(damp_row(&d, 1000, 5), first); /* key 100 made room */
	assert_ptr_equal(damp_row(&d, 7, 5), first);
	damp_row(&d, 2000, 6); /* makes room with some key seen in frame 3, not 7 */
	assert_ptr_equal(damp_row(&d, 7, 6), first);
	assert_string_equal(first->cells[1].text, "10");
}

static void test_order(void **state)
{
	/* last shown: 0 1 2 3; row 1 grew a little, row 3 a lot, row 0 fell to nothing */
	const double value[] = { 0, 110, 100, 1000 };
	unsigned int order[] = { 0, 1, 2, 3 };
	/* ascending, last shown: 3 2 1 0 with the same values */
	unsigned int up[] = { 3, 2, 1, 0 };

	(void)state;
	damp_order(value, order, 4, false);
	/* 3 passes everything; 1 and 2 are close: they keep their places; 0 goes down */
	assert_int_equal(order[0], 3);
	assert_int_equal(order[1], 1);
	assert_int_equal(order[2], 2);
	assert_int_equal(order[3], 0);
	damp_order(value, up, 4, true);
	/* 0 passes all, 2 stays under 1 (close), 3 is largest: last */
	assert_int_equal(up[0], 0);
	assert_int_equal(up[1], 2);
	assert_int_equal(up[2], 1);
	assert_int_equal(up[3], 3);
	/* close values never swap, whatever their order */
	{
		const double close[] = { 100, 100 * DAMP_ORDER_FACTOR, 100 };
		unsigned int o[] = { 0, 1, 2 };

		damp_order(close, o, 3, false);
		assert_int_equal(o[0], 0);
		assert_int_equal(o[1], 1);
		assert_int_equal(o[2], 2);
	}
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
	static struct damp_table d;
	struct damp_row *r;

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
	/* a moving row keeps its texts, whatever the change; an exact one does not */
	damp_reset(&d);
	r = damp_row(&d, 1, 1);
	damp_text(r, 2, 100, 0, "100", 1, false);
	damp_spark(r, "abc", 1, false);
	r->moving = true;
	assert_string_equal(damp_text(r, 2, 1000, 0, "1000", 2, false), "100");
	assert_string_equal(damp_spark(r, "bcd", 2, false), "abc");
	assert_string_equal(damp_text(r, 2, 1000, 0, "1000", 2, true), "1000");
	/* the next frame it is drawn by the usual rule */
	r->moving = false;
	assert_string_equal(damp_text(r, 2, 2000, 0, "2000", 3, false), "2000");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keep_rule),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_spark),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_linger),
		cmocka_unit_test(test_moves_along),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
