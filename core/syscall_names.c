// SPDX-License-Identifier: GPL-2.0
/* core/syscall_names.c: names for syscall numbers and numbers for names, per ABI. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "syscall_names.h"

struct syscall_table {
	const char *abi;	/* "x64" */
	const char *prefix;	/* what display names start with: "", "ia32:", "x32:" */
	const char *const *names;
	unsigned int size;
};

static const struct syscall_table tables[] = {
	[SYSCALL_ABI_X64] = { "x64", "", syscall_names_x64, SYSCALL_NAMES_X64_MAX },
	[SYSCALL_ABI_IA32] = { "ia32", "ia32:", syscall_names_ia32, SYSCALL_NAMES_IA32_MAX },
	[SYSCALL_ABI_X32] = { "x32", "x32:", syscall_names_x32, SYSCALL_NAMES_X64_MAX },
};

static const struct syscall_table *table_of(enum syscall_abi abi)
{
	if ((unsigned int)abi >= sizeof(tables) / sizeof(tables[0]))
		return NULL;
	return &tables[abi];
}

const char *syscall_name(enum syscall_abi abi, unsigned int nr)
{
	const struct syscall_table *t = table_of(abi);

	if (!t || nr >= t->size)
		return NULL;
	return t->names[nr];
}

char *syscall_name_format(enum syscall_abi abi, unsigned int nr, char *buf, size_t len)
{
	const struct syscall_table *t = table_of(abi);
	const char *prefix = t ? t->prefix : "?:";
	const char *name = syscall_name(abi, nr);

	if (!len)
		return buf;
	if (name)
		snprintf(buf, len, "%s%s", prefix, name);
	else
		snprintf(buf, len, "%ssys_%u", prefix, nr);
	return buf;
}

/* "sys_<nr>" as formatted for unknown numbers: nr, or -1 */
static int parse_unknown(const char *name, unsigned int size)
{
	unsigned long nr;
	char *end;

	if (strncmp(name, "sys_", 4) || name[4] < '0' || name[4] > '9')
		return -1;
	nr = strtoul(name + 4, &end, 10);
	if (*end || nr >= size)
		return -1;
	return (int)nr;
}

int syscall_number(enum syscall_abi abi, const char *name)
{
	const struct syscall_table *t = table_of(abi);
	const char *colon;

	if (!t || !name)
		return -1;
	colon = strchr(name, ':');
	if (colon) {
		/* "ia32:getppid" names the ia32 call only; "x64:" is accepted as well */
		if ((size_t)(colon - name) != strlen(t->abi) || strncmp(name, t->abi, colon - name))
			return -1;
		name = colon + 1;
	}
	if (!*name)
		return -1;
	for (unsigned int nr = 0; nr < t->size; nr++) {
		if (t->names[nr] && !strcmp(t->names[nr], name))
			return (int)nr;
	}
	return parse_unknown(name, t->size);
}

const char *syscall_abi_name(enum syscall_abi abi)
{
	const struct syscall_table *t = table_of(abi);

	return t ? t->abi : "?";
}
