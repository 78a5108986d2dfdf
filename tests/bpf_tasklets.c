// SPDX-License-Identifier: GPL-2.0
/*
 * tests/bpf_tasklets.c: the tasklets BPF program in the real kernel.
 *
 * The raw_tp twins run under BPF_PROG_TEST_RUN (on CPU 0) with crafted arguments: an exit
 * without an entry, a tasklet re-queued before it ran, HI and normal vectors interleaved,
 * raises that are not tasklet enqueues, cumulative counters and the epoch of a maximum,
 * the vector fallback.
 * softirq_raise finds the tasklet just queued by reading this CPU's tasklet list, which a
 * test cannot fill; so the twins are those of the program's test build
 * (tests/bpf/tasklets_test.bpf.c), whose test_tail[] says what the list's tail holds. The
 * real read is covered twice: here, with the real per-CPU offsets (test_tail[] left 0), a
 * raise must find this CPU's per-CPU base and an empty list (no record); and end to end
 * by tests/e2e_tasklets.sh with a real ifb tasklet. The collector's tests load what ships.
 *
 * `bpf_tasklets --attach SECONDS` only opens the tasklets collector for that long,
 * sampling once a second: tests/workloads/tasklet_bench.sh measures its cost with it.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/cpu_slots.h"
#include "bpf/tasklets.h"
#include "collectors/bpf_util.h"
#include "collectors/registry.h"
#include "collectors/tasklets.h"
#include "core/collector.h"
#include "core/config.h"
#include "core/frame.h"
#include "tasklets.skel.h"
#include "tests/bpf/tasklets_test.skel.h"
#include "collector_attach.h"

/* Fake kernel addresses: tasklet_structs and their functions */
#define T1 0xffff888000001000ull
#define T2 0xffff888000002000ull
#define T3 0xffff888000003000ull
#define F1 0xffffffff81001000ull
#define F2 0xffffffff81002000ull
#define F3 0xffffffff81003000ull

static int ncpus;

struct sum {
	bool found;
	__u64 count, total_ns, max_ns, queue_count, queue_total_ns, queue_max_ns, kinds;
	__u64 exec_hist_total, queue_hist_total;
};

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level, (void)fmt, (void)ap;
	return 0;
}

static struct tasklets_test_bpf *open_raw(bool real_offsets)
{
	struct tasklets_test_bpf *skel = tasklets_test_bpf__open();
	struct bpf_program *prog;

	if (!skel)
		return NULL;
	bpf_object__for_each_program(prog, skel->obj)
		bpf_program__set_autoload(prog, strstr(bpf_program__name(prog), "_raw") != NULL);
	if (real_offsets) {
		struct percpu_offsets percpu;

		if (!percpu_offsets_probe(&percpu, "tasklet_vec", "tasklet_hi_vec", NULL)) {
			tasklets_test_bpf__destroy(skel);
			errno = ENOENT;
			return NULL;
		}
		PERCPU_OFFSETS_SET(skel->rodata, &percpu);
		skel->rodata->off_tasklet_vec = percpu.var[0];
		skel->rodata->off_tasklet_hi_vec = percpu.var[1];
	}
	if (tasklets_test_bpf__load(skel)) {
		tasklets_test_bpf__destroy(skel);
		return NULL;
	}
	return skel;
}

static int setup(void **state)
{
	struct tasklets_test_bpf *skel = open_raw(false);

	if (!skel)
		return -1;
	*state = skel;
	return 0;
}

static int teardown(void **state)
{
	tasklets_test_bpf__destroy(*state);
	return 0;
}

static void run_raw(struct bpf_program *prog, __u64 a0, __u64 a1)
{
	__u64 args[2] = { a0, a1 };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = args, .ctx_size_in = sizeof(args),
		    .flags = BPF_F_TEST_RUN_ON_CPU, .cpu = 0);

	assert_int_equal(bpf_prog_test_run_opts(bpf_program__fd(prog), &opts), 0);
}

static void sleep_ns(long ns)
{
	struct timespec ts = { ns / 1000000000, ns % 1000000000 };

	nanosleep(&ts, NULL);
}

/* The stats of a slot since load, summed over CPUs */
static struct sum slot_sum(struct tasklets_test_bpf *skel, __u32 slot)
{
	struct tasklet_stat *v = calloc(ncpus, sizeof(*v));
	struct sum s = { 0 };

	assert_non_null(v);
	/* one entry per CPU that ran the slot (bpf/cpu_slots.h) */
	for (int cpu = 0; cpu < ncpus; cpu++) {
		__u32 key = CPU_SLOT_KEY(slot, cpu);

		if (bpf_map_lookup_elem(bpf_map__fd(skel->maps.tasklet_stats), &key, &v[cpu]))
			memset(&v[cpu], 0, sizeof(v[cpu]));
	}
	for (int cpu = 0; cpu < ncpus; cpu++) {
		s.count += v[cpu].count;
		s.total_ns += v[cpu].total_ns;
		s.max_ns = v[cpu].max.ns > s.max_ns ? v[cpu].max.ns : s.max_ns;
		s.queue_count += v[cpu].queue_count;
		s.queue_total_ns += v[cpu].queue_total_ns;
		s.queue_max_ns = v[cpu].queue_max.ns > s.queue_max_ns ? v[cpu].queue_max.ns
									: s.queue_max_ns;
		s.kinds |= v[cpu].kinds;
		for (int i = 0; i < KTOP_HIST_SLOTS; i++) {
			s.exec_hist_total += v[cpu].exec_hist[i];
			s.queue_hist_total += v[cpu].queue_hist[i];
		}
	}
	s.found = s.count != 0;
	free(v);
	return s;
}

static struct sum stat_sum(struct tasklets_test_bpf *skel, __u64 func)
{
	struct sum none = { 0 };
	__u64 owner = 0;
	__u32 slot;

	if (bpf_map_lookup_elem(bpf_map__fd(skel->maps.func_slots), &func, &slot))
		return none;
	/* the slot is claimed for the same function in the other direction */
	assert_int_equal(bpf_map_lookup_elem(bpf_map__fd(skel->maps.slot_funcs), &slot, &owner), 0);
	assert_true(owner == func);
	assert_true(slot < skel->bss->nslots);
	return slot_sum(skel, slot);
}

/* One tasklet run: entry, (optionally a pause), exit */
static void run_tasklet(struct tasklets_test_bpf *skel, __u64 t, __u64 func, long busy_ns)
{
	run_raw(skel->progs.tasklet_entry_raw, t, func);
	if (busy_ns)
		sleep_ns(busy_ns);
	run_raw(skel->progs.tasklet_exit_raw, t, func);
}

/* softirq_raise(vec) as if the tail of the vector's list pointed at tail */
static void raise_with_tail(struct tasklets_test_bpf *skel, unsigned int vec, __u64 tail)
{
	skel->bss->test_tail[vec == TASKLET_VEC_NORMAL] = tail;
	run_raw(skel->progs.tasklet_raise_raw, vec, 0);
	skel->bss->test_tail[vec == TASKLET_VEC_NORMAL] = 0;
}

static void test_exit_without_entry_is_ignored(void **state)
{
	struct tasklets_test_bpf *skel = *state;
	struct sum s;

	run_raw(skel->progs.tasklet_exit_raw, T1, F1);
	s = stat_sum(skel, F1);
	assert_false(s.found && s.count);
	/* an entry for another tasklet does not pair with this exit */
	run_raw(skel->progs.tasklet_entry_raw, T2, F2);
	run_raw(skel->progs.tasklet_exit_raw, T1, F1);
	s = stat_sum(skel, F1);
	assert_false(s.found && s.count);
	/* a second exit after a complete run counts nothing more */
	run_raw(skel->progs.tasklet_exit_raw, T2, F2);
	run_raw(skel->progs.tasklet_exit_raw, T2, F2);
	s = stat_sum(skel, F2);
	assert_int_equal(s.count, 1);
	assert_int_equal(s.queue_count, 0); /* never seen queued */
}

static void test_queue_delay_and_exec_time(void **state)
{
	struct tasklets_test_bpf *skel = *state;
	struct sum s;

	raise_with_tail(skel, TASKLET_VEC_NORMAL, T3); /* tail == &T3->next == T3 */
	sleep_ns(1000000);
	run_tasklet(skel, T3, F3, 2000000);
	s = stat_sum(skel, F3);
	assert_int_equal(s.count, 1);
	assert_true(s.total_ns >= 2000000 && s.total_ns < 1000000000);
	assert_int_equal(s.max_ns, s.total_ns);
	assert_int_equal(s.queue_count, 1);
	assert_true(s.queue_total_ns >= 1000000 && s.queue_total_ns < s.total_ns + 1000000000);
	assert_int_equal(s.kinds, 1u << TASKLET_KIND_NORMAL);
	assert_int_equal(s.exec_hist_total, 1);
	assert_int_equal(s.queue_hist_total, 1);
	/* the record is used up: a run without a new queueing has no delay */
	run_tasklet(skel, T3, F3, 0);
	s = stat_sum(skel, F3);
	assert_int_equal(s.count, 2);
	assert_int_equal(s.queue_count, 1);
}

static void test_requeued_before_run_counts_from_first(void **state)
{
	struct tasklets_test_bpf *skel = *state;
	__u64 func = F1 + 0x100;
	struct sum s;

	raise_with_tail(skel, TASKLET_VEC_NORMAL, T1);
	sleep_ns(5000000);
	/* the kernel could not run it (locked elsewhere) and queued it again */
	raise_with_tail(skel, TASKLET_VEC_NORMAL, T1);
	run_tasklet(skel, T1, func, 0);
	s = stat_sum(skel, func);
	assert_int_equal(s.count, 1);
	assert_int_equal(s.queue_count, 1);
	assert_true(s.queue_max_ns >= 5000000);
}

static void test_hi_and_normal_interleaved(void **state)
{
	struct tasklets_test_bpf *skel = *state;
	__u64 fhi = F2 + 0x100, fnormal = F3 + 0x100;
	struct sum hi, normal;

	raise_with_tail(skel, TASKLET_VEC_HI, T2);
	raise_with_tail(skel, TASKLET_VEC_NORMAL, T3);
	sleep_ns(2000000);
	run_tasklet(skel, T2, fhi, 0); /* HI runs first, as the kernel does */
	raise_with_tail(skel, TASKLET_VEC_HI, T2);
	run_tasklet(skel, T3, fnormal, 0);
	run_tasklet(skel, T2, fhi, 0);
	hi = stat_sum(skel, fhi);
	normal = stat_sum(skel, fnormal);
	assert_int_equal(hi.count, 2);
	assert_int_equal(hi.queue_count, 2);
	assert_int_equal(hi.kinds, 1u << TASKLET_KIND_HI);
	assert_int_equal(normal.count, 1);
	assert_int_equal(normal.queue_count, 1);
	assert_int_equal(normal.kinds, 1u << TASKLET_KIND_NORMAL);
	/* the normal tasklet waited through the first HI run */
	assert_true(normal.queue_max_ns >= 2000000);
	assert_true(hi.queue_max_ns >= 2000000);
}

static void test_raises_that_queue_no_tasklet(void **state)
{
	struct tasklets_test_bpf *skel = *state;
	__u64 func = F1 + 0x200;
	struct sum s;

	raise_with_tail(skel, TASKLET_VEC_NORMAL, TASKLET_TAIL_EMPTY); /* BH work, say */
	raise_with_tail(skel, 3, T1); /* NET_RX: not a tasklet vector */
	skel->bss->test_tail[1] = T1;
	run_raw(skel->progs.tasklet_raise_raw, 3, 0);
	skel->bss->test_tail[1] = 0;
	run_tasklet(skel, T1, func, 0);
	s = stat_sum(skel, func);
	assert_int_equal(s.count, 1);
	assert_int_equal(s.queue_count, 0);
}

/* Counters only grow; the maximum is that of the epoch user space is in, and starts
 * again from the first run of the next epoch */
static void test_counters_cumulative_max_per_epoch(void **state)
{
	struct tasklets_test_bpf *skel = *state;
	__u64 func = F2 + 0x200;
	struct sum s;

	run_tasklet(skel, T2, func, 3000000);
	skel->bss->counter_epoch++;
	run_tasklet(skel, T2, func, 0);
	s = stat_sum(skel, func);
	assert_int_equal(s.count, 2);
	assert_true(s.total_ns >= 3000000);
	assert_true(s.max_ns < 3000000);
	assert_int_equal(s.exec_hist_total, 2);
}

static void test_functions_beyond_the_slots_share_the_last(void **state)
{
	struct tasklets_test_bpf *skel = *state;
	__u32 saved = skel->bss->nslots;
	__u64 func = F3 + 0x300;
	struct sum before, after;

	before = slot_sum(skel, TASKLET_OTHER_SLOT);
	skel->bss->nslots = TASKLET_OTHER_SLOT; /* as if every slot were taken */
	run_tasklet(skel, T3, func, 0);
	run_tasklet(skel, T3, func, 0);
	after = slot_sum(skel, TASKLET_OTHER_SLOT);
	skel->bss->nslots = saved;
	assert_false(stat_sum(skel, func).found);
	assert_int_equal(after.count - before.count, 2);
}

/* BH work is recognised at queue time (pwq->wq->flags & WQ_BH), which needs a real
 * pool_workqueue: here only that work never seen queued as BH is ignored. */
static void test_work_not_queued_as_bh_is_ignored(void **state)
{
	struct tasklets_test_bpf *skel = *state;
	__u32 before = skel->bss->nslots;

	run_raw(skel->progs.bh_start_raw, T1, 0);
	run_raw(skel->progs.bh_end_raw, T1, 0);
	run_raw(skel->progs.bh_end_raw, T2, 0); /* an end without a start */
	assert_int_equal(skel->bss->nslots, before);
}

static void test_vector_fallback(void **state)
{
	struct tasklets_test_bpf *skel = *state;
	struct sum s;

	run_raw(skel->progs.tasklet_vexit_raw, TASKLET_VEC_NORMAL, 0); /* exit without entry */
	run_raw(skel->progs.tasklet_vraise_raw, TASKLET_VEC_NORMAL, 0);
	sleep_ns(1000000);
	run_raw(skel->progs.tasklet_vraise_raw, TASKLET_VEC_NORMAL, 0); /* first raise counts */
	run_raw(skel->progs.tasklet_ventry_raw, TASKLET_VEC_NORMAL, 0);
	run_raw(skel->progs.tasklet_vexit_raw, TASKLET_VEC_NORMAL, 0);
	run_raw(skel->progs.tasklet_ventry_raw, 3, 0); /* NET_RX: ignored */
	run_raw(skel->progs.tasklet_vexit_raw, 3, 0);
	s = stat_sum(skel, TASKLET_VEC_NORMAL);
	assert_int_equal(s.count, 1);
	assert_int_equal(s.queue_count, 1);
	assert_true(s.queue_max_ns >= 1000000);
	assert_int_equal(s.kinds, 1u << TASKLET_KIND_SOFTIRQ);
	assert_false(stat_sum(skel, 3).found);
}

/* With the real per-CPU offsets, a raise must find CPU 0's base (checked against
 * rq->cpu) and its tasklet list, empty at this moment: no record is made */
static void test_real_percpu_read(void **state)
{
	struct tasklets_test_bpf *skel = open_raw(true);
	int n = 0;

	(void)state;
	if (!skel && errno == ENOENT) {
		printf("# reason: kernel BTF lacks per-CPU runqueues/tasklet_vec\n");
		skip();
	}
	assert_non_null(skel);
	run_raw(skel->progs.tasklet_raise_raw, TASKLET_VEC_NORMAL, 0);
	run_raw(skel->progs.tasklet_raise_raw, TASKLET_VEC_HI, 0);
	assert_true(skel->bss->cpu_base[0] != 0);
	/* the base is the per-CPU area: runqueues sits at its offset inside it */
	assert_true(skel->bss->cpu_base[0] > 0xff00000000000000ull);
	for (__u32 i = 0; i < TASKLET_PENDING_SLOTS; i++) {
		struct queued_view {
			__u64 obj, ns;
			__u32 kind, pad;
		} *v = calloc(ncpus, sizeof(*v));

		assert_non_null(v);
		assert_int_equal(bpf_map_lookup_elem(bpf_map__fd(skel->maps.pending), &i, v), 0);
		n += v[0].ns != 0;
		free(v);
	}
	assert_int_equal(n, 0);
	tasklets_test_bpf__destroy(skel);
}

/* The collector's own open/sample/close, on the real hooks */
static void test_collector_opens_and_samples(void **state)
{
	struct collector c = { .ops = &tasklets_collector };
	struct ktop_config cfg = { 0 };
	struct history h;

	(void)state;
	assert_int_equal(c.ops->open(&c, &cfg), 0);
	assert_true(c.reason[0] == '\0');
	assert_int_equal(history_init(&h, 2), 0);
	assert_int_equal(c.ops->sample(&c, history_next(&h)), 0);
	assert_int_equal(c.ops->sample(&c, history_next(&h)), 0);
	c.ops->close(&c);
	history_free(&h);
}

/*
 * Runs of functions beyond the others are counted in the last slot: the collector shows
 * them as one row. (Runs written straight into that slot's counters, in every half an
 * older map layout had, as a BPF program on CPU 0 would have counted them.)
 */
static void test_collector_reads_the_other_slot(void **state)
{
	struct collector c = { .ops = &tasklets_collector };
	size_t stride = (sizeof(struct tasklet_stat) + 7) & ~(size_t)7;
	struct ktop_config cfg = { 0 };
	const struct table_row *r;
	struct tasklets_bpf *skel;
	struct history h;
	struct frame *f;
	void *values = calloc(1, stride);
	__u32 key = CPU_SLOT_KEY(TASKLET_OTHER_SLOT, 0);
	int fd;

	(void)state;
	assert_non_null(values);
	assert_int_equal(c.ops->open(&c, &cfg), 0);
	skel = *(struct tasklets_bpf **)c.priv; /* the collector's state begins with it */
	fd = bpf_map__fd(skel->maps.tasklet_stats);
	assert_int_equal(history_init(&h, 2), 0);
	assert_int_equal(c.ops->sample(&c, history_next(&h)), 0);
	((struct tasklet_stat *)values)->count = 2;
	((struct tasklet_stat *)values)->total_ns = 5000;
	assert_int_equal(bpf_map_update_elem(fd, &key, values, BPF_ANY), 0);
	f = history_next(&h);
	assert_int_equal(c.ops->sample(&c, f), 0);
	r = table_find_row(frame_table_const(f, frame_schema_find("tasklets")), UINT64_MAX - 1);
	print_message("# the other functions' row: %s\n", r ? "found" : "missing");
	assert_non_null(r);
	assert_int_equal(r->v[TASKLET_V_COUNT], 2);
	assert_int_equal(r->v[TASKLET_V_TOTAL], 5000);
	c.ops->close(&c);
	history_free(&h);
	free(values);
}

static void test_collector_fallback_says_why(void **state)
{
	struct collector c = { .ops = &tasklets_collector };
	struct ktop_config cfg = { 0 };
	struct history h;
	const struct table *t;
	struct frame *f;

	(void)state;
	setenv("KTOP_TASKLETS_FALLBACK", "1", 1);
	assert_int_equal(c.ops->open(&c, &cfg), 0);
	unsetenv("KTOP_TASKLETS_FALLBACK");
	assert_non_null(strstr(c.reason, "no irq:tasklet_entry/exit"));
	assert_int_equal(history_init(&h, 2), 0);
	f = history_next(&h);
	assert_int_equal(c.ops->sample(&c, f), 0);
	t = frame_table_const(f, frame_schema_find("tasklets"));
	assert_non_null(t);
	assert_non_null(table_find_row(t, UINT64_MAX));
	c.ops->close(&c);
	history_free(&h);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest raw[] = {
		cmocka_unit_test(test_exit_without_entry_is_ignored),
		cmocka_unit_test(test_queue_delay_and_exec_time),
		cmocka_unit_test(test_requeued_before_run_counts_from_first),
		cmocka_unit_test(test_hi_and_normal_interleaved),
		cmocka_unit_test(test_raises_that_queue_no_tasklet),
		cmocka_unit_test(test_counters_cumulative_max_per_epoch),
		cmocka_unit_test(test_functions_beyond_the_slots_share_the_last),
		cmocka_unit_test(test_work_not_queued_as_bh_is_ignored),
		cmocka_unit_test(test_vector_fallback),
	};
	const struct CMUnitTest real[] = {
		cmocka_unit_test(test_real_percpu_read),
		cmocka_unit_test(test_collector_opens_and_samples),
		cmocka_unit_test(test_collector_reads_the_other_slot),
		cmocka_unit_test(test_collector_fallback_says_why),
	};
	int failed;

	libbpf_set_print(quiet);
	ncpus = libbpf_num_possible_cpus();
	if (argc == 3 && strcmp(argv[1], "--attach") == 0)
		return collector_attach_for(&tasklets_collector, atof(argv[2]));
	if (geteuid() != 0) {
		printf("1..1\n# reason: needs root to load BPF programs\nok 1 # SKIP bpf_tasklets\n");
		return 0;
	}
	if (collector_register_schemas(&tasklets_collector) < 0)
		return 1;
	failed = cmocka_run_group_tests_name("tasklets raw_tp twins", raw, setup, teardown);
	failed += cmocka_run_group_tests_name("tasklets real hooks", real, NULL, NULL);
	probe_release();
	return failed;
}
