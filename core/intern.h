/* SPDX-License-Identifier: GPL-2.0 */
/*
 * core/intern.h: one shared copy of each name (syscalls, comms, IRQ actions, symbols).
 * Rows in every frame point at these, so keeping 300 frames of history copies no strings.
 */
#ifndef KTOP_CORE_INTERN_H
#define KTOP_CORE_INTERN_H

#include <stddef.h>

/* The interned copy of s (NULL for NULL). When the pool is full, returns "?" */
const char *intern(const char *s);
const char *intern_n(const char *s, size_t len);
size_t intern_count(void);
void intern_free_all(void);

#endif
