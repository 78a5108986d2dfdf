// SPDX-License-Identifier: GPL-2.0
/* tests/unit_openmetrics.c: the exposition writer (core/openmetrics.c) on made-up frames:
 * running totals, names from rules and from schemas, histograms, escaping, both formats,
 * the container limit with _other, gone containers, the series limit, Accept headers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <zlib.h>

#include "core/frame.h"
#include "core/intern.h"
#include "core/openmetrics.h"

static const struct table_column syscall_columns[] = {
	{ "name", "SYSCALL", COL_NAME, 0, 0, 20, false, "" },
	{ "count", "CALLS/s", COL_COUNT, 0, 0, 9, false, "" },
	{ "errors", "ERR/s", COL_COUNT, 1, 0, 8, false, "" },
	{ "total_ns", "TIME/s", COL_TIME, 2, 0, 8, false, "" },
	{ "max_ns", "MAX", COL_DURATION, 3, 0, 8, false, "" },
};

static const struct table_schema syscalls = {
	.id = "syscalls", .title = "System calls", .columns = syscall_columns, .ncolumns = 5,
	.sort_column = 1, .hist_count = 1, .hist_names = { "latency" }, .pane = true,
};

static const char *const runtimes[] = { "host", "docker", NULL };

static const struct table_column container_columns[] = {
	{ "name", "CONTAINER", COL_NAME, 0, 0, 20, false, "" },
	{ "runtime", "RUNTIME", COL_TEXT_VALUE, 0, 0, 10, false, "" },
	{ "id", "ID", COL_NAME, 1, 0, 14, false, "" },
	{ "procs", "PROCS", COL_ID, 1, 0, 6, false, "" },
	{ "count", "CALLS/s", COL_COUNT, 2, 0, 9, false, "" },
};

static const struct table_schema containers = {
	.id = "containers", .title = "Containers", .columns = container_columns, .ncolumns = 5,
	.sort_column = 4, .value_names = runtimes, .strings_id = "kubernetes", .pane = true,
};

/* a table no rule knows: named from its schema */
static const struct table_column widget_columns[] = {
	{ "name", "WIDGET", COL_NAME, 0, 0, 20, false, "" },
	{ "hits", "HITS/s", COL_COUNT, 0, 0, 9, false, "widget hits" },
	{ "busy_ns", "BUSY/s", COL_TIME, 1, 0, 9, false, "widget busy time" },
};

static const struct table_schema widgets = {
	.id = "widgets", .title = "Widgets", .columns = widget_columns, .ncolumns = 3,
	.sort_column = 1, .pane = true,
};

static struct history history;
static struct ktop k;

static int setup(void **state)
{
	(void)state;
	frame_register_schema(&syscalls);
	frame_register_schema(&containers);
	frame_register_schema(&widgets);
	snprintf(k.kernel, sizeof(k.kernel), "6.1.0-test");
	return history_init(&history, 8);
}

static int teardown(void **state)
{
	(void)state;
	history_free(&history);
	return 0;
}

static struct frame *next_frame(void)
{
	struct frame *f = history_next(&history);

	f->interval_s = 1.0;
	return f;
}

static struct table_row *add(struct frame *f, const struct table_schema *s, uint64_t key,
			     const char *name)
{
	struct table_row *r = table_add_row(frame_table(f, s), key);

	r->name = intern(name);
	return r;
}

static void add_syscall(struct frame *f, const char *name, uint64_t count, uint64_t ns)
{
	struct table_row *r = add(f, &syscalls, (uint64_t)(uintptr_t)name, name);
	struct hist *h = frame_row_hist(f, r, 0);

	r->v[0] = count;
	r->v[2] = ns;
	h->slot[7] = (uint32_t)count; /* [128, 256) ns */
}

static void add_container(struct frame *f, uint64_t key, const char *name, uint64_t calls)
{
	struct table_row *r = add(f, &containers, key, name);

	r->label = intern(name);
	r->v[0] = 0; /* host */
	r->v[1] = 2;
	r->v[2] = calls;
}

static char *written(struct openmetrics *om, enum openmetrics_format format)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	assert_non_null(out);
	assert_int_equal(openmetrics_write(om, &k, format, out), 0);
	fclose(out);
	return buf;
}

static bool has_line(const char *text, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = text; (p = strstr(p, line)); p++)
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return true;
	return false;
}

static struct openmetrics *writer(unsigned int containers_limit, unsigned int max_series)
{
	struct openmetrics_limits limits = { containers_limit, 20, max_series };
	struct openmetrics *om = openmetrics_new(&limits);

	assert_non_null(om);
	return om;
}

static void test_counters_cumulative(void **state)
{
	struct openmetrics *om = writer(50, 100000);
	struct frame *f;
	char *text;

	(void)state;
	f = next_frame();
	add_syscall(f, "getppid", 10, 1000);
	openmetrics_add_frame(om, &k, f);
	f = next_frame();
	add_syscall(f, "getppid", 5, 500);
	openmetrics_add_frame(om, &k, f);
	f = next_frame(); /* a frame without the row: the counter stays */
	openmetrics_add_frame(om, &k, f);
	text = written(om, OPENMETRICS_PROMETHEUS);
	assert_true(has_line(text, "# TYPE ktop_syscalls_total counter"));
	assert_true(has_line(text, "ktop_syscalls_total{syscall=\"getppid\"} 15"));
	assert_true(has_line(text, "ktop_syscall_seconds_total{syscall=\"getppid\"} 0.000001500"));
	assert_true(has_line(text, "ktop_frames_total 3"));
	assert_null(strstr(text, "ktop_syscall_max")); /* maxima are not exported */
	assert_null(strstr(text, "# EOF"));
	free(text);
	openmetrics_free(om);
}

static void test_histogram(void **state)
{
	struct openmetrics *om = writer(50, 100000);
	struct frame *f = next_frame();
	char *text;

	(void)state;
	add_syscall(f, "read", 4, 800);
	openmetrics_add_frame(om, &k, f);
	text = written(om, OPENMETRICS_PROMETHEUS);
	assert_true(has_line(text, "# TYPE ktop_syscall_duration_seconds histogram"));
	assert_true(has_line(text, "ktop_syscall_duration_seconds_bucket{syscall=\"read\",le=\"1.28e-07\"} 0"));
	assert_true(has_line(text, "ktop_syscall_duration_seconds_bucket{syscall=\"read\",le=\"2.56e-07\"} 4"));
	assert_true(has_line(text, "ktop_syscall_duration_seconds_bucket{syscall=\"read\",le=\"2.147483648\"} 4"));
	assert_true(has_line(text, "ktop_syscall_duration_seconds_bucket{syscall=\"read\",le=\"+Inf\"} 4"));
	assert_true(has_line(text, "ktop_syscall_duration_seconds_sum{syscall=\"read\"} 0.000000800"));
	assert_true(has_line(text, "ktop_syscall_duration_seconds_count{syscall=\"read\"} 4"));
	free(text);
	openmetrics_free(om);
}

static void test_openmetrics_framing(void **state)
{
	struct openmetrics *om = writer(50, 100000);
	struct frame *f = next_frame();
	char *text;
	size_t n;

	(void)state;
	add_syscall(f, "read", 1, 100);
	openmetrics_add_frame(om, &k, f);
	text = written(om, OPENMETRICS_OPENMETRICS);
	n = strlen(text);
	assert_true(n > 6 && strcmp(text + n - 6, "# EOF\n") == 0);
	assert_true(has_line(text, "# TYPE ktop_syscalls counter"));
	assert_true(has_line(text, "ktop_syscalls_total{syscall=\"read\"} 1"));
	assert_true(has_line(text, "# UNIT ktop_syscall_duration_seconds seconds"));
	assert_true(has_line(text, "# TYPE ktop_build info"));
	assert_true(has_line(text, "ktop_build_info{version=\"" KTOP_VERSION "\",kernel=\"6.1.0-test\"} 1"));
	free(text);
	openmetrics_free(om);
}

static void test_label_escaping(void **state)
{
	struct openmetrics *om = writer(50, 100000);
	struct frame *f = next_frame();
	struct table_row *r;
	char *text;

	(void)state;
	r = add(f, &widgets, 1, "a\"b\\c\nd\xff");
	r->v[0] = 3;
	r->v[1] = 2000000001;
	openmetrics_add_frame(om, &k, f);
	text = written(om, OPENMETRICS_PROMETHEUS);
	assert_true(has_line(text, "ktop_widgets_hits_total{name=\"a\\\"b\\\\c\\nd\xef\xbf\xbd\"} 3"));
	assert_true(has_line(text, "ktop_widgets_busy_seconds_total{name=\"a\\\"b\\\\c\\nd\xef\xbf\xbd\"} 2.000000001"));
	free(text);
	openmetrics_free(om);
}

static void test_containers_other_and_gone(void **state)
{
	struct openmetrics *om = writer(1, 100000);
	struct frame *f;
	char *text;

	(void)state;
	f = next_frame();
	add_container(f, 1, "big", 100);
	add_container(f, 2, "small", 7);
	add_container(f, 3, "tiny", 3);
	openmetrics_add_frame(om, &k, f);
	text = written(om, OPENMETRICS_PROMETHEUS);
	assert_true(has_line(text, "ktop_container_syscalls_total{container=\"big\",runtime=\"host\",container_id=\"big\"} 100"));
	assert_true(has_line(text, "ktop_container_syscalls_total{container=\"_other\"} 10"));
	assert_true(has_line(text, "ktop_container_processes{container=\"_other\"} 4"));
	assert_null(strstr(text, "container=\"small\""));
	free(text);
	openmetrics_scraped(om);

	f = next_frame(); /* big stopped: written once more with its final values */
	add_container(f, 2, "small", 7);
	openmetrics_add_frame(om, &k, f);
	text = written(om, OPENMETRICS_PROMETHEUS);
	assert_true(has_line(text, "ktop_container_syscalls_total{container=\"big\",runtime=\"host\",container_id=\"big\"} 100"));
	free(text);

	f = next_frame(); /* nobody scraped: still there */
	add_container(f, 2, "small", 7);
	openmetrics_add_frame(om, &k, f);
	text = written(om, OPENMETRICS_PROMETHEUS);
	assert_non_null(strstr(text, "container=\"big\""));
	free(text);

	openmetrics_scraped(om); /* a scrape read the final values: gone from the next frame */
	f = next_frame();
	add_container(f, 2, "small", 7);
	openmetrics_add_frame(om, &k, f);
	text = written(om, OPENMETRICS_PROMETHEUS);
	assert_null(strstr(text, "container=\"big\""));
	assert_true(has_line(text, "ktop_container_syscalls_total{container=\"small\",runtime=\"host\",container_id=\"small\"} 21"));
	free(text);
	openmetrics_free(om);
}

/* a pod's container: cAdvisor's namespace, pod and container labels from the row's
 * strings, escaped; other containers have no namespace or pod label at all */
static void test_containers_kubernetes(void **state)
{
	static const char *k8s[] = { "shop", "web-0", "nginx", "0b6e5d6c-8a1f-4c2e-9d3b-7a6f5e4d3c2b" };
	static const char *hostile[] = { "a\"b", "c\\d", "e\nf", "" };
	struct openmetrics *om = writer(10, 100000);
	struct frame *f = next_frame();
	struct table_row *r;
	char *text;

	(void)state;
	r = add(f, &containers, 11, "shop/web-0/nginx");
	r->label = intern("3f1c2a9b8d7e");
	r->v[2] = 5;
	r->strings = k8s;
	r->nstrings = 4;
	r = add(f, &containers, 12, "x");
	r->label = intern("x");
	r->v[2] = 4;
	r->strings = hostile;
	r->nstrings = 4;
	add_container(f, 13, "plain", 3);
	openmetrics_add_frame(om, &k, f);
	text = written(om, OPENMETRICS_PROMETHEUS);
	assert_true(has_line(text, "ktop_container_syscalls_total{container=\"nginx\",namespace="
			     "\"shop\",pod=\"web-0\",runtime=\"host\",container_id=\"3f1c2a9b8d7e\"} 5"));
	assert_true(has_line(text, "ktop_container_syscalls_total{container=\"e\\nf\",namespace="
			     "\"a\\\"b\",pod=\"c\\\\d\",runtime=\"host\",container_id=\"x\"} 4"));
	assert_true(has_line(text, "ktop_container_syscalls_total{container=\"plain\",runtime="
			     "\"host\",container_id=\"plain\"} 3"));
	free(text);
	openmetrics_free(om);
}

static void test_gzip(void **state)
{
	static char text[200000];
	char *z = NULL, *back = malloc(sizeof(text));
	size_t zlen = 0;
	uLongf back_len = sizeof(text);
	z_stream inf = { 0 };

	(void)state;
	assert_true(openmetrics_accepts_gzip("gzip"));
	assert_true(openmetrics_accepts_gzip("deflate, gzip;q=0.5, br"));
	assert_true(openmetrics_accepts_gzip("*"));
	assert_true(openmetrics_accepts_gzip(" x-gzip "));
	assert_false(openmetrics_accepts_gzip(NULL));
	assert_false(openmetrics_accepts_gzip(""));
	assert_false(openmetrics_accepts_gzip("identity"));
	assert_false(openmetrics_accepts_gzip("gzip;q=0"));
	assert_false(openmetrics_accepts_gzip("gzip;q=0, *"));
	assert_false(openmetrics_accepts_gzip("gzipx, deflate"));
	assert_false(openmetrics_accepts_gzip(",,,;;;q=,gzip;q=abc"));
	for (size_t i = 0; i < sizeof(text); i++)
		text[i] = (char)("ktop_syscalls_total{syscall=\"read\"} 12345\n"[i % 38]);
	assert_int_equal(openmetrics_gzip(text, sizeof(text), &z, &zlen), 0);
	assert_true(zlen > 18 && zlen < sizeof(text) / 10);
	/* a gzip member: magic 1f 8b, deflate */
	assert_int_equal((unsigned char)z[0], 0x1f);
	assert_int_equal((unsigned char)z[1], 0x8b);
	assert_int_equal(inflateInit2(&inf, 15 + 16), Z_OK);
	inf.next_in = (Bytef *)z;
	inf.avail_in = (uInt)zlen;
	inf.next_out = (Bytef *)back;
	inf.avail_out = (uInt)back_len;
	assert_int_equal(inflate(&inf, Z_FINISH), Z_STREAM_END);
	assert_int_equal(inf.total_out, sizeof(text));
	assert_memory_equal(back, text, sizeof(text));
	inflateEnd(&inf);
	free(z);
	assert_int_equal(openmetrics_gzip("", 0, &z, &zlen), 0);
	assert_true(zlen >= 20);
	free(z);
	free(back);
}

static void test_series_limit(void **state)
{
	struct openmetrics *om = writer(50, 100);
	struct frame *f = next_frame();
	char name[32];
	char *text;

	(void)state;
	for (int i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "call%d", i);
		add_syscall(f, intern(name), (uint64_t)(100 - i), 1000);
	}
	openmetrics_add_frame(om, &k, f);
	text = written(om, OPENMETRICS_PROMETHEUS);
	assert_true(has_line(text, "ktop_series 100"));
	assert_non_null(strstr(text, "\nktop_series_dropped "));
	assert_null(strstr(text, "\nktop_series_dropped 0\n"));
	assert_true(has_line(text, "ktop_series_limit_hits_total 1"));
	/* the busiest come first and survive */
	assert_true(has_line(text, "ktop_syscalls_total{syscall=\"call0\"} 100"));
	free(text);
	openmetrics_free(om);
}

static void test_negotiate(void **state)
{
	(void)state;
	assert_int_equal(openmetrics_negotiate(NULL), OPENMETRICS_PROMETHEUS);
	assert_int_equal(openmetrics_negotiate("*/*"), OPENMETRICS_PROMETHEUS);
	assert_int_equal(openmetrics_negotiate("application/openmetrics-text;version=1.0.0,"
					       "application/openmetrics-text;version=0.0.1;q=0.75,"
					       "text/plain;version=0.0.4;q=0.5,*/*;q=0.1"),
			 OPENMETRICS_OPENMETRICS);
	assert_int_equal(openmetrics_negotiate("application/openmetrics-text"),
			 OPENMETRICS_OPENMETRICS);
	assert_int_equal(openmetrics_negotiate("application/openmetrics-text;version=0.0.1"),
			 OPENMETRICS_PROMETHEUS);
	assert_int_equal(openmetrics_negotiate("text/plain;q=0.9, application/openmetrics-text;q=0.5"),
			 OPENMETRICS_PROMETHEUS);
	assert_int_equal(openmetrics_negotiate("application/openmetrics-text;q=0"),
			 OPENMETRICS_PROMETHEUS);
	assert_int_equal(openmetrics_negotiate(";;,,;q=,=,application/openmetrics-text;q=2"),
			 OPENMETRICS_PROMETHEUS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counters_cumulative),
		cmocka_unit_test(test_histogram),
		cmocka_unit_test(test_openmetrics_framing),
		cmocka_unit_test(test_label_escaping),
		cmocka_unit_test(test_containers_other_and_gone),
		cmocka_unit_test(test_containers_kubernetes),
		cmocka_unit_test(test_gzip),
		cmocka_unit_test(test_series_limit),
		cmocka_unit_test(test_negotiate),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
