// SPDX-License-Identifier: GPL-2.0
/* core/config.c: the compiled-in defaults, mostly from the options table (core/options.c). */
#include <string.h>

#include "config.h"
#include "options.h"

void config_defaults(struct ktop_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->interval_s = 1.0;
	cfg->output = OUTPUT_SCREEN;
	cfg->process_rows = 512;
	options_defaults(cfg); /* everything the options table holds */
}
