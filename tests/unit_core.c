// SPDX-License-Identifier: GPL-2.0
/* tests/unit_core.c: the pure parts of core/: histograms, tables, frames and history,
 * deltas, interning, formatting, batch text, syscall names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "core/delta.h"
#include "core/format.h"
#include "core/frame.h"
#include "core/intern.h"
#include "core/output.h"
#include "core/syscall_names.h"
#include "core/table.h"

static const struct table_column test_columns[] = {
	{ "name", "NAME", COL_NAME, 0, 0, 10, false, "" },
	{ "count", "N/s", COL_COUNT, 0, 0, 6, false, "" },
	{ "total_ns", "T/s", COL_TIME, 1, 0, 6, false, "" },
	{ "avg_ns", "AVG", COL_AVERAGE, 1, 0, 6, true, "" },
	{ "share", "%", COL_SHARE, 1, 0, 5, true, "" },
};

static const struct table_schema test_schema = {
	.id = "test", .title = "Test", .columns = test_columns, .ncolumns = 5,
	.sort_column = 1, .max_rows = 3, .hist_count = 1, .hist_names = { "x" },
};

static const struct table_schema test_pane_schema = {
	.id = "test_pane", .title = "Test pane", .columns = test_columns, .ncolumns = 5,
	.sort_column = 1, .hist_count = 1, .hist_names = { "x" }, .pane = true,
};

static void test_hist_slot(void **state)
{
	(void)state;
	assert_int_equal(hist_slot(0), 0);
	assert_int_equal(hist_slot(1), 0);
	assert_int_equal(hist_slot(2), 1);
	assert_int_equal(hist_slot(3), 1);
	assert_int_equal(hist_slot(1024), 10);
	assert_int_equal(hist_slot(2047), 10);
	assert_int_equal(hist_slot(UINT64_MAX), HIST_SLOTS - 1);
	assert_int_equal(hist_slot_floor(10), 1024);
}

static void test_hist_quantile(void **state)
{
	struct hist h = { 0 };
	uint64_t p50;

	(void)state;
	assert_int_equal(hist_quantile(&h, 0.5), 0);
	h.slot[10] = 50; /* [1024, 2048) */
	h.slot[20] = 50; /* [1 Mi, 2 Mi) */
	p50 = hist_quantile(&h, 0.5);
	assert_true(p50 >= 1024 && p50 <= 2048);
	assert_true(hist_quantile(&h, 0.99) >= (1u << 20));
	assert_int_equal(hist_total(&h), 100);
}

static void test_table_rows_and_values(void **state)
{
	struct table t = { .schema = &test_schema };
	struct table_row *r;

	(void)state;
	for (uint64_t k = 1; k <= 5; k++) {
		r = table_add_row(&t, k);
		assert_non_null(r);
		r->name = intern(k % 2 ? "odd" : "even");
		r->v[0] = k * 10;     /* count */
		r->v[1] = k * 1000;   /* total ns */
	}
	assert_int_equal(t.nrows, 5);
	r = table_find_row(&t, 3);
	assert_non_null(r);
	/* 30 events in 0.5 s are 60/s; average 3000/30 = 100 ns; share 3000/15000 */
	assert_true(table_column_value(&t, r, 1, 0.5) == 60.0);
	assert_true(table_column_value(&t, r, 3, 0.5) == 100.0);
	assert_true(table_column_value(&t, r, 4, 0.5) == 20.0);
	table_sort(&t, 1, false, 1.0);
	assert_int_equal(t.rows[0].key, 5);
	table_sort(&t, 1, true, 1.0);
	assert_int_equal(t.rows[0].key, 1);
	/* the share column (4) orders rows as its source does, both ways */
	table_sort(&t, 4, false, 1.0);
	for (unsigned int i = 0; i < 5; i++)
		assert_int_equal(t.rows[i].key, 5 - i);
	table_sort(&t, 4, true, 1.0);
	for (unsigned int i = 0; i < 5; i++)
		assert_int_equal(t.rows[i].key, i + 1);
	/* by name, descending: "odd" rows first, ties by key */
	table_sort(&t, 0, false, 1.0);
	assert_string_equal(t.rows[0].name, "odd");
	assert_int_equal(t.rows[0].key, 1);
	assert_string_equal(t.rows[4].name, "even");
	assert_int_equal(t.rows[4].key, 4);
	table_sort(&t, 1, false, 1.0);
	table_trim(&t); /* keeps the 3 largest by the default sort */
	assert_int_equal(t.nrows, 3);
	assert_int_equal(t.dropped_rows, 2);
	assert_int_equal(t.rows[0].key, 5);
	assert_int_equal(table_column_index(&test_schema, "avg_ns"), 3);
	assert_int_equal(table_column_index(&test_schema, "nope"), -1);
	table_free(&t);
}

/* The rows of a table as they are now, to compare with after an index sort */
static struct table_row *rows_copy(const struct table *t)
{
	struct table_row *copy = malloc(t->nrows * sizeof(*copy));

	assert_non_null(copy);
	memcpy(copy, t->rows, t->nrows * sizeof(*copy));
	return copy;
}

/* Rows by key through the index: the rows already there are found, a new key is added
 * once and found again, and the rows stay in t in the order they came */
static void test_table_keyed(void **state)
{
	struct table t = { .schema = &test_schema };
	struct table_keyed k = { 0 };
	struct table_row *r;
	bool added;

	(void)state;
	for (uint64_t key = 100; key < 103; key++)
		assert_non_null(table_add_row(&t, key));
	assert_int_equal(table_keyed_start(&k, &t), 0);
	r = table_keyed_row(&k, 101, &added);
	assert_non_null(r);
	assert_false(added);
	assert_ptr_equal(r, &t.rows[1]);
	assert_null(table_keyed_find(&k, 5000));
	/* thousands of keys, each summed into its row many times, the table growing */
	for (int round = 0; round < 3; round++) {
		for (uint64_t key = 1000; key < 6000; key++) {
			r = table_keyed_row(&k, key, &added);
			assert_non_null(r);
			assert_int_equal(r->key, key);
			assert_int_equal(added, round == 0);
			r->v[0] += key;
		}
	}
	assert_int_equal(t.nrows, 3 + 5000);
	for (unsigned int i = 3; i < t.nrows; i++)
		assert_int_equal(t.rows[i].v[0], 3 * t.rows[i].key);
	assert_ptr_equal(table_keyed_find(&k, 4321), table_find_row(&t, 4321));
	/* a new tick: the table emptied, the index follows it */
	table_reset(&t);
	assert_int_equal(table_keyed_start(&k, &t), 0);
	assert_null(table_keyed_find(&k, 4321));
	table_keyed_free(&k);
	table_free(&t);
}

static void test_steady_sort(void **state)
{
	struct table t = { .schema = &test_schema };
	uint64_t shown[] = { 2, 1, 3 }; /* last drawn: 2 above 1 */
	unsigned int order[3];
	struct table_row *before;

	(void)state;
	/* 1 and 2 are within 25% of each other; 3 is far below */
	table_add_row(&t, 1)->v[0] = 1100; /* both in [1.25^31, 1.25^32) */
	table_add_row(&t, 2)->v[0] = 1050;
	table_add_row(&t, 3)->v[0] = 10;
	before = rows_copy(&t);
	assert_int_equal(table_order_steady(&t, 1, false, 1.0, shown, 3, order), 0);
	assert_int_equal(t.rows[order[0]].key, 2); /* kept its place though slightly smaller */
	assert_int_equal(t.rows[order[1]].key, 1);
	assert_int_equal(t.rows[order[2]].key, 3);
	/* an index sort leaves the rows where they are */
	assert_memory_equal(t.rows, before, t.nrows * sizeof(*before));
	t.rows[2].v[0] = 100000; /* a real change moves the row */
	table_order_steady(&t, 1, false, 1.0, shown, 3, order);
	assert_int_equal(t.rows[order[0]].key, 3);
	table_order_steady(&t, 1, false, 1.0, NULL, 0, order); /* no history: a plain sort */
	assert_int_equal(t.rows[order[1]].key, 1);
	free(before);
	table_free(&t);
}

/* Orders by a count, by a share (%TIME) and by name, both ways: the rows never move */
static void test_order_leaves_rows(void **state)
{
	struct table t = { .schema = &test_schema };
	unsigned int order[6];
	struct table_row *before;
	uint64_t shown[] = { 6, 5, 4, 3, 2, 1 };

	(void)state;
	/* keys 1..6 with counts and times out of order */
	for (uint64_t k = 1; k <= 6; k++) {
		struct table_row *r = table_add_row(&t, k);

		r->name = intern(k % 2 ? "odd" : "even");
		r->v[0] = (k * 37) % 11; /* count: 4 8 1 5 9 2 */
		r->v[1] = (k * 5) % 7 * 1000; /* total ns: 5 3 1 6 4 2 (thousands) */
	}
	before = rows_copy(&t);
	for (int asc = 0; asc < 2; asc++)
		for (unsigned int col = 0; col < test_schema.ncolumns; col++) {
			table_order(&t, col, asc, 1.0, order);
			table_order_steady(&t, col, asc, 1.0, shown, 6, order);
			assert_memory_equal(t.rows, before, t.nrows * sizeof(*before));
		}
	/* by the share (4): the largest total first, as its source column orders them */
	table_order(&t, 4, false, 1.0, order);
	for (unsigned int i = 1; i < 6; i++)
		assert_true(t.rows[order[i - 1]].v[1] >= t.rows[order[i]].v[1]);
	table_order(&t, 4, true, 1.0, order);
	for (unsigned int i = 1; i < 6; i++)
		assert_true(t.rows[order[i - 1]].v[1] <= t.rows[order[i]].v[1]);
	/* by count (1), descending */
	table_order(&t, 1, false, 1.0, order);
	for (unsigned int i = 1; i < 6; i++)
		assert_true(t.rows[order[i - 1]].v[0] >= t.rows[order[i]].v[0]);
	free(before);
	table_free(&t);
}

/* The share's column sum is taken once per sort, not once per row or comparison: 100 000
 * rows by %TIME take about what they take by a plain column, where a sum per row takes
 * 10^10 additions. Both timed in this run (an emulated guest took 2.3 s for the two) */
static double order_cpu_s(struct table *t, unsigned int col, unsigned int *order)
{
	uint64_t shown[64];
	clock_t start;

	for (unsigned int i = 0; i < 64; i++)
		shown[i] = i + 1;
	start = clock();
	table_order(t, col, false, 1.0, order);
	table_order_steady(t, col, false, 1.0, shown, 64, order);
	return (double)(clock() - start) / CLOCKS_PER_SEC;
}

static void test_share_sort_not_quadratic(void **state)
{
	struct table t = { .schema = &test_pane_schema };
	unsigned int n = 100000, *order = malloc(n * sizeof(*order));
	double plain_s, share_s;

	(void)state;
	assert_non_null(order);
	for (unsigned int i = 0; i < n; i++)
		table_add_row(&t, i + 1)->v[1] = (uint64_t)(i * 7919u % n) * 1000 + 1;
	plain_s = order_cpu_s(&t, 1, order); /* by count: no sum */
	share_s = order_cpu_s(&t, 4, order);
	print_message("# two orders of %u rows: %.3f s of CPU by share, %.3f s by count\n", n,
		      share_s, plain_s);
	/* a sum per row would be thousands of times the plain sort */
	assert_true(share_s < 4 * plain_s + 0.05);
	free(order);
	table_free(&t);
}

static void test_history_ring(void **state)
{
	struct history h;
	struct frame *f;
	struct table_row *r;
	struct hist *hist;

	(void)state;
	assert_int_equal(frame_register_schema(&test_schema), 0);
	assert_int_equal(history_init(&h, 4), 0);
	assert_null(history_get(&h, 0));
	for (uint64_t seq = 1; seq <= 10; seq++) {
		f = history_next(&h);
		f->seq = seq;
		r = table_add_row(frame_table(f, &test_schema), seq);
		assert_non_null(r);
		hist = frame_row_hist(f, r, 0);
		assert_non_null(hist);
		hist->slot[3] = (uint32_t)seq;
	}
	assert_int_equal(h.count, 4);
	assert_int_equal(history_get(&h, 0)->seq, 10);
	assert_int_equal(history_get(&h, 3)->seq, 7);
	assert_null(history_get(&h, 4));
	f = history_get(&h, 1);
	r = &frame_table(f, &test_schema)->rows[0];
	assert_int_equal(frame_row_hist_const(f, r, 0)->slot[3], 9);
	assert_null(frame_row_hist_const(f, r, 1));
	/* a reused frame starts empty */
	assert_int_equal(frame_table(history_next(&h), &test_schema)->nrows, 0);
	history_free(&h);
}

/* Fill a frame: rows 1..n in both tables, count = key, each with a histogram holding key */
static void fill_frame(struct frame *f, uint64_t seq, unsigned int n)
{
	const struct table_schema *schemas[] = { &test_pane_schema, &test_schema };

	f->seq = seq;
	for (unsigned int s = 0; s < 2; s++)
		for (uint64_t key = 1; key <= n; key++) {
			struct table_row *r = table_add_row(frame_table(f, schemas[s]), key);

			assert_non_null(r);
			r->v[0] = key;
			frame_row_hist(f, r, 0)->slot[3] = (uint32_t)key;
		}
}

/* a packed histogram reads back slot for slot: empty ends, both end slots, large counts */
static void test_history_packed_hists(void **state)
{
	static const uint32_t counts[] = { 0, 1, 127, 128, 16383, 16384, 0, UINT32_MAX };
	struct history h;
	struct hist want[4];
	struct frame *f;

	(void)state;
	assert_int_equal(frame_register_schema(&test_schema), 0);
	memset(want, 0, sizeof(want));
	for (unsigned int i = 0; i < HIST_SLOTS; i++)
		want[0].slot[i] = counts[i % 8] ^ i;
	want[1].slot[HIST_SLOTS - 1] = UINT32_MAX;
	want[2].slot[0] = 1;
	/* want[3] empty */
	assert_int_equal(history_init(&h, 3), 0);
	f = history_next(&h);
	for (unsigned int i = 0; i < 4; i++) {
		struct table_row *r = table_add_row(frame_table(f, &test_schema), i);

		*frame_row_hist(f, r, i % 2) = want[i];
	}
	history_next(&h);
	history_compact(&h);
	f = history_get(&h, 1);
	assert_true(f->hists_packed);
	for (unsigned int i = 0; i < 4; i++) {
		const struct table_row *r = &frame_table(f, &test_schema)->rows[i];

		assert_memory_equal(frame_row_hist_const(f, r, i % 2), &want[i], sizeof(want[i]));
		assert_null(frame_row_hist_const(f, r, 1 - i % 2));
	}
	/* frames in the history are read-only */
	assert_null(frame_row_hist(f, &frame_table(f, &test_schema)->rows[0], 1));
	history_free(&h);
}

static void test_history_compact(void **state)
{
	const unsigned int exact = HISTORY_EXACT_FRAMES, old = 5;
	struct history h;
	struct frame *f;

	(void)state;
	assert_int_equal(frame_register_schema(&test_schema), 0);
	assert_int_equal(frame_register_schema(&test_pane_schema), 0);
	assert_int_equal(history_init(&h, exact + old), 0);
	for (uint64_t seq = 1; seq <= exact + old; seq++)
		fill_frame(history_next(&h), seq, 100);
	history_compact(&h);
	for (unsigned int age = 0; age < exact + old; age++) {
		const struct table *pane, *other;
		uint64_t least = UINT64_MAX;

		f = history_get(&h, age);
		pane = frame_table(f, &test_pane_schema);
		other = frame_table(f, &test_schema);
		assert_int_equal(other->nrows, 100); /* not a pane: whole */
		if (age < exact) {
			assert_false(f->compacted);
			assert_int_equal(pane->nrows, 100);
			/* all but the newest in blocks of their size */
			assert_int_equal(pane->capacity, age ? 100 : 128);
			/* the newest in its pool, the others packed: 3 bytes a histogram here */
			assert_int_equal(f->hist_capacity, age ? 0 : 256);
			assert_int_equal(f->hists_packed, age != 0);
			assert_int_equal(f->packed_size, age ? 200 * 3 : 0);
			assert_int_equal(frame_row_hist_const(f, &pane->rows[41], 0)->slot[3],
					 pane->rows[41].key);
			assert_null(frame_row_hist_const(f, &pane->rows[41], 1));
			continue;
		}
		/* old: the 64 largest, the rest counted as dropped, the room given back */
		assert_true(f->compacted);
		assert_int_equal(pane->nrows, HISTORY_OLD_ROWS);
		assert_int_equal(pane->dropped_rows, 100 - HISTORY_OLD_ROWS);
		assert_int_equal(other->capacity, 100); /* not a pane: all rows, in a block their size */
		/* the histograms of the rows kept, and no others */
		assert_int_equal(f->packed_size, (HISTORY_OLD_ROWS + 100) * 3);
		for (unsigned int i = 0; i < other->nrows; i++)
			assert_int_equal(frame_row_hist_const(f, &other->rows[i], 0)->slot[3],
					 other->rows[i].key);
		for (unsigned int i = 0; i < pane->nrows; i++) {
			const struct table_row *r = &pane->rows[i];

			if (r->v[0] < least)
				least = r->v[0];
			/* each kept row still finds its own histogram */
			assert_int_equal(frame_row_hist_const(f, r, 0)->slot[3], r->key);
		}
		assert_int_equal(least, 100 - HISTORY_OLD_ROWS + 1);
	}
	/* a cut-down frame reused for a new tick holds whole tables again, in the large block
	 * the last frame cut down gave back (so the heap is not grown again) */
	f = history_next(&h);
	assert_false(f->compacted);
	assert_false(f->shrunk);
	assert_int_equal(frame_table(f, &test_pane_schema)->capacity, 128);
	assert_int_equal(f->hist_capacity, 256);
	fill_frame(f, exact + old + 1, 100);
	assert_int_equal(frame_table(f, &test_pane_schema)->nrows, 100);
	history_free(&h);
}

/* Row key of frame seq as fill_rich() makes it, checked field by field */
static const char *const rich_names[] = { "a", "bb", "ccc", "systemd-journal", "e", "f", "g" };
static const char *const rich_stack[] = { "do_syscall_64", "entry_SYSCALL_64", "x" };

static void fill_rich(struct frame *f, uint64_t seq, unsigned int n)
{
	f->seq = seq;
	frame_table(f, &test_pane_schema)->title = rich_names[seq % 7];
	for (uint64_t key = 1; key <= n; key++) {
		struct table_row *r = table_add_row(frame_table(f, &test_pane_schema), key);

		assert_non_null(r);
		r->name = rich_names[key % 7];
		r->label = key % 3 ? rich_names[(key + seq) % 7] : NULL;
		if (key % 5 == 0) {
			r->strings = rich_stack;
			r->nstrings = 3;
		}
		r->v[0] = key;
		r->v[2] = seq * key;
		r->v[5] = key % 2 ? UINT64_MAX : 0;
		r->v[TABLE_MAX_VALUES - 1] = 1ull << 40 | key;
		frame_row_hist(f, r, 0)->slot[3] = (uint32_t)key;
		if (key % 4 == 0)
			frame_row_hist(f, r, 1)->slot[HIST_SLOTS - 1] = (uint32_t)seq;
	}
}

static void check_rich(const struct frame *f, uint64_t seq, unsigned int n)
{
	const struct table *t = frame_table_const(f, &test_pane_schema);

	assert_int_equal(f->seq, seq);
	assert_ptr_equal(t->title, rich_names[seq % 7]); /* the frame's own title */
	assert_int_equal(t->nrows, n);
	for (unsigned int i = 0; i < t->nrows; i++) {
		const struct table_row *r = &t->rows[i];
		uint64_t key = r->key;

		assert_ptr_equal(r->name, rich_names[key % 7]);
		assert_ptr_equal(r->label, key % 3 ? rich_names[(key + seq) % 7] : NULL);
		assert_ptr_equal(r->strings, key % 5 ? NULL : rich_stack);
		assert_int_equal(r->nstrings, key % 5 ? 0 : 3);
		assert_int_equal(r->v[0], key);
		assert_int_equal(r->v[1], 0);
		assert_int_equal(r->v[2], seq * key);
		assert_int_equal(r->v[5], key % 2 ? UINT64_MAX : 0);
		assert_int_equal(r->v[TABLE_MAX_VALUES - 1], 1ull << 40 | key);
		assert_int_equal(frame_row_hist_const(f, r, 0)->slot[3], key);
		if (key % 4)
			assert_null(frame_row_hist_const(f, r, 1));
		else
			assert_int_equal(frame_row_hist_const(f, r, 1)->slot[HIST_SLOTS - 1], seq);
	}
}

/* frames HISTORY_PLAIN_FRAMES old and older are kept encoded and read back as they were */
static void test_history_encoded(void **state)
{
	const unsigned int n = 100, frames = HISTORY_EXACT_FRAMES + 40;
	struct history h;
	const struct frame *held;
	size_t before, after;

	(void)state;
	assert_int_equal(frame_register_schema(&test_pane_schema), 0);
	assert_int_equal(history_init(&h, frames), 0);
	for (uint64_t seq = 1; seq <= frames; seq++)
		fill_rich(history_next(&h), seq, n);
	/* whole and in blocks of their size first (one compaction after the other) */
	before = history_bytes(&h);
	history_compact(&h);
	after = history_bytes(&h);
	print_message("# %u frames of %u rows: %zu bytes as rows, %zu with the old ones encoded\n",
		      frames, n, before, after);
	assert_true(after * 3 < before);
	for (unsigned int age = 0; age < frames; age++) {
		const struct frame *f = history_get(&h, age);

		assert_non_null(f);
		assert_int_equal(history_seq(&h, age), frames - age);
		assert_int_equal(history_age_of(&h, frames - age), age);
		if (age < HISTORY_EXACT_FRAMES) {
			check_rich(f, frames - age, n);
			continue;
		}
		/* cut down while encoded: the largest rows, their histograms packed again */
		check_rich(f, frames - age, HISTORY_OLD_ROWS);
		assert_int_equal(frame_table_const(f, &test_pane_schema)->dropped_rows,
				 n - HISTORY_OLD_ROWS);
	}
	assert_int_equal(history_age_of(&h, frames + 1), -1);
	/* a copy stays good while fewer than HISTORY_DECODED_FRAMES others are read */
	held = history_get(&h, HISTORY_PLAIN_FRAMES);
	for (unsigned int i = 1; i < HISTORY_DECODED_FRAMES; i++)
		assert_non_null(history_get(&h, HISTORY_PLAIN_FRAMES + i));
	check_rich(held, frames - HISTORY_PLAIN_FRAMES, n);
	/* the oldest frame reused: its copy is not what the new frame reads */
	assert_int_equal(history_get(&h, frames - 1)->seq, 1);
	fill_rich(history_next(&h), frames + 1, 3);
	check_rich(history_get(&h, 0), frames + 1, 3);
	assert_int_equal(history_get(&h, frames - 1)->seq, 2);
	/* compacting again keeps every frame as it was */
	history_compact(&h);
	check_rich(history_get(&h, HISTORY_PLAIN_FRAMES), frames + 1 - HISTORY_PLAIN_FRAMES, n);
	check_rich(history_get(&h, HISTORY_EXACT_FRAMES), frames + 1 - HISTORY_EXACT_FRAMES,
		   HISTORY_OLD_ROWS);
	history_free(&h);
}

static void test_delta(void **state)
{
	struct delta_set d = { 0 };
	uint64_t a[DELTA_VALUES] = { 10, 1, 100, 0 }, b[DELTA_VALUES] = { 5, 0, 50, 0 };
	size_t n;

	(void)state;
	assert_int_equal(delta_push(&d, 7, a), 0);
	assert_int_equal(delta_push(&d, 3, b), 0);
	n = delta_finish(&d);
	assert_int_equal(n, 2);
	assert_int_equal(d.diff[0].key, 3); /* sorted */
	assert_int_equal(d.diff[1].v[0], 10); /* first sight counts from zero */
	a[0] = 25, a[2] = 400;
	b[0] = 2; /* went backwards: recreated, counts from zero */
	delta_push(&d, 7, a);
	delta_push(&d, 3, b);
	n = delta_finish(&d);
	assert_int_equal(n, 2);
	assert_int_equal(d.diff[1].v[0], 15);
	assert_int_equal(d.diff[1].v[2], 300);
	assert_int_equal(d.diff[0].v[0], 2);
	/* a key whose counters did not move is left out, whatever the others did */
	delta_push(&d, 7, a);
	b[3] = 1;
	delta_push(&d, 3, b);
	n = delta_finish(&d);
	assert_int_equal(n, 1);
	assert_int_equal(d.diff[0].key, 3);
	assert_int_equal(d.diff[0].v[3], 1);
	assert_int_equal(d.diff[0].v[0], 0);
	delta_free(&d);
}

static void test_delta_top(void **state)
{
	struct delta_set d = { 0 };
	size_t n;

	(void)state;
	/* keys 1..10 grew by key % 4 * 10: 0 for 4 and 8, 30 for 3 and 7 */
	for (uint64_t k = 1; k <= 10; k++) {
		uint64_t v[DELTA_VALUES] = { k % 4 * 10, 0, 0, 0 };

		delta_push(&d, k, v);
	}
	n = delta_finish(&d);
	assert_int_equal(n, 8); /* 4 and 8 did not grow: left out */
	/* room for all: the eight that grew */
	assert_int_equal(delta_top(&d, n, 0, 100, NULL), 8);
	for (size_t i = 0; i < 8; i++)
		assert_int_not_equal(d.diff[i].v[0], 0);
	/* room for three: the largest first, ties by key */
	assert_int_equal(delta_top(&d, n, 0, 3, NULL), 3);
	assert_int_equal(d.diff[0].key, 3);
	assert_int_equal(d.diff[1].key, 7);
	assert_int_equal(d.diff[0].v[0], 30);
	assert_int_equal(d.diff[2].v[0], 20);
	assert_int_equal(d.diff[2].key, 2);
	/* a value that does not exist, or more entries than were pushed */
	assert_int_equal(delta_top(&d, n, DELTA_VALUES, 3, NULL), 0);
	assert_int_equal(delta_top(&d, n + 1, 0, 3, NULL), 0);
	delta_free(&d);
}

static void test_intern(void **state)
{
	char buf[8] = "abc";
	const char *a = intern(buf);

	(void)state;
	buf[0] = 'x';
	assert_string_equal(a, "abc");
	assert_ptr_equal(intern("abc"), a);
	assert_ptr_equal(intern_n("abcdef", 3), a);
	assert_null(intern(NULL));
}

/* -b prints a stack under its row, a frame a line, but not the Kubernetes names a pod's
 * container carries: its name already reads namespace/pod/container; -J keeps them */
static void test_text_strings(void **state)
{
	static const char *const stack[] = { "stack_frame_one", "stack_frame_two" };
	static const char *const k8s[] = { "ns-x", "pod-y", "ctr-z", "uid-1234" };
	static const struct table_schema stacks = {
		.id = "stacks", .title = "Stacks", .columns = test_columns, .ncolumns = 2,
		.strings_id = "stack",
	};
	static const struct table_schema pods = {
		.id = "pods", .title = "Pods", .columns = test_columns, .ncolumns = 2,
		.strings_id = "kubernetes",
	};
	struct ktop *k = calloc(1, sizeof(*k));
	struct frame *f = calloc(1, sizeof(*f));
	struct table_row *r;
	char *text = NULL, *json = NULL;
	size_t len;
	FILE *out;

	(void)state;
	assert_non_null(k);
	assert_non_null(f);
	f->interval_s = 1.0;
	f->ntables = 2;
	f->tables[0].schema = &stacks;
	f->tables[1].schema = &pods;
	r = table_add_row(&f->tables[0], 1);
	r->name = intern("section");
	r->strings = stack;
	r->nstrings = 2;
	r = table_add_row(&f->tables[1], 2);
	r->name = intern("ns-x/pod-y/ctr-z");
	r->strings = k8s;
	r->nstrings = 4;
	out = open_memstream(&text, &len);
	assert_non_null(out);
	output_frame_text(k, f, out);
	fclose(out);
	assert_non_null(strstr(text, "\n    stack_frame_one\n    stack_frame_two\n"));
	assert_non_null(strstr(text, "ns-x/pod-y/ctr-z"));
	assert_null(strstr(text, "uid-1234"));
	assert_null(strstr(text, "    ns-x\n"));
	out = open_memstream(&json, &len);
	assert_non_null(out);
	output_frame_json(k, f, out);
	fclose(out);
	assert_non_null(strstr(json, "\"kubernetes\":[\"ns-x\",\"pod-y\",\"ctr-z\",\"uid-1234\"]"));
	free(text);
	free(json);
	for (unsigned int i = 0; i < f->ntables; i++)
		table_free(&f->tables[i]);
	free(f);
	free(k);
}

static void test_format(void **state)
{
	char buf[32];

	(void)state;
	assert_string_equal(format_duration(0, buf, sizeof(buf)), "0");
	assert_string_equal(format_duration(850, buf, sizeof(buf)), "850ns");
	assert_string_equal(format_duration(12345, buf, sizeof(buf)), "12.3us");
	assert_string_equal(format_duration(4.56e6, buf, sizeof(buf)), "4.56ms");
	assert_string_equal(format_duration(2.5e9, buf, sizeof(buf)), "2.50s");
	assert_string_equal(format_count(950, buf, sizeof(buf)), "950");
	assert_string_equal(format_count(12345, buf, sizeof(buf)), "12.3k");
	assert_string_equal(format_count(4.56e6, buf, sizeof(buf)), "4.56M");
	assert_string_equal(format_count(0.5, buf, sizeof(buf)), "0.5");
	assert_string_equal(format_cpus(0xf | 1 << 8 | 3ull << 10, buf, sizeof(buf)),
			    "0-3,8,10-11");
	assert_string_equal(format_cpus(0, buf, sizeof(buf)), "-");
	format_set_digits(2); /* the screen's precision */
	assert_string_equal(format_duration(12345, buf, sizeof(buf)), "12us");
	assert_string_equal(format_duration(2690, buf, sizeof(buf)), "2.7us");
	assert_string_equal(format_count(60800, buf, sizeof(buf)), "61k");
	assert_string_equal(format_count(434, buf, sizeof(buf)), "434"); /* integers stay */
	format_set_digits(3);
}

static void test_syscall_names(void **state)
{
	char buf[32];

	(void)state;
	assert_string_equal(syscall_name(SYSCALL_ABI_X64, 110), "getppid");
	assert_string_equal(syscall_name(SYSCALL_ABI_X64, 3), "close");
	assert_string_equal(syscall_name(SYSCALL_ABI_IA32, 64), "getppid");
	assert_string_equal(syscall_name(SYSCALL_ABI_X32, 0), "read");
	assert_non_null(syscall_name(SYSCALL_ABI_X64, 469));
	assert_null(syscall_name(SYSCALL_ABI_X64, 999));
	assert_string_equal(syscall_name_format(SYSCALL_ABI_X64, 999, buf, sizeof(buf)),
			    "sys_999");
	assert_string_equal(syscall_name_format(SYSCALL_ABI_IA32, 64, buf, sizeof(buf)),
			    "ia32:getppid");
	assert_int_equal(syscall_number(SYSCALL_ABI_X64, "getppid"), 110);
	assert_int_equal(syscall_number(SYSCALL_ABI_IA32, "ia32:getppid"), 64);
	assert_int_equal(syscall_number(SYSCALL_ABI_X64, "no_such_call"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hist_slot),
		cmocka_unit_test(test_hist_quantile),
		cmocka_unit_test(test_table_rows_and_values),
		cmocka_unit_test(test_table_keyed),
		cmocka_unit_test(test_steady_sort),
		cmocka_unit_test(test_order_leaves_rows),
		cmocka_unit_test(test_share_sort_not_quadratic),
		cmocka_unit_test(test_text_strings),
		cmocka_unit_test(test_history_ring),
		cmocka_unit_test(test_history_compact),
		cmocka_unit_test(test_history_encoded),
		cmocka_unit_test(test_history_packed_hists),
		cmocka_unit_test(test_delta),
		cmocka_unit_test(test_delta_top),
		cmocka_unit_test(test_intern),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_syscall_names),
	};

	return cmocka_run_group_tests_name("core", tests, NULL, NULL);
}
