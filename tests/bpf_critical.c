// SPDX-License-Identifier: GPL-2.0
/*
 * tests/bpf_critical.c: the critical-sections collector against real IRQs-off sections.
 *
 * The injector is crit_test_spin (bpf/critical.bpf.c) run with BPF_PROG_TEST_RUN on CPU C
 * from a thread on another CPU: the kernel runs it in an IPI on C, interrupts off, for D
 * ns. K such sections must come back as >= 90% irqs_off events on C, within 25% of D, with
 * a stack through the IPI path, and no section may be counted twice. The same time with
 * no injection must show no kernel offender that long.
 *
 * Preemption off: the same program run from a thread on C itself runs between get_cpu()
 * and put_cpu() (preemption off, interrupts on) while a SCHED_FIFO thread on C wakes
 * every 250 us; each section must come back as a preempt_off wait within 25% of D on C,
 * blamed on the bpf() system call that held the CPU, and no IRQs-off section may also be
 * counted as a preemption wait.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/critical.h"
#include "collectors/bpf_util.h"
#include "collectors/registry.h"
#include "core/config.h"
#include "core/frame.h"
#include "critical.skel.h"

static int ncpus;
static struct history history;
static struct collector collector;
static const struct table_schema *critical_schema, *events_schema;

struct injection {
	struct critical_bpf *skel;
	int cpu, count, errors;
	uint64_t spin_ns, gap_us;
	bool preempt; /* run on cpu itself: preemption off, a real-time waker asking for it */
	volatile int done;
};

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level, (void)fmt, (void)ap;
	return 0;
}

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static void *waker(void *arg)
{
	struct injection *in = arg;
	struct sched_param param = { .sched_priority = 10 };
	struct timespec tick = { 0, 250000 };

	pin(in->cpu);
	if (pthread_setschedparam(pthread_self(), SCHED_FIFO, &param))
		in->errors++;
	while (!in->done)
		clock_nanosleep(CLOCK_MONOTONIC, 0, &tick, NULL);
	return NULL;
}

static void *inject(void *arg)
{
	struct injection *in = arg;
	LIBBPF_OPTS(bpf_test_run_opts, opts, .flags = BPF_F_TEST_RUN_ON_CPU, .cpu = in->cpu);

	/* IRQs off: sent from another CPU, it runs in an IPI; preemption off: run here */
	pin(in->preempt ? in->cpu : (in->cpu + 1) % ncpus);
	in->skel->bss->spin_ns = in->spin_ns;
	for (int i = 0; i < in->count; i++) {
		usleep(in->gap_us);
		if (bpf_prog_test_run_opts(bpf_program__fd(in->skel->progs.crit_test_spin), &opts))
			in->errors++;
	}
	in->done = 1;
	return NULL;
}

/* Run K sections of spin_ns on cpu (K = 0: the same time, quiet), then take one frame */
static struct frame *run(int cpu, int count, uint64_t spin_ns, struct critical_bpf *skel,
			 bool preempt)
{
	struct injection in = { skel, cpu, count, 0, spin_ns, 60000, preempt, 0 };
	struct frame *f;
	pthread_t thread, waker_thread;

	/* drop what came before */
	collector.ops->consume(&collector);
	collector.ops->sample(&collector, history_next(&history));
	if (count) {
		if (preempt)
			assert_int_equal(pthread_create(&waker_thread, NULL, waker, &in), 0);
		assert_int_equal(pthread_create(&thread, NULL, inject, &in), 0);
		while (!in.done) {
			usleep(20000);
			collector.ops->consume(&collector);
		}
		pthread_join(thread, NULL);
		if (preempt)
			pthread_join(waker_thread, NULL);
		assert_int_equal(in.errors, 0);
	} else {
		usleep((useconds_t)(10 * (60000 + spin_ns / 1000)));
	}
	usleep(50000);
	f = history_next(&history);
	f->interval_s = 1.0;
	assert_int_equal(collector.ops->sample(&collector, f), 0);
	return f;
}

static const char *value_name(const struct table_schema *s, uint64_t v)
{
	return s->value_names[v];
}

/* A kind that blames kernel code (idle, user and external delays are classified apart) */
static bool offender_kind(const char *kind)
{
	return !strcmp(kind, "irqs_off") || !strcmp(kind, "bh_off") || !strcmp(kind, "preempt_off");
}

/* The injector's own copy of the object, with only crit_test_spin in it */
static struct critical_bpf *load_injector(void)
{
	struct critical_bpf *skel = critical_bpf__open();
	struct bpf_program *prog;

	assert_non_null(skel);
	bpf_object__for_each_program(prog, skel->obj)
		bpf_program__set_autoload(prog, prog == skel->progs.crit_test_spin);
	assert_int_equal(critical_bpf__load(skel), 0);
	return skel;
}

static void check_injection(int cpu, int count, uint64_t spin_ms)
{
	uint64_t d = spin_ms * 1000000;
	struct critical_bpf *skel = load_injector();
	const struct table *events, *critical;
	int matched = 0, similar = 0, through_ipi = 0;
	struct frame *f;

	f = run(cpu, count, d, skel, false);
	critical_bpf__destroy(skel);

	events = frame_table(f, events_schema);
	for (unsigned int i = 0; i < events->nrows; i++) {
		const struct table_row *r = &events->rows[i];
		uint64_t ns = r->v[1];

		if (r->v[0] != (uint64_t)cpu || ns < d * 3 / 4 || ns > d * 5 / 4)
			continue;
		similar += offender_kind(value_name(events_schema, r->v[2]));
		if (strcmp(value_name(events_schema, r->v[2]), "irqs_off") == 0)
			matched++;
		else
			print_message("# %s %llu ns on CPU %d: %s\n", value_name(events_schema, r->v[2]),
				      (unsigned long long)ns, cpu, r->label);
	}
	critical = frame_table(f, critical_schema);
	for (unsigned int i = 0; i < critical->nrows; i++) {
		const struct table_row *r = &critical->rows[i];
		bool ipi = false;

		if (!(r->v[4] >> cpu & 1) || strcmp(value_name(critical_schema, r->v[1]), "irqs_off"))
			continue;
		for (unsigned int j = 0; j < r->nstrings; j++)
			ipi |= strstr(r->strings[j], "flush_smp_call_function_queue") ||
			       strstr(r->strings[j], "sysvec_call_function");
		if (ipi)
			through_ipi += (int)r->v[0];
	}
	print_message("# K=%d D=%llums CPU %d: %d irqs_off within 25%%, %d similar, %d via IPI\n",
		      count, (unsigned long long)spin_ms, cpu, matched, similar, through_ipi);
	assert_true(matched * 10 >= count * 9);
	assert_true(similar <= count); /* never counted twice as an offender */
	assert_true(through_ipi * 10 >= count * 9);
}

static void check_preempt_injection(int cpu, int count, uint64_t spin_ms)
{
	uint64_t d = spin_ms * 1000000;
	struct critical_bpf *skel;
	const struct table *events, *critical;
	int matched = 0, similar = 0, in_bpf = 0;
	struct frame *f;

	if (!probe_btf_tracepoint("sched_set_need_resched_tp")) {
		print_message("# the kernel has no sched_set_need_resched_tp (6.17+)\n");
		skip();
	}
	skel = load_injector();
	f = run(cpu, count, d, skel, true);
	critical_bpf__destroy(skel);

	events = frame_table(f, events_schema);
	for (unsigned int i = 0; i < events->nrows; i++) {
		const struct table_row *r = &events->rows[i];
		uint64_t ns = r->v[1];

		if (r->v[0] != (uint64_t)cpu || ns < d * 3 / 4 || ns > d * 5 / 4)
			continue;
		similar += offender_kind(value_name(events_schema, r->v[2]));
		if (strcmp(value_name(events_schema, r->v[2]), "preempt_off") == 0)
			matched++;
		else
			print_message("# %s %llu ns on CPU %d: %s\n", value_name(events_schema, r->v[2]),
				      (unsigned long long)ns, cpu, r->label);
	}
	critical = frame_table(f, critical_schema);
	for (unsigned int i = 0; i < critical->nrows; i++) {
		const struct table_row *r = &critical->rows[i];

		if (!(r->v[4] >> cpu & 1) || strcmp(value_name(critical_schema, r->v[1]), "preempt_off"))
			continue;
		print_message("# preempt_off row %s (%s, %s)\n", r->name,
			      r->nstrings ? r->strings[0] : "no stack", value_name(critical_schema, r->v[6]));
		if (r->nstrings && strstr(r->strings[0], "sys_bpf") &&
		    strcmp(value_name(critical_schema, r->v[6]), "resched_latency") == 0)
			in_bpf += (int)r->v[0];
	}
	print_message("# K=%d D=%llums CPU %d: %d preempt_off within 25%%, %d similar, %d in bpf()\n",
		      count, (unsigned long long)spin_ms, cpu, matched, similar, in_bpf);
	assert_true(matched * 10 >= count * 9);
	assert_true(similar <= count); /* never counted twice as an offender */
	assert_true(in_bpf * 10 >= count * 9);
}

static void test_preempt_2ms_cpu1(void **state)
{
	(void)state;
	check_preempt_injection(ncpus > 1 ? 1 : 0, 10, 2);
}

static void test_preempt_5ms_cpu0(void **state)
{
	(void)state;
	check_preempt_injection(0, 6, 5);
}

static void test_inject_5ms_cpu1(void **state)
{
	(void)state;
	check_injection(ncpus > 1 ? 1 : 0, 10, 5);
}

static void test_inject_2ms_cpu0(void **state)
{
	(void)state;
	check_injection(0, 12, 2);
}

static void test_inject_20ms_last_cpu(void **state)
{
	(void)state;
	check_injection(ncpus - 1, 4, 20);
}

/* The same time with nothing injected: no kernel offender anywhere near that long */
static void test_quiet(void **state)
{
	struct frame *f = run(0, 0, 5000000, NULL, false);
	const struct table *critical = frame_table(f, critical_schema);
	unsigned int offenders = 0, other = 0;

	(void)state;
	for (unsigned int i = 0; i < critical->nrows; i++) {
		const struct table_row *r = &critical->rows[i];
		const char *kind = value_name(critical_schema, r->v[1]);

		if (!offender_kind(kind)) {
			other += (unsigned int)r->v[0];
			continue;
		}
		print_message("# %s %s max %llu ns\n", kind, r->name, (unsigned long long)r->v[2]);
		if (r->v[2] >= 1000000)
			offenders++;
	}
	print_message("# quiet: %u idle/user/external delays classified apart\n", other);
	assert_int_equal(offenders, 0);
}

static int setup(void **state)
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

static int teardown(void **state)
{
	(void)state;
	critical_collector.close(&collector);
	history_free(&history);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inject_5ms_cpu1),
		cmocka_unit_test(test_inject_2ms_cpu0),
		cmocka_unit_test(test_inject_20ms_last_cpu),
		cmocka_unit_test(test_preempt_2ms_cpu1),
		cmocka_unit_test(test_preempt_5ms_cpu0),
		cmocka_unit_test(test_quiet),
	};

	libbpf_set_print(quiet);
	ncpus = libbpf_num_possible_cpus();
	if (geteuid() != 0) {
		printf("1..1\n# reason: needs root to load BPF programs\nok 1 # SKIP bpf_critical\n");
		return 0;
	}
	if (ncpus < 2) {
		printf("1..1\n# reason: the injector needs a second CPU to send the IPI from\n"
		       "ok 1 # SKIP bpf_critical\n");
		return 0;
	}
	return cmocka_run_group_tests_name("critical sections", tests, setup, teardown);
}
