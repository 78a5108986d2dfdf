// SPDX-License-Identifier: GPL-2.0
/*
 * tests/workloads/irqoff_inject.c: IRQs-off and preemption-off sections on demand.
 *   irqoff_inject [--preempt] [--wait] CPU MS COUNT [GAP_MS]
 *	run COUNT sections of MS milliseconds on CPU, GAP_MS apart (default 100); with
 *	--wait, not before a line arrives on standard input (the caller's "go")
 *
 * crit_test_spin (tests/bpf/critical_test.bpf.c) spins until bpf_ktime_get_ns() has advanced.
 * Run with BPF_PROG_TEST_RUN from another CPU, it executes on CPU in an IPI, interrupts
 * disabled. With --preempt it runs from a thread on CPU itself, where the kernel runs it
 * between get_cpu() and put_cpu(): preemption off, interrupts on; a SCHED_FIFO thread on
 * the same CPU wakes every 250 us meanwhile, so the scheduler asks for the CPU during
 * each section and waits until the system call returns.
 * Prints "ready" once its program is loaded, "spun NS" after each section (how long it
 * spun, measured inside the program) and "sections N spun_ns_last NS" when done.
 * Needs root.
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "tests/bpf/critical_test.skel.h"

static volatile int stop;

static int pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

/* A real-time task on the section's CPU: each wake-up asks that CPU to reschedule */
static void *waker(void *arg)
{
	struct sched_param param = { .sched_priority = 10 };
	struct timespec tick = { 0, 250000 };

	pin(*(int *)arg);
	pthread_setschedparam(pthread_self(), SCHED_FIFO, &param);
	while (!stop)
		clock_nanosleep(CLOCK_MONOTONIC, 0, &tick, NULL);
	return NULL;
}

int main(int argc, char **argv)
{
	struct critical_test_bpf *skel;
	struct bpf_program *prog;
	int cpu, count, gap_ms = 100, ncpus, done = 0, preempt = 0, wait_go = 0;
	pthread_t thread;
	char go[16];

	for (; argc > 1 && strncmp(argv[1], "--", 2) == 0; argv++, argc--) {
		if (strcmp(argv[1], "--preempt") == 0)
			preempt = 1;
		else if (strcmp(argv[1], "--wait") == 0)
			wait_go = 1;
		else
			argc = 0; /* an unknown option: the usage below */
	}
	if (argc < 4) {
		fprintf(stderr, "usage: irqoff_inject [--preempt] [--wait] CPU MS COUNT [GAP_MS]\n");
		return 2;
	}
	cpu = atoi(argv[1]);
	count = atoi(argv[3]);
	if (argc > 4)
		gap_ms = atoi(argv[4]);
	ncpus = libbpf_num_possible_cpus();
	if (ncpus < 2 || cpu < 0 || cpu >= ncpus) {
		fprintf(stderr, "irqoff_inject: needs CPU in 0..%d and a second CPU\n", ncpus - 1);
		return 2;
	}
	/* IRQs off: send from another CPU, so the section runs in an IPI on the target;
	 * preemption off: run it here, on the target */
	if (preempt) {
		pin(cpu);
	} else {
		/* the next online CPU: possible CPUs may be many more than online ones */
		for (int i = 1; i < ncpus && pin((cpu + i) % ncpus) != 0; i++)
			;
	}

	skel = critical_test_bpf__open();
	if (!skel)
		return 1;
	bpf_object__for_each_program(prog, skel->obj)
		bpf_program__set_autoload(prog, prog == skel->progs.crit_test_spin);
	if (critical_test_bpf__load(skel)) {
		critical_test_bpf__destroy(skel);
		return 1;
	}
	skel->bss->spin_ns = (__u64)(atof(argv[2]) * 1000000);
	printf("ready\n");
	fflush(stdout);
	if (wait_go && !fgets(go, sizeof(go), stdin)) {
		critical_test_bpf__destroy(skel);
		return 1;
	}
	if (preempt && pthread_create(&thread, NULL, waker, &cpu)) {
		critical_test_bpf__destroy(skel);
		return 1;
	}
	for (int i = 0; i < count; i++) {
		LIBBPF_OPTS(bpf_test_run_opts, opts, .flags = BPF_F_TEST_RUN_ON_CPU, .cpu = cpu);

		usleep(gap_ms * 1000);
		if (bpf_prog_test_run_opts(bpf_program__fd(skel->progs.crit_test_spin), &opts) == 0) {
			done++;
			printf("spun %llu\n", (unsigned long long)skel->bss->spin_done_ns);
			fflush(stdout); /* a test waits for the first one, into a file */
		}
	}
	if (preempt) {
		stop = 1;
		pthread_join(thread, NULL);
	}
	printf("sections %d spun_ns_last %llu\n", done, (unsigned long long)skel->bss->spin_done_ns);
	critical_test_bpf__destroy(skel);
	return done == count ? 0 : 1;
}
