/* SPDX-License-Identifier: GPL-2.0 */
/* core/proc.h: what ktop reads from /proc, cached so a tick costs few system calls. */
#ifndef KTOP_CORE_PROC_H
#define KTOP_CORE_PROC_H

#include <stddef.h>
#include <stdint.h>

/* The interned comm of pid, cached; "?" once the process is gone and was never seen */
const char *proc_comm(uint32_t pid);
/* The name the kernel kept for pid at its exit (comm: up to len bytes, NUL-terminated or
 * not), interned; proc_comm gives it from now on, as /proc no longer can. NULL (and
 * nothing kept) for an empty one */
const char *proc_comm_exited(uint32_t pid, const char *comm, size_t len);
/* ktop's resident memory in KiB, or 0 */
uint64_t proc_self_rss_kb(void);
/* Read an entire small file into buf (NUL-terminated); returns bytes or -errno */
long proc_read_file(const char *path, char *buf, unsigned long size);

#endif
