// SPDX-License-Identifier: GPL-2.0
/*
 * tests/unit_record.c: a recording (core/record.c, core/replay.c) carries each frame's own
 * table titles. Frames written with titles that come, stay, go and come back (on a table
 * with no rows too) replay with the title each one had; a rotated file says its titles
 * again. A file without 'T' records (an older ktop's) and one whose 'T' records a reader
 * does not know (what an older ktop makes of a newer file) replay with the schemas' titles.
 * A damaged 'T' record ends the replay before its frame with the file, byte and reason.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include <cmocka.h>

#include "core/config.h"
#include "core/intern.h"
#include "core/record.h"
#include "core/record_format.h"

enum test_value {
	TEST_V_COUNT,
};

static const struct table_column test_columns[] = {
	{ "name", "NAME", COL_NAME, 0, 0, 10, false, "" },
	{ "count", "N/s", COL_COUNT, TEST_V_COUNT, 0, 6, false, "" },
};

static const struct table_schema titled_schema = {
	.id = "titled", .title = "Titled", .columns = test_columns, .ncolumns = 2,
	.sort_column = 1,
};

static const struct table_schema plain_schema = {
	.id = "plain", .title = "Plain", .columns = test_columns, .ncolumns = 2,
	.sort_column = 1,
};

#define FRAMES 6

/* What frame i + 1 is titled live (NULL: its schema's title) and whether it has rows. The
 * 4th says what the schema says: no title of its own */
static const char *const live_title[FRAMES] = {
	"Titled >100us: tick 250Hz", "Titled >100us: tick 250Hz", NULL,
	"Titled", "Titled >200us: tick 250Hz", "Titled >100us: tick 250Hz",
};
static const bool live_rows[FRAMES] = { true, true, true, true, false, true };

struct fixture {
	struct ktop k;
	char dir[64], path[96];
};

static struct fixture fx;

static int setup(void **state)
{
	(void)state;
	memset(&fx, 0, sizeof(fx));
	config_defaults(&fx.k.cfg);
	snprintf(fx.k.hostname, sizeof(fx.k.hostname), "unit");
	snprintf(fx.k.kernel, sizeof(fx.k.kernel), "6.1.0");
	fx.k.ncpus = 2;
	snprintf(fx.dir, sizeof(fx.dir), "/tmp/unit_record.XXXXXX");
	if (!mkdtemp(fx.dir))
		return -1;
	snprintf(fx.path, sizeof(fx.path), "%s/rec.ktop", fx.dir);
	return history_init(&fx.k.history, 4);
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	history_free(&fx.k.history);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx.dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Frame i + 1 as a collector leaves it: a row in each table, the titled one's title */
static struct frame *frame_make(unsigned int i)
{
	struct frame *f = history_next(&fx.k.history);
	struct table *t = frame_table(f, &titled_schema);
	struct table_row *r = table_add_row(frame_table(f, &plain_schema), 1);

	f->seq = i + 1;
	f->wall.tv_sec = 1800000000 + i;
	f->interval_s = 1;
	assert_non_null(r);
	r->name = intern("row");
	r->v[TEST_V_COUNT] = 10 + i;
	if (live_rows[i]) {
		r = table_add_row(t, 7);
		assert_non_null(r);
		r->name = intern("section");
		r->v[TEST_V_COUNT] = i + 1;
	}
	t->title = live_title[i] ? intern(live_title[i]) : NULL;
	return f;
}

static void record_frames(const struct recorder_options *opt)
{
	struct recorder *w = recorder_open(&fx.k, fx.path, opt);

	assert_non_null(w);
	for (unsigned int i = 0; i < FRAMES; i++)
		assert_int_equal(recorder_write(w, &fx.k, frame_make(i)), 0);
	assert_null(recorder_error(w));
	recorder_close(w);
}

static uint8_t *file_read(const char *path, size_t *len)
{
	FILE *in = fopen(path, "rb");
	uint8_t *data = malloc(1 << 20);

	assert_non_null(in);
	assert_non_null(data);
	*len = fread(data, 1, 1 << 20, in);
	assert_true(*len > 20 && *len < (1 << 20));
	fclose(in);
	return data;
}

/* The records of a recording, in order: where each starts and its type */
struct record_at {
	size_t offset, len; /* the whole record: type, length, payload, CRC */
	uint8_t type;
};

static unsigned int records_list(const uint8_t *data, size_t len, struct record_at *out,
				 unsigned int max)
{
	size_t offset = 16 + 4 + (data[12] | (size_t)data[13] << 8 | (size_t)data[14] << 16 |
				     (size_t)data[15] << 24);
	unsigned int n = 0;

	while (offset < len && n < max) {
		struct cursor c = { data + offset + 1, data + len, NULL };
		uint64_t payload = cur_varint(&c);

		assert_null(c.bad);
		out[n].offset = offset;
		out[n].type = data[offset];
		out[n].len = (size_t)(c.p - (data + offset)) + payload + 4;
		offset += out[n++].len;
	}
	assert_int_equal(offset, len);
	return n;
}

static unsigned int records_count(const struct record_at *rec, unsigned int n, uint8_t type)
{
	unsigned int count = 0;

	for (unsigned int i = 0; i < n; i++)
		count += rec[i].type == type;
	return count;
}

/* Frame i of r as the screen and -b would title its titled table */
static const char *replayed_title(struct replay *r, unsigned int i)
{
	struct frame *f = history_next(&fx.k.history);

	assert_int_equal(replay_read(r, i, &fx.k, f), 0);
	return table_title(frame_table(f, &titled_schema));
}

/* Every frame of r titled as live, or (plain) all with the schema's title */
static void titles_check(struct replay *r, unsigned int frames, bool plain)
{
	assert_int_equal(replay_frame_count(r), frames);
	for (unsigned int i = 0; i < frames; i++) {
		const char *want = !plain && live_title[i] ? live_title[i] : titled_schema.title;
		struct frame *f;

		assert_string_equal(replayed_title(r, i), want);
		f = history_get(&fx.k.history, 0);
		assert_string_equal(table_title(frame_table(f, &plain_schema)), "Plain");
		assert_int_equal(frame_table(f, &titled_schema)->nrows, live_rows[i] ? 1 : 0);
	}
}

static void test_titles_round_trip(void **state)
{
	struct record_at rec[64];
	char err[600];
	struct replay *r;
	uint8_t *data;
	size_t len;

	(void)state;
	record_frames(NULL);
	r = replay_open_file(fx.path, err, sizeof(err));
	assert_non_null(r);
	assert_null(replay_error(r));
	titles_check(r, FRAMES, false);
	/* replaying from the middle: the titles in force there, not the last read */
	fx.k.source = &replay_source;
	fx.k.source_state = r;
	assert_int_equal(replay_seek(&fx.k, 4), 0);
	assert_string_equal(table_title(frame_table(history_get(&fx.k.history, 0),
						    &titled_schema)),
			    live_title[4]);
	assert_string_equal(table_title(frame_table(history_get(&fx.k.history, 1),
						    &titled_schema)),
			    "Titled");
	fx.k.source = NULL;
	fx.k.source_state = NULL;
	replay_close(r);
	/* a 'T' record only where the titles change: before frames 1, 3, 5 and 6 (the 4th's
	 * title is the schema's, as the 3rd's) */
	data = file_read(fx.path, &len);
	assert_int_equal(records_count(rec, records_list(data, len, rec, 64), REC_TITLES), 4);
	free(data);
}

/* Rotated at every frame: each file on its own replays with its frame's title */
static void test_titles_rotated(void **state)
{
	struct recorder_options opt = { .max_size = 1, .keep = FRAMES };
	char err[600], path[128];

	(void)state;
	record_frames(&opt);
	for (unsigned int i = 0; i < FRAMES; i++) {
		struct replay *r;

		if (i + 1 < FRAMES)
			snprintf(path, sizeof(path), "%s.%u", fx.path, FRAMES - 1 - i);
		else
			snprintf(path, sizeof(path), "%s", fx.path);
		r = replay_open_file(path, err, sizeof(err));
		assert_non_null(r);
		assert_int_equal(replay_frame_count(r), 1);
		assert_string_equal(replayed_title(r, 0),
				    live_title[i] ? live_title[i] : titled_schema.title);
		replay_close(r);
	}
}

/* The recording with its 'T' records left out (as an older ktop wrote it), or with their
 * type changed to one no reader knows, the CRC made again (as an older ktop reads it) */
static void test_titles_absent(void **state)
{
	struct record_at rec[64];
	uint8_t *data, *old;
	size_t len, old_len = 0;
	unsigned int n;
	char err[600];
	struct replay *r;

	(void)state;
	record_frames(NULL);
	data = file_read(fx.path, &len);
	n = records_list(data, len, rec, 64);
	old = malloc(len);
	assert_non_null(old);
	memcpy(old, data, rec[0].offset);
	old_len = rec[0].offset;
	for (unsigned int i = 0; i < n; i++) {
		if (rec[i].type == REC_TITLES)
			continue;
		memcpy(old + old_len, data + rec[i].offset, rec[i].len);
		old_len += rec[i].len;
	}
	assert_true(old_len < len);
	r = replay_open_memory(old, old_len, "old.ktop", 0, err, sizeof(err));
	assert_non_null(r);
	assert_null(replay_error(r));
	titles_check(r, FRAMES, true);
	replay_close(r);

	for (unsigned int i = 0; i < n; i++) {
		uint8_t *p = data + rec[i].offset;
		uint32_t crc;

		if (rec[i].type != REC_TITLES)
			continue;
		p[0] = 'z';
		crc = (uint32_t)crc32(0, p, (uInt)(rec[i].len - 4));
		for (int b = 0; b < 4; b++)
			p[rec[i].len - 4 + b] = (uint8_t)(crc >> (8 * b));
	}
	r = replay_open_memory(data, len, "new.ktop", 0, err, sizeof(err));
	assert_non_null(r);
	assert_null(replay_error(r));
	titles_check(r, FRAMES, true);
	replay_close(r);
	free(old);
	free(data);
}

/* The recording with a 'T' record of payload bad put before frame 3's records: frames 1
 * and 2 replay with their titles, then the message */
static void damaged_title(const uint8_t *data, size_t len, const struct buf *bad,
			  const char *expect)
{
	struct record_at rec[64];
	struct buf out = { 0 }, record = { 0 };
	unsigned int n = records_list(data, len, rec, 64), frames = 0, at = 0;
	char err[600], want[300];
	struct replay *r;

	/* the first record after frame 2 */
	while (at < n && frames < 2)
		frames += rec[at++].type == REC_FRAME;
	assert_true(at < n);
	buf_put(&out, data, rec[at].offset);
	buf_record(&record, REC_TITLES, bad);
	buf_put(&out, record.p, record.len);
	buf_put(&out, data + rec[at].offset, len - rec[at].offset);
	assert_false(out.oom);
	r = replay_open_memory(out.p, out.len, "bad.ktop", 0, err, sizeof(err));
	assert_non_null(r);
	titles_check(r, 2, false);
	snprintf(want, sizeof(want), "bad.ktop: frame 3 at byte %zu: %s", rec[at].offset, expect);
	assert_non_null(replay_error(r));
	if (strcmp(replay_error(r), want) != 0)
		fail_msg("got '%s', expected '%s'", replay_error(r), want);
	replay_close(r);
	/* cut inside it */
	r = replay_open_memory(out.p, rec[at].offset + record.len - 1, "cut.ktop", 0, err,
			       sizeof(err));
	assert_non_null(r);
	assert_int_equal(replay_frame_count(r), 2);
	snprintf(want, sizeof(want), "cut.ktop: frame 3 at byte %zu: truncated: the file ends %zu "
		 "bytes into a title record of %zu bytes", rec[at].offset, record.len - 1,
		 record.len);
	assert_non_null(replay_error(r));
	if (strncmp(replay_error(r), want, strlen(want)) != 0)
		fail_msg("got '%s', expected '%s...'", replay_error(r), want);
	replay_close(r);
	free(record.p);
	free(out.p);
}

static void test_titles_damaged(void **state)
{
	/* payloads: n, then (table, string) pairs; the recording has 2 tables and a string
	 * 1 (the first row's name) */
	static const struct {
		uint8_t bytes[8];
		size_t len;
		const char *expect;
	} bad[] = {
		{ { 1, 0, 0 }, 3, "malformed title record: title's string number out of range" },
		{ { 1, 0, 99 }, 3, "malformed title record: title's string number out of range" },
		{ { 1, 2, 1 }, 3, "malformed title record: table number out of range" },
		{ { 3, 0, 1, 1, 1, 0, 1 }, 7, "malformed title record: more titles than tables" },
		{ { 2, 0, 1 }, 3, "malformed title record: ends early" },
		{ { 1, 0, 1, 0 }, 4, "malformed title record: unexpected bytes at its end" },
		{ { 1, 0, 0x80 }, 3, "malformed title record: ends early" },
		{ { 0 }, 0, "malformed title record: ends early" },
	};
	uint8_t *data;
	size_t len;

	(void)state;
	record_frames(NULL);
	data = file_read(fx.path, &len);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct buf payload = { 0 };

		buf_put(&payload, bad[i].bytes, bad[i].len);
		damaged_title(data, len, &payload, bad[i].expect);
		free(payload.p);
	}
	free(data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_titles_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_titles_rotated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_titles_absent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_titles_damaged, setup, teardown),
	};

	if (frame_register_schema(&titled_schema) < 0 || frame_register_schema(&plain_schema) < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
