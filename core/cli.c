// SPDX-License-Identifier: GPL-2.0
/*
 * core/cli.c: getopt_long's tables and the --help text, both made from the one option
 * table (cli.h) that ktop.c holds.
 */
#include <string.h>

#include "cli.h"

#define HELP_COLUMN 25 /* where the help text starts in --help */

static int cli_has_short(const struct cli_option *o)
{
	return o->val > 0 && o->val < 256;
}

void cli_getopt_tables(const struct cli_option *opts, unsigned int n, struct option *longopts,
		       char *shortopts, size_t shortlen)
{
	size_t used = 0;

	if (shortlen > 1)
		shortopts[used++] = ':';
	for (unsigned int i = 0; i < n; i++) {
		longopts[i] = (struct option){ opts[i].name,
					       opts[i].arg ? required_argument : no_argument, NULL,
					       opts[i].val };
		if (cli_has_short(&opts[i]) && used + 3 < shortlen) {
			shortopts[used++] = (char)opts[i].val;
			if (opts[i].arg)
				shortopts[used++] = ':';
		}
	}
	longopts[n] = (struct option){ 0 };
	if (shortlen)
		shortopts[used] = '\0';
}

void cli_help(FILE *out, const struct cli_option *opts, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		const struct cli_option *o = &opts[i];
		const char *line = o->help, *end;
		char left[64];
		int len;

		if (cli_has_short(o))
			len = snprintf(left, sizeof(left), "  -%c, --%s%s%s", o->val, o->name,
				       o->arg ? " " : "", o->arg ? o->arg : "");
		else
			len = snprintf(left, sizeof(left), "      --%s%s%s", o->name,
				       o->arg ? " " : "", o->arg ? o->arg : "");
		/* a long option name pushes the text right by two spaces, not onto its own line */
		fprintf(out, "%-*s%s", HELP_COLUMN, left, len >= HELP_COLUMN ? "  " : "");
		for (;;) {
			end = strchr(line, '\n');
			if (!end) {
				fprintf(out, "%s\n", line);
				break;
			}
			fprintf(out, "%.*s\n%*s", (int)(end - line), line, HELP_COLUMN, "");
			line = end + 1;
		}
	}
}
