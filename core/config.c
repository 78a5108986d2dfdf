// SPDX-License-Identifier: GPL-2.0
/* core/config.c: the compiled-in defaults (ktop.conf documents the same values). */
#include <string.h>

#include "config.h"

void config_defaults(struct ktop_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->interval_s = 1.0;
	cfg->output = OUTPUT_SCREEN;
	cfg->history = 300;
	cfg->process_rows = 512;
	cfg->syscall_latency = true;
	cfg->syscall_process_entries = 10240;
	cfg->critical_threshold_us = 100;
	cfg->critical_timer_hz = 1000;
}
