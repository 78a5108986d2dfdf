/* SPDX-License-Identifier: GPL-2.0 */
/* collectors/critical.h: what the critical-sections collector tells besides its tables. */
#ifndef KTOP_COLLECTORS_CRITICAL_H
#define KTOP_COLLECTORS_CRITICAL_H

#include "bpf/critical.h"

struct collector;

/*
 * The BPF side's counters now, summed over CPUs: how many timer runs were looked at, how
 * many were late, and how many waits were taken out as no section (armed already expired,
 * retry passes, softirq work). Tests use it to see that a workload made the waits it is
 * meant to make. Returns 0 or a negative errno
 */
int critical_counters_sum(struct collector *c, struct critical_counters *sum);

#endif
