// SPDX-License-Identifier: GPL-2.0
/*
 * collectors/deferred.c: deferred work beyond tasklets: one row per work function and
 * workqueue (runs, run time, queue delay, time held inactive, CPUs) and one per timer
 * callback and kind (starts, expiries, time in the callback, lateness, CPUs). Enter on a
 * row: its histograms and the processes that queued (armed) it.
 *
 * The kernel side gives each (function, workqueue) and (function, timer kind) a stats slot
 * and keeps cumulative counters in one array per table shared by all CPUs; each tick we
 * read their growth (counters.h). The callers of the focused row are counted only while
 * someone looks at them. Functions are named like the Tasklets pane's (kfunc.h).
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/deferred.h"
#include "bpf_util.h"
#include "container_filter.h"
#include "counters.h"
#include "core/collector.h"
#include "core/intern.h"
#include "core/ksyms.h"
#include "deferred.h"
#include "deferred.skel.h"
#include "kfunc.h"
#include "registry.h"

/* Key of the row of pairs beyond DEFERRED_OTHER_SLOT: the slot itself */
#define OTHER_ROW_KEY DEFERRED_OTHER_SLOT

static const char *const timer_kind_names[] = { "hrtimer", "hrtimer_soft", "timer", NULL };


static const struct table_column work_columns[] = {
	{ "func", "FUNCTION", COL_NAME, 0, 0, 24, false, "work function" },
	{ "workqueue", "WORKQUEUE", COL_NAME, 1, 0, 14, false,
	  "workqueue it was queued on (empty: its queueing was not seen)" },
	{ "count", "RUNS/s", COL_COUNT, DEFERRED_V_COUNT, 0, 8, false,
	  "runs completed per second" },
	{ "total_ns", "TIME/s", COL_TIME, DEFERRED_V_TOTAL, 0, 8, false, "run time per second" },
	{ "avg_ns", "AVG", COL_AVERAGE, DEFERRED_V_TOTAL, DEFERRED_V_COUNT, 8, true,
	  "average run time" },
	{ "max_ns", "MAX", COL_DURATION, DEFERRED_V_MAX, 0, 8, false,
	  "longest run in the interval" },
	{ "queue_total_ns", "QWAIT/s", COL_TIME, DEFERRED_V_DELAY_TOTAL, 0, 8, false,
	  "queue delay (queued to start of the run) summed, per second" },
	{ "queue_avg_ns", "QAVG", COL_AVERAGE, DEFERRED_V_DELAY_TOTAL, DEFERRED_V_DELAY_COUNT, 8,
	  true,
	  "average queue delay" },
	{ "queue_max_ns", "QMAX", COL_DURATION, DEFERRED_V_DELAY_MAX, 0, 8, false,
	  "longest queue delay in the interval" },
	{ "queued", "QUEUED/s", COL_COUNT, DEFERRED_V_QUEUED, 0, 9, false,
	  "items queued per second (queue_work that found the item idle)" },
	{ "cpus", "CPUS", COL_CPUS, DEFERRED_V_CPUS, 0, 8, false, "CPUs it ran on" },
	{ "held_total_ns", "INACT/s", COL_TIME, DEFERRED_V_HELD, 0, 8, false,
	  "part of the queue delay spent inactive (workqueue at its max_active), per second" },
	{ "queue_count", "QTIMED/s", COL_COUNT, DEFERRED_V_DELAY_COUNT, 0, 9, false,
	  "runs per second whose queueing was seen (the queue delay samples)" },
};

const struct table_schema workqueues_table = {
	.id = "workqueues",
	.title = "Workqueue items",
	.columns = work_columns,
	.ncolumns = sizeof(work_columns) / sizeof(work_columns[0]),
	.sort_column = 3,
	.max_rows = 256,
	.hist_count = 2,
	.hist_names = { "exec", "queue" },
	.drill = &workqueue_callers_table,
	.pane = true,
	.opt_in = true, /* hooks on every work item and timer: added by hand (docs/DEFERRED.md) */
};

static const struct table_column timer_columns[] = {
	{ "func", "FUNCTION", COL_NAME, 0, 0, 24, false, "timer callback" },
	{ "kind", "KIND", COL_TEXT_VALUE, DEFERRED_V_KIND, 0, 12, false,
	  "hrtimer (callback in hard-IRQ context), hrtimer_soft (HRTIMER softirq), "
	  "timer (timer_list, TIMER softirq)" },
	{ "count", "FIRED/s", COL_COUNT, DEFERRED_V_COUNT, 0, 8, false, "expiries per second" },
	{ "total_ns", "TIME/s", COL_TIME, DEFERRED_V_TOTAL, 0, 8, false,
	  "time in the callback per second" },
	{ "avg_ns", "AVG", COL_AVERAGE, DEFERRED_V_TOTAL, DEFERRED_V_COUNT, 8, true,
	  "average time in the callback" },
	{ "max_ns", "MAX", COL_DURATION, DEFERRED_V_MAX, 0, 8, false,
	  "longest callback run in the interval" },
	{ "late_avg_ns", "LATEAVG", COL_AVERAGE, DEFERRED_V_DELAY_TOTAL, DEFERRED_V_DELAY_COUNT, 8,
	  true,
	  "average lateness: expiry time to the callback (timer: in jiffies)" },
	{ "late_max_ns", "LATEMAX", COL_DURATION, DEFERRED_V_DELAY_MAX, 0, 8, false,
	  "largest lateness in the interval" },
	{ "starts", "STARTS/s", COL_COUNT, DEFERRED_V_QUEUED, 0, 9, false,
	  "hrtimer_start / timer_start (armed or re-armed) per second" },
	{ "cpus", "CPUS", COL_CPUS, DEFERRED_V_CPUS, 0, 8, false, "CPUs it fired on" },
	{ "late_total_ns", "LATE/s", COL_TIME, DEFERRED_V_DELAY_TOTAL, 0, 8, false,
	  "lateness summed, per second" },
	{ "late_count", "LTIMED/s", COL_COUNT, DEFERRED_V_DELAY_COUNT, 0, 9, false,
	  "expiries per second whose lateness is known (the lateness samples)" },
};

const struct table_schema timers_table = {
	.id = "timers",
	.title = "Timers",
	.columns = timer_columns,
	.ncolumns = sizeof(timer_columns) / sizeof(timer_columns[0]),
	.sort_column = 2,
	.max_rows = 256,
	.hist_count = 2,
	.hist_names = { "exec", "late" },
	.value_names = timer_kind_names,
	.drill = &timer_callers_table,
	.pane = true,
	.opt_in = true,
};

#define CALLER_COLUMNS(count_title, count_help, cpus_help)                                  \
	{ "pid", "PID", COL_ID, DEFERRED_CALLER_V_PID, 0, 7, false,                           \
	  "process id (thread group)" },                                                      \
	{ "comm", "COMMAND", COL_NAME, 0, 0, 16, false,                                       \
	  "its name (kworker/N for work queued by work, swapper/N from an idle CPU's IRQ)" }, \
	{ "count", count_title, COL_COUNT, DEFERRED_CALLER_V_COUNT, 0, 9, false, count_help }, \
	{ "share", "%", COL_SHARE, DEFERRED_CALLER_V_COUNT, 0, 5, true,                       \
	  "share of the row's total" },                                                       \
	{ "cpus", "CPUS", COL_CPUS, DEFERRED_CALLER_V_CPUS, 0, 8, false, cpus_help }

static const struct table_column work_caller_columns[] = {
	CALLER_COLUMNS("QUEUED/s", "items it queued per second (incl. from IRQs it was hit by)",
		       "CPUs it queued from, since the row was opened"),
};

static const struct table_column timer_caller_columns[] = {
	CALLER_COLUMNS("STARTS/s", "times it armed the timer per second",
		       "CPUs it armed from, since the row was opened"),
};

/* The focused row's callers: filled only while someone drills into it */
const struct table_schema workqueue_callers_table = {
	.id = "workqueue_callers",
	.title = "Queued by",
	.columns = work_caller_columns,
	.ncolumns = sizeof(work_caller_columns) / sizeof(work_caller_columns[0]),
	.sort_column = 2,
	.max_rows = 256,
	.detail = true,
};

const struct table_schema timer_callers_table = {
	.id = "timer_callers",
	.title = "Armed by",
	.columns = timer_caller_columns,
	.ncolumns = sizeof(timer_caller_columns) / sizeof(timer_caller_columns[0]),
	.sort_column = 2,
	.max_rows = 256,
	.detail = true,
};

static const struct table_schema *const deferred_tables[] = {
	&workqueues_table, &workqueue_callers_table, &timers_table, &timer_callers_table, NULL
};

static const struct counter_layout stat_layout = {
	.size = sizeof(struct deferred_stat),
	.u64s = offsetof(struct deferred_stat, max) / sizeof(__u64),
	.maxes = 2,
	.u32s = 2 * KTOP_HIST_SLOTS,
};

static const struct counter_layout caller_layout = {
	.size = sizeof(struct deferred_caller),
	.u64s = 1,
};

/* One table's side: its maps, what we learnt of its slots, its focus */
struct deferred_part {
	const struct table_schema *table, *callers_table;
	struct bpf_map *info_map, *callers_map;
	struct counter_map stats, callers;
	bool on, callers_ready;
	__u32 focus; /* slot, DEFERRED_NO_FOCUS when none */
	struct deferred_slot_info info[DEFERRED_SLOTS];
	bool known[DEFERRED_SLOTS];
};

struct deferred_state {
	struct deferred_bpf *skel; /* first: tests/bpf_deferred.c reaches it through priv */
	struct deferred_part parts[DEFERRED_TABLES];
	const struct ksyms *ksyms; /* shared; NULL when /proc/kallsyms cannot be read */
	struct frame *frame;	   /* the frame being filled */
	struct deferred_part *part; /* the part being read */
	__u64 epoch;
	__u64 unmatched_first; /* work runs not seen queued, in the first read (before load) */
	bool sampled;
};

static void deferred_close(struct collector *c)
{
	struct deferred_state *s = c->priv;

	if (!s)
		return;
	deferred_bpf__destroy(s->skel);
	for (int i = 0; i < DEFERRED_TABLES; i++) {
		counter_map_free(&s->parts[i].stats);
		counter_map_free(&s->parts[i].callers);
	}
	if (s->ksyms)
		ksyms_kernel_put();
	free(s);
	c->priv = NULL;
}

static bool have_all(const char *const *names)
{
	for (; *names; names++)
		if (!probe_btf_tracepoint(*names))
			return false;
	return true;
}

#define CHOOSE(skel, name, use_btf, on)                                                      \
	do {                                                                                 \
		bpf_choose_variant((skel)->progs.name##_btf, (skel)->progs.name##_raw, use_btf); \
		if (!(on)) {                                                                 \
			bpf_program__set_autoload((skel)->progs.name##_btf, false);          \
			bpf_program__set_autoload((skel)->progs.name##_raw, false);          \
		}                                                                            \
	} while (0)

/* The kernel's jiffy in ns: CLOCK_MONOTONIC_COARSE advances once a tick, and its
 * resolution is what the kernel calls TICK_NSEC (1 s / CONFIG_HZ); 0 if not told */
static uint64_t jiffy_ns(void)
{
	struct timespec res;

	if (clock_getres(CLOCK_MONOTONIC_COARSE, &res) || res.tv_sec)
		return 0;
	return (uint64_t)res.tv_nsec;
}

static void choose_programs(struct deferred_bpf *skel, bool use_btf, bool work, bool activate,
			    bool hrtimers, bool timers)
{
	CHOOSE(skel, work_queue, use_btf, work);
	CHOOSE(skel, work_activate, use_btf, work && activate);
	CHOOSE(skel, work_start, use_btf, work);
	CHOOSE(skel, work_end, use_btf, work);
	CHOOSE(skel, hrtimer_start, use_btf, hrtimers);
	CHOOSE(skel, hrtimer_entry, use_btf, hrtimers);
	CHOOSE(skel, hrtimer_exit, use_btf, hrtimers);
	CHOOSE(skel, timer_start, use_btf, timers);
	CHOOSE(skel, timer_entry, use_btf, timers);
	CHOOSE(skel, timer_exit, use_btf, timers);
}

static int part_init(struct deferred_part *p, const struct table_schema *table,
		     const struct table_schema *callers_table, struct bpf_map *stats,
		     struct bpf_map *info, struct bpf_map *callers, bool on)
{
	p->table = table;
	p->callers_table = callers_table;
	p->info_map = info;
	p->callers_map = callers;
	p->on = on;
	p->focus = DEFERRED_NO_FOCUS;
	/* one value per key: the map is shared by the CPUs, not per CPU */
	return counter_map_init(&p->stats, bpf_map__fd(stats), &stat_layout, 1, false);
}

static int deferred_open(struct collector *c, const struct ktop_config *cfg)
{
	static const char *const work_tps[] = { "workqueue_queue_work", "workqueue_execute_start",
						"workqueue_execute_end", NULL };
	static const char *const hrtimer_tps[] = { "hrtimer_start", "hrtimer_expire_entry",
						   "hrtimer_expire_exit", NULL };
	static const char *const timer_tps[] = { "timer_start", "timer_expire_entry",
						 "timer_expire_exit", NULL };
	bool use_btf = probe_kernel_btf(), work = have_all(work_tps);
	bool activate = probe_btf_tracepoint("workqueue_activate_work");
	bool hrtimers = have_all(hrtimer_tps), timers = have_all(timer_tps);
	struct deferred_state *s;
	struct deferred_bpf *skel;
	int err;

	(void)cfg;
	if (!work && !hrtimers && !timers)
		return collector_fail(c, "kernel has no workqueue_execute_start/end, "
				      "hrtimer_expire_entry/exit or timer_expire_entry/exit tracepoints");
	s = calloc(1, sizeof(*s));
	if (!s)
		return collector_fail(c, "out of memory");
	c->priv = s;
	s->ksyms = ksyms_kernel_get(&err); /* without them, functions show as addresses */

	skel = deferred_bpf__open();
	if (!skel) {
		err = -errno;
		deferred_close(c);
		return collector_fail(c, "cannot open BPF object: %s", bpf_error_reason(err));
	}
	s->skel = skel;
	skel->rodata->jiffy_ns = jiffy_ns();
	choose_programs(skel, use_btf, work, activate, hrtimers, timers);
	err = container_filter_reuse(skel->obj);
	if (err) {
		deferred_close(c);
		return collector_fail(c, "cannot share the container filter: %s",
				      bpf_error_reason(err));
	}
	err = deferred_bpf__load(skel);
	if (err) {
		deferred_close(c);
		return collector_fail(c, "cannot load: %s", bpf_error_reason(err));
	}
	err = part_init(&s->parts[DEFERRED_WORK], &workqueues_table, &workqueue_callers_table,
			skel->maps.work_stats, skel->maps.work_slot_info, skel->maps.work_callers,
			work);
	if (!err)
		err = part_init(&s->parts[DEFERRED_TIMER], &timers_table, &timer_callers_table,
				skel->maps.timer_stats, skel->maps.timer_slot_info,
				skel->maps.timer_callers, hrtimers || timers);
	if (err) {
		deferred_close(c);
		return collector_fail(c, "out of memory");
	}
	err = deferred_bpf__attach(skel);
	if (err) {
		deferred_close(c);
		return collector_fail(c, "cannot attach to the workqueue and timer tracepoints: %s",
				      bpf_error_reason(err));
	}
	/* running, but say what is missing: --check and the status line show it */
	if (!work || !hrtimers || !timers || !activate)
		snprintf(c->reason, sizeof(c->reason), "without%s%s%s%s: tracepoints missing",
			 work ? "" : " workqueue items", hrtimers ? "" : " hrtimers",
			 timers ? "" : " timer_list timers",
			 !work || activate ? "" : " inactive time (workqueue_activate_work)");
	return 0;
}

/* What slot holds, learnt once from the info map */
static const struct deferred_slot_info *slot_info(struct deferred_part *p, __u32 slot)
{
	if (slot >= DEFERRED_SLOTS)
		return NULL;
	if (!p->known[slot] &&
	    bpf_map_lookup_elem(bpf_map__fd(p->info_map), &slot, &p->info[slot]) == 0)
		p->known[slot] = true;
	return p->known[slot] ? &p->info[slot] : NULL;
}

/* One slot's interval into its row (the row key is the slot: stable while ktop runs) */
static int add_slot(void *arg, __u32 slot, const void *values)
{
	struct deferred_state *s = arg;
	struct deferred_part *p = s->part;
	const struct deferred_stat *st = values;
	const struct deferred_slot_info *info;
	struct table *t = frame_table(s->frame, p->table);
	struct hist *exec, *delay;
	struct table_row *r;

	if (!t || slot >= DEFERRED_SLOTS)
		return 0;
	info = slot == DEFERRED_OTHER_SLOT ? NULL : slot_info(p, slot);
	if (slot != DEFERRED_OTHER_SLOT && !info)
		return 0;
	r = table_add_row(t, slot);
	if (!r)
		return -ENOMEM;
	if (!info) {
		r->name = intern("(other functions)");
	} else {
		r->name = kfunc_name(s->ksyms, info->func);
		if (p->table == &workqueues_table)
			r->label = intern_n(info->name, strnlen(info->name, sizeof(info->name)));
		else
			r->v[DEFERRED_V_KIND] = info->ctx < TIMER_KINDS ? info->ctx :
							TIMER_KIND_TIMER;
	}
	if (p->table == &workqueues_table && !r->label)
		r->label = intern("");
	r->v[DEFERRED_V_COUNT] = st->count;
	r->v[DEFERRED_V_TOTAL] = st->total_ns;
	/* the maxima are plain stores into a map all CPUs share (counter_max) */
	r->v[DEFERRED_V_MAX] = counter_max(st->max.ns, st->total_ns, st->count);
	r->v[DEFERRED_V_DELAY_COUNT] = st->delay_count;
	r->v[DEFERRED_V_DELAY_TOTAL] = st->delay_total_ns;
	r->v[DEFERRED_V_DELAY_MAX] = counter_max(st->delay_max.ns, st->delay_total_ns,
						 st->delay_count);
	r->v[DEFERRED_V_QUEUED] = st->queued;
	r->v[DEFERRED_V_HELD] = st->held_total_ns;
	r->v[DEFERRED_V_CPUS] = st->cpus.epoch == s->epoch ? st->cpus.bits : 0;
	exec = frame_row_hist(s->frame, r, 0);
	delay = frame_row_hist(s->frame, r, 1);
	if (exec) /* making delay's may have moved it */
		exec = frame_row_hist(s->frame, r, 0);
	hist_add_u32(exec, st->exec_hist);
	hist_add_u32(delay, st->delay_hist);
	return 0;
}

static int add_caller(void *arg, __u32 tgid, const void *values)
{
	struct deferred_state *s = arg;
	const struct deferred_caller *dc = values;
	struct table *t = frame_table(s->frame, s->part->callers_table);
	struct table_row *r;

	if (!t || !dc->count)
		return 0;
	r = table_add_row(t, tgid);
	if (!r)
		return -ENOMEM;
	r->name = intern_n(dc->comm, strnlen(dc->comm, sizeof(dc->comm)));
	r->v[DEFERRED_CALLER_V_PID] = tgid;
	r->v[DEFERRED_CALLER_V_COUNT] = dc->count;
	r->v[DEFERRED_CALLER_V_CPUS] = dc->cpus;
	return 0;
}

static int part_sample(struct deferred_state *s, struct deferred_part *p)
{
	struct table *t;
	int err;

	if (!p->on)
		return 0;
	s->part = p;
	err = counter_map_read(&p->stats, s->epoch, add_slot, s);
	if (!err && p->callers_ready)
		err = counter_map_read(&p->callers, s->epoch, add_caller, s);
	t = frame_table(s->frame, p->table);
	if (t)
		table_trim(t);
	t = frame_table(s->frame, p->callers_table);
	if (t)
		table_trim(t);
	return err;
}

static int deferred_sample(struct collector *c, struct frame *f)
{
	struct deferred_state *s = c->priv;
	__u64 unmatched = s->skel->bss->work_unmatched;
	int err = 0;

	/* work runs whose queueing was missed after the first read: records the LRU evicted
	 * (their runs count, without a queue delay); summed into the header's DROPPED */
	if (!s->sampled)
		s->unmatched_first = unmatched;
	s->sampled = true;
	c->dropped = unmatched - s->unmatched_first;
	s->frame = f;
	s->epoch = __atomic_load_n(&s->skel->bss->counter_epoch, __ATOMIC_ACQUIRE);
	for (int i = 0; i < DEFERRED_TABLES && !err; i++)
		err = part_sample(s, &s->parts[i]);
	counter_epoch_advance(&s->skel->bss->counter_epoch);
	s->frame = NULL;
	s->part = NULL;
	return err;
}

/* Count the callers of slot (DEFERRED_NO_FOCUS: nobody's) from now on */
static void part_focus(struct deferred_state *s, struct deferred_part *p, __u32 table,
		       __u32 slot)
{
	int fd = bpf_map__fd(p->callers_map);
	__u32 key;

	if (p->focus == slot)
		return;
	p->focus = slot;
	s->skel->data->focus_slot[table] = DEFERRED_NO_FOCUS;
	/* the previous row's callers go; counting starts again from zero */
	while (bpf_map_get_next_key(fd, NULL, &key) == 0 && bpf_map_delete_elem(fd, &key) == 0)
		;
	counter_map_free(&p->callers);
	p->callers_ready = false;
	if (slot == DEFERRED_NO_FOCUS)
		return;
	if (counter_map_init(&p->callers, fd, &caller_layout, 1, false) == 0)
		p->callers_ready = true;
	s->skel->data->focus_slot[table] = slot;
}

static void deferred_focus(struct collector *c, const struct focus *focus)
{
	struct deferred_state *s = c->priv;

	for (__u32 i = 0; i < DEFERRED_TABLES; i++) {
		struct deferred_part *p = &s->parts[i];
		bool mine = focus->table == p->table && focus->key < DEFERRED_OTHER_SLOT;

		part_focus(s, p, i, mine ? (__u32)focus->key : DEFERRED_NO_FOCUS);
	}
}

const struct collector_ops deferred_collector = {
	.name = "deferred",
	.tables = deferred_tables,
	.open = deferred_open,
	.sample = deferred_sample,
	.close = deferred_close,
	.focus = deferred_focus,
};
