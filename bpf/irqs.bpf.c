// SPDX-License-Identifier: GPL-2.0
/*
 * bpf/irqs.bpf.c: time every hard-IRQ handler and every softirq run, per CPU.
 *
 * One object for both because a softirq's net time needs the hard-IRQ handler time that
 * interrupted it on the same CPU. Per-CPU state (what runs now, first raise time of each
 * vector) lives in a one-slot per-CPU array. Stats are cumulative per-CPU counters that
 * user space reads at any time (ktop.bpf.h). An exit without a matching entry (we
 * attached mid-handler, or a test crafted it) is ignored.
 *
 * Interrupt work is charged to the task it interrupted (current): every handler and
 * softirq run adds its time to that task's cgroup in container_charged_ns, and with a
 * container selected only runs that interrupted its tasks are counted. The interrupted
 * task did not cause the work; the panes say so.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "container_filter.bpf.h"
#include "irqs.h"
#include "ktop.bpf.h"

char LICENSE[] SEC("license") = "GPL";

__u64 lost;	  /* interrupts not counted: the stats hash was full (shown, never silent) */

struct irq_cpu_state {
	__u64 irq_start_ns;	/* 0: no handler running */
	__u64 chain_ns;		/* earlier actions of the interrupt in progress */
	__s32 irq;		/* the irq whose handler runs */
	__s32 chain_irq;	/* the shared line whose actions are being summed, -1 none */
	__u64 softirq_start_ns; /* 0: no softirq running */
	__u64 softirq_irq_ns;	/* handler time nested inside the running softirq */
	__u32 vec;
	__u32 pad;
	__u64 raise_ns[SOFTIRQ_VECS]; /* first raise not yet run, 0: none */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct irq_cpu_state);
} irq_cpu_states SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, HARDIRQ_ENTRIES);
	__type(key, __u32);
	__type(value, struct hardirq_stat);
} hardirq_stats SEC(".maps");

/* irq -> the name of the first action seen, written once */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, HARDIRQ_ENTRIES / 2);
	__type(key, __u32);
	__type(value, struct hardirq_name);
} hardirq_names SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SOFTIRQ_VECS);
	__type(key, __u32);
	__type(value, struct softirq_stat);
} softirq_stats SEC(".maps");

/* cpu -> pid of ksoftirqd/cpu, filled by user space (size set at open) */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} ksoftirqd_pids SEC(".maps");

static __always_inline struct irq_cpu_state *cpu_state(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&irq_cpu_states, &zero);
}

static __always_inline bool in_ksoftirqd(void)
{
	__u32 cpu = bpf_get_smp_processor_id();
	__u32 *pid = bpf_map_lookup_elem(&ksoftirqd_pids, &cpu);

	return pid && *pid && *pid == (__u32)bpf_get_current_pid_tgid();
}

/* This CPU's stats of irq, created (and named) on first use */
static __always_inline struct hardirq_stat *hardirq_stat_of(__u32 irq, struct irqaction *action)
{
	struct hardirq_stat *s = bpf_map_lookup_elem(&hardirq_stats, &irq);
	static const struct hardirq_stat zero;
	struct hardirq_name name = {};

	if (s)
		return s;
	/* a bad action pointer (a test run) leaves the name empty: user space falls back */
	if (bpf_probe_read_kernel_str(name.name, sizeof(name.name), BPF_CORE_READ(action, name)) > 1)
		bpf_map_update_elem(&hardirq_names, &irq, &name, BPF_NOEXIST);
	return ktop_map_lookup_or_init(&hardirq_stats, &irq, &zero);
}

static __always_inline int on_irq_entry(int irq)
{
	struct irq_cpu_state *st = cpu_state();

	if (!st)
		return 0;
	if (st->chain_irq != irq)
		st->chain_irq = -1;
	st->irq = irq;
	st->irq_start_ns = bpf_ktime_get_ns();
	return 0;
}

static __always_inline int on_irq_exit(int irq, struct irqaction *action)
{
	struct irq_cpu_state *st = cpu_state();
	struct hardirq_stat *s;
	__u64 ns, interrupt_ns;
	bool last;

	if (!st || !st->irq_start_ns || st->irq != irq)
		return 0;
	ns = bpf_ktime_get_ns() - st->irq_start_ns;
	st->irq_start_ns = 0;
	if (st->softirq_start_ns)
		st->softirq_irq_ns += ns;
	/* a shared line runs every action in turn: the one with no next ends the interrupt */
	last = BPF_CORE_READ(action, next) == NULL;
	interrupt_ns = st->chain_irq == irq ? st->chain_ns + ns : ns;
	if (last) {
		st->chain_irq = -1;
	} else {
		st->chain_irq = irq;
		st->chain_ns = interrupt_ns;
	}
	container_charge(ns);
	if (!container_allowed())
		return 0;
	s = hardirq_stat_of((__u32)irq, action);
	if (!s) {
		__sync_fetch_and_add(&lost, 1);
		return 0;
	}
	if (last) {
		ktop_max_add(&s->max, interrupt_ns);
		ktop_hist_add(s->hist, interrupt_ns);
		s->count++;
	}
	s->calls++;
	s->total_ns += ns;
	return 0;
}

static __always_inline struct softirq_stat *softirq_stat_of(__u32 vec)
{
	return bpf_map_lookup_elem(&softirq_stats, &vec);
}

static __always_inline int on_softirq_raise(unsigned int vec)
{
	struct irq_cpu_state *st = cpu_state();

	if (!st || vec >= SOFTIRQ_VECS)
		return 0;
	if (!st->raise_ns[vec]) /* keep the first raise until the vector runs */
		st->raise_ns[vec] = bpf_ktime_get_ns();
	return 0;
}

static __always_inline int on_softirq_entry(unsigned int vec)
{
	struct irq_cpu_state *st = cpu_state();
	struct softirq_stat *s;
	__u64 now, raised, delay;

	if (!st || vec >= SOFTIRQ_VECS)
		return 0;
	now = bpf_ktime_get_ns();
	st->vec = vec;
	st->softirq_irq_ns = 0;
	st->softirq_start_ns = now;
	raised = st->raise_ns[vec];
	if (!raised)
		return 0;
	st->raise_ns[vec] = 0;
	if (!container_allowed())
		return 0;
	delay = now > raised ? now - raised : 0;
	s = softirq_stat_of(vec);
	if (!s)
		return 0;
	ktop_stat_add(&s->delays, &s->delay_total_ns, &s->delay_max, s->delay_hist, delay);
	return 0;
}

static __always_inline int on_softirq_exit(unsigned int vec)
{
	struct irq_cpu_state *st = cpu_state();
	struct softirq_stat *s;
	__u64 ns, irq_ns;

	if (!st || !st->softirq_start_ns || st->vec != vec || vec >= SOFTIRQ_VECS)
		return 0;
	ns = bpf_ktime_get_ns() - st->softirq_start_ns;
	irq_ns = st->softirq_irq_ns;
	st->softirq_start_ns = 0;
	ns = ns > irq_ns ? ns - irq_ns : 0;
	container_charge(ns);
	if (!container_allowed())
		return 0;
	s = softirq_stat_of(vec);
	if (!s)
		return 0;
	ktop_stat_add(&s->count, &s->total_ns, &s->max, s->hist, ns);
	s->irq_ns += irq_ns;
	if (in_ksoftirqd())
		s->ksoftirqd++;
	return 0;
}

SEC("tp_btf/irq_handler_entry")
int BPF_PROG(irq_handler_entry_btf, int irq, struct irqaction *action)
{
	return on_irq_entry(irq);
}

SEC("raw_tp/irq_handler_entry")
int BPF_PROG(irq_handler_entry_raw, int irq, struct irqaction *action)
{
	return on_irq_entry(irq);
}

SEC("tp_btf/irq_handler_exit")
int BPF_PROG(irq_handler_exit_btf, int irq, struct irqaction *action, int ret)
{
	return on_irq_exit(irq, action);
}

SEC("raw_tp/irq_handler_exit")
int BPF_PROG(irq_handler_exit_raw, int irq, struct irqaction *action, int ret)
{
	return on_irq_exit(irq, action);
}

SEC("tp_btf/softirq_raise")
int BPF_PROG(softirq_raise_btf, unsigned int vec)
{
	return on_softirq_raise(vec);
}

SEC("raw_tp/softirq_raise")
int BPF_PROG(softirq_raise_raw, unsigned int vec)
{
	return on_softirq_raise(vec);
}

SEC("tp_btf/softirq_entry")
int BPF_PROG(softirq_entry_btf, unsigned int vec)
{
	return on_softirq_entry(vec);
}

SEC("raw_tp/softirq_entry")
int BPF_PROG(softirq_entry_raw, unsigned int vec)
{
	return on_softirq_entry(vec);
}

SEC("tp_btf/softirq_exit")
int BPF_PROG(softirq_exit_btf, unsigned int vec)
{
	return on_softirq_exit(vec);
}

SEC("raw_tp/softirq_exit")
int BPF_PROG(softirq_exit_raw, unsigned int vec)
{
	return on_softirq_exit(vec);
}
