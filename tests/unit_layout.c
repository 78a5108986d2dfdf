// SPDX-License-Identifier: GPL-2.0
/*
 * tests/unit_layout.c: where the main screen's panes go (ui/layout.c), with the rows the
 * default panes had on a busy build machine: every pane's title line is on screen at every
 * size, the lines of a column add up to the column, the Processes pane keeps ten rows at
 * 120x40, panes stand side by side from 200 columns, an empty pane takes one line, the
 * focused pane gets more, and the layout moves by steps, not by every row.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "ui/layout.h"

/* syscalls, processes, hardirqs, softirqs, xcalls, tasklets, critical, containers */
enum { SYS, PROC, HARD, SOFT, XCALL, TASKLET, CRIT, CONT, NPANES };
static const unsigned int busy_rows[NPANES] = { 90, 48, 8, 6, 3, 0, 33, 2 };

static void panes_set(struct layout_pane *p, const unsigned int *rows, unsigned int focused)
{
	for (unsigned int i = 0; i < NPANES; i++)
		p[i] = (struct layout_pane){ .rows = layout_rows_step(rows[i]),
					     .focused = i == focused };
}

/* The screen of cols x lines: header 2 lines, footer 1 */
static unsigned int place(struct layout_pane *p, int cols, int lines)
{
	return layout_place(p, NPANES, (struct layout_box){ 0, 2, cols, lines - 3 });
}

/* Every pane on screen, inside the area, columns filled to the last line, no overlaps */
static void check_tiling(const struct layout_pane *p, int cols, int lines)
{
	for (unsigned int i = 0; i < NPANES; i++) {
		const struct layout_box *b = &p[i].box;

		assert_true(b->height >= 1);
		assert_true(b->y >= 2 && b->y + b->height <= lines - 1);
		assert_true(b->x >= 0 && b->x + b->width <= cols);
		for (unsigned int j = 0; j < i; j++) {
			const struct layout_box *o = &p[j].box;
			int apart = b->x >= o->x + o->width || o->x >= b->x + b->width ||
				    b->y >= o->y + o->height || o->y >= b->y + b->height;

			assert_true(apart);
		}
		/* the lowest pane of a column ends on the last line above the footer */
		if (i + 1 == NPANES || p[i + 1].box.x != b->x)
			assert_int_equal(b->y + b->height, lines - 1);
	}
}

static void test_rows_step(void **state)
{
	(void)state;
	assert_int_equal(layout_rows_step(0), 0);
	assert_int_equal(layout_rows_step(3), 3);
	assert_int_equal(layout_rows_step(5), 6);
	assert_int_equal(layout_rows_step(7), 8);
	assert_int_equal(layout_rows_step(9), 12);
	assert_int_equal(layout_rows_step(13), 16);
	assert_int_equal(layout_rows_step(33), 48);
	/* a row more or less inside a step moves nothing */
	assert_int_equal(layout_rows_step(17), layout_rows_step(24));
}

/*
 * Processes of the bench's load: 10 to 20 rows from one frame to the next. The height goes
 * up at once when they outgrow it, and stays while they come and go; it comes down only
 * after LAYOUT_SHRINK_FRAMES frames in which they fit in half of it
 */
static void test_rows_follow(void **state)
{
	static const unsigned int wobble[] = { 11, 17, 10, 14, 20, 12, 10, 19, 11, 13 };
	struct layout_memory m = { 0 };
	uint64_t seq = 1;

	(void)state;
	assert_int_equal(layout_rows_follow(&m, 11, seq++), 12);
	assert_int_equal(layout_rows_follow(&m, 17, seq++), 24);
	for (unsigned int i = 0; i < 5 * LAYOUT_SHRINK_FRAMES; i++)
		assert_int_equal(layout_rows_follow(&m, wobble[i % 10], seq++), 24);
	/* quiet: 3 rows, in half of 24; down at the LAYOUT_SHRINK_FRAMES-th frame, not before */
	for (unsigned int i = 1; i < LAYOUT_SHRINK_FRAMES; i++)
		assert_int_equal(layout_rows_follow(&m, 3, seq++), 24);
	assert_int_equal(layout_rows_follow(&m, 3, seq++), 3);
	/* a row that comes now and then (a late timer) keeps a pane open ... */
	m = (struct layout_memory){ 0 };
	assert_int_equal(layout_rows_follow(&m, 1, 100), 1);
	assert_int_equal(layout_rows_follow(&m, 0, 100 + LAYOUT_SHRINK_FRAMES - 1), 1);
	assert_int_equal(layout_rows_follow(&m, 1, 100 + LAYOUT_SHRINK_FRAMES), 1);
	/* ... and it folds when none came for that long */
	assert_int_equal(layout_rows_follow(&m, 0, 100 + 2 * LAYOUT_SHRINK_FRAMES), 0);
	/* frames numbered anew (a replay from its start): no frame in between is counted */
	m = (struct layout_memory){ 8, 500 };
	assert_int_equal(layout_rows_follow(&m, 2, 10), 8);
	assert_int_equal(layout_rows_follow(&m, 2, 10 + LAYOUT_SHRINK_FRAMES), 2);
}

static void test_sizes(void **state)
{
	static const int sizes[][2] = { { 80, 24 }, { 120, 40 }, { 160, 60 }, { 200, 50 },
					{ 300, 80 } };
	struct layout_pane p[NPANES];

	(void)state;
	for (unsigned int s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++)
		for (unsigned int focused = 0; focused < NPANES; focused++) {
			panes_set(p, busy_rows, focused);
			assert_true(place(p, sizes[s][0], sizes[s][1]) >= 1);
			check_tiling(p, sizes[s][0], sizes[s][1]);
			/* the focused pane is open: title, column titles, rows */
			assert_true(p[focused].box.height >= 3);
		}
}

static void test_120x40(void **state)
{
	struct layout_pane p[NPANES];

	(void)state;
	panes_set(p, busy_rows, SYS);
	assert_int_equal(place(p, 120, 40), 1);
	/* ten rows of processes under their title and column titles */
	assert_true(p[PROC].box.height >= 12);
	assert_true(p[SYS].box.height > p[PROC].box.height);
	/* the empty pane: its title line */
	assert_int_equal(p[TASKLET].box.height, 1);
}

static void test_160x60_small_panes_open(void **state)
{
	struct layout_pane p[NPANES];

	(void)state;
	panes_set(p, busy_rows, SYS);
	assert_int_equal(place(p, 160, 60), 1);
	/* room enough: the IRQ panes show all their rows */
	assert_int_equal(p[HARD].box.height, (int)layout_rows_step(8) + 2);
	assert_int_equal(p[SOFT].box.height, (int)layout_rows_step(6) + 2);
	assert_true(p[PROC].box.height >= 12);
}

static void test_side_by_side(void **state)
{
	struct layout_pane p[NPANES];

	(void)state;
	panes_set(p, busy_rows, SYS);
	assert_int_equal(place(p, 200, 50), 2);
	assert_int_equal(p[SYS].box.x, 0);
	assert_true(p[CONT].box.x >= LAYOUT_COLUMN_WIDTH - LAYOUT_GAP);
	assert_true(p[SYS].box.width + p[CONT].box.width + LAYOUT_GAP == 200);
	assert_true(p[PROC].box.height >= 12);
	assert_int_equal(place(p, 199, 50), 1);
	panes_set(p, busy_rows, SYS);
	assert_int_equal(place(p, 300, 80), 3);
	check_tiling(p, 300, 80);
}

static void test_focus_grows(void **state)
{
	struct layout_pane p[NPANES];
	int before;

	(void)state;
	panes_set(p, busy_rows, SYS);
	place(p, 120, 40);
	before = p[CRIT].box.height;
	panes_set(p, busy_rows, CRIT);
	place(p, 120, 40);
	assert_true(p[CRIT].box.height > before);
	assert_true(p[CRIT].box.height >= 12);
}

static void test_all_fit(void **state)
{
	static const unsigned int quiet[NPANES] = { 6, 6, 3, 2, 1, 0, 0, 1 };
	struct layout_pane p[NPANES];

	(void)state;
	panes_set(p, quiet, PROC);
	assert_int_equal(place(p, 120, 40), 1);
	check_tiling(p, 120, 40);
	/* every pane shows every row; the rest of the column goes to the focused pane */
	assert_int_equal(p[SYS].box.height, (int)layout_rows_step(6) + 2);
	assert_int_equal(p[HARD].box.height, 5);
	assert_int_equal(p[CRIT].box.height, 1);
	assert_true(p[PROC].box.height > 8);
}

static void test_too_small(void **state)
{
	struct layout_pane p[NPANES];

	(void)state;
	panes_set(p, busy_rows, SYS);
	/* 9 lines for 8 titles and an open pane: not enough */
	assert_int_equal(place(p, 80, 12), 0);
	assert_int_equal(place(p, 80, 13), 1);
	check_tiling(p, 80, 13);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows_step),
		cmocka_unit_test(test_rows_follow),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_120x40),
		cmocka_unit_test(test_160x60_small_panes_open),
		cmocka_unit_test(test_side_by_side),
		cmocka_unit_test(test_focus_grows),
		cmocka_unit_test(test_all_fit),
		cmocka_unit_test(test_too_small),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
