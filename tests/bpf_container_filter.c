// SPDX-License-Identifier: GPL-2.0
/*
 * tests/bpf_container_filter.c: collectors/container_filter.c keeps the shared id set (a
 * BPF hash of 4 096 cgroup ids) equal to the selection it is given: switching between two
 * large selections that do not fit in the map together, overlapping ones, duplicates,
 * and back to none.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/container_filter.h"
#include "collectors/container_filter.h"

/* How many ids the map holds, and whether every one of them is in [first, first + n) */
static size_t map_ids(uint64_t first, uint64_t n, bool *all_in)
{
	int fd = container_filter_ids_fd();
	uint64_t key, next, *prev = NULL;
	size_t count = 0;

	assert_true(fd >= 0);
	*all_in = true;
	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		count++;
		if (key < first || key >= first + n)
			*all_in = false;
	}
	return count;
}

/* ids first .. first + n - 1 */
static uint64_t *range(uint64_t first, size_t n)
{
	uint64_t *ids = malloc(n * sizeof(*ids));

	assert_non_null(ids);
	for (size_t i = 0; i < n; i++)
		ids[i] = first + i;
	return ids;
}

static void expect_map(uint64_t first, uint64_t n)
{
	bool all_in;

	assert_int_equal(map_ids(first, n, &all_in), n);
	assert_true(all_in);
}

static void test_large_selections_switch(void **state)
{
	enum { BIG = 3000 };
	uint64_t *a = range(100000, BIG), *b = range(200000, BIG), *c = range(201000, BIG);

	(void)state;
	assert_int_equal(container_filter_set(CONTAINER_ID_V2, a, BIG), 0);
	expect_map(100000, BIG);
	/* 6 000 ids do not fit in 4 096 together: the old ones must go first */
	assert_int_equal(container_filter_set(CONTAINER_ID_V2, b, BIG), 0);
	expect_map(200000, BIG);
	/* 2 000 shared with the last: 1 000 new, 1 000 stale, no room needed */
	assert_int_equal(container_filter_set(CONTAINER_ID_V2, c, BIG), 0);
	expect_map(201000, BIG);
	assert_int_equal(container_filter_set(CONTAINER_ID_NONE, NULL, 0), 0);
	expect_map(0, 0);
	free(a);
	free(b);
	free(c);
}

static void test_duplicates_and_order(void **state)
{
	uint64_t ids[] = { 7, 5, 7, 6, 5, 9, 8 };

	(void)state;
	assert_int_equal(container_filter_set(CONTAINER_ID_V2, ids, 7), 0);
	expect_map(5, 5);
	/* the same set again, another order: nothing changes */
	assert_int_equal(container_filter_set(CONTAINER_ID_V2, (uint64_t[]){ 9, 8, 7, 6, 5 }, 5), 0);
	expect_map(5, 5);
	assert_int_equal(container_filter_set(CONTAINER_ID_V2, (uint64_t[]){ 6 }, 1), 0);
	expect_map(6, 1);
	assert_int_equal(container_filter_set(CONTAINER_ID_NONE, NULL, 0), 0);
	expect_map(0, 0);
}

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level, (void)fmt, (void)ap;
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_large_selections_switch),
		cmocka_unit_test(test_duplicates_and_order),
	};
	int rc;

	libbpf_set_print(quiet);
	if (geteuid() != 0) {
		printf("1..1\n# reason: needs root to create BPF maps\nok 1 # SKIP bpf_container_filter\n");
		return 0;
	}
	rc = cmocka_run_group_tests_name("container filter id set", tests, NULL, NULL);
	container_filter_release();
	return rc;
}
