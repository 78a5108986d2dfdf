// SPDX-License-Identifier: GPL-2.0
/* core/collector.c: the small shared part of the collector contract. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "collector.h"

int collector_fail(struct collector *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->reason, sizeof(c->reason), fmt, ap);
	va_end(ap);
	c->running = false;
	return -1;
}

const char *collector_state(const struct collector *c, char *buf, unsigned long len)
{
	if (c->running && c->sample_err < 0)
		snprintf(buf, len, "sampling failed: %s", strerror(-c->sample_err));
	else if (c->running && !c->reason[0])
		snprintf(buf, len, "ok");
	else if (c->running)
		snprintf(buf, len, "ok (%s)", c->reason);
	else if (strncmp(c->reason, "off:", 4) == 0) /* switched off by the user */
		snprintf(buf, len, "%s", c->reason);
	else
		snprintf(buf, len, "unavailable: %s", c->reason);
	return buf;
}
