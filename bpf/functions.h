/* SPDX-License-Identifier: GPL-2.0 */
/* bpf/functions.h: what the kernel-function BPF program and its collector share. */
#ifndef KTOP_BPF_FUNCTIONS_H
#define KTOP_BPF_FUNCTIONS_H

#include "common.h"

/* Functions traced at once: each one is a loaded object with two attached programs */
#define FUNCTIONS_MAX 32
/* Calls in flight (entered, not returned), over every traced function and task (LRU) */
#define FUNCTIONS_IN_FLIGHT 16384

/* What the return value says (the function's BTF return type) */
enum function_ret {
	FUNCTION_RET_NONE,  /* void, unsigned, a pointer or unknown: no errors counted */
	FUNCTION_RET_INT32, /* int: negative is an error */
	FUNCTION_RET_INT64, /* long: negative is an error */
};

/*
 * One function's statistics, shared by the CPUs (atomic adds), cumulative since load
 * (collectors/counters.c layout: u64 counters, the maximum, the histogram, then what is
 * not a counter)
 */
struct function_stat {
	__u64 calls;	/* entries */
	__u64 returns;	/* returns whose entry was seen: the timed calls */
	__u64 total_ns; /* entry to return, summed over the timed calls */
	__u64 errors;	/* timed calls that returned a negative value */
	struct ktop_max max;
	__u32 hist[KTOP_HIST_SLOTS];
	struct ktop_cpus cpus; /* where it was called this epoch */
};

#endif
