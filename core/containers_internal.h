/* SPDX-License-Identifier: GPL-2.0 */
/*
 * core/containers_internal.h: what the files behind core/containers.h ask of each other.
 * Only core/containers.c, core/container_names.c and core/container_select.c include it;
 * everyone else uses core/containers.h.
 *
 *   containers.c        the cgroup hierarchies, the walk, the container set and lookups
 *   container_names.c   the host's namespaces, and the names of the containers found
 *   container_select.c  the user's selection, and the filter hook it is handed to
 *   container_path.c    cgroup paths and Kubernetes texts (pure; containers.h has its API)
 */
#ifndef KTOP_CORE_CONTAINERS_INTERNAL_H
#define KTOP_CORE_CONTAINERS_INTERNAL_H

#include "containers.h"

/* containers.c */
/* KTOP_HOST_ROOT as containers_init found it: where the host's files are ("" for /) */
const char *containers_host_root(void);
/* Append cgroup id to c->ids; 0 or -ENOMEM */
int container_add_id(struct container *c, uint64_t id);

/* container_names.c */
/* Read the host's namespaces, which the two functions below compare with; 0 or -errno */
int container_names_init(void);
/* Whether pid runs in a UTS or pid namespace other than the host's */
bool container_in_own_namespaces(uint32_t pid);
/* Name list[0..count) (not the host) from the cache, or read their names again */
void container_names_assign(struct container *list, size_t count);
/* After a refresh: drop the cached names of containers it did not find */
void container_names_forget_gone(void);
void container_names_exit(void);

/* container_select.c */
/* Resolve the selection in the new container set, and hand its ids to the filter hook
 * when they changed; 0 or the hook's error (or -ENOMEM) */
int container_select_apply(void);
/* Forget the selection and the hook */
void container_select_exit(void);

#endif
