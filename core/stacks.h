/* SPDX-License-Identifier: GPL-2.0 */
/*
 * core/stacks.h: making sense of a kernel stack taken where a delayed timer (or a long
 * cross-CPU function call) finally ran: which frames are the offender, what kind of delay
 * it was, how to group stacks that are the same offender, and what to call it.
 * Pure functions over addresses and a symbol table, so they are unit-tested without BPF.
 */
#ifndef KTOP_CORE_STACKS_H
#define KTOP_CORE_STACKS_H

#include <stddef.h>
#include <stdint.h>

#include "ksyms.h"

/* What held the CPU: the order of the names in the critical pane */
enum stack_kind {
	STACK_IRQS_OFF,
	STACK_BH_OFF,
	STACK_PREEMPT_OFF,
	STACK_IDLE, /* the CPU was idle: exit from idle, or a hypervisor holding the vCPU */
	STACK_USER, /* user mode was interrupted: no kernel code to blame */
	/* interrupts were on where the timer finally ran: the delay came from outside the
	 * interrupted code (the hypervisor did not run the vCPU, an SMI, a long handler) */
	STACK_EXTERNAL,
	STACK_KINDS,
};

/* Where the stack was taken */
enum stack_source {
	STACK_FROM_HARD_TIMER, /* hrtimer_expire_entry of a hard timer */
	STACK_FROM_SOFT_TIMER, /* hrtimer_expire_entry of a soft timer (in a softirq) */
	STACK_FROM_IPI_CALL,   /* the end of a cross-CPU function call (csd_function_exit) */
	STACK_FROM_RESCHED,    /* where a CPU asked to reschedule entered __schedule */
};

/* The offender's frames are ips[first .. first + count) */
struct stack_split {
	unsigned int first, count;
	enum stack_kind kind;
	/* STACK_FROM_RESCHED: the wait ended on the way back to user space from a system call
	 * of this ABI (enum syscall_abi), whose function belongs in front of the frames; -1 */
	int syscall_abi;
};

const char *stack_kind_name(enum stack_kind kind);
/* The interrupt entry frames: asm_sysvec_*, asm_common_interrupt, ... */
int stack_is_irq_entry(const char *symbol);
/* Functions a CPU sits in while idle (halted, polling, in a cpuidle driver) */
int stack_is_idle(const char *symbol);
/* Frames of the tracing machinery itself: BPF programs, bpf_trace_run*, trace iterators */
int stack_is_tracing(const char *symbol);

#define STACK_CODE_BYTES 16
/* How many frames at the inner end of a stack taken in a BPF program are the tracing
 * machinery (the program, a trampoline, bpf_trace_run*, unnamed JIT code): the first real
 * frame's index */
unsigned int stack_skip_tracing(const struct ksyms *k, const uint64_t *ips, unsigned int n);
/* Does the machine code just before an interrupted address end with an instruction that
 * turned interrupts on (sti, then the one instruction its shadow covers)? */
int stack_code_enables_irqs(const uint8_t code[STACK_CODE_BYTES]);
/* Find the offender in a stack of n addresses, innermost first. code: the bytes before
 * the interrupted address, or NULL when unknown. Returns 0 or -EINVAL */
int stack_split(const struct ksyms *k, const uint64_t *ips, unsigned int n,
		enum stack_source source, const uint8_t *code, struct stack_split *out);
/* The kernel function of system call `name` in abi ("__x64_sys_read"), into buf */
char *stack_syscall_symbol(int abi, const char *name, char *buf, size_t len);
/* Same offender, same signature: the kind and the functions (not offsets) of the frames */
uint64_t stack_signature(const struct ksyms *k, const uint64_t *ips, unsigned int n,
			 enum stack_kind kind);
/* "innermost <- caller", "(user mode)", "idle: pv_native_safe_halt <- default_idle" */
char *stack_name(const struct ksyms *k, const uint64_t *ips, unsigned int n, enum stack_kind kind,
		 char *buf, size_t len);

#endif
