/* SPDX-License-Identifier: GPL-2.0 */
/* bpf/syscalls.h: what the syscalls BPF program and its collector share. */
#ifndef KTOP_BPF_SYSCALLS_H
#define KTOP_BPF_SYSCALLS_H

#include "common.h"

/* Stats slots: [abi][nr]; numbers >= SYSCALL_SLOTS - 1 share the last slot */
#define SYSCALL_SLOTS 576 /* x32-only calls go up to 547 */
#define SYSCALL_ABIS 3 /* x64, ia32, x32: the order of enum syscall_abi */
#define SYSCALL_KEYS (SYSCALL_SLOTS * SYSCALL_ABIS)
#define SYSCALL_X32_BIT 0x40000000
#define SYSCALL_TS_COMPAT 0x0002 /* thread_info.status: a 32-bit syscall is running */
#define SYSCALL_PROCESS_ENTRIES 10240
#define SYSCALL_FOCUS_ENTRIES 4096
#define SYSCALL_COMM_LEN 16 /* TASK_COMM_LEN */

/* -ERESTARTSYS (512) .. -ERESTART_RESTARTBLOCK (516): the call is restarted (or turned
 * into -EINTR) on the way out; the caller never sees these values */
#define SYSCALL_RESTART_FIRST 512
#define SYSCALL_RESTART_LAST 516

/* Cumulative since load (collectors/counters.c): u64 counters, the maximum, then the
 * histogram, in this order. One shared by the CPUs (atomic adds) per slot: a per-CPU copy
 * of every slot is 38 MB at 128 possible CPUs, 76 MB at 256 (bpf/syscalls.bpf.c) */
struct syscall_stat {
	__u64 count;	/* calls completed, restarts included */
	__u64 errors;	/* returned -1..-4095 to the caller */
	__u64 restarts; /* ended to be restarted (-512..-516): neither errors nor successes */
	__u64 total_ns;
	struct ktop_max max;
	__u32 hist[KTOP_HIST_SLOTS];
};

/* Per process (tgid), cumulative since the entry was created. Shared by the CPUs (atomic
 * adds): threads add to it only every flush_ns or when they block, so CPUs seldom meet on
 * one entry, and a per-CPU copy would cost 41 MB at 128 possible CPUs */
struct process_stat {
	__u64 count;
	__u64 errors;
	__u64 total_ns;
	/* the cgroup id (container identity hierarchy) of the thread that last added to it, 0
	 * when unknown: a process that has exited can no longer be looked up in /proc */
	__u64 cgroup;
	/* set when the process's last thread exits: nothing adds to it after that, and user
	 * space deletes it once it has read it (else thousands of short processes a second
	 * fill the map with entries that only cost each read) */
	__u32 exited;
	__u32 pad;
	/* the process's name (its group leader's comm), set with exited: by then /proc has
	 * nothing left to name it by, and a process shorter than a tick was never seen alive */
	char comm[SYSCALL_COMM_LEN];
};

#endif
