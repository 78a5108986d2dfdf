// SPDX-License-Identifier: GPL-2.0
/*
 * tests/workloads/irqoff_cost.c: what the critical-sections collector costs, in one run.
 *   irqoff_cost [SECONDS] [HZ]   (root; default 3 s per phase, timer 1000 Hz)
 * Phases: nothing attached; the programs attached with ktop's per-CPU timer off (ktop's
 * default now, on CPUs whose tick runs while they are busy); the programs with the timer
 * at HZ on every CPU (the default before: 1000 Hz). For each: CPU time per second the BPF
 * programs took (kernel.bpf_stats_enabled), and per program its runs a second and ns a
 * run; the time a thread spinning on each CPU lost in short gaps
 * (1-100 us: interrupts and what runs in them, programs included; longer gaps are other
 * tasks and are left out), per second the spinners ran (their CPU time: on a busy machine
 * they run a share of the time) times the CPUs, so all CPUs busy; ns per getppid() call (the added cost on a syscall loop); and
 * ns per context switch between two threads on CPU 0 passing a byte through pipes (the
 * preemption-wait programs run at every entry to the scheduler).
 */
#include <linux/perf_event.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "critical.skel.h"

#define MAX_CPUS 64

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

struct spinner {
	int cpu;
	double seconds;
	double stolen_ns;
	unsigned long gaps;
	double ran_s; /* the thread's CPU time: on a busy machine it runs a share of the time */
};

static double thread_cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *spin(void *arg)
{
	struct spinner *s = arg;
	cpu_set_t set;
	double end;

	CPU_ZERO(&set);
	CPU_SET(s->cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
	s->ran_s = -thread_cpu_s();
	end = now_s() + s->seconds;
	for (double last = now_s(), t; (t = now_s()) < end; last = t) {
		double gap = (t - last) * 1e9;

		if (gap >= 1000 && gap < 100000) {
			s->stolen_ns += gap;
			s->gaps++;
		}
	}
	s->ran_s += thread_cpu_s();
	return NULL;
}

static double getppid_ns(long n)
{
	cpu_set_t set;
	double start;

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	sched_setaffinity(0, sizeof(set), &set);
	start = now_s();
	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
	return (now_s() - start) * 1e9 / n;
}

struct pingpong {
	int in, out;
	long n;
};

static void *pong(void *arg)
{
	struct pingpong *p = arg;
	cpu_set_t set;
	char c;

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	sched_setaffinity(0, sizeof(set), &set);
	for (long i = 0; i < p->n; i++)
		if (read(p->in, &c, 1) != 1 || write(p->out, &c, 1) != 1)
			break;
	return NULL;
}

/* ns per context switch: two threads on CPU 0 hand a byte back and forth */
static double switch_ns(long n)
{
	int a[2], b[2];
	struct pingpong p;
	pthread_t th;
	double start;
	char c = 0;

	if (pipe(a) || pipe(b))
		return 0;
	p = (struct pingpong){ a[0], b[1], n };
	pthread_create(&th, NULL, pong, &p);
	start = now_s();
	for (long i = 0; i < n; i++)
		if (write(a[1], &c, 1) != 1 || read(b[0], &c, 1) != 1)
			break;
	start = (now_s() - start) * 1e9 / (2.0 * n);
	pthread_join(th, NULL);
	close(a[0]), close(a[1]), close(b[0]), close(b[1]);
	return start;
}

#define MAX_PROGS 32

/* Each program's runs and run time so far, for the breakdown printed per phase */
struct prog_runs {
	unsigned long long cnt[MAX_PROGS], ns[MAX_PROGS];
};

/* Run time of the object's programs so far: all of them, and the rescheduling ones */
static unsigned long long prog_run_ns(struct critical_bpf *skel, unsigned long long *resched,
				      struct prog_runs *runs)
{
	unsigned long long total = 0;
	struct bpf_program *prog;
	int i = 0;

	*resched = 0;
	bpf_object__for_each_program(prog, skel->obj) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);

		if (i >= MAX_PROGS)
			break;
		runs->cnt[i] = runs->ns[i] = 0;
		if (bpf_program__fd(prog) < 0 ||
		    bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len)) {
			i++;
			continue;
		}
		runs->cnt[i] = info.run_cnt;
		runs->ns[i++] = info.run_time_ns;
		total += info.run_time_ns;
		if (prog == skel->progs.crit_resched_set || prog == skel->progs.crit_resched_served)
			*resched += info.run_time_ns;
	}
	return total;
}

/* Per program: runs a second and ns a run in the phase (rates depend on the machine's
 * load, ns a run on the program) */
static void print_runs(struct critical_bpf *skel, const struct prog_runs *a,
		       const struct prog_runs *b, double seconds)
{
	struct bpf_program *prog;
	int i = 0;

	printf("   ");
	bpf_object__for_each_program(prog, skel->obj) {
		unsigned long long n;

		if (i >= MAX_PROGS)
			break;
		n = b->cnt[i] - a->cnt[i];
		if (n)
			printf(" %s %.0f/s %.0fns", bpf_program__name(prog) + 5, n / seconds,
			       (double)(b->ns[i] - a->ns[i]) / (double)n);
		i++;
	}
	printf("\n");
}

/* The programs ktop loads: the tp_btf one of each twin */
static void choose_programs(struct critical_bpf *skel)
{
	struct bpf_program *prog;
	char twin[128];

	bpf_object__for_each_program(prog, skel->obj) {
		const char *name = bpf_program__name(prog);
		size_t len = strlen(name);
		bool load = true;

		if (len > 4 && strcmp(name + len - 4, "_raw") == 0) {
			snprintf(twin, sizeof(twin), "%.*s_btf", (int)(len - 4), name);
			load = !bpf_object__find_program_by_name(skel->obj, twin);
		}
		bpf_program__set_autoload(prog, load);
	}
}

static int handle(void *ctx, void *data, size_t size)
{
	(void)data, (void)size;
	(*(long *)ctx)++;
	return 0;
}

static void phase(const char *name, struct critical_bpf *skel, struct ring_buffer *rb,
		  int ncpus, double seconds)
{
	struct spinner sp[MAX_CPUS];
	pthread_t th[MAX_CPUS];
	static struct prog_runs runs0, runs1;
	unsigned long long resched0 = 0, resched = 0;
	unsigned long long run0 = skel ? prog_run_ns(skel, &resched0, &runs0) : 0;
	double start = now_s(), ns, sw, bpf, stolen = 0, ran = 0;
	unsigned long gaps = 0;
	long events = 0;

	for (int c = 0; c < ncpus; c++) {
		sp[c] = (struct spinner){ c, seconds, 0, 0 };
		pthread_create(&th[c], NULL, spin, &sp[c]);
	}
	while (rb && now_s() - start < seconds)
		ring_buffer__poll(rb, 100);
	for (int c = 0; c < ncpus; c++) {
		pthread_join(th[c], NULL);
		stolen += sp[c].stolen_ns;
		gaps += sp[c].gaps;
		ran += sp[c].ran_s;
	}
	if (rb) {
		ring_buffer__consume(rb);
		events = 0;
	}
	/* before the loops below, whose own program runs are no idle machine's */
	bpf = skel ? (prog_run_ns(skel, &resched, &runs1) - run0) / 1e6 / seconds : 0.0;
	ns = getppid_ns(3000000);
	sw = switch_ns(200000);
	printf("%-30s bpf %7.3f ms/s (resched %6.3f)  interrupt gaps %7.3f ms/s (%6.0f/s)"
	       "  getppid %6.1f ns  switch %6.1f ns\n",
	       name, bpf, (resched - resched0) / 1e6 / seconds,
	       ran > 0 ? stolen / 1e6 / ran * ncpus : 0, ran > 0 ? gaps / ran * ncpus : 0, ns, sw);
	if (skel)
		print_runs(skel, &runs0, &runs1, seconds);
	(void)events;
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 3;
	int hz = argc > 2 ? atoi(argv[2]) : 1000, ncpus = libbpf_num_possible_cpus();
	struct critical_bpf *skel;
	struct ring_buffer *rb;
	int fds[MAX_CPUS];
	FILE *stats;
	long events = 0;

	stats = fopen("/proc/sys/kernel/bpf_stats_enabled", "w");
	if (stats) {
		fputs("1\n", stats);
		fclose(stats);
	}
	phase("nothing attached", NULL, NULL, ncpus, seconds);
	skel = critical_bpf__open();
	if (!skel)
		return 1;
	choose_programs(skel);
	if (critical_bpf__load(skel) || critical_bpf__attach(skel))
		return 1;
	rb = ring_buffer__new(bpf_map__fd(skel->maps.crit_events), handle, &events, NULL);
	/* ktop's default now: the tick samples busy CPUs, no timer of its own where it ticks */
	phase("programs, own timer off", skel, rb, ncpus, seconds);
	for (int c = 0; c < ncpus && c < MAX_CPUS; c++) {
		struct perf_event_attr attr = { .type = PERF_TYPE_SOFTWARE, .size = sizeof(attr),
						.config = PERF_COUNT_SW_CPU_CLOCK,
						.sample_period = 1000000000ull / hz };

		fds[c] = (int)syscall(SYS_perf_event_open, &attr, -1, c, -1, PERF_FLAG_FD_CLOEXEC);
	}
	/* ktop's default before: its own timer at 1000 Hz on every CPU, all the time */
	printf("(own timer: %d Hz per CPU)\n", hz);
	phase("programs, own timer on", skel, rb, ncpus, seconds);
	for (int c = 0; c < ncpus && c < MAX_CPUS; c++)
		close(fds[c]);
	phase("programs, own timer off again", skel, rb, ncpus, seconds);
	ring_buffer__free(rb);
	critical_bpf__destroy(skel);
	phase("nothing attached again", NULL, NULL, ncpus, seconds);
	return 0;
}
