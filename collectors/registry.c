// SPDX-License-Identifier: GPL-2.0
/* collectors/registry.c: the list of collectors and the set-up they share. */
#include <stdio.h>
#include <unistd.h>

#include "bpf_util.h"
#include "registry.h"

const struct collector_ops *const collector_registry[] = {
	&syscalls_collector,
	&interrupts_collector,
	&tasklets_collector,
	&critical_collector,
};

const unsigned int collector_registry_size =
	sizeof(collector_registry) / sizeof(collector_registry[0]);

int collectors_init(const char *log_path)
{
	return bpf_log_init(log_path);
}

void collectors_exit(void)
{
	probe_release();
	bpf_log_close();
}

const char *collectors_missing_requirement(void)
{
	if (access("/sys/kernel/btf/vmlinux", R_OK) != 0 || !probe_kernel_btf())
		return "the kernel has no BTF (/sys/kernel/btf/vmlinux; needs CONFIG_DEBUG_INFO_BTF)";
	return NULL;
}
