// SPDX-License-Identifier: GPL-2.0
/*
 * bpf/critical.bpf.c: find where interrupts or bottom halves stayed off, from timer lateness.
 *
 * Kernels without the preemptirq tracepoints still say when a timer ran late: at
 * hrtimer_expire_entry, *now - expires is how long the expired timer waited. A hard timer
 * waits while interrupts are off, a soft one while bottom halves are off. Only the first
 * timer of each run counts (the others waited for the same thing). Above the threshold, the
 * kernel stack goes to user space through a ring buffer: it unwinds through the interrupt
 * into the code that held interrupts off, which user space symbolizes and classifies.
 *
 * crit_test_spin is not attached by ktop: tests run it with BPF_PROG_TEST_RUN on a chosen
 * CPU, where it spins with interrupts off for spin_ns (an IRQs-off section on demand).
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "ktop.bpf.h"
#include "critical.h"

char LICENSE[] SEC("license") = "GPL";

const volatile __u64 threshold_ns = 100000;

__u64 spin_ns;	     /* crit_test_spin: how long to spin */
__u64 spin_done_ns;  /* crit_test_spin: how long it spun, measured */

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, CRITICAL_RINGBUF_BYTES);
} crit_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct critical_counters);
} crit_counters SEC(".maps");

static __always_inline int on_timer_expire(void *ctx, struct hrtimer *timer, ktime_t *now_ptr)
{
	struct critical_counters *cnt;
	struct critical_event *e;
	__s64 now = 0, expires, offset, late;
	__u32 zero = 0, wait = 0;
	__u64 run;

	if (bpf_probe_read_kernel(&now, sizeof(now), now_ptr))
		return 0;
	expires = BPF_CORE_READ(timer, node.expires);
	offset = BPF_CORE_READ(timer, base, offset);
	if (bpf_core_field_exists(timer->is_soft) && BPF_CORE_READ(timer, is_soft))
		wait = CRITICAL_WAIT_BH;
	cnt = bpf_map_lookup_elem(&crit_counters, &zero);
	if (!cnt)
		return 0;
	/* every timer of one run sees the same `now` minus its clock base's offset */
	run = (__u64)(now - offset);
	if (cnt->last_run[wait & 1] == run)
		return 0;
	cnt->last_run[wait & 1] = run;
	cnt->runs[wait & 1]++;
	late = now - expires;
	if (late <= 0 || (__u64)late < threshold_ns)
		return 0;
	cnt->late[wait & 1]++;
	e = bpf_ringbuf_reserve(&crit_events, sizeof(*e), 0);
	if (!e) {
		cnt->dropped++;
		return 0;
	}
	e->time_ns = bpf_ktime_get_ns();
	e->lateness_ns = (__u64)late;
	e->function = (__u64)BPF_CORE_READ(timer, function);
	e->cpu = bpf_get_smp_processor_id();
	e->wait = wait;
	e->pid = (__u32)bpf_get_current_pid_tgid();
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	e->stack_bytes = bpf_get_stack(ctx, e->stack, sizeof(e->stack), 0);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("tp_btf/hrtimer_expire_entry")
int BPF_PROG(crit_hrtimer_btf, struct hrtimer *timer, ktime_t *now)
{
	return on_timer_expire(ctx, timer, now);
}

SEC("raw_tp/hrtimer_expire_entry")
int BPF_PROG(crit_hrtimer_raw, struct hrtimer *timer, ktime_t *now)
{
	return on_timer_expire(ctx, timer, now);
}

static long spin_until(__u64 index, void *ctx)
{
	__u64 *deadline = ctx;

	return bpf_ktime_get_ns() >= *deadline;
}

SEC("raw_tp/hrtimer_expire_entry")
int crit_test_spin(void *ctx)
{
	__u64 start = bpf_ktime_get_ns(), deadline = start + spin_ns;

	bpf_loop(1 << 23, spin_until, &deadline, 0);
	spin_done_ns = bpf_ktime_get_ns() - start;
	return 0;
}
