// SPDX-License-Identifier: GPL-2.0
/*
 * bpf/functions.bpf.c: calls, time and failures of one named kernel function.
 *
 * User space loads this object once per traced function, with the function's stats slot
 * and return type in rodata, and attaches one pair of programs: fentry/fexit where the
 * kernel allows them (the target set before load), else kprobe/kretprobe. The entry counts
 * the call and notes when it started, per task and slot, in a map all the objects share;
 * the return takes the time since, and, for a function returning int or long, counts a
 * negative value as an error. A call whose entry note was lost (the map is an LRU, and a
 * task re-entering the function overwrites its own note) is counted but not timed.
 *
 * The stats are one array all the objects and CPUs share, by slot (atomic adds): cheap in
 * memory at any number of possible CPUs.
 *
 * What a timed function's calls look like, as user space switches it on per slot in
 * function_config (at run time: the detail of one function opened, another argument
 * chosen): the callers' stack at the entry, counted per distinct stack, and the values of
 * one argument (at the entry) or of the return value, counted per distinct value. Both
 * counts are hashes user space empties every interval; what finds them full is counted.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "container_filter.bpf.h"
#include "functions.h"
#include "ktop.bpf.h"

char LICENSE[] SEC("license") = "GPL";

const volatile __u32 slot;	 /* this function's stats slot */
const volatile __u32 ret_kind; /* enum function_ret */
const volatile __u32 counts_only; /* a glob's function: calls and CPUs, no start time */

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FUNCTIONS_MAX);
	__type(key, __u32);
	__type(value, struct function_stat);
} function_stats SEC(".maps");

/* (thread, slot) -> when the call started */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, FUNCTIONS_IN_FLIGHT);
	__type(key, __u64);
	__type(value, __u64);
} function_starts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FUNCTIONS_MAX);
	__type(key, __u32);
	__type(value, struct function_config);
} function_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, FUNCTIONS_STACKS);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, FUNCTIONS_STACK_DEPTH * sizeof(__u64));
} function_stacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FUNCTIONS_CALLERS);
	__type(key, struct function_caller_key);
	__type(value, __u64);
} function_callers SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FUNCTIONS_ARG_VALUES);
	__type(key, struct function_arg_key);
	__type(value, __u64);
} function_args SEC(".maps");

/* One more of key in a counts hash; false when it is full */
static __always_inline bool count_one(void *map, const void *key)
{
	static const __u64 zero;
	__u64 *n = ktop_map_lookup_or_init(map, key, &zero);

	if (!n)
		return false;
	__sync_fetch_and_add(n, 1);
	return true;
}

static __always_inline void count_stack(void *ctx, struct function_stat *st)
{
	struct function_caller_key key = { .slot = slot };
	long id = bpf_get_stackid(ctx, &function_stacks, 0);

	key.stack = (__s32)id;
	if (id < 0 || !count_one(&function_callers, &key))
		__sync_fetch_and_add(&st->stack_drops, 1);
}

static __always_inline void count_value(const struct function_config *cfg,
					struct function_stat *st, __u64 value)
{
	struct function_arg_key key = { .slot = slot, .value = value & cfg->arg_mask };

	if (!count_one(&function_args, &key))
		__sync_fetch_and_add(&st->arg_other, 1);
}

/* Argument n of the call at its entry: through the trampoline's saved registers, or the
 * registers the kprobe saw (the x86-64 calling convention's first six) */
static __always_inline __u64 arg_value(void *ctx, bool fentry, __u32 n)
{
	struct pt_regs *regs = ctx;
	__u64 v = 0;

	if (fentry) {
		bpf_get_func_arg(ctx, n, &v);
		return v;
	}
	/* read, not loaded from ctx: a switch the compiler turns into a table of offsets
	 * would be a ctx access at a variable offset, which the verifier refuses */
	switch (n) {
	case 0: return PT_REGS_PARM1_CORE(regs);
	case 1: return PT_REGS_PARM2_CORE(regs);
	case 2: return PT_REGS_PARM3_CORE(regs);
	case 3: return PT_REGS_PARM4_CORE(regs);
	case 4: return PT_REGS_PARM5_CORE(regs);
#ifdef __TARGET_ARCH_x86
	case 5: return BPF_CORE_READ(regs, r9); /* no PT_REGS_PARM6 in older libbpf */
#endif
	}
	return 0;
}

static __always_inline __u64 start_key(void)
{
	return (bpf_get_current_pid_tgid() << 32) | (slot & (FUNCTIONS_MAX - 1));
}

static __always_inline void on_entry(void *ctx, bool fentry)
{
	__u32 key = slot;
	const struct function_config *cfg;
	struct function_stat *st;
	__u64 start, now;

	if (!container_allowed())
		return;
	st = bpf_map_lookup_elem(&function_stats, &key);
	if (!st)
		return;
	ktop_cpus_add(&st->cpus, counter_epoch);
	__sync_fetch_and_add(&st->calls, 1);
	if (counts_only)
		return;
	start = start_key();
	now = bpf_ktime_get_ns();
	bpf_map_update_elem(&function_starts, &start, &now, BPF_ANY);
	cfg = bpf_map_lookup_elem(&function_config, &key);
	if (!cfg)
		return;
	if (cfg->stacks)
		count_stack(ctx, st);
	/* a slot not configured yet is all zeros: no mask, no value (not arg 0) */
	if (cfg->arg < FUNCTION_ARGS_MAX && cfg->arg_mask)
		count_value(cfg, st, arg_value(ctx, fentry, cfg->arg));
}

static __always_inline void on_return(__u64 ret)
{
	__u64 key = start_key(), *start, ns;
	__u32 stat_key = slot;
	const struct function_config *cfg;
	struct function_stat *st;
	bool failed;

	start = bpf_map_lookup_elem(&function_starts, &key);
	if (!start)
		return; /* not allowed by the container filter, or its note was lost */
	ns = bpf_ktime_get_ns() - *start;
	bpf_map_delete_elem(&function_starts, &key);
	st = bpf_map_lookup_elem(&function_stats, &stat_key);
	if (!st)
		return;
	if (ret_kind == FUNCTION_RET_INT32)
		failed = (int)ret < 0;
	else if (ret_kind == FUNCTION_RET_INT64)
		failed = (long)ret < 0;
	else
		failed = false;
	/* the maximum before the counters (ktop_stat_add_shared orders them) */
	ktop_stat_add_shared(&st->returns, &st->total_ns, &st->max, st->hist, ns);
	if (failed)
		__sync_fetch_and_add(&st->errors, 1);
	cfg = bpf_map_lookup_elem(&function_config, &stat_key);
	if (cfg && cfg->arg == FUNCTION_ARG_RET)
		count_value(cfg, st, ret);
}

/* The attach targets are set by user space (bpf_program__set_attach_target, or the
 * function named to bpf_program__attach_kprobe): these names only satisfy libbpf */
SEC("fentry/vfs_read")
int function_entry(void *ctx)
{
	on_entry(ctx, true);
	return 0;
}

SEC("fexit/vfs_read")
int function_exit(void *ctx)
{
	__u64 ret = 0;

	bpf_get_func_ret(ctx, &ret);
	on_return(ret);
	return 0;
}

SEC("kprobe/vfs_read")
int function_kprobe(struct pt_regs *ctx)
{
	on_entry(ctx, false);
	return 0;
}

SEC("kretprobe/vfs_read")
int function_kretprobe(struct pt_regs *ctx)
{
	on_return(PT_REGS_RC(ctx));
	return 0;
}
