// SPDX-License-Identifier: GPL-2.0
/*
 * tests/workloads/proc_churn.c: process churn for the soak. Starts short processes
 * (PROGRAM, default /bin/true) one after another as fast as it can, each waited for, and
 * every 100 writes how many it started so far to COUNT_FILE (rewritten in place).
 * Usage: proc_churn COUNT_FILE [PROGRAM]   (runs until killed)
 */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

int main(int argc, char **argv)
{
	char *prog = argc > 2 ? argv[2] : "/bin/true";
	char *args[] = { prog, NULL };
	unsigned long long started = 0;
	char buf[32];
	int fd, len;
	pid_t pid;

	if (argc < 2) {
		fprintf(stderr, "usage: proc_churn COUNT_FILE [PROGRAM]\n");
		return 2;
	}
	fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}
	for (;;) {
		if (posix_spawn(&pid, prog, NULL, NULL, args, environ) != 0) {
			perror(prog);
			return 1;
		}
		waitpid(pid, NULL, 0);
		if (++started % 100 == 0) {
			len = snprintf(buf, sizeof(buf), "%llu\n", started);
			if (pwrite(fd, buf, (size_t)len, 0) != len)
				return 1;
		}
	}
}
