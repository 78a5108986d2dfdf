/* SPDX-License-Identifier: GPL-2.0 */
/*
 * core/ksyms.h: kernel addresses to symbol names, from /proc/kallsyms (text symbols),
 * loaded once, sorted, looked up by binary search.
 */
#ifndef KTOP_CORE_KSYMS_H
#define KTOP_CORE_KSYMS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * One symbol: 16 bytes. The kernel has ~120 000 text symbols, and they stay loaded for as
 * long as ktop runs, so the module is not in each entry: ksyms_module() finds it.
 */
struct ksym {
	uint64_t addr;
	const char *name; /* in the ksyms' one block of names */
};

struct ksyms_module_run;

struct ksyms {
	struct ksym *syms; /* sorted by address, exactly count of them */
	size_t count;
	char *names;       /* every name, then module names, NUL-terminated, one block */
	size_t names_size;
	/* which names belong to which module: kallsyms lists a module's symbols together,
	 * so the names are runs of the block, one per module (and the kernel's) */
	struct ksyms_module_run *runs;
	size_t nruns;
};

/* Load from a kallsyms-format stream; returns 0 or -errno. Addresses of 0 (no
 * privilege to see them) make it fail with -EPERM. */
int ksyms_load_stream(struct ksyms *k, FILE *in);
int ksyms_load(struct ksyms *k, const char *path); /* "/proc/kallsyms" */
/* An address further than this past the nearest symbol is in no known function */
#define KSYMS_MAX_OFFSET 0x100000
/* The symbol containing addr, or NULL; *offset gets addr - symbol start */
const struct ksym *ksyms_find(const struct ksyms *k, uint64_t addr, uint64_t *offset);
/* The module of a symbol ksyms_find() returned (or of k->syms[i]), NULL for the kernel */
const char *ksyms_module(const struct ksyms *k, const struct ksym *sym);
/* The address of a symbol by name, or 0 */
uint64_t ksyms_address(const struct ksyms *k, const char *name);
/* "name+0x1f" or "name+0x1f [module]" or "0xffffffff81000000" into buf */
char *ksyms_format(const struct ksyms *k, uint64_t addr, char *buf, size_t len);
void ksyms_free(struct ksyms *k);

/* The running kernel's symbols, loaded once and shared by every collector that needs
 * them (each load of /proc/kallsyms costs ~100 ms and megabytes). Returns NULL with
 * *err set when they cannot be read. Every get needs a put. */
const struct ksyms *ksyms_kernel_get(int *err);
void ksyms_kernel_put(void);
/* Start reading them in a thread, to have them ready by the first get (the collectors
 * loaded before it overlap the ~50 ms the kernel takes to write the file and the ~30 ms to
 * parse it). The file is opened here, so with the caller's privileges; the thread only
 * reads it. Nothing happens if they are loaded or being read already. */
void ksyms_kernel_prefetch(void);
/* Wait for a read started by ksyms_kernel_prefetch(), and free what no get claimed */
void ksyms_kernel_prefetch_release(void);

#endif
