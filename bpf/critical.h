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

/* Per CPU, cumulative: what the program saw */
struct critical_counters {
	__u64 last_run[2]; /* identity of the last timer run (its base-free `now`), per wait */
	__u64 runs[2];     /* timer runs looked at (first timer of each), per wait */
	__u64 late[2];     /* of those, above the threshold */
	__u64 dropped;     /* late timers lost because the ring buffer was full */
	__u64 explained;   /* late timers whose wait was a long cross-CPU call already sent */
	__u64 call_start_ns; /* the cross-CPU function call running now, or 0 */
	__u64 long_call_start_ns, long_call_end_ns; /* the last one above the threshold */
	/* the last late hard timer sent: interrupts were off from its expiry to its run */
	__u64 late_irqs_start_ns, late_irqs_end_ns;
	__u64 resched_runs;  /* rescheduling requests served on this CPU */
	__u64 resched_late;  /* of those, served later than the threshold */
	__u64 resched_lazy;  /* lazy requests, not timed */
};

#endif
