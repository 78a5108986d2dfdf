// SPDX-License-Identifier: GPL-2.0
/* core/fault.c: the KTOP_FAULT test hook (see fault.h). */
#include <stdlib.h>
#include <string.h>

#include "fault.h"

bool fault_wanted(const char *target, const char *kind)
{
	const char *spec = getenv("KTOP_FAULT"), *p;
	size_t tlen = strlen(target), klen = strlen(kind);

	for (p = spec; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL) {
		if (strncmp(p, target, tlen) == 0 && p[tlen] == ':' &&
		    strncmp(p + tlen + 1, kind, klen) == 0 &&
		    (p[tlen + 1 + klen] == ',' || p[tlen + 1 + klen] == '\0'))
			return true;
	}
	return false;
}
