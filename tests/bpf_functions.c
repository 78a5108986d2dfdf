// SPDX-License-Identifier: GPL-2.0
/*
 * tests/bpf_functions.c: the functions collector on the real kernel, with each method the
 * kernel allows (fentry/fexit, then kprobe/kretprobe, forced by KTOP_FUNCTIONS_METHOD).
 *
 * N getppid() calls from this process are N calls of __x64_sys_getppid (within 1 %: the
 * guest's other processes do not call it, a busy host may), each timed: the latency
 * histogram holds every timed call, AVG <= MAX, no errors (getppid cannot fail). N
 * getpgid(-1) calls fail with ESRCH: N errors of __x64_sys_getpgid, which returns long.
 * A function that does not exist is refused with the reason, and the others still run.
 * With __x64_sys_getppid's detail open (focus), its N calls come from stacks through
 * do_syscall_64, N within 1 %, named by the caller; the others' stacks are not taken. N
 * openat() calls with a dfd no other process passes are N values dfd=DFD of
 * do_sys_openat2 (its first integer argument, the default); the N failing getpgid(-1) are
 * N ret=-3 of __x64_sys_getpgid (no integer argument: its long return value); the next
 * variant counts the argument after dfd.
 * On a kernel that allows neither method (this development machine) the collector must
 * say so, and the test is a SKIP with that reason.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cmocka.h>

#include <bpf/libbpf.h>

#include "collectors/bpf_util.h"
#include "collectors/registry.h"
#include "core/collector.h"
#include "core/config.h"
#include "core/frame.h"

#define CALLS 20000
#define DFD 777 /* a directory descriptor no other process opens at */
#define KPROBE_TYPE_PATH "/sys/bus/event_source/devices/kprobe/type"

static const char *const traced = "__x64_sys_getppid, __x64_sys_getpgid, ktop_no_such_function";
enum { SLOT_GETPPID, SLOT_GETPGID, SLOT_MISSING };

static int quiet(enum libbpf_print_level level, const char *fmt, va_list args)
{
	(void)level;
	(void)fmt;
	(void)args;
	return 0;
}

static const struct table_schema *functions_schema(void)
{
	return frame_schema_find("functions");
}

static uint64_t value(const struct table_row *r, const char *column)
{
	const struct table_schema *s = functions_schema();
	int i = table_column_index(s, column);

	assert_true(i >= 0);
	return r->v[s->columns[i].src];
}

struct run {
	struct collector c;
	struct history h;
};

static void run_open_list(struct run *run, const char *list)
{
	struct ktop_config cfg = { 0 };

	assert_int_equal(options_register(functions_collector.options,
					  functions_collector.noptions), 0);
	assert_int_equal(options_set_text(&cfg, options_find("functions", "trace"), list), 0);
	run->c = (struct collector){ .ops = &functions_collector };
	assert_int_equal(history_init(&run->h, 4), 0);
	if (run->c.ops->open(&run->c, &cfg) != 0)
		fail_msg("functions collector: %s", run->c.reason);
	print_message("# %s: %s\n", getenv("KTOP_FUNCTIONS_METHOD"), run->c.reason);
	assert_int_equal(run->c.ops->sample(&run->c, history_next(&run->h)), 0); /* the start */
}

static void run_open(struct run *run)
{
	run_open_list(run, traced);
}

static void run_close(struct run *run)
{
	run->c.ops->close(&run->c);
	history_free(&run->h);
}

static const struct table_row *sample_row(struct run *run, __u32 slot)
{
	struct frame *f = history_next(&run->h);
	const struct table_row *r;

	assert_int_equal(run->c.ops->sample(&run->c, f), 0);
	r = table_find_row(frame_table_const(f, functions_schema()), slot);
	assert_non_null(r);
	return r;
}

static void test_getppid_counted_and_timed(void **state)
{
	const char *method = getenv("KTOP_FUNCTIONS_METHOD");
	const struct table_row *r;
	const struct hist *h;
	struct run run;
	uint64_t calls, returns, total, max;

	(void)state;
	run_open(&run);
	for (int i = 0; i < CALLS; i++)
		syscall(SYS_getppid);
	r = sample_row(&run, SLOT_GETPPID);
	calls = value(r, "calls");
	returns = value(r, "returns");
	total = value(r, "total_ns");
	max = value(r, "max_ns");
	h = frame_row_hist_const(history_get(&run.h, 0), r, 0);
	print_message("# %s: %d getppid -> %llu calls, %llu timed, avg %llu ns, max %llu ns, "
		      "histogram %llu, errors %llu, traced '%s'\n", method, CALLS,
		      (unsigned long long)calls, (unsigned long long)returns,
		      (unsigned long long)(returns ? total / returns : 0),
		      (unsigned long long)max, (unsigned long long)(h ? hist_total(h) : 0),
		      (unsigned long long)value(r, "errors"), r->label);
	assert_string_equal(r->label, method);
	assert_in_range(calls, CALLS, CALLS + CALLS / 100);
	assert_in_range(returns, CALLS - CALLS / 100, calls);
	assert_non_null(h);
	assert_int_equal(hist_total(h), returns);
	assert_true(total > 0);
	assert_true(max >= total / returns);
	assert_int_equal(value(r, "errors"), 0);
	assert_true(value(r, "cpus") != 0);
	run_close(&run);
}

static void test_getpgid_errors_counted(void **state)
{
	const struct table_row *r;
	struct run run;
	uint64_t calls, errors;
	int failed = 0;

	(void)state;
	run_open(&run);
	for (int i = 0; i < CALLS; i++)
		failed += syscall(SYS_getpgid, -1) < 0 && errno == ESRCH;
	assert_int_equal(failed, CALLS);
	r = sample_row(&run, SLOT_GETPGID);
	calls = value(r, "calls");
	errors = value(r, "errors");
	print_message("# %s: %d failing getpgid -> %llu calls, %llu errors\n",
		      getenv("KTOP_FUNCTIONS_METHOD"), CALLS, (unsigned long long)calls,
		      (unsigned long long)errors);
	assert_in_range(calls, CALLS, CALLS + CALLS / 100);
	assert_in_range(errors, CALLS - CALLS / 100, calls);
	run_close(&run);
}

static void test_missing_function_refused(void **state)
{
	const struct table_row *r;
	struct run run;

	(void)state;
	run_open(&run);
	r = sample_row(&run, SLOT_MISSING);
	print_message("# refused: '%s'; collector: '%s'\n", r->label, run.c.reason);
	assert_true(strncmp(r->label, "refused: ", 9) == 0);
	assert_int_equal(value(r, "calls"), 0);
	assert_non_null(strstr(run.c.reason, "2 traced, 1 refused"));
	run_close(&run);
}

/* A glob: getppid's code under either name, counted (not timed) */
static void test_glob_counts_only(void **state)
{
	const char *method = getenv("KTOP_FUNCTIONS_METHOD");
	const struct table_row *r = NULL;
	const struct table *t;
	struct frame *f;
	struct run run;
	char label[32];

	(void)state;
	run_open_list(&run, "__*_sys_getpp?d");
	for (int i = 0; i < CALLS; i++)
		syscall(SYS_getppid);
	f = history_next(&run.h);
	assert_int_equal(run.c.ops->sample(&run.c, f), 0);
	t = frame_table_const(f, functions_schema());
	/* the name the kernel lists the code under (__do_sys_ or __x64_sys_) has the calls */
	for (unsigned int i = 0; i < t->nrows; i++)
		if (!r || value(&t->rows[i], "calls") > value(r, "calls"))
			r = &t->rows[i];
	assert_non_null(r);
	print_message("# glob: %s = '%s': %llu calls, %llu timed; collector: '%s'\n", r->name,
		      r->label, (unsigned long long)value(r, "calls"),
		      (unsigned long long)value(r, "returns"), run.c.reason);
	snprintf(label, sizeof(label), "%s count", method);
	assert_string_equal(r->label, label);
	assert_in_range(value(r, "calls"), CALLS, CALLS + CALLS / 100);
	assert_int_equal(value(r, "returns"), 0);
	assert_non_null(strstr(run.c.reason, "__*_sys_getpp?d: "));
	run_close(&run);
}

/* The sum of count over the rows of table id for func whose stack (or label) has text */
static uint64_t detail_count(const struct frame *f, const char *id, const char *func,
			     const char *text, const struct table_row **top)
{
	const struct table_schema *s = frame_schema_find(id);
	const struct table *t = s ? frame_table_const(f, s) : NULL;
	int count = s ? table_column_index(s, "count") : -1;
	uint64_t sum = 0;

	assert_non_null(t);
	assert_true(count >= 0);
	for (unsigned int i = 0; i < t->nrows; i++) {
		const struct table_row *r = &t->rows[i];
		bool has = text == NULL || (r->label && strstr(r->label, text));

		if (strcmp(r->name, func) != 0)
			continue;
		for (unsigned int j = 0; !has && j < r->nstrings; j++)
			has = strncmp(r->strings[j], text, strlen(text)) == 0;
		if (!has)
			continue;
		sum += r->v[s->columns[count].src];
		if (top && (!*top || r->v[s->columns[count].src] > (*top)->v[s->columns[count].src]))
			*top = r;
	}
	return sum;
}

static void test_callers_of_focused(void **state)
{
	const char *method = getenv("KTOP_FUNCTIONS_METHOD");
	struct focus focus = { functions_schema(), SLOT_GETPPID }, none = { 0 };
	const struct table_row *top = NULL;
	uint64_t through, all, others;
	struct frame *f;
	struct run run;

	(void)state;
	run_open(&run);
	run.c.ops->focus(&run.c, &focus);
	for (int i = 0; i < CALLS; i++) {
		syscall(SYS_getppid);
		syscall(SYS_getpgid, -1);
	}
	f = history_next(&run.h);
	assert_int_equal(run.c.ops->sample(&run.c, f), 0);
	all = detail_count(f, "function_callers", "__x64_sys_getppid", NULL, NULL);
	through = detail_count(f, "function_callers", "__x64_sys_getppid", "do_syscall_64", &top);
	others = detail_count(f, "function_callers", "__x64_sys_getpgid", NULL, NULL);
	print_message("# %s: %d getppid -> %llu calls from stacks through do_syscall_64 (%llu "
		      "from any); top '%s', %u frames, first '%s'; getpgid's: %llu; dropped %llu\n",
		      method, CALLS, (unsigned long long)through, (unsigned long long)all,
		      top ? top->label : "-", top ? top->nstrings : 0,
		      top && top->nstrings ? top->strings[0] : "-", (unsigned long long)others,
		      (unsigned long long)run.c.dropped);
	assert_in_range(through, CALLS - CALLS / 100, CALLS + CALLS / 100);
	assert_non_null(top);
	assert_true(strncmp(top->label, "do_syscall_64", 13) == 0);
	assert_int_equal(others, 0);
	/* closed: no stacks taken */
	run.c.ops->focus(&run.c, &none);
	for (int i = 0; i < CALLS; i++)
		syscall(SYS_getppid);
	f = history_next(&run.h);
	assert_int_equal(run.c.ops->sample(&run.c, f), 0);
	assert_int_equal(detail_count(f, "function_callers", "__x64_sys_getppid", NULL, NULL), 0);
	run_close(&run);
}

static void test_argument_values(void **state)
{
	const char *method = getenv("KTOP_FUNCTIONS_METHOD");
	const struct table_row *r, *top = NULL;
	int root = open("/", O_RDONLY | O_DIRECTORY), opened = 0;
	uint64_t dfd, ret, next;
	char want[32];
	struct frame *f;
	struct run run;

	(void)state;
	assert_true(root >= 0);
	assert_int_equal(dup2(root, DFD), DFD);
	close(root);
	run_open_list(&run, "do_sys_openat2, __x64_sys_getpgid");
	for (int i = 0; i < CALLS; i++) {
		long fd = syscall(SYS_openat, DFD, "dev/null", O_RDONLY);

		opened += fd >= 0;
		if (fd >= 0)
			close((int)fd);
		syscall(SYS_getpgid, -1);
	}
	assert_int_equal(opened, CALLS);
	f = history_next(&run.h);
	assert_int_equal(run.c.ops->sample(&run.c, f), 0);
	r = table_find_row(frame_table_const(f, functions_schema()), 0);
	assert_non_null(r);
	if (strncmp(r->label, "refused: ", 9) == 0) {
		print_message("# do_sys_openat2 %s\n", r->label);
		run_close(&run);
		close(DFD);
		skip();
	}
	snprintf(want, sizeof(want), "dfd=%d", DFD);
	dfd = detail_count(f, "function_args", "do_sys_openat2", want, NULL);
	ret = detail_count(f, "function_args", "__x64_sys_getpgid", "ret=-3", NULL);
	print_message("# %s: %d openat(%d, ...) -> %llu %s of do_sys_openat2; %d failing "
		      "getpgid -> %llu ret=-3 of __x64_sys_getpgid\n", method, CALLS, DFD,
		      (unsigned long long)dfd, want, CALLS, (unsigned long long)ret);
	assert_in_range(dfd, CALLS, CALLS + CALLS / 100);
	assert_in_range(ret, CALLS - CALLS / 100, CALLS + CALLS / 100);
	/* the next argument (filename, a pointer): its values now */
	run.c.ops->next_variant(&run.c, &(struct focus){ functions_schema(), 0 });
	for (int i = 0; i < 100; i++) {
		long fd = syscall(SYS_openat, DFD, "dev/null", O_RDONLY);

		if (fd >= 0)
			close((int)fd);
	}
	f = history_next(&run.h);
	assert_int_equal(run.c.ops->sample(&run.c, f), 0);
	next = detail_count(f, "function_args", "do_sys_openat2", "filename=0x", &top);
	print_message("# next argument: %llu calls, top '%s'\n", (unsigned long long)next,
		      top ? top->label : "-");
	assert_in_range(next, 100, 100 + CALLS / 100);
	run_close(&run);
	close(DFD);
}

static int use_fentry(void **state)
{
	(void)state;
	return setenv("KTOP_FUNCTIONS_METHOD", "fentry", 1);
}

static int use_kprobe(void **state)
{
	(void)state;
	return setenv("KTOP_FUNCTIONS_METHOD", "kprobe", 1);
}

/* Can the collector run with method here? NULL, or why not */
static const char *method_missing(const char *method, char *why, size_t len)
{
	struct collector c = { .ops = &functions_collector };
	struct ktop_config cfg = { 0 };

	setenv("KTOP_FUNCTIONS_METHOD", method, 1);
	if (c.ops->open(&c, &cfg) == 0) {
		c.ops->close(&c);
		return NULL;
	}
	snprintf(why, len, "%s", c.reason);
	return why;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_getppid_counted_and_timed),
		cmocka_unit_test(test_getpgid_errors_counted),
		cmocka_unit_test(test_missing_function_refused),
		cmocka_unit_test(test_glob_counts_only),
		cmocka_unit_test(test_callers_of_focused),
		cmocka_unit_test(test_argument_values),
	};
	char fentry_why[COLLECTOR_REASON_MAX], kprobe_why[COLLECTOR_REASON_MAX];
	const char *no_fentry, *no_kprobe;
	int failed = 0;

	libbpf_set_print(quiet);
	if (geteuid() != 0) {
		printf("1..1\n# reason: needs root to load BPF programs\nok 1 # SKIP bpf_functions\n");
		return 0;
	}
	for (const struct table_schema *const *s = functions_collector.tables; *s; s++)
		if (frame_register_schema(*s) < 0)
			return 1;
	no_fentry = method_missing("fentry", fentry_why, sizeof(fentry_why));
	no_kprobe = method_missing("kprobe", kprobe_why, sizeof(kprobe_why));
	if (no_fentry && no_kprobe) {
		/* the collector must have said so itself, in the words the pane shows */
		if (!strstr(kprobe_why, "no kprobes") || access(KPROBE_TYPE_PATH, F_OK) == 0) {
			printf("1..1\nnot ok 1 - unavailable for an unexpected reason: %s\n",
			       kprobe_why);
			return 1;
		}
		printf("1..1\n# reason: %s; %s\nok 1 # SKIP bpf_functions\n", fentry_why,
		       kprobe_why);
		return 0;
	}
	if (!no_fentry)
		failed += cmocka_run_group_tests_name("functions by fentry", tests, use_fentry,
						      NULL);
	else
		printf("# fentry: %s\n", fentry_why);
	if (!no_kprobe)
		failed += cmocka_run_group_tests_name("functions by kprobe", tests, use_kprobe,
						      NULL);
	else
		printf("# kprobe: %s\n", kprobe_why);
	probe_release();
	return failed;
}
