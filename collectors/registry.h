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
extern const struct collector_ops deferred_collector;
extern const struct collector_ops critical_collector;
extern const struct collector_ops functions_collector;
extern const struct collector_ops containers_collector;

/* Make every collector's table schemas (frame_register_schema) and settings
 * (options_register) known: the config file and recordings name panes, columns and
 * settings, so this comes before either is read */
void collectors_register_schemas(void);
/* c->ops->open(c, cfg), or the failure KTOP_FAULT asks for (core/fault.h, tests only) */
int collector_open(struct collector *c, const struct ktop_config *cfg);
/* libbpf set-up shared by all collectors (logging); call once before any open() */
int collectors_init(const char *log_path);
void collectors_exit(void);
/* All collectors are open: let go of what only opening needed */
void collectors_opened(void);
/* Turn the kernel's BPF run-time statistics on or off. They cost two clock reads per
 * program run, so ktop measures now and then, not all the time; they also switch off
 * when ktop exits (the stats fd closes). Returns 0 or -errno. */
int collectors_stats_enable(bool on);
/* Cumulative run time and runs of ktop's own BPF programs; false when none could be read */
bool collectors_bpf_cost(uint64_t *run_ns, uint64_t *runs);
/* Kernel features every collector needs, as a reason string, or NULL when all is there */
const char *collectors_missing_requirement(void);

#endif
