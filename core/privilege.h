/* SPDX-License-Identifier: GPL-2.0 */
/*
 * core/privilege.h: which capabilities ktop holds, which it needs to start, which it still
 * uses once every collector is attached, and dropping all the others (see docs/SECURITY.md).
 */
#ifndef KTOP_CORE_PRIVILEGE_H
#define KTOP_CORE_PRIVILEGE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "config.h"

#define KTOP_CAP_DAC_OVERRIDE 1
#define KTOP_CAP_SYS_PTRACE 19
#define KTOP_CAP_SYS_ADMIN 21
#define KTOP_CAP_SYSLOG 34
#define KTOP_CAP_PERFMON 38
#define KTOP_CAP_BPF 39

#define KTOP_CAP_BIT(cap) (1ULL << (cap))

/* The effective (or permitted) capability set as a bitmask, or 0 if it cannot be read */
uint64_t privilege_effective(void);
uint64_t privilege_permitted(void);
bool privilege_has(uint64_t caps, int cap);
/* NULL when ktop may load its programs, else what is missing, for a message */
const char *privilege_missing(void);
/* "CAP_BPF"; "cap_NN" for one this table does not know */
const char *privilege_cap_name(int cap);

/* The capabilities still used after start-up with this configuration: the privileged
 * helper keeps them (core/privsep.h), the main process none */
uint64_t privilege_runtime_needs(const struct ktop_config *cfg);

/* --check: each capability ktop uses, whether it is held, and what for */
void privilege_report(FILE *out, const struct ktop_config *cfg);

/*
 * Keep only `keep` (intersected with what is permitted now) in the effective, permitted
 * and bounding sets, clear the inheritable and ambient sets, and set no-new-privs. Returns
 * 0 or -errno; what could not be done is in why (may be NULL).
 */
int privilege_drop(uint64_t keep, char *why, size_t why_len);

/* "CAP_SYS_ADMIN,CAP_SYS_PTRACE" (or "none") into buf, returned */
const char *privilege_format(uint64_t caps, char *buf, size_t len);

#endif
