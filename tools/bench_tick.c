// SPDX-License-Identifier: GPL-2.0
/*
 * tools/bench_tick.c: the user-space cost of one tick at scale, with a synthetic load in
 * the sample buffer (10 000 processes, 1 000 containers cannot be made on a test VM):
 * cumulative counters through the delta set, every process summed into its container's row
 * (the container found from the cgroup id its calls carry, as collectors/syscalls.c does,
 * among CONTAINERS docker scopes made in a temporary cgroup-like tree), rows into the frame,
 * trim and sort, and the frame written as JSON (to /dev/null). Prints the median ms per
 * tick over ROUNDS ticks.
 *   bench_tick [PROCESSES] [CONTAINERS] [ROUNDS]
 */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/containers.h"
#include "core/delta.h"
#include "core/frame.h"
#include "core/intern.h"
#include "core/ktop.h"
#include "core/output.h"

static const struct table_column columns[] = {
	{ "pid", "PID", COL_ID, 0, 0, 7, false, "" },
	{ "comm", "COMMAND", COL_NAME, 0, 0, 16, false, "" },
	{ "count", "CALLS/s", COL_COUNT, 1, 0, 9, false, "" },
	{ "errors", "ERR/s", COL_COUNT, 2, 0, 8, false, "" },
	{ "total_ns", "TIME/s", COL_TIME, 3, 0, 8, false, "" },
	{ "avg_ns", "AVG", COL_AVERAGE, 3, 1, 8, true, "" },
};
static const struct table_schema processes = {
	.id = "processes", .title = "Processes", .columns = columns, .ncolumns = 6,
	.sort_column = 2, .max_rows = 512, .pane = true,
};
static const struct table_schema containers = {
	.id = "containers", .title = "Containers", .columns = columns, .ncolumns = 6,
	.sort_column = 2, .pane = true,
};

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* ncont docker scopes under tree/system.slice; their cgroup ids (inodes) into ids */
static int make_tree(const char *tree, int ncont, uint64_t *ids)
{
	char dir[512];
	struct stat st;

	snprintf(dir, sizeof(dir), "%s/system.slice", tree);
	if (mkdir(dir, 0755) < 0)
		return -1;
	for (int c = 0; c < ncont; c++) {
		snprintf(dir, sizeof(dir), "%s/system.slice/docker-%064x.scope", tree, c + 1);
		if (mkdir(dir, 0755) < 0 || stat(dir, &st) < 0)
			return -1;
		ids[c] = st.st_ino;
	}
	return 0;
}

static int compare_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	int nproc = argc > 1 ? atoi(argv[1]) : 10000;
	int ncont = argc > 2 ? atoi(argv[2]) : 1000;
	int rounds = argc > 3 ? atoi(argv[3]) : 50;
	static struct ktop k;
	struct delta_set d = { 0 };
	struct table_keyed by_container = { 0 };
	double *ms = calloc(rounds, sizeof(*ms));
	FILE *devnull = fopen("/dev/null", "w");
	uint64_t *ids = calloc(ncont > 0 ? ncont : 1, sizeof(*ids));
	char name[32], tree[] = "/tmp/ktop-bench-tick-XXXXXX";
	size_t found = 0;

	if (!ms || !ids || !devnull || nproc < 1 || ncont < 1 || rounds < 1)
		return 2;
	if (!mkdtemp(tree) || make_tree(tree, ncont, ids) < 0 || containers_init_at(tree) < 0 ||
	    containers_refresh() < 0) {
		fprintf(stderr, "bench_tick: cannot make %d containers in %s\n", ncont, tree);
		nftw(tree, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
		return 2;
	}
	frame_register_schema(&processes);
	frame_register_schema(&containers);
	if (history_init(&k.history, 300) < 0)
		return 1;
	for (int r = 0; r < rounds; r++) {
		double start = now_ms();
		struct frame *f = history_next(&k.history);
		struct table *t = frame_table(f, &processes), *ct = frame_table(f, &containers);
		size_t n;

		f->interval_s = 1.0;
		for (int p = 0; p < nproc; p++) {
			uint64_t v[DELTA_VALUES] = { (uint64_t)(r + 1) * (p % 97 + 1), (uint64_t)r,
						     (uint64_t)(r + 1) * 1000 * (p % 13 + 1), 0 };

			delta_push_tagged(&d, 100000 + (uint64_t)p * 7, v, ids[p % ncont]);
		}
		n = delta_finish(&d);
		/* every process into its container's row, before the table keeps the largest */
		if (table_keyed_start(&by_container, ct) < 0)
			return 2;
		for (size_t i = 0; i < n; i++) {
			const struct container *c = containers_of_cgroup(d.diff[i].tag);
			struct table_row *row;
			bool added;

			if (!c)
				continue;
			row = table_keyed_row(&by_container, c->key, &added);
			if (!row)
				return 2;
			if (added)
				row->name = c->name;
			found += c->key != 0;
			row->v[1] += d.diff[i].v[0];
			row->v[3] += d.diff[i].v[2];
		}
		n = delta_top(&d, n, 0, processes.max_rows, NULL);
		for (size_t i = 0; i < n; i++) {
			struct table_row *row = table_add_row(t, d.diff[i].key);

			snprintf(name, sizeof(name), "proc-%zu", i % 500);
			row->name = intern(name);
			row->v[0] = d.diff[i].key;
			row->v[1] = d.diff[i].v[0];
			row->v[2] = d.diff[i].v[1];
			row->v[3] = d.diff[i].v[2];
		}
		for (unsigned int i = 0; i < f->ntables; i++)
			table_sort(&f->tables[i], f->tables[i].schema->sort_column, false, 1.0);
		output_frame_json(&k, f, devnull);
		ms[r] = now_ms() - start;
	}
	table_keyed_free(&by_container);
	containers_exit();
	nftw(tree, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	/* the lookups must have found the containers, or the figure measures nothing */
	if (found < (size_t)nproc * rounds) {
		fprintf(stderr, "bench_tick: %zu of %zu lookups found their container\n", found,
			(size_t)nproc * rounds);
		return 2;
	}
	qsort(ms, rounds, sizeof(*ms), compare_double);
	printf("%.3f\n", ms[rounds / 2]);
	return 0;
}
