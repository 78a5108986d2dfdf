// SPDX-License-Identifier: GPL-2.0
/* core/ksyms.c: /proc/kallsyms symbolization (see ksyms.h). */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ksyms.h"

/* Where the names of one module (or of the kernel: module == NO_MODULE) begin */
struct ksyms_module_run {
	size_t start;  /* offset in the block of names */
	size_t module; /* offset of the module's name, or NO_MODULE */
};

#define NO_MODULE SIZE_MAX
/* The padding before each function (CONFIG_FUNCTION_PADDING_ALIGNMENT, 6.2+) has a symbol
 * of its own, "__pfx_" and the function's name: about half of a recent kernel's symbols */
#define PADDING_PREFIX "__pfx_"

/* While loading, entries hold their name as an offset: the block of names still moves */
struct ksyms_loader {
	size_t syms_capacity, names_capacity, runs_capacity;
	size_t last_name; /* offset of the previous symbol's name, or NO_MODULE */
};

static int grow(void **block, size_t *capacity, size_t need, size_t size, size_t first)
{
	size_t cap = *capacity ? *capacity : first;
	void *p;

	if (need <= *capacity)
		return 0;
	while (cap < need)
		cap *= 2;
	p = realloc(*block, cap * size);
	if (!p)
		return -ENOMEM;
	*block = p;
	*capacity = cap;
	return 0;
}

/* The offset of a copy of s at the end of the block of names (at most 511 bytes of it) */
static int ksyms_add_name(struct ksyms *k, struct ksyms_loader *l, const char *s, size_t *offset)
{
	size_t len = strnlen(s, 511);

	if (grow((void **)&k->names, &l->names_capacity, k->names_size + len + 1, 1, 64 * 1024))
		return -ENOMEM;
	memcpy(k->names + k->names_size, s, len);
	k->names[k->names_size + len] = '\0';
	*offset = k->names_size;
	k->names_size += len + 1;
	return 0;
}

static int ksym_compare(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static int ksyms_append(struct ksyms *k, struct ksyms_loader *l, uint64_t addr, const char *name,
			const char *module)
{
	const struct ksyms_module_run *run = k->nruns ? &k->runs[k->nruns - 1] : NULL;
	size_t run_module = run ? run->module : NO_MODULE, offset;
	size_t prefix = strlen(PADDING_PREFIX);

	/* a new run where the module changes (the first symbols start one too) */
	if (!run || (module ? run_module == NO_MODULE || strcmp(k->names + run_module, module)
			    : run_module != NO_MODULE)) {
		size_t module_name = NO_MODULE;

		if (grow((void **)&k->runs, &l->runs_capacity, k->nruns + 1, sizeof(*k->runs), 16))
			return -ENOMEM;
		if (module && ksyms_add_name(k, l, module, &module_name))
			return -ENOMEM;
		k->runs[k->nruns++] = (struct ksyms_module_run){ k->names_size, module_name };
		l->last_name = NO_MODULE;
	}
	if (grow((void **)&k->syms, &l->syms_capacity, k->count + 1, sizeof(*k->syms), 4096))
		return -ENOMEM;
	/* a function right after its padding symbol shares that symbol's name */
	if (l->last_name != NO_MODULE &&
	    strncmp(k->names + l->last_name, PADDING_PREFIX, prefix) == 0 &&
	    strcmp(k->names + l->last_name + prefix, name) == 0)
		offset = l->last_name + prefix;
	else if (ksyms_add_name(k, l, name, &offset))
		return -ENOMEM;
	l->last_name = offset;
	k->syms[k->count].addr = addr;
	k->syms[k->count].name = (const char *)(uintptr_t)offset;
	k->count++;
	return 0;
}

/* Give back the blocks' spare room, turn name offsets into pointers and sort */
static void ksyms_finish(struct ksyms *k)
{
	void *p;

	if ((p = realloc(k->syms, k->count * sizeof(*k->syms))))
		k->syms = p;
	if ((p = realloc(k->names, k->names_size)))
		k->names = p;
	if ((p = realloc(k->runs, k->nruns * sizeof(*k->runs))))
		k->runs = p;
	for (size_t i = 0; i < k->count; i++)
		k->syms[i].name = k->names + (uintptr_t)k->syms[i].name;
	qsort(k->syms, k->count, sizeof(*k->syms), ksym_compare);
}

int ksyms_load_stream(struct ksyms *k, FILE *in)
{
	struct ksyms_loader loader = { .last_name = NO_MODULE };
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
		if (ksyms_append(k, &loader, addr, name, module) < 0) {
			ksyms_free(k);
			return -ENOMEM;
		}
	}
	if (k->count == 0) {
		ksyms_free(k);
		return zero ? -EPERM : -ENOENT;
	}
	ksyms_finish(k);
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

const char *ksyms_module(const struct ksyms *k, const struct ksym *sym)
{
	size_t offset = (size_t)(sym->name - k->names), lo = 0, hi = k->nruns;

	/* the last run that starts at or before the name (the first starts at 0) */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (k->runs[mid].start <= offset)
			lo = mid;
		else
			hi = mid;
	}
	if (k->nruns == 0 || k->runs[lo].module == NO_MODULE)
		return NULL;
	return k->names + k->runs[lo].module;
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
	const char *module = s ? ksyms_module(k, s) : NULL;

	if (!s)
		snprintf(buf, len, "0x%" PRIx64, addr);
	else if (module)
		snprintf(buf, len, "%s+0x%" PRIx64 " [%s]", s->name, off, module);
	else
		snprintf(buf, len, "%s+0x%" PRIx64, s->name, off);
	return buf;
}

void ksyms_free(struct ksyms *k)
{
	free(k->syms);
	free(k->names);
	free(k->runs);
	memset(k, 0, sizeof(*k));
}

static struct ksyms kernel_syms;
static unsigned int kernel_syms_users;
/* a read ahead (ksyms_kernel_prefetch): while prefetch_in is open, its thread fills
 * kernel_syms from it */
static pthread_t prefetch_thread;
static FILE *prefetch_in;
static int prefetch_err;

static void *prefetch_run(void *unused)
{
	(void)unused;
	prefetch_err = ksyms_load_stream(&kernel_syms, prefetch_in);
	return NULL;
}

void ksyms_kernel_prefetch(void)
{
	if (kernel_syms_users || prefetch_in)
		return;
	prefetch_in = fopen("/proc/kallsyms", "re");
	if (!prefetch_in)
		return; /* the first get tries again, and says why */
	if (pthread_create(&prefetch_thread, NULL, prefetch_run, NULL) != 0) {
		fclose(prefetch_in);
		prefetch_in = NULL;
	}
}

/* The read ahead's end: 0 with kernel_syms loaded (and no user yet), or -errno */
static int prefetch_finish(void)
{
	if (!prefetch_in)
		return -ENOENT;
	pthread_join(prefetch_thread, NULL);
	fclose(prefetch_in);
	prefetch_in = NULL;
	return prefetch_err;
}

void ksyms_kernel_prefetch_release(void)
{
	if (prefetch_finish() == 0 && kernel_syms_users == 0)
		ksyms_free(&kernel_syms);
}

const struct ksyms *ksyms_kernel_get(int *err)
{
	/* read ahead, or failed there (read again: the error is this one's to report) */
	if (kernel_syms_users == 0 && prefetch_finish() != 0) {
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
