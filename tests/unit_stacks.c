// SPDX-License-Identifier: GPL-2.0
/* tests/unit_stacks.c: symbolization against a fixed kallsyms sample, and the splitting,
 * classification, grouping and naming of critical-section stacks (core/stacks.c). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/ksyms.h"
#include "core/stacks.h"

static const char kallsyms_sample[] =
	"ffffffff81000010 T __entry_text_start\n"
	"ffffffff81000df0 T asm_sysvec_apic_timer_interrupt\n"
	"ffffffff81000e10 T asm_sysvec_call_function_single\n"
	"ffffffff81000f70 T __irqentry_text_end\n"
	"ffffffff81100000 t bpf_trace_run2\n"
	"ffffffff81100200 T __hrtimer_run_queues\n"
	"ffffffff81100400 T hrtimer_interrupt\n"
	"ffffffff81100600 T __sysvec_apic_timer_interrupt\n"
	"ffffffff81100700 T sysvec_apic_timer_interrupt\n"
	"ffffffff81100800 T _raw_spin_unlock_irqrestore\n"
	"ffffffff81100900 T some_driver_fn\n"
	"ffffffff81100a00 T other_caller\n"
	"ffffffff81100b00 T do_syscall_64\n"
	"ffffffff81100c00 T pv_native_safe_halt\n"
	"ffffffff81100d00 T default_idle\n"
	"ffffffff81100e00 T do_idle\n"
	"ffffffff81100f00 T hrtimer_run_softirq\n"
	"ffffffff81101000 T handle_softirqs\n"
	"ffffffff81101100 T do_softirq\n"
	"ffffffff81101200 T __local_bh_enable_ip\n"
	"ffffffff81101300 T _raw_spin_unlock_bh\n"
	"ffffffff81101400 T __flush_smp_call_function_queue\n"
	"ffffffff81101500 T __sysvec_call_function_single\n"
	"ffffffff81101600 T rep_movs_alternative\n"
	"ffffffff81101700 d some_data\n"
	"ffffffff81101800 T __schedule\n"
	"ffffffff81101900 T schedule\n"
	"ffffffff81101a00 T __cond_resched\n"
	"ffffffff81101b00 T exit_to_user_mode_loop\n"
	"ffffffff81101c00 T irqentry_exit_to_user_mode\n"
	"ffffffff81101d00 T schedule_idle\n"
	"ffffffff81101e00 T entry_SYSCALL_64_after_hwframe\n"
	"ffffffff81101f00 T preempt_schedule\n"
	"ffffffff81102000 T io_schedule\n"
	"ffffffff81102100 T __x64_sys_read\n"
	"ffffffff81102200 t run_ksoftirqd\n"
	"ffffffff81102300 t smpboot_thread_fn\n"
	"ffffffffc0001000 t mod_fn\t[mymod]\n"
	"not a kallsyms line\n";

#define A(x) (0xffffffff81000000ull + (x))

static struct ksyms ks;

static int load_sample(void **state)
{
	FILE *in = fmemopen((void *)kallsyms_sample, sizeof(kallsyms_sample) - 1, "r");
	int err;

	(void)state;
	assert_non_null(in);
	err = ksyms_load_stream(&ks, in);
	fclose(in);
	return err;
}

static int free_sample(void **state)
{
	(void)state;
	ksyms_free(&ks);
	return 0;
}

static void test_symbolize(void **state)
{
	uint64_t off = 0;
	const struct ksym *s;
	char buf[128];

	(void)state;
	assert_int_equal(ks.count, 37); /* text symbols only: no data, no junk */
	s = ksyms_find(&ks, A(0x100819), &off);
	assert_non_null(s);
	assert_string_equal(s->name, "_raw_spin_unlock_irqrestore");
	assert_int_equal(off, 0x19);
	assert_string_equal(ksyms_format(&ks, A(0x100819), buf, sizeof(buf)),
			    "_raw_spin_unlock_irqrestore+0x19");
	assert_string_equal(ksyms_format(&ks, 0xffffffffc0001010ull, buf, sizeof(buf)),
			    "mod_fn+0x10 [mymod]");
	assert_string_equal(ksyms_format(&ks, 0x1000, buf, sizeof(buf)), "0x1000");
	/* far past the last symbol of the kernel (a BPF program's address): no name */
	assert_null(ksyms_find(&ks, 0xffffffffa0001234ull, &off));
	assert_string_equal(ksyms_format(&ks, 0xffffffffa0001234ull, buf, sizeof(buf)),
			    "0xffffffffa0001234");
	assert_int_equal(ksyms_address(&ks, "__irqentry_text_end"), A(0xf70));
}

/* a hard timer's stack: tracing, timer path, interrupt entry, then the interrupted code */
static const uint64_t irqs_off_stack[] = {
	A(0x100010), A(0x100230), A(0x100420), A(0x100630), A(0x100710), A(0xe06),
	A(0x100819), A(0x100944), A(0x100b71),
};
static const uint8_t code_sti[STACK_CODE_BYTES] = {
	0, 0x90, 0xf7, 0xc6, 0, 2, 0, 0, 0x74, 6, 0xfb, 0x0f, 0x1f, 0x44, 0, 0,
};
static const uint8_t code_sti_hlt[STACK_CODE_BYTES] = {
	0x90, 0x90, 0x90, 0x90, 0x90, 0xeb, 7, 0x0f, 0, 0x2d, 0xf7, 0xc0, 0x1b, 0, 0xfb, 0xf4,
};
/* "mov %rdi,%rbx" has an 0xfb byte that is not an sti */
static const uint8_t code_no_sti[STACK_CODE_BYTES] = {
	0x83, 0x48, 0xc7, 0xc6, 0x96, 0x1a, 0x83, 0x82, 0x53, 0x48, 0x89, 0xfb, 0x48, 0x8d, 0x7f,
	0x58,
};

/* Kernels without PARAVIRT_XXL inline sti: the instruction in its shadow is real code */
static const uint8_t code_sti_inline[][STACK_CODE_BYTES] = {
	/* _raw_spin_unlock_irqrestore: test $0x200,%esi; je; sti;
	 * decl %gs:__preempt_count(%rip) */
	{ 0xf7, 0xc6, 0x00, 0x02, 0x00, 0x00, 0x74, 0x01, 0xfb,
	  0x65, 0xff, 0x0d, 0x10, 0x32, 0x54, 0x76 },
	/* ...; sti; pop %rbx */
	{ 0x90, 0x48, 0x89, 0xdf, 0xe8, 0x10, 0x20, 0x30, 0x40, 0x48, 0x85, 0xc0, 0x74, 0x01,
	  0xfb, 0x5b },
	/* ...; sti; mov %r12,%rdi */
	{ 0x90, 0x90, 0x48, 0x8b, 0x45, 0xf0, 0x41, 0xf6, 0xc4, 0x02, 0x74, 0x01, 0xfb,
	  0x4c, 0x89, 0xe7 },
	/* ...; sti; add $0x8,%rsp */
	{ 0x48, 0x8b, 0x7d, 0x08, 0x48, 0x85, 0xff, 0x90, 0x90, 0x74, 0x01, 0xfb, 0x48,
	  0x83, 0xc4, 0x08 },
};

/* sti, then two instructions: the interrupt would have been taken after the first */
static const uint8_t code_sti_two_after[STACK_CODE_BYTES] = {
	0x48, 0x8b, 0x7d, 0x08, 0x48, 0x85, 0xff, 0x74, 0x01, 0xfb, 0x5b, 0x48, 0x83, 0xc4, 0x08,
	0x5d,
};

/* 0xfb inside an immediate (mov $0x...fb, %eax) followed by a one-byte instruction */
static const uint8_t code_fb_immediate[STACK_CODE_BYTES] = {
	0x48, 0x89, 0xe5, 0x48, 0x83, 0xec, 0x10, 0x90, 0xb8, 0x11, 0x22, 0x33, 0x44, 0xb9,
	0x01, 0xfb,
};

static void test_code_enables_irqs(void **state)
{
	(void)state;
	assert_true(stack_code_enables_irqs(code_sti));
	assert_true(stack_code_enables_irqs(code_sti_hlt));
	assert_false(stack_code_enables_irqs(code_no_sti));
	for (unsigned int i = 0; i < sizeof(code_sti_inline) / sizeof(code_sti_inline[0]); i++) {
		print_message("# inline sti sample %u\n", i);
		assert_true(stack_code_enables_irqs(code_sti_inline[i]));
	}
	assert_false(stack_code_enables_irqs(code_sti_two_after));
	assert_false(stack_code_enables_irqs(code_fb_immediate));
}

static void test_split_hard(void **state)
{
	struct stack_split sp;
	uint64_t user[] = { A(0x100010), A(0x100230), A(0x100420), A(0xe06) };
	uint64_t idle[] = { A(0x100010), A(0xe06), A(0x100c0b), A(0x100d05), A(0x100e10) };
	unsigned int n = sizeof(irqs_off_stack) / sizeof(irqs_off_stack[0]);

	(void)state;
	assert_int_equal(stack_split(&ks, irqs_off_stack, n, STACK_FROM_HARD_TIMER, code_sti, &sp),
			 0);
	assert_int_equal(sp.first, 6);
	assert_int_equal(sp.count, 3);
	assert_int_equal(sp.kind, STACK_IRQS_OFF);
	/* without the code, the stack alone decides */
	stack_split(&ks, irqs_off_stack, n, STACK_FROM_HARD_TIMER, NULL, &sp);
	assert_int_equal(sp.kind, STACK_IRQS_OFF);
	/* interrupts were on where it landed: not this code's fault */
	stack_split(&ks, irqs_off_stack, n, STACK_FROM_HARD_TIMER, code_no_sti, &sp);
	assert_int_equal(sp.kind, STACK_EXTERNAL);
	stack_split(&ks, user, 4, STACK_FROM_HARD_TIMER, NULL, &sp);
	assert_int_equal(sp.kind, STACK_USER);
	assert_int_equal(sp.count, 0);
	stack_split(&ks, idle, 5, STACK_FROM_HARD_TIMER, code_sti_hlt, &sp);
	assert_int_equal(sp.kind, STACK_IDLE);
	assert_int_equal(sp.first, 2);
	assert_string_equal(stack_kind_name(STACK_EXTERNAL), "external");
	assert_int_equal(stack_split(&ks, NULL, 3, STACK_FROM_HARD_TIMER, NULL, &sp), -EINVAL);
}

static void test_split_soft_and_ipi(void **state)
{
	struct stack_split sp;
	/* soft timer run when bottom halves came back on */
	uint64_t bh[] = { A(0x100010), A(0x100230), A(0x100f20), A(0x101030), A(0x101120),
			  A(0x101230), A(0x101310), A(0x100950) };
	uint64_t ksoftirqd[] = { A(0x100010), A(0x100230), A(0x100f20), A(0x101030),
				 A(0x102210), A(0x102310) };
	/* a long cross-CPU call: tracing, then the IPI path */
	uint64_t ipi[] = { A(0x100010), A(0x101420), A(0x101520), A(0xe16), A(0x100c0b) };

	(void)state;
	stack_split(&ks, bh, 8, STACK_FROM_SOFT_TIMER, NULL, &sp);
	assert_int_equal(sp.kind, STACK_BH_OFF);
	assert_int_equal(sp.first, 6); /* _raw_spin_unlock_bh <- some_driver_fn */
	/* run by ksoftirqd: it waited for that thread to be scheduled, BH was not held off */
	stack_split(&ks, ksoftirqd, 6, STACK_FROM_SOFT_TIMER, NULL, &sp);
	assert_int_equal(sp.kind, STACK_EXTERNAL);
	stack_split(&ks, ipi, 5, STACK_FROM_IPI_CALL, NULL, &sp);
	assert_int_equal(sp.kind, STACK_IRQS_OFF);
	assert_int_equal(sp.first, 1);
	assert_int_equal(sp.count, 3); /* up to the IPI entry: not what the IPI interrupted */
}

/* where a CPU asked to reschedule entered the scheduler (sched_entry_tp) */
static void test_split_resched(void **state)
{
	struct stack_split sp;
	/* back to user space from a system call: the system call kept the CPU */
	uint64_t sys[] = { A(0x100010), A(0x101830), A(0x101920), A(0x101b40), A(0x100b71),
			   A(0x101e76) };
	/* cond_resched in a kernel loop: the loop is the offender */
	uint64_t loop[] = { A(0x100010), A(0x101830), A(0x101a20), A(0x100944), A(0x100a10) };
	/* preempt_enable in an unlock: the unlock and its caller */
	uint64_t unlock[] = { A(0x100010), A(0x101830), A(0x101f20), A(0x100819), A(0x100944) };
	/* an interrupt returned to user mode: no kernel code held the CPU */
	uint64_t user[] = { A(0x100010), A(0x101830), A(0x101920), A(0x101b40), A(0x101c10),
			    A(0x100710), A(0xdf6) };
	/* an interrupt returned to kernel code: that code turned interrupts back on */
	uint64_t kernel[] = { A(0x100010), A(0x101830), A(0x100710), A(0xdf6), A(0x100819),
			      A(0x100944) };
	/* the program itself first, loaded after kallsyms was read: no symbol covers it */
	uint64_t unnamed[] = { 0xffffffffa0001234ull, A(0x100010), A(0x101830), A(0x101a20),
			       A(0x100944), A(0x100a10) };
	/* the idle task */
	uint64_t idle[] = { A(0x100010), A(0x101830), A(0x101d10), A(0x100e40) };
	/* a task that blocked: the caller of io_schedule */
	uint64_t block[] = { A(0x100010), A(0x101830), A(0x101920), A(0x102010), A(0x100944) };
	char buf[128];

	(void)state;
	stack_split(&ks, sys, 6, STACK_FROM_RESCHED, NULL, &sp);
	assert_int_equal(sp.kind, STACK_PREEMPT_OFF);
	assert_int_equal(sp.first, 4); /* do_syscall_64 <- entry_SYSCALL_64_after_hwframe */
	assert_int_equal(sp.count, 2);
	assert_int_equal(sp.syscall_abi, 0); /* x64: the collector puts the call in front */
	stack_split(&ks, loop, 5, STACK_FROM_RESCHED, NULL, &sp);
	assert_int_equal(sp.kind, STACK_PREEMPT_OFF);
	assert_int_equal(sp.first, 3);
	assert_int_equal(sp.syscall_abi, -1);
	assert_string_equal(stack_name(&ks, loop + sp.first, sp.count, sp.kind, buf, sizeof(buf)),
			    "some_driver_fn <- other_caller");
	stack_split(&ks, unnamed, 6, STACK_FROM_RESCHED, NULL, &sp);
	assert_int_equal(sp.kind, STACK_PREEMPT_OFF);
	assert_int_equal(sp.first, 4);
	stack_split(&ks, unlock, 5, STACK_FROM_RESCHED, NULL, &sp);
	assert_int_equal(sp.kind, STACK_PREEMPT_OFF);
	assert_int_equal(sp.first, 3);
	stack_split(&ks, user, 7, STACK_FROM_RESCHED, NULL, &sp);
	assert_int_equal(sp.kind, STACK_USER);
	assert_int_equal(sp.count, 0);
	stack_split(&ks, kernel, 6, STACK_FROM_RESCHED, NULL, &sp);
	assert_int_equal(sp.kind, STACK_IRQS_OFF);
	assert_int_equal(sp.first, 4);
	stack_split(&ks, idle, 4, STACK_FROM_RESCHED, NULL, &sp);
	assert_int_equal(sp.kind, STACK_IDLE);
	stack_split(&ks, block, 5, STACK_FROM_RESCHED, NULL, &sp);
	assert_int_equal(sp.kind, STACK_PREEMPT_OFF);
	assert_int_equal(sp.first, 4);
	assert_string_equal(stack_syscall_symbol(0, "read", buf, sizeof(buf)), "__x64_sys_read");
	assert_int_equal(ksyms_address(&ks, buf), A(0x102100));
	assert_string_equal(stack_syscall_symbol(1, "read", buf, sizeof(buf)), "__ia32_sys_read");
}

static void test_signature_and_name(void **state)
{
	/* same functions at other offsets: one offender */
	uint64_t a[] = { A(0x100819), A(0x100944), A(0x100b71) };
	uint64_t b[] = { A(0x100812), A(0x100960), A(0x100b10) };
	/* same innermost frame, another caller: another offender */
	uint64_t c[] = { A(0x100819), A(0x100a10), A(0x100b71) };
	char buf[128];

	(void)state;
	assert_true(stack_signature(&ks, a, 3, STACK_IRQS_OFF) ==
		    stack_signature(&ks, b, 3, STACK_IRQS_OFF));
	assert_true(stack_signature(&ks, a, 3, STACK_IRQS_OFF) !=
		    stack_signature(&ks, c, 3, STACK_IRQS_OFF));
	assert_true(stack_signature(&ks, a, 3, STACK_IRQS_OFF) !=
		    stack_signature(&ks, a, 3, STACK_BH_OFF));
	assert_true(stack_signature(&ks, a, 3, STACK_IRQS_OFF) !=
		    stack_signature(&ks, a, 2, STACK_IRQS_OFF));
	assert_true(stack_signature(&ks, NULL, 0, STACK_USER) != 0);
	assert_string_equal(stack_name(&ks, a, 3, STACK_IRQS_OFF, buf, sizeof(buf)),
			    "_raw_spin_unlock_irqrestore <- some_driver_fn");
	assert_string_equal(stack_name(&ks, a, 1, STACK_IRQS_OFF, buf, sizeof(buf)),
			    "_raw_spin_unlock_irqrestore");
	assert_string_equal(stack_name(&ks, NULL, 0, STACK_USER, buf, sizeof(buf)),
			    "(user mode)");
	assert_string_equal(stack_name(&ks, a + 1, 1, STACK_EXTERNAL, buf, sizeof(buf)),
			    "external: some_driver_fn");
	assert_true(stack_is_idle("pv_native_safe_halt"));
	assert_false(stack_is_idle("do_idle"));
	assert_true(stack_is_irq_entry("asm_sysvec_call_function_single"));
	assert_true(stack_is_tracing("bpf_prog_0123456789abcdef_crit_hrtimer_btf"));
}

/* the dense table: a padding symbol and its function share one name, module runs name
 * their symbols in any order of the file, and what is unsorted comes out sorted */
static void test_ksyms_dense(void **state)
{
	static const char sample[] = "ffffffffc0002000 t b_fn\t[modb]\n"
				     "ffffffff81000100 T __pfx_read\n"
				     "ffffffff81000110 T read\n"
				     "ffffffffc0001000 t __pfx_a_fn\t[moda]\n"
				     "ffffffffc0001010 t a_fn\t[moda]\n"
				     "ffffffff81000200 T __pfx_write\n"
				     "ffffffff81000210 T writev\n"
				     "ffffffffc0001100 t a_two\t[moda]\n";
	FILE *in = fmemopen((void *)sample, sizeof(sample) - 1, "r");
	struct ksyms k;
	uint64_t off = 1;
	const struct ksym *s;
	char buf[64];

	(void)state;
	assert_non_null(in);
	assert_int_equal(ksyms_load_stream(&k, in), 0);
	fclose(in);
	assert_int_equal(k.count, 8);
	for (size_t i = 1; i < k.count; i++)
		assert_true(k.syms[i - 1].addr <= k.syms[i].addr);
	s = ksyms_find(&k, 0xffffffff81000110ull, &off);
	assert_string_equal(s->name, "read");
	assert_int_equal(off, 0);
	assert_null(ksyms_module(&k, s));
	/* "read" is the tail of "__pfx_read": stored once */
	assert_ptr_equal(s->name, ksyms_find(&k, 0xffffffff81000100ull, NULL)->name + 6);
	assert_string_equal(ksyms_find(&k, 0xffffffff81000210ull, NULL)->name, "writev");
	assert_string_equal(ksyms_format(&k, 0xffffffff81000208ull, buf, sizeof(buf)),
			    "__pfx_write+0x8");
	assert_string_equal(ksyms_format(&k, 0xffffffffc0001014ull, buf, sizeof(buf)),
			    "a_fn+0x4 [moda]");
	assert_string_equal(ksyms_format(&k, 0xffffffffc0001000ull, buf, sizeof(buf)),
			    "__pfx_a_fn+0x0 [moda]");
	assert_string_equal(ksyms_format(&k, 0xffffffffc0001101ull, buf, sizeof(buf)),
			    "a_two+0x1 [moda]");
	assert_string_equal(ksyms_format(&k, 0xffffffffc0002000ull, buf, sizeof(buf)),
			    "b_fn+0x0 [modb]");
	assert_int_equal(ksyms_address(&k, "__pfx_read"), 0xffffffff81000100ull);
	assert_int_equal(ksyms_address(&k, "read"), 0xffffffff81000110ull);
	assert_int_equal(ksyms_address(&k, "a_fn"), 0xffffffffc0001010ull);
	assert_int_equal(ksyms_address(&k, "write"), 0);
	ksyms_free(&k);
}

/*
 * The kernel's table read ahead (ksyms_kernel_prefetch) is the table a get reads itself,
 * shared by the gets that follow; read ahead and claimed by no get, it is freed (the ASan
 * and valgrind runs see a leak otherwise). Needs /proc/kallsyms with addresses (root).
 */
static void test_kernel_prefetch(void **state)
{
	const struct ksyms *first, *second;
	struct ksyms own;
	int err;

	(void)state;
	if (ksyms_load(&own, "/proc/kallsyms") != 0) {
		print_message("# SKIP: /proc/kallsyms shows no addresses here (not root)\n");
		skip();
	}
	ksyms_kernel_prefetch();
	ksyms_kernel_prefetch(); /* already reading: nothing more */
	first = ksyms_kernel_get(&err);
	assert_int_equal(err, 0);
	assert_non_null(first);
	second = ksyms_kernel_get(&err);
	assert_ptr_equal(first, second);
	/* the same table (a module loaded meanwhile would change the count, not these) */
	assert_true(first->count > 1000);
	assert_int_equal(ksyms_address(first, "schedule"), ksyms_address(&own, "schedule"));
	assert_int_equal(ksyms_address(first, "do_exit"), ksyms_address(&own, "do_exit"));
	assert_true(ksyms_address(first, "schedule") != 0);
	ksyms_kernel_put();
	ksyms_kernel_put();
	ksyms_kernel_prefetch_release(); /* nothing read ahead now: nothing to do */
	/* read ahead, never claimed: given back */
	ksyms_kernel_prefetch();
	ksyms_kernel_prefetch_release();
	/* and a get after that reads for itself */
	first = ksyms_kernel_get(&err);
	assert_non_null(first);
	assert_int_equal(ksyms_address(first, "schedule"), ksyms_address(&own, "schedule"));
	ksyms_kernel_put();
	ksyms_free(&own);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_symbolize),
		cmocka_unit_test(test_code_enables_irqs),
		cmocka_unit_test(test_split_hard),
		cmocka_unit_test(test_split_resched),
		cmocka_unit_test(test_split_soft_and_ipi),
		cmocka_unit_test(test_signature_and_name),
		cmocka_unit_test(test_ksyms_dense),
		cmocka_unit_test(test_kernel_prefetch),
	};

	return cmocka_run_group_tests(tests, load_sample, free_sample);
}
