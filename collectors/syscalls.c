// SPDX-License-Identifier: GPL-2.0
/*
 * collectors/syscalls.c: system calls per syscall and per process.
 *
 * The kernel side keeps cumulative counters per slot [abi][nr], shared by the CPUs, read
 * each tick as deltas (counters.h). Processes are cumulative LRU entries the CPUs share
 * too, turned into deltas here.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/syscalls.h"
#include "bpf_util.h"
#include "container_filter.h"
#include "counters.h"
#include "core/collector.h"
#include "core/containers.h"
#include "core/delta.h"
#include "core/hash_index.h"
#include "core/intern.h"
#include "core/proc.h"
#include "core/syscall_names.h"
#include "registry.h"
#include "syscalls.h"
#include "syscalls.skel.h"

static const char *const abi_names[] = { "x64", "ia32", "x32", NULL };

/* Its settings, [syscalls] of the config file (the pane's sort is the screen's: core's) */
enum syscalls_setting { SYSCALLS_LATENCY, SYSCALLS_PROCESS_ENTRIES };

static const struct option_def syscalls_options[] = {
	[SYSCALLS_LATENCY] = { "syscalls", "latency", OPTION_BOOL, 0, 0, "yes",
			       "time every call (enter and exit hooks); \"no\" only counts them, "
			       "at lower cost" },
	[SYSCALLS_PROCESS_ENTRIES] = { "syscalls", "process_entries", OPTION_UINT, 128, 4194304,
				       "10240", "processes tracked in the kernel (an LRU map; "
				       "the least recently seen are dropped)" },
};

/* A process's values in a delta set (core/delta.h): its process_stat's counters */
enum { D_COUNT, D_ERRORS, D_TOTAL };

static const struct table_column syscall_columns[] = {
	{ "name", "SYSCALL", COL_NAME, 0, 0, 20, false, "system call name" },
	{ "nr", "NR", COL_ID, SYSCALL_V_NR, 0, 4, false, "number in its ABI" },
	{ "abi", "ABI", COL_TEXT_VALUE, SYSCALL_V_ABI, 0, 4, false, "x64, ia32 or x32" },
	{ "count", "CALLS/s", COL_COUNT, SYSCALL_V_COUNT, 0, 9, false,
	  "calls completed per second (exit and exit_group when the thread ends)" },
	{ "errors", "ERR/s", COL_COUNT, SYSCALL_V_ERRORS, 0, 8, false,
	  "calls returning an error to the caller, per second" },
	{ "total_ns", "TIME/s", COL_TIME, SYSCALL_V_TOTAL, 0, 8, false,
	  "time spent in the call, per second" },
	{ "avg_ns", "AVG", COL_AVERAGE, SYSCALL_V_TOTAL, SYSCALL_V_COUNT, 8, true,
	  "average latency" },
	{ "max_ns", "MAX", COL_DURATION, SYSCALL_V_MAX, 0, 8, false,
	  "longest call in the interval" },
	{ "share", "%TIME", COL_SHARE, SYSCALL_V_TOTAL, 0, 6, true, "share of all syscall time" },
	{ "restarts", "RESTART/s", COL_COUNT, SYSCALL_V_RESTARTS, 0, 9, false,
	  "calls ended to be restarted (-ERESTARTSYS and kin, which the caller never sees), "
	  "per second: counted in CALLS/s, not in ERR/s" },
};

const struct table_schema syscalls_table = {
	.id = "syscalls",
	.title = "System calls",
	.columns = syscall_columns,
	.ncolumns = sizeof(syscall_columns) / sizeof(syscall_columns[0]),
	.sort_column = 3,
	.hist_count = 1,
	.hist_names = { "latency" },
	.value_names = abi_names,
	.drill = &syscall_callers_table,
	.pane = true,
};

static const struct table_column process_columns[] = {
	{ "pid", "PID", COL_ID, PROCESS_V_PID, 0, 7, false,
	  "process id (0, shown as \"exited\": processes of one command that exited in the "
	  "interval, one row for them all)" },
	{ "comm", "COMMAND", COL_NAME, 0, 0, 16, false,
	  "process name (with how many, in a row of processes that exited)" },
	{ "count", "CALLS/s", COL_COUNT, PROCESS_V_COUNT, 0, 9, false, "system calls per second" },
	{ "errors", "ERR/s", COL_COUNT, PROCESS_V_ERRORS, 0, 8, false, "failed calls per second" },
	{ "total_ns", "TIME/s", COL_TIME, PROCESS_V_TOTAL, 0, 8, false,
	  "time in system calls per second" },
	{ "avg_ns", "AVG", COL_AVERAGE, PROCESS_V_TOTAL, PROCESS_V_COUNT, 8, true,
	  "average latency" },
	{ "share", "%TIME", COL_SHARE, PROCESS_V_TOTAL, 0, 6, true, "share of all syscall time" },
	{ "container", "CONTAINER", COL_NAME, 1, 0, 14, false,
	  "container the process runs in (empty: the host)" },
};

const struct table_schema processes_table = {
	.id = "processes",
	.title = "Processes",
	.columns = process_columns,
	.ncolumns = sizeof(process_columns) / sizeof(process_columns[0]),
	.sort_column = 2,
	.max_rows = 512,
	.drill = &process_syscalls_table,
	.exited_value = PROCESS_V_EXITED,
	.pane = true,
};

/* Who makes the focused syscall: filled only while someone drills into it */
const struct table_schema syscall_callers_table = {
	.id = "syscall_callers",
	.title = "Callers",
	.columns = process_columns,
	.ncolumns = sizeof(process_columns) / sizeof(process_columns[0]),
	.sort_column = 2,
	.max_rows = 256,
	.drill = &process_syscalls_table,
	.detail = true,
};

static const struct table_column process_syscall_columns[] = {
	{ "name", "SYSCALL", COL_NAME, 0, 0, 20, false, "system call name" },
	{ "nr", "NR", COL_ID, PROCESS_SYSCALL_V_NR, 0, 4, false, "number in its ABI" },
	{ "count", "CALLS/s", COL_COUNT, PROCESS_SYSCALL_V_COUNT, 0, 9, false,
	  "calls by this process" },
	{ "errors", "ERR/s", COL_COUNT, PROCESS_SYSCALL_V_ERRORS, 0, 8, false,
	  "its calls that failed" },
	{ "total_ns", "TIME/s", COL_TIME, PROCESS_SYSCALL_V_TOTAL, 0, 8, false,
	  "its time in the call" },
	{ "avg_ns", "AVG", COL_AVERAGE, PROCESS_SYSCALL_V_TOTAL, PROCESS_SYSCALL_V_COUNT, 8, true,
	  "average latency" },
};

/* What the focused process calls: filled only while someone drills into it */
const struct table_schema process_syscalls_table = {
	.id = "process_syscalls",
	.title = "Its system calls",
	.columns = process_syscall_columns,
	.ncolumns = sizeof(process_syscall_columns) / sizeof(process_syscall_columns[0]),
	.sort_column = 2,
	.detail = true,
};

/* Every process's calls summed per container, for the containers pane: the processes
 * table keeps only its top rows, and a busy container may have thousands of small ones */
static const struct table_column container_syscall_columns[] = {
	{ "container", "CONTAINER", COL_ID, CONTAINER_SYSCALL_V_KEY, 0, 20, false,
	  "container key (cgroup id)" },
	{ "count", "CALLS/s", COL_COUNT, CONTAINER_SYSCALL_V_COUNT, 0, 9, false,
	  "system calls per second" },
	{ "errors", "ERR/s", COL_COUNT, CONTAINER_SYSCALL_V_ERRORS, 0, 8, false,
	  "failed calls per second" },
	{ "total_ns", "TIME/s", COL_TIME, CONTAINER_SYSCALL_V_TOTAL, 0, 8, false,
	  "time in system calls per second" },
};

const struct table_schema container_syscalls_table = {
	.id = "container_syscalls",
	.title = "System calls per container",
	.columns = container_syscall_columns,
	.ncolumns = sizeof(container_syscall_columns) / sizeof(container_syscall_columns[0]),
	.sort_column = 1,
	.internal = true,
};

static const struct counter_layout syscall_stat_layout = {
	.size = sizeof(struct syscall_stat),
	.u64s = offsetof(struct syscall_stat, max) / sizeof(__u64),
	.maxes = 1,
	.u32s = KTOP_HIST_SLOTS,
};

static const struct table_schema *const syscall_tables[] = {
	&syscalls_table, &processes_table, &syscall_callers_table, &process_syscalls_table,
	&container_syscalls_table, NULL
};

struct syscalls_state {
	struct syscalls_bpf *skel; /* first: tests/bpf_syscalls.c reaches it through priv */
	int ncpus;
	struct counter_map stats; /* syscall_stats */
	void *zero;		  /* one focus_syscall_stats value */
	__u32 *pid_keys;
	struct process_stat *pid_values;
	struct delta_set processes, callers;
	__s32 focus_slot;
	__u32 focus_tgid;
	int focus_err; /* why the focus is not counted: sample() returns it (focus() cannot) */
	struct process_stat *slot_values; /* SYSCALL_KEYS, for focus_syscall_stats */
	__u32 *slot_keys;
	struct delta_set process_syscalls;
	unsigned int process_entries;
	struct table_keyed by_container; /* container rows by key, while processes are summed */
	struct table_keyed exited_rows;	 /* the rows of exited processes, while they are summed */
	struct hash_index exited;	 /* pid -> its entry in pid_values, for those exited */
};

static void syscalls_close(struct collector *c)
{
	struct syscalls_state *s = c->priv;

	if (!s)
		return;
	syscalls_bpf__destroy(s->skel);
	counter_map_free(&s->stats);
	free(s->zero);
	free(s->pid_keys);
	free(s->pid_values);
	free(s->slot_values);
	free(s->slot_keys);
	delta_free(&s->process_syscalls);
	table_keyed_free(&s->by_container);
	table_keyed_free(&s->exited_rows);
	hash_index_free(&s->exited);
	delta_free(&s->processes);
	delta_free(&s->callers);
	free(s);
	c->priv = NULL;
}

static int syscalls_open(struct collector *c, const struct ktop_config *cfg)
{
	bool use_btf = probe_btf_tracepoint("sys_enter") && probe_btf_tracepoint("sys_exit");
	bool latency = options_bool(cfg, &syscalls_options[SYSCALLS_LATENCY]);
	struct syscalls_state *s;
	struct syscalls_bpf *skel;
	int err;

	s = calloc(1, sizeof(*s));
	if (!s)
		return collector_fail(c, "out of memory");
	c->priv = s;
	s->ncpus = bpf_possible_cpus();
	s->stats.fd = -1;
	s->focus_slot = -1;
	s->process_entries = options_uint(cfg, &syscalls_options[SYSCALLS_PROCESS_ENTRIES]);
	/* the process and focus maps are shared by the CPUs: one value per key */
	s->zero = calloc(1, sizeof(struct process_stat));
	s->pid_keys = calloc(s->process_entries, sizeof(*s->pid_keys));
	s->pid_values = calloc(s->process_entries, sizeof(struct process_stat));
	s->slot_values = calloc(SYSCALL_KEYS, sizeof(struct process_stat));
	s->slot_keys = calloc(SYSCALL_KEYS, sizeof(*s->slot_keys));
	if (!s->zero || !s->pid_keys || !s->pid_values || !s->slot_values || !s->slot_keys) {
		syscalls_close(c);
		return collector_fail(c, "out of memory");
	}

	skel = syscalls_bpf__open();
	if (!skel) {
		err = -errno;
		syscalls_close(c);
		return collector_fail(c, "cannot open BPF object: %s", bpf_error_reason(err));
	}
	s->skel = skel;
	bpf_choose_variant(skel->progs.sys_enter_btf, skel->progs.sys_enter_raw,
			   use_btf && latency);
	bpf_choose_variant(skel->progs.sys_exit_btf, skel->progs.sys_exit_raw, use_btf && latency);
	bpf_choose_variant(skel->progs.sys_exit_count_btf, skel->progs.sys_exit_count_raw,
			   use_btf && !latency);
	if (latency) {
		bpf_program__set_autoload(skel->progs.sys_exit_count_btf, false);
		bpf_program__set_autoload(skel->progs.sys_exit_count_raw, false);
	} else {
		bpf_program__set_autoload(skel->progs.sys_enter_btf, false);
		bpf_program__set_autoload(skel->progs.sys_enter_raw, false);
		bpf_program__set_autoload(skel->progs.sys_exit_btf, false);
		bpf_program__set_autoload(skel->progs.sys_exit_raw, false);
	}
	bpf_choose_variant(skel->progs.thread_exit_btf, skel->progs.thread_exit_raw,
			   probe_btf_tracepoint("sched_process_exit"));
	bpf_map__set_max_entries(skel->maps.process_stats, s->process_entries);
	/* per-process counts feed the processes and containers panes: none shown, none kept */
	skel->rodata->track_processes = config_pane_listed(cfg, "processes") ||
					config_pane_listed(cfg, "containers");
	/* a thread going to sleep hands its pending calls to its process */
	bpf_choose_variant(skel->progs.switch_out_btf, skel->progs.switch_out_raw,
			   probe_btf_tracepoint("sched_switch"));
	if (!skel->rodata->track_processes) {
		bpf_program__set_autoload(skel->progs.switch_out_btf, false);
		bpf_program__set_autoload(skel->progs.switch_out_raw, false);
	}
	/* process rows may lag by this much: well inside one interval */
	skel->rodata->flush_ns = (__u64)(cfg->interval_s * 1e9 / 10);
	if (skel->rodata->flush_ns > 100000000)
		skel->rodata->flush_ns = 100000000;

	/* the shared container filter: selecting a container is a map update, no reload */
	err = container_filter_reuse(skel->obj);
	if (err) {
		syscalls_close(c);
		return collector_fail(c, "cannot share the container filter: %s",
				      bpf_error_reason(err));
	}
	err = syscalls_bpf__load(skel);
	if (err) {
		syscalls_close(c);
		return collector_fail(c, "cannot load: %s", bpf_error_reason(err));
	}
	/* shared by the CPUs: one value per slot */
	err = counter_map_init(&s->stats, bpf_map__fd(skel->maps.syscall_stats),
			       &syscall_stat_layout, 1, false);
	if (err) {
		syscalls_close(c);
		return collector_fail(c, "out of memory");
	}
	err = syscalls_bpf__attach(skel);
	if (err) {
		syscalls_close(c);
		return collector_fail(c, "cannot attach to sys_enter/sys_exit: %s",
				      bpf_error_reason(err));
	}
	return 0;
}

struct syscall_rows {
	struct frame *frame;
	struct table *table;
};

/* One slot's calls this interval (summed over CPUs) into its row */
static int fill_syscall_row(void *arg, __u32 slot, const void *value)
{
	const struct syscall_stat *st = value;
	struct syscall_rows *rows = arg;
	unsigned int abi = slot / SYSCALL_SLOTS, nr = slot % SYSCALL_SLOTS;
	struct table_row *r;
	char name[64];

	if (!rows->table || !st->count || slot >= SYSCALL_KEYS)
		return 0;
	r = table_add_row(rows->table, slot);
	if (!r)
		return -ENOMEM;
	syscall_name_format((enum syscall_abi)abi, nr, name, sizeof(name));
	r->name = intern(name);
	r->v[SYSCALL_V_NR] = nr;
	r->v[SYSCALL_V_ABI] = abi;
	r->v[SYSCALL_V_COUNT] = st->count;
	r->v[SYSCALL_V_ERRORS] = st->errors;
	r->v[SYSCALL_V_RESTARTS] = st->restarts;
	r->v[SYSCALL_V_TOTAL] = st->total_ns;
	r->v[SYSCALL_V_MAX] = counter_max(st->max.ns, st->total_ns, st->count);
	hist_add_u32(frame_row_hist(rows->frame, r, 0), st->hist);
	return 0;
}

static int sample_syscalls(struct syscalls_state *s, struct frame *f)
{
	struct syscall_rows rows = { f, frame_table(f, &syscalls_table) };
	int err;

	err = counter_map_read(&s->stats, s->skel->bss->counter_epoch, fill_syscall_row, &rows);
	counter_epoch_advance(&s->skel->bss->counter_epoch);
	return err;
}

/*
 * Delete the entries read this tick (total of them in pid_keys/pid_values) whose process
 * had exited: their counts are all in this read, and left in the map they would fill it
 * under churn and be read again every tick until the LRU evicts them. Called once their
 * rows are named (process_name reads the name from the entry). A thread of the process
 * that flushes its last calls between the read and the delete loses them; the window is
 * the time to name the tick's rows, and only a process whose threads exit together, one
 * of them that late, can hit it.
 */
static void drop_exited(struct syscalls_state *s, int fd, __u32 total)
{
	__u32 n = 0, count;

	for (__u32 i = 0; i < total; i++)
		if (s->pid_values[i].exited)
			s->pid_keys[n++] = s->pid_keys[i]; /* keys already pushed: reuse the room */
	if (!n)
		return;
	count = n;
	if (bpf_map_delete_batch(fd, s->pid_keys, &count, NULL) == 0)
		return;
	if (count >= n) /* refused whole (count as it was sent) */
		count = 0;
	/* a kernel without batch deletes for this map, or a key gone meanwhile (the
	 * batch stops there): one by one */
	for (__u32 i = count; i < n; i++)
		bpf_map_delete_elem(fd, &s->pid_keys[i]);
}

/* Read a per-process map into d; returns the number of entries or -errno */
static int read_process_map(struct syscalls_state *s, int fd, unsigned int max_entries,
			    struct delta_set *d)
{
	__u32 out, count = max_entries, total = 0;
	void *in = NULL;
	int err;

	do {
		count = max_entries - total;
		if (count == 0)
			break;
		err = bpf_map_lookup_batch(fd, in, &out, s->pid_keys + total, s->pid_values + total,
					   &count, NULL);
		if (err && errno != ENOENT)
			return -errno;
		total += count;
		in = &out;
	} while (!err);

	hash_index_clear(&s->exited);
	for (__u32 i = 0; i < total; i++) {
		const struct process_stat *p = &s->pid_values[i];
		uint64_t v[DELTA_VALUES] = { [D_COUNT] = p->count, [D_ERRORS] = p->errors,
					     [D_TOTAL] = p->total_ns };

		if (delta_push_tagged(d, s->pid_keys[i], v, p->cgroup) < 0 ||
		    (p->exited && hash_index_put(&s->exited, hash_mix(s->pid_keys[i]), i) < 0))
			return -ENOMEM;
	}
	return (int)total;
}

/* The entry read this tick of pid, when its process has exited; else NULL */
static const struct process_stat *exited_entry(const struct syscalls_state *s, uint32_t pid)
{
	size_t slot = SIZE_MAX;
	uint32_t i;

	while (hash_index_next(&s->exited, hash_mix(pid), &slot, &i))
		if (s->pid_keys[i] == pid)
			return &s->pid_values[i];
	return NULL;
}

/*
 * A process's name: /proc's while it runs, else the one the kernel kept in its entry at its
 * exit (whether the exit came before this tick's read or after it): looked up for the rows
 * /proc cannot name only, so a churn of thousands a second costs no more than its rows
 */
static const char *process_name(struct syscalls_state *s, uint32_t pid)
{
	const char *name = proc_comm(pid), *kept;
	struct process_stat p;
	__u32 key = pid;

	if (strcmp(name, "?") != 0 ||
	    bpf_map_lookup_elem(bpf_map__fd(s->skel->maps.process_stats), &key, &p) || !p.exited)
		return name;
	kept = proc_comm_exited(pid, p.comm, sizeof(p.comm));
	return kept ? kept : name;
}

/* The container a process's calls came from: by the cgroup its threads were in when they
 * added them (tag), which outlives the process; else by what /proc says of the pid now */
static const struct container *process_container(const struct delta_entry *e)
{
	return e->tag ? containers_of_cgroup(e->tag) : containers_of_pid((uint32_t)e->key);
}

/* Add a process's calls to its container's row (the table k indexes) */
static int container_add(struct table_keyed *k, const struct container *c,
			 const struct delta_entry *e)
{
	bool added;
	struct table_row *r = table_keyed_row(k, c->key, &added);

	if (!r)
		return -ENOMEM;
	if (added)
		r->v[CONTAINER_SYSCALL_V_KEY] = c->key;
	r->v[CONTAINER_SYSCALL_V_COUNT] += e->v[D_COUNT];
	r->v[CONTAINER_SYSCALL_V_ERRORS] += e->v[D_ERRORS];
	r->v[CONTAINER_SYSCALL_V_TOTAL] += e->v[D_TOTAL];
	return 0;
}

/*
 * Add an exited process's calls to the row of its command's exited processes in its
 * container, in the table exited_rows indexes (the kernel kept the name at the exit)
 */
static int exited_add(struct table_keyed *k, const struct process_stat *p,
		      const struct container *c, const struct delta_entry *e)
{
	size_t len = strnlen(p->comm, sizeof(p->comm));
	const char *name = len ? intern_n(p->comm, len) : "?";
	bool added;
	struct table_row *r = table_keyed_row(
		k, SYSCALLS_EXITED_KEY | hash_text(c ? c->key : 0, name), &added);

	if (!r)
		return -ENOMEM;
	if (added) {
		r->name = name;
		r->label = c && c->runtime != RUNTIME_HOST ? c->name : NULL;
	}
	r->v[PROCESS_V_EXITED]++;
	r->v[PROCESS_V_COUNT] += e->v[D_COUNT];
	r->v[PROCESS_V_ERRORS] += e->v[D_ERRORS];
	r->v[PROCESS_V_TOTAL] += e->v[D_TOTAL];
	return 0;
}

/*
 * Rows in t for the processes with calls this tick, as many as t keeps (the largest), and
 * every one of them summed into its container's row in by_container (either may be NULL).
 * With by_container (the processes table), those that have exited are summed into one
 * row per command and container instead: a churn of short processes is one row that
 * stays, as a process list has none of them, and the rows left are for the running ones.
 */
static int sample_processes(struct syscalls_state *s, int fd, unsigned int max_entries,
			    struct delta_set *d, struct table *t, struct table *by_container)
{
	int total = read_process_map(s, fd, max_entries, d), err;
	size_t n, kept, active, keep = 0, shown = 0;

	if (total < 0)
		return total;
	n = delta_finish(d);
	if (t)
		keep = t->schema->max_rows ? t->schema->max_rows : n;
	/* thousands of short processes a second: a row only for those the frame keeps */
	kept = delta_top(d, n, D_COUNT, keep, &active);
	if (by_container && (table_keyed_start(&s->by_container, by_container) < 0 ||
			     (t && table_keyed_start(&s->exited_rows, t) < 0)))
		return -ENOMEM;
	for (size_t i = 0; by_container && i < active; i++) {
		const struct delta_entry *e = &d->diff[i];
		const struct container *c = process_container(e);
		const struct process_stat *p = exited_entry(s, (uint32_t)e->key);

		if (c && (err = container_add(&s->by_container, c, e)) < 0)
			return err;
		if (t && p && (err = exited_add(&s->exited_rows, p, c, e)) < 0)
			return err;
		shown += t && p;
	}
	for (size_t i = 0; t && i < kept && (!t->schema->max_rows || t->nrows < keep); i++) {
		const struct delta_entry *e = &d->diff[i];
		const struct container *c;
		struct table_row *r;

		if (by_container && exited_entry(s, (uint32_t)e->key))
			continue;
		c = process_container(e);
		shown++;
		r = table_add_row(t, e->key);
		if (!r)
			return -ENOMEM;
		r->name = process_name(s, (uint32_t)e->key);
		r->label = c && c->runtime != RUNTIME_HOST ? c->name : NULL;
		r->v[PROCESS_V_PID] = e->key;
		r->v[PROCESS_V_COUNT] = e->v[D_COUNT];
		r->v[PROCESS_V_ERRORS] = e->v[D_ERRORS];
		r->v[PROCESS_V_TOTAL] = e->v[D_TOTAL];
	}
	if (t)
		t->dropped_rows += active - shown;
	/* once the rows are named: an exited process's entry holds its name */
	drop_exited(s, fd, (__u32)total);
	return 0;
}

static int sample_process_syscalls(struct syscalls_state *s, struct table *t);

static int syscalls_sample(struct collector *c, struct frame *f)
{
	struct syscalls_state *s = c->priv;
	int err;

	err = sample_syscalls(s, f);
	if (err)
		return err;
	/* the callers before the processes: a caller that has exited is named from its
	 * process entry, which the processes' read deletes once its own rows are named (and
	 * a caller need not be among them) */
	if (s->focus_slot >= 0)
		err = sample_processes(s, bpf_map__fd(s->skel->maps.focus_process_stats),
				       SYSCALL_FOCUS_ENTRIES, &s->callers,
				       frame_table(f, &syscall_callers_table), NULL);
	if (!err)
		err = sample_processes(s, bpf_map__fd(s->skel->maps.process_stats),
				       s->process_entries, &s->processes,
				       frame_table(f, &processes_table),
				       frame_table(f, &container_syscalls_table));
	if (!err && s->focus_tgid)
		err = sample_process_syscalls(s, frame_table(f, &process_syscalls_table));
	return err ? err : s->focus_err;
}

/* The focused process's calls per syscall, as deltas since the last tick */
static int sample_process_syscalls(struct syscalls_state *s, struct table *t)
{
	int fd = bpf_map__fd(s->skel->maps.focus_syscall_stats);
	__u32 out, count = SYSCALL_KEYS;
	size_t n;
	int err;

	err = bpf_map_lookup_batch(fd, NULL, &out, s->slot_keys, s->slot_values, &count, NULL);
	if (err && errno != ENOENT)
		return -errno;
	for (__u32 i = 0; i < count; i++) {
		const struct process_stat *p = &s->slot_values[i];
		uint64_t v[DELTA_VALUES] = { [D_COUNT] = p->count, [D_ERRORS] = p->errors,
					     [D_TOTAL] = p->total_ns };

		if (v[D_COUNT] && delta_push(&s->process_syscalls, s->slot_keys[i], v) < 0)
			return -ENOMEM;
	}
	n = delta_finish(&s->process_syscalls);
	for (size_t i = 0; i < n && t; i++) {
		const struct delta_entry *e = &s->process_syscalls.diff[i];
		unsigned int abi = (unsigned int)e->key / SYSCALL_SLOTS;
		unsigned int nr = (unsigned int)e->key % SYSCALL_SLOTS;
		struct table_row *r;
		char name[64];

		if (e->v[D_COUNT] == 0)
			continue;
		r = table_add_row(t, e->key);
		if (!r)
			return -ENOMEM;
		syscall_name_format((enum syscall_abi)abi, nr, name, sizeof(name));
		r->name = intern(name);
		r->v[PROCESS_SYSCALL_V_NR] = nr;
		r->v[PROCESS_SYSCALL_V_COUNT] = e->v[D_COUNT];
		r->v[PROCESS_SYSCALL_V_ERRORS] = e->v[D_ERRORS];
		r->v[PROCESS_SYSCALL_V_TOTAL] = e->v[D_TOTAL];
	}
	return 0;
}

/* Empty a hash map; 0 or -errno */
static int clear_map(int fd)
{
	__u32 key;

	while (bpf_map_get_next_key(fd, NULL, &key) == 0)
		if (bpf_map_delete_elem(fd, &key) < 0 && errno != ENOENT)
			return -errno;
	return 0;
}

/* Count tgid's calls per syscall (0: nobody's); 0, or -errno with nobody's counted: counts
 * left from the one before would show as the new one's */
static int focus_process(struct syscalls_state *s, __u32 tgid)
{
	if (tgid == s->focus_tgid)
		return 0;
	s->skel->bss->focus_tgid = 0;
	s->focus_tgid = 0;
	/* an array cannot be emptied by deleting: zero every slot, then count afresh */
	for (__u32 slot = 0; slot < SYSCALL_KEYS; slot++)
		if (bpf_map_update_elem(bpf_map__fd(s->skel->maps.focus_syscall_stats), &slot,
					s->zero, BPF_ANY))
			return -errno;
	delta_reset(&s->process_syscalls);
	s->focus_tgid = tgid;
	s->skel->bss->focus_tgid = tgid;
	return 0;
}

/* Count the callers of syscall slot (-1: of none); 0, or -errno with none counted */
static int focus_callers(struct syscalls_state *s, __s32 slot)
{
	int err;

	if (slot == s->focus_slot)
		return 0;
	s->skel->data->focus_slot = -1;
	s->focus_slot = -1;
	err = clear_map(bpf_map__fd(s->skel->maps.focus_process_stats));
	if (err)
		return err;
	delta_reset(&s->callers);
	s->focus_slot = slot;
	s->skel->data->focus_slot = slot;
	return 0;
}

static void syscalls_focus(struct collector *c, const struct focus *focus)
{
	struct syscalls_state *s = c->priv;
	__s32 slot = -1;
	int err;

	if ((focus->table == &processes_table || focus->table == &syscall_callers_table) &&
	    focus->key && focus->key < UINT32_MAX)
		err = focus_process(s, (__u32)focus->key);
	else
		err = focus_process(s, 0);
	if (focus->table == &syscalls_table && focus->key < SYSCALL_KEYS)
		slot = (__s32)focus->key;
	else if (focus->table == &syscall_callers_table)
		slot = s->focus_slot; /* one caller of that syscall: keep counting its callers */
	s->focus_err = focus_callers(s, slot);
	if (err)
		s->focus_err = err;
}

const struct collector_ops syscalls_collector = {
	.name = "syscalls",
	.tables = syscall_tables,
	.open = syscalls_open,
	.sample = syscalls_sample,
	.close = syscalls_close,
	.focus = syscalls_focus,
	.options = syscalls_options,
	.noptions = sizeof(syscalls_options) / sizeof(syscalls_options[0]),
};
