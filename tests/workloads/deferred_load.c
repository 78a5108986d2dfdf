// SPDX-License-Identifier: GPL-2.0
/*
 * tests/workloads/deferred_load.c: deferred work a test can count, each with the count
 * the kernel itself gives back. Prints one "key value" line per figure.
 *
 *   deferred_load timerfd HZ SECONDS   a periodic timerfd; every expiration read back
 *                                      (timerfd_tmrproc, re-armed by each read)
 *   deferred_load sleep N USEC         N nanosleeps (hrtimer_wakeup, one arm each)
 *   deferred_load pty N                N one-byte writes to a pty master, each read back
 *                                      from the slave before the next (one flush_to_ldisc
 *                                      work item each)
 *   deferred_load writeback FILE N     N rounds of 256 KiB written to FILE then syncfs()
 *                                      (wb_workfn on the writeback workqueue)
 *   deferred_load bench-sleep N        ns per nanosleep(0-ish) round trip, N of them
 *   deferred_load bench-pty N          ns per pty write/read round trip, N of them
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static int usage(void)
{
	fprintf(stderr, "usage: deferred_load timerfd HZ SECONDS | sleep N USEC | pty N | "
			"writeback FILE N | bench-sleep N | bench-pty N\n");
	return 2;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static long number(const char *s, long min)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < min) {
		fprintf(stderr, "deferred_load: '%s' is not a number >= %ld\n", s, min);
		exit(2);
	}
	return v;
}

static int run_timerfd(long hz, long seconds)
{
	long period_ns = 1000000000L / hz;
	struct itimerspec its = { { 0, period_ns }, { 0, period_ns } };
	uint64_t ticks, expirations = 0, reads = 0;
	int fd = timerfd_create(CLOCK_MONOTONIC, 0);
	double end;

	if (fd < 0 || timerfd_settime(fd, 0, &its, NULL) < 0) {
		perror("deferred_load: timerfd");
		return 1;
	}
	end = now_s() + seconds;
	while (now_s() < end) {
		if (read(fd, &ticks, sizeof(ticks)) != sizeof(ticks)) {
			perror("deferred_load: read timerfd");
			return 1;
		}
		expirations += ticks;
		reads++;
	}
	close(fd); /* disarms: no expiry after the last read */
	printf("expirations %llu\nreads %llu\n", (unsigned long long)expirations,
	       (unsigned long long)reads);
	return 0;
}

static int run_sleep(long n, long usec)
{
	struct timespec ts = { usec / 1000000, (usec % 1000000) * 1000 };

	for (long i = 0; i < n; i++)
		while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
			;
	printf("sleeps %ld\n", n);
	return 0;
}

/* A pty pair with the slave raw (no echo, byte at a time) */
static int pty_open(int *master, int *slave)
{
	struct termios tio;

	*master = posix_openpt(O_RDWR | O_NOCTTY);
	if (*master < 0 || grantpt(*master) < 0 || unlockpt(*master) < 0)
		return -1;
	*slave = open(ptsname(*master), O_RDWR | O_NOCTTY);
	if (*slave < 0 || tcgetattr(*slave, &tio) < 0)
		return -1;
	cfmakeraw(&tio);
	tio.c_cc[VMIN] = 1;
	tio.c_cc[VTIME] = 0;
	return tcsetattr(*slave, TCSANOW, &tio);
}

static int run_pty(long n, bool bench)
{
	int master, slave;
	double t0;
	char c = 'x';

	if (pty_open(&master, &slave) < 0) {
		perror("deferred_load: pty");
		return 1;
	}
	t0 = now_s();
	for (long i = 0; i < n; i++) {
		if (write(master, &c, 1) != 1 || read(slave, &c, 1) != 1) {
			perror("deferred_load: pty round trip");
			return 1;
		}
	}
	if (bench)
		printf("ns_per_pty_round_trip %.1f\n", (now_s() - t0) * 1e9 / n);
	else
		printf("writes %ld\n", n);
	return 0;
}

static int run_writeback(const char *path, long n)
{
	static char buf[256 * 1024];
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (fd < 0) {
		fprintf(stderr, "deferred_load: %s: %s\n", path, strerror(errno));
		return 1;
	}
	memset(buf, 'w', sizeof(buf));
	for (long i = 0; i < n; i++) {
		if (pwrite(fd, buf, sizeof(buf), 0) != (ssize_t)sizeof(buf) || syncfs(fd) < 0) {
			fprintf(stderr, "deferred_load: %s: %s\n", path, strerror(errno));
			return 1;
		}
	}
	close(fd);
	printf("syncs %ld\n", n);
	return 0;
}

static int bench_sleep(long n)
{
	struct timespec ts = { 0, 1000 };
	double t0 = now_s();

	for (long i = 0; i < n; i++)
		nanosleep(&ts, NULL);
	printf("ns_per_sleep %.1f\n", (now_s() - t0) * 1e9 / n);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 4 && strcmp(argv[1], "timerfd") == 0)
		return run_timerfd(number(argv[2], 1), number(argv[3], 1));
	if (argc == 4 && strcmp(argv[1], "sleep") == 0)
		return run_sleep(number(argv[2], 1), number(argv[3], 1));
	if (argc == 3 && strcmp(argv[1], "pty") == 0)
		return run_pty(number(argv[2], 1), false);
	if (argc == 4 && strcmp(argv[1], "writeback") == 0)
		return run_writeback(argv[2], number(argv[3], 1));
	if (argc == 3 && strcmp(argv[1], "bench-sleep") == 0)
		return bench_sleep(number(argv[2], 1));
	if (argc == 3 && strcmp(argv[1], "bench-pty") == 0)
		return run_pty(number(argv[2], 1), true);
	return usage();
}
