// SPDX-License-Identifier: GPL-2.0
/* collectors/registry.c: the list of collectors and the set-up they share. */
#include <dirent.h>
#include <malloc.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "core/fault.h"
#include "core/frame.h"
#include "core/ksyms.h"
#include "core/options.h"
#include "core/privsep.h"
#include "core/proc.h"

#include "bpf_util.h"
#include "container_filter.h"
#include "registry.h"

/* Every collector, in pane order: X(NAME) is NAME_collector, defined in collectors/NAME.c.
 * Adding a collector is its own files and one line here (docs/DEVELOPING.md). */
#define COLLECTORS(X)                                                                       \
	X(syscalls)                                                                         \
	X(interrupts)                                                                       \
	X(tasklets)                                                                         \
	X(deferred)                                                                         \
	X(critical)                                                                         \
	X(functions)                                                                        \
	X(containers) /* after syscalls: it reads that frame's sums per container */

#define DECLARE(name) extern const struct collector_ops name##_collector;
#define ADDRESS(name) &name##_collector,
COLLECTORS(DECLARE)

const struct collector_ops *const collector_registry[] = { COLLECTORS(ADDRESS) };

const unsigned int collector_registry_size =
	sizeof(collector_registry) / sizeof(collector_registry[0]);

void collectors_register_schemas(void)
{
	for (unsigned int i = 0; i < collector_registry_size; i++) {
		const struct collector_ops *ops = collector_registry[i];
		int err;

		for (const struct table_schema *const *t = ops->tables; *t; t++)
			if (frame_register_schema(*t) < 0) {
				/* more tables than a frame holds: a build that must not ship */
				fprintf(stderr, "ktop: no room for table '%s': raise "
					"TABLE_MAX_TABLES (core/table.h)\n", (*t)->id);
				abort();
			}
		err = ops->noptions ? options_register(ops->options, ops->noptions) : 0;
		if (err) {
			/* as above: a build that must not ship */
			fprintf(stderr, "ktop: the settings of '%s' %s\n", ops->name,
				err == -EEXIST ? "name a [section] key another one has" :
				"are too many: raise CONFIG_MAX_SETTINGS (core/config.h)");
			abort();
		}
	}
}

static int stats_fd = -1;
static int prog_fds[256];
static int nprog_fds = -1; /* -1: not scanned yet */

int collectors_stats_enable(bool on)
{
	if (on && stats_fd < 0) {
		/* bpf(BPF_ENABLE_STATS) takes CAP_SYS_ADMIN: the privileged helper's */
		stats_fd = privsep_bpf_stats_fd();
		if (stats_fd < 0)
			return stats_fd;
	} else if (!on && stats_fd >= 0) {
		close(stats_fd);
		stats_fd = -1;
	}
	return 0;
}

/* The fds of ktop's own loaded programs (fdinfo of a program has a prog_type line) */
static void scan_prog_fds(void)
{
	DIR *dir = opendir("/proc/self/fdinfo");
	struct dirent *de;
	char path[300], info[512];

	nprog_fds = 0;
	if (!dir)
		return;
	while ((de = readdir(dir)) && nprog_fds < (int)(sizeof(prog_fds) / sizeof(prog_fds[0]))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/fdinfo/%s", de->d_name);
		if (proc_read_file(path, info, sizeof(info)) > 0 && strstr(info, "\nprog_type:"))
			prog_fds[nprog_fds++] = atoi(de->d_name);
	}
	closedir(dir);
}

bool collectors_bpf_cost(uint64_t *run_ns, uint64_t *runs)
{
	int read = 0;

	if (nprog_fds < 0)
		scan_prog_fds();
	*run_ns = *runs = 0;
	for (int i = 0; i < nprog_fds; i++) {
		struct bpf_prog_info info = { 0 };
		__u32 len = sizeof(info);

		if (bpf_obj_get_info_by_fd(prog_fds[i], &info, &len) == 0) {
			*run_ns += info.run_time_ns;
			*runs += info.run_cnt;
			read++;
		}
	}
	/* a cost of nothing read is not a cost of zero */
	return read > 0;
}

void collectors_opened(void)
{
	probe_release(); /* the kernel's BTF, parsed for probes, is megabytes we no longer need */
	ksyms_kernel_prefetch_release(); /* read ahead for collectors that did not open */
	malloc_trim(0);
}

int collector_open(struct collector *c, const struct ktop_config *cfg)
{
	const char *name = c->ops->name;
	int err;

	c->reason[0] = '\0';
	if (fault_wanted(name, "load"))
		return collector_fail(c, "cannot load: test hook KTOP_FAULT=%s:load (as if a "
				      "program did not load)", name);
	err = c->ops->open(c, cfg);
	if (err == 0 && fault_wanted(name, "attach")) {
		c->ops->close(c);
		c->priv = NULL;
		return collector_fail(c, "cannot attach: test hook KTOP_FAULT=%s:attach (as if "
				      "the kernel had no such tracepoint)", name);
	}
	return err;
}

int collectors_init(const char *log_path)
{
	return bpf_log_init(log_path);
}

void collectors_exit(void)
{
	container_filter_release();
	ksyms_kernel_prefetch_release();
	if (stats_fd >= 0)
		close(stats_fd);
	stats_fd = -1;
	probe_release();
	bpf_log_close();
}

const char *collectors_missing_requirement(void)
{
	if (access("/sys/kernel/btf/vmlinux", R_OK) != 0 || !probe_kernel_btf())
		return "the kernel has no BTF (/sys/kernel/btf/vmlinux; needs CONFIG_DEBUG_INFO_BTF)";
	return NULL;
}
