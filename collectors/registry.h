/* SPDX-License-Identifier: GPL-2.0 */
/*
 * collectors/registry.h: every collector ktop knows, in pane order. Adding a collector is
 * bpf/NAME.bpf.c + bpf/NAME.h + collectors/NAME.c + one line in registry.c.
 */
#ifndef KTOP_COLLECTORS_REGISTRY_H
#define KTOP_COLLECTORS_REGISTRY_H

#include "core/collector.h"

extern const struct collector_ops *const collector_registry[];
extern const unsigned int collector_registry_size;

extern const struct collector_ops syscalls_collector;
extern const struct collector_ops interrupts_collector;
extern const struct collector_ops tasklets_collector;
extern const struct collector_ops critical_collector;

/* libbpf set-up shared by all collectors (logging); call once before any open() */
int collectors_init(const char *log_path);
void collectors_exit(void);
/* Kernel features every collector needs, as a reason string, or NULL when all is there */
const char *collectors_missing_requirement(void);

#endif
