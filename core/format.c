// SPDX-License-Identifier: GPL-2.0
/* core/format.c: human-readable numbers (see format.h). */
#include <math.h>
#include <stdio.h>

#include "format.h"

/* Significant digits: 3 for text and files, 2 on the screen, where the last digit of a
 * busy number changes every frame and every change is bytes sent over the link */
static int digits = 3;

void format_set_digits(int n)
{
	digits = n < 2 ? 2 : n > 3 ? 3 : n;
}

/* v (>= 1) with `digits` significant digits, but never fewer than its integer digits */
static void significant(double v, const char *unit, char *buf, size_t len)
{
	int decimals = v < 10 ? digits - 1 : v < 100 ? digits - 2 : 0;

	snprintf(buf, len, "%.*f%s", decimals > 0 ? decimals : 0, v, unit);
}

char *format_duration(double ns, char *buf, size_t len)
{
	if (ns <= 0 || isnan(ns))
		snprintf(buf, len, "0");
	else if (ns < 1e3)
		snprintf(buf, len, "%.0fns", ns);
	else if (ns < 999.5e3)
		significant(ns / 1e3, "us", buf, len);
	else if (ns < 999.5e6)
		significant(ns / 1e6, "ms", buf, len);
	else
		significant(ns / 1e9, "s", buf, len);
	return buf;
}

char *format_count(double v, char *buf, size_t len)
{
	static const char *const units[] = { "", "k", "M", "G", "T", "P" };
	int u = 0;

	if (v <= 0 || isnan(v)) {
		snprintf(buf, len, "0");
		return buf;
	}
	if (v < 10 && v != floor(v)) {
		snprintf(buf, len, "%.1f", v);
		return buf;
	}
	while (v >= 999.5 && u < 5) {
		v /= 1000;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%.0f", v);
	else
		significant(v, units[u], buf, len);
	return buf;
}

char *format_cpus(uint64_t mask, char *buf, size_t len)
{
	size_t used = 0;
	int cpu = 0;

	buf[0] = '\0';
	while (cpu < 64 && used < len) {
		int end;

		if (!(mask >> cpu & 1)) {
			cpu++;
			continue;
		}
		end = cpu;
		while (end + 1 < 64 && (mask >> (end + 1) & 1))
			end++;
		used += snprintf(buf + used, len - used, end > cpu ? "%s%d-%d" : "%s%d",
				 used ? "," : "", cpu, end);
		cpu = end + 1;
	}
	if (used == 0)
		snprintf(buf, len, "-");
	return buf;
}

char *format_cell(const struct table *t, const struct table_row *r, unsigned int col,
		  double interval_s, char *buf, size_t len)
{
	const struct table_column *c = &t->schema->columns[col];
	double v = table_column_value(t, r, col, interval_s);

	switch (c->kind) {
	case COL_NAME: {
		const char *s = c->src ? r->label : r->name;

		if (!c->src && table_row_exited(t, r))
			snprintf(buf, len, "%s (%llu)", s ? s : "",
				 (unsigned long long)table_row_exited(t, r));
		else
			snprintf(buf, len, "%s", s ? s : "");
		break;
	}
	case COL_ID:
		if (table_row_exited(t, r))
			snprintf(buf, len, "exited");
		else
			snprintf(buf, len, "%llu", (unsigned long long)r->v[c->src]);
		break;
	case COL_COUNT:
		format_count(v, buf, len);
		break;
	case COL_TIME:
	case COL_DURATION:
	case COL_AGE:
	case COL_AVERAGE:
		format_duration(v, buf, len);
		break;
	case COL_CPU_PCT:
	case COL_SHARE:
		snprintf(buf, len, "%.1f", v);
		break;
	case COL_CPUS:
		format_cpus(r->v[c->src], buf, len);
		break;
	case COL_TEXT_VALUE: {
		const char *const *names = t->schema->value_names;
		uint64_t i = r->v[c->src], n = 0;

		while (names && names[n])
			n++;
		snprintf(buf, len, "%s", i < n ? names[i] : "?");
		break;
	}
	}
	return buf;
}
