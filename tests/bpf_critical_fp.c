// SPDX-License-Identifier: GPL-2.0
/*
 * tests/bpf_critical_fp.c: timers that ran late with nothing held off are not reported.
 *
 * Each workload of tests/workloads/timer_fp makes, COUNT times on CPU C, a timer that runs
 * late by D although no code held interrupts or BH off: armed with its deadline already
 * past (a periodic clock_nanosleep loop that overran, a timerfd set in the past), run in
 * the retry pass of hrtimer_interrupt behind a slow callback, or a soft timer waiting
 * behind a slow NET_RX run. With the collector loaded:
 *   - the BPF side must have taken out such waits (its counter for the class went up: the
 *     workload really made them here), and
 *   - no timer_lateness detection of the class's kind (irqs_off for hard timers, bh_off for
 *     soft ones) near D may be on C where the class's false positive used to land: in the workload's own task (armed already
 *     expired, softirq work); for retry passes, which land on whatever C ran, no more
 *     detections near D (irqs_off or external) than the same timers make with no
 *     slow callback, plus a tenth of the rounds (the noise of a busy machine).
 * Under emulation (KTOP_EMULATED=1) the durations are the emulator's: the second check
 * SKIPs when it fails, with the numbers.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "collectors/bpf_util.h"
#include "collectors/critical.h"
#include "critical_test.h"

#define COUNT 40

static int test_cpu;

/* Run timer_fp MODE on test_cpu (SLOW_US slow, NULL: its default), consuming events
 * meanwhile; then one frame */
static struct frame *run(const char *mode, const char *slow_us, struct critical_counters *before,
			 struct critical_counters *after)
{
	char cpu_arg[16], count_arg[16], line[64];
	char *args[] = { "timer_fp", "--wait", (char *)mode, cpu_arg, count_arg, (char *)slow_us,
			 NULL };
	struct workload w;

	snprintf(cpu_arg, sizeof(cpu_arg), "%d", test_cpu);
	snprintf(count_arg, sizeof(count_arg), "%d", COUNT);
	workload_start(&w, args);
	collector_flush();
	assert_int_equal(critical_counters_sum(&collector, before), 0);
	workload_finish(&w);
	if (fgets(line, sizeof(line), w.out))
		print_message("# timer_fp %s: %s", mode, line);
	fclose(w.out);
	assert_int_equal(critical_counters_sum(&collector, after), 0);
	return collector_frame();
}

enum near_filter {
	NEAR_WORKLOAD,  /* the class's kind, the workload's own task interrupted (its FP's place) */
	NEAR_ANY_TASK,  /* the class's kind and external: whatever CPU C was running */
};

/* Detections on test_cpu within [lo, hi] ns that a class's false positive would make
 * (class_kind: irqs_off for hard timers, bh_off for soft ones), listed. An event carries the interrupted task: a timer armed already expired fires in the
 * task that armed it, a soft timer behind NET_RX in the task whose BH-enable ran NET_RX */
static int reported_near(struct frame *f, uint64_t lo, uint64_t hi, enum near_filter filter,
			 const char *class_kind)
{
	const struct table *events = frame_table(f, events_schema);
	int n = 0;

	for (unsigned int i = 0; i < events->nrows; i++) {
		const struct table_row *r = &events->rows[i];
		const char *kind = events_schema->value_names[r->v[CRITICAL_EV_KIND]];
		const char *method = events_schema->value_names[r->v[CRITICAL_EV_METHOD]];
		uint64_t ns = r->v[CRITICAL_EV_DURATION];
		bool kernel = !strcmp(kind, class_kind);
		bool counted;

		/* the exact methods time other things (cross-CPU calls, rescheduling) */
		if (r->v[CRITICAL_EV_CPU] != (uint64_t)test_cpu || ns < lo || ns > hi ||
		    strcmp(method, "timer_lateness"))
			continue;
		if (filter == NEAR_WORKLOAD)
			counted = kernel && r->name && strcmp(r->name, "timer_fp") == 0;
		else
			counted = kernel || !strcmp(kind, "external");
		print_message("# %s%s %llu ns, %s: %s\n", counted ? "counted: " : "", kind,
			      (unsigned long long)ns, r->name ? r->name : "?",
			      r->label ? r->label : "?");
		n += counted;
	}
	return n;
}

/* The workload made its timers late here (the BPF side took n of COUNT out): under
 * emulation the workload's own timing is the emulator's, so fewer may come late enough to
 * be a case at all; that SKIPs with the figure */
static void check_made(uint64_t n, const char *what)
{
	if (n * 10 < COUNT * 9 && emulated()) {
		print_message("# reason: emulated (KTOP_EMULATED=1): %llu of %d %s came late enough "
			      "to be taken out: the workload's timing is the emulator's\n",
			      (unsigned long long)n, COUNT, what);
		skip();
	}
	assert_true(n * 10 >= COUNT * 9);
}

static void check_none_near(int near, uint64_t d)
{
	if (near && emulated()) {
		print_message("# reason: emulated (KTOP_EMULATED=1): %d sections near %llu us on "
			      "CPU %d; the emulator's own delays look like held-off timers\n",
			      near, (unsigned long long)d / 1000, test_cpu);
		skip();
	}
	assert_int_equal(near, 0);
}

static void test_overrun(void **state)
{
	struct critical_counters a, b;
	struct frame *f = run("overrun", NULL, &a, &b);
	uint64_t taken = b.armed_expired - a.armed_expired;
	int near = reported_near(f, 1000000, 4000000, NEAR_WORKLOAD, "irqs_off");

	(void)state;
	print_message("# overrun: %llu armed already expired taken out, %d reported near 2 ms\n",
		      (unsigned long long)taken, near);
	check_made(taken, "overrun deadlines");
	check_none_near(near, 2000000);
}

static void test_timerfd_in_the_past(void **state)
{
	struct critical_counters a, b;
	struct frame *f = run("timerfd", NULL, &a, &b);
	uint64_t taken = b.armed_expired - a.armed_expired;
	int near = reported_near(f, 1500000, 6000000, NEAR_WORKLOAD, "irqs_off");

	(void)state;
	print_message("# timerfd: %llu armed already expired taken out, %d reported near 3 ms\n",
		      (unsigned long long)taken, near);
	check_made(taken, "timerfds set in the past");
	check_none_near(near, 3000000);
}

/* The late timers of a retry pass land on whatever CPU C ran: compared with the same
 * timers with no slow callback, over the same time on the same (busy) machine, they must
 * add no detections near their 1 ms wait (a tenth of the rounds is this machine's noise) */
static void test_retry_pass(void **state)
{
	struct critical_counters a, b;
	struct frame *f = run("retry", "0", &a, &b);
	int baseline = reported_near(f, 500000, 2000000, NEAR_ANY_TASK, "irqs_off"), near;
	uint64_t retries;

	(void)state;
	f = run("retry", NULL, &a, &b);
	retries = b.retries - a.retries;
	near = reported_near(f, 500000, 2000000, NEAR_ANY_TASK, "irqs_off");
	print_message("# retry: %llu retry passes left out; near 1 ms on CPU %d: %d with a slow "
		      "callback, %d without\n", (unsigned long long)retries, test_cpu, near,
		      baseline);
	check_made(retries, "retry passes");
	check_none_near(near > baseline + COUNT / 10 ? near - baseline : 0, 1000000);
}

static void test_softirq_work(void **state)
{
	struct critical_counters a, b;
	struct frame *f = run("softirq", NULL, &a, &b);
	uint64_t taken = b.softirq_work - a.softirq_work;
	uint64_t soft_late = b.late[1] - a.late[1], soft_runs = b.runs[1] - a.runs[1];
	int near = reported_near(f, 100000, 4000000, NEAR_WORKLOAD, "bh_off");

	(void)state;
	print_message("# softirq: %llu soft timer waits behind other vectors taken out (%llu soft "
		      "runs, %llu still late), %d reported in the workload on CPU %d\n",
		      (unsigned long long)taken, (unsigned long long)soft_runs,
		      (unsigned long long)soft_late, near, test_cpu);
	if (!taken) {
		print_message("# reason: no soft timer expired during the slow NET_RX runs here "
			      "(%llu soft timer runs on all CPUs in the workload)\n",
			      (unsigned long long)soft_runs);
		skip();
	}
	check_none_near(near, 2000000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_overrun),
		cmocka_unit_test(test_timerfd_in_the_past),
		cmocka_unit_test(test_retry_pass),
		cmocka_unit_test(test_softirq_work),
	};

	libbpf_set_print(quiet);
	if (geteuid() != 0) {
		printf("1..1\n# reason: needs root to load BPF programs\n"
		       "ok 1 # SKIP bpf_critical_fp\n");
		return 0;
	}
	/* the last CPU: on one CPU the workload's own spinning would be all there is */
	test_cpu = libbpf_num_possible_cpus() > 1 ? 1 : 0;
	return cmocka_run_group_tests_name("critical false positives", tests, critical_setup,
					   critical_teardown);
}
