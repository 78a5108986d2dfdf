/* SPDX-License-Identifier: GPL-2.0 */
/* bpf/critical.h: what the critical-sections BPF program and its collector share. */
#ifndef KTOP_BPF_CRITICAL_H
#define KTOP_BPF_CRITICAL_H

#include "common.h"

#define CRITICAL_STACK_DEPTH 48
#define CRITICAL_RINGBUF_BYTES (256 * 1024)
#define CRITICAL_COMM_LEN 16
#define CRITICAL_CODE_BYTES 16

/* What a late timer waited for: the order of the kinds in collectors/critical.c */
enum critical_wait {
	CRITICAL_WAIT_IRQS = 0, /* a hard hrtimer: interrupts were off */
	CRITICAL_WAIT_BH = 1,   /* a soft hrtimer: bottom halves were off */
	CRITICAL_WAIT_IPI = 2,  /* a cross-CPU function call, timed exactly (IRQs off) */
	CRITICAL_WAIT_RESCHED = 3, /* a request to reschedule, until the CPU entered __schedule */
};

/* A request to reschedule a CPU not yet served: set by sched_set_need_resched_tp (on any
 * CPU), read and cleared by sched_entry_tp on the CPU itself. One per CPU */
struct critical_resched {
	__u64 set_ns;  /* bpf_ktime_get_ns() of the request, 0: none pending */
	__u64 task;    /* the task asked to give up the CPU (its task_struct address) */
	__u32 lazy;    /* TIF_NEED_RESCHED_LAZY: served at the next tick by design, not timed */
	__u32 pad;
};

/* One timer that expired later than the threshold, sent through the ring buffer */
struct critical_event {
	__u64 time_ns;     /* bpf_ktime_get_ns() when the timer ran */
	__u64 lateness_ns; /* how long after its hard expiry it ran, or how long the call ran */
	__u64 function;    /* the timer's callback, or the function called across CPUs */
	__s64 syscall;     /* WAIT_RESCHED: the task's syscall number (orig_ax), -1: none */
	__u32 cpu;
	__u32 wait;        /* enum critical_wait */
	__u32 pid;         /* the interrupted task (thread id) */
	__s32 stack_bytes; /* bpf_get_stack() result: bytes of stack[] used, or -errno */
	char comm[CRITICAL_COMM_LEN];
	/* the machine code just before the interrupted address (the frame after the interrupt
	 * entry): interrupts held off end with sti there. code_ip is 0 when not found */
	__u64 code_ip;
	__u8 code[CRITICAL_CODE_BYTES];
	__u64 stack[CRITICAL_STACK_DEPTH]; /* kernel return addresses, innermost first */
};

/* The soft interrupt vector soft hrtimers run in (stable since 2.6.x; the enum is anonymous) */
#define CRITICAL_HRTIMER_SOFTIRQ 8

/* Per CPU, cumulative: what the program saw */
struct critical_counters {
	__u64 last_run[2]; /* identity of the last timer run (its base-free `now`), per wait */
	__u64 runs[2];     /* timer runs looked at, per wait */
	__u64 late[2];     /* of those, a timer above the threshold (after the corrections below) */
	__u64 dropped;     /* late timers lost because the ring buffer was full */
	__u64 explained;   /* late timers whose wait was a long cross-CPU call already sent */
	__u64 call_start_ns; /* the cross-CPU function call running now, or 0 */
	__u64 long_call_start_ns, long_call_end_ns; /* the last one above the threshold */
	/* the last late hard timer sent: interrupts were off from its expiry to its run */
	__u64 late_irqs_start_ns, late_irqs_end_ns;
	__u64 resched_runs;  /* rescheduling requests served on this CPU */
	__u64 resched_late;  /* of those, served later than the threshold */
	__u64 resched_lazy;  /* lazy requests, not timed */
	/* false positives taken out (each: a timer that looked late and was not held off) */
	__u64 armed_expired; /* armed with its expiry already past: late only from the arming */
	__u64 retries;       /* hard runs that were hrtimer_interrupt's retry passes: the wait was
			      * the previous pass's callbacks, not the interrupted code */
	__u64 softirq_work;  /* soft timers that waited for other softirq vectors' work */
	__u64 tick_expiries; /* expiries of the tick (tick_nohz_handler, before 6.10 tick_sched_timer) */
	/* the tick's period (the smallest step between two of its expiries: 1/HZ), 0: none
	 * seen yet, and the expiry of the last tick */
	__u64 tick_period_ns, tick_last_expires;
	__u32 run_done[2];   /* the current run was reported: its other timers waited the same */
	__u32 retry;         /* the current hard run is a retry pass */
	__u32 last_events;   /* hrtimer_cpu_base.nr_events (interrupts) at the last hard run */
	/* softirq work, to tell a soft timer's wait for other vectors from BH held off */
	__u64 softirq_other_ns;  /* cumulative time in vectors other than HRTIMER */
	__u64 softirq_start_ns;  /* entry of the vector running now, 0: none */
	__u32 softirq_vec;       /* that vector */
	__u32 pad;
	/* the first HRTIMER raise not yet served: when, and softirq_other_ns then */
	__u64 raise_ns, raise_other_ns;
	/* the HRTIMER softirq running now: the raise it serves */
	__u64 run_raise_ns, run_raise_other_ns;
};

#endif
