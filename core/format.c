// SPDX-License-Identifier: GPL-2.0
/* core/format.c: human-readable numbers (see format.h). */
#include <math.h>
#include <stdio.h>

#include "format.h"

char *format_duration(double ns, char *buf, size_t len)
{
	if (ns <= 0 || isnan(ns))
		snprintf(buf, len, "0");
	else if (ns < 1e3)
		snprintf(buf, len, "%.0fns", ns);
	else if (ns < 1e6)
		snprintf(buf, len, ns < 1e4 ? "%.2fus" : ns < 1e5 ? "%.1fus" : "%.0fus", ns / 1e3);
	else if (ns < 1e9)
		snprintf(buf, len, ns < 1e7 ? "%.2fms" : ns < 1e8 ? "%.1fms" : "%.0fms", ns / 1e6);
	else
		snprintf(buf, len, "%.2fs", ns / 1e9);
	return buf;
}

char *format_count(double v, char *buf, size_t len)
{
	static const char units[] = " kMGTP";
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
		snprintf(buf, len, v < 10 ? "%.2f%c" : v < 100 ? "%.1f%c" : "%.0f%c", v, units[u]);
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

		snprintf(buf, len, "%s", s ? s : "");
		break;
	}
	case COL_ID:
		snprintf(buf, len, "%llu", (unsigned long long)r->v[c->src]);
		break;
	case COL_COUNT:
		format_count(v, buf, len);
		break;
	case COL_TIME:
	case COL_DURATION:
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
