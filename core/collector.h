/* SPDX-License-Identifier: GPL-2.0 */
/*
 * core/collector.h: the contract between a collector and the rest of ktop.
 *
 * A collector is a const table of functions plus a name. open() probes the kernel, picks
 * program variants, loads and attaches; after a failed open, reason holds one human line
 * and ktop keeps running without it. sample() reads this interval's deltas into the
 * collector's tables of the frame. focus() switches on detail that costs something only
 * while someone looks at it. This header knows nothing of libbpf: core/ and ui/ use it.
 */
#ifndef KTOP_CORE_COLLECTOR_H
#define KTOP_CORE_COLLECTOR_H

#include <stdbool.h>

#include "config.h"
#include "frame.h"
#include "options.h"

#define COLLECTOR_REASON_MAX 256

/* What the user is drilled into: a row of a table (or nothing when table is NULL) */
struct focus {
	const struct table_schema *table;
	uint64_t key;
};

struct collector;

struct collector_ops {
	const char *name; /* "syscalls": --check, config sections, logs */
	const struct table_schema *const *tables; /* NULL-terminated */
	int (*open)(struct collector *c, const struct ktop_config *cfg);
	/* Fill this interval's rows; interval_s is already set in the frame */
	int (*sample)(struct collector *c, struct frame *f);
	void (*close)(struct collector *c);
	void (*focus)(struct collector *c, const struct focus *focus); /* optional */
	/* optional: the focused row's detail shows its next variant (another argument) */
	void (*next_variant)(struct collector *c, const struct focus *focus);
	int (*event_fd)(struct collector *c); /* optional: an fd to poll, e.g. a ring buffer */
	int (*consume)(struct collector *c);  /* optional: called when event_fd is readable */
	/* optional: its settings, its own [sections] of the config file (core/options.h);
	 * open() reads their values from cfg with options_bool(cfg, def), options_uint()... */
	const struct option_def *options;
	unsigned int noptions;
};

struct collector {
	const struct collector_ops *ops;
	void *priv;
	bool running;
	uint64_t dropped; /* events lost so far (cumulative), set by the collector */
	char reason[COLLECTOR_REASON_MAX]; /* why it is not running */
	int sample_err; /* the last sample's negative errno; 0 when it succeeded */
};

/* "ok", "ok (what it does instead)" for a collector in a fallback mode, "sampling failed:
 * why" while its samples fail, "off: why" for one the user switched off, or
 * "unavailable: reason"; into buf, returned */
const char *collector_state(const struct collector *c, char *buf, unsigned long len);

/* Record why c cannot run (printf-style); returns -1 for convenience */
int collector_fail(struct collector *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
