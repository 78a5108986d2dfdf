/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tests/critical_test.h: what the critical-sections BPF tests (bpf_critical.c,
 * bpf_critical_fp.c) share: the collector opened on its own, a workload from
 * tests/workloads/ started and waited for while the collector consumes its events, and
 * whether the machine is emulated. Included once per test program (static functions).
 */
#ifndef KTOP_TESTS_CRITICAL_TEST_H
#define KTOP_TESTS_CRITICAL_TEST_H

#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "collectors/registry.h"
#include "core/config.h"
#include "core/frame.h"

static struct history history;
static struct collector collector;
static const struct table_schema *critical_schema, *events_schema;

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level, (void)fmt, (void)ap;
	return 0;
}

/* Set by tools/test-kernels.sh in a TCG guest: durations there are the emulator's */
static bool emulated(void)
{
	const char *e = getenv("KTOP_EMULATED");

	return e && strcmp(e, "1") == 0;
}

/* A workload of tests/workloads/ running: its standard output, and its standard input
 * (the tests write "go" there to workloads that wait for it) */
struct workload {
	pid_t pid;
	FILE *out, *in;
};

/* Start BUILD/tests/workloads/args[0] with args; returns once it has said "ready" (what
 * loading its programs costs is not in the measurement) */
static void workload_start(struct workload *w, char *const args[])
{
	char path[256], line[64];
	int out[2], in[2];

	snprintf(path, sizeof(path), "%s/tests/workloads/%s",
		 getenv("BUILD") ? getenv("BUILD") : "build", args[0]);
	/* a workload that died early must fail its check, not kill the test with SIGPIPE */
	signal(SIGPIPE, SIG_IGN);
	assert_int_equal(pipe(out), 0);
	assert_int_equal(pipe(in), 0);
	w->pid = fork();
	assert_true(w->pid >= 0);
	if (w->pid == 0) {
		dup2(out[1], STDOUT_FILENO);
		dup2(in[0], STDIN_FILENO);
		close(out[0]);
		close(out[1]);
		close(in[0]);
		close(in[1]);
		execv(path, args);
		_exit(127);
	}
	close(out[1]);
	close(in[0]);
	w->out = fdopen(out[0], "r");
	w->in = fdopen(in[1], "w");
	assert_non_null(w->out);
	assert_non_null(w->in);
	assert_non_null(fgets(line, sizeof(line), w->out));
	assert_string_equal(line, "ready\n");
}

/* Say "go" (a workload started with --wait begins now; others never read it), consume the
 * collector's events while it runs, and check that it exited with status 0. Its output
 * stays readable in w->out; the caller closes it */
static void workload_finish(struct workload *w)
{
	int status;

	fputs("go\n", w->in);
	fclose(w->in);
	while (waitpid(w->pid, &status, WNOHANG) == 0) {
		usleep(20000);
		collector.ops->consume(&collector);
	}
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* Take what came before into a frame of its own, so that the next frame holds only what
 * follows */
static void collector_flush(void)
{
	collector.ops->consume(&collector);
	collector.ops->sample(&collector, history_next(&history));
}

/* One frame of what the collector saw since the last one, as over a second */
static struct frame *collector_frame(void)
{
	struct frame *f = history_next(&history);

	f->interval_s = 1.0;
	assert_int_equal(collector.ops->sample(&collector, f), 0);
	return f;
}

/* The cmocka group's setup and teardown: the critical collector with ktop's defaults */
static int critical_setup(void **state)
{
	struct ktop_config cfg;

	(void)state;
	config_defaults(&cfg);
	collector.ops = &critical_collector;
	for (const struct table_schema *const *t = critical_collector.tables; *t; t++)
		frame_register_schema(*t);
	critical_schema = frame_schema_find("critical");
	events_schema = frame_schema_find("critical_events");
	if (!critical_schema || !events_schema || history_init(&history, 4) < 0)
		return -1;
	if (critical_collector.open(&collector, &cfg) < 0) {
		print_message("# collector open: %s\n", collector.reason);
		return -1;
	}
	return 0;
}

static int critical_teardown(void **state)
{
	(void)state;
	critical_collector.close(&collector);
	history_free(&history);
	return 0;
}

#endif
