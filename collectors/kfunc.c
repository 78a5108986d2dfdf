// SPDX-License-Identifier: GPL-2.0
/* collectors/kfunc.c: kernel function names for the deferred-work panes (kfunc.h). */
#include <inttypes.h>
#include <stdio.h>

#include "core/intern.h"
#include "kfunc.h"

const char *kfunc_name(const struct ksyms *ksyms, uint64_t addr)
{
	uint64_t offset = 0;
	const struct ksym *sym = ksyms ? ksyms_find(ksyms, addr, &offset) : NULL;
	char buf[160];

	if (sym && offset == 0)
		return intern(sym->name);
	if (sym)
		snprintf(buf, sizeof(buf), "%s+0x%" PRIx64, sym->name, offset);
	else
		snprintf(buf, sizeof(buf), "0x%" PRIx64, addr);
	return intern(buf);
}
