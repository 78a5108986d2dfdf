// SPDX-License-Identifier: GPL-2.0
/*
 * collectors/critical.c: where interrupts or bottom halves stayed off too long.
 *
 * Without the preemptirq tracepoints, a timer that ran late says the CPU could not take
 * it: bpf/critical.bpf.c sends the stack of every timer later than the threshold (and of
 * every cross-CPU function call longer than it) through a ring buffer. Here each stack is
 * symbolized, split into the offender's frames, classified (IRQs off, BH off, idle, user)
 * and grouped by signature. ktop's own per-CPU hrtimer (a cpu-clock perf event with no
 * program on it) makes sure every CPU has a timer to be late.
 *
 * Preemption held off comes from rescheduling requests that waited longer than the
 * threshold for the CPU to enter the scheduler (kernels with sched_set_need_resched_tp);
 * a wait that ended on the way back from a system call is blamed on that system call.
 */
#include <errno.h>
#include <linux/perf_event.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/critical.h"
#include "bpf_util.h"
#include "container_filter.h"
#include "core/collector.h"
#include "core/intern.h"
#include "core/ksyms.h"
#include "core/syscall_names.h"
#include "core/stacks.h"
#include "critical.skel.h"
#include "registry.h"

#define CRITICAL_MAX_SIGNATURES 4096
#define CRITICAL_HASH_SLOTS 8192 /* power of two, twice the signatures */
#define CRITICAL_MAX_EVENTS 256  /* kept per interval for the events view */
#define CRITICAL_MAX_CPUS 64

/* kinds (enum stack_kind) first, then methods: one list for both COL_TEXT_VALUE columns */
enum critical_method {
	METHOD_TIMER_LATENESS = STACK_KINDS,
	METHOD_IPI_CALL,
	METHOD_PREEMPTIRQ,
	METHOD_RESCHED_LATENCY,
};

static const char *const critical_value_names[] = {
	"irqs_off", "bh_off", "preempt_off", "idle", "user", "external",
	"timer_lateness", "ipi_call", "preemptirq", "resched_latency", NULL,
};

static char critical_title[224] = "Critical sections";

extern const struct table_schema critical_events_table, critical_stack_table;

/* values: 0 count, 1 kind, 2 max, 3 total, 4 cpus, 5 last seen (ns before the end), 6 method */
static const struct table_column critical_columns[] = {
	{ "name", "OFFENDER (where it ended <- caller)", COL_NAME, 0, 0, 60, false,
	  "innermost meaningful frame of the stack (where interrupts came back on, or where the "
	  "CPU was let go), and its caller" },
	{ "kind", "KIND", COL_TEXT_VALUE, 1, 0, 11, false, "irqs_off, bh_off, preempt_off, idle, user, external" },
	{ "count", "N/s", COL_COUNT, 0, 0, 6, false, "sections above the threshold per second" },
	{ "max_ns", "MAX", COL_DURATION, 2, 0, 8, false, "longest section in the interval" },
	{ "total_ns", "TIME/s", COL_TIME, 3, 0, 8, false, "time in such sections per second" },
	{ "avg_ns", "AVG", COL_AVERAGE, 3, 0, 8, true, "average section" },
	{ "cpus", "CPUS", COL_CPUS, 4, 0, 6, false, "CPUs where it was seen" },
	{ "last_seen", "AGO", COL_DURATION, 5, 0, 7, false,
	  "time from the last one to the end of the interval (ns)" },
	{ "method", "METHOD", COL_TEXT_VALUE, 6, 0, 14, false,
	  "timer_lateness (derived), ipi_call (exact), resched_latency (exact wait for the "
	  "scheduler), preemptirq (exact)" },
};

const struct table_schema critical_table = {
	.id = "critical",
	.title = critical_title,
	.columns = critical_columns,
	.ncolumns = sizeof(critical_columns) / sizeof(critical_columns[0]),
	.sort_column = 3,
	.max_rows = 256,
	.hist_count = 1,
	.hist_names = { "duration" },
	.value_names = critical_value_names,
	.drill = &critical_stack_table,
	.alternate = &critical_events_table,
	.strings_id = "stack",
	.pane = true,
	.charged = true,
};

/* values: 0 cpu, 1 duration, 2 kind, 3 pid, 4 age (ns before the end of the interval) */
static const struct table_column event_columns[] = {
	{ "age_ns", "AGO", COL_DURATION, 4, 0, 8, false, "time before the end of the interval" },
	{ "cpu", "CPU", COL_ID, 0, 0, 3, false, "CPU" },
	{ "duration_ns", "DURATION", COL_DURATION, 1, 0, 8, false, "how long the section lasted" },
	{ "kind", "KIND", COL_TEXT_VALUE, 2, 0, 11, false,
	  "irqs_off, bh_off, preempt_off, idle, user, external" },
	{ "pid", "PID", COL_ID, 3, 0, 7, false,
	  "the interrupted task, or the one that kept the CPU (0: idle)" },
	{ "comm", "TASK", COL_NAME, 0, 0, 16, false, "that task's name" },
	{ "where", "OFFENDER", COL_NAME, 1, 0, 40, false, "innermost frame <- caller" },
};

const struct table_schema critical_events_table = {
	.id = "critical_events",
	.title = "Critical sections: recent events",
	.columns = event_columns,
	.ncolumns = sizeof(event_columns) / sizeof(event_columns[0]),
	.sort_column = 2,
	.max_rows = CRITICAL_MAX_EVENTS,
	.value_names = critical_value_names,
	.alternate = &critical_table,
};

/* The focused offender's stack, one row per frame; DEPTH counts from the outermost frame,
 * so the default (descending) order lists the innermost first */
static const struct table_column stack_columns[] = {
	{ "depth", "DEPTH", COL_ID, 0, 0, 5, false, "call depth from the outermost frame" },
	{ "frame", "FRAME", COL_NAME, 0, 0, 60, false, "symbol+offset [module]" },
};

const struct table_schema critical_stack_table = {
	.id = "critical_stack",
	.title = "Stack (innermost first)",
	.columns = stack_columns,
	.ncolumns = sizeof(stack_columns) / sizeof(stack_columns[0]),
	.sort_column = 0,
	.max_rows = CRITICAL_STACK_DEPTH + 1,
	.detail = true,
};

static const struct table_schema *const critical_tables[] = {
	&critical_table, &critical_events_table, &critical_stack_table, NULL
};

struct signature {
	uint64_t key; /* 0: free slot */
	enum stack_kind kind;
	unsigned int method;
	const char *name;
	const char **frames; /* "symbol+offset", innermost first; never freed while ktop runs */
	unsigned int nframes;
	/* this interval */
	bool seen;
	uint64_t count, total_ns, max_ns, cpus, last_ns;
	struct hist hist;
};

struct critical_event_row {
	uint64_t time_ns, duration_ns;
	uint32_t cpu, pid;
	enum stack_kind kind;
	const char *comm, *where;
};

struct critical_state {
	struct critical_bpf *skel;
	struct ring_buffer *ring;
	const struct ksyms *ksyms; /* shared, see ksyms_kernel_get() */
	int timer_fds[CRITICAL_MAX_CPUS];
	unsigned int ntimer_fds;
	struct signature *slots; /* open addressing, CRITICAL_HASH_SLOTS */
	unsigned int nsignatures;
	uint64_t *seen_keys; /* signatures seen this interval */
	unsigned int nseen;
	struct critical_event_row events[CRITICAL_MAX_EVENTS];
	unsigned int nevents;
	uint64_t lost_signatures, lost_events;
	uint64_t focus_key;
};

static uint64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static struct signature *signature_find(struct critical_state *s, uint64_t key, bool create)
{
	unsigned int i = (unsigned int)(key ^ key >> 32) & (CRITICAL_HASH_SLOTS - 1);

	for (unsigned int n = 0; n < CRITICAL_HASH_SLOTS; n++, i = (i + 1) & (CRITICAL_HASH_SLOTS - 1)) {
		struct signature *sig = &s->slots[i];

		if (sig->key == key)
			return sig;
		if (sig->key == 0) {
			if (!create || s->nsignatures >= CRITICAL_MAX_SIGNATURES)
				return NULL;
			s->nsignatures++;
			sig->key = key;
			return sig;
		}
	}
	return NULL;
}

static struct signature *signature_new(struct critical_state *s, uint64_t key,
				       enum stack_kind kind, unsigned int method,
				       const uint64_t *ips, unsigned int n)
{
	struct signature *sig = signature_find(s, key, true);
	char buf[256];

	if (!sig || sig->name)
		return sig;
	sig->kind = kind;
	sig->method = method;
	sig->name = intern(stack_name(s->ksyms, ips, n, kind, buf, sizeof(buf)));
	sig->frames = calloc(n ? n : 1, sizeof(*sig->frames));
	if (sig->frames) {
		for (unsigned int i = 0; i < n; i++)
			sig->frames[i] = intern(ksyms_format(s->ksyms, ips[i], buf, sizeof(buf)));
		sig->nframes = n;
	}
	return sig;
}

/* The function of the system call a rescheduling wait ended after, or 0 */
static uint64_t syscall_address(const struct critical_state *s, const struct stack_split *split,
				int64_t nr)
{
	const char *name;
	char symbol[96];
	int abi = split->syscall_abi;

	if (abi < 0 || nr < 0 || split->kind != STACK_PREEMPT_OFF)
		return 0;
	if (abi == SYSCALL_ABI_X64 && (nr & 0x40000000))
		abi = SYSCALL_ABI_X32, nr &= ~0x40000000ll;
	name = syscall_name((enum syscall_abi)abi, (unsigned int)nr);
	if (!name)
		return 0;
	return ksyms_address(s->ksyms, stack_syscall_symbol(abi, name, symbol, sizeof(symbol)));
}

static void record_event(struct critical_state *s, const struct critical_event *e)
{
	uint64_t ips[CRITICAL_STACK_DEPTH + 1];
	unsigned int n = 0, method = METHOD_TIMER_LATENESS;
	enum stack_source source = STACK_FROM_HARD_TIMER;
	struct stack_split split;
	struct signature *sig;
	uint64_t key;

	if (e->wait == CRITICAL_WAIT_BH)
		source = STACK_FROM_SOFT_TIMER;
	else if (e->wait == CRITICAL_WAIT_IPI)
		source = STACK_FROM_IPI_CALL, method = METHOD_IPI_CALL;
	else if (e->wait == CRITICAL_WAIT_RESCHED)
		source = STACK_FROM_RESCHED, method = METHOD_RESCHED_LATENCY;
	if (e->stack_bytes > 0)
		n = (unsigned int)e->stack_bytes / sizeof(e->stack[0]);
	if (n > CRITICAL_STACK_DEPTH)
		n = CRITICAL_STACK_DEPTH;
	stack_split(s->ksyms, (const uint64_t *)e->stack, n, source,
		    e->code_ip ? e->code : NULL, &split);
	if (source == STACK_FROM_RESCHED && e->pid == 0)
		split.kind = STACK_IDLE;
	if (source == STACK_FROM_IPI_CALL) {
		/* the function that ran is the innermost frame, then the path that ran it */
		ips[0] = e->function;
		memcpy(ips + 1, e->stack + split.first, split.count * sizeof(ips[0]));
		n = split.count + 1;
	} else if ((ips[0] = syscall_address(s, &split, e->syscall)) != 0) {
		/* the system call that kept the CPU, then the path that ran it */
		memcpy(ips + 1, e->stack + split.first, split.count * sizeof(ips[0]));
		n = split.count + 1;
	} else {
		memcpy(ips, e->stack + split.first, split.count * sizeof(ips[0]));
		n = split.count;
	}
	key = stack_signature(s->ksyms, ips, n, split.kind);
	sig = signature_new(s, key, split.kind, method, ips, n);
	if (!sig) {
		s->lost_signatures++;
	} else {
		if (!sig->seen) {
			sig->seen = true;
			s->seen_keys[s->nseen++] = key;
		}
		sig->count++;
		sig->total_ns += e->lateness_ns;
		if (e->lateness_ns > sig->max_ns)
			sig->max_ns = e->lateness_ns;
		if (e->cpu < CRITICAL_MAX_CPUS)
			sig->cpus |= 1ull << e->cpu;
		if (e->time_ns > sig->last_ns)
			sig->last_ns = e->time_ns;
		sig->hist.slot[hist_slot(e->lateness_ns)]++;
	}
	if (s->nevents < CRITICAL_MAX_EVENTS) {
		struct critical_event_row *row = &s->events[s->nevents++];

		*row = (struct critical_event_row){
			.time_ns = e->time_ns, .duration_ns = e->lateness_ns, .cpu = e->cpu,
			.pid = e->pid, .kind = split.kind,
			.comm = intern_n(e->comm, strnlen(e->comm, sizeof(e->comm))),
			.where = sig ? sig->name : "?",
		};
	} else {
		s->lost_events++;
	}
}

static int handle_event(void *ctx, void *data, size_t size)
{
	if (size >= sizeof(struct critical_event))
		record_event(ctx, data);
	return 0;
}

static void critical_close(struct collector *c)
{
	struct critical_state *s = c->priv;

	if (!s)
		return;
	for (unsigned int i = 0; i < s->ntimer_fds; i++)
		close(s->timer_fds[i]);
	ring_buffer__free(s->ring);
	critical_bpf__destroy(s->skel);
	if (s->ksyms)
		ksyms_kernel_put();
	if (s->slots)
		for (unsigned int i = 0; i < CRITICAL_HASH_SLOTS; i++)
			free(s->slots[i].frames);
	free(s->slots);
	free(s->seen_keys);
	free(s);
	c->priv = NULL;
}

/* ktop's own hard hrtimer on each CPU: a cpu-clock perf event, no program attached */
static int start_timers(struct critical_state *s, unsigned int hz)
{
	int ncpus = bpf_possible_cpus();

	for (int cpu = 0; cpu < ncpus && cpu < CRITICAL_MAX_CPUS; cpu++) {
		struct perf_event_attr attr = {
			.type = PERF_TYPE_SOFTWARE,
			.size = sizeof(attr),
			.config = PERF_COUNT_SW_CPU_CLOCK,
			.sample_period = 1000000000ull / hz,
		};
		int fd = (int)syscall(SYS_perf_event_open, &attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);

		if (fd < 0) {
			if (errno == ENODEV || errno == EINVAL) /* offline CPU */
				continue;
			return -errno;
		}
		s->timer_fds[s->ntimer_fds++] = fd;
	}
	return 0;
}

static int critical_open(struct collector *c, const struct ktop_config *cfg)
{
	bool timer_btf = probe_btf_tracepoint("hrtimer_expire_entry");
	bool calls = probe_btf_tracepoint("csd_function_entry") &&
		     probe_btf_tracepoint("csd_function_exit");
	bool exact = probe_btf_tracepoint("irq_disable") && probe_btf_tracepoint("irq_enable");
	bool resched = probe_btf_tracepoint("sched_set_need_resched_tp") &&
		       probe_btf_tracepoint("sched_entry_tp");
	struct critical_state *s;
	struct critical_bpf *skel;
	char rate[32] = "off";
	int err;

	if (!timer_btf)
		return collector_fail(c, "the kernel has no hrtimer_expire_entry tracepoint");
	s = calloc(1, sizeof(*s));
	if (!s)
		return collector_fail(c, "out of memory");
	c->priv = s;
	s->slots = calloc(CRITICAL_HASH_SLOTS, sizeof(*s->slots));
	s->seen_keys = calloc(CRITICAL_MAX_SIGNATURES, sizeof(*s->seen_keys));
	if (!s->slots || !s->seen_keys) {
		critical_close(c);
		return collector_fail(c, "out of memory");
	}
	s->ksyms = ksyms_kernel_get(&err);
	if (!s->ksyms) {
		critical_close(c);
		return collector_fail(c, "cannot read /proc/kallsyms: %s", strerror(-err));
	}

	skel = critical_bpf__open();
	if (!skel) {
		err = -errno;
		critical_close(c);
		return collector_fail(c, "cannot open BPF object: %s", bpf_error_reason(err));
	}
	s->skel = skel;
	skel->rodata->threshold_ns = (__u64)cfg->critical_threshold_us * 1000;
	skel->rodata->irqentry_start = ksyms_address(s->ksyms, "__irqentry_text_start");
	skel->rodata->irqentry_end = ksyms_address(s->ksyms, "__irqentry_text_end");
	bpf_choose_variant(skel->progs.crit_hrtimer_btf, skel->progs.crit_hrtimer_raw, true);
	bpf_choose_variant(skel->progs.crit_call_entry_btf, skel->progs.crit_call_entry_raw, true);
	if (!calls) {
		bpf_program__set_autoload(skel->progs.crit_call_entry_btf, false);
		bpf_program__set_autoload(skel->progs.crit_call_exit_raw, false);
	}
	if (!resched) {
		bpf_program__set_autoload(skel->progs.crit_resched_set, false);
		bpf_program__set_autoload(skel->progs.crit_resched_served, false);
	}
	bpf_program__set_autoload(skel->progs.crit_test_spin, false);
	err = container_filter_reuse(skel->obj);
	if (err) {
		critical_close(c);
		return collector_fail(c, "cannot share the container filter: %s",
				      bpf_error_reason(err));
	}
	err = critical_bpf__load(skel);
	if (err) {
		critical_close(c);
		return collector_fail(c, "cannot load: %s", bpf_error_reason(err));
	}
	err = critical_bpf__attach(skel);
	if (err) {
		critical_close(c);
		return collector_fail(c, "cannot attach to hrtimer_expire_entry: %s",
				      bpf_error_reason(err));
	}
	s->ring = ring_buffer__new(bpf_map__fd(skel->maps.crit_events), handle_event, s, NULL);
	if (!s->ring) {
		err = -errno;
		critical_close(c);
		return collector_fail(c, "cannot open the ring buffer: %s", bpf_error_reason(err));
	}
	if (cfg->critical_timer_hz) {
		err = start_timers(s, cfg->critical_timer_hz);
		if (err) {
			critical_close(c);
			return collector_fail(c, "cannot start ktop's per-CPU timer: %s",
					      strerror(-err));
		}
		snprintf(rate, sizeof(rate), "%uHz", cfg->critical_timer_hz);
	}
	/* short enough for a 120-column pane with its sort column; METHOD says more per row */
	snprintf(critical_title, sizeof(critical_title),
		 "Critical sections >%uus  derived (%s%s): timers%s%s  timer %s",
		 cfg->critical_threshold_us,
		 exact ? "preemptirq tracepoints present, not used yet" : "no preemptirq tracepoints",
		 resched ? "" : ", no sched_set_need_resched_tp", calls ? ", IPIs" : "",
		 resched ? ", resched" : "", rate);
	return 0;
}

static void fill_stack(struct frame *f, const struct signature *sig)
{
	struct table *t = frame_table(f, &critical_stack_table);

	for (unsigned int i = 0; t && i < sig->nframes; i++) {
		struct table_row *r = table_add_row(t, i);

		if (!r)
			return;
		r->name = sig->frames[i];
		r->v[0] = sig->nframes - 1 - i;
	}
}

/* Late timers the ring buffer had no room for (counted in BPF, per CPU) and those with no
 * signature slot left here: never silent, they add up in the header's DROPPED */
static uint64_t critical_dropped(struct critical_state *s)
{
	int ncpus = bpf_possible_cpus();
	struct critical_counters *cnt;
	uint64_t dropped = s->lost_signatures;
	__u32 zero = 0;

	if (ncpus <= 0)
		return dropped;
	cnt = calloc((size_t)ncpus, sizeof(*cnt));
	if (cnt && bpf_map__lookup_elem(s->skel->maps.crit_counters, &zero, sizeof(zero), cnt,
					(size_t)ncpus * sizeof(*cnt), 0) == 0)
		for (int cpu = 0; cpu < ncpus; cpu++)
			dropped += cnt[cpu].dropped;
	free(cnt);
	return dropped;
}

static int critical_sample(struct collector *c, struct frame *f)
{
	struct critical_state *s = c->priv;
	struct table *t = frame_table(f, &critical_table);
	struct table *events = frame_table(f, &critical_events_table);
	uint64_t end;
	struct signature *focused;

	if (ring_buffer__consume(s->ring) < 0)
		return -errno;
	c->dropped = critical_dropped(s);
	end = monotonic_ns();
	for (unsigned int i = 0; i < s->nseen; i++) {
		struct signature *sig = signature_find(s, s->seen_keys[i], false);
		struct table_row *r;
		struct hist *h;

		if (!sig)
			continue;
		r = t ? table_add_row(t, sig->key) : NULL;
		if (r) {
			r->name = sig->name;
			r->v[0] = sig->count;
			r->v[1] = sig->kind;
			r->v[2] = sig->max_ns;
			r->v[3] = sig->total_ns;
			r->v[4] = sig->cpus;
			r->v[5] = end > sig->last_ns ? end - sig->last_ns : 0;
			r->v[6] = sig->method;
			r->strings = sig->frames;
			r->nstrings = sig->nframes;
			h = frame_row_hist(f, r, 0);
			if (h)
				*h = sig->hist;
		}
		sig->seen = false;
		sig->count = sig->total_ns = sig->max_ns = sig->cpus = sig->last_ns = 0;
		memset(&sig->hist, 0, sizeof(sig->hist));
	}
	s->nseen = 0;
	if (t)
		table_trim(t);
	for (unsigned int i = 0; events && i < s->nevents; i++) {
		const struct critical_event_row *e = &s->events[i];
		struct table_row *r = table_add_row(events, i);

		if (!r)
			break;
		r->name = e->comm;
		r->label = e->where;
		r->v[0] = e->cpu;
		r->v[1] = e->duration_ns;
		r->v[2] = e->kind;
		r->v[3] = e->pid;
		r->v[4] = end > e->time_ns ? end - e->time_ns : 0;
	}
	s->nevents = 0;
	focused = s->focus_key ? signature_find(s, s->focus_key, false) : NULL;
	if (focused)
		fill_stack(f, focused);
	return 0;
}

static void critical_focus(struct collector *c, const struct focus *focus)
{
	struct critical_state *s = c->priv;

	s->focus_key = focus->table == &critical_table ? focus->key : 0;
}

static int critical_event_fd(struct collector *c)
{
	struct critical_state *s = c->priv;

	return ring_buffer__epoll_fd(s->ring);
}

static int critical_consume(struct collector *c)
{
	struct critical_state *s = c->priv;

	return ring_buffer__consume(s->ring) < 0 ? -errno : 0;
}

const struct collector_ops critical_collector = {
	.name = "critical",
	.tables = critical_tables,
	.open = critical_open,
	.sample = critical_sample,
	.close = critical_close,
	.focus = critical_focus,
	.event_fd = critical_event_fd,
	.consume = critical_consume,
};
