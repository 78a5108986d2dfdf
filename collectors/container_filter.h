/* SPDX-License-Identifier: GPL-2.0 */
/*
 * collectors/container_filter.h: the container filter maps every skeleton shares.
 *
 * The maps are created on first use; a collector whose BPF object includes
 * bpf/container_filter.bpf.h calls container_filter_reuse() between open and load.
 * Selecting a container rewrites the id set and flips the mode: no program reloads.
 */
#ifndef KTOP_COLLECTORS_CONTAINER_FILTER_H
#define KTOP_COLLECTORS_CONTAINER_FILTER_H

#include <stddef.h>
#include <stdint.h>

#include <bpf/libbpf.h>

/* Point obj's filter maps (those it declares) at the shared ones; 0 or -errno */
int container_filter_reuse(struct bpf_object *obj);
/* Let only tasks whose cgroup id (kind: CONTAINER_ID_*) is in ids through, or everyone
 * when mode is CONTAINER_ID_NONE. 0 or -errno */
int container_filter_set(uint32_t mode, const uint64_t *ids, size_t nids);
/* Which cgroup id interrupt time is charged to (CONTAINER_ID_*) */
int container_filter_set_identity(uint32_t identity);
/* The fd of the id set (cgroup id -> 1): what the programs test, or -errno */
int container_filter_ids_fd(void);
/* The fd of the per-CPU map cgroup id -> charged ns, or -errno */
int container_filter_charge_fd(void);
/* The three shared maps (config, ids, charged ns) for an object loaded elsewhere (the
 * privileged helper); 0, or -errno when they do not exist and cannot be made now */
int container_filter_map_fds(int fds[3]);
void container_filter_release(void);

#endif
