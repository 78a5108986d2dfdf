// SPDX-License-Identifier: GPL-2.0
/*
 * bpf/irqs.bpf.c: time every hard-IRQ handler and every softirq run, per CPU.
 *
 * One object for both because a softirq's net time needs the hard-IRQ handler time that
 * interrupted it on the same CPU. The x86 system vectors (local timer, IPIs, irq work, ...)
 * never pass irq_handler_entry: their irq_vectors tracepoints and nmi:nmi_handler time them
 * into sysvec_stats (per line of /proc/interrupts), and they too nest in softirqs. Cross-CPU
 * function calls (csd tracepoints) live here as well: their runs are what the CAL vector
 * does, and the TLB line is one of their functions (flush_tlb_func) run for another CPU.
 * Per-CPU state (what runs now, first raise time of each vector) lives in a one-slot
 * per-CPU array. Stats are cumulative counters, per CPU, that user space reads at any time
 * (ktop.bpf.h), in hashes that hold only the pairs that ran: hard IRQs keyed by (irq, CPU),
 * softirq vectors, system vectors and cross-call functions by (slot, CPU) (cpu_slots.h),
 * so neither memory nor a tick's read grows with CPUs that are possible but idle. Each
 * entry is written by its own CPU only. An exit without a matching entry (we attached
 * mid-handler, or a test crafted it) is ignored.
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
#include "cpu_slots.bpf.h"
#include "irqs.h"
#include "ktop.bpf.h"
#include "percpu.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* The offset of irq_stat in the per-CPU area, when runqueues_known (percpu.bpf.h): its
 * __nmi_count tells one NMI's handlers from the next NMI's */
const volatile __u64 off_irq_stat;

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
	__u64 vec_start_ns;	/* 0: no system vector handler running */
	__u32 vec_line;		/* enum sysvec_line of the one running */
	__u32 csd_remote;	/* the cross call running was sent by another CPU */
	__u64 csd_start_ns;	/* 0: no cross call running */
	__u64 csd_func;
	__u64 csd_delay_ns;	/* send -> run, when the send was seen */
	__u32 csd_delay_known;
	__u32 csd_tlb;		/* flush_tlb_func for another CPU: the TLB line */
	__u32 nmi_seen;		/* irq_stat.__nmi_count at the last NMI handler */
	__u32 nmi_known;	/* nmi_seen was read */
	__u64 nmi_ns;		/* the NMI in progress: its handlers' time so far */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct irq_cpu_state);
} irq_cpu_states SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, HARDIRQ_ENTRIES);
	__type(key, __u32); /* HARDIRQ_KEY(irq, cpu) */
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
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, SOFTIRQ_VECS * IRQS_SIZED_CPUS);
	__type(key, __u32); /* CPU_SLOT_KEY(vector, cpu) */
	__type(value, struct softirq_stat);
} softirq_stats SEC(".maps");

/* Per-CPU, per /proc/interrupts line of the system vectors: small, indexed by line */
struct {
	/* preallocated: the NMI line is created in NMI context, where kernels before 6.1
	 * cannot allocate an element */
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SYSVEC_LINES * IRQS_SIZED_CPUS);
	__type(key, __u32); /* CPU_SLOT_KEY(line, cpu) */
	__type(value, struct hardirq_stat);
} sysvec_stats SEC(".maps");

/* flush_tlb_func's address (from /proc/kallsyms), 0 when unknown: the TLB line */
const volatile __u64 tlb_flush_func;

__u32 xcall_nslots; /* cross-call stats slots handed out */

/* function -> stats slot, and slot -> function for user space (and to claim a slot) */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XCALL_SLOTS);
	__type(key, __u64);
	__type(value, __u32);
} xcall_func_slots SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XCALL_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} xcall_slot_funcs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, XCALL_FUNCS_PER_CPU * IRQS_SIZED_CPUS);
	__type(key, __u32); /* CPU_SLOT_KEY(function slot, cpu) */
	__type(value, struct xcall_stat);
} xcall_stats SEC(".maps");

/* slot -> its last sender; shared by all CPUs (the last write wins, as intended) */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XCALL_SLOTS);
	__type(key, __u32);
	__type(value, struct xcall_sender);
} xcall_senders SEC(".maps");

/* csd -> when it was sent. A csd is locked from its send until it has run, so the address
 * names one call in flight; sends that never reach csd_function_entry (queued wake-ups,
 * remote irq_work run other ways) age out of the LRU. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XCALL_QUEUED);
	__type(key, __u64);
	__type(value, __u64);
} xcall_queued SEC(".maps");

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

/* This CPU's stats of irq, created (and named) on first use; NULL: no room */
static __always_inline struct hardirq_stat *hardirq_stat_of(__u32 irq, struct irqaction *action)
{
	__u32 cpu = bpf_get_smp_processor_id(), key = HARDIRQ_KEY(irq, cpu);
	static const struct hardirq_stat zero;
	struct hardirq_name name = {};
	struct hardirq_stat *s;

	if (irq > HARDIRQ_MAX_IRQ || cpu > HARDIRQ_MAX_CPU)
		return NULL;
	s = bpf_map_lookup_elem(&hardirq_stats, &key);
	if (s)
		return s;
	/* a bad action pointer (a test run) leaves the name empty: user space falls back */
	if (bpf_probe_read_kernel_str(name.name, sizeof(name.name), BPF_CORE_READ(action, name)) > 1)
		bpf_map_update_elem(&hardirq_names, &irq, &name, BPF_NOEXIST);
	return ktop_map_lookup_or_init(&hardirq_stats, &key, &zero);
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

/* This CPU's stats of slot in map (cpu_slots.bpf.h); NULL, counted as lost, when the hash
 * is full */
static __always_inline void *slot_stat_of(void *map, __u32 slot, const void *zero)
{
	void *s = cpu_slot_stat(map, slot, zero);

	if (!s)
		__sync_fetch_and_add(&lost, 1);
	return s;
}

static __always_inline struct softirq_stat *softirq_stat_of(__u32 vec)
{
	static const struct softirq_stat zero;

	return slot_stat_of(&softirq_stats, vec, &zero);
}

static __always_inline struct hardirq_stat *sysvec_stat_of(__u32 line)
{
	static const struct hardirq_stat zero;

	return slot_stat_of(&sysvec_stats, line, &zero);
}

static __always_inline struct xcall_stat *xcall_stat_of(__u32 slot)
{
	static const struct xcall_stat zero;

	return slot_stat_of(&xcall_stats, slot, &zero);
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

/* One timed run of a /proc/interrupts line of the system vectors */
static __always_inline void sysvec_account(__u32 line, __u64 ns)
{
	struct hardirq_stat *s;

	if (!container_allowed())
		return;
	s = sysvec_stat_of(line);
	if (!s)
		return;
	ktop_max_add(&s->max, ns);
	ktop_hist_add(s->hist, ns);
	s->count++;
	s->calls++;
	s->total_ns += ns;
}

static __always_inline int on_sysvec_entry(__u32 line)
{
	struct irq_cpu_state *st = cpu_state();

	if (!st)
		return 0;
	st->vec_line = line;
	st->vec_start_ns = bpf_ktime_get_ns();
	return 0;
}

static __always_inline int on_sysvec_exit(__u32 line)
{
	struct irq_cpu_state *st = cpu_state();
	__u64 ns;

	if (!st || !st->vec_start_ns || st->vec_line != line)
		return 0;
	ns = bpf_ktime_get_ns() - st->vec_start_ns;
	st->vec_start_ns = 0;
	/* a vector that interrupted a softirq is not the softirq's time */
	if (st->softirq_start_ns)
		st->softirq_irq_ns += ns;
	container_charge(ns);
	sysvec_account(line, ns);
	return 0;
}

/* This CPU's count of NMIs (irq_stat.__nmi_count, /proc/interrupts' NMI line), which the
 * kernel advances before it runs the handlers; false when it cannot be read */
static __always_inline bool nmi_count_now(__u32 *count)
{
	__u64 base = this_cpu_base();

	if (!base || !off_irq_stat)
		return false;
	return bpf_probe_read_kernel(count, sizeof(*count),
				     (void *)(base + off_irq_stat +
					      bpf_core_field_offset(irq_cpustat_t, __nmi_count))) == 0;
}

/*
 * One NMI handler run; its time comes with it. An NMI runs every handler registered for
 * it (the perf PMU's and arch_bt's on most machines), each traced: a run that sees the
 * same __nmi_count as the one before on this CPU is another handler of the same NMI, a
 * handler call (CALLS/s) but not an interrupt (IRQ/s), as for a shared device line. Where
 * the count cannot be read every run counts as an NMI. The maximum is the NMI's time so
 * far; the histogram places an NMI by its first handler's time (a slot, once counted, is
 * never moved). No charge: a map update from NMI context may find the map's lock taken by
 * the code it interrupted.
 */
static __always_inline int on_nmi_handler(__s64 delta_ns)
{
	struct irq_cpu_state *st = cpu_state();
	__u64 ns = delta_ns > 0 ? (__u64)delta_ns : 0;
	struct hardirq_stat *s;
	__u32 seen = 0;
	bool known, same;

	if (!st)
		return 0;
	if (st->softirq_start_ns)
		st->softirq_irq_ns += ns;
	known = nmi_count_now(&seen);
	same = known && st->nmi_known && seen == st->nmi_seen;
	st->nmi_seen = seen;
	st->nmi_known = known;
	st->nmi_ns = same ? st->nmi_ns + ns : ns;
	if (!container_allowed())
		return 0;
	s = sysvec_stat_of(SYSVEC_NMI);
	if (!s)
		return 0;
	ktop_max_add(&s->max, st->nmi_ns);
	if (!same) {
		ktop_hist_add(s->hist, ns);
		s->count++;
	}
	s->calls++;
	s->total_ns += ns;
	return 0;
}

/* The stats slot of func, claimed the first time (ktop_slot_claim) */
static __always_inline __u32 xcall_slot(__u64 func)
{
	__u32 *found = bpf_map_lookup_elem(&xcall_func_slots, &func);

	if (found)
		return *found & (XCALL_SLOTS - 1);
	return ktop_slot_claim(&xcall_func_slots, &func, &xcall_slot_funcs, &func, &xcall_nslots,
			       XCALL_OTHER_SLOT) & (XCALL_SLOTS - 1);
}

/* A cross call queued for cpu: when (for the latency at its run), and who sent it */
static __always_inline int on_csd_queue(__u64 callsite, __u64 func, __u64 csd)
{
	struct xcall_sender *sender;
	struct xcall_stat *s;
	__u64 now = bpf_ktime_get_ns();
	__u32 slot;

	if (csd)
		bpf_map_update_elem(&xcall_queued, &csd, &now, BPF_ANY);
	if (!container_allowed())
		return 0;
	slot = xcall_slot(func);
	s = xcall_stat_of(slot);
	if (s)
		s->sent++;
	sender = bpf_map_lookup_elem(&xcall_senders, &slot);
	if (sender) {
		sender->callsite = callsite;
		sender->pid = (__u32)bpf_get_current_pid_tgid();
		bpf_get_current_comm(sender->comm, sizeof(sender->comm));
	}
	return 0;
}

static __always_inline int on_csd_entry(__u64 func, __u64 csd)
{
	struct irq_cpu_state *st = cpu_state();
	__u64 now = bpf_ktime_get_ns(), *sent;

	if (!st)
		return 0;
	st->csd_func = func;
	st->csd_start_ns = now;
	/* the caller's own share of a call to many CPUs runs with csd NULL: not an IPI */
	st->csd_remote = csd != 0;
	st->csd_delay_known = 0;
	st->csd_tlb = csd && tlb_flush_func && func == tlb_flush_func;
	if (!csd)
		return 0;
	sent = bpf_map_lookup_elem(&xcall_queued, &csd);
	if (!sent)
		return 0;
	st->csd_delay_ns = now > *sent ? now - *sent : 0;
	st->csd_delay_known = 1;
	bpf_map_delete_elem(&xcall_queued, &csd);
	return 0;
}

static __always_inline int on_csd_exit(__u64 func)
{
	struct irq_cpu_state *st = cpu_state();
	struct xcall_stat *s;
	__u64 ns;
	__u32 slot;

	if (!st || !st->csd_start_ns || st->csd_func != func)
		return 0;
	ns = bpf_ktime_get_ns() - st->csd_start_ns;
	st->csd_start_ns = 0;
	if (st->csd_tlb)
		sysvec_account(SYSVEC_TLB, ns);
	if (!container_allowed())
		return 0;
	slot = xcall_slot(func);
	s = xcall_stat_of(slot);
	if (!s)
		return 0;
	if (!st->csd_remote) {
		s->local_ns += ns;
		s->local++;
		return 0;
	}
	if (st->csd_delay_known) {
		ktop_max_add(&s->delay_max, st->csd_delay_ns);
		s->delays++;
		s->delay_total_ns += st->csd_delay_ns;
	}
	ktop_stat_add(&s->count, &s->total_ns, &s->max, s->hist, ns);
	return 0;
}

/* Each system vector's entry/exit pair, as tp_btf and raw_tp twins */
#define SYSVEC_PROGRAMS(tp, line)                                      \
	SEC("tp_btf/" #tp "_entry")                                    \
	int BPF_PROG(tp##_entry_btf, int vector)                       \
	{                                                              \
		return on_sysvec_entry(line);                          \
	}                                                              \
	SEC("raw_tp/" #tp "_entry")                                    \
	int BPF_PROG(tp##_entry_raw, int vector)                       \
	{                                                              \
		return on_sysvec_entry(line);                          \
	}                                                              \
	SEC("tp_btf/" #tp "_exit")                                     \
	int BPF_PROG(tp##_exit_btf, int vector)                        \
	{                                                              \
		return on_sysvec_exit(line);                           \
	}                                                              \
	SEC("raw_tp/" #tp "_exit")                                     \
	int BPF_PROG(tp##_exit_raw, int vector)                        \
	{                                                              \
		return on_sysvec_exit(line);                           \
	}

SYSVEC_PROGRAMS(local_timer, SYSVEC_LOC)
SYSVEC_PROGRAMS(reschedule, SYSVEC_RES)
SYSVEC_PROGRAMS(call_function, SYSVEC_CAL)
SYSVEC_PROGRAMS(call_function_single, SYSVEC_CAL)
SYSVEC_PROGRAMS(irq_work, SYSVEC_IWI)
SYSVEC_PROGRAMS(spurious_apic, SYSVEC_SPU)
SYSVEC_PROGRAMS(error_apic, SYSVEC_ERR)
SYSVEC_PROGRAMS(thermal_apic, SYSVEC_TRM)
SYSVEC_PROGRAMS(x86_platform_ipi, SYSVEC_PLT)

SEC("tp_btf/nmi_handler")
int BPF_PROG(nmi_handler_btf, void *handler, __s64 delta_ns, int handled)
{
	return on_nmi_handler(delta_ns);
}

SEC("raw_tp/nmi_handler")
int BPF_PROG(nmi_handler_raw, void *handler, __s64 delta_ns, int handled)
{
	return on_nmi_handler(delta_ns);
}

/*
 * The csd tracepoints pass the function as smp_call_func_t, a function pointer, which the
 * verifier will not let a tp_btf program read ("arg type FUNC_PROTO is not a struct"):
 * raw_tp only, whose arguments are plain u64s.
 */
SEC("raw_tp/csd_queue_cpu")
int BPF_PROG(csd_queue_cpu_raw, unsigned int cpu, unsigned long callsite, void *func, void *csd)
{
	return on_csd_queue(callsite, (__u64)func, (__u64)csd);
}

SEC("raw_tp/csd_function_entry")
int BPF_PROG(csd_function_entry_raw, void *func, void *csd)
{
	return on_csd_entry((__u64)func, (__u64)csd);
}

SEC("raw_tp/csd_function_exit")
int BPF_PROG(csd_function_exit_raw, void *func, void *csd)
{
	return on_csd_exit((__u64)func);
}
