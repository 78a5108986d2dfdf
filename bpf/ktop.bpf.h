/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bpf/ktop.bpf.h: helpers shared by ktop's BPF programs.
 *
 * Each handler body is written once and wrapped twice: as tp_btf (preferred: typed
 * arguments, cheapest) and as raw_tp (the fallback, and the one BPF_PROG_TEST_RUN can
 * run). User space enables one of the pair with bpf_program__set_autoload().
 */
#ifndef KTOP_BPF_KTOP_BPF_H
#define KTOP_BPF_KTOP_BPF_H

#include "common.h"

/* floor(log2(v)) for v >= 1, 0 for 0, capped to the last slot. clang 14 crashes on
 * __builtin_clzll for BPF, so shifts and compares. */
static __always_inline __u32 ktop_log2_slot(__u64 v)
{
	__u32 r = 0;

	if (v >> 32) {
		v >>= 32;
		r += 32;
	}
	if (v >> 16) {
		v >>= 16;
		r += 16;
	}
	if (v >> 8) {
		v >>= 8;
		r += 8;
	}
	if (v >> 4) {
		v >>= 4;
		r += 4;
	}
	if (v >> 2) {
		v >>= 2;
		r += 2;
	}
	if (v >> 1)
		r += 1;
	return r < KTOP_HIST_SLOTS ? r : KTOP_HIST_SLOTS - 1;
}

#endif
