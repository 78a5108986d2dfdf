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
#define PRIVSEP_TEXT_MAX 192	  /* a hostname (64), or why a function was refused */
#define PRIVSEP_FUNC_NAME_MAX 128 /* a kernel function's name and its NUL */
#define PRIVSEP_FUNC_SLOTS 32	  /* stats slots of the Functions pane (FUNCTIONS_MAX) */
#define PRIVSEP_FUNC_FDS_IN 9	  /* the maps a function's object shares, see below */
/* entry link, exit link, its .bss, then the PRIVSEP_FUNC_SHARED maps it created */
#define PRIVSEP_FUNC_FDS_OUT 9

enum privsep_op {
	PRIVSEP_NS_INODE = 1, /* pid, arg: enum privsep_ns -> value: the inode */
	PRIVSEP_UTS_HOSTNAME, /* pid -> text: the hostname of its UTS namespace */
	PRIVSEP_BPF_STATS,    /* -> an fd: BPF run-time statistics on while it is open */
	PRIVSEP_RECORD_FILE,  /* arg: 0 open, 1 rotate first -> an fd of the recording */
	PRIVSEP_FUNC_ATTACH,  /* struct privsep_func_request + map fds -> link fds */
	PRIVSEP_OP_END,
};

enum privsep_ns { PRIVSEP_NS_UTS, PRIVSEP_NS_PID, PRIVSEP_NS_MNT, PRIVSEP_NS_END };

struct privsep_request {
	uint32_t magic;
	uint32_t op;
	uint32_t pid;
	uint32_t arg;
};

/*
 * Trace one kernel function (the Functions pane, added while ktop runs): load
 * bpf/functions.bpf.c for it reusing the maps whose fds come with the request, in the
 * order of enum privsep_func_map (those in maps only), attach, and send back the links.
 */
enum privsep_func_map {
	PRIVSEP_FUNC_STATS,	/* function_stats: absent for the first function, then created */
	PRIVSEP_FUNC_STARTS,	/* function_starts; these six are sent together or not at all */
	PRIVSEP_FUNC_CONFIG,	/* function_config: per slot, the argument counted, stacks on */
	PRIVSEP_FUNC_STACKS,	/* function_stacks, the callers' stacks */
	PRIVSEP_FUNC_CALLERS,	/* function_callers, calls per stack */
	PRIVSEP_FUNC_ARGS,	/* function_args, calls per argument value */
	PRIVSEP_FUNC_SHARED,	/* (the functions' own shared maps end here) */
	PRIVSEP_FUNC_FILTER_CONFIG = PRIVSEP_FUNC_SHARED, /* the container filter's three */
	PRIVSEP_FUNC_FILTER_IDS,
	PRIVSEP_FUNC_FILTER_CHARGE,
	PRIVSEP_FUNC_MAP_END,
};

enum privsep_func_method { PRIVSEP_FUNC_FENTRY = 1, PRIVSEP_FUNC_KPROBE };
#define PRIVSEP_FUNC_COUNTS_ONLY 0x1u /* flags: calls and CPUs only, no exit program */
#define PRIVSEP_FUNC_RET_MAX 2 /* the last enum function_ret */

struct privsep_func_request {
	struct privsep_request head; /* op PRIVSEP_FUNC_ATTACH, pid 0, arg: the slot */
	uint32_t method;	     /* enum privsep_func_method */
	uint32_t flags;		     /* PRIVSEP_FUNC_COUNTS_ONLY */
	uint32_t ret_kind;	     /* enum function_ret (bpf/functions.h) */
	uint32_t maps;		     /* bits of enum privsep_func_map: the fds sent */
	uint64_t epoch;		     /* the counter epoch the other objects are at */
	char name[PRIVSEP_FUNC_NAME_MAX]; /* the target, NUL-terminated, [A-Za-z0-9_.] */
};

/*
 * The work of PRIVSEP_FUNC_ATTACH, given by the functions collector (the helper is a fork
 * of ktop: it has the code). map_fds[enum privsep_func_map], -1 where absent. Fills
 * out_fds (entry link, exit link or -1, the object's .bss map, then at 3 + i the shared
 * map i < PRIVSEP_FUNC_SHARED it created when none came, else -1) and returns 0, or -errno
 * with why.
 */
typedef int (*privsep_func_attach_fn)(const struct privsep_func_request *req,
				      const int map_fds[PRIVSEP_FUNC_MAP_END],
				      int out_fds[PRIVSEP_FUNC_FDS_OUT], char *why, size_t len);

struct privsep_reply {
	int32_t err; /* 0 or a negative errno */
	uint32_t has_fd; /* fds that came with it: 1, or for FUNC_ATTACH a bit per out_fds */
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

/* 0 and *req filled when buf holds a well-formed request, else -EINVAL. A
 * PRIVSEP_FUNC_ATTACH request is checked whole into func (may be NULL: then refused);
 * nfds: the fds that came with it, which must be those its maps bits name */
int privsep_request_parse(const void *buf, size_t len, unsigned int nfds,
			  struct privsep_request *req, struct privsep_func_request *func);

uint64_t privsep_ns_inode(uint32_t pid, enum privsep_ns ns);
/* The hostname of pid's UTS namespace into buf; 0 or -errno */
int privsep_uts_hostname(uint32_t pid, char *buf, size_t len);
/* An fd that keeps BPF run-time statistics on while open, or -errno */
int privsep_bpf_stats_fd(void);
/* The recording's fd: path opened afresh (rotate: FILE -> FILE.1 ... first), or -errno */
int privsep_record_file(const char *path, unsigned int keep, bool rotate);
/* Where functions can be traced while ktop runs: set before privsep_start() (the helper
 * serves PRIVSEP_FUNC_ATTACH only then), and the work done here when there is no helper */
void privsep_set_func_attach(privsep_func_attach_fn fn);
/* The helper loads and attaches req's function (or this process does, without one): as
 * privsep_func_attach_fn; the out_fds are this process's to close */
int privsep_func_attach(const struct privsep_func_request *req,
			const int map_fds[PRIVSEP_FUNC_MAP_END], int out_fds[PRIVSEP_FUNC_FDS_OUT],
			char *why, size_t len);

#endif
