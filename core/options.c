// SPDX-License-Identifier: GPL-2.0
/*
 * core/options.c: core's options table, the collectors' registered beside it, and what is
 * done with them: defaults, validation of config files, the config file lookup order, and
 * --dump-config.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "frame.h"
#include "ini_file.h"
#include "options.h"
#include "theme.h"

#define FIELD(name) offsetof(struct ktop_config, name), sizeof(((struct ktop_config *)0)->name)
#define STR_(x) #x
#define STR(x) STR_(x) /* a number macro as a string literal */

/* [general] panes by default: every registered pane but the opt-in ones, in registration
 * (registry) order; set by options_defaults() once collectors registered their schemas, so
 * a new collector's panes are shown with no list to edit. Empty before: every pane. */
static char default_panes[CONFIG_LIST_MAX];

static int check_pane_id(const char *value, char *err, size_t errlen);
static int check_syscall_sort(const char *value, char *err, size_t errlen);

/* Core's own: the program's, the screen's, the exporter's. A collector's are in its file. */
static const struct option_def options_table[] = {
	{ "general", "interval", OPTION_DOUBLE, 0.05, 3600, "1", "seconds between frames",
	  FIELD(interval_s) },
	{ "general", "history", OPTION_UINT, 10, 100000, "300",
	  "frames kept in memory for pause and step-back (the last " STR(HISTORY_EXACT_FRAMES)
	  " whole, older ones the " STR(HISTORY_OLD_ROWS) " largest rows of each pane)",
	  FIELD(history) },
	{ "general", "theme", OPTION_STRING, 0, 0, "default",
	  "colour theme: a themes/NAME.theme file (default, light, mono, 256)", FIELD(theme),
	  options_check_theme_name },
	{ "general", "panes", OPTION_LIST, 0, 0, default_panes,
	  "panes shown on the main screen, in this order (table ids, see ktop --columns); "
	  "a collector with none of its panes listed is not loaded and costs nothing",
	  FIELD(panes), check_pane_id },
	{ "general", "ascii", OPTION_BOOL, 0, 0, "no",
	  "draw with ASCII only (bars, sparklines), even in a UTF-8 locale", FIELD(ascii) },
	{ "general", "mouse", OPTION_BOOL, 0, 0, "yes",
	  "the mouse on the screen: a click focuses a pane, sorts by a column title, selects a "
	  "row, twice opens it; the wheel scrolls (no: the terminal keeps the mouse, as "
	  "--no-mouse)", FIELD(mouse) },
	/* the System calls pane's, read by the screen: in [syscalls] beside the collector's */
	{ "syscalls", "sort", OPTION_STRING, 0, 0, "count",
	  "column the System calls pane is sorted by (a column id, see ktop --columns)",
	  FIELD(syscall_sort), check_syscall_sort },
	{ "export", "containers", OPTION_UINT, 0, 100000, "50",
	  "containers with series of their own in the metrics (ktop --listen), the busiest; "
	  "the others are summed in one container=\"_other\" series",
	  FIELD(export_containers) },
	{ "export", "histograms", OPTION_UINT, 0, 10000, "20",
	  "rows of each table (the busiest) whose histograms are exported",
	  FIELD(export_histograms) },
	{ "export", "max_series", OPTION_UINT, 100, 10000000, "20000",
	  "most series in one exposition, ktop's own metrics aside; those cut are counted "
	  "(ktop_series_dropped)", FIELD(export_max_series) },
	{ "export", "connections", OPTION_UINT, 1, 10000, "64",
	  "HTTP connections served at once; more are refused", FIELD(export_connections) },
	{ "export", "timeout", OPTION_UINT, 1, 3600, "10",
	  "seconds an idle or slow HTTP connection is kept", FIELD(export_timeout_s) },
};

#define CORE_OPTIONS (sizeof(options_table) / sizeof(options_table[0]))

/* The collectors' tables, in registry order */
static struct {
	const struct option_def *defs;
	unsigned int count;
} registered[CONFIG_MAX_SETTINGS];
static unsigned int nregistered, registered_options;

/* Every option in dump order (options_total()); rebuilt when a table registers */
static const struct option_def *ordered[CORE_OPTIONS + CONFIG_MAX_SETTINGS];
static unsigned int nordered;

static const struct options_keys_ops *keys_ops;

void options_set_keys_ops(const struct options_keys_ops *ops)
{
	keys_ops = ops;
}

static bool option_is_core(const struct option_def *o)
{
	return o >= options_table && o < options_table + CORE_OPTIONS;
}

static bool in_general(const struct option_def *o)
{
	return strcmp(o->section, "general") == 0;
}

/*
 * [general] first, then the collectors' sections in registry (pane) order, then core's
 * others ([export]); a section's keys stay together, so the [syscalls] sort of the screen
 * follows the collector's [syscalls] keys.
 */
static void options_order(void)
{
	const struct option_def *walk[CORE_OPTIONS + CONFIG_MAX_SETTINGS];
	unsigned int n = 0;

	for (unsigned int i = 0; i < CORE_OPTIONS; i++)
		if (in_general(&options_table[i]))
			walk[n++] = &options_table[i];
	for (unsigned int t = 0; t < nregistered; t++)
		for (unsigned int i = 0; i < registered[t].count; i++)
			walk[n++] = &registered[t].defs[i];
	for (unsigned int i = 0; i < CORE_OPTIONS; i++)
		if (!in_general(&options_table[i]))
			walk[n++] = &options_table[i];
	nordered = 0;
	for (unsigned int i = 0; i < n; i++) {
		bool seen = false;

		for (unsigned int j = 0; j < i && !seen; j++)
			seen = strcmp(walk[j]->section, walk[i]->section) == 0;
		for (unsigned int j = i; j < n && !seen; j++)
			if (strcmp(walk[j]->section, walk[i]->section) == 0)
				ordered[nordered++] = walk[j];
	}
}

unsigned int options_total(void)
{
	if (!nordered)
		options_order();
	return nordered;
}

const struct option_def *options_nth(unsigned int i)
{
	return i < options_total() ? ordered[i] : NULL;
}

const struct option_def *options_find(const char *section, const char *key)
{
	for (unsigned int i = 0; i < options_total(); i++)
		if (strcmp(ordered[i]->section, section) == 0 && strcmp(ordered[i]->key, key) == 0)
			return ordered[i];
	return NULL;
}

int options_register(const struct option_def *defs, unsigned int count)
{
	for (unsigned int t = 0; t < nregistered; t++)
		if (registered[t].defs == defs)
			return 0;
	if (nregistered >= CONFIG_MAX_SETTINGS || registered_options + count > CONFIG_MAX_SETTINGS)
		return -ENOSPC;
	for (unsigned int i = 0; i < count; i++)
		if (options_find(defs[i].section, defs[i].key))
			return -EEXIST;
	registered[nregistered].defs = defs;
	registered[nregistered++].count = count;
	registered_options += count;
	options_order();
	return 0;
}

static bool section_known(const char *name)
{
	if (strcmp(name, "keys") == 0)
		return true;
	for (unsigned int i = 0; i < options_total(); i++)
		if (strcmp(ordered[i]->section, name) == 0)
			return true;
	return false;
}

/* "expected [general], [syscalls], ... or [keys]": the sections there are */
static void expected_sections(char *err, size_t errlen)
{
	const char *section = NULL;

	for (unsigned int i = 0; i < options_total(); i++) {
		size_t used = strlen(err);

		if (section && strcmp(section, ordered[i]->section) == 0)
			continue;
		section = ordered[i]->section;
		snprintf(err + used, errlen - used, "%s[%s]", i ? ", " : " ", section);
	}
	snprintf(err + strlen(err), errlen - strlen(err), " or [keys]");
}

int options_check_theme_name(const char *value, char *err, size_t errlen)
{
	if (theme_name_valid(value))
		return 0;
	snprintf(err, errlen, "'%s' is not a theme name; expected letters, digits, '_' or '-' "
		 "(at most %d)", value, CONFIG_NAME_MAX);
	return -1;
}

/* Defaults name tables of collectors a test program may not have registered */
static bool applying_defaults;

/* Schemas are known once the collectors registered them; before that any id passes */
static int check_pane_id(const char *value, char *err, size_t errlen)
{
	const struct table_schema *s;

	if (frame_schema_count() == 0 || applying_defaults)
		return 0;
	s = frame_schema_find(value);
	if (s && s->pane)
		return 0;
	snprintf(err, errlen, "'%s' is not a pane; expected table ids among:", value);
	for (unsigned int i = 0; i < frame_schema_count(); i++) {
		size_t used = strlen(err);

		if (frame_schema(i)->pane)
			snprintf(err + used, errlen - used, " %s", frame_schema(i)->id);
	}
	return -1;
}

static int check_syscall_sort(const char *value, char *err, size_t errlen)
{
	const struct table_schema *s = frame_schema_find("syscalls");

	if (!s || applying_defaults || table_column_index(s, value) >= 0)
		return 0;
	snprintf(err, errlen, "'%s' is not a column of syscalls; expected one of:", value);
	for (unsigned int i = 0; i < s->ncolumns; i++) {
		size_t used = strlen(err);

		snprintf(err + used, errlen - used, " %s", s->columns[i].id);
	}
	return -1;
}

static void expected_keys(const char *section, char *err, size_t errlen)
{
	for (unsigned int i = 0; i < options_total(); i++) {
		size_t used = strlen(err);

		if (strcmp(ordered[i]->section, section) == 0)
			snprintf(err + used, errlen - used, " %s", ordered[i]->key);
	}
}

/* Room for a string or list value of o, its '\0' included */
static size_t option_size(const struct option_def *o)
{
	if (option_is_core(o))
		return o->size;
	return o->size && o->size < CONFIG_LIST_MAX ? o->size : CONFIG_LIST_MAX;
}

/* Where a collector's option is set in cfg, or NULL while it is at its default */
static struct config_setting *setting_of(const struct ktop_config *cfg,
					 const struct option_def *o)
{
	for (unsigned int i = 0; i < cfg->nsettings && i < CONFIG_MAX_SETTINGS; i++)
		if (cfg->settings[i].def == o)
			return (struct config_setting *)&cfg->settings[i];
	return NULL;
}

/* o's slot in cfg->settings, taken when it has none; NULL when all are taken */
static union config_value *setting_take(struct ktop_config *cfg, const struct option_def *o)
{
	struct config_setting *set = setting_of(cfg, o);

	if (!set && cfg->nsettings < CONFIG_MAX_SETTINGS) {
		set = &cfg->settings[cfg->nsettings++];
		set->def = o;
	}
	return set ? &set->value : NULL;
}

static int parse_bool(const char *v, bool *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };

	for (int i = 0; i < 4; i++) {
		if (strcasecmp(v, yes[i]) == 0)
			return *out = true, 0;
		if (strcasecmp(v, no[i]) == 0)
			return *out = false, 0;
	}
	return -1;
}

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-';
}

/* A list "a, b,c" is checked item by item and stored as "a, b, c" */
static int set_list(const struct option_def *o, char *dst, size_t size, const char *value,
		    char *err, size_t errlen)
{
	char item[CONFIG_NAME_MAX + 1], out[CONFIG_LIST_MAX] = "";
	const char *p = value;
	size_t used = 0;

	while (*p) {
		size_t n = 0;

		while (*p == ' ' || *p == '\t')
			p++;
		while (*p && *p != ',' && *p != ' ' && *p != '\t') {
			if (!name_char(*p) || n >= CONFIG_NAME_MAX) {
				snprintf(err, errlen, "bad list item in '%s'; expected names made "
					 "of letters, digits, '_' or '-', separated by commas", value);
				return -1;
			}
			item[n++] = *p++;
		}
		item[n] = '\0';
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p && *p != ',') {
			snprintf(err, errlen, "missing comma in '%s'; expected names separated by "
				 "commas", value);
			return -1;
		}
		if (*p == ',')
			p++;
		if (!n) {
			snprintf(err, errlen, "empty item in '%s'; expected names separated by "
				 "commas", value);
			return -1;
		}
		if (o->check && o->check(item, err, errlen) < 0)
			return -1;
		used += snprintf(out + used, sizeof(out) - used, "%s%s", used ? ", " : "", item);
		if (used >= sizeof(out) || used >= size) {
			snprintf(err, errlen, "list too long; expected at most %zu characters",
				 size - 1);
			return -1;
		}
	}
	if (!used && o->default_text[0]) { /* a list empty by default may be emptied */
		snprintf(err, errlen, "empty list; expected at least one name");
		return -1;
	}
	memcpy(dst, out, used + 1);
	return 0;
}

/* Parse value as o's into field (size bytes for a string or list) */
static int option_parse(const struct option_def *o, void *field, size_t size, const char *value,
			char *err, size_t errlen)
{
	char *end;
	double d;
	bool b;

	switch (o->type) {
	case OPTION_BOOL:
		if (parse_bool(value, &b) < 0) {
			snprintf(err, errlen, "%s = '%s' is not a yes/no value; expected yes or no",
				 o->key, value);
			return -1;
		}
		*(bool *)field = b;
		return 0;
	case OPTION_UINT:
	case OPTION_DOUBLE:
		errno = 0;
		d = strtod(value, &end);
		if (errno || end == value || *end || isnan(d) ||
		    (o->type == OPTION_UINT && (d != floor(d) || strpbrk(value, "eExX.")))) {
			snprintf(err, errlen, "%s = '%s' is not a number; expected %s from %g to %g",
				 o->key, value, o->type == OPTION_UINT ? "a whole number" : "a number",
				 o->min, o->max);
			return -1;
		}
		if (d < o->min || d > o->max) {
			snprintf(err, errlen, "%s = %s is out of range; expected %g to %g", o->key,
				 value, o->min, o->max);
			return -1;
		}
		if (o->type == OPTION_UINT)
			*(unsigned int *)field = (unsigned int)d;
		else
			*(double *)field = d;
		return 0;
	case OPTION_STRING:
		if (!*value || strlen(value) >= size) {
			snprintf(err, errlen, "%s = '%s' has a bad length; expected 1 to %zu "
				 "characters", o->key, value, size - 1);
			return -1;
		}
		if (o->check && o->check(value, err, errlen) < 0)
			return -1;
		strcpy(field, value);
		return 0;
	case OPTION_LIST:
		return set_list(o, field, size, value, err, errlen);
	}
	return -1;
}

static int option_set_value(struct ktop_config *cfg, const struct option_def *o,
			    const char *value, char *err, size_t errlen)
{
	union config_value parsed, *slot;

	if (option_is_core(o))
		return option_parse(o, (char *)cfg + o->offset, o->size, value, err, errlen);
	if (option_parse(o, &parsed, option_size(o), value, err, errlen) < 0)
		return -1;
	slot = setting_take(cfg, o);
	if (!slot) { /* options_register() keeps the options within the slots */
		snprintf(err, errlen, "too many settings; expected at most %d",
			 CONFIG_MAX_SETTINGS);
		return -1;
	}
	*slot = parsed;
	return 0;
}

/* o's value in cfg: its field, its setting, or else its default, parsed into scratch */
static const void *option_value(const struct ktop_config *cfg, const struct option_def *o,
				union config_value *scratch)
{
	const struct config_setting *set;
	char err[INI_ERROR_MAX];

	if (option_is_core(o))
		return (const char *)cfg + o->offset;
	set = setting_of(cfg, o);
	if (set)
		return &set->value;
	memset(scratch, 0, sizeof(*scratch));
	if (o->type == OPTION_STRING || o->type == OPTION_LIST) /* written as stored */
		snprintf(scratch->text, sizeof(scratch->text), "%s", o->default_text);
	else /* a default that does not parse is caught by options_defaults() */
		option_parse(o, scratch, option_size(o), o->default_text, err, sizeof(err));
	return scratch;
}

bool options_bool(const struct ktop_config *cfg, const struct option_def *o)
{
	union config_value scratch;

	return *(const bool *)option_value(cfg, o, &scratch);
}

unsigned int options_uint(const struct ktop_config *cfg, const struct option_def *o)
{
	union config_value scratch;

	return *(const unsigned int *)option_value(cfg, o, &scratch);
}

double options_double(const struct ktop_config *cfg, const struct option_def *o)
{
	union config_value scratch;

	return *(const double *)option_value(cfg, o, &scratch);
}

const char *options_text(const struct ktop_config *cfg, const struct option_def *o)
{
	const struct config_setting *set;

	if (option_is_core(o))
		return (const char *)cfg + o->offset;
	set = setting_of(cfg, o);
	return set ? set->value.text : o->default_text;
}

int options_set_text(struct ktop_config *cfg, const struct option_def *o, const char *text)
{
	union config_value *slot;
	char *dst;

	if (strlen(text) >= option_size(o))
		return -ENOSPC;
	if (option_is_core(o)) {
		dst = (char *)cfg + o->offset;
	} else {
		slot = setting_take(cfg, o);
		dst = slot ? slot->text : NULL;
	}
	if (!dst)
		return -ENOSPC;
	memcpy(dst, text, strlen(text) + 1);
	return 0;
}

static int keys_set(struct ktop_config *cfg, const char *action, const char *value, char *err,
		    size_t errlen)
{
	struct config_key *k = NULL;

	if (keys_ops && keys_ops->check(action, value, err, errlen) < 0)
		return -1;
	if (strlen(action) > CONFIG_NAME_MAX || strlen(value) >= sizeof(k->keys)) {
		snprintf(err, errlen, "'%s' is too long; expected an action name and at most "
			 "%zu characters of keys", action, sizeof(k->keys) - 1);
		return -1;
	}
	for (unsigned int i = 0; i < cfg->nkeys; i++)
		if (strcmp(cfg->keys[i].action, action) == 0)
			k = &cfg->keys[i];
	if (!k) {
		if (cfg->nkeys >= CONFIG_MAX_KEYS) {
			snprintf(err, errlen, "too many [keys] lines; expected at most %d",
				 CONFIG_MAX_KEYS);
			return -1;
		}
		k = &cfg->keys[cfg->nkeys++];
	}
	snprintf(k->action, sizeof(k->action), "%s", action);
	snprintf(k->keys, sizeof(k->keys), "%s", value);
	return 0;
}

int options_set(struct ktop_config *cfg, const char *section, const char *key, const char *value,
		char *err, size_t errlen)
{
	const struct option_def *o;

	if (!section_known(section)) {
		snprintf(err, errlen, "unknown section [%s]; expected", section);
		expected_sections(err, errlen);
		return -1;
	}
	if (!key)
		return 0;
	if (strcmp(section, "keys") == 0)
		return keys_set(cfg, key, value, err, errlen);
	o = options_find(section, key);
	if (!o) {
		snprintf(err, errlen, "unknown key '%s' in [%s]; expected one of:", key, section);
		expected_keys(section, err, errlen);
		return -1;
	}
	return option_set_value(cfg, o, value, err, errlen);
}

void options_defaults(struct ktop_config *cfg)
{
	char err[INI_ERROR_MAX];

	default_panes[0] = '\0';
	for (unsigned int i = 0; i < frame_schema_count(); i++) {
		const struct table_schema *s = frame_schema(i);
		size_t used = strlen(default_panes);

		if (s->pane && !s->opt_in && used + strlen(s->id) + 3 <= sizeof(default_panes))
			snprintf(default_panes + used, sizeof(default_panes) - used, "%s%s",
				 used ? ", " : "", s->id);
	}
	applying_defaults = true;
	/* a collector's stay unset (cfg->settings) and read as their default: checked here */
	for (unsigned int i = 0; i < options_total(); i++) {
		const struct option_def *o = ordered[i];
		union config_value parsed;
		int rc = option_is_core(o) ?
			option_set_value(cfg, o, o->default_text, err, sizeof(err)) :
			option_parse(o, &parsed, option_size(o), o->default_text, err, sizeof(err));

		if (rc < 0) {
			fprintf(stderr, "ktop: bad built-in default: %s\n", err);
			abort(); /* a default that does not pass its own check is a bug */
		}
	}
	applying_defaults = false;
}

static int file_value(void *user, const char *section, const char *key, const char *value,
		      char *err, size_t errlen)
{
	return options_set(user, section, key, value, err, errlen);
}

int options_read_file(struct ktop_config *cfg, const char *path, char *err, size_t errlen)
{
	return ini_file_parse(path, file_value, cfg, err, errlen);
}

/* --config FILE, --config=FILE and --defaults, seen before the real option parsing */
static void config_args(struct ktop_config *cfg, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "--defaults") == 0)
			cfg->no_config_file = true;
		else if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
			cfg->config_file = argv[++i];
		else if (strncmp(argv[i], "--config=", 9) == 0)
			cfg->config_file = argv[i] + 9;
	}
}

int options_load(struct ktop_config *cfg, int argc, char **argv)
{
	char err[INI_ERROR_MAX], path[4096];
	const char *env, *home;
	int rc;

	config_args(cfg, argc, argv);
	if (cfg->no_config_file)
		return 0;
	/* an explicitly named file must exist */
	env = cfg->config_file ? cfg->config_file : getenv("KTOP_CONFIG");
	if (env && *env) {
		rc = options_read_file(cfg, env, err, sizeof(err));
		if (rc == 0)
			return 0;
		fprintf(stderr, "ktop: %s\n", err);
		return 2;
	}
	path[0] = '\0';
	env = getenv("XDG_CONFIG_HOME");
	home = getenv("HOME");
	if (env && *env)
		snprintf(path, sizeof(path), "%s/ktop/ktop.conf", env);
	else if (home && *home)
		snprintf(path, sizeof(path), "%s/.config/ktop/ktop.conf", home);
	for (int i = 0; i < 2; i++) {
		const char *p = i == 0 ? path : "/etc/ktop/ktop.conf";

		if (!*p)
			continue;
		rc = options_read_file(cfg, p, err, sizeof(err));
		if (rc == 0) {
			cfg->config_file = p == path ? strdup(path) : p;
			return 0;
		}
		if (rc == -ENOENT || (rc == -EACCES && !ini_file_visible(p)))
			continue; /* not there, or in a folder not ours to look in ($HOME of root) */
		fprintf(stderr, "ktop: %s\n", err);
		return 2;
	}
	return 0;
}

static void option_value_text(const struct ktop_config *cfg, const struct option_def *o,
			      char *buf, size_t len)
{
	union config_value scratch;
	const char *field = option_value(cfg, o, &scratch);

	switch (o->type) {
	case OPTION_BOOL:
		snprintf(buf, len, "%s", *(const bool *)field ? "yes" : "no");
		break;
	case OPTION_UINT:
		snprintf(buf, len, "%u", *(const unsigned int *)field);
		break;
	case OPTION_DOUBLE:
		snprintf(buf, len, "%g", *(const double *)field);
		break;
	case OPTION_STRING:
	case OPTION_LIST:
		snprintf(buf, len, "%s", field);
		break;
	}
}

void options_dump(const struct ktop_config *cfg, FILE *out)
{
	const char *section = NULL;
	char value[CONFIG_LIST_MAX];

	fputs("# ktop.conf: ktop's settings. `ktop --dump-config` prints this file with the\n"
	      "# settings in effect; with --defaults, the compiled-in ones (as shipped here).\n"
	      "# ktop reads, first found: --config FILE, $KTOP_CONFIG, $XDG_CONFIG_HOME/ktop/ktop.conf\n"
	      "# (or ~/.config/ktop/ktop.conf), /etc/ktop/ktop.conf. Command-line options win.\n",
	      out);
	for (unsigned int i = 0; i < options_total(); i++) {
		const struct option_def *o = ordered[i];

		if (!section || strcmp(section, o->section) != 0) {
			section = o->section;
			fprintf(out, "\n[%s]\n", section);
		}
		fprintf(out, "# %s", o->help);
		if (o->type == OPTION_UINT || o->type == OPTION_DOUBLE)
			fprintf(out, " (%.15g to %.15g)", o->min, o->max);
		else if (o->type == OPTION_BOOL)
			fputs(" (yes or no)", out);
		option_value_text(cfg, o, value, sizeof(value));
		fprintf(out, "\n%s = %s\n", o->key, value);
	}
	fputs("\n[keys]\n"
	      "# action = its keys, comma separated: a character, or one of Enter Tab Shift-Tab\n"
	      "# Space Esc Backspace Up Down Left Right PgUp PgDn Home End F1..F12 Ctrl-A..Ctrl-Z\n"
	      "# Comma Semicolon Hash. A key given to an action here is taken from the others.\n",
	      out);
	if (keys_ops) {
		keys_ops->dump(out, cfg);
	} else {
		for (unsigned int i = 0; i < cfg->nkeys; i++)
			fprintf(out, "%s = %s\n", cfg->keys[i].action, cfg->keys[i].keys);
	}
}
