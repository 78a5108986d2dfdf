// SPDX-License-Identifier: GPL-2.0
/*
 * tests/workloads/irq_load.c: interrupt load for the IRQ/softirq tests and benchmark.
 *   irq_load [-t SECS] [tcp] [udp] [timer] [disk=FILE]
 * Runs the chosen loads in threads for SECS seconds (default 2), then prints one line
 * per load: "tcp BYTES", "udp PACKETS", "timer WAKEUPS", "disk WRITES".
 *   tcp    a loopback TCP stream (NET_TX / NET_RX softirqs)
 *   udp    loopback UDP datagrams (NET_RX)
 *   timer  1 ms nanosleeps (hrtimer interrupts, TIMER/HRTIMER/SCHED softirqs)
 *   disk   4 KiB O_DIRECT writes + fdatasync to FILE, removed at the end (block IRQs)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static atomic_bool stop;
static const char *disk_path;

static int listen_on_loopback(int type, struct sockaddr_in *addr)
{
	socklen_t len = sizeof(*addr);
	int fd = socket(AF_INET, type, 0);

	memset(addr, 0, sizeof(*addr));
	addr->sin_family = AF_INET;
	addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)addr, sizeof(*addr)) < 0 ||
	    getsockname(fd, (struct sockaddr *)addr, &len) < 0)
		return -1;
	if (type == SOCK_STREAM && listen(fd, 1) < 0)
		return -1;
	return fd;
}

static void *tcp_receiver(void *arg)
{
	int fd = (int)(long)arg;
	static char buf[65536];

	while (read(fd, buf, sizeof(buf)) > 0)
		;
	return NULL;
}

static void *tcp_load(void *arg)
{
	static char buf[16384];
	struct sockaddr_in addr;
	long long *bytes = arg;
	int lfd, cfd, sfd, one = 1;
	pthread_t rx;
	ssize_t n;

	lfd = listen_on_loopback(SOCK_STREAM, &addr);
	cfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0 || cfd < 0 || connect(cfd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		return NULL;
	sfd = accept(lfd, NULL, NULL);
	if (sfd < 0)
		return NULL;
	setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	pthread_create(&rx, NULL, tcp_receiver, (void *)(long)sfd);
	while (!atomic_load(&stop) && (n = write(cfd, buf, sizeof(buf))) > 0)
		*bytes += n;
	shutdown(cfd, SHUT_WR);
	pthread_join(rx, NULL);
	close(cfd);
	close(sfd);
	close(lfd);
	return NULL;
}

static void *udp_load(void *arg)
{
	struct sockaddr_in addr;
	long long *packets = arg;
	char buf[1024] = { 0 };
	int rfd, sfd;

	rfd = listen_on_loopback(SOCK_DGRAM, &addr);
	sfd = socket(AF_INET, SOCK_DGRAM, 0);
	if (rfd < 0 || sfd < 0)
		return NULL;
	while (!atomic_load(&stop)) {
		if (sendto(sfd, buf, sizeof(buf), 0, (struct sockaddr *)&addr, sizeof(addr)) < 0)
			break;
		if (recv(rfd, buf, sizeof(buf), 0) < 0)
			break;
		(*packets)++;
	}
	close(sfd);
	close(rfd);
	return NULL;
}

static void *timer_load(void *arg)
{
	struct timespec ms = { 0, 1000000 };
	long long *wakeups = arg;

	while (!atomic_load(&stop)) {
		nanosleep(&ms, NULL);
		(*wakeups)++;
	}
	return NULL;
}

static void *disk_load(void *arg)
{
	long long *writes = arg;
	void *block;
	int fd;

	if (posix_memalign(&block, 4096, 4096))
		return NULL;
	memset(block, 0x5a, 4096);
	fd = open(disk_path, O_WRONLY | O_CREAT | O_TRUNC | O_DIRECT, 0600);
	if (fd < 0) {
		fprintf(stderr, "irq_load: %s: %s\n", disk_path, strerror(errno));
		free(block);
		return NULL;
	}
	for (off_t off = 0; !atomic_load(&stop); off = (off + 4096) % (4 << 20)) {
		if (pwrite(fd, block, 4096, off) != 4096 || fdatasync(fd) < 0)
			break;
		(*writes)++;
	}
	close(fd);
	unlink(disk_path);
	free(block);
	return NULL;
}

int main(int argc, char **argv)
{
	static const char *const names[] = { "tcp", "udp", "timer", "disk" };
	void *(*const fns[])(void *) = { tcp_load, udp_load, timer_load, disk_load };
	long long counts[4] = { 0 };
	bool on[4] = { false };
	pthread_t threads[4];
	double secs = 2;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-t") == 0 && i + 1 < argc)
			secs = atof(argv[++i]);
		else if (strncmp(argv[i], "disk=", 5) == 0)
			disk_path = argv[i] + 5, on[3] = true;
		else
			for (int k = 0; k < 3; k++)
				if (strcmp(argv[i], names[k]) == 0)
					on[k] = true;
	}
	for (int k = 0; k < 4; k++)
		if (on[k] && pthread_create(&threads[k], NULL, fns[k], &counts[k]))
			return 1;
	usleep((useconds_t)(secs * 1e6));
	atomic_store(&stop, true);
	for (int k = 0; k < 4; k++)
		if (on[k]) {
			pthread_join(threads[k], NULL);
			printf("%s %lld\n", names[k], counts[k]);
		}
	return 0;
}
