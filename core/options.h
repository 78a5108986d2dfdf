/* SPDX-License-Identifier: GPL-2.0 */
/*
 * core/options.h: the one table of settings. Each option has a section, a key, a type,
 * a range, a default (as text), a help line and where it lives in struct ktop_config.
 * config_defaults() applies the defaults from it, the config file is validated through
 * it, and --dump-config (hence ktop.conf) is printed from it.
 */
#ifndef KTOP_CORE_OPTIONS_H
#define KTOP_CORE_OPTIONS_H

#include <stddef.h>
#include <stdio.h>

#include "config.h"

enum option_type { OPTION_BOOL, OPTION_UINT, OPTION_DOUBLE, OPTION_STRING, OPTION_LIST };

struct option_def {
	const char *section;
	const char *key;
	enum option_type type;
	double min, max;          /* OPTION_UINT and OPTION_DOUBLE */
	const char *default_text; /* parsed like a value from a file */
	const char *help;
	size_t offset;            /* into struct ktop_config */
	size_t size;              /* of the buffer, OPTION_STRING and OPTION_LIST */
	/* extra check of a string or list item: 0, or -1 with "what; expected ..." in err */
	int (*check)(const char *value, char *err, size_t errlen);
};

extern const struct option_def options_table[];
extern const unsigned int options_count;

/*
 * The [keys] section belongs to the screen's action table, which core/ does not know:
 * main plugs it in. check() validates "action = key list"; dump() prints the section's
 * lines (after its header) for cfg.
 */
struct options_keys_ops {
	int (*check)(const char *action, const char *keys, char *err, size_t errlen);
	void (*dump)(FILE *out, const struct ktop_config *cfg);
};

void options_set_keys_ops(const struct options_keys_ops *ops);
void options_defaults(struct ktop_config *cfg);
/* Set one option from text; 0, or -1 with "what; expected ..." in err */
int options_set(struct ktop_config *cfg, const char *section, const char *key, const char *value,
		char *err, size_t errlen);
/* Read one config file into cfg; 0, -ENOENT when absent, else -errno with err "FILE:LINE: ..." */
int options_read_file(struct ktop_config *cfg, const char *path, char *err, size_t errlen);
/*
 * Find and read the config file: --config FILE (seen in argv), $KTOP_CONFIG,
 * $XDG_CONFIG_HOME/ktop/ktop.conf or ~/.config/ktop/ktop.conf, /etc/ktop/ktop.conf; none
 * with --defaults. Errors go to stderr. Returns 0 or the exit status (2).
 */
int options_load(struct ktop_config *cfg, int argc, char **argv);
/* The effective settings as an INI file with "# help" comments: ktop.conf */
void options_dump(const struct ktop_config *cfg, FILE *out);
/* Is name a theme name: [A-Za-z0-9_-]+, at most CONFIG_NAME_MAX */
int options_check_theme_name(const char *value, char *err, size_t errlen);

#endif
