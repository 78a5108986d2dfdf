/* SPDX-License-Identifier: GPL-2.0 */
/*
 * collectors/bpf_util.h: what every collector needs around libbpf: its log kept off the
 * terminal, feature probes that answer truthfully on this kind of kernel, per-CPU sizes.
 */
#ifndef KTOP_COLLECTORS_BPF_UTIL_H
#define KTOP_COLLECTORS_BPF_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <bpf/libbpf.h>

/* Send libbpf's messages to path (NULL: keep only the last lines, for reasons) */
int bpf_log_init(const char *path);
/* The last warning libbpf printed, trimmed to one line, or "" */
const char *bpf_log_last(void);
void bpf_log_close(void);

/* Does the kernel's BTF know the raw tracepoint `name` (btf_trace_<name>)? tp_btf and
 * raw_tp can attach to exactly these. */
bool probe_btf_tracepoint(const char *name);
/* Does the kernel's BTF have struct `type` with member `member`? */
bool probe_btf_member(const char *type, const char *member);

/*
 * What an object that reads kernel per-CPU variables (bpf/percpu.bpf.h) sets in its rodata:
 * the offsets in .data..percpu of runqueues (which finds this CPU's base) and of each
 * variable it reads. All or none: known only when every one was found, else all zero.
 */
#define PERCPU_VARS_MAX 2
struct percpu_offsets {
	bool known;
	uint64_t runqueues;
	uint64_t var[PERCPU_VARS_MAX]; /* the variables, in the order asked for */
};
/* Find runqueues and the variables named (then NULL, at most PERCPU_VARS_MAX); o->known */
bool percpu_offsets_probe(struct percpu_offsets *o, ...) __attribute__((sentinel));
/* Set percpu.bpf.h's rodata (off_runqueues, runqueues_known) of any skeleton from o; the
 * variables' offsets have names of the object's own */
#define PERCPU_OFFSETS_SET(rodata, o)                                                        \
	do {                                                                               \
		(rodata)->off_runqueues = (o)->runqueues;                                  \
		(rodata)->runqueues_known = (o)->known;                                    \
	} while (0)

bool probe_kernel_btf(void);
void probe_release(void);

int bpf_possible_cpus(void);
/* A short human reason for a libbpf error code, with the last libbpf line if useful */
const char *bpf_error_reason(int err);
/* Choose between the tp_btf and raw_tp twins of a program pair */
void bpf_choose_variant(struct bpf_program *btf_prog, struct bpf_program *raw_prog,
			bool use_btf);

#endif
