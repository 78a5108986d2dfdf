/* SPDX-License-Identifier: GPL-2.0 */
/*
 * core/cli.h: the command line's one table of options. getopt_long's tables, --help and
 * the man page (core/manpage.c) are all made from it, so none of them can name an option
 * the others lack; bash completion reads --help.
 */
#ifndef KTOP_CORE_CLI_H
#define KTOP_CORE_CLI_H

#include <getopt.h>
#include <stdio.h>

struct cli_option {
	const char *name; /* the long name, "delay" */
	int val;          /* its short letter, or a number above 255 for a long-only option */
	const char *arg;  /* what its value is ("SECS"), NULL when it takes none */
	const char *help; /* '\n' breaks the --help line there; the man page joins the lines */
};

#define CLI_MAX_OPTIONS 64

/*
 * getopt_long's tables from opts: longopts (n + 1 entries, the last all zero) and the short
 * option string, ":" first so that a missing value is told apart from an unknown option.
 */
void cli_getopt_tables(const struct cli_option *opts, unsigned int n, struct option *longopts,
		       char *shortopts, size_t shortlen);
/* The options part of --help: "  -d, --delay SECS       interval ..." */
void cli_help(FILE *out, const struct cli_option *opts, unsigned int n);

#endif
