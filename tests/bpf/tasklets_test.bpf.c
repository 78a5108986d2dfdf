// SPDX-License-Identifier: GPL-2.0
/*
 * tests/bpf/tasklets_test.bpf.c: bpf/tasklets.bpf.c built for tests/bpf_tasklets.c only
 * (never shipped in ktop), with one hook: softirq_raise reads the tail of this CPU's
 * tasklet list from test_tail[] ([0] HI, [1] TASKLET) when it is not 0, since a test
 * cannot queue a tasklet on the kernel's list.
 */
#include "vmlinux.h"

__u64 test_tail[2];

#define TASKLET_TEST_TAIL(idx) test_tail[(idx) & 1]

#include "tasklets.bpf.c"
