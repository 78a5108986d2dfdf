/* SPDX-License-Identifier: GPL-2.0 */
/*
 * core/ktop.h: the state of one ktop run, shared by the loop, the collectors and the sinks.
 * Sinks (screen, batch text, JSON) read frames from the history and never touch
 * collectors except through the focus.
 */
#ifndef KTOP_CORE_KTOP_H
#define KTOP_CORE_KTOP_H

#include <signal.h>
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

/* Where frames come from instead of the collectors (a recording: ktop -r) */
struct frame_source {
	const char *name;
	/* Fill f (already reset) with the next frame; 0 or -errno */
	int (*next)(struct ktop *k, struct frame *f);
	/* No frame left */
	bool (*done)(const struct ktop *k);
};

struct recorder;

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
	const struct frame_source *source; /* NULL: the collectors */
	void *source_state;
	bool hold;    /* the screen is paused: a frame source waits */
	double speed; /* replay: frames come this many times faster than recorded (0 = 1) */
	struct recorder *recorder; /* -w: every frame is also written here */
	/* cumulative run time and runs of ktop's BPF programs; false when unknown */
	bool (*bpf_cost)(uint64_t *run_ns, uint64_t *runs);
	/* switch the kernel's BPF statistics on or off (they cost while on) */
	int (*bpf_stats)(bool on);
	double bpf_ns_per_s; /* from the last interval the statistics were on */
	/* kernel functions traced from now on (a name or a glob) and no longer (a row key of
	 * the functions table): >= 0 or -errno, a line for the user in msg; NULL: not here */
	int (*function_trace)(struct ktop *k, const char *text, char *msg, size_t len);
	int (*function_untrace)(struct ktop *k, uint64_t key, char *msg, size_t len);
	/* the traceable kernel functions starting with prefix: how many, or -errno; their
	 * longest common start into out */
	long (*function_complete)(const char *prefix, char *out, size_t len);
	struct {
		double cpu_s;
		uint64_t bpf_run_ns, bpf_runs, dropped;
	} last_cost;
};

/* Tell the collectors what the user is drilled into */
void ktop_set_focus(struct ktop *k, const struct focus *focus);
/* The focused row's detail shows its next variant (the Functions pane: another argument) */
void ktop_next_variant(struct ktop *k);
/* Change the sampling interval (re-arms the tick) */
void ktop_set_interval(struct ktop *k, double interval_s);
/* Replay: play frames speed times faster than recorded (re-arms the tick) */
void ktop_set_speed(struct ktop *k, double speed);
int ktop_running_collectors(const struct ktop *k);
/* Block the signals that end ktop, so the loop reads them from a signalfd; called first
 * thing in main, so a signal during start-up waits for the loop instead of being lost */
void ktop_signals_block(sigset_t *mask);
/* Run until a sink, a signal or -n ends it; returns the exit status */
int ktop_loop(struct ktop *k);
double ktop_monotonic_s(void);

extern const struct sink_ops text_sink, json_sink;

#endif
