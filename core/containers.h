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
#define POD_UID_MAX 40 /* 36 for the canonical UUID form */

/* Kubernetes QoS class of a pod, from its cgroup path (none: not under kubepods) */
enum pod_qos { POD_QOS_NONE, POD_QOS_GUARANTEED, POD_QOS_BURSTABLE, POD_QOS_BESTEFFORT };

/* "", "guaranteed", "burstable", "besteffort" */
extern const char *const pod_qos_names[];

/* What a cgroup path says about the container it belongs to */
struct container_path_info {
	enum container_runtime runtime;
	char id[CONTAINER_ID_MAX]; /* the runtime's id (hex), or the machine/LXC name */
	size_t root_len;	   /* path[0..root_len) is the container's own cgroup */
	/* under kubepods: the pod's UID with dashes ("" when not a pod), its QoS class, and
	 * path[0..pod_len) is the pod's cgroup */
	char pod_uid[POD_UID_MAX];
	enum pod_qos qos;
	size_t pod_len;
};

/* Find the outermost runtime layout in a cgroup path ("/system.slice/docker-<id>.scope",
 * "/kubepods/burstable/pod<uid>/<id>", "/lxc.payload.web", "/machine.slice/machine-a\x2db
 * .scope", ...). Returns true and fills info when one matches; plain cgroups do not. */
bool container_parse_path(const char *path, struct container_path_info *info);
/* "machine-a\x2db.scope" style unescaping: \xHH becomes the byte; returns out */
char *container_unescape(const char *in, size_t len, char *out, size_t size);

/* A container's Kubernetes names; an empty string is a name not known */
#define K8S_NAME_MAX 254 /* a DNS subdomain (pod names) is at most 253 bytes */
struct k8s_names {
	char namespace_[K8S_NAME_MAX], pod[K8S_NAME_MAX], container[K8S_NAME_MAX];
	char pod_uid[POD_UID_MAX];
};

/* The Kubernetes names in an OCI runtime config.json or a Docker config.v2.json (the
 * annotations or labels containerd, CRI-O and cri-dockerd write): any bytes, truncated or
 * not JSON at all; values that are not valid Kubernetes names are ignored. True when a
 * pod name and namespace were found. */
bool container_parse_k8s_json(const char *json, size_t len, struct k8s_names *out);
/* "<pod>_<namespace>_<container>-<id>.log", the kubelet's /var/log/containers/ link to a
 * container's log: true when it is id's and the three names are valid */
bool container_parse_k8s_log_name(const char *file, const char *id, struct k8s_names *out);

struct container {
	uint64_t key;  /* cgroup id of its directory; 0 for the host */
	enum container_runtime runtime;
	enum container_id_kind kind; /* the hierarchy its ids come from */
	const char *id;   /* interned: runtime id, or the cgroup path of a plain cgroup */
	const char *name; /* interned: metadata name, UTS hostname, or short id */
	const char *path; /* interned: cgroup path in its hierarchy */
	/* Kubernetes, interned: {namespace, pod, container, pod uid} ("" when not known), or
	 * NULL when not a pod's container; the array lives as long as ktop (rows point at it) */
	const char *const *k8s;
	const char *pod_uid; /* interned, from the cgroup path; NULL when not a pod's */
	enum pod_qos qos;
	unsigned int nprocs;
	uint32_t pid;  /* a member process, 0 when none was seen */
	uint64_t *ids; /* cgroup ids of its subtree, itself first */
	size_t nids, ids_capacity;
};

#define K8S_STRINGS 4 /* entries of container.k8s */

/* Find the cgroup hierarchies; 0 or -errno (-ENOENT: no cgroup filesystem).
 * KTOP_HOST_ROOT=DIR in the environment: the host's files are under DIR (a DaemonSet
 * mounts them at /host): runtime metadata is read from DIR/run/containerd/..., and a
 * cgroup hierarchy mounted under DIR is preferred to the one at /sys/fs/cgroup */
int containers_init(void);
/* For tests and benchmarks: walk the cgroup2-style tree at dir (any directory tree; the
 * directories' inodes are the ids) instead of the mounted hierarchies */
int containers_init_at(const char *dir);
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

/* Select by name, id, id prefix or cgroup path, or a whole Kubernetes pod by
 * "NAMESPACE/POD" or its UID (NULL or "" = the whole machine). A query
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
