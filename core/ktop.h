/* SPDX-License-Identifier: GPL-2.0 */
/*
 * core/ktop.h: the state of one ktop run, shared by the loop, the collectors and the sinks.
 * Sinks (screen, batch text, JSON) read frames from the history and never touch
 * collectors except through the focus.
 */
#ifndef KTOP_CORE_KTOP_H
#define KTOP_CORE_KTOP_H

#include <stdbool.h>
#include <stdio.h>

#include "collector.h"
#include "config.h"
#include "frame.h"

#define KTOP_MAX_COLLECTORS 16

struct ktop;

/* Where frames go. The screen, batch text and JSON are sinks. */
struct sink_ops {
	const char *name;
	bool reads_stdin;
	int (*start)(struct ktop *k);
	/* A new frame is the newest in k->history */
	void (*frame)(struct ktop *k);
	/* stdin is readable; return false to end ktop */
	bool (*input)(struct ktop *k);
	void (*stop)(struct ktop *k);
};

struct ktop {
	struct ktop_config cfg;
	struct history history;
	struct collector collectors[KTOP_MAX_COLLECTORS];
	unsigned int ncollectors;
	struct focus focus;
	const struct sink_ops *sink;
	void *sink_state;
	char hostname[65];
	char kernel[65];
	int ncpus;
	double last_sample_s; /* CLOCK_MONOTONIC */
	uint64_t frames_done;
	bool quit;
	FILE *out;
	/* cumulative run time and runs of ktop's BPF programs; false when unknown */
	bool (*bpf_cost)(uint64_t *run_ns, uint64_t *runs);
	struct {
		double cpu_s;
		uint64_t bpf_run_ns, bpf_runs, dropped;
	} last_cost;
};

/* Tell the collectors what the user is drilled into */
void ktop_set_focus(struct ktop *k, const struct focus *focus);
/* Change the sampling interval (re-arms the tick) */
void ktop_set_interval(struct ktop *k, double interval_s);
int ktop_running_collectors(const struct ktop *k);
/* Run until a sink, a signal or -n ends it; returns the exit status */
int ktop_loop(struct ktop *k);
double ktop_monotonic_s(void);

extern const struct sink_ops text_sink, json_sink;

#endif
