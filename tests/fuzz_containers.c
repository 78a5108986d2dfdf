// SPDX-License-Identifier: GPL-2.0
/*
 * tests/fuzz_containers.c: libFuzzer target for the cgroup path parser of core/container_path.c
 * (container_parse_path, container_unescape): any bytes as a path. The root it reports
 * must be a prefix of the path and the id a terminated string; a pod's root a prefix of
 * the container's. The same bytes as a runtime's config.json and as a kubelet log link
 * name (container_parse_k8s_json, container_parse_k8s_log_name): names found are
 * terminated and valid. Build and run: make fuzz (seed corpus: tests/corpus/containers/).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/containers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct container_path_info info;
	struct k8s_names k8s;
	char *path = malloc(size + 1), out[64];

	if (!path)
		return 0;
	memcpy(path, data, size);
	path[size] = '\0';
	memset(&info, 0xa5, sizeof(info));
	if (container_parse_path(path, &info)) {
		if (info.root_len > strlen(path) || !memchr(info.id, '\0', sizeof(info.id)) ||
		    !memchr(info.pod_uid, '\0', sizeof(info.pod_uid)) || info.pod_len > info.root_len)
			abort();
	}
	/* not terminated: the parser must keep to size */
	container_parse_k8s_json((const char *)data, size, &k8s);
	if (!memchr(k8s.namespace_, '\0', sizeof(k8s.namespace_)) ||
	    !memchr(k8s.pod, '\0', sizeof(k8s.pod)) ||
	    !memchr(k8s.container, '\0', sizeof(k8s.container)) ||
	    strpbrk(k8s.namespace_, "\"\\\n/ ") || strpbrk(k8s.pod, "\"\\\n/ "))
		abort();
	container_parse_k8s_log_name(path, "0123456789abcdef", &k8s);
	container_unescape(path, strlen(path), out, sizeof(out));
	container_unescape(path, strlen(path), out, 1);
	free(path);
	return 0;
}
