/* SPDX-License-Identifier: GPL-2.0 */
/* bpf/critical.h: what the critical-sections BPF program and its collector share. */
#ifndef KTOP_BPF_CRITICAL_H
#define KTOP_BPF_CRITICAL_H

#include "common.h"

#define CRITICAL_STACK_DEPTH 48
#define CRITICAL_RINGBUF_BYTES (256 * 1024)
#define CRITICAL_COMM_LEN 16

/* What a late timer waited for: the order of the kinds in collectors/critical.c */
enum critical_wait {
	CRITICAL_WAIT_IRQS = 0, /* a hard hrtimer: interrupts were off */
	CRITICAL_WAIT_BH = 1,   /* a soft hrtimer: bottom halves were off */
};

/* One timer that expired later than the threshold, sent through the ring buffer */
struct critical_event {
	__u64 time_ns;     /* bpf_ktime_get_ns() when the timer ran */
	__u64 lateness_ns; /* how long after its hard expiry it ran */
	__u64 function;    /* the timer's callback, to tell ktop's own timer apart */
	__u32 cpu;
	__u32 wait;        /* enum critical_wait */
	__u32 pid;         /* the interrupted task (thread id) */
	__s32 stack_bytes; /* bpf_get_stack() result: bytes of stack[] used, or -errno */
	char comm[CRITICAL_COMM_LEN];
	__u64 stack[CRITICAL_STACK_DEPTH]; /* kernel return addresses, innermost first */
};

/* Per CPU, cumulative: what the program saw */
struct critical_counters {
	__u64 last_run[2]; /* identity of the last timer run (its base-free `now`), per wait */
	__u64 runs[2];     /* timer runs looked at (first timer of each), per wait */
	__u64 late[2];     /* of those, above the threshold */
	__u64 dropped;     /* late timers lost because the ring buffer was full */
};

#endif
