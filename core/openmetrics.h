/* SPDX-License-Identifier: GPL-2.0 */
/*
 * core/openmetrics.h: frames as Prometheus metrics, in the Prometheus text format 0.0.4
 * and OpenMetrics 1.0 (docs/EXPORTER.md).
 *
 * Frames hold per-interval deltas; Prometheus wants counters that only go up. The writer
 * keeps running totals: add every frame once (openmetrics_add_frame), write the metrics
 * as often as wanted (openmetrics_write). Which tables and columns become metrics follows
 * their schemas, so a new collector's tables get metrics without editing the writer; a
 * rule table in openmetrics.c gives the figures the issue named their conventional names.
 *
 * Cardinality is bounded: the busiest containers get their own series and the rest are
 * summed in one container="_other" series; the busiest rows of a table get histograms;
 * a hard cap on the series of one exposition is counted when hit; the series of a
 * container that went away are written once more, then removed after the next scrape.
 */
#ifndef KTOP_CORE_OPENMETRICS_H
#define KTOP_CORE_OPENMETRICS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "ktop.h"

enum openmetrics_format {
	OPENMETRICS_PROMETHEUS, /* text/plain; version=0.0.4 */
	OPENMETRICS_OPENMETRICS, /* application/openmetrics-text; version=1.0.0 */
};

struct openmetrics_limits {
	unsigned int containers; /* containers with series of their own (the rest: _other) */
	unsigned int histograms; /* rows of each table with a histogram, the busiest */
	unsigned int max_series; /* series in one exposition, ktop's own metrics aside */
};

struct openmetrics;

/* NULL with errno set on failure */
struct openmetrics *openmetrics_new(const struct openmetrics_limits *limits);
void openmetrics_free(struct openmetrics *om);
/* Add one frame's deltas to the running totals (each frame once, in order); 0 or -ENOMEM */
int openmetrics_add_frame(struct openmetrics *om, const struct ktop *k, const struct frame *f);
/* Every metric as of the last frame added; 0 or -errno (the stream failed) */
int openmetrics_write(struct openmetrics *om, const struct ktop *k,
		      enum openmetrics_format format, FILE *out);
/* A scraper has read what was last written: gone containers' series may go now */
void openmetrics_scraped(struct openmetrics *om);
/* The HTTP Content-Type of a format */
const char *openmetrics_content_type(enum openmetrics_format format);
/* The format an HTTP Accept header asks for (NULL: Prometheus text) */
enum openmetrics_format openmetrics_negotiate(const char *accept);
/* Whether an HTTP Accept-Encoding header takes gzip (a "gzip" or "*" coding, q > 0) */
bool openmetrics_accepts_gzip(const char *accept_encoding);
/* in[0..len) gzip-compressed into a malloc'd *out (fast level: the text is repetitive);
 * 0 or -ENOMEM / -EIO */
int openmetrics_gzip(const char *in, size_t len, char **out, size_t *out_len);
/* "prometheus" or "openmetrics" to a format; -1 for anything else */
int openmetrics_format_parse(const char *name);

#endif
