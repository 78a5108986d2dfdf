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
 * A timer found late is a detection, and its lateness a lower bound of the section: the
 * section began before the timer expired.
 *
 * Waits that no code held interrupts or BH off for are taken out: a timer armed with its
 * expiry already past counts from its arming (hrtimer_start); the retry passes of
 * hrtimer_interrupt waited for the first pass's callbacks (hrtimer_cpu_base.nr_events tells
 * a retry from a new interrupt); a soft timer's wait loses the time the other softirq
 * vectors ran after HRTIMER was raised (softirq_raise/entry/exit).
 *
 * Functions called on this CPU by another one (IPIs: csd_function_entry/exit) run with
 * interrupts off and are timed exactly; above the threshold their stack is sent too, and a
 * timer that waited for one of them is not reported a second time.
 *
 * Preemption held off: sched_set_need_resched_tp (6.17+, BTF only) says when a CPU was
 * asked to reschedule, sched_entry_tp when it entered __schedule. The time between is how
 * long the running code kept the CPU after the scheduler wanted it back (preemption off,
 * or on a kernel without forced preemption, kernel code between two preemption points).
 * The stack at the entry is where the wait ended (preempt_enable, cond_resched, the
 * return to user space); a wait that a long IRQs-off section already sent explains is not
 * sent again. Lazy requests (TIF_NEED_RESCHED_LAZY) wait for the tick by design: not timed.
 *
 * The tests' hooks (an IRQs-off section on demand, a slow timer callback or softirq) are in
 * tests/bpf/critical_test.bpf.c, an object built for the tests only.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "container_filter.bpf.h"
#include "ktop.bpf.h"
#include "critical.h"

char LICENSE[] SEC("license") = "GPL";

const volatile __u64 threshold_ns = 100000;
/* the interrupt entry code (__irqentry_text_start/end): the frame after it was interrupted */
const volatile __u64 irqentry_start, irqentry_end;
/* the scheduler tick's callback: its period says how often a busy CPU is sampled anyway */
const volatile __u64 tick_fn;

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

/* per CPU: the rescheduling request pending there (other CPUs write it too, through
 * bpf_map_lookup_percpu_elem) */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct critical_resched);
} crit_resched SEC(".maps");

/* TIF_NEED_RESCHED + 1 once learned (0: not yet): its value differs between
 * architectures and is no BTF type, but the kernel never asks an idle task lazily */
__u32 resched_full_tif;

static __always_inline struct critical_counters *counters(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&crit_counters, &zero);
}

static __always_inline void send_event(void *ctx, struct critical_counters *cnt, __u32 wait,
				       __u64 ns, __u64 function, __s64 syscall)
{
	struct critical_event *e;

	/* with a container selected: only sections that delayed one of its tasks */
	if (!container_allowed())
		return;
	e = bpf_ringbuf_reserve(&crit_events, sizeof(*e), 0);
	if (!e) {
		cnt->dropped++;
		return;
	}
	e->time_ns = bpf_ktime_get_ns();
	e->lateness_ns = ns;
	e->function = function;
	e->syscall = syscall;
	e->cpu = bpf_get_smp_processor_id();
	e->wait = wait;
	e->pid = (__u32)bpf_get_current_pid_tgid();
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	e->stack_bytes = bpf_get_stack(ctx, e->stack, sizeof(e->stack), 0);
	e->code_ip = 0;
	for (int i = 0; i < CRITICAL_STACK_DEPTH - 1; i++) {
		__u64 ip = e->stack[i];

		if ((__s64)(i + 1) * 8 >= e->stack_bytes)
			break;
		if (ip >= irqentry_start && ip < irqentry_end) {
			e->code_ip = e->stack[i + 1];
			if (bpf_probe_read_kernel(e->code, sizeof(e->code),
						  (void *)(e->code_ip - sizeof(e->code))))
				e->code_ip = 0;
			break;
		}
	}
	bpf_ringbuf_submit(e, 0);
}

/* When a timer was armed with its expiry already past: the kernel fires it at once, and
 * its lateness ran from the arming, not from the expiry (a periodic loop that overran its
 * deadline, a timerfd set in the past). Only such armings are kept */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);   /* the timer's address */
	__type(value, __u64); /* bpf_ktime_get_ns() of the arming */
} crit_armed SEC(".maps");

static __always_inline int on_timer_start(struct hrtimer *timer)
{
	__s64 expires = BPF_CORE_READ(timer, node.expires) - BPF_CORE_READ(timer, base, offset);
	__u64 now = bpf_ktime_get_ns(), key = (__u64)timer;

	/* most timers are armed in the future: nothing to keep */
	if (expires > (__s64)now)
		return 0;
	bpf_map_update_elem(&crit_armed, &key, &now, BPF_ANY);
	return 0;
}

/* Of a soft timer's wait since start, the time the HRTIMER softirq spent behind the other
 * vectors (NET_RX runs before it in the same pass, and in ksoftirqd): no code held BH off */
static __always_inline __u64 softirq_work_ns(struct critical_counters *cnt)
{
	/* a timer that expired after the raise gets all of it subtracted, though part came
	 * before its expiry: the result stays a lower bound */
	if (!cnt->run_raise_ns || cnt->softirq_other_ns < cnt->run_raise_other_ns)
		return 0;
	return cnt->softirq_other_ns - cnt->run_raise_other_ns;
}

static __always_inline int on_timer_expire(void *ctx, struct hrtimer *timer, ktime_t *now_ptr)
{
	struct critical_counters *cnt;
	__s64 now = 0, expires, offset, late;
	__u32 wait = CRITICAL_WAIT_IRQS, w;
	__u64 run, start, function, key, *armed, work;

	if (bpf_probe_read_kernel(&now, sizeof(now), now_ptr))
		return 0;
	expires = BPF_CORE_READ(timer, node.expires);
	offset = BPF_CORE_READ(timer, base, offset);
	function = (__u64)BPF_CORE_READ(timer, function);
	if (bpf_core_field_exists(timer->is_soft) && BPF_CORE_READ(timer, is_soft))
		wait = CRITICAL_WAIT_BH;
	w = wait & 1;
	cnt = counters();
	if (!cnt)
		return 0;
	if (function == tick_fn) {
		__u64 step = (__u64)(expires - cnt->tick_last_expires);

		cnt->tick_expiries++;
		if (cnt->tick_last_expires && expires > cnt->tick_last_expires &&
		    (!cnt->tick_period_ns || step < cnt->tick_period_ns))
			cnt->tick_period_ns = step;
		cnt->tick_last_expires = expires;
	}
	/* every timer of one run sees the same `now` minus its clock base's offset */
	run = (__u64)(now - offset);
	if (cnt->last_run[w] != run) {
		cnt->last_run[w] = run;
		cnt->runs[w]++;
		cnt->run_done[w] = 0;
		if (wait == CRITICAL_WAIT_IRQS) {
			/* hrtimer_interrupt counts its calls; a second run in the same call is a
			 * retry pass, whose timers expired while the first pass's callbacks ran
			 * (0 in low-resolution mode, which has no retries) */
			__u32 events = BPF_CORE_READ(timer, base, cpu_base, nr_events);

			cnt->retry = events && events == cnt->last_events;
			cnt->last_events = events;
			if (cnt->retry)
				cnt->retries++;
		}
	}
	/* the run was reported, or (a retry pass) its waits were callbacks, not held off */
	if (cnt->run_done[w] || (wait == CRITICAL_WAIT_IRQS && cnt->retry))
		return 0;
	start = (__u64)(expires - offset);
	late = now - expires;
	if (late <= 0 || (__u64)late < threshold_ns)
		return 0;
	/* late from its expiry: was it armed after that? (rare, so looked up only here) */
	key = (__u64)timer;
	armed = bpf_map_lookup_elem(&crit_armed, &key);
	if (armed && *armed > start) {
		__u64 from = *armed;

		bpf_map_delete_elem(&crit_armed, &key);
		if (run <= from || run - from < threshold_ns) {
			cnt->armed_expired++;
			return 0;
		}
		late = (__s64)(run - from);
		start = from;
	}
	if (wait == CRITICAL_WAIT_BH) {
		work = softirq_work_ns(cnt);
		if (work >= (__u64)late || (__u64)late - work < threshold_ns) {
			cnt->softirq_work++;
			return 0;
		}
		late -= (__s64)work;
	}
	cnt->run_done[w] = 1;
	cnt->late[w]++;
	/* monotonic times: did a long cross-CPU call (already sent) cover the wait? */
	if (cnt->long_call_end_ns >= start && cnt->long_call_start_ns <= run) {
		cnt->explained++;
		return 0;
	}
	if (wait == CRITICAL_WAIT_IRQS) {
		cnt->late_irqs_start_ns = start;
		cnt->late_irqs_end_ns = run;
	}
	send_event(ctx, cnt, wait, (__u64)late, function, -1);
	return 0;
}

/* Soft interrupt work, per CPU: the time of every vector but HRTIMER, and the HRTIMER raise
 * that the next HRTIMER softirq serves (with that time as it was then) */
static __always_inline int on_softirq_raise(unsigned int vec)
{
	struct critical_counters *cnt;
	__u64 now;

	if (vec != CRITICAL_HRTIMER_SOFTIRQ)
		return 0;
	cnt = counters();
	if (!cnt || cnt->raise_ns)
		return 0;
	now = bpf_ktime_get_ns();
	cnt->raise_ns = now;
	/* raised inside another vector's run: only its time from here on delays HRTIMER, and
	 * all of it is added at its exit */
	cnt->raise_other_ns = cnt->softirq_other_ns;
	if (cnt->softirq_start_ns && cnt->softirq_vec != CRITICAL_HRTIMER_SOFTIRQ)
		cnt->raise_other_ns += now - cnt->softirq_start_ns;
	return 0;
}

static __always_inline int on_softirq_entry(unsigned int vec)
{
	struct critical_counters *cnt = counters();

	if (!cnt)
		return 0;
	cnt->softirq_start_ns = bpf_ktime_get_ns();
	cnt->softirq_vec = vec;
	if (vec == CRITICAL_HRTIMER_SOFTIRQ) {
		/* this run serves the pending raise; a raise during it starts a new one */
		cnt->run_raise_ns = cnt->raise_ns;
		cnt->run_raise_other_ns = cnt->raise_other_ns;
		cnt->raise_ns = 0;
	}
	return 0;
}

static __always_inline int on_softirq_exit(unsigned int vec)
{
	struct critical_counters *cnt = counters();

	if (!cnt || !cnt->softirq_start_ns)
		return 0;
	if (vec != CRITICAL_HRTIMER_SOFTIRQ)
		cnt->softirq_other_ns += bpf_ktime_get_ns() - cnt->softirq_start_ns;
	cnt->softirq_start_ns = 0;
	return 0;
}

SEC("tp_btf/hrtimer_start")
int BPF_PROG(crit_timer_start_btf, struct hrtimer *timer, enum hrtimer_mode mode)
{
	return on_timer_start(timer);
}

SEC("raw_tp/hrtimer_start")
int BPF_PROG(crit_timer_start_raw, struct hrtimer *timer, enum hrtimer_mode mode)
{
	return on_timer_start(timer);
}

SEC("tp_btf/softirq_raise")
int BPF_PROG(crit_softirq_raise_btf, unsigned int vec)
{
	return on_softirq_raise(vec);
}

SEC("raw_tp/softirq_raise")
int BPF_PROG(crit_softirq_raise_raw, unsigned int vec)
{
	return on_softirq_raise(vec);
}

SEC("tp_btf/softirq_entry")
int BPF_PROG(crit_softirq_entry_btf, unsigned int vec)
{
	return on_softirq_entry(vec);
}

SEC("raw_tp/softirq_entry")
int BPF_PROG(crit_softirq_entry_raw, unsigned int vec)
{
	return on_softirq_entry(vec);
}

SEC("tp_btf/softirq_exit")
int BPF_PROG(crit_softirq_exit_btf, unsigned int vec)
{
	return on_softirq_exit(vec);
}

SEC("raw_tp/softirq_exit")
int BPF_PROG(crit_softirq_exit_raw, unsigned int vec)
{
	return on_softirq_exit(vec);
}

static __always_inline int on_call_entry(void)
{
	struct critical_counters *cnt = counters();

	if (cnt)
		cnt->call_start_ns = bpf_ktime_get_ns();
	return 0;
}

static __always_inline int on_call_exit(void *ctx, void *func)
{
	struct critical_counters *cnt = counters();
	__u64 now = bpf_ktime_get_ns(), ns;

	if (!cnt || !cnt->call_start_ns)
		return 0;
	ns = now - cnt->call_start_ns;
	if (ns >= threshold_ns) {
		cnt->long_call_start_ns = cnt->call_start_ns;
		cnt->long_call_end_ns = now;
		send_event(ctx, cnt, CRITICAL_WAIT_IPI, ns, (__u64)func, -1);
	}
	cnt->call_start_ns = 0;
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

SEC("tp_btf/csd_function_entry")
int BPF_PROG(crit_call_entry_btf, void *func, void *csd)
{
	return on_call_entry();
}

SEC("raw_tp/csd_function_entry")
int BPF_PROG(crit_call_entry_raw, void *func, void *csd)
{
	return on_call_entry();
}

/* raw_tp only: the verifier refuses tp_btf reads of a function-pointer argument */
SEC("raw_tp/csd_function_exit")
int BPF_PROG(crit_call_exit_raw, void *func, void *csd)
{
	return on_call_exit(ctx, func);
}

/* Did [start, end), a section with interrupts off, take up at least half of [from, to)? */
static __always_inline bool covers(__u64 start, __u64 end, __u64 from, __u64 to)
{
	__u64 lo = start > from ? start : from, hi = end < to ? end : to;

	return end && hi > lo && (hi - lo) * 2 >= to - from;
}

SEC("tp_btf/sched_set_need_resched_tp")
int BPF_PROG(crit_resched_set, struct task_struct *task, int cpu, int tif)
{
	__u32 zero = 0;
	struct critical_resched *req = bpf_map_lookup_percpu_elem(&crit_resched, &zero, (__u32)cpu);
	bool lazy;

	if (!req)
		return 0;
	/* written once, not at every request of an idle CPU: every CPU reads this line */
	if (task->pid == 0 && resched_full_tif != (__u32)tif + 1)
		resched_full_tif = (__u32)tif + 1;
	lazy = resched_full_tif && (__u32)tif + 1 != resched_full_tif;
	/* still pending for the same task (a repeated request): the wait began earlier */
	if (req->set_ns && req->task == (__u64)task && !req->lazy)
		return 0;
	req->task = (__u64)task;
	req->lazy = lazy;
	req->set_ns = bpf_ktime_get_ns();
	return 0;
}

SEC("tp_btf/sched_entry_tp")
int BPF_PROG(crit_resched_served, bool preempt)
{
	__u32 zero = 0;
	struct critical_resched *req = bpf_map_lookup_elem(&crit_resched, &zero);
	struct critical_counters *cnt;
	struct task_struct *task;
	struct pt_regs *regs;
	__u64 set, now;

	/* most entries to the scheduler: nothing asked for this CPU */
	if (!req || !req->set_ns)
		return 0;
	set = req->set_ns;
	req->set_ns = 0;
	task = bpf_get_current_task_btf();
	/* a request for a task that is no longer current here was served already */
	if (req->task != (__u64)task)
		return 0;
	cnt = counters();
	if (!cnt)
		return 0;
	if (req->lazy) {
		cnt->resched_lazy++;
		return 0;
	}
	cnt->resched_runs++;
	now = bpf_ktime_get_ns();
	if (now <= set || now - set < threshold_ns)
		return 0;
	cnt->resched_late++;
	if (covers(cnt->long_call_start_ns, cnt->long_call_end_ns, set, now) ||
	    covers(cnt->late_irqs_start_ns, cnt->late_irqs_end_ns, set, now)) {
		cnt->explained++;
		return 0;
	}
	regs = (struct pt_regs *)bpf_task_pt_regs(task);
	send_event(ctx, cnt, CRITICAL_WAIT_RESCHED, now - set, 0,
		   regs ? (__s64)BPF_CORE_READ(regs, orig_ax) : -1);
	return 0;
}
