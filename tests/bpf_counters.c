// SPDX-License-Identifier: GPL-2.0
/*
 * tests/bpf_counters.c: collectors/counters.c, the one reader of the kernel's cumulative
 * counters, on real BPF maps that the test writes as a program would: deltas per key,
 * summed or per CPU, the maximum of the current epoch only, a histogram slot that wraps,
 * an entry created again, bits that are not counters, more keys than one batch read, an
 * event read between its stores (counter_max).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "collectors/counters.h"

struct test_stat {
	__u64 count;
	__u64 total_ns;
	struct ktop_max max;
	__u32 hist[4];
	__u64 bits; /* not a counter: bits ever seen */
};

static const struct counter_layout layout = {
	.size = sizeof(struct test_stat),
	.u64s = 2,
	.maxes = 1,
	.u32s = 4,
};

static int ncpus;

/* What the reader handed over: the last key's values (up to 2 CPUs), and totals */
struct seen {
	unsigned int calls;
	__u64 count; /* summed over every call and CPU */
	__u32 key;
	struct test_stat v[2];
	int width; /* values per call: 2 CPUs kept of ncpus, or 1 (summed) */
};

static int collect(void *arg, __u32 key, const void *values)
{
	struct seen *s = arg;

	s->calls++;
	s->key = key;
	memset(s->v, 0, sizeof(s->v));
	for (int i = 0; i < s->width && i < 2; i++)
		memcpy(&s->v[i], (const char *)values + i * counter_stride(&layout),
		       sizeof(struct test_stat));
	for (int i = 0; i < (s->width == 1 ? 1 : ncpus); i++)
		s->count += ((const struct test_stat *)((const char *)values +
							i * counter_stride(&layout)))->count;
	return 0;
}

static void seen_reset(struct seen *s)
{
	s->calls = 0;
	s->count = 0;
}

/* key's per-CPU values: CPU 0 and (when there is one) CPU 1 as given, the others zero */
static void put(int fd, __u32 key, const struct test_stat *cpu0, const struct test_stat *cpu1)
{
	struct test_stat *v = calloc(ncpus, sizeof(*v));

	assert_non_null(v);
	v[0] = *cpu0;
	if (cpu1 && ncpus > 1)
		v[1] = *cpu1;
	assert_int_equal(bpf_map_update_elem(fd, &key, v, BPF_ANY), 0);
	free(v);
}

/* put, then one read of m at epoch into s (seen anew) */
static void put_read(int fd, __u32 key, const struct test_stat *cpu0,
		     const struct test_stat *cpu1, struct counter_map *m, __u64 epoch,
		     struct seen *s)
{
	put(fd, key, cpu0, cpu1);
	seen_reset(s);
	assert_int_equal(counter_map_read(m, epoch, collect, s), 0);
}

/* A per-CPU map of type with room for entries, and m reading it (per_cpu: CPUs apart) */
static int map_open(enum bpf_map_type type, unsigned int entries, bool per_cpu,
		    struct counter_map *m)
{
	int fd = bpf_map_create(type, "ktop_test", sizeof(__u32), sizeof(struct test_stat),
				entries, NULL);

	assert_true(fd >= 0);
	assert_int_equal(counter_map_init(m, fd, &layout, ncpus, per_cpu), 0);
	return fd;
}

static void test_summed(void **state)
{
	struct test_stat a = { 5, 500, { 300, 1 }, { 5 }, 0x1 };
	struct test_stat b = { 2, 90, { 60, 1 }, { 1, 1 }, 0x4 };
	int fd;
	struct seen s = { .width = 1 };
	struct counter_map m;
	__u64 epoch = 0;

	(void)state;
	fd = map_open(BPF_MAP_TYPE_PERCPU_ARRAY, 8, false, &m);
	assert_int_equal(counter_map_read(&m, epoch, collect, &s), 0);
	assert_int_equal(s.calls, 0); /* nothing counted yet: no row */
	counter_epoch_advance(&epoch);

	put(fd, 3, &a, &b);
	assert_int_equal(counter_map_read(&m, epoch, collect, &s), 0);
	assert_int_equal(s.calls, 1);
	assert_int_equal(s.key, 3);
	assert_int_equal(s.v[0].count, ncpus > 1 ? 7 : 5);
	assert_int_equal(s.v[0].total_ns, ncpus > 1 ? 590 : 500);
	assert_int_equal(s.v[0].max.ns, 300);
	assert_int_equal(s.v[0].hist[0], ncpus > 1 ? 6 : 5);
	assert_int_equal(s.v[0].bits, ncpus > 1 ? 0x5 : 0x1);
	counter_epoch_advance(&epoch);

	/* unchanged: no row; then CPU 0 counts one more, CPU 1's maximum is an older epoch's */
	seen_reset(&s);
	assert_int_equal(counter_map_read(&m, epoch, collect, &s), 0);
	assert_int_equal(s.calls, 0);
	counter_epoch_advance(&epoch);
	a = (struct test_stat){ 6, 510, { 10, epoch }, { 5, 0, 0, 0xffffffff }, 0x1 };
	put(fd, 3, &a, &b);
	assert_int_equal(counter_map_read(&m, epoch, collect, &s), 0);
	assert_int_equal(s.calls, 1);
	assert_int_equal(s.v[0].count, 1);
	assert_int_equal(s.v[0].total_ns, 10);
	assert_int_equal(s.v[0].max.ns, 10);
	assert_int_equal(s.v[0].hist[3], 0xffffffff);
	counter_epoch_advance(&epoch);

	/* a histogram slot wraps around 2^32: still its growth */
	a = (struct test_stat){ 8, 530, { 15, epoch }, { 5, 0, 0, 1 }, 0x1 };
	put_read(fd, 3, &a, &b, &m, epoch, &s);
	assert_int_equal(s.v[0].count, 2);
	assert_int_equal(s.v[0].hist[3], 2);
	counter_epoch_advance(&epoch);

	/* counters that went back (the entry was made again) count from zero */
	a = (struct test_stat){ 3, 30, { 12, epoch }, { 3 }, 0x1 };
	b = (struct test_stat){ 0 };
	put_read(fd, 3, &a, &b, &m, epoch, &s);
	assert_int_equal(s.v[0].count, 3);
	assert_int_equal(s.v[0].total_ns, 30);
	counter_map_free(&m);
	close(fd);
}

/*
 * An event the read catches between its stores: its maximum went into the epoch read before
 * (a 40 ns event under the 50 ns maximum of that epoch), its count and time into this read.
 * The reader hands over no maximum of this epoch; counter_max makes it the event's time, so
 * AVG <= MAX holds on the row the collectors make of it
 */
static void test_straddling_event(void **state)
{
	struct test_stat a = { 1, 50, { 50, 1 }, { 0 }, 0 };
	struct test_stat none = { 0 };
	int fd;
	struct seen s = { .width = 1 };
	struct counter_map m;
	__u64 epoch = 1;
	uint64_t longest = 0;

	(void)state;
	fd = map_open(BPF_MAP_TYPE_PERCPU_ARRAY, 8, false, &m);
	put(fd, 1, &a, &none);
	assert_int_equal(counter_map_read(&m, epoch, collect, &s), 0);
	assert_int_equal(s.v[0].max.ns, 50);
	counter_epoch_advance(&epoch);
	a = (struct test_stat){ 2, 90, { 50, 1 }, { 0 }, 0 };
	put_read(fd, 1, &a, &none, &m, epoch, &s);
	assert_int_equal(s.calls, 1);
	assert_int_equal(s.v[0].count, 1);
	assert_int_equal(s.v[0].max.ns, 0);
	assert_int_equal(counter_max(s.v[0].max.ns, s.v[0].total_ns, s.v[0].count), 40);
	/* more events: the mean, rounded up, is a floor, never more than the maximum read */
	assert_int_equal(counter_max(0, 100, 3), 34);
	assert_int_equal(counter_max(70, 100, 3), 70);
	assert_int_equal(counter_max(0, 0, 0), 0);
	counter_max_into(&longest, 0, 40, 1);
	counter_max_into(&longest, 30, 45, 2);
	assert_int_equal(longest, 40);
	counter_map_free(&m);
	close(fd);
}

static void test_per_cpu_hash(void **state)
{
	struct test_stat one = { 1, 10, { 10, 0 }, { 1 }, 0 };
	struct test_stat four = { 4, 40, { 25, 0 }, { 0, 4 }, 0 };
	int fd;
	struct seen s = { .width = 2 };
	struct counter_map m;
	__u64 epoch = 0;

	(void)state;
	fd = map_open(BPF_MAP_TYPE_PERCPU_HASH, 1024, true, &m);
	put(fd, 100000, &one, &four);
	assert_int_equal(counter_map_read(&m, epoch, collect, &s), 0);
	assert_int_equal(s.calls, 1);
	assert_int_equal(s.key, 100000);
	assert_int_equal(s.v[0].count, 1);
	assert_int_equal(s.v[0].max.ns, 10);
	if (ncpus > 1) {
		assert_int_equal(s.v[1].count, 4);
		assert_int_equal(s.v[1].max.ns, 25);
		assert_int_equal(s.v[1].hist[1], 4);
	}
	counter_epoch_advance(&epoch);

	/* CPU 0 only: CPU 1's share of this interval is zero, its old maximum gone */
	one = (struct test_stat){ 3, 30, { 7, epoch }, { 3 }, 0 };
	put_read(fd, 100000, &one, &four, &m, epoch, &s);
	assert_int_equal(s.calls, 1);
	assert_int_equal(s.v[0].count, 2);
	assert_int_equal(s.v[0].max.ns, 7);
	assert_int_equal(s.v[1].count, 0);
	assert_int_equal(s.v[1].max.ns, 0);
	counter_epoch_advance(&epoch);

	/* more keys than one batch read, arriving between reads */
	for (__u32 k = 0; k < 300; k++)
		put(fd, k, &(struct test_stat){ 1 }, NULL);
	seen_reset(&s);
	assert_int_equal(counter_map_read(&m, epoch, collect, &s), 0);
	assert_int_equal(s.calls, 300);
	assert_int_equal(s.count, 300);
	counter_map_free(&m);
	close(fd);
}

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level, (void)fmt, (void)ap;
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_summed),
		cmocka_unit_test(test_per_cpu_hash),
		cmocka_unit_test(test_straddling_event),
	};

	libbpf_set_print(quiet);
	ncpus = libbpf_num_possible_cpus();
	if (geteuid() != 0) {
		printf("1..1\n# reason: needs root to create BPF maps\nok 1 # SKIP bpf_counters\n");
		return 0;
	}
	return cmocka_run_group_tests_name("cumulative counters", tests, NULL, NULL);
}
