// SPDX-License-Identifier: GPL-2.0
/* core/ksyms.c: /proc/kallsyms symbolization (see ksyms.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "ksyms.h"

#define KSYMS_CHUNK_SIZE (256 * 1024)

struct ksyms_chunk {
	struct ksyms_chunk *next;
	size_t used;
	char text[KSYMS_CHUNK_SIZE];
};

/* A copy of s in the arena (names are short: a fresh chunk always has room) */
static const char *ksyms_strdup(struct ksyms *k, const char *s)
{
	size_t len = strlen(s) + 1;
	struct ksyms_chunk *c = k->chunks;
	char *copy;

	if (len > 512)
		len = 512;
	if (!c || c->used + len > KSYMS_CHUNK_SIZE) {
		c = malloc(sizeof(*c));
		if (!c)
			return NULL;
		c->next = k->chunks;
		c->used = 0;
		k->chunks = c;
	}
	copy = c->text + c->used;
	memcpy(copy, s, len - 1);
	copy[len - 1] = '\0';
	c->used += len;
	return copy;
}

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
	/* modules' symbols come together: one copy of the module name per run of them */
	if (module && !(k->last_module && strcmp(k->last_module, module) == 0))
		k->last_module = ksyms_strdup(k, module);
	k->syms[k->count].addr = addr;
	k->syms[k->count].name = ksyms_strdup(k, name);
	k->syms[k->count].module = module ? k->last_module : NULL;
	if (!k->syms[k->count].name)
		return -ENOMEM;
	k->count++;
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
	/* past the last symbol of an area (the end of the kernel's text, a BPF program loaded
	 * after the table was read): no function is that long, so no name is better than a
	 * wrong one */
	if (addr - k->syms[lo].addr > KSYMS_MAX_OFFSET)
		return NULL;
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
	while (k->chunks) {
		struct ksyms_chunk *next = k->chunks->next;

		free(k->chunks);
		k->chunks = next;
	}
	free(k->syms);
	memset(k, 0, sizeof(*k));
}

static struct ksyms kernel_syms;
static unsigned int kernel_syms_users;

const struct ksyms *ksyms_kernel_get(int *err)
{
	if (kernel_syms_users == 0) {
		*err = ksyms_load(&kernel_syms, "/proc/kallsyms");
		if (*err)
			return NULL;
	}
	*err = 0;
	kernel_syms_users++;
	return &kernel_syms;
}

void ksyms_kernel_put(void)
{
	if (kernel_syms_users && --kernel_syms_users == 0)
		ksyms_free(&kernel_syms);
}
