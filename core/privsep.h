/* SPDX-License-Identifier: GPL-2.0 */
/*
 * core/privsep.h: the privileged helper. Forked before ktop drops every capability, it
 * keeps only what the running ktop still needs (CAP_SYS_ADMIN, CAP_SYS_PTRACE, and
 * CAP_DAC_OVERRIDE while recording) and answers a fixed set of requests over a
 * socketpair; the main process (terminal, parsers, /proc, recordings) then holds none.
 *
 * The client calls work with or without the helper: without it (replay, unit tests, a
 * helper that died) they do the work in this process, with whatever it may still do.
 */
#ifndef KTOP_CORE_PRIVSEP_H
#define KTOP_CORE_PRIVSEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define PRIVSEP_MAGIC 0x6b747031u /* "ktp1" */
#define PRIVSEP_TEXT_MAX 65	  /* a hostname (64) and its NUL */

enum privsep_op {
	PRIVSEP_NS_INODE = 1, /* pid, arg: enum privsep_ns -> value: the inode */
	PRIVSEP_UTS_HOSTNAME, /* pid -> text: the hostname of its UTS namespace */
	PRIVSEP_BPF_STATS,    /* -> an fd: BPF run-time statistics on while it is open */
	PRIVSEP_RECORD_FILE,  /* arg: 0 open, 1 rotate first -> an fd of the recording */
	PRIVSEP_OP_END,
};

enum privsep_ns { PRIVSEP_NS_UTS, PRIVSEP_NS_PID, PRIVSEP_NS_MNT, PRIVSEP_NS_END };

struct privsep_request {
	uint32_t magic;
	uint32_t op;
	uint32_t pid;
	uint32_t arg;
};

struct privsep_reply {
	int32_t err; /* 0 or a negative errno */
	uint32_t has_fd;
	uint64_t value;
	char text[PRIVSEP_TEXT_MAX];
};

/* What the helper may do beyond its fixed requests: the recording it rotates */
struct privsep_config {
	const char *record_path; /* NULL: not recording */
	unsigned int record_keep;
	uint64_t keep_caps; /* the capabilities the helper keeps */
};

/* Fork the helper; 0 or -errno. The helper ends when ktop does, however ktop ends. */
int privsep_start(const struct privsep_config *cfg);
/* Close the channel and reap the helper */
void privsep_stop(void);
pid_t privsep_helper_pid(void);

/* 0 and *req filled when buf holds a well-formed request, else -EINVAL */
int privsep_request_parse(const void *buf, size_t len, struct privsep_request *req);

uint64_t privsep_ns_inode(uint32_t pid, enum privsep_ns ns);
/* The hostname of pid's UTS namespace into buf; 0 or -errno */
int privsep_uts_hostname(uint32_t pid, char *buf, size_t len);
/* An fd that keeps BPF run-time statistics on while open, or -errno */
int privsep_bpf_stats_fd(void);
/* The recording's fd: path opened afresh (rotate: FILE -> FILE.1 ... first), or -errno */
int privsep_record_file(const char *path, unsigned int keep, bool rotate);

#endif
