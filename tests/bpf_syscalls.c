// SPDX-License-Identifier: GPL-2.0
/*
 * tests/bpf_syscalls.c: the syscalls BPF program in the real kernel.
 * The raw_tp twins run under BPF_PROG_TEST_RUN with crafted arguments (the test process
 * is `current`, so task storage works); the tp_btf programs attach for real while a
 * child makes a known number of calls.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/syscalls.h"
#include "syscalls.skel.h"

static int ncpus;

struct fixture {
	struct syscalls_bpf *skel;
};

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level, (void)fmt, (void)ap;
	return 0;
}

static struct syscalls_bpf *open_raw(__u64 flush_ns)
{
	struct syscalls_bpf *skel = syscalls_bpf__open();

	if (!skel)
		return NULL;
	skel->rodata->flush_ns = flush_ns;
	bpf_program__set_autoload(skel->progs.sys_enter_btf, false);
	bpf_program__set_autoload(skel->progs.sys_exit_btf, false);
	bpf_program__set_autoload(skel->progs.sys_exit_count_btf, false);
	bpf_program__set_autoload(skel->progs.sys_exit_count_raw, false);
	bpf_program__set_autoload(skel->progs.thread_exit_btf, false);
	if (syscalls_bpf__load(skel)) {
		syscalls_bpf__destroy(skel);
		return NULL;
	}
	return skel;
}

static int setup_raw(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->skel = open_raw(0); /* every call goes to its process at once */
	if (!f->skel)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	syscalls_bpf__destroy(f->skel);
	free(f);
	return 0;
}

static void run_raw(struct bpf_program *prog, __u64 a0, __u64 a1)
{
	__u64 args[2] = { a0, a1 };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = args, .ctx_size_in = sizeof(args));

	assert_int_equal(bpf_prog_test_run_opts(bpf_program__fd(prog), &opts), 0);
}

/* The stats of one slot summed over CPUs */
static struct syscall_stat slot_stat(struct syscalls_bpf *skel, __u32 key)
{
	struct syscall_stat *values = calloc(ncpus, sizeof(*values)), sum = { 0 };

	assert_int_equal(bpf_map_lookup_elem(bpf_map__fd(skel->maps.syscall_stats), &key, values),
			 0);
	for (int i = 0; i < ncpus; i++) {
		sum.count += values[i].count;
		sum.errors += values[i].errors;
		sum.total_ns += values[i].total_ns;
		if (values[i].max_ns > sum.max_ns)
			sum.max_ns = values[i].max_ns;
		for (int s = 0; s < KTOP_HIST_SLOTS; s++)
			sum.hist[s] += values[i].hist[s];
	}
	free(values);
	return sum;
}

static struct process_stat process_of(struct bpf_map *map, __u32 pid)
{
	struct process_stat *values = calloc(ncpus, sizeof(*values)), sum = { 0 };

	if (bpf_map_lookup_elem(bpf_map__fd(map), &pid, values) == 0)
		for (int i = 0; i < ncpus; i++) {
			sum.count += values[i].count;
			sum.errors += values[i].errors;
			sum.total_ns += values[i].total_ns;
		}
	free(values);
	return sum;
}

static void test_exit_without_entry_is_ignored(void **state)
{
	struct fixture *f = *state;

	run_raw(f->skel->progs.sys_exit_raw, 0, 0);
	assert_int_equal(slot_stat(f->skel, 110).count, 0);
	assert_int_equal(process_of(f->skel->maps.process_stats, getpid()).count, 0);
}

static void test_enter_exit_counts_and_times(void **state)
{
	struct fixture *f = *state;
	struct syscall_stat st;
	unsigned int in_hist = 0;

	run_raw(f->skel->progs.sys_enter_raw, 0, 110);
	run_raw(f->skel->progs.sys_exit_raw, 0, 4242);
	run_raw(f->skel->progs.sys_enter_raw, 0, 3);
	run_raw(f->skel->progs.sys_exit_raw, 0, (__u64)-9); /* -EBADF */
	st = slot_stat(f->skel, 110);
	assert_int_equal(st.count, 1);
	assert_int_equal(st.errors, 0);
	assert_true(st.total_ns > 0 && st.max_ns == st.total_ns);
	for (int s = 0; s < KTOP_HIST_SLOTS; s++)
		in_hist += st.hist[s];
	assert_int_equal(in_hist, 1);
	st = slot_stat(f->skel, 3);
	assert_int_equal(st.count, 1);
	assert_int_equal(st.errors, 1);
	assert_int_equal(process_of(f->skel->maps.process_stats, getpid()).count, 2);
	assert_int_equal(process_of(f->skel->maps.process_stats, getpid()).errors, 1);
	/* a second exit for the same entry is not counted again */
	run_raw(f->skel->progs.sys_exit_raw, 0, 0);
	assert_int_equal(slot_stat(f->skel, 110).count, 1);
}

static void test_abis_and_odd_numbers(void **state)
{
	struct fixture *f = *state;

	run_raw(f->skel->progs.sys_enter_raw, 0, SYSCALL_X32_BIT | 514); /* x32 ioctl */
	run_raw(f->skel->progs.sys_exit_raw, 0, 0);
	assert_int_equal(slot_stat(f->skel, 2 * SYSCALL_SLOTS + 514).count, 1);
	run_raw(f->skel->progs.sys_enter_raw, 0, 100000); /* beyond the table: last slot */
	run_raw(f->skel->progs.sys_exit_raw, 0, 0);
	assert_int_equal(slot_stat(f->skel, SYSCALL_SLOTS - 1).count, 1);
	run_raw(f->skel->progs.sys_enter_raw, 0, (__u64)-1); /* not a syscall: ignored */
	run_raw(f->skel->progs.sys_exit_raw, 0, 0);
	assert_int_equal(slot_stat(f->skel, SYSCALL_SLOTS - 1).count, 1);
}

static void test_generation_and_focus(void **state)
{
	struct fixture *f = *state;

	f->skel->bss->generation = 1;
	f->skel->data->focus_slot = 39;
	run_raw(f->skel->progs.sys_enter_raw, 0, 39);
	run_raw(f->skel->progs.sys_exit_raw, 0, 1);
	assert_int_equal(slot_stat(f->skel, 39).count, 0);
	assert_int_equal(slot_stat(f->skel, SYSCALL_KEYS + 39).count, 1);
	assert_int_equal(process_of(f->skel->maps.focus_process_stats, getpid()).count, 1);
	f->skel->bss->generation = 0;
	f->skel->data->focus_slot = -1;
}

/* Calls wait in the thread's storage and reach the process map when the thread exits */
static void test_process_counts_flushed_at_exit(void **state)
{
	struct syscalls_bpf *skel = open_raw(10ull * 1000000000);

	(void)state;
	assert_non_null(skel);
	for (int i = 0; i < 3; i++) {
		run_raw(skel->progs.sys_enter_raw, 0, 110);
		run_raw(skel->progs.sys_exit_raw, 0, 1);
	}
	/* the first call flushed (nothing flushed before); two wait */
	assert_int_equal(process_of(skel->maps.process_stats, getpid()).count, 1);
	assert_int_equal(slot_stat(skel, 110).count, 3); /* per-syscall rows never wait */
	run_raw(skel->progs.thread_exit_raw, 0, 0);
	assert_int_equal(process_of(skel->maps.process_stats, getpid()).count, 3);
	syscalls_bpf__destroy(skel);
}

/* A child makes exactly N getppid and M failing close(-1) calls under the real hooks */
static void test_real_child_counts(void **state)
{
	enum { N = 100000, M = 5000 };
	struct syscalls_bpf *skel;
	struct process_stat p;
	struct syscall_stat st;
	int pipefd[2], status;
	pid_t child;
	char go;

	(void)state;
	skel = syscalls_bpf__open();
	assert_non_null(skel);
	bpf_program__set_autoload(skel->progs.sys_enter_raw, false);
	bpf_program__set_autoload(skel->progs.sys_exit_raw, false);
	bpf_program__set_autoload(skel->progs.sys_exit_count_btf, false);
	bpf_program__set_autoload(skel->progs.sys_exit_count_raw, false);
	bpf_program__set_autoload(skel->progs.thread_exit_raw, false);
	assert_int_equal(syscalls_bpf__load(skel), 0);
	assert_int_equal(pipe(pipefd), 0);
	child = fork();
	if (child == 0) {
		close(pipefd[1]);
		if (read(pipefd[0], &go, 1) != 1)
			_exit(1);
		for (int i = 0; i < N; i++)
			syscall(SYS_getppid);
		for (int i = 0; i < M; i++)
			syscall(SYS_close, -1);
		_exit(0);
	}
	close(pipefd[0]);
	assert_int_equal(syscalls_bpf__attach(skel), 0);
	assert_int_equal(write(pipefd[1], "g", 1), 1);
	close(pipefd[1]);
	waitpid(child, &status, 0);
	syscalls_bpf__detach(skel);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	p = process_of(skel->maps.process_stats, child);
	print_message("# child: %llu calls, %llu errors\n", (unsigned long long)p.count,
		      (unsigned long long)p.errors);
	/* all of them, and only a handful more (the read that started it, exit paths) */
	assert_true(p.count >= N + M && p.count <= N + M + 20);
	assert_true(p.errors >= M && p.errors <= M + 5);
	st = slot_stat(skel, 110);
	assert_true(st.count >= N && st.count <= N + 1000);
	st = slot_stat(skel, 3);
	assert_true(st.errors >= M);
	syscalls_bpf__destroy(skel);
}

int main(void)
{
	const struct CMUnitTest raw[] = {
		cmocka_unit_test(test_exit_without_entry_is_ignored),
		cmocka_unit_test(test_enter_exit_counts_and_times),
		cmocka_unit_test(test_abis_and_odd_numbers),
		cmocka_unit_test(test_generation_and_focus),
	};
	const struct CMUnitTest real[] = {
		cmocka_unit_test(test_process_counts_flushed_at_exit),
		cmocka_unit_test(test_real_child_counts),
	};
	int failed;

	libbpf_set_print(quiet);
	ncpus = libbpf_num_possible_cpus();
	if (geteuid() != 0) {
		printf("1..1\n# reason: needs root to load BPF programs\nok 1 # SKIP bpf_syscalls\n");
		return 0;
	}
	failed = cmocka_run_group_tests_name("syscalls raw_tp twins", raw, setup_raw, teardown);
	failed += cmocka_run_group_tests_name("syscalls real hooks", real, NULL, NULL);
	return failed;
}
