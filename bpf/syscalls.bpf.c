// SPDX-License-Identifier: GPL-2.0
/*
 * bpf/syscalls.bpf.c: count and time every system call.
 *
 * sys_enter keeps (start time, stats slot) in task-local storage; sys_exit adds the call
 * to a per-CPU array slot [generation][abi][nr] and to a per-process per-CPU LRU entry.
 * User space flips `generation` each tick and drains the other half, so every interval
 * gets exact counts and its own maximum without atomics or shared cache lines.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "ktop.bpf.h"
#include "syscalls.h"

char LICENSE[] SEC("license") = "GPL";

__u32 generation;	    /* written by user space each tick */
__s32 focus_slot = -1;	    /* stats slot whose callers are broken down per process */

struct syscall_start {
	__u64 start_ns;
	__u32 slot;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct syscall_start);
} syscall_starts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2 * SYSCALL_KEYS);
	__type(key, __u32);
	__type(value, struct syscall_stat);
} syscall_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
	__uint(max_entries, SYSCALL_PROCESS_ENTRIES);
	__type(key, __u32);
	__type(value, struct process_stat);
} process_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
	__uint(max_entries, SYSCALL_FOCUS_ENTRIES);
	__type(key, __u32);
	__type(value, struct process_stat);
} focus_process_stats SEC(".maps");

static __always_inline __u32 syscall_slot(long id)
{
	struct task_struct *task;
	__u32 abi = 0;

	if (id & SYSCALL_X32_BIT) {
		abi = 2;
		id &= ~(long)SYSCALL_X32_BIT;
	} else {
		task = bpf_get_current_task_btf();
		if (BPF_CORE_READ(task, thread_info.status) & SYSCALL_TS_COMPAT)
			abi = 1;
	}
	if ((unsigned long)id >= SYSCALL_SLOTS)
		id = SYSCALL_SLOTS - 1;
	return abi * SYSCALL_SLOTS + (__u32)id;
}

static __always_inline void process_add(void *map, __u32 tgid, long ret, __u64 ns)
{
	struct process_stat *p = bpf_map_lookup_elem(map, &tgid);

	if (!p) {
		struct process_stat zero = {};

		bpf_map_update_elem(map, &tgid, &zero, BPF_NOEXIST);
		p = bpf_map_lookup_elem(map, &tgid);
		if (!p)
			return;
	}
	p->count++;
	if (ret < 0 && ret >= -4095)
		p->errors++;
	p->total_ns += ns;
}

static __always_inline struct syscall_stat *stat_slot(__u32 slot)
{
	__u32 key = (generation & 1) * SYSCALL_KEYS + slot;

	return bpf_map_lookup_elem(&syscall_stats, &key);
}

static __always_inline int on_sys_enter(long id)
{
	struct syscall_start *s;

	if (id < 0)
		return 0;
	s = bpf_task_storage_get(&syscall_starts, bpf_get_current_task_btf(), 0,
				 BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!s)
		return 0;
	s->slot = syscall_slot(id);
	s->start_ns = bpf_ktime_get_ns();
	return 0;
}

static __always_inline int on_sys_exit(long ret)
{
	struct syscall_start *s;
	struct syscall_stat *st;
	__u64 ns;
	__u32 slot, tgid;

	s = bpf_task_storage_get(&syscall_starts, bpf_get_current_task_btf(), 0, 0);
	if (!s || !s->start_ns)
		return 0; /* the call began before we attached */
	ns = bpf_ktime_get_ns() - s->start_ns;
	slot = s->slot;
	s->start_ns = 0;
	st = stat_slot(slot);
	if (!st)
		return 0;
	st->count++;
	if (ret < 0 && ret >= -4095)
		st->errors++;
	st->total_ns += ns;
	if (ns > st->max_ns)
		st->max_ns = ns;
	st->hist[ktop_log2_slot(ns) & (KTOP_HIST_SLOTS - 1)]++;

	tgid = bpf_get_current_pid_tgid() >> 32;
	process_add(&process_stats, tgid, ret, ns);
	if ((__s32)slot == focus_slot)
		process_add(&focus_process_stats, tgid, ret, ns);
	return 0;
}

/* Count-only mode: no start time, no latency; the number comes from the registers */
static __always_inline int on_sys_exit_count(struct pt_regs *regs, long ret)
{
	struct syscall_stat *st;
	__u32 slot, tgid;

	slot = syscall_slot(BPF_CORE_READ(regs, orig_ax));
	st = stat_slot(slot);
	if (!st)
		return 0;
	st->count++;
	if (ret < 0 && ret >= -4095)
		st->errors++;
	tgid = bpf_get_current_pid_tgid() >> 32;
	process_add(&process_stats, tgid, ret, 0);
	if ((__s32)slot == focus_slot)
		process_add(&focus_process_stats, tgid, ret, 0);
	return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(sys_enter_btf, struct pt_regs *regs, long id)
{
	return on_sys_enter(id);
}

SEC("raw_tp/sys_enter")
int BPF_PROG(sys_enter_raw, struct pt_regs *regs, long id)
{
	return on_sys_enter(id);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(sys_exit_btf, struct pt_regs *regs, long ret)
{
	return on_sys_exit(ret);
}

SEC("raw_tp/sys_exit")
int BPF_PROG(sys_exit_raw, struct pt_regs *regs, long ret)
{
	return on_sys_exit(ret);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(sys_exit_count_btf, struct pt_regs *regs, long ret)
{
	return on_sys_exit_count(regs, ret);
}

SEC("raw_tp/sys_exit")
int BPF_PROG(sys_exit_count_raw, struct pt_regs *regs, long ret)
{
	return on_sys_exit_count(regs, ret);
}
