// SPDX-License-Identifier: GPL-2.0
/*
 * collectors/containers.c: the containers view, and the owner of the container filter.
 *
 * Each tick it walks the cgroup trees again (core/containers.c), so a container that
 * starts shows up within a refresh and one that stops goes away; the selected container's
 * subtree ids are pushed into the shared BPF filter map when they change.
 *
 * Per-container syscall figures are summed in user space by the syscalls collector from
 * every process active this tick (pid -> container from /proc/PID/cgroup, cached) into the
 * frame's internal container_syscalls table: no extra work on the syscall path, and not
 * limited to the processes table's top rows. With a container selected the kernel drops
 * other tasks' calls, so only the selected container has syscall figures. Interrupt time
 * charged to a container comes from the per-CPU map the interrupt programs fill (cgroup
 * id -> ns). This collector must come after syscalls in the registry: it reads that
 * frame's sums. A pod's container carries its Kubernetes names as the row's strings
 * ("kubernetes": namespace, pod, container, pod UID), which the exporter turns into labels.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/container_filter.h"
#include "bpf_util.h"
#include "container_filter.h"
#include "containers.h"
#include "core/collector.h"
#include "core/containers.h"
#include "core/delta.h"
#include "core/intern.h"
#include "registry.h"
#include "syscalls.h"

_Static_assert(CONTAINER_KIND_NONE == CONTAINER_ID_NONE &&
		       CONTAINER_KIND_V2 == CONTAINER_ID_V2 &&
		       CONTAINER_KIND_V1_MEMORY == CONTAINER_ID_V1_MEMORY,
	       "core/containers.h and bpf/container_filter.h must agree");

static const struct table_column container_columns[] = {
	{ "name", "CONTAINER", COL_NAME, 0, 0, 20, false,
	  "Kubernetes namespace/pod/container, else metadata name, else UTS hostname, else "
	  "short id" },
	{ "runtime", "RUNTIME", COL_TEXT_VALUE, CONTAINER_V_RUNTIME, 0, 10, false,
	  "docker, containerd, cri-o, podman, lxc, nspawn, cgroup (plain), host" },
	{ "id", "ID", COL_NAME, 1, 0, 14, false, "runtime id (short), or cgroup path" },
	{ "procs", "PROCS", COL_ID, CONTAINER_V_PROCS, 0, 6, false, "processes in its cgroups" },
	{ "count", "CALLS/s", COL_COUNT, CONTAINER_V_COUNT, 0, 9, false,
	  "system calls per second (of all its processes; only the selected container's "
	  "while one is selected)" },
	{ "errors", "ERR/s", COL_COUNT, CONTAINER_V_ERRORS, 0, 8, false,
	  "failed system calls per second" },
	{ "irq_ns", "IRQTIME/s", COL_TIME, CONTAINER_V_IRQ, 0, 9, false,
	  "hard-IRQ and softirq time per second charged to it: work that interrupted its "
	  "tasks, not work it caused" },
	{ "irq_pct", "%IRQ", COL_CPU_PCT, CONTAINER_V_IRQ, 0, 5, true,
	  "that time as % of one CPU" },
	{ "cgroup_id", "CGROUP", COL_ID, CONTAINER_V_CGROUP, 0, 8, false,
	  "cgroup id (inode) of its directory in the identity hierarchy" },
};

const struct table_schema containers_table = {
	.id = "containers",
	.title = "Containers",
	.columns = container_columns,
	.ncolumns = sizeof(container_columns) / sizeof(container_columns[0]),
	.sort_column = 4,
	.max_rows = 1024,
	.value_names = container_runtime_names,
	/* a pod's container: [namespace, pod, container, pod UID] ("" where not known) */
	.strings_id = "kubernetes",
	.pane = true,
};

static const struct table_schema *const container_tables[] = { &containers_table, NULL };

struct containers_state {
	int ncpus;
	int charge_fd;
	__u64 *values; /* one key's per-CPU values */
	struct delta_set charges;
	struct table_keyed rows; /* the frame's container rows by key */
};

static void containers_close(struct collector *c)
{
	struct containers_state *s = c->priv;

	if (!s)
		return;
	free(s->values);
	delta_free(&s->charges);
	table_keyed_free(&s->rows);
	free(s);
	c->priv = NULL;
}

static int containers_open(struct collector *c, const struct ktop_config *cfg)
{
	struct containers_state *s;
	int err;

	(void)cfg;
	s = calloc(1, sizeof(*s));
	if (!s)
		return collector_fail(c, "out of memory");
	c->priv = s;
	s->ncpus = bpf_possible_cpus();
	s->values = calloc(s->ncpus > 0 ? s->ncpus : 1, sizeof(*s->values));
	if (s->ncpus <= 0 || !s->values) {
		containers_close(c);
		return collector_fail(c, "out of memory");
	}
	err = containers_init();
	if (err) {
		containers_close(c);
		return collector_fail(c, "no cgroup hierarchy to find containers in: %s",
				      strerror(-err));
	}
	s->charge_fd = container_filter_charge_fd();
	err = s->charge_fd < 0 ? s->charge_fd : container_filter_set_identity(containers_identity());
	if (err) {
		containers_close(c);
		return collector_fail(c, "cannot create the container filter maps: %s",
				      bpf_error_reason(err));
	}
	err = containers_refresh();
	if (err) {
		containers_close(c);
		return collector_fail(c, "cannot walk the cgroup tree: %s", strerror(-err));
	}
	return 0;
}

/* Interrupt time charged per cgroup since the last tick, added to the containers' rows */
static int sample_charges(struct containers_state *s, struct table *t)
{
	__u64 key, next;
	void *prev = NULL;

	while (bpf_map_get_next_key(s->charge_fd, prev, &next) == 0) {
		uint64_t v[DELTA_VALUES] = { 0 };

		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(s->charge_fd, &key, s->values))
			continue;
		for (int cpu = 0; cpu < s->ncpus; cpu++)
			v[0] += s->values[cpu];
		if (delta_push(&s->charges, key, v) < 0)
			return -ENOMEM;
	}
	for (size_t i = 0, n = delta_finish(&s->charges); i < n && t; i++) {
		const struct container *c = containers_of_cgroup(s->charges.diff[i].key);
		struct table_row *r = c ? table_keyed_find(&s->rows, c->key) : NULL;

		if (r)
			r->v[CONTAINER_V_IRQ] += s->charges.diff[i].v[0];
	}
	return 0;
}

static void sample_syscalls(struct containers_state *s, struct frame *f)
{
	const struct table *sums = frame_table(f, &container_syscalls_table);

	for (unsigned int i = 0; sums && i < sums->nrows; i++) {
		const struct table_row *p = &sums->rows[i];
		struct table_row *r = table_keyed_find(&s->rows, p->key);

		if (!r)
			continue;
		r->v[CONTAINER_V_COUNT] += p->v[CONTAINER_SYSCALL_V_COUNT];
		r->v[CONTAINER_V_ERRORS] += p->v[CONTAINER_SYSCALL_V_ERRORS];
	}
}

static int containers_sample(struct collector *c, struct frame *f)
{
	struct containers_state *s = c->priv;
	struct table *t = frame_table(f, &containers_table);
	const struct container *list;
	size_t n;
	int err;

	err = containers_refresh();
	if (err)
		return err;
	list = containers_list(&n);
	for (size_t i = 0; t && i < n; i++) {
		struct table_row *r = table_add_row(t, list[i].key);
		char id[16];

		if (!r)
			return -ENOMEM;
		r->name = list[i].name;
		if (list[i].runtime == RUNTIME_CGROUP || list[i].runtime == RUNTIME_HOST) {
			r->label = list[i].id;
		} else {
			snprintf(id, sizeof(id), "%.12s", list[i].id);
			r->label = intern(id);
		}
		r->v[CONTAINER_V_RUNTIME] = list[i].runtime;
		r->v[CONTAINER_V_PROCS] = list[i].nprocs;
		r->strings = list[i].k8s;
		r->nstrings = list[i].k8s ? K8S_STRINGS : 0;
		r->v[CONTAINER_V_CGROUP] = list[i].key;
	}
	if (t && table_keyed_start(&s->rows, t) < 0)
		return -ENOMEM;
	if (t)
		sample_syscalls(s, f);
	return sample_charges(s, t);
}

const struct collector_ops containers_collector = {
	.name = "containers",
	.tables = container_tables,
	.open = containers_open,
	.sample = containers_sample,
	.close = containers_close,
};
