// SPDX-License-Identifier: GPL-2.0
/*
 * ktop.c: the composition root, the one file that wires core/, collectors/ and ui/
 * together: command line, start-up checks, collectors up, the loop, everything down.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "collectors/functions.h"
#include "collectors/registry.h"
#include "core/cli.h"
#include "core/containers.h"
#include "core/fault.h"
#include "core/intern.h"
#include "core/ini_file.h"
#include "core/ksyms.h"
#include "core/ktop.h"
#include "core/manpage.h"
#include "core/options.h"
#include "core/output.h"
#include "core/privilege.h"
#include "core/privsep.h"
#include "core/record.h"
#include "core/theme.h"
#include "export/exporter.h"
#include "export/httpd_library.h"
#include "revision.h"
#include "ui/ui.h"

#define EXIT_USAGE 2

enum { OPT_CHECK = 256, OPT_LOG, OPT_CONFIG, OPT_ASCII, OPT_COUNT_ONLY, OPT_COLUMNS,
       OPT_DEFAULTS, OPT_DUMP_CONFIG, OPT_THEME, OPT_LIST_ACTIONS };
enum { OPT_RECORD_ONLY = 512, OPT_RECORD_MAX_SIZE, OPT_RECORD_MAX_AGE, OPT_RECORD_KEEP };
enum { OPT_FORMAT = 768, OPT_LISTEN, OPT_WEB_CONFIG };
enum { OPT_MAN = 1024, OPT_LIST_THEMES, OPT_LIST_CONTAINERS };
enum { OPT_NO_MOUSE = 1280 };

/* Every option, in --help's order: getopt, --help and the man page are made from it */
static const struct cli_option cli_options[] = {
	{ "delay", 'd', "SECS", "interval between frames (default 1; fractions allowed)" },
	{ "frames", 'n', "N", "stop after N frames" },
	{ "batch", 'b', NULL, "print frames as text, no screen" },
	{ "json", 'J', NULL, "print one JSON object per frame per line (NDJSON)" },
	{ "format", OPT_FORMAT, "FMT", "batch output: text (-b), json (-J), prometheus (text\n"
	  "0.0.4) or openmetrics (1.0): the metrics of --listen" },
	{ "listen", OPT_LISTEN, "ADDR:PORT", "serve Prometheus/OpenMetrics metrics at /metrics, no\n"
	  "screen (docs/EXPORTER.md)" },
	{ "web-config", OPT_WEB_CONFIG, "FILE",
	  "with --listen: TLS and basic auth (exporter-toolkit format)" },
	{ "container", 'c', "ID", "only this container (ID or name)" },
	{ "function", 'f', "FUNC", "count and time kernel function FUNC (repeatable;\n"
	  "the Functions pane, docs/FUNCTIONS.md)" },
	{ "config", OPT_CONFIG, "FILE", "read settings from FILE (see ktop.conf)" },
	{ "defaults", OPT_DEFAULTS, NULL, "read no config file: compiled-in settings" },
	{ "dump-config", OPT_DUMP_CONFIG, NULL,
	  "print the settings in effect as a config file and exit" },
	{ "theme", OPT_THEME, "NAME", "colour theme (default, light, mono, 256, or your own)" },
	{ "list-themes", OPT_LIST_THEMES, NULL, "list the themes found and exit" },
	{ "list-actions", OPT_LIST_ACTIONS, NULL,
	  "list the screen's actions and their keys and exit" },
	{ "list-containers", OPT_LIST_CONTAINERS, NULL,
	  "list the containers running here (name, runtime, id)\nand exit" },
	{ "check", OPT_CHECK, NULL, "say which collectors can run here, and why not" },
	{ "log", OPT_LOG, "FILE", "append libbpf's messages to FILE" },
	{ "ascii", OPT_ASCII, NULL, "draw with ASCII only" },
	{ "no-mouse", OPT_NO_MOUSE, NULL, "leave the mouse to the terminal (no clicks, no wheel)" },
	{ "count-only", OPT_COUNT_ONLY, NULL, "count syscalls without timing them (cheapest)" },
	{ "columns", OPT_COLUMNS, NULL, "list every table and column (JSON keys) and exit" },
	{ "write", 'w', "FILE", "also record every frame to FILE (screen, -b or -J)" },
	{ "record-only", OPT_RECORD_ONLY, NULL, "with -w: record, print nothing (long captures)" },
	{ "record-max-size", OPT_RECORD_MAX_SIZE, "N", "with -w: start a new FILE at N bytes (K, M, G);\n"
	  "the old ones become FILE.1, FILE.2, ..." },
	{ "record-max-age", OPT_RECORD_MAX_AGE, "T", "with -w: start a new FILE after T (s, m, h, d)" },
	{ "record-keep", OPT_RECORD_KEEP, "N", "rotated files kept (default 10)" },
	{ "read", 'r', "FILE", "replay a recording (the screen, or -b/-J to convert)" },
	{ "man", OPT_MAN, NULL, "print the manual page (roff, for man -l -) and exit" },
	{ "version", 'V', NULL, "print the version, git revision and libbpf version" },
	{ "help", 'h', NULL, "this help" },
};

#define CLI_COUNT (sizeof(cli_options) / sizeof(cli_options[0]))

static void usage(FILE *out)
{
	fputs("Usage: ktop [options]\n"
	      "A top-like monitor of kernel activity: system calls, interrupts, tasklets,\n"
	      "critical sections.\n\n", out);
	cli_help(out, cli_options, CLI_COUNT);
	fputs("\nKeys: arrows/j/k move, Enter opens, Esc goes back, 1-9 pane (again: zoom),\n"
	      "/ filter, < > s sort, r reverse, space pause, [ ] history, t theme, ? help, q quit,\n"
	      "c picks a container (every pane shows only it), C the whole machine again.\n"
	      "man ktop says more.\n", out);
}

static int usage_error(const char *fmt, const char *value)
{
	fputs("ktop: ", stderr);
	fprintf(stderr, fmt, value);
	fputs("\nTry 'ktop --help'.\n", stderr);
	return EXIT_USAGE;
}

static int parse_double(const char *s, double lo, double hi, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || isnan(v) || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

/* --format NAME: an output mode, or -1 */
static int output_format_parse(const char *name)
{
	static const char *const names[] = {
		[OUTPUT_TEXT] = "text", [OUTPUT_JSON] = "json",
		[OUTPUT_PROMETHEUS] = "prometheus", [OUTPUT_OPENMETRICS] = "openmetrics",
	};

	for (int i = 0; i < (int)(sizeof(names) / sizeof(names[0])); i++)
		if (names[i] && strcmp(names[i], name) == 0)
			return i;
	return -1;
}

static bool list_columns, list_themes, list_containers, print_man;

/* The git revision comes from the build ($(BUILD)/revision.h: empty outside a git tree);
 * the libbpf version is the library's at run time, which may be newer than the headers' */
static void print_version(void)
{
	printf("ktop %s\n", KTOP_VERSION);
	if (KTOP_GIT_REVISION[0])
		printf("git revision %s\n", KTOP_GIT_REVISION);
	printf("libbpf %u.%u (built against %d.%d)\n", libbpf_major_version(),
	       libbpf_minor_version(), LIBBPF_MAJOR_VERSION, LIBBPF_MINOR_VERSION);
}

/* --man: from the compiled-in settings and keys, whatever the config file says */
static int print_manpage(void)
{
	static struct ktop_config defaults;
	char *actions = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&actions, &len);

	if (!mem) {
		fprintf(stderr, "ktop: out of memory for the manual page\n");
		return 1;
	}
	config_defaults(&defaults);
	ui_actions_list(mem, &defaults);
	if (fclose(mem) != 0) {
		free(actions);
		fprintf(stderr, "ktop: out of memory for the manual page\n");
		return 1;
	}
	manpage_write(stdout, cli_options, CLI_COUNT, actions);
	free(actions);
	return fflush(stdout) == 0 ? 0 : 1;
}

static int print_themes(void)
{
	static char names[256][CONFIG_NAME_MAX + 1];
	unsigned int n = theme_list(names, 256);

	for (unsigned int i = 0; i < n; i++)
		printf("%s\n", names[i]);
	return 0;
}

/* --list-containers: what -c accepts, from the same discovery the containers pane uses
 * (names that need a container's UTS namespace need root) */
static int print_containers(void)
{
	const struct container *list;
	size_t count;
	int err = containers_init();

	if (!err)
		err = containers_refresh();
	if (err) {
		fprintf(stderr, "ktop: cannot find containers here: %s\n", strerror(-err));
		containers_exit();
		return 1;
	}
	list = containers_list(&count);
	for (size_t i = 1; i < count; i++) /* [0] is the host */
		printf("%s\t%s\t%s\n", list[i].name, container_runtime_names[list[i].runtime],
		       list[i].id);
	containers_exit();
	intern_free_all();
	return 0;
}

/* -f FUNC: one more name in [functions] trace (after the config file's), with globs and
 * longer names than the file takes; 0 or -1 */
static int functions_option_add(struct ktop_config *cfg, const char *name)
{
	const struct option_def *trace = options_find("functions", "trace");
	char list[CONFIG_LIST_MAX];
	size_t used, n = strlen(name), count;

	if (!trace)
		return -1;
	snprintf(list, sizeof(list), "%s", options_text(cfg, trace));
	used = strlen(list);
	count = used ? 1 : 0;
	for (const char *p = list; (p = strchr(p, ',')); p++)
		count++;
	if (!n || strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			     "0123456789_.*?:") != n || count >= 32 || used + n + 3 > sizeof(list))
		return -1;
	snprintf(list + used, sizeof(list) - used, "%s%s", used ? ", " : "", name);
	return options_set_text(cfg, trace, list) < 0 ? -1 : 0;
}

/* Functions asked for are shown: their pane joins [general] panes */
static void functions_pane_show(struct ktop_config *cfg)
{
	const struct option_def *trace = options_find("functions", "trace");
	size_t used = strlen(cfg->panes);

	if (trace && options_text(cfg, trace)[0] && used &&
	    !config_pane_listed(cfg, "functions") &&
	    used + sizeof(", functions") <= sizeof(cfg->panes))
		strcat(cfg->panes, ", functions");
}

static int parse_args(struct ktop_config *cfg, int argc, char **argv)
{
	struct option options[CLI_COUNT + 1];
	char shortopts[2 * CLI_COUNT + 2];
	char host[256], port[16], why[400];
	int opt, format = -1;
	bool batch = false;
	double v;

	cli_getopt_tables(cli_options, CLI_COUNT, options, shortopts, sizeof(shortopts));
	opterr = 0;
	while ((opt = getopt_long(argc, argv, shortopts, options, NULL)) != -1) {
		switch (opt) {
		case 'd':
			if (parse_double(optarg, 0.05, 3600, &v) < 0)
				return usage_error("invalid interval '%s' for -d: expected seconds "
						   "between 0.05 and 3600", optarg);
			cfg->interval_s = v;
			break;
		case 'n':
			if (parse_double(optarg, 1, 1e9, &v) < 0 || v != floor(v))
				return usage_error("invalid frame count '%s' for -n: expected a "
						   "whole number from 1", optarg);
			cfg->frames = (long)v;
			break;
		case 'b':
			cfg->output = OUTPUT_TEXT;
			batch = true;
			break;
		case 'J':
			cfg->output = OUTPUT_JSON;
			batch = true;
			break;
		case OPT_FORMAT:
			format = output_format_parse(optarg);
			if (format < 0)
				return usage_error("invalid format '%s' for --format: expected text, "
						   "json, prometheus or openmetrics", optarg);
			break;
		case OPT_LISTEN:
			if (exporter_parse_listen(optarg, host, sizeof(host), port, sizeof(port),
						  why, sizeof(why)) < 0)
				return usage_error("%s", why);
			cfg->listen = optarg;
			break;
		case OPT_WEB_CONFIG:
			cfg->web_config = optarg;
			break;
		case 'c':
			cfg->container = optarg;
			break;
		case 'f':
			if (functions_option_add(cfg, optarg) < 0)
				return usage_error("invalid function '%s' for -f: expected a kernel "
						   "function name (letters, digits, '_', '.') or a glob "
						   "('*', '?'), at most 32 of them", optarg);
			break;
		case OPT_CONFIG:
		case OPT_DEFAULTS:
			break; /* the config file was read before the command line (options.c) */
		case OPT_DUMP_CONFIG:
			cfg->dump_config = true;
			break;
		case OPT_LIST_ACTIONS:
			cfg->list_actions = true;
			break;
		case OPT_THEME:
			if (!theme_name_valid(optarg))
				return usage_error("invalid theme name '%s' for --theme: expected "
						   "letters, digits, '_' or '-'", optarg);
			snprintf(cfg->theme, sizeof(cfg->theme), "%s", optarg);
			break;
		case OPT_CHECK:
			cfg->check = true;
			break;
		case OPT_LOG:
			cfg->log_file = optarg;
			break;
		case OPT_ASCII:
			cfg->ascii = true;
			break;
		case OPT_NO_MOUSE:
			cfg->mouse = false;
			break;
		case OPT_COUNT_ONLY:
			if (options_set(cfg, "syscalls", "latency", "no", why, sizeof(why)) < 0)
				return usage_error("%s", why);
			break;
		case OPT_COLUMNS:
			list_columns = true;
			break;
		case 'w':
			cfg->record_file = optarg;
			break;
		case 'r':
			cfg->replay_file = optarg;
			break;
		case OPT_RECORD_ONLY:
			cfg->record_only = true;
			break;
		case OPT_RECORD_MAX_SIZE:
			if (record_parse_size(optarg, &cfg->record_max_size) < 0)
				return usage_error("invalid size '%s' for --record-max-size: expected "
						   "bytes from 4096, or a number with K, M or G", optarg);
			break;
		case OPT_RECORD_MAX_AGE:
			if (record_parse_age(optarg, &cfg->record_max_age_s) < 0)
				return usage_error("invalid age '%s' for --record-max-age: expected "
						   "seconds from 1, or a number with s, m, h or d", optarg);
			break;
		case OPT_RECORD_KEEP:
			if (parse_double(optarg, 1, 100000, &v) < 0 || v != floor(v))
				return usage_error("invalid count '%s' for --record-keep: expected a "
						   "whole number from 1", optarg);
			cfg->record_keep = (unsigned int)v;
			break;
		case 'V':
			print_version();
			exit(0);
		case OPT_MAN:
			print_man = true;
			break;
		case OPT_LIST_THEMES:
			list_themes = true;
			break;
		case OPT_LIST_CONTAINERS:
			list_containers = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case ':':
			return usage_error("option '%s' needs a value", argv[optind - 1]);
		default:
			return usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (format >= 0)
		cfg->output = (enum output_mode)format; /* -b or -J with it: --format says which */
	functions_pane_show(cfg);
	if (cfg->listen && (batch || format >= 0))
		return usage_error("%s serves the metrics over HTTP and prints no frames: "
				   "drop -b, -J and --format", "--listen");
	if (cfg->web_config && !cfg->listen)
		return usage_error("%s is for --listen", "--web-config");
	if (cfg->listen && cfg->replay_file)
		return usage_error("%s cannot serve a replay (-r)", "--listen");
	if (cfg->record_only && !cfg->record_file)
		return usage_error("%s needs -w FILE", "--record-only");
	if (cfg->replay_file && cfg->record_only)
		return usage_error("%s cannot replay (-r): it prints nothing", "--record-only");
	return 0;
}

/* Is one of the collector's panes in [general] panes? */
static bool collector_wanted(const struct collector_ops *ops, const struct ktop_config *cfg)
{
	for (const struct table_schema *const *t = ops->tables; *t; t++)
		if ((*t)->pane && config_pane_listed(cfg, (*t)->id))
			return true;
	return false;
}

/* Pay for what is on screen: a collector none of whose panes is wanted is not loaded
 * (--check loads them all: it answers what could run) */
static void collectors_open_all(struct ktop *k, bool all)
{
	for (unsigned int i = 0; i < collector_registry_size && i < KTOP_MAX_COLLECTORS; i++) {
		struct collector *c = &k->collectors[k->ncollectors++];

		c->ops = collector_registry[i];
		/* on the screen functions can be traced later (the trace prompt): it is ready,
		 * attaching nothing until then */
		if (!all && !collector_wanted(c->ops, &k->cfg) &&
		    !(c->ops == &functions_collector && k->cfg.output == OUTPUT_SCREEN &&
		      !k->cfg.record_only && !k->cfg.listen)) {
			c->running = false;
			snprintf(c->reason, sizeof(c->reason), "off: no pane of it in [general] panes");
			continue;
		}
		c->running = collector_open(c, &k->cfg) == 0;
	}
}

static void collectors_close_all(struct ktop *k)
{
	for (unsigned int i = 0; i < k->ncollectors; i++) {
		struct collector *c = &k->collectors[i];

		if (c->running || c->priv)
			c->ops->close(c);
		c->running = false;
	}
}

static int run_check(struct ktop *k, const char *missing_priv, const char *missing_kernel)
{
	char why[256];
	bool exporter_ok;
	int ok;

	printf("ktop %s on %s, kernel %s, %d CPUs\n", KTOP_VERSION, k->hostname, k->kernel,
	       k->ncpus);
	printf("privileges: %s\n", missing_priv ? "missing" : "ok");
	if (missing_priv)
		printf("  needs %s\n", missing_priv);
	printf("kernel BTF: %s\n", missing_kernel ? missing_kernel : "ok");
	/* loaded only for --listen: say here whether it would load */
	exporter_ok = httpd_library_load(why, sizeof(why)) == 0;
	printf("exporter (--listen): %s%s\n", exporter_ok ? "ok" : "unavailable: ",
	       exporter_ok ? "" : why);
	privilege_report(stdout, &k->cfg);
	if (missing_priv || missing_kernel) {
		for (unsigned int i = 0; i < collector_registry_size; i++)
			printf("%-12s unavailable: %s\n", collector_registry[i]->name,
			       missing_priv ? "not enough privileges" : "no kernel BTF");
		return 1;
	}
	collectors_open_all(k, true);
	ok = ktop_running_collectors(k);
	for (unsigned int i = 0; i < k->ncollectors; i++) {
		struct collector *c = &k->collectors[i];
		char state[COLLECTOR_REASON_MAX + 32];

		printf("%-12s %s\n", c->ops->name, collector_state(c, state, sizeof(state)));
	}
	collectors_close_all(k);
	return ok > 0 && (exporter_ok || !k->cfg.listen) ? 0 : 1;
}

static const char *column_unit(const struct table_column *c)
{
	switch (c->kind) {
	case COL_NAME:
	case COL_TEXT_VALUE:
		return "string";
	case COL_CPUS:
		return "list of CPU numbers";
	case COL_ID:
		return "integer";
	case COL_COUNT:
		return "count in the interval";
	case COL_TIME:
		return "ns in the interval";
	case COL_DURATION:
	case COL_AGE:
		return "ns";
	default:
		return "derived (screen only)";
	}
}

/* Every table and its columns, as Markdown: docs/JSON.md is checked against this */
static void print_columns(void)
{
	for (unsigned int i = 0; i < frame_schema_count(); i++) {
		const struct table_schema *s = frame_schema(i);

		if (s->internal)
			continue;
		printf("### `%s` — %s%s\n\n| key | type | meaning |\n| --- | --- | --- |\n", s->id,
		       s->title, s->detail ? " (only while a row is opened)" : "");
		for (unsigned int c = 0; c < s->ncolumns; c++)
			if (!s->columns[c].derived)
				printf("| `%s` | %s | %s |\n", s->columns[c].id,
				       column_unit(&s->columns[c]), s->columns[c].help);
		for (unsigned int h = 0; h < s->hist_count; h++)
			printf("| `%s_hist` | list of counts | log2 histogram of %s: element i counts "
			       "values in [2^i, 2^(i+1)) ns, trailing zeros cut |\n",
			       s->hist_names[h], s->hist_names[h]);
		if (s->strings_id)
			printf("| `%s` | list of strings | |\n", s->strings_id);
		if (s->exited_value)
			printf("| `exited` | integer, only when not 0 | in a row of processes of one "
			       "command that exited in the interval (`pid` 0): how many |\n");
		printf("\n");
	}
}

/* -c: every pane shows one container from the first frame on. Chosen before the collectors
 * open, so the filter is in place before their programs attach. A container not running
 * yet is waited for (the panes stay empty and the header says so). */
static int select_start_container(struct ktop *k)
{
	int err = containers_init();

	if (!err)
		err = containers_refresh();
	if (err) {
		fprintf(stderr, "ktop: -c %s: cannot find containers here: %s\n",
			k->cfg.container, strerror(-err));
		return -1;
	}
	if (containers_select(k->cfg.container) == -ENOENT)
		fprintf(stderr, "ktop: no container matches '%s' yet; showing it when it starts\n",
			k->cfg.container);
	return 0;
}

/* A bad theme is an error before the screen starts, like a bad config file */
static int check_theme(const struct ktop_config *cfg)
{
	struct theme t;
	char err[INI_ERROR_MAX];

	if (theme_load(&t, cfg->theme, err, sizeof(err)) == 0)
		return 0;
	fprintf(stderr, "ktop: %s\n", err);
	return EXIT_USAGE;
}

static int record_start(struct ktop *k)
{
	struct recorder_options opt = { k->cfg.record_max_size, k->cfg.record_max_age_s,
					 k->cfg.record_keep };

	if (!k->cfg.record_file)
		return 0;
	k->recorder = recorder_open(k, k->cfg.record_file, &opt);
	if (!k->recorder) {
		fprintf(stderr, "ktop: cannot record to %s: %s\n", k->cfg.record_file,
			strerror(errno));
		return -1;
	}
	return 0;
}

/* Returns status, or 1 when the recording failed on the way */
static int record_stop(struct ktop *k, int status)
{
	if (!k->recorder)
		return status;
	if (recorder_error(k->recorder)) {
		fprintf(stderr, "ktop: %s\n", recorder_error(k->recorder));
		status = 1;
	}
	recorder_close(k->recorder);
	k->recorder = NULL;
	return status;
}

/* ktop -r FILE: frames come from the file; no BPF, no privileges. A damaged file is
 * exit status 2, after everything valid in it was shown */
static int replay_main(struct ktop *k)
{
	char err[600];
	struct replay *r = replay_open_file(k->cfg.replay_file, err, sizeof(err));
	int status;

	if (!r) {
		fprintf(stderr, "ktop: %s\n", err);
		return EXIT_USAGE;
	}
	replay_identity(r, k);
	k->out = stdout;
	k->source = &replay_source;
	k->source_state = r;
	if (history_init(&k->history, k->cfg.history) < 0) {
		fprintf(stderr, "ktop: out of memory for %u frames of history\n", k->cfg.history);
		replay_close(r);
		return 1;
	}
	k->sink = k->cfg.output == OUTPUT_JSON ? &json_sink
		  : k->cfg.output == OUTPUT_TEXT ? &text_sink
		  : k->cfg.output == OUTPUT_SCREEN ? &screen_sink
						   : &exposition_sink;
	status = record_start(k) < 0 ? 1 : k->sink->start(k);
	if (status == 0) {
		status = ktop_loop(k);
		if (k->sink->stop)
			k->sink->stop(k);
	}
	status = record_stop(k, status);
	if (replay_error(r)) {
		fprintf(stderr, "ktop: %s\n", replay_error(r));
		status = EXIT_USAGE;
	} else if (replay_frame_count(r) == 0) {
		fprintf(stderr, "ktop: %s: no frames recorded\n", k->cfg.replay_file);
	}
	history_free(&k->history);
	replay_close(r);
	intern_free_all();
	return status;
}

/* Every collector is attached: keep only the capabilities still used (docs/SECURITY.md).
 * Not being able to drop them is said, not fatal: ktop runs as it was started. */
static struct collector *functions_collector_of(struct ktop *k)
{
	for (unsigned int i = 0; i < k->ncollectors; i++)
		if (k->collectors[i].ops == &functions_collector)
			return &k->collectors[i];
	return NULL;
}

static int function_trace(struct ktop *k, const char *text, char *msg, size_t len)
{
	struct collector *c = functions_collector_of(k);

	if (!c) {
		snprintf(msg, len, "functions: not in this ktop");
		return -ENODEV;
	}
	return functions_live_add(c, text, msg, len);
}

static int function_untrace(struct ktop *k, uint64_t key, char *msg, size_t len)
{
	struct collector *c = functions_collector_of(k);

	return c ? functions_live_remove(c, key, msg, len) : -ENODEV;
}

/* The capabilities still used go to the privileged helper; this process keeps none */
static void drop_privileges(struct ktop *k)
{
	struct privsep_config helper = {
		.record_path = k->cfg.record_file,
		.record_keep = k->cfg.record_keep ? k->cfg.record_keep : RECORD_KEEP_DEFAULT,
		.keep_caps = privilege_runtime_needs(&k->cfg),
	};
	char why[160], caps[160];
	uint64_t keep = 0;
	struct collector *functions = functions_collector_of(k);
	int err;

	/* functions added later are loaded by the helper, with the CAP_SYS_ADMIN it keeps */
	if (functions)
		functions_live_setup(functions);
	err = privsep_start(&helper);

	if (err < 0) {
		keep = helper.keep_caps;
		fprintf(stderr, "ktop: cannot start the privileged helper (%s): keeping %s\n",
			strerror(-err), privilege_format(keep, caps, sizeof(caps)));
	}
	if (privilege_drop(keep, why, sizeof(why)) < 0)
		fprintf(stderr, "ktop: %s\n", why);
}

static void system_identity(struct ktop *k)
{
	struct utsname u;

	if (uname(&u) == 0) {
		snprintf(k->hostname, sizeof(k->hostname), "%s", u.nodename);
		snprintf(k->kernel, sizeof(k->kernel), "%s", u.release);
	}
	k->ncpus = (int)sysconf(_SC_NPROCESSORS_ONLN);
}

int main(int argc, char **argv)
{
	static struct ktop k;
	const char *missing_priv, *missing_kernel;
	char why[512];
	sigset_t signals;
	int status;

	ktop_signals_block(&signals);
	/* the schemas first: the default panes are theirs, the config file names panes and
	 * columns */
	collectors_register_schemas();
	config_defaults(&k.cfg);
	options_set_keys_ops(&ui_keys_options);
	status = options_load(&k.cfg, argc, argv);
	if (status)
		return status;
	status = parse_args(&k.cfg, argc, argv);
	if (status)
		return status;
	status = check_theme(&k.cfg);
	if (status)
		return status;
	if (k.cfg.dump_config) {
		options_dump(&k.cfg, stdout);
		return 0;
	}
	if (k.cfg.list_actions) {
		ui_actions_list(stdout, &k.cfg);
		return 0;
	}
	if (list_columns) {
		print_columns();
		return 0;
	}
	if (print_man)
		return print_manpage();
	if (list_themes)
		return print_themes();
	if (list_containers)
		return print_containers();
	if (k.cfg.replay_file)
		return replay_main(&k);
	system_identity(&k);
	k.out = stdout;
	if (collectors_init(k.cfg.log_file) < 0) {
		fprintf(stderr, "ktop: cannot open log file %s: %s\n", k.cfg.log_file,
			strerror(errno));
		return 1;
	}
	missing_priv = privilege_missing();
	missing_kernel = missing_priv ? NULL : collectors_missing_requirement();
	if (k.cfg.check) {
		status = run_check(&k, missing_priv, missing_kernel);
		collectors_exit();
		return status;
	}
	if (missing_priv) {
		fprintf(stderr, "ktop: needs %s to load BPF programs; try: sudo ktop\n",
			missing_priv);
		return 1;
	}
	if (missing_kernel) {
		fprintf(stderr, "ktop: cannot run: %s\n", missing_kernel);
		return 1;
	}

	if (history_init(&k.history, k.cfg.history) < 0) {
		fprintf(stderr, "ktop: out of memory for %u frames of history\n", k.cfg.history);
		return 1;
	}
	k.sink = k.cfg.listen ? &exporter_sink
		 : k.cfg.record_only ? &null_sink
		 : k.cfg.output == OUTPUT_JSON ? &json_sink
		 : k.cfg.output == OUTPUT_TEXT ? &text_sink
		 : k.cfg.output == OUTPUT_SCREEN ? &screen_sink
						 : &exposition_sink;
	/* bound before the privilege drop (a port below 1024), served after it */
	if (k.cfg.listen && !(k.sink_state = exporter_open(&k.cfg, why, sizeof(why)))) {
		int err = errno;

		fprintf(stderr, "ktop: %s\n", why);
		return err == EINVAL ? EXIT_USAGE : 1; /* a bad web config file is a usage error */
	}
	if (k.cfg.container && select_start_container(&k) < 0)
		return 1;
	ksyms_kernel_prefetch(); /* read while the first collectors load */
	collectors_open_all(&k, false);
	if (ktop_running_collectors(&k) == 0) {
		fprintf(stderr, "ktop: no collector can run here:\n");
		for (unsigned int i = 0; i < k.ncollectors; i++)
			fprintf(stderr, "  %s: %s\n", k.collectors[i].ops->name,
				k.collectors[i].reason);
		collectors_close_all(&k);
		collectors_exit();
		return 1;
	}
	collectors_opened();
	if (k.cfg.container && !containers_have_filter()) {
		fprintf(stderr, "ktop: -c %s: no collector could set up the container filter\n",
			k.cfg.container);
		collectors_close_all(&k);
		collectors_exit();
		return 1;
	}
	drop_privileges(&k);
	k.bpf_cost = collectors_bpf_cost;
	k.bpf_stats = collectors_stats_enable;
	k.function_trace = function_trace;
	k.function_untrace = function_untrace;
	k.function_complete = functions_complete;
	status = record_start(&k) < 0 ? 1 : k.sink->start(&k);
	if (status == 0) {
		status = ktop_loop(&k);
		if (k.sink->stop)
			k.sink->stop(&k);
	}
	status = record_stop(&k, status);
	if (k.cfg.listen)
		exporter_close(k.sink_state);
	if (status && fault_wanted("loop", "tick"))
		fprintf(stderr, "ktop: internal error (test hook KTOP_FAULT=loop:tick)\n");
	collectors_close_all(&k);
	collectors_exit();
	containers_exit();
	privsep_stop();
	history_free(&k.history);
	intern_free_all();
	return status;
}
