/* SPDX-License-Identifier: GPL-2.0 */
/*
 * collectors/syscalls.h: the syscalls collector's tables and what each row value means.
 * Rows are filled and read by these names (the containers collector reads
 * container_syscalls, tests read the others).
 */
#ifndef KTOP_COLLECTORS_SYSCALLS_H
#define KTOP_COLLECTORS_SYSCALLS_H

#include "core/table.h"

/* Values of a row of "syscalls": one system call of one ABI */
enum syscall_value {
	SYSCALL_V_NR,	    /* number in its ABI */
	SYSCALL_V_COUNT,    /* calls completed, restarts included */
	SYSCALL_V_ERRORS,   /* returned an error to the caller */
	SYSCALL_V_TOTAL,    /* ns in the call */
	SYSCALL_V_MAX,	    /* ns of the longest call */
	SYSCALL_V_ABI,	    /* enum syscall_abi: value_names "x64", "ia32", "x32" */
	SYSCALL_V_RESTARTS, /* ended to be restarted (the caller never sees it) */
};

/* Values of a row of "processes" and of "syscall_callers": one process (tgid) */
enum process_value {
	PROCESS_V_PID,
	PROCESS_V_COUNT,
	PROCESS_V_ERRORS,
	PROCESS_V_TOTAL, /* ns in system calls */
	/* "processes" only: a row of processes that exited in the interval, one per command
	 * and container (key: SYSCALLS_EXITED_KEY | a hash of both; pid 0), counts how many;
	 * a running process's own row: 0 */
	PROCESS_V_EXITED,
};

/* The keys of the rows of exited processes have it; a pid never does */
#define SYSCALLS_EXITED_KEY (1ULL << 63)

/* Values of a row of "process_syscalls": one system call of the focused process */
enum process_syscall_value {
	PROCESS_SYSCALL_V_NR,
	PROCESS_SYSCALL_V_COUNT,
	PROCESS_SYSCALL_V_ERRORS,
	PROCESS_SYSCALL_V_TOTAL,
};

/* Values of a row of "container_syscalls" (internal): every process's calls summed per
 * container, keyed and valued by the container's key */
enum container_syscall_value {
	CONTAINER_SYSCALL_V_KEY,
	CONTAINER_SYSCALL_V_COUNT,
	CONTAINER_SYSCALL_V_ERRORS,
	CONTAINER_SYSCALL_V_TOTAL,
};

extern const struct table_schema syscalls_table, processes_table, syscall_callers_table,
	process_syscalls_table, container_syscalls_table;

#endif
