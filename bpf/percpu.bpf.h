/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bpf/percpu.bpf.h: this CPU's per-CPU area, for the objects that read a kernel per-CPU
 * variable (tasklets: the tasklet lists; irqs: irq_stat's NMI count).
 * No __ksym: a typed per-CPU ksym fails the whole object's load where the kernel's BTF
 * lacks per-CPU variables. User space reads the variables' offsets in .data..percpu from
 * BTF and sets them in rodata (percpu_offsets_probe(), collectors/bpf_util.h); this CPU's
 * base is &this_rq - off(runqueues), where this_rq comes from current->se.cfs_rq->rq,
 * checked to be this CPU's, found once per CPU.
 */
#ifndef KTOP_PERCPU_BPF_H
#define KTOP_PERCPU_BPF_H

#define KTOP_PERCPU_MAX_CPUS 1024 /* the base cache; a CPU beyond it has none (power of two) */

/* set by user space: the offset of runqueues, and whether it was found */
const volatile __u64 off_runqueues;
const volatile __u32 runqueues_known;

/* This CPU's per-CPU base, once found and checked */
__u64 cpu_base[KTOP_PERCPU_MAX_CPUS];

/* This CPU's per-CPU area, or 0 when it cannot be found (no offsets, odd context) */
static __always_inline __u64 this_cpu_base(void)
{
	__u32 cpu = bpf_get_smp_processor_id();
	struct task_struct *task;
	struct rq *rq;
	__u64 base;

	if (!runqueues_known || cpu >= KTOP_PERCPU_MAX_CPUS)
		return 0;
	base = cpu_base[cpu & (KTOP_PERCPU_MAX_CPUS - 1)];
	if (base)
		return base;
	task = (struct task_struct *)bpf_get_current_task();
	rq = BPF_CORE_READ(task, se.cfs_rq, rq);
	/* trust the runqueue only if it is this CPU's */
	if (!rq || BPF_CORE_READ(rq, cpu) != (int)cpu)
		return 0;
	base = (__u64)rq - off_runqueues;
	cpu_base[cpu & (KTOP_PERCPU_MAX_CPUS - 1)] = base;
	return base;
}

#endif
