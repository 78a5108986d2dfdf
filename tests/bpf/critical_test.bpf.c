// SPDX-License-Identifier: GPL-2.0
/*
 * tests/bpf/critical_test.bpf.c: the critical-sections tests' hooks, built for the tests
 * only (tests/bpf/, never shipped in ktop): sections and slow callbacks on demand, for the
 * workloads tests/workloads/irqoff_inject.c and tests/workloads/timer_fp.c.
 *
 * crit_test_spin is never attached: a workload runs it with BPF_PROG_TEST_RUN on a chosen
 * CPU, where it spins for spin_ns. Sent from another CPU it runs in an IPI, interrupts
 * off; run on the CPU itself, between get_cpu() and put_cpu(), preemption off.
 *
 * crit_test_slow_timer and crit_test_slow_softirq make one timer callback (slow_timer_fn)
 * or one softirq vector (slow_vec) on slow_cpu spin slow_ns, slow_budget times: the kinds
 * of delay ktop's critical collector must not report as a section (false positives).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

__u64 spin_ns;	    /* crit_test_spin: how long to spin */
__u64 spin_done_ns; /* crit_test_spin: how long it spun, measured */

__u64 slow_ns, slow_budget, slow_timer_fn;
__u32 slow_cpu, slow_vec;

static long spin_until(__u64 index, void *ctx)
{
	__u64 *deadline = ctx;

	return bpf_ktime_get_ns() >= *deadline;
}

static __always_inline void slow_down(void)
{
	__u64 deadline;

	if (!slow_budget || bpf_get_smp_processor_id() != slow_cpu)
		return;
	__sync_fetch_and_sub(&slow_budget, 1);
	deadline = bpf_ktime_get_ns() + slow_ns;
	bpf_loop(1 << 23, spin_until, &deadline, 0);
}

SEC("tp_btf/hrtimer_expire_entry")
int BPF_PROG(crit_test_slow_timer, struct hrtimer *timer, ktime_t *now)
{
	if (slow_timer_fn && (__u64)timer->function == slow_timer_fn)
		slow_down();
	return 0;
}

SEC("tp_btf/softirq_entry")
int BPF_PROG(crit_test_slow_softirq, unsigned int vec)
{
	if (vec == slow_vec)
		slow_down();
	return 0;
}

SEC("raw_tp/hrtimer_expire_entry")
int crit_test_spin(void *ctx)
{
	__u64 start = bpf_ktime_get_ns(), deadline = start + spin_ns;

	bpf_loop(1 << 23, spin_until, &deadline, 0);
	spin_done_ns = bpf_ktime_get_ns() - start;
	return 0;
}
