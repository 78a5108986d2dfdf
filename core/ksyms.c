// SPDX-License-Identifier: GPL-2.0
/* core/ksyms.c: /proc/kallsyms symbolization (see ksyms.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "intern.h"
#include "ksyms.h"

static int ksym_compare(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static int ksyms_append(struct ksyms *k, uint64_t addr, const char *name, const char *module)
{
	if (k->count == k->capacity) {
		size_t cap = k->capacity ? k->capacity * 2 : 4096;
		struct ksym *s = realloc(k->syms, cap * sizeof(*s));

		if (!s)
			return -ENOMEM;
		k->syms = s;
		k->capacity = cap;
	}
	k->syms[k->count++] = (struct ksym){ addr, intern(name), module ? intern(module) : NULL };
	return 0;
}

int ksyms_load_stream(struct ksyms *k, FILE *in)
{
	char line[512];
	size_t zero = 0;

	memset(k, 0, sizeof(*k));
	while (fgets(line, sizeof(line), in)) {
		char *save, *addr_s, *type, *name, *module, *end;
		uint64_t addr;

		addr_s = strtok_r(line, " \t\n", &save);
		type = strtok_r(NULL, " \t\n", &save);
		name = strtok_r(NULL, " \t\n", &save);
		module = strtok_r(NULL, " \t\n", &save);
		if (!addr_s || !type || !name || type[1] != '\0')
			continue; /* not a kallsyms line: skip, never crash */
		if (type[0] != 't' && type[0] != 'T' && type[0] != 'w' && type[0] != 'W')
			continue;
		errno = 0;
		addr = strtoull(addr_s, &end, 16);
		if (errno || *end)
			continue;
		if (addr == 0) {
			zero++;
			continue;
		}
		if (module) {
			size_t n = strlen(module);

			if (module[0] == '[' && n > 2 && module[n - 1] == ']') {
				module[n - 1] = '\0';
				module++;
			}
		}
		if (ksyms_append(k, addr, name, module) < 0) {
			ksyms_free(k);
			return -ENOMEM;
		}
	}
	if (k->count == 0) {
		ksyms_free(k);
		return zero ? -EPERM : -ENOENT;
	}
	qsort(k->syms, k->count, sizeof(*k->syms), ksym_compare);
	return 0;
}

int ksyms_load(struct ksyms *k, const char *path)
{
	FILE *in = fopen(path, "re");
	int err;

	if (!in)
		return -errno;
	err = ksyms_load_stream(k, in);
	fclose(in);
	return err;
}

const struct ksym *ksyms_find(const struct ksyms *k, uint64_t addr, uint64_t *offset)
{
	size_t lo = 0, hi = k->count;

	if (k->count == 0 || addr < k->syms[0].addr)
		return NULL;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (k->syms[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	if (offset)
		*offset = addr - k->syms[lo].addr;
	return &k->syms[lo];
}

uint64_t ksyms_address(const struct ksyms *k, const char *name)
{
	for (size_t i = 0; i < k->count; i++)
		if (strcmp(k->syms[i].name, name) == 0)
			return k->syms[i].addr;
	return 0;
}

char *ksyms_format(const struct ksyms *k, uint64_t addr, char *buf, size_t len)
{
	uint64_t off = 0;
	const struct ksym *s = ksyms_find(k, addr, &off);

	if (!s)
		snprintf(buf, len, "0x%" PRIx64, addr);
	else if (s->module)
		snprintf(buf, len, "%s+0x%" PRIx64 " [%s]", s->name, off, s->module);
	else
		snprintf(buf, len, "%s+0x%" PRIx64, s->name, off);
	return buf;
}

void ksyms_free(struct ksyms *k)
{
	free(k->syms);
	memset(k, 0, sizeof(*k));
}
