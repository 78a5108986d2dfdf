/* SPDX-License-Identifier: GPL-2.0 */
/*
 * core/hist_slots.h: how many log2 slots every histogram has, in a frame and in the
 * kernel's statistics alike (bpf/common.h includes this too), so that a kernel histogram
 * is a row's histogram slot for slot. Plain C with no includes and no types, for both
 * sides of the BPF boundary.
 */
#ifndef KTOP_CORE_HIST_SLOTS_H
#define KTOP_CORE_HIST_SLOTS_H

/* slot i counts values in [2^i, 2^(i+1)) ns; slot 0 also holds 0. A power of two: the BPF
 * side masks a slot index with HIST_SLOTS - 1 */
#define HIST_SLOTS 32

#endif
