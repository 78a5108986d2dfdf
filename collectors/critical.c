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
 *
 * What is shown are detections, and durations are lower bounds: a section is seen only if
 * a timer expired inside it, and only from that expiry on. A busy CPU's own tick is such a
 * timer (HZ a second); ktop adds its own timer only where the tick does not run while the
 * CPU is busy (nohz_full CPUs), and for a while on a CPU where a section was just found, to
 * measure the next ones closer. The title says the rate in use, what it costs and how
 * likely a section of 1 ms is to be caught at that rate.
 */
#include <errno.h>
#include <stdio.h>
#include <linux/perf_event.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/critical.h"
#include "bpf_util.h"
#include "container_filter.h"
#include "critical.h"
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
#define CRITICAL_MASK_CPUS 64    /* the CPUS column is a mask of the first 64 */
/* a CPU where a section was found gets ktop's own timer for BOOST_NS, then none for
 * COOL_NS: at most a fifth of the time, so the timer stays within ktop's CPU budget */
#define CRITICAL_BOOST_NS 5000000000ull
#define CRITICAL_COOL_NS 20000000000ull
/* the section length whose chance of being caught the title shows */
#define CRITICAL_SHOWN_NS 1000000ull

/* kinds (enum stack_kind) first, then methods: one list for both COL_TEXT_VALUE columns */
enum critical_method {
	METHOD_TIMER_LATENESS = STACK_KINDS,
	METHOD_IPI_CALL,
	METHOD_RESCHED_LATENCY,
};

static const char *const critical_value_names[] = {
	"irqs_off", "bh_off", "preempt_off", "idle", "user", "external",
	"timer_lateness", "ipi_call", "resched_latency", NULL,
};

/* Its settings, [critical] of the config file */
enum critical_setting { CRITICAL_THRESHOLD_US, CRITICAL_TIMER_HZ };

static const struct option_def critical_options[] = {
	[CRITICAL_THRESHOLD_US] = { "critical", "threshold_us", OPTION_UINT, 1, 10000000, "100",
				    "critical sections (IRQs, BH or preemption off) shorter than "
				    "this many microseconds are ignored" },
	[CRITICAL_TIMER_HZ] = { "critical", "timer_hz", OPTION_UINT, 0, 10000, "1000",
				"rate of ktop's own per-CPU timer that notices late interrupts: "
				"always on nohz_full CPUs, for 5 s on a CPU where a section was "
				"just found; the tick samples the others; 0: never" },
};

static const struct table_column critical_columns[] = {
	{ "name", "OFFENDER (where it ended <- caller)", COL_NAME, 0, 0, 60, false,
	  "innermost meaningful frame of the stack (where interrupts came back on, or where the "
	  "CPU was let go), and its caller" },
	{ "kind", "KIND", COL_TEXT_VALUE, CRITICAL_V_KIND, 0, 11, false,
	  "irqs_off, bh_off, preempt_off, idle, user, external" },
	{ "count", "N/s", COL_COUNT, CRITICAL_V_COUNT, 0, 6, false,
	  "detections: sections above the threshold that a timer (or an IPI, or a rescheduling "
	  "request) fell into; sections nothing fell into go unseen" },
	{ "max_ns", "MAX", COL_DURATION, CRITICAL_V_MAX, 0, 8, false,
	  "longest detection in the interval, a lower bound: timer_lateness measures from the "
	  "timer's expiry, the section began earlier" },
	{ "total_ns", "TIME/s", COL_TIME, CRITICAL_V_TOTAL, 0, 8, false,
	  "detected time, a lower bound (each detection is)" },
	{ "avg_ns", "AVG", COL_AVERAGE, CRITICAL_V_TOTAL, CRITICAL_V_COUNT, 8, true,
	  "average detection, a lower bound" },
	{ "cpus", "CPUS", COL_CPUS, CRITICAL_V_CPUS, 0, 6, false, "CPUs where it was seen" },
	{ "last_seen", "AGO", COL_AGE, CRITICAL_V_AGO, 0, 7, false,
	  "time from the last one to the end of the interval (ns)" },
	{ "method", "METHOD", COL_TEXT_VALUE, CRITICAL_V_METHOD, 0, 14, false,
	  "timer_lateness (derived: from a late timer's expiry, a lower bound), ipi_call (exact), "
	  "resched_latency (exact wait for the scheduler)" },
};

/* A row that blames kernel code (IRQs, BH or preemption kept off): new and hot, it marks
 * the pane; a late timer in idle, in user mode or from outside does not */
static bool critical_row_alerts(const struct table_row *r)
{
	return r->v[CRITICAL_V_KIND] <= STACK_PREEMPT_OFF;
}

const struct table_schema critical_table = {
	.id = "critical",
	/* each frame's table carries the title of its interval (critical_title_update) */
	.title = "Critical sections",
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
	.alerts = critical_row_alerts,
	.pane = true,
	.charged = true,
};

static const struct table_column event_columns[] = {
	{ "age_ns", "AGO", COL_AGE, CRITICAL_EV_AGO, 0, 8, false,
	  "time before the end of the interval" },
	{ "cpu", "CPU", COL_ID, CRITICAL_EV_CPU, 0, 3, false, "CPU" },
	{ "duration_ns", "DURATION", COL_DURATION, CRITICAL_EV_DURATION, 0, 8, false,
	  "how long the section lasted, at least (timer_lateness: from the timer's expiry)" },
	{ "kind", "KIND", COL_TEXT_VALUE, CRITICAL_EV_KIND, 0, 11, false,
	  "irqs_off, bh_off, preempt_off, idle, user, external" },
	{ "pid", "PID", COL_ID, CRITICAL_EV_PID, 0, 7, false,
	  "the interrupted task, or the one that kept the CPU (0: idle)" },
	{ "comm", "TASK", COL_NAME, 0, 0, 16, false, "that task's name" },
	{ "where", "OFFENDER", COL_NAME, 1, 0, 40, false, "innermost frame <- caller" },
	{ "method", "METHOD", COL_TEXT_VALUE, CRITICAL_EV_METHOD, 0, 14, false,
	  "timer_lateness (a lower bound), ipi_call or resched_latency (exact)" },
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
	{ "depth", "DEPTH", COL_ID, CRITICAL_STACK_V_DEPTH, 0, 5, false,
	  "call depth from the outermost frame" },
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
	unsigned int method;
	const char *comm, *where;
};

/* ktop's own timer on one CPU: a cpu-clock perf event, created disabled */
struct own_timer {
	int fd;          /* -1: none (CPU offline) */
	bool always;     /* the CPU has no tick while busy (nohz_full) */
	bool on;
	uint64_t boost_until, cool_until; /* monotonic ns */
	bool found;      /* a timer-detected section was found on the CPU this interval */
	uint64_t enabled_ns, enabled_before; /* time enabled, now and at the last interval */
};

struct critical_state {
	char title[224]; /* what this interval's frame is titled (critical_title_update) */
	struct critical_bpf *skel;
	struct ring_buffer *ring;
	const struct ksyms *ksyms; /* shared, see ksyms_kernel_get() */
	struct own_timer *timers; /* per possible CPU */
	int ncpus;
	unsigned int timer_hz, threshold_us;
	const char *missing; /* the exact methods this kernel cannot give, for the title */
	struct critical_counters *counters, *previous; /* per CPU, read each interval */
	uint64_t sampled_ns;
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
		if (e->cpu < CRITICAL_MASK_CPUS)
			sig->cpus |= 1ull << e->cpu;
		if (e->time_ns > sig->last_ns)
			sig->last_ns = e->time_ns;
		sig->hist.slot[hist_slot(e->lateness_ns)]++;
	}
	/* a section a timer found: the CPU's own timer measures the next ones closer */
	if (method == METHOD_TIMER_LATENESS && e->cpu < (unsigned int)s->ncpus && s->timers &&
	    (split.kind == STACK_IRQS_OFF || split.kind == STACK_BH_OFF))
		s->timers[e->cpu].found = true;
	if (s->nevents < CRITICAL_MAX_EVENTS) {
		struct critical_event_row *row = &s->events[s->nevents++];

		*row = (struct critical_event_row){
			.time_ns = e->time_ns, .duration_ns = e->lateness_ns, .cpu = e->cpu,
			.pid = e->pid, .kind = split.kind, .method = method,
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
	for (int i = 0; s->timers && i < s->ncpus; i++)
		if (s->timers[i].fd >= 0)
			close(s->timers[i].fd);
	free(s->timers);
	free(s->counters);
	free(s->previous);
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

/* CPUs in a list like "2-5,8" (the kernel's cpulist format), as a flag per CPU */
static void cpulist_parse(const char *path, bool *cpus, int ncpus)
{
	char buf[1024], *p = buf, *end;
	FILE *f = fopen(path, "r");

	if (!f)
		return;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	while (*p >= '0' && *p <= '9') {
		long lo = strtol(p, &end, 10), hi = lo;

		if (*end == '-')
			hi = strtol(end + 1, &end, 10);
		for (long c = lo; c <= hi && c < ncpus; c++)
			cpus[c] = true;
		p = *end == ',' ? end + 1 : end;
	}
}

/*
 * ktop's own hard hrtimer on each CPU: a cpu-clock perf event, no program attached, created
 * disabled. A busy CPU's tick already samples it HZ times a second, so the timer runs only
 * where the tick stops while the CPU is busy (nohz_full), and on a CPU where a section was
 * just found (see timers_adapt)
 */
static int start_timers(struct critical_state *s, unsigned int hz)
{
	bool *nohz_full = calloc((size_t)s->ncpus, sizeof(*nohz_full));

	s->timers = calloc((size_t)s->ncpus, sizeof(*s->timers));
	if (!s->timers || !nohz_full) {
		free(nohz_full);
		return -ENOMEM;
	}
	for (int cpu = 0; cpu < s->ncpus; cpu++)
		s->timers[cpu].fd = -1;
	cpulist_parse("/sys/devices/system/cpu/nohz_full", nohz_full, s->ncpus);
	for (int cpu = 0; cpu < s->ncpus; cpu++) {
		struct perf_event_attr attr = {
			.type = PERF_TYPE_SOFTWARE,
			.size = sizeof(attr),
			.config = PERF_COUNT_SW_CPU_CLOCK,
			.sample_period = 1000000000ull / hz,
			.read_format = PERF_FORMAT_TOTAL_TIME_ENABLED,
			.disabled = 1,
		};
		struct own_timer *t = &s->timers[cpu];

		t->fd = (int)syscall(SYS_perf_event_open, &attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
		if (t->fd < 0) {
			int err = -errno;

			if (err == -ENODEV || err == -EINVAL) /* offline CPU */
				continue;
			free(nohz_full);
			return err;
		}
		t->always = nohz_full[cpu];
		if (t->always && ioctl(t->fd, PERF_EVENT_IOC_ENABLE, 0) == 0)
			t->on = true;
	}
	free(nohz_full);
	return 0;
}

/* Each interval: a CPU where a timer found a section gets the own timer for BOOST_NS
 * (unless it cools down from the last boost); one whose boost ran out loses it */
static void timers_adapt(struct critical_state *s, uint64_t now)
{
	for (int cpu = 0; s->timers && cpu < s->ncpus; cpu++) {
		struct own_timer *t = &s->timers[cpu];
		bool want;

		if (t->fd < 0)
			continue;
		if (t->found && !t->always && now >= t->cool_until && now >= t->boost_until) {
			t->boost_until = now + CRITICAL_BOOST_NS;
			t->cool_until = t->boost_until + CRITICAL_COOL_NS;
		}
		t->found = false;
		want = t->always || now < t->boost_until;
		if (want != t->on &&
		    ioctl(t->fd, want ? PERF_EVENT_IOC_ENABLE : PERF_EVENT_IOC_DISABLE, 0) == 0)
			t->on = want;
	}
}

/* A section of length ns is caught when a timer expires in it at least the threshold before
 * its end: with a timer every 1/hz s at a random phase, (ns - threshold) * hz of the time */
static unsigned int catch_percent(uint64_t ns, uint64_t threshold_ns, double hz)
{
	double p = ns > threshold_ns ? (double)(ns - threshold_ns) * hz / 1e9 : 0;

	return p >= 1 ? 100 : (unsigned int)(p * 100);
}

/*
 * The title says what the numbers are (detections, lower bounds), how each CPU is sampled
 * (its tick, plus ktop's timer where on), what ktop's timer costs (interrupts a second it
 * adds) and the chance that a 1 ms section is caught at the tick's rate (with the timer).
 * Short enough for a 120-column pane; METHOD says more per row.
 */
static void critical_title_update(struct critical_state *s, double seconds)
{
	uint64_t tick_ns = 0, threshold = (uint64_t)s->threshold_us * 1000;
	unsigned int on = 0, online = 0;
	double tick_hz, added = 0;
	char tick[24] = "tick ?", own[64] = ", own timer off", chance[40];

	for (int cpu = 0; cpu < s->ncpus; cpu++) {
		uint64_t p = s->counters[cpu].tick_period_ns;

		if (p && (!tick_ns || p < tick_ns))
			tick_ns = p;
	}
	for (int cpu = 0; s->timers && cpu < s->ncpus; cpu++) {
		struct own_timer *t = &s->timers[cpu];

		if (t->fd < 0)
			continue;
		online++;
		on += t->on;
		added += (double)(t->enabled_ns - t->enabled_before) * s->timer_hz / 1e9;
	}
	tick_hz = tick_ns ? 1e9 / (double)tick_ns : 0;
	if (tick_ns)
		snprintf(tick, sizeof(tick), "tick %.0fHz", tick_hz);
	if (s->timers)
		snprintf(own, sizeof(own), ", own %uHz %u/%u CPUs +%.0f irq/s", s->timer_hz, on,
			 online, seconds > 0 ? added / seconds : 0);
	if (on)
		snprintf(chance, sizeof(chance), "1ms caught %u%% (own %u%%)",
			 catch_percent(CRITICAL_SHOWN_NS, threshold, tick_hz),
			 catch_percent(CRITICAL_SHOWN_NS, threshold, tick_hz + s->timer_hz));
	else
		snprintf(chance, sizeof(chance), "1ms caught %u%%",
			 catch_percent(CRITICAL_SHOWN_NS, threshold, tick_hz));
	snprintf(s->title, sizeof(s->title),
		 "Critical sections >%uus: detections, lower bounds  %s%s  %s%s", s->threshold_us,
		 tick, own, chance, s->missing);
}

/* How long each own timer has been enabled: what it cost is that many expiries */
static void timers_read(struct critical_state *s)
{
	for (int cpu = 0; s->timers && cpu < s->ncpus; cpu++) {
		struct own_timer *t = &s->timers[cpu];
		uint64_t v[2]; /* count, PERF_FORMAT_TOTAL_TIME_ENABLED */

		t->enabled_before = t->enabled_ns;
		if (t->fd >= 0 && read(t->fd, v, sizeof(v)) == (ssize_t)sizeof(v))
			t->enabled_ns = v[1];
	}
}

/* This interval's per-CPU counters into s->counters, the last ones into s->previous */
static int counters_read(struct critical_state *s)
{
	struct critical_counters *t = s->previous;
	__u32 zero = 0;

	s->previous = s->counters;
	s->counters = t;
	if (bpf_map__lookup_elem(s->skel->maps.crit_counters, &zero, sizeof(zero), s->counters,
				 (size_t)s->ncpus * sizeof(*s->counters), 0)) {
		memcpy(s->counters, s->previous, (size_t)s->ncpus * sizeof(*s->counters));
		return -errno;
	}
	return 0;
}

static int critical_open(struct collector *c, const struct ktop_config *cfg)
{
	bool timer_btf = probe_btf_tracepoint("hrtimer_expire_entry");
	bool calls = probe_btf_tracepoint("csd_function_entry") &&
		     probe_btf_tracepoint("csd_function_exit");
	bool resched = probe_btf_tracepoint("sched_set_need_resched_tp") &&
		       probe_btf_tracepoint("sched_entry_tp");
	bool softirqs = probe_btf_tracepoint("softirq_raise") &&
			probe_btf_tracepoint("softirq_entry") && probe_btf_tracepoint("softirq_exit");
	struct critical_state *s;
	struct critical_bpf *skel;
	int err;

	if (!timer_btf)
		return collector_fail(c, "the kernel has no hrtimer_expire_entry tracepoint");
	s = calloc(1, sizeof(*s));
	if (!s)
		return collector_fail(c, "out of memory");
	c->priv = s;
	s->ncpus = bpf_possible_cpus();
	s->timer_hz = options_uint(cfg, &critical_options[CRITICAL_TIMER_HZ]);
	s->threshold_us = options_uint(cfg, &critical_options[CRITICAL_THRESHOLD_US]);
	s->slots = calloc(CRITICAL_HASH_SLOTS, sizeof(*s->slots));
	s->seen_keys = calloc(CRITICAL_MAX_SIGNATURES, sizeof(*s->seen_keys));
	s->counters = s->ncpus > 0 ? calloc((size_t)s->ncpus, sizeof(*s->counters)) : NULL;
	s->previous = s->ncpus > 0 ? calloc((size_t)s->ncpus, sizeof(*s->previous)) : NULL;
	if (!s->slots || !s->seen_keys || !s->counters || !s->previous) {
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
	skel->rodata->threshold_ns = (__u64)s->threshold_us * 1000;
	skel->rodata->irqentry_start = ksyms_address(s->ksyms, "__irqentry_text_start");
	skel->rodata->irqentry_end = ksyms_address(s->ksyms, "__irqentry_text_end");
	/* the tick's hrtimer callback: tick_sched_timer until 6.9 renamed it tick_nohz_handler,
	 * a name that before held the low-resolution tick's handler (not an hrtimer's): the
	 * old name first, where it exists it is the one */
	skel->rodata->tick_fn = ksyms_address(s->ksyms, "tick_sched_timer");
	if (!skel->rodata->tick_fn)
		skel->rodata->tick_fn = ksyms_address(s->ksyms, "tick_nohz_handler");
	bpf_choose_variant(skel->progs.crit_hrtimer_btf, skel->progs.crit_hrtimer_raw, true);
	bpf_choose_variant(skel->progs.crit_timer_start_btf, skel->progs.crit_timer_start_raw,
			   true);
	bpf_choose_variant(skel->progs.crit_softirq_raise_btf, skel->progs.crit_softirq_raise_raw,
			   softirqs);
	bpf_choose_variant(skel->progs.crit_softirq_entry_btf, skel->progs.crit_softirq_entry_raw,
			   softirqs);
	bpf_choose_variant(skel->progs.crit_softirq_exit_btf, skel->progs.crit_softirq_exit_raw,
			   softirqs);
	bpf_choose_variant(skel->progs.crit_call_entry_btf, skel->progs.crit_call_entry_raw, true);
	if (!calls) {
		bpf_program__set_autoload(skel->progs.crit_call_entry_btf, false);
		bpf_program__set_autoload(skel->progs.crit_call_exit_raw, false);
	}
	if (!resched) {
		bpf_program__set_autoload(skel->progs.crit_resched_set, false);
		bpf_program__set_autoload(skel->progs.crit_resched_served, false);
	}
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
	if (s->timer_hz) {
		err = start_timers(s, s->timer_hz);
		if (err) {
			critical_close(c);
			return collector_fail(c, "cannot start ktop's per-CPU timer: %s",
					      strerror(-err));
		}
	}
	s->missing = calls && resched ? "" : calls ? " (no resched)" : resched ? " (no IPIs)" :
		     " (no IPIs, no resched)";
	s->sampled_ns = monotonic_ns();
	critical_title_update(s, 0);
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
		r->v[CRITICAL_STACK_V_DEPTH] = sig->nframes - 1 - i;
	}
}

/* Late timers the ring buffer had no room for (counted in BPF, per CPU) and those with no
 * signature slot left here: never silent, they add up in the header's DROPPED */
static uint64_t critical_dropped(const struct critical_state *s)
{
	uint64_t dropped = s->lost_signatures;

	for (int cpu = 0; cpu < s->ncpus; cpu++)
		dropped += s->counters[cpu].dropped;
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
	counters_read(s);
	c->dropped = critical_dropped(s);
	end = monotonic_ns();
	timers_read(s);
	critical_title_update(s, (double)(end - s->sampled_ns) / 1e9);
	/* interned: the few titles a run has are kept once, however many frames hold them */
	if (t)
		t->title = intern(s->title);
	timers_adapt(s, end);
	s->sampled_ns = end;
	for (unsigned int i = 0; i < s->nseen; i++) {
		struct signature *sig = signature_find(s, s->seen_keys[i], false);
		struct table_row *r;
		struct hist *h;

		if (!sig)
			continue;
		r = t ? table_add_row(t, sig->key) : NULL;
		if (r) {
			r->name = sig->name;
			r->v[CRITICAL_V_COUNT] = sig->count;
			r->v[CRITICAL_V_KIND] = sig->kind;
			r->v[CRITICAL_V_MAX] = sig->max_ns;
			r->v[CRITICAL_V_TOTAL] = sig->total_ns;
			r->v[CRITICAL_V_CPUS] = sig->cpus;
			r->v[CRITICAL_V_AGO] = end > sig->last_ns ? end - sig->last_ns : 0;
			r->v[CRITICAL_V_METHOD] = sig->method;
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
		r->v[CRITICAL_EV_CPU] = e->cpu;
		r->v[CRITICAL_EV_DURATION] = e->duration_ns;
		r->v[CRITICAL_EV_KIND] = e->kind;
		r->v[CRITICAL_EV_PID] = e->pid;
		r->v[CRITICAL_EV_AGO] = end > e->time_ns ? end - e->time_ns : 0;
		r->v[CRITICAL_EV_METHOD] = e->method;
	}
	s->nevents = 0;
	focused = s->focus_key ? signature_find(s, s->focus_key, false) : NULL;
	if (focused)
		fill_stack(f, focused);
	return 0;
}

int critical_counters_sum(struct collector *c, struct critical_counters *sum)
{
	struct critical_state *s = c->priv;
	int err;

	memset(sum, 0, sizeof(*sum));
	if (!s)
		return -EINVAL;
	err = counters_read(s);
	if (err)
		return err;
	for (int cpu = 0; cpu < s->ncpus; cpu++) {
		const struct critical_counters *k = &s->counters[cpu];

		for (int w = 0; w < 2; w++) {
			sum->runs[w] += k->runs[w];
			sum->late[w] += k->late[w];
		}
		sum->dropped += k->dropped;
		sum->explained += k->explained;
		sum->armed_expired += k->armed_expired;
		sum->retries += k->retries;
		sum->softirq_work += k->softirq_work;
		sum->tick_expiries += k->tick_expiries;
	}
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

	if (ring_buffer__consume(s->ring) < 0)
		return -errno;
	/* a section just found: the CPU's own timer starts now, not at the next interval */
	timers_adapt(s, monotonic_ns());
	return 0;
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
	.options = critical_options,
	.noptions = sizeof(critical_options) / sizeof(critical_options[0]),
};
