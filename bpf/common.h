/* SPDX-License-Identifier: GPL-2.0 */
/* bpf/common.h: constants every BPF program and its collector agree on. */
#ifndef KTOP_BPF_COMMON_H
#define KTOP_BPF_COMMON_H

#define KTOP_HIST_SLOTS 32 /* log2 of ns: slot i holds [2^i, 2^(i+1)) */

#endif
