/* SPDX-License-Identifier: GPL-2.0 */
/* bpf/functions.h: what the kernel-function BPF program and its collector share. */
#ifndef KTOP_BPF_FUNCTIONS_H
#define KTOP_BPF_FUNCTIONS_H

#include "common.h"

/* Functions traced at once: each one is a loaded object with two attached programs */
#define FUNCTIONS_MAX 32
/* Calls in flight (entered, not returned), over every traced function and task (LRU) */
#define FUNCTIONS_IN_FLIGHT 16384

/*
 * Callers' stacks (of the functions that have them switched on, see function_config):
 * distinct stacks in the stack map, and (function, stack) counts, both emptied by user
 * space every interval. A call finding either full is counted in stack_drops.
 */
#define FUNCTIONS_STACKS 1024
#define FUNCTIONS_STACK_DEPTH 32
#define FUNCTIONS_CALLERS 2048
/* (function, argument value) counts, emptied every interval; beyond: arg_other */
#define FUNCTIONS_ARG_VALUES 4096
/* function_config.arg: an argument's index (0..5), the return value, or nothing */
#define FUNCTION_ARGS_MAX 6
#define FUNCTION_ARG_RET 6
#define FUNCTION_ARG_NONE 7

/* What user space switches on per function (an array by slot; ktop writes it at run time) */
struct function_config {
	__u32 stacks;	 /* count the callers' stacks */
	__u32 arg;	 /* FUNCTION_ARG_*: whose values to count */
	__u64 arg_mask;	 /* the bits of the value's type (an int: the low 32); 0: none */
};

struct function_caller_key {
	__u32 slot;
	__s32 stack; /* id in the stack map */
};

struct function_arg_key {
	__u32 slot;
	__u32 pad;
	__u64 value; /* masked to the type's size; user space sign-extends */
};

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
	__u64 stack_drops; /* calls whose stack found the stack map or the counts full */
	__u64 arg_other;   /* values counted while the value counts were full */
	struct ktop_max max;
	__u32 hist[KTOP_HIST_SLOTS];
	struct ktop_cpus cpus; /* where it was called this epoch */
};

#endif
