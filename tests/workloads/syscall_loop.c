// SPDX-License-Identifier: GPL-2.0
/*
 * tests/workloads/syscall_loop.c: a known system-call workload.
 *   syscall_loop N M [DELAY_MS]   N getppid() calls and M failing close(-1) calls, after
 *                                 an optional delay; prints "pid N M ns_per_getppid"
 *   syscall_loop --bench N        time N getppid() calls, print ns per call
 *   syscall_loop --rate R SECS    about R getppid() calls per second for SECS seconds
 *   syscall_loop --openat N DFD   N openat(DFD, "dev/null") calls (each closed), DFD a
 *                                 descriptor of / made for it: a dfd no one else passes
 * Uses syscall(2) directly so libc caching cannot hide a call.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	long n, m = 0, delay_ms = 0;
	double start, ns;

	if (argc >= 3 && strcmp(argv[1], "--bench") == 0) {
		n = atol(argv[2]);
		start = now_ns();
		for (long i = 0; i < n; i++)
			syscall(SYS_getppid);
		printf("%.1f\n", (now_ns() - start) / n);
		return 0;
	}
	if (argc >= 4 && strcmp(argv[1], "--openat") == 0) {
		int dfd = atoi(argv[3]), root = open("/", O_RDONLY | O_DIRECTORY), opened = 0;

		n = atol(argv[2]);
		if (root < 0 || dup2(root, dfd) != dfd)
			return 1;
		for (long i = 0; i < n; i++) {
			long fd = syscall(SYS_openat, dfd, "dev/null", O_RDONLY);

			if (fd >= 0) {
				opened++;
				close((int)fd);
			}
		}
		printf("%d %d\n", getpid(), opened);
		return opened == n ? 0 : 1;
	}
	if (argc >= 4 && strcmp(argv[1], "--rate") == 0) {
		long rate = atol(argv[2]), per_ms = rate / 1000 > 0 ? rate / 1000 : 1;
		double end = now_ns() + atof(argv[3]) * 1e9, next = now_ns();

		while (now_ns() < end) {
			for (long i = 0; i < per_ms; i++)
				syscall(SYS_getppid);
			next += 1e6;
			while (now_ns() < next)
				; /* spin: sleeping would add its own syscalls */
		}
		return 0;
	}
	if (argc < 3) {
		fprintf(stderr, "usage: syscall_loop N M [DELAY_MS] | --bench N | --rate R SECS | "
			"--openat N DFD\n");
		return 2;
	}
	n = atol(argv[1]);
	m = atol(argv[2]);
	if (argc > 3)
		delay_ms = atol(argv[3]);
	if (delay_ms)
		usleep(delay_ms * 1000);
	start = now_ns();
	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
	ns = n ? (now_ns() - start) / n : 0;
	for (long i = 0; i < m; i++)
		syscall(SYS_close, -1);
	printf("%d %ld %ld %.1f\n", getpid(), n, m, ns);
	return 0;
}
