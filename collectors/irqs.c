// SPDX-License-Identifier: GPL-2.0
/*
 * collectors/irqs.c: where interrupt time goes: hard-IRQ handlers and softirq vectors.
 *
 * One collector ("interrupts") owns these panes because softirq net time needs the hard-IRQ
 * time nested inside it, so both live in one BPF object. The x86 system vectors (LOC, RES,
 * CAL, TLB, IWI, NMI, ...) are rows of the Hard IRQs pane named as /proc/interrupts names
 * them. Cross-CPU calls are a pane of their own from the same object: the CAL vector is
 * their delivery and the TLB line is one of their functions, so one set of csd programs
 * serves both. Each tick we read the growth of the kernel's cumulative counters, kept per
 * CPU (counters.h), in hashes holding only the pairs that ran: keyed by (irq, CPU) for the
 * hard IRQs, by (slot, CPU) for the softirq vectors, system vectors and cross-call
 * functions (cpu_slots.h, read back as per-CPU values). Either gives the per-CPU split, so
 * the drill tables and the per-CPU views cost nothing in the kernel, and a tick copies out
 * what the CPUs that worked wrote, not a value per possible CPU.
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
#include "cpu_slots.h"
#include "core/collector.h"
#include "core/intern.h"
#include "core/ksyms.h"
#include "core/proc.h"
#include "irqs.h"
#include "irqs.skel.h"
#include "registry.h"

/* As the kernel spells them (softirq_to_name), lower case */
static const char *const softirq_names[SOFTIRQ_VECS] = {
	"hi", "timer", "net_tx", "net_rx", "block", "irq_poll", "tasklet", "sched", "hrtimer",
	"rcu",
};

/* The lines of /proc/interrupts the system vectors count into, as the kernel labels them
 * (arch_show_interrupts); the IRQ column shows the x86 vector */
static const struct sysvec_info {
	const char *label, *text;
	unsigned int vector;
} sysvec_info[SYSVEC_LINES] = {
	[SYSVEC_NMI] = { "NMI", "Non-maskable interrupts", 2 },
	[SYSVEC_LOC] = { "LOC", "Local timer interrupts", 0xec },
	[SYSVEC_SPU] = { "SPU", "Spurious interrupts", 0xff },
	[SYSVEC_IWI] = { "IWI", "IRQ work interrupts", 0xf6 },
	[SYSVEC_RES] = { "RES", "Rescheduling interrupts", 0xfd },
	[SYSVEC_CAL] = { "CAL", "Function call interrupts", 0xfc },
	[SYSVEC_TLB] = { "TLB", "TLB shootdowns", 0xfc },
	[SYSVEC_TRM] = { "TRM", "Thermal event interrupts", 0xfa },
	[SYSVEC_ERR] = { "ERR", "APIC error interrupts", 0xfe },
	[SYSVEC_PLT] = { "PLT", "Platform interrupts", 0xf7 },
};

/* irq_vectors tracepoint pairs (NAME_entry, NAME_exit) and the line each counts into */
static const struct sysvec_hook {
	const char *tp;
	enum sysvec_line line;
} sysvec_hooks[] = {
	{ "local_timer", SYSVEC_LOC },	 { "reschedule", SYSVEC_RES },
	{ "call_function", SYSVEC_CAL }, { "call_function_single", SYSVEC_CAL },
	{ "irq_work", SYSVEC_IWI },	 { "spurious_apic", SYSVEC_SPU },
	{ "error_apic", SYSVEC_ERR },	 { "thermal_apic", SYSVEC_TRM },
	{ "x86_platform_ipi", SYSVEC_PLT },
};

static const char *const csd_tracepoints[] = { "csd_queue_cpu", "csd_function_entry",
					       "csd_function_exit" };

#define HARDIRQ_COLUMNS(first_id, first_title, first_help)                                 \
	{ first_id, first_title, COL_ID, HV_ID, 0, 4, false, first_help },                 \
	{ "count", "IRQ/s", COL_COUNT, HV_COUNT, 0, 9, false, "interrupts per second" },   \
	{ "total_ns", "TIME/s", COL_TIME, HV_TOTAL, 0, 8, false, "handler time per second" }, \
	{ "cpu_pct", "%CPU", COL_CPU_PCT, HV_TOTAL, 0, 6, true,                            \
	  "handler time as % of one CPU" },                                                \
	{ "avg_ns", "AVG", COL_AVERAGE, HV_TOTAL, HV_COUNT, 8, true,                       \
	  "average time per interrupt" },                                                  \
	{ "max_ns", "MAX", COL_DURATION, HV_MAX, 0, 8, false,                              \
	  "longest interrupt in the interval" },                                           \
	{ "calls", "CALLS/s", COL_COUNT, HV_CALLS, 0, 9, false,                            \
	  "handler runs per second (more than IRQ/s on a shared line)" }

static const struct table_column hardirq_columns[] = {
	{ "name", "HANDLER", COL_NAME, 0, 0, 28, false,
	  "irq number and action name; a system vector's /proc/interrupts label and text" },
	HARDIRQ_COLUMNS("irq", "IRQ", "interrupt number; for a system vector, the x86 vector"),
	{ "cpus", "CPUS", COL_CPUS, HV_CPUS, 0, 8, false, "CPUs the interrupt ran on" },
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

#define SOFTIRQ_COLUMNS                                                                     \
	{ "count", "RUNS/s", COL_COUNT, SV_COUNT, 0, 9, false, "runs per second" },         \
	{ "total_ns", "TIME/s", COL_TIME, SV_TOTAL, 0, 8, false,                            \
	  "net time per second (hard-IRQ handler time nested inside removed)" },            \
	{ "cpu_pct", "%CPU", COL_CPU_PCT, SV_TOTAL, 0, 6, true, "net time as % of one CPU" }, \
	{ "avg_ns", "AVG", COL_AVERAGE, SV_TOTAL, SV_COUNT, 8, true,                        \
	  "average net time per run" },                                                     \
	{ "max_ns", "MAX", COL_DURATION, SV_MAX, 0, 8, false, "longest run in the interval" }, \
	{ "delay_avg_ns", "AVGDLY", COL_AVERAGE, SV_DELAY_TOTAL, SV_DELAYS, 8, true,        \
	  "average wait from the first raise to the run" },                                 \
	{ "delay_max_ns", "MAXDLY", COL_DURATION, SV_DELAY_MAX, 0, 8, false,                \
	  "longest wait from the first raise to the run" },                                 \
	{ "ksoftirqd", "KSOFTD/s", COL_COUNT, SV_KSOFTIRQD, 0, 9, false,                    \
	  "runs per second in ksoftirqd/N (the rest at irq exit or local_bh_enable)" },     \
	{ "delays", "RAISED/s", COL_COUNT, SV_DELAYS, 0, 9, false,                          \
	  "runs per second whose raise was seen (the delay samples)" },                     \
	{ "delay_total_ns", "WAIT/s", COL_TIME, SV_DELAY_TOTAL, 0, 8, false,                \
	  "summed raise-to-run waits per second" },                                         \
	{ "irq_ns", "HARDIRQ/s", COL_TIME, SV_IRQ, 0, 9, false,                             \
	  "hard-IRQ and system-vector time per second that interrupted this work (not in TIME/s)" }

static const struct table_column softirq_columns[] = {
	{ "name", "SOFTIRQ", COL_NAME, 0, 0, 9, false, "vector, as the kernel names it" },
	{ "vec", "VEC", COL_ID, SV_ID, 0, 3, false, "vector number" },
	SOFTIRQ_COLUMNS,
	{ "cpus", "CPUS", COL_CPUS, SV_CPUS, 0, 8, false, "CPUs the vector ran on" },
};

static const struct table_column softirq_cpu_columns[] = {
	{ "cpu", "CPU", COL_ID, SV_ID, 0, 4, false, "CPU number" },
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

#define XCALL_COLUMNS                                                                        \
	{ "count", "RUNS/s", COL_COUNT, XV_COUNT, 0, 9, false,                               \
	  "runs per second sent from another CPU (the work of CAL interrupts)" },            \
	{ "total_ns", "TIME/s", COL_TIME, XV_TOTAL, 0, 8, false,                            \
	  "time per second in the function, those runs" },                                   \
	{ "cpu_pct", "%CPU", COL_CPU_PCT, XV_TOTAL, 0, 6, true, "that time as % of one CPU" }, \
	{ "avg_ns", "AVG", COL_AVERAGE, XV_TOTAL, XV_COUNT, 8, true, "average time per run" }, \
	{ "max_ns", "MAX", COL_DURATION, XV_MAX, 0, 8, false, "longest run in the interval" }, \
	{ "delay_avg_ns", "AVGLAT", COL_AVERAGE, XV_DELAY_TOTAL, XV_DELAYS, 8, true,         \
	  "average latency from the send to the start of the run" },                        \
	{ "delay_max_ns", "MAXLAT", COL_DURATION, XV_DELAY_MAX, 0, 8, false,                 \
	  "longest latency from the send to the start of the run" },                        \
	{ "sent", "SENT/s", COL_COUNT, XV_SENT, 0, 8, false,                                 \
	  "calls queued per second for another CPU" },                                       \
	{ "local", "LOCAL/s", COL_COUNT, XV_LOCAL, 0, 8, false,                              \
	  "runs per second of the sender's own share of a call to many CPUs (no IPI)" }

/* Needed in JSON (the averages derive from them), least useful on screen: last */
#define XCALL_SUM_COLUMNS                                                                    \
	{ "local_ns", "LTIME/s", COL_TIME, XV_LOCAL_NS, 0, 8, false,                         \
	  "time per second of those local runs" },                                           \
	{ "delays", "TIMED/s", COL_COUNT, XV_DELAYS, 0, 8, false,                            \
	  "runs per second whose send was seen (the latency samples)" },                     \
	{ "delay_total_ns", "LAT/s", COL_TIME, XV_DELAY_TOTAL, 0, 8, false,                  \
	  "summed send-to-run latencies per second" }

static const struct table_column xcall_columns[] = {
	{ "name", "FUNCTION", COL_NAME, 0, 0, 24, false, "the function called (kallsyms)" },
	XCALL_COLUMNS,
	{ "cpus", "CPUS", COL_CPUS, XV_CPUS, 0, 6, false, "CPUs it ran on for another CPU" },
	{ "from_cpus", "FROM", COL_CPUS, XV_FROM_CPUS, 0, 6, false, "CPUs that sent it" },
	{ "sender", "LAST SENDER", COL_NAME, 1, 0, 40, false,
	  "the last send seen: the call site of smp_call_function* and the sending task" },
	XCALL_SUM_COLUMNS,
};

static const struct table_column xcall_cpu_columns[] = {
	{ "cpu", "CPU", COL_ID, XV_CPU, 0, 4, false, "CPU number" },
	XCALL_COLUMNS,
	XCALL_SUM_COLUMNS,
};

const struct table_schema xcalls_table = {
	.id = "xcalls",
	.title = "Cross-CPU calls",
	.columns = xcall_columns,
	.ncolumns = sizeof(xcall_columns) / sizeof(xcall_columns[0]),
	.sort_column = 1,
	.max_rows = XCALL_SLOTS,
	.hist_count = 1,
	.hist_names = { "duration" },
	.drill = &xcall_cpus_table,
	.pane = true,
	.charged = true,
};

/* The focused function, per CPU (runs where it ran, sends where it was sent from) */
const struct table_schema xcall_cpus_table = {
	.id = "xcall_cpus",
	.title = "Per CPU",
	.columns = xcall_cpu_columns,
	.ncolumns = sizeof(xcall_cpu_columns) / sizeof(xcall_cpu_columns[0]),
	.sort_column = 1,
	.detail = true,
	.charged = true,
};

static const struct table_schema *const irq_tables[] = {
	&hardirqs_table,      &hardirq_cpus_table,  &hardirqs_by_cpu_table,
	&softirqs_table,      &softirq_cpus_table,  &softirqs_by_cpu_table,
	&xcalls_table,	      &xcall_cpus_table,    NULL,
};

struct irq_name {
	__u32 irq;
	const char *name; /* interned "<irq> <actions>" */
};

/* Interrupt statistics added up (over the CPUs for a vector's row, over the lines or
 * vectors for a CPU's row) with the adds a row's values and histograms get; sum_row()
 * makes the row */
struct irq_sum {
	uint64_t v[TABLE_MAX_VALUES];
	struct hist hist[2]; /* as the table's: the duration, then a softirq's delay */
};

static const struct counter_layout hardirq_stat_layout = {
	.size = sizeof(struct hardirq_stat),
	.u64s = offsetof(struct hardirq_stat, max) / sizeof(__u64),
	.maxes = 1,
	.u32s = KTOP_HIST_SLOTS,
};

static const struct counter_layout xcall_stat_layout = {
	.size = sizeof(struct xcall_stat),
	.u64s = offsetof(struct xcall_stat, max) / sizeof(__u64),
	.maxes = 2,
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
	size_t hard_size, soft_size, xcall_size; /* one CPU's value, 8-byte aligned */
	struct counter_map hard;
	struct cpu_slot_map soft, sysvec, xcall; /* per (slot, CPU): read as per-CPU arrays */
	bool xcalls;		      /* the csd tracepoints are there */
	const struct ksyms *ksyms;    /* shared; NULL when /proc/kallsyms cannot be read */
	struct irq_sum *hard_cpu; /* per CPU, summed over irqs: the per-CPU view */
	struct irq_sum *soft_cpu;
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
	cpu_slot_map_free(&s->soft);
	cpu_slot_map_free(&s->sysvec);
	cpu_slot_map_free(&s->xcall);
	if (s->ksyms)
		ksyms_kernel_put();
	free(s->hard_cpu);
	free(s->soft_cpu);
	free(s->names);
	free(s);
	c->priv = NULL;
}

/* Tell the kernel side which task is ksoftirqd/N on each CPU, from /proc/PID/comm; 0, or
 * -errno when the map would not take one (without /proc, none is known: 0) */
static int find_ksoftirqd(struct irqs_state *s)
{
	int fd = bpf_map__fd(s->skel->maps.ksoftirqd_pids);
	DIR *d = opendir("/proc");
	struct dirent *e;
	int err = 0;

	if (!d)
		return 0;
	while (!err && (e = readdir(d))) {
		char path[64], comm[32];
		unsigned int pid, cpu;

		if (sscanf(e->d_name, "%u", &pid) != 1)
			continue;
		snprintf(path, sizeof(path), "/proc/%u/comm", pid);
		if (proc_read_file(path, comm, sizeof(comm)) <= 0)
			continue;
		if (sscanf(comm, "ksoftirqd/%u", &cpu) != 1 || cpu >= (unsigned int)s->ncpus)
			continue;
		if (bpf_map_update_elem(fd, &cpu, &pid, BPF_ANY))
			err = -errno;
	}
	closedir(d);
	return err;
}

/* Load the tp_btf twin of program NAME (on), never its raw_tp twin (tests run that one) */
static void load_hook(struct bpf_object *obj, const char *name, bool on)
{
	char btf[80], raw[80];
	struct bpf_program *p;

	snprintf(btf, sizeof(btf), "%s_btf", name);
	snprintf(raw, sizeof(raw), "%s_raw", name);
	if ((p = bpf_object__find_program_by_name(obj, btf)))
		bpf_program__set_autoload(p, on);
	if ((p = bpf_object__find_program_by_name(obj, raw)))
		bpf_program__set_autoload(p, false);
}

/* The system vectors' and cross calls' programs this kernel can run; traced[line] says
 * which lines of /proc/interrupts are counted in full */
static void choose_sysvec_hooks(struct irqs_state *s, bool traced[SYSVEC_LINES])
{
	struct bpf_object *obj = s->skel->obj;
	bool missing[SYSVEC_LINES] = { false };
	char entry[64], exit[64];
	struct percpu_offsets percpu;

	for (unsigned int i = 0; i < SYSVEC_LINES; i++)
		traced[i] = false;
	for (unsigned int i = 0; i < sizeof(sysvec_hooks) / sizeof(sysvec_hooks[0]); i++) {
		const struct sysvec_hook *h = &sysvec_hooks[i];
		bool have;

		snprintf(entry, sizeof(entry), "%s_entry", h->tp);
		snprintf(exit, sizeof(exit), "%s_exit", h->tp);
		/* a pair or nothing: an entry alone would time nothing */
		have = probe_btf_tracepoint(entry) && probe_btf_tracepoint(exit);
		load_hook(obj, entry, have);
		load_hook(obj, exit, have);
		if (have)
			traced[h->line] = true;
		else
			missing[h->line] = true; /* CAL needs both of its vectors */
	}
	for (unsigned int i = 0; i < SYSVEC_LINES; i++)
		traced[i] = traced[i] && !missing[i];
	traced[SYSVEC_NMI] = probe_btf_tracepoint("nmi_handler");
	load_hook(obj, "nmi_handler", traced[SYSVEC_NMI]);
	/* irq_stat's NMI count tells an NMI's handlers apart (bpf/irqs.bpf.c); without it
	 * every handler run counts as an NMI */
	percpu_offsets_probe(&percpu, "irq_stat", NULL);
	PERCPU_OFFSETS_SET(s->skel->rodata, &percpu);
	s->skel->rodata->off_irq_stat = percpu.var[0];
	s->xcalls = true;
	for (unsigned int i = 0; i < sizeof(csd_tracepoints) / sizeof(csd_tracepoints[0]); i++)
		s->xcalls = s->xcalls && probe_btf_tracepoint(csd_tracepoints[i]);
	/* raw_tp only (bpf/irqs.bpf.c says why) */
	for (unsigned int i = 0; i < sizeof(csd_tracepoints) / sizeof(csd_tracepoints[0]); i++) {
		snprintf(entry, sizeof(entry), "%s_raw", csd_tracepoints[i]);
		bpf_program__set_autoload(bpf_object__find_program_by_name(obj, entry), s->xcalls);
	}
	if (s->xcalls && s->ksyms)
		s->skel->rodata->tlb_flush_func = ksyms_address(s->ksyms, "flush_tlb_func");
	traced[SYSVEC_TLB] = s->xcalls && s->skel->rodata->tlb_flush_func;
}

/* Say which lines of this kernel's /proc/interrupts ktop does not count, and whether
 * there are cross calls: shown by --check and in the header ("ok (...)") */
static void report_untraced(struct collector *c, struct irqs_state *s,
			    const bool traced[SYSVEC_LINES])
{
	char line[512], label[16], untraced[160] = "";
	size_t used = 0;
	FILE *f = fopen("/proc/interrupts", "r");

	while (f && fgets(line, sizeof(line), f)) {
		unsigned int i;
		int n = 0;

		/* "LOC:", not the header's "CPU0" */
		if (sscanf(line, " %15[A-Za-z]%n", label, &n) != 1 || line[n] != ':')
			continue;
		for (i = 0; i < SYSVEC_LINES; i++)
			if (strcmp(label, sysvec_info[i].label) == 0 && traced[i])
				break;
		if (i < SYSVEC_LINES || used + strlen(label) + 2 >= sizeof(untraced))
			continue;
		used += (size_t)snprintf(untraced + used, sizeof(untraced) - used, "%s%s",
					 used ? " " : "", label);
	}
	if (f)
		fclose(f);
	if (untraced[0] && !s->xcalls)
		snprintf(c->reason, sizeof(c->reason), "untraced: %s; no cross calls: the kernel "
			 "has no csd tracepoints (Linux 6.2+)", untraced);
	else if (untraced[0])
		snprintf(c->reason, sizeof(c->reason), "untraced: %s", untraced);
	else if (!s->xcalls)
		snprintf(c->reason, sizeof(c->reason), "no cross calls: the kernel has no csd "
			 "tracepoints (Linux 6.2+)");
}

static int irqs_open(struct collector *c, const struct ktop_config *cfg)
{
	static const char *const tracepoints[] = { "irq_handler_entry", "irq_handler_exit",
						   "softirq_raise", "softirq_entry",
						   "softirq_exit" };
	struct irqs_state *s;
	struct irqs_bpf *skel;
	bool traced[SYSVEC_LINES];
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
	s->xcall_size = counter_stride(&xcall_stat_layout);
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
	/* beyond IRQS_SIZED_CPUS possible CPUs, room for each slot on every one */
	if (s->ncpus > IRQS_SIZED_CPUS) {
		bpf_map__set_max_entries(skel->maps.softirq_stats, SOFTIRQ_VECS * (__u32)s->ncpus);
		bpf_map__set_max_entries(skel->maps.sysvec_stats, SYSVEC_LINES * (__u32)s->ncpus);
		bpf_map__set_max_entries(skel->maps.xcall_stats,
					 XCALL_FUNCS_PER_CPU * (__u32)s->ncpus);
	}
	s->ksyms = ksyms_kernel_get(&err); /* without them, functions show as addresses */
	choose_sysvec_hooks(s, traced);

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
	/* one value per (irq, CPU) key: a shared hash, not a per-CPU one */
	err = counter_map_init(&s->hard, bpf_map__fd(skel->maps.hardirq_stats),
			       &hardirq_stat_layout, 1, false);
	if (!err)
		err = cpu_slot_map_init(&s->soft, bpf_map__fd(skel->maps.softirq_stats),
					&softirq_stat_layout, s->ncpus);
	if (!err)
		err = cpu_slot_map_init(&s->sysvec, bpf_map__fd(skel->maps.sysvec_stats),
					&hardirq_stat_layout, s->ncpus);
	if (!err)
		err = cpu_slot_map_init(&s->xcall, bpf_map__fd(skel->maps.xcall_stats),
					&xcall_stat_layout, s->ncpus);
	if (err) {
		irqs_close(c);
		return collector_fail(c, "out of memory");
	}
	err = find_ksoftirqd(s);
	if (err) {
		irqs_close(c);
		return collector_fail(c, "cannot tell the kernel side the ksoftirqd threads: %s",
				      bpf_error_reason(err));
	}
	err = irqs_bpf__attach(skel);
	if (err) {
		irqs_close(c);
		return collector_fail(c, "cannot attach to the irq tracepoints: %s",
				      bpf_error_reason(err));
	}
	report_untraced(c, s, traced);
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

/* The row of t keyed key, named name, with key in value id: a sum's row (see sum_row)
 * or, keyed by a CPU, a row of a per-CPU table */
static struct table_row *named_row(struct table *t, uint64_t key, const char *name,
				   unsigned int id)
{
	struct table_row *r = table_add_row(t, key);

	if (!r)
		return NULL;
	r->name = name;
	r->v[id] = key;
	return r;
}

/* CPU cpu's row of a per-CPU table: named "cpuN", the CPU in value id */
static struct table_row *cpu_row(struct table *t, int cpu, unsigned int id)
{
	char name[32];

	snprintf(name, sizeof(name), "cpu%d", cpu);
	return named_row(t, (uint64_t)cpu, intern(name), id);
}

/* Row r of t, just made (NULL: it could not be), gets sum: its values and, as many as t
 * keeps, its histograms; 0 or -ENOMEM */
static int sum_row(struct frame *f, const struct table *t, struct table_row *r,
		   const struct irq_sum *sum)
{
	if (!r)
		return -ENOMEM;
	for (unsigned int i = 0; i < TABLE_MAX_VALUES; i++)
		r->v[i] += sum->v[i]; /* a sum holds no id: the row's stays */
	for (unsigned int i = 0; i < t->schema->hist_count && i < 2; i++) {
		struct hist *h = frame_row_hist(f, r, i);

		if (h)
			hist_add(h, &sum->hist[i]);
	}
	return 0;
}

static void hardirq_values(uint64_t *v, const struct hardirq_stat *st)
{
	v[HV_COUNT] += st->count;
	v[HV_TOTAL] += st->total_ns;
	counter_max_into(&v[HV_MAX], st->max.ns, st->total_ns, st->count);
	v[HV_CALLS] += st->calls;
}

/* One CPU's share of a line this interval: into the line's row, the CPU's row in the
 * per-CPU view, and the line's drill-down when it is the one opened */
static int add_hardirq_cpu(struct irqs_state *s, uint64_t key, uint64_t id, const char *name,
			   int cpu, const struct hardirq_stat *st)
{
	struct table *t = frame_table(s->frame, &hardirqs_table);
	struct table *cpus = frame_table(s->frame, &hardirq_cpus_table);
	struct irq_sum *sum = &s->hard_cpu[cpu];
	struct table_row *r;

	if (!st->calls)
		return 0;
	if (t) {
		r = table_find_row(t, key);
		if (!r && (r = table_add_row(t, key))) {
			r->name = name;
			r->v[HV_ID] = id;
		}
		if (!r)
			return -ENOMEM;
		hardirq_values(r->v, st);
		if (cpu < 64)
			r->v[HV_CPUS] |= 1ull << cpu;
		hist_add_u32(frame_row_hist(s->frame, r, 0), st->hist);
	}
	hardirq_values(sum->v, st);
	hist_add_u32(&sum->hist[0], st->hist);
	if (!cpus || s->focus.table != &hardirqs_table || s->focus.key != key)
		return 0;
	r = cpu_row(cpus, cpu, HV_ID);
	if (!r)
		return -ENOMEM;
	hardirq_values(r->v, st);
	return 0;
}

/* One (irq, CPU) pair's interval, from the hash that holds only the pairs that fired */
static int add_hardirq(void *arg, __u32 key, const void *value)
{
	struct irqs_state *s = arg;
	__u32 irq = key & HARDIRQ_MAX_IRQ;
	int cpu = (int)(key >> HARDIRQ_CPU_SHIFT);

	if (cpu >= s->ncpus)
		return 0;
	return add_hardirq_cpu(s, irq, irq, irq_name(s, irq), cpu, value);
}

/* A system vector's line: named "LOC Local timer interrupts", as /proc/interrupts does */
static int add_sysvec(void *arg, __u32 line, const void *values)
{
	struct irqs_state *s = arg;
	const char *name;
	char text[64];
	int err = 0;

	if (line >= SYSVEC_LINES)
		return 0;
	snprintf(text, sizeof(text), "%s %s", sysvec_info[line].label, sysvec_info[line].text);
	name = intern(text);
	for (int cpu = 0; cpu < s->ncpus && !err; cpu++)
		err = add_hardirq_cpu(s, SYSVEC_ROW_KEY(line), sysvec_info[line].vector, name, cpu,
				      cpu_value(values, s->hard_size, cpu));
	return err;
}

static int sample_hardirqs(struct irqs_state *s, struct frame *f, __u64 epoch)
{
	struct table *t = frame_table(f, &hardirqs_table), *by_cpu;
	int err;

	memset(s->hard_cpu, 0, (size_t)s->ncpus * sizeof(*s->hard_cpu));
	err = counter_map_read(&s->hard, epoch, add_hardirq, s);
	if (!err)
		err = cpu_slot_map_read(&s->sysvec, epoch, add_sysvec, s);
	if (err)
		return err;
	if (t)
		table_trim(t);
	by_cpu = frame_table(f, &hardirqs_by_cpu_table);
	for (int cpu = 0; by_cpu && cpu < s->ncpus && !err; cpu++)
		if (s->hard_cpu[cpu].v[HV_CALLS])
			err = sum_row(f, by_cpu, cpu_row(by_cpu, cpu, HV_ID), &s->hard_cpu[cpu]);
	return err;
}

static void softirq_values(uint64_t *v, const struct softirq_stat *st)
{
	v[SV_COUNT] += st->count;
	v[SV_TOTAL] += st->total_ns;
	counter_max_into(&v[SV_MAX], st->max.ns, st->total_ns, st->count);
	v[SV_DELAYS] += st->delays;
	v[SV_DELAY_TOTAL] += st->delay_total_ns;
	counter_max_into(&v[SV_DELAY_MAX], st->delay_max.ns, st->delay_total_ns, st->delays);
	v[SV_KSOFTIRQD] += st->ksoftirqd;
	v[SV_IRQ] += st->irq_ns;
}

static void softirq_add(struct irq_sum *sum, const struct softirq_stat *st)
{
	softirq_values(sum->v, st);
	hist_add_u32(&sum->hist[0], st->hist);
	hist_add_u32(&sum->hist[1], st->delay_hist);
}

/* One vector's interval, per CPU: its row, the per-CPU view, its drill-down */
static int add_softirq(void *arg, __u32 vec, const void *values)
{
	struct irqs_state *s = arg;
	struct frame *f = s->frame;
	struct table *t = frame_table(f, &softirqs_table);
	struct table *cpus = frame_table(f, &softirq_cpus_table);
	bool focused = s->focus.table == &softirqs_table && s->focus.key == vec;
	struct irq_sum sum = { { 0 } };
	struct table_row *r;
	bool used = false;
	int err;

	if (vec >= SOFTIRQ_VECS)
		return 0;
	for (int cpu = 0; cpu < s->ncpus; cpu++) {
		const struct softirq_stat *st = cpu_value(values, s->soft_size, cpu);

		if (!st->count && !st->delays)
			continue;
		used = true;
		softirq_add(&sum, st);
		softirq_add(&s->soft_cpu[cpu], st);
		if (focused && cpus && (r = cpu_row(cpus, cpu, SV_ID)))
			softirq_values(r->v, st);
	}
	if (!used || !t)
		return 0;
	r = named_row(t, vec, softirq_names[vec], SV_ID);
	err = sum_row(f, t, r, &sum);
	if (err)
		return err;
	for (int cpu = 0; cpu < s->ncpus && cpu < 64; cpu++) {
		const struct softirq_stat *st = cpu_value(values, s->soft_size, cpu);

		if (st->count)
			r->v[SV_CPUS] |= 1ull << cpu;
	}
	return 0;
}

static int sample_softirqs(struct irqs_state *s, struct frame *f, __u64 epoch)
{
	struct table *by_cpu = frame_table(f, &softirqs_by_cpu_table);
	int err;

	memset(s->soft_cpu, 0, (size_t)s->ncpus * sizeof(*s->soft_cpu));
	err = cpu_slot_map_read(&s->soft, epoch, add_softirq, s);
	for (int cpu = 0; by_cpu && cpu < s->ncpus && !err; cpu++)
		if (s->soft_cpu[cpu].v[SV_COUNT] || s->soft_cpu[cpu].v[SV_DELAYS])
			err = sum_row(f, by_cpu, cpu_row(by_cpu, cpu, SV_ID), &s->soft_cpu[cpu]);
	return err;
}

/* The function of a cross-call slot, or 0 when the slot is not claimed yet */
static __u64 xcall_func(struct irqs_state *s, __u32 slot)
{
	__u64 func = 0;

	if (slot == XCALL_OTHER_SLOT)
		return ~0ull;
	bpf_map_lookup_elem(bpf_map__fd(s->skel->maps.xcall_slot_funcs), &slot, &func);
	return func;
}

static const char *kernel_symbol(struct irqs_state *s, __u64 addr, bool exact)
{
	const struct ksym *sym;
	uint64_t offset;
	char buf[128];

	sym = s->ksyms ? ksyms_find(s->ksyms, addr, &offset) : NULL;
	if (sym && offset == 0)
		return intern(sym->name);
	if (sym && !exact) {
		snprintf(buf, sizeof(buf), "%s+0x%llx", sym->name, (unsigned long long)offset);
		return intern(buf);
	}
	snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)addr);
	return intern(buf);
}

/* "call_site (comm)" of a slot's last send; no thread id, so the strings stay few */
static const char *xcall_sender(struct irqs_state *s, __u32 slot)
{
	struct xcall_sender who = { 0 };
	char buf[200];

	if (bpf_map_lookup_elem(bpf_map__fd(s->skel->maps.xcall_senders), &slot, &who) ||
	    !who.callsite)
		return NULL;
	who.comm[sizeof(who.comm) - 1] = '\0';
	snprintf(buf, sizeof(buf), "%s (%s)", kernel_symbol(s, who.callsite, false), who.comm);
	return intern(buf);
}

static void xcall_values(uint64_t *v, const struct xcall_stat *st)
{
	v[XV_COUNT] += st->count;
	v[XV_TOTAL] += st->total_ns;
	counter_max_into(&v[XV_MAX], st->max.ns, st->total_ns, st->count);
	v[XV_DELAYS] += st->delays;
	v[XV_DELAY_TOTAL] += st->delay_total_ns;
	counter_max_into(&v[XV_DELAY_MAX], st->delay_max.ns, st->delay_total_ns, st->delays);
	v[XV_SENT] += st->sent;
	v[XV_LOCAL] += st->local;
	v[XV_LOCAL_NS] += st->local_ns;
}

/* One called function's interval: its row (summed over CPUs), and per CPU if focused */
static int add_xcall(void *arg, __u32 slot, const void *values)
{
	struct irqs_state *s = arg;
	struct frame *f = s->frame;
	struct table *t = frame_table(f, &xcalls_table);
	struct table *cpus = frame_table(f, &xcall_cpus_table);
	__u64 func = xcall_func(s, slot);
	struct table_row *r;
	struct hist *h;

	if (!t || !func)
		return 0;
	r = table_add_row(t, func);
	if (!r)
		return -ENOMEM;
	r->name = func == ~0ull ? intern("(other functions)") : kernel_symbol(s, func, true);
	r->label = xcall_sender(s, slot);
	h = frame_row_hist(f, r, 0);
	for (int cpu = 0; cpu < s->ncpus; cpu++) {
		const struct xcall_stat *st = cpu_value(values, s->xcall_size, cpu);
		struct table_row *c;

		if (!st->count && !st->sent && !st->local)
			continue;
		xcall_values(r->v, st);
		hist_add_u32(h, st->hist);
		if (cpu < 64 && st->count)
			r->v[XV_CPUS] |= 1ull << cpu;
		if (cpu < 64 && st->sent)
			r->v[XV_FROM_CPUS] |= 1ull << cpu;
		if (!cpus || s->focus.table != &xcalls_table || s->focus.key != func)
			continue;
		c = cpu_row(cpus, cpu, XV_CPU);
		if (!c)
			return -ENOMEM;
		xcall_values(c->v, st);
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
	if (!err && s->xcalls)
		err = cpu_slot_map_read(&s->xcall, epoch, add_xcall, s);
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
