// SPDX-License-Identifier: GPL-2.0
/*
 * tests/workloads/proc_churn.c: process churn. Starts short processes one after another
 * as fast as it can, each waited for, and every 50 writes how many it started so far to
 * COUNT_FILE (rewritten in place).
 *   proc_churn COUNT_FILE [PROGRAM]    each process runs PROGRAM (default /bin/true)
 *   proc_churn --fork COUNT_FILE N     each is a fork that makes N getppid() calls and exits
 * Runs until killed.
 */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static pid_t start_one(const char *prog, long calls)
{
	char *args[] = { (char *)prog, NULL };
	pid_t pid;

	if (prog)
		return posix_spawn(&pid, prog, NULL, NULL, args, environ) == 0 ? pid : -1;
	pid = fork();
	if (pid == 0) {
		for (long i = 0; i < calls; i++)
			syscall(SYS_getppid);
		_exit(0);
	}
	return pid;
}

int main(int argc, char **argv)
{
	const char *prog = "/bin/true", *count_file;
	unsigned long long started = 0;
	long calls = 0;
	char buf[32];
	int fd, len;
	pid_t pid;

	if (argc >= 4 && strcmp(argv[1], "--fork") == 0) {
		count_file = argv[2];
		calls = atol(argv[3]);
		prog = NULL;
	} else if (argc >= 2 && argv[1][0] != '-') {
		count_file = argv[1];
		if (argc > 2)
			prog = argv[2];
	} else {
		fprintf(stderr, "usage: proc_churn COUNT_FILE [PROGRAM] | --fork COUNT_FILE N\n");
		return 2;
	}
	fd = open(count_file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		perror(count_file);
		return 1;
	}
	for (;;) {
		pid = start_one(prog, calls);
		if (pid < 0) {
			perror(prog ? prog : "fork");
			return 1;
		}
		waitpid(pid, NULL, 0);
		if (++started % 50 == 0) {
			len = snprintf(buf, sizeof(buf), "%llu\n", started);
			if (pwrite(fd, buf, (size_t)len, 0) != len)
				return 1;
		}
	}
}
