/* SPDX-License-Identifier: GPL-2.0 */
/* core/config.h: ktop's settings, from defaults, the config file and the command line. */
#ifndef KTOP_CORE_CONFIG_H
#define KTOP_CORE_CONFIG_H

#include <stdbool.h>

enum output_mode { OUTPUT_SCREEN, OUTPUT_TEXT, OUTPUT_JSON };

struct ktop_config {
	double interval_s;     /* -d */
	long frames;           /* -n, 0 = until stopped */
	enum output_mode output;
	unsigned int history;  /* frames kept in the sample buffer */
	const char *log_file;  /* --log: libbpf's output goes here */
	const char *container; /* -c */
	bool check;            /* --check */
	bool ascii;            /* force ASCII drawing */
	unsigned int process_rows; /* processes kept per frame */
	bool syscall_latency;  /* time syscalls (enter+exit) or count only (exit) */
	unsigned int syscall_process_entries; /* per-process LRU map size */
	unsigned int critical_threshold_us; /* critical sections shorter than this are ignored */
	unsigned int critical_timer_hz; /* ktop's own timer per CPU for the critical pane, 0 = off */
};

void config_defaults(struct ktop_config *cfg);

#endif
