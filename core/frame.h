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
	/* the container selection the frame was made with (interned; replay shows it too):
	 * the name asked for or NULL, "all"/"running"/"stopped"/"not found", the header text */
	const char *container, *container_state, *container_text;
};

#define HISTORY_EXACT_FRAMES 60
#define HISTORY_OLD_ROWS 64

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
/* Frame `age` ticks back (0 = newest), or NULL if not kept */
struct frame *history_get(const struct history *h, unsigned int age);
/* Cut down the frames older than HISTORY_EXACT_FRAMES not cut yet, and move every frame
 * but the newest to blocks of its size, its histograms packed. Not while a paused screen shows them: they would
 * change under the reader's eyes. */
void history_compact(struct history *h);

#endif
