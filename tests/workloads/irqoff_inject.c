// SPDX-License-Identifier: GPL-2.0
/*
 * tests/workloads/irqoff_inject.c: IRQs-off sections on demand.
 *   irqoff_inject CPU MS COUNT [GAP_MS]   run COUNT sections of MS milliseconds with
 *                                         interrupts off on CPU, GAP_MS apart (default 100)
 * crit_test_spin (bpf/critical.bpf.c) spins until bpf_ktime_get_ns() has advanced; run with
 * BPF_PROG_TEST_RUN on another CPU, it executes there in an IPI, interrupts disabled.
 * Prints "sections N spun_ns_last" when done. Needs root.
 */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "critical.skel.h"

int main(int argc, char **argv)
{
	struct critical_bpf *skel;
	int cpu, count, gap_ms = 100, ncpus, done = 0;
	cpu_set_t set;

	if (argc < 4) {
		fprintf(stderr, "usage: irqoff_inject CPU MS COUNT [GAP_MS]\n");
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
	/* send from another CPU, so the section runs in an IPI on the target */
	CPU_ZERO(&set);
	CPU_SET((cpu + 1) % ncpus, &set);
	sched_setaffinity(0, sizeof(set), &set);

	skel = critical_bpf__open();
	if (!skel)
		return 1;
	bpf_program__set_autoload(skel->progs.crit_hrtimer_btf, false);
	bpf_program__set_autoload(skel->progs.crit_hrtimer_raw, false);
	bpf_program__set_autoload(skel->progs.crit_call_entry_btf, false);
	bpf_program__set_autoload(skel->progs.crit_call_entry_raw, false);
	bpf_program__set_autoload(skel->progs.crit_call_exit_raw, false);
	if (critical_bpf__load(skel)) {
		critical_bpf__destroy(skel);
		return 1;
	}
	skel->bss->spin_ns = (__u64)atof(argv[2]) * 1000000;
	for (int i = 0; i < count; i++) {
		LIBBPF_OPTS(bpf_test_run_opts, opts, .flags = BPF_F_TEST_RUN_ON_CPU, .cpu = cpu);

		usleep(gap_ms * 1000);
		if (bpf_prog_test_run_opts(bpf_program__fd(skel->progs.crit_test_spin), &opts) == 0)
			done++;
	}
	printf("sections %d spun_ns_last %llu\n", done, (unsigned long long)skel->bss->spin_done_ns);
	critical_bpf__destroy(skel);
	return done == count ? 0 : 1;
}
