// SPDX-License-Identifier: GPL-2.0
/*
 * tests/fuzz_containers.c: libFuzzer target for the cgroup path parser of core/containers.c
 * (container_parse_path, container_unescape): any bytes as a path. The root it reports
 * must be a prefix of the path and the id a terminated string. Build and run: make fuzz
 * (seed corpus: tests/corpus/containers/).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/containers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct container_path_info info;
	char *path = malloc(size + 1), out[64];

	if (!path)
		return 0;
	memcpy(path, data, size);
	path[size] = '\0';
	memset(&info, 0xa5, sizeof(info));
	if (container_parse_path(path, &info)) {
		if (info.root_len > strlen(path) || !memchr(info.id, '\0', sizeof(info.id)))
			abort();
	}
	container_unescape(path, strlen(path), out, sizeof(out));
	container_unescape(path, strlen(path), out, 1);
	free(path);
	return 0;
}
