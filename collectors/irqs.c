// SPDX-License-Identifier: GPL-2.0
/*
 * collectors/irqs.c: where interrupt time goes: hard-IRQ handlers and softirq vectors.
 *
 * One collector ("interrupts") owns both panes because softirq net time needs the hard-IRQ
 * time nested inside it, so both live in one BPF object. Each tick we read the growth of
 * the kernel's cumulative per-CPU counters (counters.h). The per-CPU values the maps hold
 * already give the per-CPU split, so the drill tables and the per-CPU views cost nothing
 * in the kernel.
 */
#include <dirent.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/irqs.h"
#include "bpf_util.h"
#include "container_filter.h"
#include "counters.h"
#include "core/collector.h"
#include "core/intern.h"
#include "core/proc.h"
#include "irqs.skel.h"
#include "registry.h"

/* As the kernel spells them (softirq_to_name), lower case */
static const char *const softirq_names[SOFTIRQ_VECS] = {
	"hi", "timer", "net_tx", "net_rx", "block", "irq_poll", "tasklet", "sched", "hrtimer",
	"rcu",
};

extern const struct table_schema hardirqs_table, hardirq_cpus_table, hardirqs_by_cpu_table;
extern const struct table_schema softirqs_table, softirq_cpus_table, softirqs_by_cpu_table;

/* Row values: v[0] irq or cpu, v[1] count, v[2] total_ns, v[3] max_ns, v[4] calls, v[5] cpus */
#define HARDIRQ_COLUMNS(first_id, first_title, first_help)                                 \
	{ first_id, first_title, COL_ID, 0, 0, 4, false, first_help },                     \
	{ "count", "IRQ/s", COL_COUNT, 1, 0, 9, false, "interrupts per second" },          \
	{ "total_ns", "TIME/s", COL_TIME, 2, 0, 8, false, "handler time per second" },     \
	{ "cpu_pct", "%CPU", COL_CPU_PCT, 2, 0, 6, true, "handler time as % of one CPU" }, \
	{ "avg_ns", "AVG", COL_AVERAGE, 2, 1, 8, true, "average time per interrupt" },     \
	{ "max_ns", "MAX", COL_DURATION, 3, 0, 8, false, "longest interrupt in the interval" }, \
	{ "calls", "CALLS/s", COL_COUNT, 4, 0, 9, false,                                   \
	  "handler runs per second (more than IRQ/s on a shared line)" }

static const struct table_column hardirq_columns[] = {
	{ "name", "HANDLER", COL_NAME, 0, 0, 22, false, "irq number and action name" },
	HARDIRQ_COLUMNS("irq", "IRQ", "interrupt number"),
	{ "cpus", "CPUS", COL_CPUS, 5, 0, 8, false, "CPUs the interrupt ran on" },
};

static const struct table_column hardirq_cpu_columns[] = {
	HARDIRQ_COLUMNS("cpu", "CPU", "CPU number"),
};

const struct table_schema hardirqs_table = {
	.id = "hardirqs",
	.title = "Hard IRQs",
	.columns = hardirq_columns,
	.ncolumns = sizeof(hardirq_columns) / sizeof(hardirq_columns[0]),
	.sort_column = 3,
	.max_rows = 1024,
	.hist_count = 1,
	.hist_names = { "duration" },
	.drill = &hardirq_cpus_table,
	.alternate = &hardirqs_by_cpu_table,
	.pane = true,
	.charged = true,
};

/* The focused handler, per CPU: filled only while someone drills into it */
const struct table_schema hardirq_cpus_table = {
	.id = "hardirq_cpus",
	.title = "Per CPU",
	.columns = hardirq_cpu_columns,
	.ncolumns = sizeof(hardirq_cpu_columns) / sizeof(hardirq_cpu_columns[0]),
	.sort_column = 2,
	.detail = true,
	.charged = true,
};

const struct table_schema hardirqs_by_cpu_table = {
	.id = "hardirqs_by_cpu",
	.title = "Hard IRQs per CPU",
	.columns = hardirq_cpu_columns,
	.ncolumns = sizeof(hardirq_cpu_columns) / sizeof(hardirq_cpu_columns[0]),
	.sort_column = 2,
	.hist_count = 1,
	.hist_names = { "duration" },
	.alternate = &hardirqs_table,
	.charged = true,
};

/*
 * Row values: v[0] vec or cpu, v[1] count, v[2] net total_ns, v[3] max_ns, v[4] delays,
 * v[5] delay_total_ns, v[6] delay_max_ns, v[7] ksoftirqd, v[8] irq_ns, v[9] cpus
 */
#define SOFTIRQ_COLUMNS                                                                     \
	{ "count", "RUNS/s", COL_COUNT, 1, 0, 9, false, "runs per second" },                \
	{ "total_ns", "TIME/s", COL_TIME, 2, 0, 8, false,                                   \
	  "net time per second (hard-IRQ handler time nested inside removed)" },            \
	{ "cpu_pct", "%CPU", COL_CPU_PCT, 2, 0, 6, true, "net time as % of one CPU" },      \
	{ "avg_ns", "AVG", COL_AVERAGE, 2, 1, 8, true, "average net time per run" },        \
	{ "max_ns", "MAX", COL_DURATION, 3, 0, 8, false, "longest run in the interval" },   \
	{ "delay_avg_ns", "AVGDLY", COL_AVERAGE, 5, 4, 8, true,                             \
	  "average wait from the first raise to the run" },                                 \
	{ "delay_max_ns", "MAXDLY", COL_DURATION, 6, 0, 8, false,                           \
	  "longest wait from the first raise to the run" },                                 \
	{ "ksoftirqd", "KSOFTD/s", COL_COUNT, 7, 0, 9, false,                               \
	  "runs per second in ksoftirqd/N (the rest at irq exit or local_bh_enable)" },     \
	{ "delays", "RAISED/s", COL_COUNT, 4, 0, 9, false,                                  \
	  "runs per second whose raise was seen (the delay samples)" },                     \
	{ "delay_total_ns", "WAIT/s", COL_TIME, 5, 0, 8, false,                             \
	  "summed raise-to-run waits per second" },                                         \
	{ "irq_ns", "HARDIRQ/s", COL_TIME, 8, 0, 9, false,                                  \
	  "hard-IRQ handler time per second that interrupted this work (not in TIME/s)" }

static const struct table_column softirq_columns[] = {
	{ "name", "SOFTIRQ", COL_NAME, 0, 0, 9, false, "vector, as the kernel names it" },
	{ "vec", "VEC", COL_ID, 0, 0, 3, false, "vector number" },
	SOFTIRQ_COLUMNS,
	{ "cpus", "CPUS", COL_CPUS, 9, 0, 8, false, "CPUs the vector ran on" },
};

static const struct table_column softirq_cpu_columns[] = {
	{ "cpu", "CPU", COL_ID, 0, 0, 4, false, "CPU number" },
	SOFTIRQ_COLUMNS,
};

const struct table_schema softirqs_table = {
	.id = "softirqs",
	.title = "Softirqs",
	.columns = softirq_columns,
	.ncolumns = sizeof(softirq_columns) / sizeof(softirq_columns[0]),
	.sort_column = 3,
	.hist_count = 2,
	.hist_names = { "duration", "delay" },
	.drill = &softirq_cpus_table,
	.alternate = &softirqs_by_cpu_table,
	.pane = true,
	.charged = true,
};

/* The focused vector, per CPU: filled only while someone drills into it */
const struct table_schema softirq_cpus_table = {
	.id = "softirq_cpus",
	.title = "Per CPU",
	.columns = softirq_cpu_columns,
	.ncolumns = sizeof(softirq_cpu_columns) / sizeof(softirq_cpu_columns[0]),
	.sort_column = 2,
	.detail = true,
	.charged = true,
};

const struct table_schema softirqs_by_cpu_table = {
	.id = "softirqs_by_cpu",
	.title = "Softirqs per CPU",
	.columns = softirq_cpu_columns,
	.ncolumns = sizeof(softirq_cpu_columns) / sizeof(softirq_cpu_columns[0]),
	.sort_column = 2,
	.hist_count = 2,
	.hist_names = { "duration", "delay" },
	.alternate = &softirqs_table,
	.charged = true,
};

static const struct table_schema *const irq_tables[] = {
	&hardirqs_table,      &hardirq_cpus_table,  &hardirqs_by_cpu_table,
	&softirqs_table,      &softirq_cpus_table,  &softirqs_by_cpu_table,
	NULL,
};

struct irq_name {
	__u32 irq;
	const char *name; /* interned "<irq> <actions>" */
};

static const struct counter_layout hardirq_stat_layout = {
	.size = sizeof(struct hardirq_stat),
	.u64s = offsetof(struct hardirq_stat, max) / sizeof(__u64),
	.maxes = 1,
	.u32s = KTOP_HIST_SLOTS,
};

static const struct counter_layout softirq_stat_layout = {
	.size = sizeof(struct softirq_stat),
	.u64s = offsetof(struct softirq_stat, max) / sizeof(__u64),
	.maxes = 2,
	.u32s = 2 * KTOP_HIST_SLOTS,
};

struct irqs_state {
	struct irqs_bpf *skel;
	int ncpus;
	size_t hard_size, soft_size; /* one CPU's value, 8-byte aligned as the kernel lays out */
	struct counter_map hard, soft;
	struct hardirq_stat *hard_cpu; /* per CPU, summed over irqs: the per-CPU view */
	struct softirq_stat *soft_cpu;
	struct frame *frame;	       /* the frame being filled */
	struct irq_name *names;
	unsigned int nnames, names_capacity;
	struct focus focus;
};

static void irqs_close(struct collector *c)
{
	struct irqs_state *s = c->priv;

	if (!s)
		return;
	irqs_bpf__destroy(s->skel);
	counter_map_free(&s->hard);
	counter_map_free(&s->soft);
	free(s->hard_cpu);
	free(s->soft_cpu);
	free(s->names);
	free(s);
	c->priv = NULL;
}

/* Tell the kernel side which task is ksoftirqd/N on each CPU, from /proc/PID/comm */
static void find_ksoftirqd(struct irqs_state *s)
{
	int fd = bpf_map__fd(s->skel->maps.ksoftirqd_pids);
	DIR *d = opendir("/proc");
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		char path[64], comm[32];
		unsigned int pid, cpu;

		if (sscanf(e->d_name, "%u", &pid) != 1)
			continue;
		snprintf(path, sizeof(path), "/proc/%u/comm", pid);
		if (proc_read_file(path, comm, sizeof(comm)) <= 0)
			continue;
		if (sscanf(comm, "ksoftirqd/%u", &cpu) != 1 || cpu >= (unsigned int)s->ncpus)
			continue;
		bpf_map_update_elem(fd, &cpu, &pid, BPF_ANY);
	}
	closedir(d);
}

static int irqs_open(struct collector *c, const struct ktop_config *cfg)
{
	static const char *const tracepoints[] = { "irq_handler_entry", "irq_handler_exit",
						   "softirq_raise", "softirq_entry",
						   "softirq_exit" };
	struct irqs_state *s;
	struct irqs_bpf *skel;
	bool use_btf = true;
	int err;

	(void)cfg;
	for (unsigned int i = 0; i < sizeof(tracepoints) / sizeof(tracepoints[0]); i++)
		use_btf = use_btf && probe_btf_tracepoint(tracepoints[i]);
	s = calloc(1, sizeof(*s));
	if (!s)
		return collector_fail(c, "out of memory");
	c->priv = s;
	s->ncpus = bpf_possible_cpus();
	if (s->ncpus <= 0) {
		irqs_close(c);
		return collector_fail(c, "cannot count the possible CPUs");
	}
	s->hard_size = counter_stride(&hardirq_stat_layout);
	s->soft_size = counter_stride(&softirq_stat_layout);
	s->hard_cpu = calloc(s->ncpus, sizeof(*s->hard_cpu));
	s->soft_cpu = calloc(s->ncpus, sizeof(*s->soft_cpu));
	if (!s->hard_cpu || !s->soft_cpu) {
		irqs_close(c);
		return collector_fail(c, "out of memory");
	}

	skel = irqs_bpf__open();
	if (!skel) {
		err = -errno;
		irqs_close(c);
		return collector_fail(c, "cannot open BPF object: %s", bpf_error_reason(err));
	}
	s->skel = skel;
	bpf_choose_variant(skel->progs.irq_handler_entry_btf, skel->progs.irq_handler_entry_raw,
			   use_btf);
	bpf_choose_variant(skel->progs.irq_handler_exit_btf, skel->progs.irq_handler_exit_raw,
			   use_btf);
	bpf_choose_variant(skel->progs.softirq_raise_btf, skel->progs.softirq_raise_raw, use_btf);
	bpf_choose_variant(skel->progs.softirq_entry_btf, skel->progs.softirq_entry_raw, use_btf);
	bpf_choose_variant(skel->progs.softirq_exit_btf, skel->progs.softirq_exit_raw, use_btf);
	bpf_map__set_max_entries(skel->maps.ksoftirqd_pids, (__u32)s->ncpus);

	/* the shared container filter, and the map interrupt time is charged to */
	err = container_filter_reuse(skel->obj);
	if (err) {
		irqs_close(c);
		return collector_fail(c, "cannot share the container filter: %s",
				      bpf_error_reason(err));
	}
	err = irqs_bpf__load(skel);
	if (err) {
		irqs_close(c);
		return collector_fail(c, "cannot load: %s", bpf_error_reason(err));
	}
	err = counter_map_init(&s->hard, bpf_map__fd(skel->maps.hardirq_stats),
			       &hardirq_stat_layout, s->ncpus, true);
	if (!err)
		err = counter_map_init(&s->soft, bpf_map__fd(skel->maps.softirq_stats),
				       &softirq_stat_layout, s->ncpus, true);
	if (err) {
		irqs_close(c);
		return collector_fail(c, "out of memory");
	}
	find_ksoftirqd(s);
	err = irqs_bpf__attach(skel);
	if (err) {
		irqs_close(c);
		return collector_fail(c, "cannot attach to the irq tracepoints: %s",
				      bpf_error_reason(err));
	}
	return 0;
}

static const char *irq_name(struct irqs_state *s, __u32 irq)
{
	struct hardirq_name bpf_name = { { 0 } };
	char path[64], actions[256], name[300];
	struct irq_name *n;
	long len;

	for (unsigned int i = 0; i < s->nnames; i++)
		if (s->names[i].irq == irq)
			return s->names[i].name;
	/* every action of a shared line from sysfs, else the first action the kernel side saw */
	snprintf(path, sizeof(path), "/sys/kernel/irq/%u/actions", irq);
	len = proc_read_file(path, actions, sizeof(actions));
	while (len > 0 && (actions[len - 1] == '\n' || actions[len - 1] == ' '))
		actions[--len] = '\0';
	if (len <= 0) {
		if (bpf_map_lookup_elem(bpf_map__fd(s->skel->maps.hardirq_names), &irq,
					&bpf_name) == 0 && bpf_name.name[0]) {
			bpf_name.name[sizeof(bpf_name.name) - 1] = '\0';
			snprintf(actions, sizeof(actions), "%s", bpf_name.name);
		} else {
			actions[0] = '\0';
		}
	}
	snprintf(name, sizeof(name), actions[0] ? "%u %s" : "%u", irq, actions);
	if (s->nnames == s->names_capacity) {
		unsigned int cap = s->names_capacity ? s->names_capacity * 2 : 64;

		n = realloc(s->names, cap * sizeof(*n));
		if (!n)
			return intern(name);
		s->names = n;
		s->names_capacity = cap;
	}
	/* a name not found yet (a test's crafted irq) is looked up again next time */
	if (!actions[0])
		return intern(name);
	s->names[s->nnames++] = (struct irq_name){ irq, intern(name) };
	return s->names[s->nnames - 1].name;
}

static const void *cpu_value(const void *values, size_t size, int cpu)
{
	return (const char *)values + (size_t)cpu * size;
}

static void hardirq_values(struct table_row *r, const struct hardirq_stat *st)
{
	r->v[1] += st->count;
	r->v[2] += st->total_ns;
	if (st->max.ns > r->v[3])
		r->v[3] = st->max.ns;
	r->v[4] += st->calls;
}

static void hist_sum(struct hist *h, const __u32 *slots)
{
	if (h)
		for (int i = 0; i < HIST_SLOTS; i++)
			h->slot[i] += slots[i];
}

static void fill_hardirq_cpus(struct irqs_state *s, const void *values, __u32 irq)
{
	struct table *t = frame_table(s->frame, &hardirq_cpus_table);

	if (!t || s->focus.table != &hardirqs_table || s->focus.key != irq)
		return;
	for (int cpu = 0; cpu < s->ncpus; cpu++) {
		const struct hardirq_stat *st = cpu_value(values, s->hard_size, cpu);
		struct table_row *r;
		char name[32];

		if (!st->calls)
			continue;
		r = table_add_row(t, (uint64_t)cpu);
		if (!r)
			return;
		snprintf(name, sizeof(name), "cpu%d", cpu);
		r->name = intern(name);
		r->v[0] = (uint64_t)cpu;
		hardirq_values(r, st);
	}
}

/* One irq's interval, per CPU: its row, its CPUs in the per-CPU view, its drill-down */
static int add_hardirq(void *arg, __u32 irq, const void *values)
{
	struct irqs_state *s = arg;
	struct table *t = frame_table(s->frame, &hardirqs_table);
	struct table_row *r = NULL;
	struct hist *h = NULL;

	if (t && (r = table_add_row(t, irq))) {
		r->name = irq_name(s, irq);
		r->v[0] = irq;
		h = frame_row_hist(s->frame, r, 0);
	}
	for (int cpu = 0; cpu < s->ncpus; cpu++) {
		const struct hardirq_stat *st = cpu_value(values, s->hard_size, cpu);
		struct hardirq_stat *sum = &s->hard_cpu[cpu];

		if (!st->calls)
			continue;
		if (r) {
			hardirq_values(r, st);
			if (cpu < 64)
				r->v[5] |= 1ull << cpu;
			hist_sum(h, st->hist);
		}
		sum->count += st->count;
		sum->calls += st->calls;
		sum->total_ns += st->total_ns;
		if (st->max.ns > sum->max.ns)
			sum->max.ns = st->max.ns;
		for (int k = 0; k < KTOP_HIST_SLOTS; k++)
			sum->hist[k] += st->hist[k];
	}
	fill_hardirq_cpus(s, values, irq);
	return 0;
}

static int sample_hardirqs(struct irqs_state *s, struct frame *f, __u64 epoch)
{
	struct table *t = frame_table(f, &hardirqs_table), *by_cpu;
	int err;

	memset(s->hard_cpu, 0, (size_t)s->ncpus * sizeof(*s->hard_cpu));
	err = counter_map_read(&s->hard, epoch, add_hardirq, s);
	if (err)
		return err;
	if (t)
		table_trim(t);
	by_cpu = frame_table(f, &hardirqs_by_cpu_table);
	for (int cpu = 0; by_cpu && cpu < s->ncpus; cpu++) {
		struct table_row *r;
		char name[32];

		if (!s->hard_cpu[cpu].calls)
			continue;
		r = table_add_row(by_cpu, (uint64_t)cpu);
		if (!r)
			return -ENOMEM;
		snprintf(name, sizeof(name), "cpu%d", cpu);
		r->name = intern(name);
		r->v[0] = (uint64_t)cpu;
		hardirq_values(r, &s->hard_cpu[cpu]);
		hist_sum(frame_row_hist(f, r, 0), s->hard_cpu[cpu].hist);
	}
	return 0;
}

static void softirq_values(struct table_row *r, const struct softirq_stat *st)
{
	r->v[1] += st->count;
	r->v[2] += st->total_ns;
	if (st->max.ns > r->v[3])
		r->v[3] = st->max.ns;
	r->v[4] += st->delays;
	r->v[5] += st->delay_total_ns;
	if (st->delay_max.ns > r->v[6])
		r->v[6] = st->delay_max.ns;
	r->v[7] += st->ksoftirqd;
	r->v[8] += st->irq_ns;
}

static void softirq_add(struct softirq_stat *sum, const struct softirq_stat *st)
{
	sum->count += st->count;
	sum->total_ns += st->total_ns;
	if (st->max.ns > sum->max.ns)
		sum->max.ns = st->max.ns;
	sum->irq_ns += st->irq_ns;
	sum->delays += st->delays;
	sum->delay_total_ns += st->delay_total_ns;
	if (st->delay_max.ns > sum->delay_max.ns)
		sum->delay_max.ns = st->delay_max.ns;
	sum->ksoftirqd += st->ksoftirqd;
	for (int k = 0; k < KTOP_HIST_SLOTS; k++) {
		sum->hist[k] += st->hist[k];
		sum->delay_hist[k] += st->delay_hist[k];
	}
}

/* One softirq row (a vector, or a CPU) with its two histograms */
static struct table_row *add_softirq_row(struct frame *f, struct table *t, uint64_t key,
					 const char *name, const struct softirq_stat *st)
{
	struct table_row *r = table_add_row(t, key);

	if (!r)
		return NULL;
	r->name = name;
	r->v[0] = key;
	softirq_values(r, st);
	if (t->schema->hist_count == 2) {
		hist_sum(frame_row_hist(f, r, 0), st->hist);
		hist_sum(frame_row_hist(f, r, 1), st->delay_hist);
	}
	return r;
}

/* One vector's interval, per CPU: its row, the per-CPU view, its drill-down */
static int add_softirq(void *arg, __u32 vec, const void *values)
{
	struct irqs_state *s = arg;
	struct frame *f = s->frame;
	struct table *t = frame_table(f, &softirqs_table);
	struct table *cpus = frame_table(f, &softirq_cpus_table);
	bool focused = s->focus.table == &softirqs_table && s->focus.key == vec;
	struct softirq_stat sum = { 0 };
	struct table_row *r;
	bool used = false;
	char name[32];

	if (vec >= SOFTIRQ_VECS)
		return 0;
	for (int cpu = 0; cpu < s->ncpus; cpu++) {
		const struct softirq_stat *st = cpu_value(values, s->soft_size, cpu);

		if (!st->count && !st->delays)
			continue;
		used = true;
		softirq_add(&sum, st);
		softirq_add(&s->soft_cpu[cpu], st);
		if (focused && cpus) {
			snprintf(name, sizeof(name), "cpu%d", cpu);
			add_softirq_row(f, cpus, (uint64_t)cpu, intern(name), st);
		}
	}
	if (!used || !t)
		return 0;
	r = add_softirq_row(f, t, vec, softirq_names[vec], &sum);
	if (!r)
		return -ENOMEM;
	for (int cpu = 0; cpu < s->ncpus && cpu < 64; cpu++) {
		const struct softirq_stat *st = cpu_value(values, s->soft_size, cpu);

		if (st->count)
			r->v[9] |= 1ull << cpu;
	}
	return 0;
}

static int sample_softirqs(struct irqs_state *s, struct frame *f, __u64 epoch)
{
	struct table *by_cpu = frame_table(f, &softirqs_by_cpu_table);
	char name[32];
	int err;

	memset(s->soft_cpu, 0, (size_t)s->ncpus * sizeof(*s->soft_cpu));
	err = counter_map_read(&s->soft, epoch, add_softirq, s);
	if (err)
		return err;
	for (int cpu = 0; by_cpu && cpu < s->ncpus; cpu++) {
		if (!s->soft_cpu[cpu].count && !s->soft_cpu[cpu].delays)
			continue;
		snprintf(name, sizeof(name), "cpu%d", cpu);
		if (!add_softirq_row(f, by_cpu, (uint64_t)cpu, intern(name), &s->soft_cpu[cpu]))
			return -ENOMEM;
	}
	return 0;
}

static int irqs_sample(struct collector *c, struct frame *f)
{
	struct irqs_state *s = c->priv;
	__u64 epoch = s->skel->bss->counter_epoch;
	int err;

	c->dropped = s->skel->bss->lost; /* summed into the header's DROPPED count */
	s->frame = f;
	err = sample_hardirqs(s, f, epoch);
	if (!err)
		err = sample_softirqs(s, f, epoch);
	counter_epoch_advance(&s->skel->bss->counter_epoch);
	s->frame = NULL;
	return err;
}

static void irqs_focus(struct collector *c, const struct focus *focus)
{
	struct irqs_state *s = c->priv;

	s->focus = *focus;
}

const struct collector_ops interrupts_collector = {
	.name = "interrupts",
	.tables = irq_tables,
	.open = irqs_open,
	.sample = irqs_sample,
	.close = irqs_close,
	.focus = irqs_focus,
};
