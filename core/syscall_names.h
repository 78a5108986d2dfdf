/* SPDX-License-Identifier: GPL-2.0 */
/*
 * core/syscall_names.h: syscall numbers to names, per ABI.
 * The tables come from the kernel's syscall_64.tbl and syscall_32.tbl through
 * tools/gen-syscall-names.sh (core/syscall_names_table.c).
 */
#ifndef KTOP_CORE_SYSCALL_NAMES_H
#define KTOP_CORE_SYSCALL_NAMES_H

#include <stddef.h>

#define SYSCALL_NAMES_X64_MAX 1024
#define SYSCALL_NAMES_IA32_MAX 1024

/* The order of the per-ABI slots on the BPF side (bpf/syscalls.h) */
enum syscall_abi { SYSCALL_ABI_X64 = 0, SYSCALL_ABI_IA32 = 1, SYSCALL_ABI_X32 = 2 };

/* Generated; NULL where a number has no syscall */
extern const char *const syscall_names_x64[SYSCALL_NAMES_X64_MAX];	/* abi common or 64 */
/* abi common or x32: numbers as seen with the x32 bit 0x40000000 cleared */
extern const char *const syscall_names_x32[SYSCALL_NAMES_X64_MAX];
extern const char *const syscall_names_ia32[SYSCALL_NAMES_IA32_MAX];	/* i386 */

/* The kernel's name for nr in abi ("getppid"), or NULL when unknown. */
const char *syscall_name(enum syscall_abi abi, unsigned int nr);
/*
 * A display name into buf: "getppid" (x64), "ia32:getppid", "x32:read"; unknown numbers as
 * "sys_<nr>", "ia32:sys_<nr>", "x32:sys_<nr>". Returns buf.
 */
char *syscall_name_format(enum syscall_abi abi, unsigned int nr, char *buf, size_t len);
/*
 * Reverse lookup for tests and filters: the number of name in abi, or -1. Accepts the display
 * forms above too ("ia32:getppid", "x32:sys_12").
 */
int syscall_number(enum syscall_abi abi, const char *name);
const char *syscall_abi_name(enum syscall_abi abi); /* "x64", "ia32", "x32" */

#endif
