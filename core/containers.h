/* SPDX-License-Identifier: GPL-2.0 */
/*
 * core/containers.h: which containers run on this host, and which one is selected.
 *
 * Containers are found from the kernel's own facts, with no runtime daemon: the cgroup
 * tree (the v1 memory hierarchy where it is mounted, else cgroup2; on hybrid hosts the
 * cgroup2 tree too), the runtimes' path layouts, and the namespaces of member processes.
 * A container is keyed by the cgroup id (= inode) of its directory; its filter ids are the
 * ids of every cgroup in its subtree. Selecting one hands those ids to the filter hook
 * (the shared BPF filter map, set by the containers collector).
 */
#ifndef KTOP_CORE_CONTAINERS_H
#define KTOP_CORE_CONTAINERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Which cgroup id names a task's container (same values as bpf/container_filter.h) */
enum container_id_kind {
	CONTAINER_KIND_NONE = 0,
	CONTAINER_KIND_V2 = 1,
	CONTAINER_KIND_V1_MEMORY = 2,
};

enum container_runtime {
	RUNTIME_HOST,
	RUNTIME_DOCKER,
	RUNTIME_CONTAINERD, /* containerd, and Kubernetes pods on the cgroupfs driver */
	RUNTIME_CRIO,
	RUNTIME_PODMAN,
	RUNTIME_LXC,
	RUNTIME_NSPAWN, /* systemd-nspawn and other systemd machines */
	RUNTIME_CGROUP, /* a plain cgroup whose tasks live in their own namespaces */
	RUNTIME_COUNT,
};

/* "host", "docker", ... indexed by enum container_runtime, NULL-terminated */
extern const char *const container_runtime_names[];

#define CONTAINER_ID_MAX 128

/* What a cgroup path says about the container it belongs to */
struct container_path_info {
	enum container_runtime runtime;
	char id[CONTAINER_ID_MAX]; /* the runtime's id (hex), or the machine/LXC name */
	size_t root_len;	   /* path[0..root_len) is the container's own cgroup */
};

/* Find the outermost runtime layout in a cgroup path ("/system.slice/docker-<id>.scope",
 * "/kubepods/burstable/pod<uid>/<id>", "/lxc.payload.web", "/machine.slice/machine-a\x2db
 * .scope", ...). Returns true and fills info when one matches; plain cgroups do not. */
bool container_parse_path(const char *path, struct container_path_info *info);
/* "machine-a\x2db.scope" style unescaping: \xHH becomes the byte; returns out */
char *container_unescape(const char *in, size_t len, char *out, size_t size);

struct container {
	uint64_t key;  /* cgroup id of its directory; 0 for the host */
	enum container_runtime runtime;
	enum container_id_kind kind; /* the hierarchy its ids come from */
	const char *id;   /* interned: runtime id, or the cgroup path of a plain cgroup */
	const char *name; /* interned: metadata name, UTS hostname, or short id */
	const char *path; /* interned: cgroup path in its hierarchy */
	unsigned int nprocs;
	uint32_t pid;  /* a member process, 0 when none was seen */
	uint64_t *ids; /* cgroup ids of its subtree, itself first */
	size_t nids, ids_capacity;
};

/* Find the cgroup hierarchies; 0 or -errno (-ENOENT: no cgroup filesystem) */
int containers_init(void);
void containers_exit(void);
/* The hierarchy whose ids the kernel side charges work to */
enum container_id_kind containers_identity(void);
/* Walk the cgroup trees again (once per tick). 0 or -errno */
int containers_refresh(void);
/* The containers found by the last refresh; [0] is the host */
const struct container *containers_list(size_t *count);
const struct container *containers_by_key(uint64_t key);
/* The container whose subtree holds cgroup id `id` (in the identity hierarchy), or the host */
const struct container *containers_of_cgroup(uint64_t id);
/* The container pid runs in (cached for a few seconds), or the host */
const struct container *containers_of_pid(uint32_t pid);

/* Called with the ids to let through whenever the selection's id set changes; mode
 * CONTAINER_KIND_NONE means everything passes */
typedef int (*container_filter_hook)(uint32_t mode, const uint64_t *ids, size_t nids);
void containers_set_filter_hook(container_filter_hook hook);
bool containers_have_filter(void);

/* Select by name, id, id prefix or cgroup path (NULL or "" = the whole machine). A query
 * that matches nothing now stays selected, lets nothing through, and is matched again at
 * every refresh. Returns 0, or -ENOENT when nothing matches yet, or the hook's error */
int containers_select(const char *query);
const char *containers_selected_query(void);
/* The selected container as of the last refresh, or NULL (none selected, or not running) */
const struct container *containers_selected(void);
/* The selected container's name, else what was asked for; NULL when none is selected */
const char *containers_selected_name(void);
/* "all", "running", "stopped" (it ran, then went away) or "not found" (never seen) */
const char *containers_selection_state(void);
/* Stamp frame f with the selection it is made with (name, state and header text, interned):
 * every sink shows the selection from the frame, so a replay shows what live showed */
struct frame;
void containers_stamp_frame(struct frame *f);

/* One line for headers: "all containers", "container web (docker 1a2b3c4d5e6f)",
 * "container web: stopped", "container x: not found" */
const char *containers_selection_text(char *buf, size_t len);

#endif
