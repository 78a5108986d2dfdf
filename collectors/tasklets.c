// SPDX-License-Identifier: GPL-2.0
/*
 * collectors/tasklets.c: one row per tasklet function (and BH work function): runs,
 * execution time, queue delay, priority, CPUs; drill-down is the per-CPU split.
 *
 * The kernel side gives each function a stats slot and keeps cumulative stats per (slot,
 * CPU) in a hash of the pairs that ran; each tick we read their growth (counters.h) back as
 * per-CPU values (cpu_slots.h), the slot of functions beyond the others included.
 * Function addresses are named from /proc/kallsyms, loaded once at open.
 * Kernels without the tasklet tracepoints get the TASKLET and HI softirq vectors as a
 * whole, and a row that says so.
 *
 * Test hook: KTOP_TASKLETS_FALLBACK=1 in the environment forces that fallback.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/tasklets.h"
#include "bpf_util.h"
#include "container_filter.h"
#include "counters.h"
#include "cpu_slots.h"
#include "core/collector.h"
#include "core/intern.h"
#include "core/ksyms.h"
#include "kfunc.h"
#include "registry.h"
#include "tasklets.h"
#include "tasklets.skel.h"

/* Key of the row that says the kernel has no tasklet tracepoints */
#define STATUS_ROW_KEY UINT64_MAX
/* Key of the row of functions beyond TASKLET_OTHER_SLOT */
#define OTHER_ROW_KEY (UINT64_MAX - 1)
#define MAX_FUNCS 512

static const char *const kind_names[] = { "tasklet", "tasklet_hi", "bh_work", "vector", NULL };

static const struct table_column tasklet_columns[] = {
	{ "func", "FUNCTION", COL_NAME, 0, 0, 24, false, "tasklet or BH work function" },
	{ "kind", "KIND", COL_TEXT_VALUE, TASKLET_V_KIND, 0, 10, false,
	  "tasklet, tasklet_hi (HI softirq), bh_work (WQ_BH work item) or vector (fallback)" },
	{ "count", "RUNS/s", COL_COUNT, TASKLET_V_COUNT, 0, 8, false,
	  "runs completed per second" },
	{ "total_ns", "TIME/s", COL_TIME, TASKLET_V_TOTAL, 0, 8, false,
	  "execution time per second" },
	{ "avg_ns", "AVG", COL_AVERAGE, TASKLET_V_TOTAL, TASKLET_V_COUNT, 8, true,
	  "average execution time" },
	{ "max_ns", "MAX", COL_DURATION, TASKLET_V_MAX, 0, 8, false,
	  "longest run in the interval" },
	{ "queue_total_ns", "QWAIT/s", COL_TIME, TASKLET_V_QUEUE_TOTAL, 0, 8, false,
	  "queue delay (schedule to start of run) summed, per second" },
	{ "queue_avg_ns", "QAVG", COL_AVERAGE, TASKLET_V_QUEUE_TOTAL, TASKLET_V_QUEUE_COUNT, 8,
	  true, "average queue delay" },
	{ "queue_max_ns", "QMAX", COL_DURATION, TASKLET_V_QUEUE_MAX, 0, 8, false,
	  "longest queue delay in the interval" },
	{ "cpus", "CPUS", COL_CPUS, TASKLET_V_CPUS, 0, 8, false, "CPUs it ran on" },
};

const struct table_schema tasklets_table = {
	.id = "tasklets",
	.title = "Tasklets",
	.columns = tasklet_columns,
	.ncolumns = sizeof(tasklet_columns) / sizeof(tasklet_columns[0]),
	.sort_column = 3,
	.max_rows = 256,
	.hist_count = 2,
	.hist_names = { "exec", "queue" },
	.value_names = kind_names,
	.drill = &tasklet_cpus_table,
	.pane = true,
	.charged = true,
};

static const struct table_column cpu_columns[] = {
	{ "cpu", "CPU", COL_ID, TASKLET_V_CPU, 0, 4, false, "CPU" },
	{ "count", "RUNS/s", COL_COUNT, TASKLET_V_COUNT, 0, 8, false,
	  "runs per second on this CPU" },
	{ "total_ns", "TIME/s", COL_TIME, TASKLET_V_TOTAL, 0, 8, false,
	  "execution time per second" },
	{ "avg_ns", "AVG", COL_AVERAGE, TASKLET_V_TOTAL, TASKLET_V_COUNT, 8, true,
	  "average execution time" },
	{ "max_ns", "MAX", COL_DURATION, TASKLET_V_MAX, 0, 8, false, "longest run" },
	{ "queue_total_ns", "QWAIT/s", COL_TIME, TASKLET_V_QUEUE_TOTAL, 0, 8, false,
	  "queue delay summed, per second" },
	{ "queue_avg_ns", "QAVG", COL_AVERAGE, TASKLET_V_QUEUE_TOTAL, TASKLET_V_QUEUE_COUNT, 8,
	  true, "average queue delay" },
	{ "queue_max_ns", "QMAX", COL_DURATION, TASKLET_V_QUEUE_MAX, 0, 8, false,
	  "longest queue delay" },
	{ "share", "%TIME", COL_SHARE, TASKLET_V_TOTAL, 0, 6, true,
	  "share of the function's time" },
};

/* The focused function per CPU: filled only while someone drills into it */
const struct table_schema tasklet_cpus_table = {
	.id = "tasklet_cpus",
	.title = "Per CPU",
	.columns = cpu_columns,
	.ncolumns = sizeof(cpu_columns) / sizeof(cpu_columns[0]),
	.sort_column = 2,
	.max_rows = 1024,
	.detail = true,
	.charged = true,
};

static const struct table_schema *const tasklet_tables[] = {
	&tasklets_table, &tasklet_cpus_table, NULL
};

/* The kind a function had when we last saw it queued (a run may miss its raise) */
struct func_kind {
	__u64 func;
	__u32 kind;
};

static const struct counter_layout tasklet_stat_layout = {
	.size = sizeof(struct tasklet_stat),
	.u64s = offsetof(struct tasklet_stat, max) / sizeof(__u64),
	.maxes = 2,
	.u32s = 2 * KTOP_HIST_SLOTS,
};

struct tasklets_state {
	struct tasklets_bpf *skel; /* first: tests/bpf_tasklets.c reaches it through priv */
	bool fallback;
	int ncpus;
	size_t stat_size;
	struct cpu_slot_map stats;
	struct frame *frame; /* the frame being filled */
	__u64 slot_func[TASKLET_SLOTS]; /* 0 until learnt from slot_funcs */
	const struct ksyms *ksyms; /* shared; NULL when /proc/kallsyms cannot be read */
	struct func_kind kinds[MAX_FUNCS];
	unsigned int nkinds;
	bool focused;
	__u64 focus_func;
};

static void tasklets_close(struct collector *c)
{
	struct tasklets_state *s = c->priv;

	if (!s)
		return;
	tasklets_bpf__destroy(s->skel);
	cpu_slot_map_free(&s->stats);
	if (s->ksyms)
		ksyms_kernel_put();
	free(s);
	c->priv = NULL;
}

/* The tasklet-mode programs on (btf or raw twin) or off */
static void choose_tasklet_programs(struct tasklets_bpf *skel, bool on, bool use_btf,
				    bool queue_delay, bool bh_work)
{
	bpf_choose_variant(skel->progs.tasklet_entry_btf, skel->progs.tasklet_entry_raw, use_btf);
	bpf_choose_variant(skel->progs.tasklet_exit_btf, skel->progs.tasklet_exit_raw, use_btf);
	bpf_choose_variant(skel->progs.tasklet_raise_btf, skel->progs.tasklet_raise_raw, use_btf);
	bpf_choose_variant(skel->progs.bh_queue_btf, skel->progs.bh_queue_raw, use_btf);
	bpf_choose_variant(skel->progs.bh_start_btf, skel->progs.bh_start_raw, use_btf);
	bpf_choose_variant(skel->progs.bh_end_btf, skel->progs.bh_end_raw, use_btf);
	if (!on) {
		bpf_program__set_autoload(skel->progs.tasklet_entry_btf, false);
		bpf_program__set_autoload(skel->progs.tasklet_entry_raw, false);
		bpf_program__set_autoload(skel->progs.tasklet_exit_btf, false);
		bpf_program__set_autoload(skel->progs.tasklet_exit_raw, false);
	}
	if (!on || !queue_delay) {
		bpf_program__set_autoload(skel->progs.tasklet_raise_btf, false);
		bpf_program__set_autoload(skel->progs.tasklet_raise_raw, false);
	}
	if (!bh_work) {
		bpf_program__set_autoload(skel->progs.bh_queue_btf, false);
		bpf_program__set_autoload(skel->progs.bh_queue_raw, false);
		bpf_program__set_autoload(skel->progs.bh_start_btf, false);
		bpf_program__set_autoload(skel->progs.bh_start_raw, false);
		bpf_program__set_autoload(skel->progs.bh_end_btf, false);
		bpf_program__set_autoload(skel->progs.bh_end_raw, false);
	}
}

static void choose_vector_programs(struct tasklets_bpf *skel, bool on, bool use_btf)
{
	bpf_choose_variant(skel->progs.tasklet_vraise_btf, skel->progs.tasklet_vraise_raw,
			   use_btf);
	bpf_choose_variant(skel->progs.tasklet_ventry_btf, skel->progs.tasklet_ventry_raw,
			   use_btf);
	bpf_choose_variant(skel->progs.tasklet_vexit_btf, skel->progs.tasklet_vexit_raw, use_btf);
	if (on)
		return;
	bpf_program__set_autoload(skel->progs.tasklet_vraise_btf, false);
	bpf_program__set_autoload(skel->progs.tasklet_vraise_raw, false);
	bpf_program__set_autoload(skel->progs.tasklet_ventry_btf, false);
	bpf_program__set_autoload(skel->progs.tasklet_ventry_raw, false);
	bpf_program__set_autoload(skel->progs.tasklet_vexit_btf, false);
	bpf_program__set_autoload(skel->progs.tasklet_vexit_raw, false);
}

static bool have_all(const char *const *names)
{
	for (; *names; names++)
		if (!probe_btf_tracepoint(*names))
			return false;
	return true;
}

static int tasklets_open(struct collector *c, const struct ktop_config *cfg)
{
	static const char *const tasklet_tps[] = { "tasklet_entry", "tasklet_exit", NULL };
	static const char *const vector_tps[] = { "softirq_entry", "softirq_exit",
						  "softirq_raise", NULL };
	static const char *const work_tps[] = { "workqueue_queue_work", "workqueue_execute_start",
						"workqueue_execute_end", NULL };
	const char *force = getenv("KTOP_TASKLETS_FALLBACK");
	struct percpu_offsets percpu;
	bool use_btf = probe_kernel_btf(), bh_work = have_all(work_tps);
	struct tasklets_state *s;
	struct tasklets_bpf *skel;
	int err;

	(void)cfg;
	s = calloc(1, sizeof(*s));
	if (!s)
		return collector_fail(c, "out of memory");
	c->priv = s;
	s->fallback = !have_all(tasklet_tps) || (force && strcmp(force, "1") == 0);
	if (s->fallback && !have_all(vector_tps)) {
		tasklets_close(c);
		return collector_fail(c, "kernel has neither the irq:tasklet_entry/exit nor the "
				      "irq:softirq_entry/exit tracepoints");
	}
	s->ncpus = bpf_possible_cpus();
	percpu_offsets_probe(&percpu, "tasklet_vec", "tasklet_hi_vec", NULL);
	s->stat_size = counter_stride(&tasklet_stat_layout);
	s->ksyms = ksyms_kernel_get(&err); /* without them, functions show as addresses */

	skel = tasklets_bpf__open();
	if (!skel) {
		err = -errno;
		tasklets_close(c);
		return collector_fail(c, "cannot open BPF object: %s", bpf_error_reason(err));
	}
	s->skel = skel;
	PERCPU_OFFSETS_SET(skel->rodata, &percpu);
	skel->rodata->off_tasklet_vec = percpu.var[0];
	skel->rodata->off_tasklet_hi_vec = percpu.var[1];
	choose_tasklet_programs(skel, !s->fallback, use_btf, percpu.known && !s->fallback,
				bh_work && !s->fallback);
	choose_vector_programs(skel, s->fallback, use_btf);
	if (s->ncpus > TASKLET_SIZED_CPUS)
		bpf_map__set_max_entries(skel->maps.tasklet_stats,
					 TASKLET_FUNCS_PER_CPU * (__u32)s->ncpus);

	err = container_filter_reuse(skel->obj);
	if (err) {
		tasklets_close(c);
		return collector_fail(c, "cannot share the container filter: %s",
				      bpf_error_reason(err));
	}
	err = tasklets_bpf__load(skel);
	if (err) {
		tasklets_close(c);
		return collector_fail(c, "cannot load: %s", bpf_error_reason(err));
	}
	err = cpu_slot_map_init(&s->stats, bpf_map__fd(skel->maps.tasklet_stats),
				&tasklet_stat_layout, s->ncpus);
	if (err) {
		tasklets_close(c);
		return collector_fail(c, "out of memory");
	}
	err = tasklets_bpf__attach(skel);
	if (err) {
		tasklets_close(c);
		return collector_fail(c, "cannot attach to the tasklet tracepoints: %s",
				      bpf_error_reason(err));
	}
	/* running, but say what is missing: --check and the status line show it */
	if (s->fallback)
		snprintf(c->reason, sizeof(c->reason),
			 "fallback: no irq:tasklet_entry/exit tracepoints (Linux 6.4+), showing "
			 "TASKLET/HI softirq vector time");
	else if (!percpu.known)
		snprintf(c->reason, sizeof(c->reason),
			 "no queue delay: per-CPU tasklet_vec/runqueues not found in kernel BTF");
	return 0;
}

static __u32 remembered_kind(struct tasklets_state *s, __u64 func, __u64 kinds)
{
	__u32 kind = TASKLET_KINDS;

	if (kinds & (1ull << TASKLET_KIND_BH_WORK))
		kind = TASKLET_KIND_BH_WORK;
	else if (kinds & (1ull << TASKLET_KIND_SOFTIRQ))
		kind = TASKLET_KIND_SOFTIRQ;
	else if (kinds & (1ull << TASKLET_KIND_NORMAL))
		kind = TASKLET_KIND_NORMAL;
	else if (kinds & (1ull << TASKLET_KIND_HI))
		kind = TASKLET_KIND_HI;
	for (unsigned int i = 0; i < s->nkinds; i++) {
		if (s->kinds[i].func != func)
			continue;
		if (kind == TASKLET_KINDS)
			return s->kinds[i].kind;
		s->kinds[i].kind = kind;
		return kind;
	}
	if (kind == TASKLET_KINDS)
		return TASKLET_KIND_NORMAL; /* never seen queued: most tasklets are */
	if (s->nkinds < MAX_FUNCS)
		s->kinds[s->nkinds++] = (struct func_kind){ func, kind };
	return kind;
}

static const char *func_name(struct tasklets_state *s, __u64 func)
{
	if (func == OTHER_ROW_KEY)
		return intern("(other functions)");
	if (s->fallback)
		return intern(func == TASKLET_VEC_HI ? "HI softirq" : "TASKLET softirq");
	return kfunc_name(s->ksyms, func);
}

static const struct tasklet_stat *stat_of(struct tasklets_state *s, const void *values, int cpu)
{
	return (const struct tasklet_stat *)((const char *)values + (size_t)cpu * s->stat_size);
}

static void add_stat(struct table_row *r, const struct tasklet_stat *st)
{
	r->v[TASKLET_V_COUNT] += st->count;
	r->v[TASKLET_V_TOTAL] += st->total_ns;
	counter_max_into(&r->v[TASKLET_V_MAX], st->max.ns, st->total_ns, st->count);
	r->v[TASKLET_V_QUEUE_COUNT] += st->queue_count;
	r->v[TASKLET_V_QUEUE_TOTAL] += st->queue_total_ns;
	counter_max_into(&r->v[TASKLET_V_QUEUE_MAX], st->queue_max.ns, st->queue_total_ns,
			 st->queue_count);
}

/* One function's per-CPU values into its row, and the CPU split if focused */
static int fill_row(struct tasklets_state *s, const void *values, __u64 func)
{
	struct frame *f = s->frame;
	struct table *t = frame_table(f, &tasklets_table);
	struct table *cpus = NULL;
	struct hist *exec, *queue;
	struct table_row *r;
	__u64 kinds = 0;

	if (!t)
		return 0;
	if (s->focused && s->focus_func == func)
		cpus = frame_table(f, &tasklet_cpus_table);
	r = table_find_row(t, func); /* a function may briefly own two slots */
	if (!r)
		r = table_add_row(t, func);
	if (!r)
		return -ENOMEM;
	r->name = func_name(s, func);
	exec = frame_row_hist(f, r, 0);
	queue = frame_row_hist(f, r, 1);
	if (exec) /* making queue's may have moved it */
		exec = frame_row_hist(f, r, 0);
	for (int cpu = 0; cpu < s->ncpus; cpu++) {
		const struct tasklet_stat *st = stat_of(s, values, cpu);
		struct table_row *cr;

		if (!st->count)
			continue;
		add_stat(r, st);
		kinds |= st->kinds;
		if (cpu < 64)
			r->v[TASKLET_V_CPUS] |= 1ull << cpu;
		hist_add_u32(exec, st->exec_hist);
		hist_add_u32(queue, st->queue_hist);
		if (!cpus)
			continue;
		cr = table_find_row(cpus, (uint64_t)cpu);
		if (!cr)
			cr = table_add_row(cpus, (uint64_t)cpu);
		if (!cr)
			return -ENOMEM;
		cr->v[TASKLET_V_CPU] = (uint64_t)cpu;
		add_stat(cr, st);
	}
	r->v[TASKLET_V_KIND] = remembered_kind(s, func, kinds);
	return 0;
}

/* The function that owns slot, learnt once from slot_funcs */
static __u64 slot_function(struct tasklets_state *s, __u32 slot)
{
	__u64 func = 0;

	if (slot == TASKLET_OTHER_SLOT)
		return OTHER_ROW_KEY;
	if (!s->slot_func[slot] &&
	    bpf_map_lookup_elem(bpf_map__fd(s->skel->maps.slot_funcs), &slot, &func) == 0)
		s->slot_func[slot] = func;
	return s->slot_func[slot];
}

/* One slot's interval, per CPU, into its function's row */
static int add_slot(void *arg, __u32 slot, const void *values)
{
	struct tasklets_state *s = arg;
	__u64 func;

	if (slot >= TASKLET_SLOTS)
		return 0;
	func = slot_function(s, slot);
	return func ? fill_row(s, values, func) : 0;
}

static int tasklets_sample(struct collector *c, struct frame *f)
{
	struct tasklets_state *s = c->priv;
	struct table *t;
	int err;

	/* summed into the header's DROPPED count */
	c->dropped = s->skel->bss->lost_delays + s->skel->bss->lost_runs;
	s->frame = f;
	err = cpu_slot_map_read(&s->stats, s->skel->bss->counter_epoch, add_slot, s);
	counter_epoch_advance(&s->skel->bss->counter_epoch);
	s->frame = NULL;
	t = frame_table(f, &tasklets_table);
	if (s->fallback && t) {
		struct table_row *r = table_add_row(t, STATUS_ROW_KEY);

		if (r) {
			r->name = intern("(no tasklet tracepoints: vector time only)");
			r->v[TASKLET_V_KIND] = TASKLET_KIND_SOFTIRQ;
		}
	}
	if (t)
		table_trim(t);
	return err;
}

static void tasklets_focus(struct collector *c, const struct focus *focus)
{
	struct tasklets_state *s = c->priv;

	s->focused = focus->table == &tasklets_table;
	s->focus_func = s->focused ? focus->key : 0;
}

const struct collector_ops tasklets_collector = {
	.name = "tasklets",
	.tables = tasklet_tables,
	.open = tasklets_open,
	.sample = tasklets_sample,
	.close = tasklets_close,
	.focus = tasklets_focus,
};
