// SPDX-License-Identifier: GPL-2.0
/*
 * core/privsep.c: the privileged helper and its client (see privsep.h).
 *
 * One request, one reply, over a SOCK_SEQPACKET socketpair; an fd comes back with
 * SCM_RIGHTS. The helper knows only the requests below, checks each one whole before
 * acting (privsep_request_parse, fuzzed by tests/fuzz_privsep.c), and acts on nothing a
 * request names but a process id: the recording it may rotate was fixed when it started.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "privilege.h"
#include "privsep.h"

#define CHANNEL_FD 3
#define REPLY_TIMEOUT_S 5

static int channel = -1;
static pid_t helper = -1;

static const char *const ns_names[PRIVSEP_NS_END] = {
	[PRIVSEP_NS_UTS] = "uts",
	[PRIVSEP_NS_PID] = "pid",
	[PRIVSEP_NS_MNT] = "mnt",
};

int privsep_request_parse(const void *buf, size_t len, struct privsep_request *req)
{
	if (len != sizeof(*req))
		return -EINVAL;
	memcpy(req, buf, sizeof(*req));
	if (req->magic != PRIVSEP_MAGIC)
		return -EINVAL;
	switch (req->op) {
	case PRIVSEP_NS_INODE:
		return req->pid && req->arg < PRIVSEP_NS_END ? 0 : -EINVAL;
	case PRIVSEP_UTS_HOSTNAME:
		return req->pid && !req->arg ? 0 : -EINVAL;
	case PRIVSEP_BPF_STATS:
		return !req->pid && !req->arg ? 0 : -EINVAL;
	case PRIVSEP_RECORD_FILE:
		return !req->pid && req->arg <= 1 ? 0 : -EINVAL;
	}
	return -EINVAL;
}

/* ---- the work, done by the helper (or in this process when there is none) ---- */

static uint64_t ns_inode_here(uint32_t pid, enum privsep_ns ns)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%u/ns/%s", pid, ns_names[ns]);
	return stat(path, &st) == 0 ? st.st_ino : 0;
}

/* A child joins pid's UTS namespace and reports its hostname: the caller's stays put */
static int uts_hostname_here(uint32_t pid, char *buf, size_t len)
{
	int fds[2], status;
	ssize_t n = 0;
	pid_t child;

	if (len < 2 || pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	child = fork();
	if (child == 0) {
		char path[64];
		struct utsname u;
		int fd;

		snprintf(path, sizeof(path), "/proc/%u/ns/uts", pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0 && setns(fd, CLONE_NEWUTS) == 0 && uname(&u) == 0 &&
		    write(fds[1], u.nodename, strnlen(u.nodename, sizeof(u.nodename))) < 0)
			_exit(1);
		_exit(0);
	}
	close(fds[1]);
	if (child > 0) {
		n = read(fds[0], buf, len - 1);
		waitpid(child, &status, 0);
	}
	close(fds[0]);
	if (n <= 0)
		return child < 0 ? -EAGAIN : -ENOENT;
	buf[n] = '\0';
	return 0;
}

static int bpf_stats_here(void)
{
	union bpf_attr attr;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.enable_stats.type = BPF_STATS_RUN_TIME;
	fd = (int)syscall(__NR_bpf, BPF_ENABLE_STATS, &attr, sizeof(attr));
	return fd < 0 ? -errno : fd;
}

/* FILE -> FILE.1 -> FILE.2 ... FILE.keep is dropped, then FILE afresh */
static int record_file_here(const char *path, unsigned int keep, bool rotate)
{
	size_t len = strlen(path) + 16;
	char *from = malloc(len), *to = malloc(len);
	int fd = -ENOMEM;

	if (!from || !to)
		goto out;
	if (rotate) {
		snprintf(to, len, "%s.%u", path, keep);
		unlink(to);
		for (unsigned int i = keep; i > 1; i--) {
			snprintf(from, len, "%s.%u", path, i - 1);
			snprintf(to, len, "%s.%u", path, i);
			rename(from, to);
		}
		snprintf(to, len, "%s.1", path);
		if (rename(path, to) < 0) {
			fd = -errno;
			goto out;
		}
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		fd = -errno;
out:
	free(from);
	free(to);
	return fd;
}

/* ---- the helper ---- */

static void reply_send(int sock, const struct privsep_reply *rep, int fd)
{
	char control[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { (void *)rep, sizeof(*rep) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (fd >= 0) {
		struct cmsghdr *cm;

		msg.msg_control = control;
		msg.msg_controllen = sizeof(control);
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	}
	if (sendmsg(sock, &msg, MSG_NOSIGNAL) < 0)
		_exit(0); /* ktop is gone */
}

static void serve(int sock, const struct privsep_config *cfg)
{
	for (;;) {
		unsigned char buf[2 * sizeof(struct privsep_request)];
		struct privsep_request req = { 0 };
		struct privsep_reply rep;
		ssize_t n = recv(sock, buf, sizeof(buf), 0);
		int fd = -1;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			_exit(0); /* ktop closed its end, or ended */
		memset(&rep, 0, sizeof(rep));
		rep.err = privsep_request_parse(buf, (size_t)n, &req);
		if (rep.err == 0) {
			switch (req.op) {
			case PRIVSEP_NS_INODE:
				rep.value = ns_inode_here(req.pid, req.arg);
				break;
			case PRIVSEP_UTS_HOSTNAME:
				rep.err = uts_hostname_here(req.pid, rep.text, sizeof(rep.text));
				break;
			case PRIVSEP_BPF_STATS:
				fd = bpf_stats_here();
				break;
			case PRIVSEP_RECORD_FILE:
				fd = cfg->record_path ? record_file_here(cfg->record_path,
									 cfg->record_keep, req.arg)
						      : -EPERM;
				break;
			}
		}
		if (fd < 0 && (req.op == PRIVSEP_BPF_STATS || req.op == PRIVSEP_RECORD_FILE)) {
			if (rep.err == 0)
				rep.err = fd;
			fd = -1;
		}
		rep.has_fd = fd >= 0;
		reply_send(sock, &rep, fd);
		if (fd >= 0)
			close(fd); /* ktop holds it now */
	}
}

static void close_other_fds(void)
{
	if (syscall(SYS_close_range, CHANNEL_FD + 1, ~0U, 0) < 0) {
		long max = sysconf(_SC_OPEN_MAX);

		for (int fd = CHANNEL_FD + 1; fd < (max > 0 ? max : 1024); fd++)
			close(fd);
	}
}

static void helper_main(int sock, pid_t parent, const struct privsep_config *cfg)
{
	static const int quiet[] = { SIGINT, SIGQUIT, SIGHUP, SIGTSTP, SIGTTIN, SIGTTOU, SIGPIPE };
	char why[160];
	sigset_t all;
	int null;

	/* it ends with ktop, however ktop ends (SIGKILL included) */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
		_exit(0);
	prctl(PR_SET_NAME, "ktop-privsep");
	/* the terminal's signals are ktop's to handle; the end of the channel ends this */
	for (unsigned int i = 0; i < sizeof(quiet) / sizeof(quiet[0]); i++)
		signal(quiet[i], SIG_IGN);
	sigfillset(&all);
	sigprocmask(SIG_UNBLOCK, &all, NULL);
	/* nothing of ktop's but the channel: no terminal, no BPF object, no file */
	if (dup2(sock, CHANNEL_FD) < 0)
		_exit(1);
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	for (int fd = 0; fd < CHANNEL_FD && null >= 0; fd++)
		dup2(null, fd);
	close_other_fds();
	if (privilege_drop(cfg->keep_caps, why, sizeof(why)) < 0 &&
	    privilege_effective() & ~cfg->keep_caps)
		_exit(1); /* never more than it needs */
	serve(CHANNEL_FD, cfg);
}

int privsep_start(const struct privsep_config *cfg)
{
	struct timeval timeout = { REPLY_TIMEOUT_S, 0 };
	pid_t parent = getpid();
	int sv[2];

	if (channel >= 0)
		return -EALREADY;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	helper = fork();
	if (helper < 0) {
		int err = -errno;

		close(sv[0]);
		close(sv[1]);
		return err;
	}
	if (helper == 0) {
		close(sv[0]);
		helper_main(sv[1], parent, cfg);
		_exit(0);
	}
	close(sv[1]);
	channel = sv[0];
	/* a helper that hangs must not hang ktop: its requests then fail */
	setsockopt(channel, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
	return 0;
}

void privsep_stop(void)
{
	if (channel >= 0)
		close(channel);
	channel = -1;
	if (helper > 0)
		waitpid(helper, NULL, 0);
	helper = -1;
}

pid_t privsep_helper_pid(void)
{
	return channel >= 0 ? helper : -1;
}

/* ---- the client ---- */

/* One request, its reply, and the fd it carries (or -1); 0 or -errno. A helper that
 * stops answering is given up: the calls then run in this process. */
static int call(uint32_t op, uint32_t pid, uint32_t arg, struct privsep_reply *rep, int *fd)
{
	struct privsep_request req = { PRIVSEP_MAGIC, op, pid, arg };
	char control[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { rep, sizeof(*rep) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
			      .msg_controllen = sizeof(control) };
	struct cmsghdr *cm;
	ssize_t n;

	*fd = -1;
	if (send(channel, &req, sizeof(req), MSG_NOSIGNAL) != sizeof(req))
		goto gone;
	do
		n = recvmsg(channel, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n != sizeof(*rep))
		goto gone;
	for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm))
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS)
			memcpy(fd, CMSG_DATA(cm), sizeof(int));
	if (rep->has_fd && *fd < 0)
		return -EBADMSG;
	return rep->err;
gone:
	close(channel);
	channel = -1;
	return -EPIPE;
}

uint64_t privsep_ns_inode(uint32_t pid, enum privsep_ns ns)
{
	struct privsep_reply rep;
	int fd;

	if (ns >= PRIVSEP_NS_END)
		return 0;
	if (channel >= 0 && call(PRIVSEP_NS_INODE, pid, ns, &rep, &fd) != -EPIPE)
		return rep.err ? 0 : rep.value;
	return ns_inode_here(pid, ns);
}

int privsep_uts_hostname(uint32_t pid, char *buf, size_t len)
{
	struct privsep_reply rep;
	int fd, err;

	if (channel >= 0 && (err = call(PRIVSEP_UTS_HOSTNAME, pid, 0, &rep, &fd)) != -EPIPE) {
		if (err == 0)
			snprintf(buf, len, "%.*s", (int)sizeof(rep.text) - 1, rep.text);
		return err;
	}
	return uts_hostname_here(pid, buf, len);
}

int privsep_bpf_stats_fd(void)
{
	struct privsep_reply rep;
	int fd, err;

	if (channel >= 0 && (err = call(PRIVSEP_BPF_STATS, 0, 0, &rep, &fd)) != -EPIPE)
		return err < 0 ? err : fd;
	return bpf_stats_here();
}

int privsep_record_file(const char *path, unsigned int keep, bool rotate)
{
	struct privsep_reply rep;
	int fd, err;

	if (channel >= 0 && (err = call(PRIVSEP_RECORD_FILE, 0, rotate, &rep, &fd)) != -EPIPE)
		return err < 0 ? err : fd;
	return record_file_here(path, keep, rotate);
}
