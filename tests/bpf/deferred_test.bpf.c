// SPDX-License-Identifier: GPL-2.0
/*
 * tests/bpf/deferred_test.bpf.c: bpf/deferred.bpf.c built for tests/bpf_deferred.c only
 * (never shipped in ktop), with one hook: the callback of a work item or timer is
 * test_func when it is not 0, since a test cannot make the kernel objects the program
 * reads it from.
 */
#include "vmlinux.h"

__u64 test_func;

#define DEFERRED_TEST_FUNC test_func

#include "deferred.bpf.c"
