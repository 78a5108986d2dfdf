/* SPDX-License-Identifier: GPL-2.0 */
/*
 * core/fault.h: fault injection for tests. KTOP_FAULT is a comma-separated list of
 * TARGET:KIND, e.g. KTOP_FAULT=tasklets:attach,loop:tick:
 *   <collector>:load    the collector's open() fails as if a program did not load
 *   <collector>:attach  it loads, then fails as if a tracepoint were missing at attach
 *   loop:tick           the loop fails with an internal error after the second frame
 * Unset (always, outside tests) it costs one getenv at start-up.
 */
#ifndef KTOP_CORE_FAULT_H
#define KTOP_CORE_FAULT_H

#include <stdbool.h>

/* Does KTOP_FAULT ask for this fault? */
bool fault_wanted(const char *target, const char *kind);

#endif
