// SPDX-License-Identifier: GPL-2.0
/*
 * tests/bpf_syscalls.c: the syscalls BPF program and collector in the real kernel.
 * The raw_tp twins run under BPF_PROG_TEST_RUN with crafted arguments (the test process
 * is `current`, so task storage works); the tp_btf programs attach for real while a
 * child makes a known number of calls; the collector runs on the real hooks.
 *
 * The tests of the real hooks and of the collector use only what the kernel side has
 * always had (the count at the start of a value, process_stats, focus_syscall_stats,
 * programs chosen by name), so they also build against older versions of it, to show
 * what those got wrong.
 */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/syscalls.h"
#include "collectors/registry.h"
#include "collectors/syscalls.h"
#include "core/collector.h"
#include "core/config.h"
#include "core/frame.h"
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
		sum.restarts += values[i].restarts;
		if (values[i].max.ns > sum.max.ns)
			sum.max.ns = values[i].max.ns;
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
			sum.exited |= values[i].exited;
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
	assert_true(st.total_ns > 0 && st.max.ns == st.total_ns);
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

/* -512..-516 end a call that the kernel restarts (or turns into -EINTR): the caller never
 * sees them, so they are not errors; they are counted apart */
static void test_restarts_are_not_errors(void **state)
{
	struct fixture *f = *state;
	__u64 errors = process_of(f->skel->maps.process_stats, getpid()).errors;
	struct syscall_stat st;

	run_raw(f->skel->progs.sys_enter_raw, 0, 7); /* poll */
	run_raw(f->skel->progs.sys_exit_raw, 0, (__u64)-512); /* -ERESTARTSYS */
	run_raw(f->skel->progs.sys_enter_raw, 0, 7);
	run_raw(f->skel->progs.sys_exit_raw, 0, (__u64)-516); /* -ERESTART_RESTARTBLOCK */
	run_raw(f->skel->progs.sys_enter_raw, 0, 7);
	run_raw(f->skel->progs.sys_exit_raw, 0, (__u64)-4); /* -EINTR: the caller sees it */
	run_raw(f->skel->progs.sys_enter_raw, 0, 7);
	run_raw(f->skel->progs.sys_exit_raw, 0, (__u64)-517); /* beyond the restarts */
	st = slot_stat(f->skel, 7);
	assert_int_equal(st.count, 4);
	assert_int_equal(st.errors, 2);
	assert_int_equal(st.restarts, 2);
	assert_int_equal(process_of(f->skel->maps.process_stats, getpid()).errors - errors, 2);
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

static void test_focus(void **state)
{
	struct fixture *f = *state;

	f->skel->data->focus_slot = 39;
	run_raw(f->skel->progs.sys_enter_raw, 0, 39);
	run_raw(f->skel->progs.sys_exit_raw, 0, 1);
	assert_int_equal(slot_stat(f->skel, 39).count, 1);
	assert_int_equal(process_of(f->skel->maps.focus_process_stats, getpid()).count, 1);
	f->skel->data->focus_slot = -1;
}

/* A thread that goes to sleep hands its pending calls to its process at once; one that
 * is preempted keeps them until they are due */
static void test_process_counts_flushed_when_blocking(void **state)
{
	struct syscalls_bpf *skel = open_raw(10ull * 1000000000);

	(void)state;
	assert_non_null(skel);
	for (int i = 0; i < 3; i++) {
		run_raw(skel->progs.sys_enter_raw, 0, 110);
		run_raw(skel->progs.sys_exit_raw, 0, 1);
	}
	assert_int_equal(process_of(skel->maps.process_stats, getpid()).count, 1);
	run_raw(skel->progs.switch_out_raw, 1, 0); /* preempted */
	assert_int_equal(process_of(skel->maps.process_stats, getpid()).count, 1);
	run_raw(skel->progs.switch_out_raw, 0, 0); /* goes to sleep */
	assert_int_equal(process_of(skel->maps.process_stats, getpid()).count, 3);
	syscalls_bpf__destroy(skel);
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

/*
 * A child makes exactly N sched_getscheduler(0) and M failing close(-1) calls under the
 * real hooks. The syscall's own row counts every process's calls: a call nothing else on
 * the machine makes (other tests' workloads and benchmarks loop on getppid) keeps its
 * upper bound meaningful.
 */
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
	bpf_program__set_autoload(skel->progs.switch_out_raw, false);
	assert_int_equal(syscalls_bpf__load(skel), 0);
	assert_int_equal(pipe(pipefd), 0);
	child = fork();
	if (child == 0) {
		close(pipefd[1]);
		if (read(pipefd[0], &go, 1) != 1)
			_exit(1);
		for (int i = 0; i < N; i++)
			syscall(SYS_sched_getscheduler, 0);
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
	/* its last thread has exited: the entry says so, for user space to drop it once read */
	assert_int_equal(p.exited, 1);
	st = slot_stat(skel, SYS_sched_getscheduler);
	print_message("# sched_getscheduler: %llu counted\n", (unsigned long long)st.count);
	assert_true(st.count >= N && st.count <= N + 1000);
	st = slot_stat(skel, 3);
	assert_true(st.errors >= M);
	syscalls_bpf__destroy(skel);
}

/* Load every tp_btf program of a mode, by name: timed (sys_enter + sys_exit) or count-only */
static struct syscalls_bpf *open_real(bool timed)
{
	struct syscalls_bpf *skel = syscalls_bpf__open();
	struct bpf_program *prog;

	if (!skel)
		return NULL;
	bpf_object__for_each_program(prog, skel->obj) {
		const char *name = bpf_program__name(prog);
		bool counting = strstr(name, "count") != NULL;
		bool timing = strstr(name, "sys_enter") || strstr(name, "sys_exit_btf");

		bpf_program__set_autoload(prog, strstr(name, "_btf") &&
						 (timed ? !counting : !timing));
	}
	if (syscalls_bpf__load(skel)) {
		syscalls_bpf__destroy(skel);
		return NULL;
	}
	return skel;
}

/* The focused process's calls of one slot, summed over CPUs */
static struct process_stat focus_slot_of(struct syscalls_bpf *skel, __u32 slot)
{
	return process_of(skel->maps.focus_syscall_stats, slot);
}

static int child_wait_go(int fd)
{
	char go;

	return read(fd, &go, 1) == 1 ? 0 : -1;
}

static void *thread_returns(void *arg)
{
	return arg;
}

/* fork a child that runs body after the parent says go; the child's pid */
static pid_t child_start(int *go_fd, void (*body)(void))
{
	int pipefd[2];
	pid_t child;

	assert_int_equal(pipe(pipefd), 0);
	child = fork();
	if (child == 0) {
		close(pipefd[1]);
		if (child_wait_go(pipefd[0]))
			_exit(1);
		body();
		_exit(0);
	}
	close(pipefd[0]);
	*go_fd = pipefd[1];
	return child;
}

static void child_finish(int go_fd, pid_t child)
{
	int status;

	assert_int_equal(write(go_fd, "g", 1), 1);
	close(go_fd);
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

enum { MODE_THREADS = 5, MODE_DENIED = 10, MODE_SKIPPED = 3 };

/* Threads (clone3 returns twice), calls seccomp denies, calls with number -1 */
static void child_mode_calls(void)
{
	struct sock_filter filter[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { sizeof(filter) / sizeof(filter[0]), filter };
	pthread_t t;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog))
		_exit(2);
	for (int i = 0; i < MODE_THREADS; i++) {
		if (pthread_create(&t, NULL, thread_returns, NULL))
			_exit(3);
		pthread_join(t, NULL);
	}
	for (int i = 0; i < MODE_DENIED; i++)
		if (syscall(SYS_getppid) != -1 || errno != EPERM)
			_exit(4);
	for (int i = 0; i < MODE_SKIPPED; i++)
		syscall(-1);
}

/* Open and attach the real programs (timed or count-only) focused on a child running
 * body; returns them detached once the child has ended, its calls counted */
static struct syscalls_bpf *run_focused_child(bool timed, void (*body)(void))
{
	struct syscalls_bpf *skel = open_real(timed);
	pid_t child;
	int go;

	assert_non_null(skel);
	child = child_start(&go, body);
	skel->bss->focus_tgid = (__u32)child;
	assert_int_equal(syscalls_bpf__attach(skel), 0);
	child_finish(go, child);
	syscalls_bpf__detach(skel);
	return skel;
}

/* Both modes count the same calls: a new thread's return from clone3 is not a call (its
 * parent's is), seccomp's answers are, a call numbered -1 is no call at all */
static void test_both_modes_count_the_same_calls(void **state)
{
	struct process_stat clone3[2], denied[2], skipped[2];

	(void)state;
	for (int timed = 0; timed <= 1; timed++) {
		struct syscalls_bpf *skel = run_focused_child(timed, child_mode_calls);

		clone3[timed] = focus_slot_of(skel, 435);
		denied[timed] = focus_slot_of(skel, SYS_getppid);
		skipped[timed] = focus_slot_of(skel, 2 * SYSCALL_SLOTS + SYSCALL_SLOTS - 1);
		print_message("# %s: clone3 %llu, denied getppid %llu (%llu errors), "
			      "number -1: %llu\n", timed ? "timed" : "count-only",
			      (unsigned long long)clone3[timed].count,
			      (unsigned long long)denied[timed].count,
			      (unsigned long long)denied[timed].errors,
			      (unsigned long long)skipped[timed].count);
		syscalls_bpf__destroy(skel);
	}
	for (int timed = 0; timed <= 1; timed++) {
		assert_int_equal(clone3[timed].count, MODE_THREADS);
		assert_int_equal(denied[timed].count, MODE_DENIED);
		assert_int_equal(denied[timed].errors, MODE_DENIED);
		assert_int_equal(skipped[timed].count, 0);
	}
}

enum { EXIT_THREADS = 3 };

static void child_exits(void)
{
	pthread_t t;

	for (int i = 0; i < EXIT_THREADS; i++) {
		if (pthread_create(&t, NULL, thread_returns, NULL))
			_exit(3);
		pthread_join(t, NULL); /* each thread ends with exit(2) */
	}
	syscall(SYS_exit_group, 0);
}

/* exit and exit_group never return, yet they are calls: counted when the thread ends */
static void test_exit_and_exit_group_counted(void **state)
{
	(void)state;
	for (int timed = 0; timed <= 1; timed++) {
		struct syscalls_bpf *skel = run_focused_child(timed, child_exits);

		print_message("# %s: exit %llu, exit_group %llu\n", timed ? "timed" : "count-only",
			      (unsigned long long)focus_slot_of(skel, SYS_exit).count,
			      (unsigned long long)focus_slot_of(skel, SYS_exit_group).count);
		assert_int_equal(focus_slot_of(skel, SYS_exit).count, EXIT_THREADS);
		assert_int_equal(focus_slot_of(skel, SYS_exit_group).count, 1);
		syscalls_bpf__destroy(skel);
	}
}

/* A process that makes its calls and then sleeps shows them within the flush period, not
 * when it wakes up */
static void test_sleeping_process_counted_at_once(void **state)
{
	enum { N = 5000 };
	struct syscalls_bpf *skel = open_real(true);
	int go[2], done[2], status;
	struct process_stat p;
	pid_t child;
	char c;

	(void)state;
	assert_non_null(skel);
	assert_int_equal(pipe(go), 0);
	assert_int_equal(pipe(done), 0);
	child = fork();
	if (child == 0) {
		close(go[1]);
		close(done[0]);
		if (read(go[0], &c, 1) != 1)
			_exit(1);
		for (int i = 0; i < N; i++)
			syscall(SYS_getppid);
		if (write(done[1], "d", 1) != 1 || read(go[0], &c, 1) != 1) /* sleeps here */
			_exit(1);
		_exit(0);
	}
	close(go[0]);
	close(done[1]);
	assert_int_equal(syscalls_bpf__attach(skel), 0);
	assert_int_equal(write(go[1], "g", 1), 1);
	assert_int_equal(read(done[0], &c, 1), 1);
	usleep(50000); /* it sleeps: not a flush period (100 ms) later */
	p = process_of(skel->maps.process_stats, child);
	print_message("# %llu of the %d calls counted while it sleeps\n",
		      (unsigned long long)p.count, N);
	assert_int_equal(write(go[1], "g", 1), 1);
	close(go[1]);
	waitpid(child, &status, 0);
	syscalls_bpf__destroy(skel);
	assert_true(p.count >= N);
}

/* A value's per-CPU copies, as the kernel lays them out */
static size_t stat_stride(void)
{
	return (sizeof(struct syscall_stat) + 7) & ~(size_t)7;
}

static __u64 frame_count(struct frame *f, __u32 slot)
{
	const struct table_row *r = table_find_row(frame_table(f, &syscalls_table), slot);

	return r ? r->v[SYSCALL_V_COUNT] : 0;
}

/*
 * A program that read a counter before user space reads the map, and stores it (plus
 * one) after: an interrupt between its load and its store is enough. The call is
 * counted once, in this interval or the next, never twice and never lost.
 */
static void test_update_across_a_read_counted_once(void **state)
{
	enum { K = 7, NR = 500 }; /* an x64 number no kernel has yet: nobody else calls it */
	struct collector c = { .ops = &syscalls_collector };
	struct syscalls_bpf *skel;
	struct ktop_config cfg;
	struct history h;
	__u64 seen = 0;
	size_t stride = stat_stride();
	void *values = calloc(ncpus, stride);
	__u32 key = UINT32_MAX, nkeys;
	int fd, cpu = -1;

	(void)state;
	assert_non_null(values);
	config_defaults(&cfg);
	assert_int_equal(history_init(&h, 4), 0);
	assert_int_equal(c.ops->open(&c, &cfg), 0);
	skel = *(struct syscalls_bpf **)c.priv; /* the collector's state begins with it */
	fd = bpf_map__fd(skel->maps.syscall_stats);
	nkeys = bpf_map__max_entries(skel->maps.syscall_stats);
	assert_int_equal(c.ops->sample(&c, history_next(&h)), 0);
	for (int i = 0; i < K; i++)
		syscall(NR);
	/* the slot the calls went to, and a CPU that counted them */
	for (__u32 k = NR; k < nkeys && cpu < 0; k += SYSCALL_KEYS) {
		assert_int_equal(bpf_map_lookup_elem(fd, &k, values), 0);
		for (int i = 0; i < ncpus && cpu < 0; i++)
			if (((struct syscall_stat *)((char *)values + i * stride))->count) {
				key = k;
				cpu = i;
			}
	}
	assert_true(cpu >= 0);
	for (int i = 0; i < 3; i++) {
		struct frame *f = history_next(&h);

		assert_int_equal(c.ops->sample(&c, f), 0);
		seen += frame_count(f, NR);
		if (i > 0)
			continue;
		/* the late store: what the program loaded before the read, plus one */
		((struct syscall_stat *)((char *)values + cpu * stride))->count++;
		assert_int_equal(bpf_map_update_elem(fd, &key, values, BPF_ANY), 0);
	}
	print_message("# %d calls and one late update: %llu counted\n", K,
		      (unsigned long long)seen);
	c.ops->close(&c);
	history_free(&h);
	free(values);
	assert_int_equal(seen, K + 1);
}

static void child_calls_and_exits(void)
{
	for (int i = 0; i < 100; i++)
		syscall(SYS_getppid);
}

/*
 * A process's calls carry its cgroup (the container identity) from the first one counted,
 * even before the containers collector opens: a process that exits before the first tick
 * is still summed into its container's row (the first frame of a container that starts
 * short processes undercounted without it)
 */
static void test_exited_process_keeps_its_cgroup(void **state)
{
	struct collector c = { .ops = &syscalls_collector };
	struct syscalls_bpf *skel;
	struct ktop_config cfg;
	struct process_stat *p = calloc(ncpus, sizeof(*p));
	__u64 cgroup = 0, count = 0;
	__u32 key;
	pid_t child;
	int go;

	(void)state;
	assert_non_null(p);
	config_defaults(&cfg);
	assert_int_equal(c.ops->open(&c, &cfg), 0);
	skel = *(struct syscalls_bpf **)c.priv; /* the collector's state begins with it */
	child = child_start(&go, child_calls_and_exits);
	child_finish(go, child);
	key = (__u32)child;
	if (bpf_map_lookup_elem(bpf_map__fd(skel->maps.process_stats), &key, p) == 0)
		for (int i = 0; i < ncpus; i++) {
			count += p[i].count;
			cgroup = p[i].cgroup ? p[i].cgroup : cgroup;
		}
	print_message("# child: %llu calls, cgroup %llu\n", (unsigned long long)count,
		      (unsigned long long)cgroup);
	c.ops->close(&c);
	free(p);
	assert_true(count >= 100);
	assert_true(cgroup != 0);
}

/* The processes table's row for pid in f, or NULL */
static const struct table_row *process_row(struct frame *f, pid_t pid)
{
	return table_find_row(frame_table(f, &processes_table), (uint64_t)pid);
}

/* The processes table's row in f of the processes named name that exited, or NULL */
static const struct table_row *exited_row(struct frame *f, const char *name)
{
	const struct table *t = frame_table(f, &processes_table);

	for (unsigned int i = 0; i < t->nrows; i++)
		if ((t->rows[i].key & SYSCALLS_EXITED_KEY) && t->rows[i].v[PROCESS_V_EXITED] &&
		    t->rows[i].name && strcmp(t->rows[i].name, name) == 0)
			return &t->rows[i];
	return NULL;
}

/* This process's name, as its children have it until they exec */
static const char *own_name(void)
{
	static char name[32];

	if (!name[0] && prctl(PR_GET_NAME, name) != 0)
		snprintf(name, sizeof(name), "?");
	return name;
}

/*
 * A process that exited is read once, with all its calls, and then deleted from the map:
 * under churn the map filled with exited processes, each read again every tick until
 * the LRU evicted it (10 240 entries read a tick, and their deltas kept in memory). A
 * process still running keeps its entry. Its calls are in the row of the processes of its
 * name that exited in that tick (one row for a churn of them), not in a row of its own.
 */
static void test_exited_process_read_then_dropped(void **state)
{
	struct collector c = { .ops = &syscalls_collector };
	struct syscalls_bpf *skel;
	struct ktop_config cfg;
	const struct table_row *r;
	struct process_stat p;
	struct history h;
	__u32 key;
	pid_t child;
	int go, fd;

	(void)state;
	config_defaults(&cfg);
	assert_int_equal(history_init(&h, 4), 0);
	assert_int_equal(c.ops->open(&c, &cfg), 0);
	skel = *(struct syscalls_bpf **)c.priv; /* the collector's state begins with it */
	fd = bpf_map__fd(skel->maps.process_stats);
	assert_int_equal(c.ops->sample(&c, history_next(&h)), 0);
	child = child_start(&go, child_calls_and_exits);
	child_finish(go, child);
	key = (__u32)child;
	assert_int_equal(bpf_map_lookup_elem(fd, &key, &p), 0);
	assert_int_equal(p.exited, 1);
	/* the tick after its exit: the row of its name's exited processes, it alone, with
	 * every call; none of its own */
	assert_int_equal(c.ops->sample(&c, history_next(&h)), 0);
	r = exited_row(history_get(&h, 0), own_name());
	assert_non_null(r);
	print_message("# exited child: %llu calls in its last frame, in the row of %llu "
		      "exited %s\n", (unsigned long long)r->v[PROCESS_V_COUNT],
		      (unsigned long long)r->v[PROCESS_V_EXITED], r->name);
	assert_int_equal(r->v[PROCESS_V_EXITED], 1);
	assert_int_equal(r->v[PROCESS_V_PID], 0);
	assert_true(r->v[PROCESS_V_COUNT] >= 100 && r->v[PROCESS_V_COUNT] <= 120);
	assert_null(process_row(history_get(&h, 0), child));
	/* then gone from the map, and from the next frame */
	assert_int_equal(bpf_map_lookup_elem(fd, &key, &p), -ENOENT);
	assert_int_equal(c.ops->sample(&c, history_next(&h)), 0);
	assert_null(exited_row(history_get(&h, 0), own_name()));
	assert_null(process_row(history_get(&h, 0), child));
	/* this process, still running, keeps its entry */
	key = (__u32)getpid();
	assert_int_equal(bpf_map_lookup_elem(fd, &key, &p), 0);
	assert_int_equal(p.exited, 0);
	c.ops->close(&c);
	history_free(&h);
}

/* Exec a symlink to /bin/true named so: the process takes the link's name (KTOP_EXEC_NAME) */
#define KTOP_EXEC_NAME "ktop-exec-nm"
static char exec_link[64];

static void child_execs_named_program(void)
{
	execl(exec_link, exec_link, (char *)NULL);
	_exit(3);
}

/* The state letter of task tid of this process, or 0 once it is gone */
static char task_state(pid_t tid)
{
	char path[64], buf[512], *close_paren;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)tid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	close_paren = strrchr(buf, ')');
	return close_paren && close_paren[1] == ' ' ? close_paren[2] : 0;
}

/* The second thread, named otherwise, outlives the leader and ends the process */
static void *worker_outlives_leader(void *arg)
{
	pid_t leader = getpid();
	char state = 'R';

	(void)arg;
	prctl(PR_SET_NAME, "ktop-worker");
	for (int i = 0; i < 5000; i++) {
		state = task_state(leader);
		if (state == 'Z' || state == 0)
			break;
		usleep(1000);
	}
	if (state != 'Z' && state != 0)
		_exit(2); /* the leader never ended: this is not the case under test */
	for (int i = 0; i < 100; i++)
		syscall(SYS_getppid);
	_exit(0);
}

static void child_leader_ends_first(void)
{
	pthread_t worker;

	prctl(PR_SET_NAME, "ktop-leader");
	if (pthread_create(&worker, NULL, worker_outlives_leader, NULL))
		_exit(4);
	syscall(SYS_exit, 0); /* this thread only */
}

/*
 * A process that exits between two ticks was never seen in /proc: the row of exited
 * processes its calls go to is named by the name the kernel kept at its exit, its group
 * leader's (as /proc/PID/comm says while it runs), even when the last thread to end was another one, named otherwise. Without it
 * the rows of short processes said "?".
 */
static void test_exited_process_named(void **state)
{
	struct collector c = { .ops = &syscalls_collector };
	char dir[] = "/tmp/ktop-comm-XXXXXX";
	const struct table_row *exec_row, *leader_row;
	struct ktop_config cfg;
	struct history h;
	pid_t exec_child, leader_child;
	int go;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(exec_link, sizeof(exec_link), "%s/%s", dir, KTOP_EXEC_NAME);
	assert_int_equal(symlink("/bin/true", exec_link), 0);
	config_defaults(&cfg);
	assert_int_equal(history_init(&h, 4), 0);
	assert_int_equal(c.ops->open(&c, &cfg), 0);
	assert_int_equal(c.ops->sample(&c, history_next(&h)), 0);
	exec_child = child_start(&go, child_execs_named_program);
	child_finish(go, exec_child);
	leader_child = child_start(&go, child_leader_ends_first);
	child_finish(go, leader_child);
	assert_int_equal(c.ops->sample(&c, history_next(&h)), 0);
	/* both exited: their calls are in the rows of the exited processes of their names */
	exec_row = exited_row(history_get(&h, 0), KTOP_EXEC_NAME);
	leader_row = exited_row(history_get(&h, 0), "ktop-leader");
	print_message("# exec'd child named '%s', two-thread child named '%s'\n",
		      exec_row ? exec_row->name : "(no row)",
		      leader_row ? leader_row->name : "(no row)");
	unlink(exec_link);
	rmdir(dir);
	assert_non_null(exec_row);
	assert_non_null(leader_row);
	assert_int_equal(exec_row->v[PROCESS_V_EXITED], 1);
	assert_int_equal(leader_row->v[PROCESS_V_EXITED], 1);
	assert_null(process_row(history_get(&h, 0), exec_child));
	assert_null(process_row(history_get(&h, 0), leader_child));
	c.ops->close(&c);
	history_free(&h);
}

/*
 * A caller of the focused syscall (the callers detail) that has exited is named too when
 * it is not among the Processes rows (the 512 with the most calls): its name is read from
 * its process entry before the processes' read deletes it. Named from the Processes rows
 * only, it said "?". 600 short children with more calls than it keep it out of those rows.
 */
#define CALLER_NAME "ktop-caller"
enum { CALLER_NOISE = 600, CALLER_NOISE_CALLS = 400, CALLER_CALLS = 50 };

static void child_calls_getpid(void)
{
	for (int i = 0; i < CALLER_NOISE_CALLS; i++)
		syscall(SYS_getpid);
}

static void child_named_calls_getppid(void)
{
	prctl(PR_SET_NAME, CALLER_NAME);
	for (int i = 0; i < CALLER_CALLS; i++)
		syscall(SYS_getppid);
}

static void test_exited_caller_named(void **state)
{
	struct collector c = { .ops = &syscalls_collector };
	const struct table_row *getppid_row = NULL, *caller;
	const struct table *calls;
	struct ktop_config cfg;
	struct history h;
	pid_t child, target;
	int go;

	(void)state;
	config_defaults(&cfg);
	assert_int_equal(history_init(&h, 4), 0);
	assert_int_equal(c.ops->open(&c, &cfg), 0);
	syscall(SYS_getppid);
	assert_int_equal(c.ops->sample(&c, history_next(&h)), 0);
	calls = frame_table(history_get(&h, 0), &syscalls_table);
	for (size_t i = 0; i < calls->nrows && !getppid_row; i++)
		if (calls->rows[i].name && strcmp(calls->rows[i].name, "getppid") == 0)
			getppid_row = &calls->rows[i];
	assert_non_null(getppid_row);
	c.ops->focus(&c, &(struct focus){ &syscalls_table, getppid_row->key });
	assert_int_equal(c.ops->sample(&c, history_next(&h)), 0);
	for (int i = 0; i < CALLER_NOISE; i++) {
		child = child_start(&go, child_calls_getpid);
		child_finish(go, child);
	}
	target = child_start(&go, child_named_calls_getppid);
	child_finish(go, target);
	assert_int_equal(c.ops->sample(&c, history_next(&h)), 0);
	caller = table_find_row(frame_table(history_get(&h, 0), &syscall_callers_table),
				(uint64_t)target);
	print_message("# caller %d: %s; among the Processes rows: %s\n", (int)target,
		      caller ? caller->name : "(no row)",
		      process_row(history_get(&h, 0), target) ? "yes" : "no");
	/* the case this is about: the caller has no Processes row to be named from */
	assert_null(process_row(history_get(&h, 0), target));
	assert_non_null(caller);
	assert_string_equal(caller->name, CALLER_NAME);
	c.ops->close(&c);
	history_free(&h);
}

int main(void)
{
	const struct CMUnitTest raw[] = {
		cmocka_unit_test(test_exit_without_entry_is_ignored),
		cmocka_unit_test(test_enter_exit_counts_and_times),
		cmocka_unit_test(test_restarts_are_not_errors),
		cmocka_unit_test(test_abis_and_odd_numbers),
		cmocka_unit_test(test_focus),
	};
	const struct CMUnitTest real[] = {
		cmocka_unit_test(test_process_counts_flushed_at_exit),
		cmocka_unit_test(test_process_counts_flushed_when_blocking),
		cmocka_unit_test(test_real_child_counts),
		cmocka_unit_test(test_both_modes_count_the_same_calls),
		cmocka_unit_test(test_exit_and_exit_group_counted),
		cmocka_unit_test(test_sleeping_process_counted_at_once),
	};
	const struct CMUnitTest collector[] = {
		cmocka_unit_test(test_update_across_a_read_counted_once),
		cmocka_unit_test(test_exited_process_keeps_its_cgroup),
		cmocka_unit_test(test_exited_process_read_then_dropped),
		cmocka_unit_test(test_exited_process_named),
		cmocka_unit_test(test_exited_caller_named),
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
	for (const struct table_schema *const *t = syscalls_collector.tables; *t; t++)
		frame_register_schema(*t);
	failed += cmocka_run_group_tests_name("syscalls collector", collector, NULL, NULL);
	return failed;
}
