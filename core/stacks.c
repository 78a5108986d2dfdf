// SPDX-License-Identifier: GPL-2.0
/* core/stacks.c: splitting, classifying, grouping and naming kernel stacks (see stacks.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "stacks.h"
#include "syscall_names.h"

static const char *const kind_names[STACK_KINDS] = {
	"irqs_off", "bh_off", "preempt_off", "idle", "user", "external",
};

static const char *const irq_entry_prefixes[] = {
	"asm_sysvec_", "asm_common_interrupt", "asm_spurious_interrupt", "asm_fred_entrypoint",
	"irq_entries_start", "spurious_entries_start", NULL,
};

static const char *const idle_symbols[] = {
	"default_idle", "pv_native_safe_halt", "native_safe_halt", "arch_cpu_idle",
	"default_idle_call", "cpu_idle_poll", "poll_idle", "cpuidle_enter_state", "mwait_idle",
	"acpi_safe_halt", "acpi_idle_do_entry", "acpi_idle_enter", "intel_idle",
	"intel_idle_irq", "intel_idle_ibrs", "haltpoll_enter_idle", "default_enter_idle",
	"amd_e400_idle", "mwait_idle_with_hints", "xen_safe_halt", NULL,
};

static const char *const tracing_prefixes[] = {
	"bpf_prog_", "bpf_trace_run", "__bpf_trace_", "__traceiter_", "bpf_dispatcher_",
	"bpf_trampoline_", NULL,
};

/* The soft interrupt machinery between a soft timer and whoever let it run */
static const char *const softirq_symbols[] = {
	"hrtimer_run_softirq", "handle_softirqs", "__do_softirq", "do_softirq",
	"do_softirq_own_stack", "__local_bh_enable_ip", "local_bh_enable", "call_on_stack", NULL,
};

/* The scheduler and the paths into it: where a wait for the CPU ended, not who held it */
static const char *const scheduler_symbols[] = {
	"__schedule", "schedule", "schedule_idle", "preempt_schedule", "preempt_schedule_common",
	"preempt_schedule_notrace", "preempt_schedule_irq", "preempt_schedule_thunk",
	"preempt_schedule_notrace_thunk", "__cond_resched", "_cond_resched",
	"__cond_resched_lock", "__cond_resched_rwlock_read", "__cond_resched_rwlock_write",
	"exit_to_user_mode_loop", "exit_to_user_mode_prepare", "syscall_exit_to_user_mode",
	"syscall_exit_to_user_mode_work", "irqentry_exit_to_user_mode", "irqentry_exit",
	"raw_irqentry_exit_cond_resched", "dynamic_irqentry_exit_cond_resched",
	/* blocking: the task gave the CPU up by sleeping; its caller is the one to name */
	"io_schedule", "io_schedule_timeout", "schedule_timeout", "schedule_preempt_disabled",
	"schedule_hrtimeout_range", "schedule_hrtimeout_range_clock", NULL,
};

/* The C side of an interrupt, between its entry and the code it interrupted */
static const char *const irq_handler_prefixes[] = {
	"sysvec_", "__sysvec_", "common_interrupt", "irqentry_", "instr_sysvec_", NULL,
};

/* Where system calls are dispatched, and the ABI each serves */
static const struct {
	const char *symbol;
	int abi;
} syscall_entries[] = {
	{ "do_syscall_64", SYSCALL_ABI_X64 },
	{ "do_int80_syscall_32", SYSCALL_ABI_IA32 },
	{ "do_fast_syscall_32", SYSCALL_ABI_IA32 },
	{ "__do_fast_syscall_32", SYSCALL_ABI_IA32 },
	{ "do_SYSENTER_32", SYSCALL_ABI_IA32 },
	{ "int80_emulation", SYSCALL_ABI_IA32 },
};

static int has_prefix(const char *s, const char *const *prefixes)
{
	for (unsigned int i = 0; prefixes[i]; i++)
		if (strncmp(s, prefixes[i], strlen(prefixes[i])) == 0)
			return 1;
	return 0;
}

static int is_one_of(const char *s, const char *const *names)
{
	for (unsigned int i = 0; names[i]; i++)
		if (strcmp(s, names[i]) == 0)
			return 1;
	return 0;
}

const char *stack_kind_name(enum stack_kind kind)
{
	return (unsigned int)kind < STACK_KINDS ? kind_names[kind] : "?";
}

int stack_is_irq_entry(const char *symbol)
{
	return symbol && has_prefix(symbol, irq_entry_prefixes);
}

int stack_is_idle(const char *symbol)
{
	/* intel_idle has variants (intel_idle_xstate, ...); the list names the common ones */
	return symbol && (is_one_of(symbol, idle_symbols) || strncmp(symbol, "intel_idle", 10) == 0);
}

int stack_is_tracing(const char *symbol)
{
	return symbol && has_prefix(symbol, tracing_prefixes);
}

/*
 * x86-64 instruction lengths, enough to tell where an instruction that ends at a known
 * address began. Legacy and REX prefixes, the one-byte map, 0f, 0f 38, 0f 3a and VEX;
 * anything else (EVEX, AMD 3DNow!, invalid opcodes) is 0: unknown.
 */

/* One-byte map: bit 0 ModRM, bits 1-3 immediate (IMM_*), 0xff: invalid in 64-bit mode */
enum {
	M = 1, I8 = 1 << 1, I16 = 2 << 1, IZ = 3 << 1, IV = 4 << 1, I16_8 = 5 << 1,
	RESERVED = 0xff,
};
#define IMM(f) ((f) >> 1 & 7)
#define ROW_ALU M, M, M, M, I8, IZ

static const uint8_t one_byte[256] = {
	ROW_ALU, RESERVED, RESERVED, ROW_ALU, RESERVED, 0,               /* 00-0f (0f: escape) */
	ROW_ALU, RESERVED, RESERVED, ROW_ALU, RESERVED, RESERVED,        /* 10-1f */
	ROW_ALU, 0, RESERVED, ROW_ALU, 0, RESERVED,                       /* 20-2f (prefixes) */
	ROW_ALU, 0, RESERVED, ROW_ALU, 0, RESERVED,                       /* 30-3f */
	[0x40 ... 0x5f] = 0,                                              /* REX, push, pop */
	[0x60] = RESERVED, [0x61] = RESERVED, [0x62] = RESERVED, [0x63] = M,
	[0x68] = IZ, [0x69] = M | IZ, [0x6a] = I8, [0x6b] = M | I8,
	[0x70 ... 0x7f] = I8,                                             /* jcc rel8 */
	[0x80] = M | I8, [0x81] = M | IZ, [0x82] = RESERVED, [0x83] = M | I8,
	[0x84 ... 0x8f] = M,
	[0x9a] = RESERVED,
	[0xa0 ... 0xa3] = IV, /* moffs: 8 bytes (4 with 0x67), see insn_length */
	[0xa8] = I8, [0xa9] = IZ,
	[0xb0 ... 0xb7] = I8, [0xb8 ... 0xbf] = IV,
	[0xc0] = M | I8, [0xc1] = M | I8, [0xc2] = I16, [0xc4] = RESERVED, [0xc5] = RESERVED,
	[0xc6] = M | I8, [0xc7] = M | IZ, [0xc8] = I16_8, [0xca] = I16, [0xcd] = I8,
	[0xce] = RESERVED,
	[0xd0 ... 0xd3] = M, [0xd4 ... 0xd6] = RESERVED, [0xd8 ... 0xdf] = M,
	[0xe0 ... 0xe7] = I8, [0xe8] = IZ, [0xe9] = IZ, [0xea] = RESERVED, [0xeb] = I8,
	[0xf6] = M, [0xf7] = M, [0xfe] = M, [0xff] = M,
};

/* 0f map: ModRM and an imm8 where the opcode has them */
static uint8_t two_byte(uint8_t op)
{
	if ((op >= 0x80 && op <= 0x8f))
		return IZ; /* jcc rel32 */
	if (op == 0x70 || op == 0x71 || op == 0x72 || op == 0x73 || op == 0xa4 || op == 0xac ||
	    op == 0xba || op == 0xc2 || op == 0xc4 || op == 0xc5 || op == 0xc6)
		return M | I8;
	switch (op) {
	case 0x04: case 0x0a: case 0x0c: case 0x0f: case 0x24 ... 0x27: case 0x36: case 0x39:
	case 0x3b ... 0x3f: case 0x7a: case 0x7b: case 0xa6: case 0xa7:
		return RESERVED;
	case 0x05 ... 0x09: case 0x0b: case 0x0e: case 0x30 ... 0x35: case 0x37: case 0x77:
	case 0xa0 ... 0xa2: case 0xa8 ... 0xaa: case 0xc8 ... 0xcf:
		return 0;
	}
	return M;
}

static unsigned int insn_length(const uint8_t *c, unsigned int n)
{
	unsigned int i = 0, flags, imm = 0, opsize16 = 0, addr32 = 0, rex_w = 0;
	uint8_t op;

	for (; i < n && i < 14; i++) {
		uint8_t b = c[i];

		if (b == 0x66)
			opsize16 = 1;
		else if (b == 0x67)
			addr32 = 1;
		else if (b != 0xf0 && b != 0xf2 && b != 0xf3 && b != 0x2e && b != 0x36 &&
			 b != 0x3e && b != 0x26 && b != 0x64 && b != 0x65)
			break;
	}
	if (i < n && (c[i] & 0xf0) == 0x40)
		rex_w = c[i++] & 8;
	if (i >= n)
		return 0;
	op = c[i++];
	if (op == 0xc4 || op == 0xc5) {
		/* VEX: 2 or 3 bytes of its own, then the opcode and a ModRM; map 0f 3a has imm8 */
		unsigned int map = op == 0xc5 ? 1 : (i < n ? c[i] & 0x1f : 0);

		i += op == 0xc5 ? 1 : 2;
		i++; /* opcode */
		flags = map == 3 ? M | I8 : M;
	} else if (op == 0x0f) {
		if (i >= n)
			return 0;
		op = c[i++];
		if (op == 0x38 || op == 0x3a) {
			flags = op == 0x3a ? M | I8 : M;
			i++; /* opcode */
		} else {
			flags = two_byte(op);
		}
	} else {
		flags = one_byte[op];
		/* test r/m, imm (reg 0 and 1 of f6/f7) has an immediate, the rest of the group
		 * not */
		if ((op == 0xf6 || op == 0xf7) && i < n && (c[i] >> 3 & 7) < 2)
			flags |= op == 0xf6 ? I8 : IZ;
		if (op >= 0xa0 && op <= 0xa3)
			imm = addr32 ? 4 : 8;
	}
	if (flags == RESERVED)
		return 0;
	if (flags & M) {
		uint8_t modrm, mod, rm;

		if (i >= n)
			return 0;
		modrm = c[i++];
		mod = modrm >> 6, rm = modrm & 7;
		if (mod != 3 && rm == 4) {
			if (i >= n)
				return 0;
			if (mod == 0 && (c[i] & 7) == 5)
				i += 4;
			i++; /* SIB */
		}
		if (mod == 1)
			i += 1;
		else if (mod == 2 || (mod == 0 && rm == 5))
			i += 4;
	}
	switch (IMM(flags)) {
	case 1: imm = 1; break;
	case 2: imm = 2; break;
	case 3: imm = opsize16 ? 2 : 4; break;
	case 4: imm = imm ? imm : rex_w ? 8 : opsize16 ? 2 : 4; break;
	case 5: imm = 3; break;
	}
	i += imm;
	return i <= 15 ? i : 0;
}

/*
 * Does the instruction stream ending at `end` have a boundary at `at`? The bytes before
 * are decoded from every start up to `at`: decodings fall into step within a few
 * instructions, so most starts agree on the real boundaries (an 0xfb that is a ModRM or an
 * immediate is stepped over by most of them)
 */
static int boundary_likely(const uint8_t *code, unsigned int at)
{
	int agree = 0, disagree = 0;

	for (unsigned int start = 0; start < at; start++) {
		unsigned int pos = start, len = 1;

		while (pos < at && (len = insn_length(code + pos, STACK_CODE_BYTES - pos)) != 0)
			pos += len;
		if (!len)
			continue; /* undecodable from there: no opinion */
		if (pos == at)
			agree++;
		else
			disagree++;
	}
	return agree >= disagree;
}

int stack_code_enables_irqs(const uint8_t code[STACK_CODE_BYTES])
{
	const uint8_t sti = 0xfb;

	/* interrupts come on after the instruction that follows sti (its shadow): the
	 * interrupted address is right after that one instruction, whatever it is (a patched
	 * nop, hlt, or with sti inlined the code after it: a preempt count, a pop, ...) */
	for (unsigned int len = 1; len < STACK_CODE_BYTES; len++) {
		unsigned int at = STACK_CODE_BYTES - 1 - len;

		if (code[at] == sti &&
		    insn_length(code + at + 1, len) == len && boundary_likely(code, at))
			return 1;
	}
	return 0;
}

static const char *symbol_of(const struct ksyms *k, uint64_t ip)
{
	const struct ksym *s = ksyms_find(k, ip, NULL);

	return s ? s->name : NULL;
}

/* Index of the innermost frame whose symbol passes test, or n */
static unsigned int find_frame(const struct ksyms *k, const uint64_t *ips, unsigned int n,
			       int (*test)(const char *))
{
	for (unsigned int i = 0; i < n; i++)
		if (test(symbol_of(k, ips[i])))
			return i;
	return n;
}

static int is_symbol(const char *symbol, const char *name)
{
	return symbol && strcmp(symbol, name) == 0;
}

static int is_softirq_frame(const char *symbol)
{
	return symbol && is_one_of(symbol, softirq_symbols);
}

static int is_scheduler_frame(const char *symbol)
{
	return symbol && is_one_of(symbol, scheduler_symbols);
}

/*
 * The first frame past the tracing machinery at the inner end of a stack taken in a BPF
 * program: after the outermost of its named frames (bpf_trace_run*, __bpf_trace_*, ...)
 * among the first few, and after frames no symbol covers there (a program loaded after
 * kallsyms was read has no name yet)
 */
static unsigned int past_tracing(const struct ksyms *k, const uint64_t *ips, unsigned int n)
{
	unsigned int i = 0;

	for (unsigned int j = 0; j < n && j < 8; j++)
		if (stack_is_tracing(symbol_of(k, ips[j])))
			i = j + 1;
	while (i < n && !symbol_of(k, ips[i]))
		i++;
	return i;
}

unsigned int stack_skip_tracing(const struct ksyms *k, const uint64_t *ips, unsigned int n)
{
	return k && (ips || !n) ? past_tracing(k, ips, n) : 0;
}

static int is_irq_handler_frame(const char *symbol)
{
	return symbol && has_prefix(symbol, irq_handler_prefixes);
}

static int syscall_entry_abi(const char *symbol)
{
	for (unsigned int i = 0; symbol && i < sizeof(syscall_entries) / sizeof(syscall_entries[0]); i++)
		if (strcmp(symbol, syscall_entries[i].symbol) == 0)
			return syscall_entries[i].abi;
	return -1;
}

char *stack_syscall_symbol(int abi, const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "__%s_sys_%s", abi == SYSCALL_ABI_IA32 ? "ia32" :
		 abi == SYSCALL_ABI_X32 ? "x32" : "x64", name);
	return buf;
}

static int is_timer_frame(const char *symbol)
{
	return symbol && (strncmp(symbol, "hrtimer_", 8) == 0 ||
			  strncmp(symbol, "__hrtimer_", 10) == 0 || stack_is_tracing(symbol));
}

/* Frames after an interrupt entry are the interrupted code: user, idle or a culprit */
static void split_interrupted(const struct ksyms *k, const uint64_t *ips, unsigned int n,
			      unsigned int entry, const uint8_t *code, struct stack_split *out)
{
	out->first = entry + 1;
	out->count = n - out->first;
	if (out->count == 0)
		out->kind = STACK_USER;
	else if (stack_is_idle(symbol_of(k, ips[out->first])))
		out->kind = STACK_IDLE;
	else if (code && !stack_code_enables_irqs(code))
		out->kind = STACK_EXTERNAL;
	else
		out->kind = STACK_IRQS_OFF;
}

/*
 * A CPU asked to reschedule got to the scheduler here. Past the scheduler's own frames:
 * the return from an interrupt (user mode or the interrupted kernel code held it, see
 * split_interrupted), the idle loop, or the code that ran until it let the CPU go
 * (preempt_enable, cond_resched, the end of a system call or a fault)
 */
static void split_resched(const struct ksyms *k, const uint64_t *ips, unsigned int n,
			  struct stack_split *out)
{
	unsigned int i, j;
	const char *symbol;

	for (i = past_tracing(k, ips, n); i < n && is_scheduler_frame(symbol_of(k, ips[i])); i++)
		;
	for (j = i; j < n && is_irq_handler_frame(symbol_of(k, ips[j])); j++)
		;
	if (j < n && stack_is_irq_entry(symbol_of(k, ips[j]))) {
		/* a preemptible kernel was interrupted: the request's interrupt itself came
		 * late, so interrupts were off until the interrupted code turned them on */
		split_interrupted(k, ips, n, j, NULL, out);
		out->syscall_abi = -1;
		return;
	}
	symbol = i < n ? symbol_of(k, ips[i]) : NULL;
	*out = (struct stack_split){ i, n - i, STACK_PREEMPT_OFF, syscall_entry_abi(symbol) };
	if (symbol && (strcmp(symbol, "do_idle") == 0 || stack_is_idle(symbol)))
		out->kind = STACK_IDLE;
}

int stack_split(const struct ksyms *k, const uint64_t *ips, unsigned int n,
		enum stack_source source, const uint8_t *code, struct stack_split *out)
{
	unsigned int i, entry;

	if (!k || !out || (n && !ips))
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	out->syscall_abi = -1;
	switch (source) {
	case STACK_FROM_RESCHED:
		split_resched(k, ips, n, out);
		return 0;
	case STACK_FROM_IPI_CALL:
		/* the call ran with interrupts off: the path that ran it, up to the interrupt
		 * entry; what the IPI interrupted is no part of the offender */
		i = past_tracing(k, ips, n);
		entry = find_frame(k, ips, n, stack_is_irq_entry);
		*out = (struct stack_split){ i, (entry < n && entry >= i ? entry + 1 : n) - i,
					     STACK_IRQS_OFF, -1 };
		return 0;
	case STACK_FROM_HARD_TIMER:
		entry = find_frame(k, ips, n, stack_is_irq_entry);
		if (entry < n) {
			split_interrupted(k, ips, n, entry, code, out);
			return 0;
		}
		/* no interrupt entry (low-resolution mode, or the unwinder stopped) */
		for (i = past_tracing(k, ips, n); i < n && is_timer_frame(symbol_of(k, ips[i])); i++)
			;
		*out = (struct stack_split){ i, n - i, STACK_IRQS_OFF, -1 };
		return 0;
	case STACK_FROM_SOFT_TIMER:
		entry = find_frame(k, ips, n, stack_is_irq_entry);
		if (entry < n) {
			/* run at interrupt exit: the interrupt itself came late, IRQs were off */
			split_interrupted(k, ips, n, entry, code, out);
			return 0;
		}
		/* run when bottom halves came back on (or in ksoftirqd): skip the machinery */
		for (i = n; i > 0 && !is_softirq_frame(symbol_of(k, ips[i - 1])); i--)
			;
		while (i < n && (is_softirq_frame(symbol_of(k, ips[i])) ||
				 is_timer_frame(symbol_of(k, ips[i]))))
			i++;
		*out = (struct stack_split){ i, n - i, STACK_BH_OFF, -1 };
		/* ksoftirqd ran it: the wait was for that thread to get the CPU, after work
		 * deferred to it; no code on this stack held BH off */
		for (unsigned int j = i; j < n; j++)
			if (is_symbol(symbol_of(k, ips[j]), "run_ksoftirqd"))
				out->kind = STACK_EXTERNAL;
		return 0;
	}
	return -EINVAL;
}

uint64_t stack_signature(const struct ksyms *k, const uint64_t *ips, unsigned int n,
			 enum stack_kind kind)
{
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */

	h = (h ^ (uint64_t)kind) * 0x100000001b3ull;
	for (unsigned int i = 0; i < n; i++) {
		uint64_t off = 0, fn;
		const struct ksym *s = ksyms_find(k, ips[i], &off);

		fn = s ? s->addr : ips[i];
		for (int b = 0; b < 64; b += 8)
			h = (h ^ ((fn >> b) & 0xff)) * 0x100000001b3ull;
	}
	return h ? h : 1;
}

char *stack_name(const struct ksyms *k, const uint64_t *ips, unsigned int n, enum stack_kind kind,
		 char *buf, size_t len)
{
	const char *inner = n > 0 ? symbol_of(k, ips[0]) : NULL;
	const char *caller = n > 1 ? symbol_of(k, ips[1]) : NULL;
	char hex[2][24];

	if (kind == STACK_USER || n == 0) {
		snprintf(buf, len, kind == STACK_USER ? "(user mode)" : "(no stack)");
		return buf;
	}
	if (!inner)
		inner = (snprintf(hex[0], sizeof(hex[0]), "0x%llx", (unsigned long long)ips[0]),
			 hex[0]);
	if (n > 1 && !caller)
		caller = (snprintf(hex[1], sizeof(hex[1]), "0x%llx", (unsigned long long)ips[1]),
			  hex[1]);
	snprintf(buf, len, "%s%s%s%s",
		 kind == STACK_IDLE ? "idle: " : kind == STACK_EXTERNAL ? "external: " : "", inner,
		 caller ? " <- " : "", caller ? caller : "");
	return buf;
}
