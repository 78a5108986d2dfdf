// SPDX-License-Identifier: GPL-2.0
/*
 * tests/fuzz_exporter.c: libFuzzer target for what the exporter reads from outside: the
 * web config file (export/web_config.c), an HTTP Accept header (openmetrics_negotiate),
 * and row names that become label values, written as both exposition formats
 * (core/openmetrics.c). The first byte picks which. Build and run: make fuzz (seed
 * corpus: tests/corpus/exporter/).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/frame.h"
#include "core/intern.h"
#include "core/openmetrics.h"
#include "export/web_config.h"

static const struct table_column columns[] = {
	{ "name", "NAME", COL_NAME, 0, 0, 20, false, "" },
	{ "count", "N/s", COL_COUNT, 0, 0, 9, false, "" },
	{ "total_ns", "T/s", COL_TIME, 1, 0, 8, false, "" },
};

static const struct table_schema fuzz_table = {
	.id = "syscalls", .title = "Fuzz", .columns = columns, .ncolumns = 3, .sort_column = 1,
	.hist_count = 1, .hist_names = { "latency" }, .pane = true,
};

static struct history history;
static struct ktop k;
static FILE *sink;
static char path[64];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	frame_register_schema(&fuzz_table);
	snprintf(path, sizeof(path), "/tmp/fuzz_exporter.%d.yml", (int)getpid());
	sink = fopen("/dev/null", "w");
	return sink && history_init(&history, 4) == 0 ? 0 : -1;
}

static void fuzz_labels(const char *text)
{
	struct openmetrics_limits limits = { 2, 2, 1000 };
	struct openmetrics *om = openmetrics_new(&limits);
	struct frame *f = history_next(&history);
	struct table_row *r = table_add_row(frame_table(f, &fuzz_table), 1);

	if (!om || !r) {
		openmetrics_free(om);
		return;
	}
	r->name = intern(text);
	r->v[0] = 3;
	frame_row_hist(f, r, 0)->slot[5] = 3;
	openmetrics_add_frame(om, &k, f);
	openmetrics_write(om, &k, OPENMETRICS_PROMETHEUS, sink);
	openmetrics_write(om, &k, OPENMETRICS_OPENMETRICS, sink);
	openmetrics_free(om);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text, err[512];

	if (size == 0)
		return 0;
	text = malloc(size);
	if (!text)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	switch (data[0] % 3) {
	case 0: {
		struct web_config wc;
		FILE *f = fopen(path, "w");

		if (f) {
			fwrite(data + 1, 1, size - 1, f);
			fclose(f);
			if (web_config_load(path, &wc, err, sizeof(err)) == 0)
				web_config_free(&wc);
			unlink(path);
		}
		break;
	}
	case 1:
		openmetrics_negotiate(text);
		break;
	default:
		fuzz_labels(text);
		break;
	}
	free(text);
	return 0;
}
