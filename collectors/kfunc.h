/* SPDX-License-Identifier: GPL-2.0 */
/*
 * collectors/kfunc.h: the one way deferred-work panes name a kernel function (a tasklet,
 * work item or timer callback) from its address, so the same function reads the same in
 * the Tasklets, Workqueue items and Timers panes.
 */
#ifndef KTOP_COLLECTORS_KFUNC_H
#define KTOP_COLLECTORS_KFUNC_H

#include <stdint.h>

#include "core/ksyms.h"

/* Interned: the symbol ("wb_workfn") when addr starts one, "symbol+0x1f" inside one, the
 * address in hex when no symbol is known (ksyms NULL: /proc/kallsyms unreadable) */
const char *kfunc_name(const struct ksyms *ksyms, uint64_t addr);

#endif
