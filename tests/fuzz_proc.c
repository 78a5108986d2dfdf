// SPDX-License-Identifier: GPL-2.0
/*
 * tests/fuzz_proc.c: libFuzzer target for ktop's /proc reading (core/proc.c): any bytes as
 * the contents of a /proc file, read through proc_read_file() into buffers of every small
 * size (always terminated, never past the end) and parsed the way the callers parse them
 * (statm, comm, fdinfo). Build and run: make fuzz (seed corpus: tests/corpus/proc/).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/proc.h"

static int fd = -1;
static char path[64];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fd = memfd_create("fuzz-proc", MFD_CLOEXEC);
	if (fd < 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned long sizes[] = { 1, 2, 7, 16, 64, 128, 512, 4096 };
	unsigned long long a, b;
	char *buf;
	long n;

	if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		return 0;
	for (unsigned int i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		buf = malloc(sizes[i]);
		if (!buf)
			return 0;
		n = proc_read_file(path, buf, sizes[i]);
		if (n < 0 || (unsigned long)n >= sizes[i] || buf[n] != '\0')
			abort();
		buf[strcspn(buf, "\n")] = '\0';            /* comm */
		if (sscanf(buf, "%llu %llu", &a, &b) == 2) /* statm */
			(void)(a + b);
		(void)strstr(buf, "\nprog_type:");         /* fdinfo */
		free(buf);
	}
	if (proc_read_file(path, NULL, 0) != -22)
		abort();
	return 0;
}
