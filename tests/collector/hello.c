// SPDX-License-Identifier: GPL-2.0
/*
 * tests/collector/hello.c: the smallest collector, the one docs/DEVELOPING.md walks through.
 * tests/e2e_collector.sh copies it into a copy of the tree as collectors/hello.c, adds its
 * one line to collectors/registry.c, builds, and finds its pane in the default panes and
 * its table in `ktop -J`: a new collector needs nothing else.
 *
 * It loads no BPF program: its one row is the machine's context switches per interval, the
 * growth of the "ctxt" line of /proc/stat. Its one setting, [hello] label, names the row.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/collector.h"
#include "core/intern.h"

/* Values of a hello row: what the columns' src and den name */
enum hello_value {
	HELLO_V_COUNT, /* context switches in the interval */
};

static const struct table_column hello_columns[] = {
	{ "name", "WHAT", COL_NAME, 0, 0, 20, false, "what is counted" },
	{ "count", "PER/s", COL_COUNT, HELLO_V_COUNT, 0, 9, false, "how many, per second" },
};

static const struct table_schema hello_table = {
	.id = "hello",
	.title = "Hello",
	.columns = hello_columns,
	.ncolumns = sizeof(hello_columns) / sizeof(hello_columns[0]),
	.sort_column = 1,
	.pane = true,
};

static const struct table_schema *const hello_tables[] = { &hello_table, NULL };

/* Its settings: the [hello] section of the config file, --dump-config and the manual */
enum hello_setting {
	HELLO_LABEL,
};

static const struct option_def hello_options[] = {
	[HELLO_LABEL] = { "hello", "label", OPTION_STRING, 0, 0, "context switches",
			  "what its row is called" },
};

struct hello_state {
	uint64_t last; /* the cumulative count at the last sample */
	char label[CONFIG_LIST_MAX]; /* [hello] label */
};

/* The machine's context switches since boot, or -errno */
static int read_ctxt(uint64_t *count)
{
	FILE *f = fopen("/proc/stat", "re");
	char *line = NULL;
	size_t len = 0;
	int err = -ENOENT;

	if (!f)
		return -errno;
	while (getline(&line, &len, f) > 0)
		if (sscanf(line, "ctxt %" SCNu64, count) == 1) {
			err = 0;
			break;
		}
	free(line);
	fclose(f);
	return err;
}

static void hello_close(struct collector *c)
{
	free(c->priv);
	c->priv = NULL;
}

static int hello_open(struct collector *c, const struct ktop_config *cfg)
{
	struct hello_state *s = calloc(1, sizeof(*s));
	int err;

	if (!s)
		return collector_fail(c, "out of memory");
	c->priv = s;
	snprintf(s->label, sizeof(s->label), "%s", options_text(cfg, &hello_options[HELLO_LABEL]));
	err = read_ctxt(&s->last);
	if (err) {
		hello_close(c);
		return collector_fail(c, "cannot read ctxt in /proc/stat: %s", strerror(-err));
	}
	return 0;
}

static int hello_sample(struct collector *c, struct frame *f)
{
	struct hello_state *s = c->priv;
	struct table *t = frame_table(f, &hello_table);
	struct table_row *r;
	uint64_t now;
	int err = read_ctxt(&now);

	if (err)
		return err;
	if (t) {
		r = table_add_row(t, 1);
		if (!r)
			return -ENOMEM;
		r->name = intern(s->label);
		r->v[HELLO_V_COUNT] = now - s->last;
	}
	s->last = now;
	return 0;
}

const struct collector_ops hello_collector = {
	.name = "hello",
	.tables = hello_tables,
	.open = hello_open,
	.sample = hello_sample,
	.close = hello_close,
	.options = hello_options,
	.noptions = sizeof(hello_options) / sizeof(hello_options[0]),
};
