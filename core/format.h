/* SPDX-License-Identifier: GPL-2.0 */
/* core/format.h: numbers as people read them, shared by the screen and batch text. */
#ifndef KTOP_CORE_FORMAT_H
#define KTOP_CORE_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "table.h"

/* Significant digits of durations and large counts: 3 (default) or 2 (the screen) */
void format_set_digits(int n);
/* "0", "850ns", "12.3us", "4.56ms", "1.20s" */
char *format_duration(double ns, char *buf, size_t len);
/* "0", "950", "12.3k", "4.56M", "7.89G" */
char *format_count(double v, char *buf, size_t len);
/* "0-3,8,10-11" from a CPU bitmask */
char *format_cpus(uint64_t mask, char *buf, size_t len);
/* The text of one cell */
char *format_cell(const struct table *t, const struct table_row *r, unsigned int col,
		  double interval_s, char *buf, size_t len);

#endif
