/* SPDX-License-Identifier: GPL-2.0 */
/*
 * core/options.h: the settings. Each option has a section, a key, a type, a range, a
 * default (as text) and a help line. Core's own are one table (options.c), each in a field of
 * struct ktop_config; a collector declares its own in its file (collector_ops.options), the
 * registry hands them over (options_register) and their values live in cfg->settings.
 * config_defaults() applies the defaults, the config file is validated through the
 * options, and --dump-config (hence ktop.conf) and the manual page are printed from them.
 */
#ifndef KTOP_CORE_OPTIONS_H
#define KTOP_CORE_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "config.h"

enum option_type { OPTION_BOOL, OPTION_UINT, OPTION_DOUBLE, OPTION_STRING, OPTION_LIST };

struct option_def {
	const char *section;
	const char *key;
	enum option_type type;
	double min, max;          /* OPTION_UINT and OPTION_DOUBLE */
	const char *default_text; /* parsed like a value from a file; a list as "a, b" */
	const char *help;
	/* core's own: the field of struct ktop_config; a collector's: 0, cfg->settings */
	size_t offset;
	/* OPTION_STRING and OPTION_LIST: the longest value + 1; a collector's may leave it
	 * 0, which means CONFIG_LIST_MAX, its limit too */
	size_t size;
	/* extra check of a string or list item: 0, or -1 with "what; expected ..." in err */
	int (*check)(const char *value, char *err, size_t errlen);
};

/*
 * Add a collector's options (its own [sections], or keys of a section core has) to those
 * the config file, --dump-config and the manual know; again with the same table does
 * nothing. 0, -EEXIST when a section and key are taken, -ENOSPC past CONFIG_MAX_SETTINGS.
 */
int options_register(const struct option_def *defs, unsigned int count);
/* Every option in --dump-config's order: [general], the collectors' sections in registry
 * order, core's other sections; each section's keys together */
unsigned int options_total(void);
const struct option_def *options_nth(unsigned int i);
/* The option [section] key, or NULL */
const struct option_def *options_find(const char *section, const char *key);

/* The value of o in cfg (of o's type; an unset collector's option: its default) */
bool options_bool(const struct ktop_config *cfg, const struct option_def *o);
unsigned int options_uint(const struct ktop_config *cfg, const struct option_def *o);
double options_double(const struct ktop_config *cfg, const struct option_def *o);
const char *options_text(const struct ktop_config *cfg, const struct option_def *o);
/* Store text as o's value without the config file's checks: for a command-line option
 * that checks its own way (-f takes globs). 0, or -ENOSPC when it does not fit */
int options_set_text(struct ktop_config *cfg, const struct option_def *o, const char *text);

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
