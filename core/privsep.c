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
/* the functions collector's work for PRIVSEP_FUNC_ATTACH; NULL: functions cannot be traced
 * while ktop runs here, and the helper refuses the request */
static privsep_func_attach_fn func_attach_here;

static const char *const ns_names[PRIVSEP_NS_END] = {
	[PRIVSEP_NS_UTS] = "uts",
	[PRIVSEP_NS_PID] = "pid",
	[PRIVSEP_NS_MNT] = "mnt",
};

/* A function name the kernel could know: letters, digits, '_' and '.', NUL-terminated */
static bool func_name_valid(const char *name, size_t size)
{
	size_t n = strnlen(name, size);

	if (n == 0 || n == size)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '.'))
			return false;
	}
	return true;
}

static int func_request_parse(const void *buf, size_t len, unsigned int nfds,
			      struct privsep_func_request *func)
{
	uint32_t shared;

	if (!func || len != sizeof(*func))
		return -EINVAL;
	memcpy(func, buf, sizeof(*func));
	if (func->head.pid || func->head.arg >= PRIVSEP_FUNC_SLOTS)
		return -EINVAL;
	if (func->method != PRIVSEP_FUNC_FENTRY && func->method != PRIVSEP_FUNC_KPROBE)
		return -EINVAL;
	if (func->flags & ~PRIVSEP_FUNC_COUNTS_ONLY || func->ret_kind > PRIVSEP_FUNC_RET_MAX)
		return -EINVAL;
	if (func->maps >> PRIVSEP_FUNC_MAP_END ||
	    (unsigned int)__builtin_popcount(func->maps) != nfds)
		return -EINVAL;
	/* the functions' shared maps (stats, in-flight notes, config, stacks, callers'
	 * counts, values) come all together, or none: then the object creates them all */
	shared = func->maps & ((1u << PRIVSEP_FUNC_SHARED) - 1);
	if (shared && shared != (1u << PRIVSEP_FUNC_SHARED) - 1)
		return -EINVAL;
	return func_name_valid(func->name, sizeof(func->name)) ? 0 : -EINVAL;
}

int privsep_request_parse(const void *buf, size_t len, unsigned int nfds,
			  struct privsep_request *req, struct privsep_func_request *func)
{
	if (len < sizeof(*req))
		return -EINVAL;
	memcpy(req, buf, sizeof(*req));
	if (req->magic != PRIVSEP_MAGIC)
		return -EINVAL;
	if (req->op == PRIVSEP_FUNC_ATTACH)
		return func_request_parse(buf, len, nfds, func);
	if (len != sizeof(*req) || nfds)
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

/* The reply, with fds[0..nfds) (-1 entries skipped, has_fd says which were sent) */
static void reply_send(int sock, struct privsep_reply *rep, const int *fds, unsigned int nfds)
{
	char control[CMSG_SPACE(sizeof(int) * PRIVSEP_FUNC_FDS_OUT)] = { 0 };
	struct iovec iov = { (void *)rep, sizeof(*rep) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	int sent[PRIVSEP_FUNC_FDS_OUT];
	unsigned int n = 0;

	rep->has_fd = 0;
	for (unsigned int i = 0; i < nfds && i < PRIVSEP_FUNC_FDS_OUT; i++)
		if (fds[i] >= 0) {
			sent[n++] = fds[i];
			rep->has_fd |= 1u << i;
		}
	if (n) {
		struct cmsghdr *cm;

		msg.msg_control = control;
		msg.msg_controllen = CMSG_SPACE(sizeof(int) * n);
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int) * n);
		memcpy(CMSG_DATA(cm), sent, sizeof(int) * n);
	}
	if (sendmsg(sock, &msg, MSG_NOSIGNAL) < 0)
		_exit(0); /* ktop is gone */
}

/* The fds of one SCM_RIGHTS message into fds (at most max; the rest closed): how many,
 * or -1 when there were more than max or the control data was cut */
static int fds_received(struct msghdr *msg, int *fds, unsigned int max)
{
	unsigned int n = 0;
	bool excess = msg->msg_flags & MSG_CTRUNC;

	for (struct cmsghdr *cm = CMSG_FIRSTHDR(msg); cm; cm = CMSG_NXTHDR(msg, cm)) {
		size_t count;

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		count = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < count; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
			if (n < max)
				fds[n++] = fd;
			else
				close(fd), excess = true;
		}
	}
	return excess ? -1 : (int)n;
}

/* PRIVSEP_FUNC_ATTACH in the helper: the received fds in their map places, the work */
static void func_attach_serve(const struct privsep_func_request *func, const int *fds,
			      struct privsep_reply *rep, int out_fds[PRIVSEP_FUNC_FDS_OUT])
{
	int map_fds[PRIVSEP_FUNC_MAP_END];
	unsigned int next = 0;

	for (unsigned int i = 0; i < PRIVSEP_FUNC_MAP_END; i++)
		map_fds[i] = func->maps & (1u << i) ? fds[next++] : -1;
	if (!func_attach_here) {
		rep->err = -EOPNOTSUPP;
		snprintf(rep->text, sizeof(rep->text), "functions cannot be traced here");
		return;
	}
	rep->err = func_attach_here(func, map_fds, out_fds, rep->text, sizeof(rep->text));
}

static void serve(int sock, const struct privsep_config *cfg)
{
	for (;;) {
		unsigned char buf[2 * sizeof(struct privsep_func_request)];
		char control[CMSG_SPACE(sizeof(int) * PRIVSEP_FUNC_MAP_END)];
		struct iovec iov = { buf, sizeof(buf) };
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
				      .msg_controllen = sizeof(control) };
		int fds[PRIVSEP_FUNC_MAP_END], out_fds[PRIVSEP_FUNC_FDS_OUT];
		struct privsep_func_request func;
		struct privsep_request req = { 0 };
		struct privsep_reply rep;
		ssize_t n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
		int nfds, fd = -1;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			_exit(0); /* ktop closed its end, or ended */
		for (unsigned int i = 0; i < PRIVSEP_FUNC_FDS_OUT; i++)
			out_fds[i] = -1;
		nfds = fds_received(&msg, fds, PRIVSEP_FUNC_MAP_END);
		memset(&rep, 0, sizeof(rep));
		rep.err = nfds < 0 || msg.msg_flags & MSG_TRUNC
				  ? -EINVAL
				  : privsep_request_parse(buf, (size_t)n, (unsigned int)nfds, &req,
							  &func);
		if (rep.err) /* say why (a function refused this way shows it in its row) */
			snprintf(rep.text, sizeof(rep.text), "malformed request (%d fds%s%s)", nfds,
				 msg.msg_flags & MSG_CTRUNC ? ", control data cut" : "",
				 msg.msg_flags & MSG_TRUNC ? ", cut" : "");
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
			case PRIVSEP_FUNC_ATTACH:
				func_attach_serve(&func, fds, &rep, out_fds);
				break;
			}
		}
		if (fd < 0 && (req.op == PRIVSEP_BPF_STATS || req.op == PRIVSEP_RECORD_FILE)) {
			if (rep.err == 0)
				rep.err = fd;
			fd = -1;
		}
		if (fd >= 0)
			out_fds[0] = fd;
		reply_send(sock, &rep, out_fds, PRIVSEP_FUNC_FDS_OUT);
		/* ktop holds them now; what it sent was only lent for the load */
		for (unsigned int i = 0; i < PRIVSEP_FUNC_FDS_OUT; i++)
			if (out_fds[i] >= 0)
				close(out_fds[i]);
		for (int i = 0; i < nfds; i++)
			close(fds[i]);
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

/*
 * One request (len bytes, with fds[0..nfds) lent for it), its reply, and the fds the reply
 * carries into out_fds by their has_fd bits (-1 elsewhere); 0 or -errno. A helper that
 * stops answering is given up: the calls then run in this process.
 */
static int call_with_fds(const void *req, size_t len, const int *fds, unsigned int nfds,
			 struct privsep_reply *rep, int *out_fds, unsigned int nout)
{
	char out_control[CMSG_SPACE(sizeof(int) * PRIVSEP_FUNC_MAP_END)] = { 0 };
	char control[CMSG_SPACE(sizeof(int) * PRIVSEP_FUNC_FDS_OUT)];
	struct iovec out_iov = { (void *)req, len };
	struct msghdr out = { .msg_iov = &out_iov, .msg_iovlen = 1 };
	struct iovec iov = { rep, sizeof(*rep) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
			      .msg_controllen = sizeof(control) };
	int got[PRIVSEP_FUNC_FDS_OUT], ngot;
	unsigned int next = 0;
	ssize_t n;

	for (unsigned int i = 0; i < nout; i++)
		out_fds[i] = -1;
	if (nfds > PRIVSEP_FUNC_MAP_END)
		return -EINVAL;
	if (nfds) {
		struct cmsghdr *cm;

		out.msg_control = out_control;
		out.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		cm = CMSG_FIRSTHDR(&out);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(cm), fds, sizeof(int) * nfds);
	}
	if (sendmsg(channel, &out, MSG_NOSIGNAL) != (ssize_t)len)
		goto gone;
	do
		n = recvmsg(channel, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n != sizeof(*rep))
		goto gone;
	ngot = fds_received(&msg, got, PRIVSEP_FUNC_FDS_OUT);
	if (ngot < 0)
		return -EBADMSG;
	for (unsigned int i = 0; i < PRIVSEP_FUNC_FDS_OUT; i++) {
		if (!(rep->has_fd & (1u << i)))
			continue;
		if (next < (unsigned int)ngot && i < nout)
			out_fds[i] = got[next++];
		else if (next >= (unsigned int)ngot)
			rep->err = -EBADMSG; /* promised, not sent */
	}
	while (next < (unsigned int)ngot)
		close(got[next++]); /* sent, not promised */
	if (rep->err)
		for (unsigned int i = 0; i < nout; i++)
			if (out_fds[i] >= 0)
				close(out_fds[i]), out_fds[i] = -1;
	return rep->err;
gone:
	close(channel);
	channel = -1;
	return -EPIPE;
}

/* One fixed-size request, its reply, and the fd it carries (or -1) */
static int call(uint32_t op, uint32_t pid, uint32_t arg, struct privsep_reply *rep, int *fd)
{
	struct privsep_request req = { PRIVSEP_MAGIC, op, pid, arg };

	return call_with_fds(&req, sizeof(req), NULL, 0, rep, fd, 1);
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

void privsep_set_func_attach(privsep_func_attach_fn fn)
{
	func_attach_here = fn;
}

int privsep_func_attach(const struct privsep_func_request *req,
			const int map_fds[PRIVSEP_FUNC_MAP_END], int out_fds[PRIVSEP_FUNC_FDS_OUT],
			char *why, size_t len)
{
	struct privsep_func_request sent = *req;
	int fds[PRIVSEP_FUNC_MAP_END];
	struct privsep_reply rep;
	unsigned int nfds = 0;
	int err;

	sent.head = (struct privsep_request){ PRIVSEP_MAGIC, PRIVSEP_FUNC_ATTACH, 0, req->head.arg };
	sent.maps = 0;
	for (unsigned int i = 0; i < PRIVSEP_FUNC_MAP_END; i++)
		if (map_fds[i] >= 0) {
			fds[nfds++] = map_fds[i];
			sent.maps |= 1u << i;
		}
	if (channel >= 0) {
		err = call_with_fds(&sent, sizeof(sent), fds, nfds, &rep, out_fds,
				    PRIVSEP_FUNC_FDS_OUT);
		if (err != -EPIPE) {
			if (err)
				snprintf(why, len, "%.*s", (int)sizeof(rep.text) - 1,
					 rep.text[0] ? rep.text : strerror(-err));
			return err;
		}
	}
	for (unsigned int i = 0; i < PRIVSEP_FUNC_FDS_OUT; i++)
		out_fds[i] = -1;
	if (!func_attach_here) {
		snprintf(why, len, "functions cannot be traced here");
		return -EOPNOTSUPP;
	}
	return func_attach_here(&sent, map_fds, out_fds, why, len);
}
