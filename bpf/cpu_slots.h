/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bpf/cpu_slots.h: the key of a statistic kept per (slot, CPU) in a plain hash.
 *
 * A per-CPU array holds a value for every *possible* CPU, and user space can only copy a
 * key's values for all of them at once: at 128 possible CPUs a tick that reads a 336-byte
 * softirq vector copies 43 KB, even when two CPUs did the work. A hash keyed by (slot, CPU)
 * holds an entry only for the CPUs that ran the slot, so memory and each tick's read follow
 * the CPUs in use. Each entry is written by its own CPU only, so plain adds stay exact.
 * collectors/cpu_slots.c reads such a hash back into the per-CPU layout of a per-CPU array.
 */
#ifndef KTOP_BPF_CPU_SLOTS_H
#define KTOP_BPF_CPU_SLOTS_H

#define CPU_SLOT_SHIFT 16 /* the slot above the CPU: slots stay in key order */
#define CPU_SLOT_MAX_CPU ((1u << CPU_SLOT_SHIFT) - 1)
#define CPU_SLOT_KEY(slot, cpu) ((__u32)(slot) << CPU_SLOT_SHIFT | (__u32)(cpu))
#define CPU_SLOT_OF(key) ((__u32)(key) >> CPU_SLOT_SHIFT)
#define CPU_SLOT_CPU(key) ((__u32)(key) & CPU_SLOT_MAX_CPU)

#endif
