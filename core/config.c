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
	options_defaults(cfg); /* everything the options table holds */
}

bool config_pane_listed(const struct ktop_config *cfg, const char *id)
{
	size_t len = strlen(id);
	const char *p = cfg->panes;

	if (!cfg->panes[0])
		return true;
	while ((p = strstr(p, id))) {
		bool starts = p == cfg->panes || p[-1] == ',' || p[-1] == ' ';
		bool ends = p[len] == '\0' || p[len] == ',' || p[len] == ' ';

		if (starts && ends)
			return true;
		p += len;
	}
	return false;
}
