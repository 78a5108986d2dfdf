/* SPDX-License-Identifier: GPL-2.0 */
/*
 * collectors/functions.h: the Functions pane's collector beyond its contract: kernel
 * functions added and removed while ktop runs (the screen's trace prompt, docs/FUNCTIONS.md).
 */
#ifndef KTOP_COLLECTORS_FUNCTIONS_H
#define KTOP_COLLECTORS_FUNCTIONS_H

#include <stddef.h>
#include <stdint.h>

#include "core/collector.h"


/* Give the privileged helper its work for functions added later, before it is forked;
 * none when c cannot trace functions here */
void functions_live_setup(const struct collector *c);
/* Trace a function, or a glob's functions (counted only), from now on: how many rows were
 * added (refused ones too, saying why), or -errno; a line for the user in msg either way */
int functions_live_add(struct collector *c, const char *text, char *msg, size_t len);
/* Stop tracing the function of row key (its slot): the links closed, the slot free */
int functions_live_remove(struct collector *c, uint64_t key, char *msg, size_t len);
/* The traceable kernel functions (available_filter_functions, else the BTF's) starting with
 * prefix: how many, their longest common start into out; -errno when there is no list */
long functions_complete(const char *prefix, char *out, size_t len);

#endif
