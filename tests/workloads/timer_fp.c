// SPDX-License-Identifier: GPL-2.0
/*
 * tests/workloads/timer_fp.c: timers that run late although no code held interrupts or
 * bottom halves off, the false positives the critical-sections pane must not report.
 *   timer_fp [--wait] MODE CPU COUNT [SLOW_US]     (root)
 * MODE, each COUNT times on CPU:
 *   overrun  a periodic loop (1 ms period) whose work takes 3 ms sleeps with
 *            clock_nanosleep(TIMER_ABSTIME) until a deadline 2 ms in the past: the kernel
 *            arms a timer already expired and fires it at once
 *   timerfd  a timerfd set to a deadline 3 ms in the past (absolute), then read
 *   retry    two timerfds 0.5 ms apart; the first one's callback is made 1.5 ms slow
 *            (crit_test_slow_timer): the second expires while it runs, and runs in the
 *            retry pass of hrtimer_interrupt, 1 ms after its expiry (SLOW_US: how slow,
 *            0 for the same timers with nothing slow)
 *   softirq  a TCP flow over loopback paced by SO_MAX_PACING_RATE (its pacing timer is a
 *            soft hrtimer) and a UDP datagram to itself, whose NET_RX run is made 2 ms slow
 *            (crit_test_slow_softirq): the pacing timer waits behind NET_RX
 * Prints "ready" once set up and "done N" at the end (N rounds run). With --wait, the
 * rounds begin when a line arrives on standard input (the test's "go").
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "tests/bpf/critical_test.skel.h"

#define NET_RX_SOFTIRQ 3

static volatile int stop;

static int pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static struct timespec ts_of(uint64_t ns)
{
	return (struct timespec){ (time_t)(ns / 1000000000ull), (long)(ns % 1000000000ull) };
}

static void spin_ns(uint64_t ns)
{
	uint64_t end = now_ns() + ns;

	while (now_ns() < end)
		;
}

static uint64_t kallsyms_address(const char *name)
{
	char line[256], sym[128], type;
	unsigned long long addr;
	FILE *f = fopen("/proc/kallsyms", "r");
	uint64_t found = 0;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%llx %c %127s", &addr, &type, sym) == 3 &&
		    strcmp(sym, name) == 0) {
			found = addr;
			break;
		}
	if (f)
		fclose(f);
	return found;
}

static int overrun(int count)
{
	uint64_t next = now_ns();
	int done = 0;

	for (int i = 0; i < count; i++) {
		struct timespec ts;

		spin_ns(3000000);
		next += 1000000;
		/* the deadline passed while working: it is >= 2 ms in the past */
		ts = ts_of(next);
		if (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == 0)
			done++;
		next = now_ns();
		usleep(2000);
	}
	return done;
}

static int timerfd_past(int count)
{
	int fd = timerfd_create(CLOCK_MONOTONIC, 0), done = 0;
	uint64_t expirations;

	if (fd < 0)
		return 0;
	for (int i = 0; i < count; i++) {
		struct itimerspec its = { .it_value = ts_of(now_ns() - 3000000) };

		if (timerfd_settime(fd, TFD_TIMER_ABSTIME, &its, NULL) == 0 &&
		    read(fd, &expirations, sizeof(expirations)) == (ssize_t)sizeof(expirations))
			done++;
		usleep(2000);
	}
	close(fd);
	return done;
}

static int retry(struct critical_test_bpf *skel, int count, uint64_t slow_ns)
{
	int a = timerfd_create(CLOCK_MONOTONIC, 0), b = timerfd_create(CLOCK_MONOTONIC, 0);
	int done = 0;
	uint64_t expirations;

	if (a < 0 || b < 0)
		return 0;
	skel->bss->slow_timer_fn = kallsyms_address("timerfd_tmrproc");
	skel->bss->slow_ns = slow_ns;
	if (!skel->bss->slow_timer_fn) {
		fprintf(stderr, "timer_fp: no timerfd_tmrproc in /proc/kallsyms\n");
		return 0;
	}
	for (int i = 0; i < count; i++) {
		uint64_t t = now_ns() + 2000000;
		struct itimerspec first = { .it_value = ts_of(t) };
		struct itimerspec second = { .it_value = ts_of(t + 500000) };

		__atomic_store_n(&skel->bss->slow_budget, slow_ns ? 1 : 0, __ATOMIC_SEQ_CST);
		if (timerfd_settime(a, TFD_TIMER_ABSTIME, &first, NULL) ||
		    timerfd_settime(b, TFD_TIMER_ABSTIME, &second, NULL))
			break;
		if (read(a, &expirations, sizeof(expirations)) == (ssize_t)sizeof(expirations) &&
		    read(b, &expirations, sizeof(expirations)) == (ssize_t)sizeof(expirations))
			done++;
		usleep(3000);
	}
	__atomic_store_n(&skel->bss->slow_budget, 0, __ATOMIC_SEQ_CST);
	close(a);
	close(b);
	return done;
}

struct tcp_pair {
	int cpu, listener;
};

/* The receiving end of the paced flow: reads until the sender closes */
static void *tcp_sink(void *arg)
{
	struct tcp_pair *p = arg;
	char buf[65536];
	int fd;

	pin(p->cpu);
	fd = accept(p->listener, NULL, NULL);
	while (fd >= 0 && read(fd, buf, sizeof(buf)) > 0)
		;
	if (fd >= 0)
		close(fd);
	return NULL;
}

/* The paced sender: every segment it sends arms the socket's pacing timer (soft) */
static void *tcp_source(void *arg)
{
	struct tcp_pair *p = arg;
	struct sockaddr_in addr = { .sin_family = AF_INET,
				    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(addr);
	unsigned int rate = 8 * 1000 * 1000; /* bytes/s: a pacing timer about every ms */
	static char buf[16384];
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	pin(p->cpu);
	getsockname(p->listener, (struct sockaddr *)&addr, &len);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_MAX_PACING_RATE, &rate, sizeof(rate)) ||
	    connect(fd, (struct sockaddr *)&addr, sizeof(addr))) {
		perror("timer_fp: paced flow");
		stop = 1;
	}
	while (!stop && write(fd, buf, sizeof(buf)) > 0)
		;
	if (fd >= 0)
		close(fd);
	return NULL;
}

static int softirq_behind(struct critical_test_bpf *skel, int cpu, int count)
{
	struct sockaddr_in addr = { .sin_family = AF_INET,
				    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct tcp_pair pair = { cpu, socket(AF_INET, SOCK_STREAM, 0) };
	int udp = socket(AF_INET, SOCK_DGRAM, 0), done = 0;
	socklen_t len = sizeof(addr);
	pthread_t sink, source;
	char byte = 0;

	if (pair.listener < 0 || udp < 0 || bind(pair.listener, (struct sockaddr *)&addr, len) ||
	    listen(pair.listener, 1) || bind(udp, (struct sockaddr *)&addr, len) ||
	    getsockname(udp, (struct sockaddr *)&addr, &len))
		return 0;
	pthread_create(&sink, NULL, tcp_sink, &pair);
	pthread_create(&source, NULL, tcp_source, &pair);
	skel->bss->slow_vec = NET_RX_SOFTIRQ;
	skel->bss->slow_ns = 2000000;
	usleep(50000); /* the flow gets going */
	for (int i = 0; i < count && !stop; i++) {
		char in;

		__atomic_store_n(&skel->bss->slow_budget, 1, __ATOMIC_SEQ_CST);
		/* the datagram to itself runs NET_RX on this CPU (if the flow's did not first) */
		if (sendto(udp, &byte, 1, 0, (struct sockaddr *)&addr, len) == 1 &&
		    recv(udp, &in, 1, 0) == 1)
			done++;
		usleep(5000);
	}
	__atomic_store_n(&skel->bss->slow_budget, 0, __ATOMIC_SEQ_CST);
	stop = 1;
	pthread_join(source, NULL);
	pthread_join(sink, NULL);
	close(pair.listener);
	close(udp);
	return done;
}

int main(int argc, char **argv)
{
	struct critical_test_bpf *skel;
	struct bpf_program *prog;
	int cpu, count, done = 0, wait_go = 0;
	const char *mode;
	char go[16];

	if (argc > 1 && strcmp(argv[1], "--wait") == 0)
		wait_go = 1, argv++, argc--;
	if (argc < 4) {
		fprintf(stderr, "usage: timer_fp [--wait] overrun|timerfd|retry|softirq CPU COUNT "
			"[SLOW_US]\n");
		return 2;
	}
	mode = argv[1];
	cpu = atoi(argv[2]);
	count = atoi(argv[3]);
	if (pin(cpu)) {
		perror("timer_fp: CPU");
		return 2;
	}
	skel = critical_test_bpf__open();
	if (!skel)
		return 1;
	bpf_object__for_each_program(prog, skel->obj)
		bpf_program__set_autoload(prog, (prog == skel->progs.crit_test_slow_timer &&
						 strcmp(mode, "retry") == 0) ||
						(prog == skel->progs.crit_test_slow_softirq &&
						 strcmp(mode, "softirq") == 0));
	if (critical_test_bpf__load(skel) || critical_test_bpf__attach(skel)) {
		fprintf(stderr, "timer_fp: cannot load the test programs\n");
		critical_test_bpf__destroy(skel);
		return 1;
	}
	skel->bss->slow_cpu = (__u32)cpu;
	printf("ready\n");
	fflush(stdout);
	if (wait_go && !fgets(go, sizeof(go), stdin)) {
		critical_test_bpf__destroy(skel);
		return 1;
	}
	if (strcmp(mode, "overrun") == 0)
		done = overrun(count);
	else if (strcmp(mode, "timerfd") == 0)
		done = timerfd_past(count);
	else if (strcmp(mode, "retry") == 0)
		done = retry(skel, count, argc > 4 ? strtoull(argv[4], NULL, 10) * 1000 : 1500000);
	else if (strcmp(mode, "softirq") == 0)
		done = softirq_behind(skel, cpu, count);
	printf("done %d\n", done);
	critical_test_bpf__destroy(skel);
	return done == count ? 0 : 1;
}
