// SPDX-License-Identifier: GPL-2.0
/*
 * tests/unit_pane.c: a pane draws the frames of the history without changing them. Frames
 * are read-only once made: the view orders an index of its own. Panes are drawn for real
 * (ui/pane.c on a curses screen written to /dev/null), frame after frame, sorted by a
 * count and by %TIME, with steady order, hysteresis and lingering rows at work, and with
 * the selection moved; every table of every frame is then compared byte for byte. And
 * panes side by side keep their rows on their lines where the order allows. A pane's title
 * and its NEW mark are those of the frame it shows.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <curses.h>

#include "core/intern.h"
#include "ui/ui_internal.h"

enum test_value {
	TEST_V_COUNT,
	TEST_V_TOTAL,
};

enum test_column {
	TEST_C_NAME,
	TEST_C_COUNT,
	TEST_C_TOTAL,
	TEST_C_SHARE,
};

static const struct table_column test_columns[] = {
	[TEST_C_NAME] = { "name", "NAME", COL_NAME, 0, 0, 16, false, "" },
	[TEST_C_COUNT] = { "count", "CALLS/s", COL_COUNT, TEST_V_COUNT, 0, 9, false, "" },
	[TEST_C_TOTAL] = { "total_ns", "TIME/s", COL_TIME, TEST_V_TOTAL, 0, 9, false, "" },
	[TEST_C_SHARE] = { "share", "%TIME", COL_SHARE, TEST_V_TOTAL, 0, 6, true, "" },
};

static const struct table_schema test_schema = {
	.id = "test_pane",
	.title = "Test pane",
	.columns = test_columns,
	.ncolumns = sizeof(test_columns) / sizeof(test_columns[0]),
	.sort_column = TEST_C_COUNT,
	.pane = true,
};

/* the same, as a pane of interrupt work: what comes new and hot there is marked */
static const struct table_schema test_charged_schema = {
	.id = "test_charged",
	.title = "Test charged",
	.columns = test_columns,
	.ncolumns = sizeof(test_columns) / sizeof(test_columns[0]),
	.sort_column = TEST_C_COUNT,
	.pane = true,
	.charged = true,
};

/* The same, whose rows named "hot" may not mark it (as idle rows in the critical pane) */
static bool test_alerts_not_hot(const struct table_row *r)
{
	return !r->name || strcmp(r->name, "hot") != 0;
}

static const struct table_schema test_picky_schema = {
	.id = "test_picky",
	.title = "Test picky",
	.columns = test_columns,
	.ncolumns = sizeof(test_columns) / sizeof(test_columns[0]),
	.sort_column = TEST_C_COUNT,
	.alerts = test_alerts_not_hot,
	.pane = true,
	.charged = true,
};

#define FRAMES 12
#define ROWS 24

/* What one frame's table held: its header and a copy of its rows */
struct snapshot {
	struct table table;
	struct table_row rows[ROWS];
};

struct fixture {
	struct ktop k;
	struct ui ui;
	SCREEN *screen;
	FILE *out, *in;
	struct snapshot snap[FRAMES];
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	if (!fx)
		return -1;
	fx->out = fopen("/dev/null", "w");
	fx->in = fopen("/dev/null", "r");
	fx->screen = fx->out && fx->in ? newterm("vt100", fx->out, fx->in) : NULL;
	if (!fx->screen || history_init(&fx->k.history, FRAMES) < 0)
		return -1;
	set_term(fx->screen);
	fx->ui.k = &fx->k;
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	endwin();
	delscreen(fx->screen);
	fclose(fx->out);
	fclose(fx->in);
	history_free(&fx->k.history);
	free(fx);
	return 0;
}

/* The next frame of the fixture's history, seq and a 1 s interval, and its test table */
static struct table *next_table(struct fixture *fx, uint64_t seq, const struct frame **frame)
{
	struct frame *f = history_next(&fx->k.history);
	struct table *t;

	f->seq = seq;
	f->interval_s = 1.0;
	t = frame_table(f, &test_schema);
	assert_non_null(t);
	*frame = f;
	return t;
}

/* Row key of t, named rowNN */
static struct table_row *named_row(struct table *t, uint64_t key)
{
	struct table_row *r = table_add_row(t, key);
	char name[32];

	assert_non_null(r);
	snprintf(name, sizeof(name), "row%02u", (unsigned int)key);
	r->name = intern(name);
	return r;
}

/*
 * Frame seq: ROWS rows added in an order no sort gives (keys shuffled), counts and times
 * that wobble a little from frame to frame (steady order and hysteresis keep places), a
 * few rows with nothing to count every third frame (they linger on their lines)
 */
static const struct frame *make_frame(struct fixture *fx, uint64_t seq)
{
	const struct frame *f;
	struct table *t = next_table(fx, seq, &f);

	for (unsigned int i = 0; i < ROWS; i++) {
		uint64_t key = (i * 7 + 3) % ROWS + 1;
		struct table_row *r;

		if (seq % 3 == 0 && key % 5 == 0)
			continue;
		r = named_row(t, key);
		r->v[TEST_V_COUNT] = key * 1000 + (seq * 37 + key * 11) % 150;
		r->v[TEST_V_TOTAL] = ((key * 13) % ROWS + 1) * 1000000 + (seq * 53) % 70000;
	}
	return f;
}

static void snapshot_all(struct fixture *fx)
{
	for (unsigned int age = 0; age < FRAMES; age++) {
		const struct frame *f = history_get(&fx->k.history, age);
		const struct table *t = f ? frame_table_const(f, &test_schema) : NULL;

		memset(&fx->snap[age], 0, sizeof(fx->snap[age]));
		if (!t)
			continue;
		assert_true(t->nrows <= ROWS);
		fx->snap[age].table = *t;
		memcpy(fx->snap[age].rows, t->rows, t->nrows * sizeof(*t->rows));
	}
}

/* Every table of every frame in the history is byte for byte what it was */
static void assert_unchanged(const struct fixture *fx)
{
	for (unsigned int age = 0; age < FRAMES; age++) {
		const struct frame *f = history_get(&fx->k.history, age);
		const struct table *t = f ? frame_table_const(f, &test_schema) : NULL;

		if (!t)
			continue;
		assert_memory_equal(t, &fx->snap[age].table, sizeof(*t));
		assert_memory_equal(t->rows, fx->snap[age].rows, t->nrows * sizeof(*t->rows));
	}
}

/* The rows drawn, top to bottom, are in column col's order but for places kept within
 * DAMP_ORDER_FACTOR (steady order, hysteresis); lingering rows are not in f */
static void assert_drawn_order(const struct pane_view *v, const struct frame *f,
			       unsigned int col)
{
	const struct table *t = frame_table_const(f, &test_schema);
	double last = 0;
	bool first = true;

	assert_true(v->nlines > 0);
	for (unsigned int i = 0; i < v->nlines; i++) {
		const struct table_row *r = table_find_row(t, v->line_keys[i]);
		double x;

		if (!r)
			continue;
		x = table_column_value(t, r, col, f->interval_s);
		if (!first)
			assert_true(x <= last * DAMP_ORDER_FACTOR);
		last = x;
		first = false;
	}
}

static void draw_frames(struct fixture *fx, unsigned int col)
{
	struct pane_view v = { .schema = &test_schema, .sort_column = (int)col };
	struct layout_box box = { 0, 0, 80, ROWS + 4 };

	for (uint64_t seq = 1; seq <= 2 * FRAMES; seq++) {
		const struct frame *f = make_frame(fx, seq);

		snapshot_all(fx);
		pane_draw(&fx->ui, &v, f, box, true);
		pane_draw(&fx->ui, &v, f, box, false);
		assert_drawn_order(&v, f, col);
		pane_move(&v, f, 3);
		assert_non_null(pane_selected(&v, f));
		pane_move_to(&v, f, true);
		/* an older frame, as a paused screen steps back to it */
		fx->ui.paused = true;
		pane_draw(&fx->ui, &v, history_get(&fx->k.history, seq > 1), box, true);
		fx->ui.paused = false;
		pane_draw(&fx->ui, &v, f, box, true);
		v.ascending = !v.ascending;
		pane_draw(&fx->ui, &v, f, box, true);
		v.ascending = !v.ascending;
		assert_unchanged(fx);
	}
	pane_view_free(&v);
}

static void test_sort_by_count_leaves_frames(void **state)
{
	struct fixture *fx = *state;

	draw_frames(fx, TEST_C_COUNT);
}

static void test_sort_by_share_leaves_frames(void **state)
{
	struct fixture *fx = *state;

	draw_frames(fx, TEST_C_SHARE);
}

/* The selection moves in the order drawn, not in the order the frame has its rows */
static void test_moves_follow_the_view(void **state)
{
	struct fixture *fx = *state;
	struct pane_view v = { .schema = &test_schema, .sort_column = TEST_C_TOTAL };
	const struct frame *f = make_frame(fx, 1000);
	const struct table_row *r;

	pane_draw(&fx->ui, &v, f, (struct layout_box){ 0, 0, 80, ROWS + 4 }, true);
	pane_move_to(&v, f, false);
	r = pane_selected(&v, f);
	assert_non_null(r);
	assert_int_equal(r->key, v.line_keys[0]);
	pane_move(&v, f, 1);
	r = pane_selected(&v, f);
	assert_non_null(r);
	assert_int_equal(r->key, v.line_keys[1]);
	pane_view_free(&v);
}

/* Frame seq with rows 1..ROWS counting 1000 + key (one band: any order of them is true to
 * within DAMP_ORDER_FACTOR), but gone (nothing to count), and spike counting spike_count */
static const struct frame *make_band_frame(struct fixture *fx, uint64_t seq, uint64_t gone,
					   uint64_t spike, double spike_count)
{
	const struct frame *f;
	struct table *t = next_table(fx, seq, &f);

	for (uint64_t key = 1; key <= ROWS; key++) {
		struct table_row *r;

		if (key == gone)
			continue;
		r = named_row(t, key);
		r->v[TEST_V_COUNT] = key == spike ? spike_count : 1000 + key;
		r->v[TEST_V_TOTAL] = 1000000;
	}
	return f;
}

/* How many lines hold another row than before[] (n lines) */
static unsigned int lines_changed(const uint64_t *before, unsigned int n,
				  const struct pane_view *v)
{
	unsigned int changed = 0;

	for (unsigned int i = 0; i < v->nlines || i < n; i++)
		changed += i >= n || i >= v->nlines || before[i] != v->line_keys[i];
	return changed;
}

/*
 * Panes side by side: the terminal cannot scroll part of a line, so each line that holds
 * another row is drawn anew. A row that goes leaves its line to one row, not every row
 * under it a line up; a row that shoots up takes the top line, and the rows it passes keep
 * theirs where the order allows. (Rows in one band: each is within DAMP_ORDER_FACTOR of
 * every other.)
 */
static void test_lines_kept_side_by_side(void **state)
{
	struct fixture *fx = *state;
	struct pane_view v = { .schema = &test_schema, .sort_column = TEST_C_COUNT };
	struct layout_box box = { 10, 0, 70, ROWS + 4 }; /* not the whole width */
	uint64_t before[UI_MAX_LINES], seq = 5000;
	unsigned int n;

	for (; seq < 5003; seq++)
		pane_draw(&fx->ui, &v, make_band_frame(fx, seq, 0, 0, 0), box, false);
	assert_int_equal(v.nlines, ROWS);
	/* row 5 has nothing to count: it lingers, then goes */
	for (; seq < 5003 + DAMP_LINGER_FRAMES + 2; seq++) {
		n = v.nlines;
		memcpy(before, v.line_keys, n * sizeof(*before));
		pane_draw(&fx->ui, &v, make_band_frame(fx, seq, 5, 0, 0), box, false);
		assert_true(lines_changed(before, n, &v) <= 2);
	}
	assert_int_equal(v.nlines, ROWS - 1);
	/* row 20, somewhere down, shoots up to 1000 times the others */
	n = v.nlines;
	memcpy(before, v.line_keys, n * sizeof(*before));
	pane_draw(&fx->ui, &v, make_band_frame(fx, seq++, 5, 20, 1e6), box, false);
	assert_int_equal(v.line_keys[0], 20);
	assert_true(lines_changed(before, n, &v) <= 3);
	pane_view_free(&v);
}

/* The text of screen line y, columns 0..79 */
static const char *screen_line(int y)
{
	static char line[81];

	mvinnstr(y, 0, line, 80);
	return line;
}

/*
 * A pane shows the title of the frame it draws: a collector's title says what it did in
 * that interval (the critical pane's, how it sampled), and a paused screen or a pane not
 * focused shows an older frame than the collector's last
 */
static void test_title_of_the_frame_drawn(void **state)
{
	struct fixture *fx = *state;
	struct pane_view v = { .schema = &test_schema, .sort_column = TEST_C_COUNT };
	struct layout_box box = { 0, 0, 80, 6 };
	const struct frame *older, *newer, *plain;
	char wide[201];
	struct table *t;

	t = next_table(fx, 7000, &older);
	named_row(t, 1)->v[TEST_V_COUNT] = 5;
	t->title = intern("Test pane, sampled at 250Hz");
	t = next_table(fx, 7001, &newer);
	named_row(t, 1)->v[TEST_V_COUNT] = 5;
	t->title = intern("Test pane, sampled at 1250Hz");
	t = next_table(fx, 7002, &plain);
	named_row(t, 1)->v[TEST_V_COUNT] = 5;

	fx->ui.paused = true;
	pane_draw(&fx->ui, &v, older, box, true);
	assert_non_null(strstr(screen_line(0), " Test pane, sampled at 250Hz "));
	pane_draw(&fx->ui, &v, newer, box, false);
	assert_non_null(strstr(screen_line(0), " Test pane, sampled at 1250Hz "));
	pane_draw_folded(&fx->ui, &v, older, (struct layout_box){ 0, 0, 80, 1 });
	assert_non_null(strstr(screen_line(0), " Test pane, sampled at 250Hz  top: row01"));
	/* a title with details after its name: at 80 columns the busiest row and its figure
	 * come before them (the name cut to keep the figure), at 200 all of it */
	t = frame_table((struct frame *)older, &test_schema);
	t->title = intern("Test pane >100us: detections, lower bounds  tick 250Hz, own 1000Hz "
			  "0/2 CPUs +0 irq/s  1ms caught 22%");
	t->rows[0].name = intern("external: pvm_irq_enable <- __raw_callee_save_pvm_irq_enable");
	pane_draw_folded(&fx->ui, &v, older, (struct layout_box){ 0, 0, 80, 1 });
	assert_non_null(strstr(screen_line(0), " Test pane >100us: detections, lower bounds  top: "
					       "external: pvm_irq_  CALLS/s 5 "));
	assert_null(strstr(screen_line(0), "tick 250Hz"));
	resize_term(24, 200);
	pane_draw_folded(&fx->ui, &v, older, (struct layout_box){ 0, 0, 200, 1 });
	mvinnstr(0, 0, wide, 200);
	resize_term(24, 80);
	assert_non_null(strstr(wide, "top: external: pvm_irq_enable <- __raw_callee_save_pvm_irq"
				     "_enable  CALLS/s 5  tick 250Hz, own 1000Hz 0/2 CPUs +0 irq/s"
				     "  1ms caught 22% "));
	/* focused, a title longer than the pane: what the collector says is cut, the focus
	 * mark and the sort stay (they were pushed off at 120 columns) */
	pane_draw(&fx->ui, &v, older, box, true);
	assert_non_null(strstr(screen_line(0), " Test pane >100us: detections, lower bounds  tick"));
	assert_non_null(strstr(screen_line(0), "~ *  sort: CALLS/s "));
	assert_null(strstr(screen_line(0), "caught"));
	fx->ui.paused = false;
	/* a frame whose collector said nothing: the schema's title */
	pane_draw(&fx->ui, &v, plain, box, true);
	assert_non_null(strstr(screen_line(0), " Test pane *"));
	/* a frame reused for a new tick starts without one */
	t = frame_table((struct frame *)older, &test_schema);
	table_reset(t);
	assert_null(t->title);
	pane_view_free(&v);
}

/* Frame seq of the charged pane (schema s): a quiet row, and a hot one when hot */
static const struct frame *make_frame_of(struct fixture *fx, const struct table_schema *s,
					 uint64_t seq, bool hot)
{
	struct frame *f = history_next(&fx->k.history);
	struct table *t = frame_table(f, s);
	struct table_row *r;

	assert_non_null(t);
	f->seq = seq;
	f->interval_s = 1.0;
	r = table_add_row(t, 1);
	assert_non_null(r);
	r->name = intern("quiet");
	r->v[TEST_V_COUNT] = 10;
	if (hot) {
		r = table_add_row(t, 2);
		assert_non_null(r);
		r->name = intern("hot");
		r->v[TEST_V_COUNT] = 10000;
	}
	return f;
}

static const struct frame *make_charged_frame(struct fixture *fx, uint64_t seq, bool hot)
{
	return make_frame_of(fx, &test_charged_schema, seq, hot);
}

/* A row the schema says may not mark the pane does not, however new and hot */
static void test_alert_only_rows_that_may(void **state)
{
	struct fixture *fx = *state;
	struct pane_view v = { .schema = &test_picky_schema, .sort_column = TEST_C_COUNT };

	for (uint64_t seq = 9001; seq <= 9012; seq++)
		make_frame_of(fx, &test_picky_schema, seq, seq >= 9012);
	assert_false(pane_alert_check(&fx->ui, &v, 0, 1));
	assert_string_equal(v.alert, "");
	pane_view_free(&v);
}

/*
 * The NEW mark is of the frame checked (the screen then shows that frame on the pane): a
 * row new and hot there against the frames before, not one that was there already, nor
 * one new in a later frame than the one checked
 */
static void test_alert_of_the_frame_checked(void **state)
{
	struct fixture *fx = *state;
	struct pane_view v = { .schema = &test_charged_schema, .sort_column = TEST_C_COUNT };

	/* seq 8001..8012: hot from 8010 on; the newest, 8012, is age 0 */
	for (uint64_t seq = 8001; seq <= 8012; seq++)
		make_charged_frame(fx, seq, seq >= 8010);
	/* 8009 (age 3): nothing new there; hot came after it */
	assert_false(pane_alert_check(&fx->ui, &v, 3, 4));
	assert_string_equal(v.alert, "");
	/* the newest frame against the one before it: hot is not new any more */
	assert_false(pane_alert_check(&fx->ui, &v, 0, 1));
	assert_string_equal(v.alert, "");
	/* 8010, where it came */
	assert_true(pane_alert_check(&fx->ui, &v, 2, 3));
	assert_string_equal(v.alert, "hot");
	v.alert[0] = '\0';
	/* 8012 against 8009 and before (a pane that showed 8009 last) */
	assert_true(pane_alert_check(&fx->ui, &v, 0, 3));
	assert_string_equal(v.alert, "hot");
	v.alert[0] = '\0';
	/* not enough frames kept before: nothing to compare with */
	assert_false(pane_alert_check(&fx->ui, &v, 0, FRAMES - UI_ALERT_FRAMES + 1));
	assert_string_equal(v.alert, "");
	pane_view_free(&v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sort_by_count_leaves_frames),
		cmocka_unit_test(test_alert_only_rows_that_may),
		cmocka_unit_test(test_sort_by_share_leaves_frames),
		cmocka_unit_test(test_moves_follow_the_view),
		cmocka_unit_test(test_lines_kept_side_by_side),
		cmocka_unit_test(test_title_of_the_frame_drawn),
		cmocka_unit_test(test_alert_of_the_frame_checked),
	};

	if (frame_register_schema(&test_schema) < 0 ||
	    frame_register_schema(&test_charged_schema) < 0 ||
	    frame_register_schema(&test_picky_schema) < 0)
		return 1;
	return cmocka_run_group_tests(tests, setup, teardown);
}
