/* SPDX-License-Identifier: GPL-2.0 */
/* core/privilege.h: which capabilities ktop holds and which it needs. */
#ifndef KTOP_CORE_PRIVILEGE_H
#define KTOP_CORE_PRIVILEGE_H

#include <stdbool.h>
#include <stdint.h>

#define KTOP_CAP_SYS_ADMIN 21
#define KTOP_CAP_PERFMON 38
#define KTOP_CAP_BPF 39

/* The effective capability set as a bitmask, or 0 if it cannot be read */
uint64_t privilege_effective(void);
bool privilege_has(uint64_t caps, int cap);
/* NULL when ktop may load its programs, else what is missing, for a message */
const char *privilege_missing(void);

#endif
