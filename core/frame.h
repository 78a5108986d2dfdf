/* SPDX-License-Identifier: GPL-2.0 */
/*
 * core/frame.h: the sample buffer.
 *
 * One frame per tick holds every collector's tables for that interval. Frames live in a
 * fixed ring (history); the oldest is reused.
 *
 * The newest HISTORY_EXACT_FRAMES frames are kept whole (sparklines, lingering rows and a
 * minute of stepping back read them). Older ones keep the HISTORY_OLD_ROWS largest rows
 * of each pane's table and give back the rest of their memory: under process churn a
 * frame holds hundreds of process rows, and a full history of them would be tens of MB.
 * Every frame but the newest holds its rows in blocks of their size (the blocks a frame is
 * filled in are sized for the busiest tick so far) and its histograms packed: a 128-byte
 * histogram of a few busy slots takes some 20 bytes, and under churn they were a third of
 * the history.
 *
 * Frames HISTORY_PLAIN_FRAMES ticks old and older keep their rows encoded (varints, only
 * the values that are not zero: some 25 bytes a row instead of 144), and history_get()
 * gives a decoded copy of them. Nothing but a paused screen reads that far back (the live
 * screen reads a dozen frames: sparklines, heights, alerts, lingering rows), so copies are
 * made only while one steps back, and a copy stays good until HISTORY_DECODED_FRAMES other
 * old frames have been read: more than one screen reads.
 */
#ifndef KTOP_CORE_FRAME_H
#define KTOP_CORE_FRAME_H

#include <time.h>

#include "table.h"

/* ktop's own cost over the interval, shown in the header */
struct frame_self {
	double cpu_pct;       /* ktop's process, % of one CPU */
	uint64_t rss_kb;
	double bpf_ns_per_s;  /* time ktop's BPF programs ran per second, last measured */
	uint64_t dropped;     /* events lost (full ring buffer, full map), all collectors */
	bool bpf_stats;       /* bpf_ns_per_s has been measured */
};

struct frame {
	uint64_t seq;           /* tick number since start, from 1 */
	struct frame_self self;
	struct timespec wall;   /* end of the interval, CLOCK_REALTIME */
	double interval_s;      /* measured length of the interval */
	unsigned int ntables;
	struct table tables[TABLE_MAX_TABLES];
	struct hist *hists;     /* pool the rows' hist indexes point into */
	unsigned int nhists, hist_capacity;
	/* a frame in the history: its histograms packed one after another (the rows' hist
	 * indexes are byte offsets here), hists empty */
	uint8_t *packed_hists;
	size_t packed_size;
	bool hists_packed;
	bool compacted;         /* cut down as an old frame (history_compact) */
	bool shrunk;            /* blocks cut to their contents' size (history_compact) */
	/* the rows of a frame HISTORY_PLAIN_FRAMES old or older, encoded; its tables hold
	 * none (history_get() decodes a copy) */
	uint8_t *encoded;
	size_t encoded_size;
	/* the container selection the frame was made with (interned; replay shows it too):
	 * the name asked for or NULL, "all"/"running"/"stopped"/"not found", the header text */
	const char *container, *container_state, *container_text;
};

#define HISTORY_EXACT_FRAMES 60
#define HISTORY_OLD_ROWS 64
#define HISTORY_PLAIN_FRAMES 16   /* newer frames keep their rows as rows */
#define HISTORY_DECODED_FRAMES 32 /* decoded copies of older ones kept at a time */

struct history {
	struct frame *frames;
	unsigned int capacity; /* fixed at creation */
	unsigned int count;    /* frames filled so far, up to capacity */
	unsigned int newest;   /* index of the newest frame */
};

/* Register a schema: every frame gets a table for it. Before history_init only. */
int frame_register_schema(const struct table_schema *schema);
unsigned int frame_schema_count(void);
const struct table_schema *frame_schema(unsigned int i);
const struct table_schema *frame_schema_find(const char *id);

struct table *frame_table(struct frame *f, const struct table_schema *schema);
const struct table *frame_table_const(const struct frame *f, const struct table_schema *schema);
/* A zeroed histogram for row r's slot which (0 or 1), or NULL on ENOMEM (or EROFS: f is
 * in the history, packed). The pointer is good until the next call on f: making another
 * row's histogram may move them all */
struct hist *frame_row_hist(struct frame *f, struct table_row *r, unsigned int which);
/* Row r's histogram which, or NULL. Of a packed frame, a copy good until the next call */
const struct hist *frame_row_hist_const(const struct frame *f, const struct table_row *r,
					unsigned int which);
void frame_reset(struct frame *f);

int history_init(struct history *h, unsigned int capacity);
void history_free(struct history *h);
/* The frame to fill for the next tick: the oldest, reset */
struct frame *history_next(struct history *h);
/* Frame `age` ticks back (0 = newest), or NULL if not kept (or, for an encoded one, no
 * memory to decode it). Frames read by one thread; an encoded frame's copy is good until
 * HISTORY_DECODED_FRAMES other encoded frames have been read or the history changes. */
struct frame *history_get(const struct history *h, unsigned int age);
/* The number (seq) of the frame `age` ticks back without decoding it, 0 if not kept */
uint64_t history_seq(const struct history *h, unsigned int age);
/* The age of the frame numbered seq, without decoding any, or -1 when not kept */
int history_age_of(const struct history *h, uint64_t seq);
/* Bytes the frames' rows, histograms and encodings take (blocks as allocated) */
size_t history_bytes(const struct history *h);
/* Cut down the frames older than HISTORY_EXACT_FRAMES not cut yet, move every frame but
 * the newest to blocks of its size, its histograms packed, and encode those
 * HISTORY_PLAIN_FRAMES old and older. Not while a paused screen shows them: they would
 * change under the reader's eyes. Gives back the decoded copies' memory. */
void history_compact(struct history *h);

#endif
