// SPDX-License-Identifier: GPL-2.0
/*
 * tests/workloads/ipi_load.c: inter-processor interrupts for the system-vector and
 * cross-call tests.
 *   ipi_load [-t SECS] [membarrier] [mprotect] [timer]
 * Pins itself to the first allowed CPU and keeps one spinning thread of this process on
 * every other allowed CPU, so that this mm is loaded there; then for SECS seconds
 * (default 2) the chosen loads run in the first thread, and one line per load is printed:
 * "membarrier CALLS", "mprotect CALLS", "timer WAKEUPS", then "spinners N".
 *   membarrier  membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED): one ipi_mb cross call to
 *               each other CPU running a thread of this process (CAL interrupts)
 *   mprotect    a page written, then made read-only: a TLB shootdown of the CPUs that run
 *               this mm (TLB; CAL where the kernel flushes with IPIs)
 *   timer       100 us nanosleeps (local timer interrupts)
 * The spinners sleep 100 us every 1000 loops, so wake-ups send rescheduling IPIs (RES).
 */
#include <linux/membarrier.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define MAX_SPINNERS 64

static atomic_bool stop;
static volatile char *page;

static void *spin(void *arg)
{
	int cpu = (int)(long)arg;
	struct timespec nap = { 0, 100000 };
	cpu_set_t set;
	unsigned long n = 0;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		/* read the page: this CPU has the mm loaded and the page in its TLB */
		(void)page[0];
		if (++n % 1000 == 0)
			nanosleep(&nap, NULL);
	}
	return NULL;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	bool do_membarrier = false, do_mprotect = false, do_timer = false;
	long long membarriers = 0, mprotects = 0, timers = 0;
	pthread_t threads[MAX_SPINNERS];
	struct timespec nap = { 0, 100000 };
	int nthreads = 0, first = -1;
	double secs = 2, end;
	cpu_set_t allowed, one;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-t") == 0 && i + 1 < argc)
			secs = atof(argv[++i]);
		else if (strcmp(argv[i], "membarrier") == 0)
			do_membarrier = true;
		else if (strcmp(argv[i], "mprotect") == 0)
			do_mprotect = true;
		else if (strcmp(argv[i], "timer") == 0)
			do_timer = true;
		else {
			fprintf(stderr, "usage: %s [-t SECS] [membarrier] [mprotect] [timer]\n",
				argv[0]);
			return 2;
		}
	}
	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	page[0] = 1;
	if (do_membarrier &&
	    syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) < 0) {
		perror("membarrier register");
		return 1;
	}
	sched_getaffinity(0, sizeof(allowed), &allowed);
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
		if (!CPU_ISSET(cpu, &allowed))
			continue;
		if (first < 0) {
			first = cpu;
			continue;
		}
		if (nthreads < MAX_SPINNERS &&
		    pthread_create(&threads[nthreads], NULL, spin, (void *)(long)cpu) == 0)
			nthreads++;
	}
	CPU_ZERO(&one);
	CPU_SET(first, &one);
	sched_setaffinity(0, sizeof(one), &one);

	end = now() + secs;
	while (now() < end) {
		if (do_membarrier &&
		    syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0) == 0)
			membarriers++;
		if (do_mprotect) {
			mprotect((void *)page, 4096, PROT_READ | PROT_WRITE);
			page[0]++;
			/* write -> read-only: the other CPUs' TLB entries must go */
			if (mprotect((void *)page, 4096, PROT_READ) == 0)
				mprotects++;
		}
		if (do_timer && nanosleep(&nap, NULL) == 0)
			timers++;
	}
	atomic_store(&stop, true);
	for (int i = 0; i < nthreads; i++)
		pthread_join(threads[i], NULL);
	if (do_membarrier)
		printf("membarrier %lld\n", membarriers);
	if (do_mprotect)
		printf("mprotect %lld\n", mprotects);
	if (do_timer)
		printf("timer %lld\n", timers);
	printf("spinners %d\n", nthreads);
	return 0;
}
