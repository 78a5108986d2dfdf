// SPDX-License-Identifier: GPL-2.0
/*
 * tests/workloads/tasklet_udp.c: UDP datagrams to 127.0.0.1 from one thread, as a tasklet
 * workload: run inside a network namespace whose lo ingress is redirected to an ifb device
 * (tests/workloads/tasklet_netns.sh), every datagram schedules the ifb tasklet once.
 *
 * Usage: tasklet_udp [-n PACKETS] [-t SECONDS] [-r PACKETS_PER_SECOND] [-p PORT]
 * A receiving socket is bound to the port (so no ICMP errors add packets) and never read.
 * Prints: "packets N seconds S pps P cpu_ns_per_packet C" (CPU time of this process, which
 * includes the softirq work done on its behalf when the send re-enables bottom halves).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
	       ru.ru_stime.tv_usec / 1e6;
}

int main(int argc, char **argv)
{
	long packets = 0, rate = 0, sent = 0;
	double seconds = 0, start, cpu0, elapsed, next;
	struct sockaddr_in addr = { .sin_family = AF_INET };
	int opt, rx, tx, port = 9999, size = 0;
	char payload[64] = "ktop tasklet workload";

	while ((opt = getopt(argc, argv, "n:t:r:p:")) != -1) {
		switch (opt) {
		case 'n':
			packets = atol(optarg);
			break;
		case 't':
			seconds = atof(optarg);
			break;
		case 'r':
			rate = atol(optarg);
			break;
		case 'p':
			port = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: %s [-n PACKETS] [-t SECONDS] [-r PPS] [-p PORT]\n",
				argv[0]);
			return 2;
		}
	}
	if (packets <= 0 && seconds <= 0)
		seconds = 1;
	addr.sin_port = htons(port);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	rx = socket(AF_INET, SOCK_DGRAM, 0);
	tx = socket(AF_INET, SOCK_DGRAM, 0);
	if (rx < 0 || tx < 0 || bind(rx, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
	    setsockopt(rx, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size)) < 0 ||
	    connect(tx, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		fprintf(stderr, "tasklet_udp: socket set-up: %s\n", strerror(errno));
		return 1;
	}
	start = now_s();
	cpu0 = cpu_s();
	next = start;
	for (;;) {
		if (packets > 0 && sent >= packets)
			break;
		/* check the clock every 256 packets: cheap next to a send */
		if (seconds > 0 && (sent & 255) == 0 && now_s() - start >= seconds)
			break;
		if (rate > 0) {
			next += 1.0 / rate;
			while (now_s() < next)
				;
		}
		if (send(tx, payload, sizeof(payload), 0) < 0) {
			if (errno == ENOBUFS || errno == EAGAIN)
				continue;
			fprintf(stderr, "tasklet_udp: send: %s\n", strerror(errno));
			return 1;
		}
		sent++;
	}
	elapsed = now_s() - start;
	printf("packets %ld seconds %.3f pps %.0f cpu_ns_per_packet %.0f\n", sent, elapsed,
	       sent / elapsed, sent ? (cpu_s() - cpu0) * 1e9 / sent : 0.0);
	return 0;
}
