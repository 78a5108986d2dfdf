// SPDX-License-Identifier: GPL-2.0
/* core/main.c: command line, start-up checks, collectors up, the loop, everything down. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "collectors/registry.h"
#include "intern.h"
#include "ktop.h"
#include "privilege.h"
#include "ui/ui.h"

#define EXIT_USAGE 2

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: ktop [options]\n"
		"A top-like monitor of kernel activity: system calls, interrupts, tasklets,\n"
		"critical sections.\n\n"
		"  -d, --delay SECS       interval between frames (default 1; fractions allowed)\n"
		"  -n, --frames N         stop after N frames\n"
		"  -b, --batch            print frames as text, no screen\n"
		"  -J, --json             print one JSON object per frame per line (NDJSON)\n"
		"  -c, --container ID     only this container (ID or name)\n"
		"      --config FILE      read settings from FILE\n"
		"      --check            say which collectors can run here, and why not\n"
		"      --log FILE         append libbpf's messages to FILE\n"
		"      --ascii            draw with ASCII only\n"
		"      --count-only       count syscalls without timing them (cheapest)\n"
		"      --columns          list every table and column (JSON keys) and exit\n"
		"  -V, --version          print the version\n"
		"  -h, --help             this help\n\n"
		"Keys: arrows/j/k move, Enter opens, Esc goes back, < > choose the sort column,\n"
		"r reverses it, q quits.\n");
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

enum { OPT_CHECK = 256, OPT_LOG, OPT_CONFIG, OPT_ASCII, OPT_COUNT_ONLY, OPT_COLUMNS };

static bool list_columns;

static int parse_args(struct ktop_config *cfg, int argc, char **argv)
{
	static const struct option options[] = {
		{ "delay", required_argument, NULL, 'd' },
		{ "frames", required_argument, NULL, 'n' },
		{ "batch", no_argument, NULL, 'b' },
		{ "json", no_argument, NULL, 'J' },
		{ "container", required_argument, NULL, 'c' },
		{ "config", required_argument, NULL, OPT_CONFIG },
		{ "check", no_argument, NULL, OPT_CHECK },
		{ "log", required_argument, NULL, OPT_LOG },
		{ "ascii", no_argument, NULL, OPT_ASCII },
		{ "count-only", no_argument, NULL, OPT_COUNT_ONLY },
		{ "columns", no_argument, NULL, OPT_COLUMNS },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	double v;
	int opt;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":d:n:bJc:Vh", options, NULL)) != -1) {
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
			break;
		case 'J':
			cfg->output = OUTPUT_JSON;
			break;
		case 'c':
			cfg->container = optarg;
			break;
		case OPT_CONFIG:
			break; /* read before the command line; see config.c */
		case OPT_CHECK:
			cfg->check = true;
			break;
		case OPT_LOG:
			cfg->log_file = optarg;
			break;
		case OPT_ASCII:
			cfg->ascii = true;
			break;
		case OPT_COUNT_ONLY:
			cfg->syscall_latency = false;
			break;
		case OPT_COLUMNS:
			list_columns = true;
			break;
		case 'V':
			printf("ktop %s\n", KTOP_VERSION);
			exit(0);
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
	return 0;
}

static void collectors_open_all(struct ktop *k)
{
	for (unsigned int i = 0; i < collector_registry_size && i < KTOP_MAX_COLLECTORS; i++) {
		struct collector *c = &k->collectors[k->ncollectors++];

		c->ops = collector_registry[i];
		c->reason[0] = '\0';
		c->running = c->ops->open(c, &k->cfg) == 0;
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
	int ok;

	printf("ktop %s on %s, kernel %s, %d CPUs\n", KTOP_VERSION, k->hostname, k->kernel,
	       k->ncpus);
	printf("privileges: %s\n", missing_priv ? "missing" : "ok");
	if (missing_priv)
		printf("  needs %s\n", missing_priv);
	printf("kernel BTF: %s\n", missing_kernel ? missing_kernel : "ok");
	if (missing_priv || missing_kernel) {
		for (unsigned int i = 0; i < collector_registry_size; i++)
			printf("%-12s unavailable: %s\n", collector_registry[i]->name,
			       missing_priv ? "not enough privileges" : "no kernel BTF");
		return 1;
	}
	collectors_open_all(k);
	ok = ktop_running_collectors(k);
	for (unsigned int i = 0; i < k->ncollectors; i++) {
		struct collector *c = &k->collectors[i];

		printf("%-12s %s%s\n", c->ops->name, c->running ? "ok" : "unavailable: ",
		       c->running ? "" : c->reason);
	}
	collectors_close_all(k);
	return ok > 0 ? 0 : 1;
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
		printf("\n");
	}
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
	int status;

	config_defaults(&k.cfg);
	status = parse_args(&k.cfg, argc, argv);
	if (status)
		return status;
	for (unsigned int i = 0; i < collector_registry_size; i++)
		for (const struct table_schema *const *t = collector_registry[i]->tables; *t; t++)
			frame_register_schema(*t);
	if (list_columns) {
		print_columns();
		return 0;
	}
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
	k.sink = k.cfg.output == OUTPUT_JSON ? &json_sink
		 : k.cfg.output == OUTPUT_TEXT ? &text_sink
					       : &screen_sink;
	collectors_open_all(&k);
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
	if (collectors_stats_enable() >= 0)
		k.bpf_cost = collectors_bpf_cost;
	status = k.sink->start(&k);
	if (status == 0) {
		status = ktop_loop(&k);
		if (k.sink->stop)
			k.sink->stop(&k);
	}
	collectors_close_all(&k);
	collectors_exit();
	history_free(&k.history);
	intern_free_all();
	return status;
}
