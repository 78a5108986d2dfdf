/* SPDX-License-Identifier: GPL-2.0 */
/* bpf/common.h: constants every BPF program and its collector agree on. */
#ifndef KTOP_BPF_COMMON_H
#define KTOP_BPF_COMMON_H

/* a kernel histogram has a frame's slots: the one number, from a header both sides include */
#include "../core/hist_slots.h"
#define KTOP_HIST_SLOTS HIST_SLOTS

/*
 * The longest event of one epoch, on one CPU. Every other statistic is a cumulative
 * counter that user space turns into deltas; a maximum cannot be, so it is kept per epoch
 * (bpf/ktop.bpf.h, collectors/counters.c).
 */
/* CPUs seen in one counter epoch (bits 0..63): a row's CPUS column */
struct ktop_cpus {
	__u64 bits;
	__u64 epoch;
};

struct ktop_max {
	__u64 ns;
	__u64 epoch;
};

#endif
