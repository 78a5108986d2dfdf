// SPDX-License-Identifier: GPL-2.0
/*
 * core/container_select.c: the container (or whole Kubernetes pod) the user selected,
 * which every pane is filtered by.
 *
 * The selection is a query, resolved again in each new container set: one whose container
 * stopped stays selected, and lets nothing through until something it names runs again.
 * Its cgroup ids go to the filter hook (the containers collector's BPF map) only when they
 * change, and every frame is stamped with what was selected and in which state.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "containers_internal.h"
#include "frame.h"
#include "intern.h"

static container_filter_hook filter_hook;
static struct container pod_selection; /* a whole pod, when one is selected */
static unsigned int pod_members;
static char *selected_query;
static const struct container *selected;
static const char *selected_name; /* the name it had when last seen */
static bool selected_ever_ran;
static uint64_t *applied_ids;
static size_t napplied;
static uint32_t applied_mode = CONTAINER_KIND_NONE;
static bool applied_valid;

void containers_set_filter_hook(container_filter_hook hook)
{
	size_t n;

	filter_hook = hook;
	applied_valid = false;
	if (hook && containers_list(&n)) /* after the first refresh */
		container_select_apply();
}

bool containers_have_filter(void)
{
	return filter_hook != NULL;
}

static bool pod_matches(const struct container *c, const char *q)
{
	size_t ns;

	if (!c->pod_uid)
		return false;
	if (strcmp(c->pod_uid, q) == 0)
		return true;
	if (!c->k8s || !c->k8s[0][0] || !c->k8s[1][0])
		return false;
	ns = strlen(c->k8s[0]);
	return strncmp(q, c->k8s[0], ns) == 0 && q[ns] == '/' && strcmp(q + ns + 1, c->k8s[1]) == 0;
}

/* A whole pod: every container with the pod's UID (its sandbox too), as one selection */
static const struct container *resolve_pod(const char *q)
{
	size_t n;
	const struct container *list = containers_list(&n), *first = NULL;
	struct container_path_info info;

	for (size_t i = 1; i < n && !first; i++)
		if (pod_matches(&list[i], q))
			first = &list[i];
	if (!first)
		return NULL;
	pod_selection.nids = 0;
	pod_selection.nprocs = 0;
	pod_members = 0;
	for (size_t i = 1; i < n; i++) {
		if (list[i].pod_uid != first->pod_uid || list[i].kind != first->kind)
			continue; /* interned: the same UID is the same pointer */
		pod_members++;
		pod_selection.nprocs += list[i].nprocs;
		for (size_t j = 0; j < list[i].nids; j++)
			if (container_add_id(&pod_selection, list[i].ids[j]) < 0)
				return NULL;
	}
	pod_selection.key = first->key;
	pod_selection.runtime = first->runtime;
	pod_selection.kind = first->kind;
	pod_selection.id = first->pod_uid;
	pod_selection.pod_uid = first->pod_uid;
	pod_selection.qos = first->qos;
	pod_selection.k8s = first->k8s;
	pod_selection.pid = first->pid;
	if (first->k8s && first->k8s[0][0] && first->k8s[1][0]) {
		char name[2 * K8S_NAME_MAX];

		snprintf(name, sizeof(name), "%s/%s", first->k8s[0], first->k8s[1]);
		pod_selection.name = intern(name);
	} else {
		pod_selection.name = first->pod_uid;
	}
	pod_selection.path = container_parse_path(first->path, &info) && info.pod_len
				     ? intern_n(first->path, info.pod_len) : first->path;
	return &pod_selection;
}

static const struct container *resolve(const char *q)
{
	size_t n, qlen = strlen(q);
	const struct container *list = containers_list(&n), *pod;

	for (size_t i = 1; i < n; i++)
		if (strcmp(list[i].name, q) == 0 || strcmp(list[i].id, q) == 0)
			return &list[i];
	for (size_t i = 1; i < n; i++)
		if (strcmp(list[i].path, q) == 0)
			return &list[i];
	if ((pod = resolve_pod(q)))
		return pod;
	for (size_t i = 1; i < n && qlen >= 3; i++)
		if (strncmp(list[i].id, q, qlen) == 0)
			return &list[i];
	return NULL;
}

static bool same_ids(uint32_t mode, const uint64_t *ids, size_t nids)
{
	return applied_valid && mode == applied_mode && nids == napplied &&
	       (nids == 0 || memcmp(ids, applied_ids, nids * sizeof(*ids)) == 0);
}

int container_select_apply(void)
{
	const uint64_t *ids = NULL;
	uint32_t mode = CONTAINER_KIND_NONE;
	size_t nids = 0;
	uint64_t *copy;
	int err;

	selected = selected_query ? resolve(selected_query) : NULL;
	if (selected) {
		selected_ever_ran = true;
		selected_name = selected->name;
	}
	if (selected_query) {
		mode = selected ? selected->kind : containers_identity();
		ids = selected ? selected->ids : NULL;
		nids = selected ? selected->nids : 0;
	}
	if (!filter_hook || same_ids(mode, ids, nids))
		return 0;
	copy = malloc((nids ? nids : 1) * sizeof(*copy));
	if (!copy)
		return -ENOMEM;
	if (nids)
		memcpy(copy, ids, nids * sizeof(*ids));
	err = filter_hook(mode, ids, nids);
	free(applied_ids);
	applied_ids = copy;
	napplied = nids;
	applied_mode = mode;
	applied_valid = err == 0;
	return err;
}

void container_select_exit(void)
{
	free(pod_selection.ids);
	pod_selection = (struct container){ 0 };
	free(selected_query);
	selected_query = NULL;
	free(applied_ids);
	applied_ids = NULL;
	napplied = 0;
	applied_valid = false;
	selected = NULL;
	filter_hook = NULL;
}

int containers_select(const char *query)
{
	int err;

	free(selected_query);
	selected_query = query && *query ? strdup(query) : NULL;
	selected_ever_ran = false;
	selected_name = NULL;
	err = container_select_apply();
	if (err)
		return err;
	return selected_query && !selected ? -ENOENT : 0;
}

const char *containers_selected_query(void)
{
	return selected_query;
}

const struct container *containers_selected(void)
{
	return selected;
}

const char *containers_selected_name(void)
{
	if (!selected_query)
		return NULL;
	return selected ? selected->name : selected_name ? selected_name : selected_query;
}

const char *containers_selection_state(void)
{
	if (!selected_query)
		return "all";
	return selected ? "running" : selected_ever_ran ? "stopped" : "not found";
}

const char *containers_selection_text(char *buf, size_t len)
{
	if (!selected_query)
		snprintf(buf, len, "all containers");
	else if (selected == &pod_selection)
		snprintf(buf, len, "pod %s (%u container%s, %s %.8s)", selected->name, pod_members,
			 pod_members == 1 ? "" : "s", container_runtime_names[selected->runtime],
			 selected->pod_uid);
	else if (selected)
		snprintf(buf, len, "container %s (%s %.12s)", selected->name,
			 container_runtime_names[selected->runtime], selected->id);
	else
		snprintf(buf, len, "container %s: %s", selected_name ? selected_name : selected_query,
			 selected_ever_ran ? "stopped" : "not found");
	return buf;
}

void containers_stamp_frame(struct frame *f)
{
	char text[256];

	f->container = selected_query ? intern(containers_selected_name()) : NULL;
	f->container_state = intern(containers_selection_state());
	f->container_text = intern(containers_selection_text(text, sizeof(text)));
}
