// SPDX-License-Identifier: GPL-2.0
/* core/proc.c: reading /proc, with a bounded pid → comm cache. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "intern.h"
#include "proc.h"

#define COMM_CACHE_SLOTS 8192 /* direct-mapped: a collision just costs a re-read */
#define COMM_REFRESH_S 10     /* comm changes on exec and prctl; re-read now and then */

struct comm_entry {
	uint32_t pid;
	time_t read_at;
	const char *comm;
};

static struct comm_entry comm_cache[COMM_CACHE_SLOTS];

long proc_read_file(const char *path, char *buf, unsigned long size)
{
	long n, total = 0;
	int fd;

	if (size == 0)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while ((unsigned long)total < size - 1) {
		n = read(fd, buf + total, size - 1 - total);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			n = -errno;
			close(fd);
			return n;
		}
		if (n == 0)
			break;
		total += n;
	}
	buf[total] = '\0';
	close(fd);
	return total;
}

const char *proc_comm(uint32_t pid)
{
	struct comm_entry *e = &comm_cache[pid % COMM_CACHE_SLOTS];
	time_t now = time(NULL);
	char path[64], buf[64];
	long n;

	if (e->comm && e->pid == pid && now - e->read_at < COMM_REFRESH_S)
		return e->comm;
	snprintf(path, sizeof(path), "/proc/%u/comm", pid);
	n = proc_read_file(path, buf, sizeof(buf));
	if (n <= 0) /* gone: keep what we knew of it */
		return e->comm && e->pid == pid ? e->comm : "?";
	buf[strcspn(buf, "\n")] = '\0';
	e->pid = pid;
	e->read_at = now;
	e->comm = intern(buf);
	return e->comm;
}

const char *proc_comm_exited(uint32_t pid, const char *comm, size_t len)
{
	struct comm_entry *e = &comm_cache[pid % COMM_CACHE_SLOTS];
	size_t n = strnlen(comm, len);

	if (n == 0)
		return NULL;
	e->pid = pid;
	e->read_at = time(NULL);
	e->comm = intern_n(comm, n);
	return e->comm;
}

uint64_t proc_self_rss_kb(void)
{
	char buf[128];
	unsigned long long size, resident;

	if (proc_read_file("/proc/self/statm", buf, sizeof(buf)) <= 0 ||
	    sscanf(buf, "%llu %llu", &size, &resident) != 2)
		return 0;
	return resident * (uint64_t)sysconf(_SC_PAGESIZE) / 1024;
}
