// SPDX-License-Identifier: GPL-2.0
/*
 * core/containers.c: container discovery from cgroup trees and namespaces, and the lookups
 * of a process's or a cgroup's container. Names are container_names.c's, the selection
 * container_select.c's, the parsing of paths container_path.c's.
 *
 * Each refresh walks the identity hierarchy (v1 memory where mounted, else cgroup2) and,
 * on hybrid hosts, cgroup2 as well. A directory is a container when its path matches a
 * runtime layout (container_parse_path) or, for plain cgroups, when one of its tasks runs
 * in a UTS or pid namespace other than the host's. The walk does not look for containers
 * below a container: its whole subtree belongs to it (Kubernetes pod/container, podman's
 * ".../container" child, systemd inside a container).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>

#include "containers_internal.h"
#include "hash_index.h"
#include "intern.h"
#include "proc.h"

#define WALK_MAX_DEPTH 16
#define PID_CACHE_SLOTS 4096 /* direct-mapped pid -> cgroup paths */
#define PID_REFRESH_S 3	    /* a task moves into its container's cgroup once, early */

struct hierarchy {
	char root[256];
	bool present;
};

/* The containers one refresh found, and indexes into items (rebuilt with every refresh) */
struct container_set {
	struct container *items;
	size_t count, capacity;
	struct hash_index by_id;   /* every cgroup id of identity-kind containers */
	struct hash_index by_key;  /* container key */
	struct hash_index by_path; /* hash of (kind, path) */
	struct hash_index by_name; /* hash of (runtime, id): one container per runtime id */
};

struct pid_entry {
	uint32_t pid;
	time_t read_at;
	const char *v1_path, *v2_path;
};

static struct hierarchy v1_memory, v2;
static enum container_id_kind identity;
static struct container_set sets[2];
static unsigned int current_set;
static bool refreshed;
static struct pid_entry *pid_cache;
static char host_root[256];	/* KTOP_HOST_ROOT: where the host's files are */

/* ---- hierarchies ---- */

static bool has_option(const char *opts, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = opts; p && *p;) {
		size_t len = strcspn(p, ",");

		if (len == n && memcmp(p, name, n) == 0)
			return true;
		p += len;
		if (*p == ',')
			p++;
	}
	return false;
}

/* The namespaces of the host, for telling plain cgroups' tasks apart; and the pid cache */
static int host_namespaces(void)
{
	int err = container_names_init();

	if (err)
		return err;
	if (!pid_cache)
		pid_cache = calloc(PID_CACHE_SLOTS, sizeof(*pid_cache));
	return pid_cache ? 0 : -ENOMEM;
}

/* Under KTOP_HOST_ROOT, the host's mount is the one to walk (a pod sees its own cgroup
 * namespace at /sys/fs/cgroup, and the host's where it was mounted) */
static bool better_mount(const struct hierarchy *have, const char *mnt)
{
	size_t n = strlen(host_root);

	if (!have->present)
		return true;
	return n && strncmp(mnt, host_root, n) == 0 && (mnt[n] == '/' || mnt[n] == '\0') &&
	       strncmp(have->root, host_root, n) != 0;
}

int containers_init(void)
{
	char line[1024], mnt[256], fstype[64], opts[512];
	const char *env = getenv("KTOP_HOST_ROOT");
	FILE *f;

	if (identity != CONTAINER_KIND_NONE && pid_cache)
		return 0; /* already found */
	/* "/" and "" are the host itself; a trailing slash is dropped */
	snprintf(host_root, sizeof(host_root), "%s", env ? env : "");
	while (host_root[0] && host_root[strlen(host_root) - 1] == '/')
		host_root[strlen(host_root) - 1] = '\0';
	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return -errno;
	v1_memory.present = v2.present = false;
	while (fgets(line, sizeof(line), f)) {
		char *dash = strstr(line, " - ");

		if (!dash || sscanf(line, "%*s %*s %*s %*s %255s", mnt) != 1 ||
		    sscanf(dash + 3, "%63s %*s %511s", fstype, opts) != 2)
			continue;
		if (strcmp(fstype, "cgroup2") == 0 && better_mount(&v2, mnt)) {
			snprintf(v2.root, sizeof(v2.root), "%s", mnt);
			v2.present = true;
		} else if (strcmp(fstype, "cgroup") == 0 && has_option(opts, "memory") &&
			   better_mount(&v1_memory, mnt)) {
			snprintf(v1_memory.root, sizeof(v1_memory.root), "%s", mnt);
			v1_memory.present = true;
		}
	}
	fclose(f);
	identity = v1_memory.present ? CONTAINER_KIND_V1_MEMORY
		   : v2.present	     ? CONTAINER_KIND_V2
				     : CONTAINER_KIND_NONE;
	if (identity == CONTAINER_KIND_NONE)
		return -ENOENT;
	return host_namespaces();
}

int containers_init_at(const char *dir)
{
	const char *env = getenv("KTOP_HOST_ROOT");

	snprintf(host_root, sizeof(host_root), "%s", env ? env : "");
	snprintf(v2.root, sizeof(v2.root), "%s", dir);
	while (v2.root[0] && v2.root[strlen(v2.root) - 1] == '/')
		v2.root[strlen(v2.root) - 1] = '\0';
	v2.present = true;
	v1_memory.present = false;
	identity = CONTAINER_KIND_V2;
	return host_namespaces();
}

enum container_id_kind containers_identity(void)
{
	return identity;
}

const char *containers_host_root(void)
{
	return host_root;
}

static void set_clear(struct container_set *s)
{
	for (size_t i = 0; i < s->count; i++)
		free(s->items[i].ids);
	s->count = 0;
	hash_index_clear(&s->by_id);
	hash_index_clear(&s->by_key);
	hash_index_clear(&s->by_path);
	hash_index_clear(&s->by_name);
}

void containers_exit(void)
{
	for (int i = 0; i < 2; i++) {
		set_clear(&sets[i]);
		free(sets[i].items);
		hash_index_free(&sets[i].by_id);
		hash_index_free(&sets[i].by_key);
		hash_index_free(&sets[i].by_path);
		hash_index_free(&sets[i].by_name);
		sets[i] = (struct container_set){ 0 };
	}
	free(pid_cache);
	pid_cache = NULL;
	container_names_exit();
	container_select_exit();
	refreshed = false;
	identity = CONTAINER_KIND_NONE;
}

/* ---- the walk ---- */

struct procs {
	unsigned int count;
	uint32_t first[4];
};

static void read_procs(const char *dir, struct procs *p)
{
	char path[4500], line[32];
	FILE *f;

	p->count = 0;
	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (p->count < 4)
			p->first[p->count] = (uint32_t)strtoul(line, NULL, 10);
		p->count++;
	}
	fclose(f);
}

int container_add_id(struct container *c, uint64_t id)
{
	if (c->nids == c->ids_capacity) {
		size_t cap = c->ids_capacity ? c->ids_capacity * 2 : 8;
		uint64_t *ids = realloc(c->ids, cap * sizeof(*ids));

		if (!ids)
			return -ENOMEM;
		c->ids = ids;
		c->ids_capacity = cap;
	}
	c->ids[c->nids++] = id;
	return 0;
}

static struct container *set_add(struct container_set *s)
{
	if (s->count == s->capacity) {
		size_t cap = s->capacity ? s->capacity * 2 : 16;
		struct container *items = realloc(s->items, cap * sizeof(*items));

		if (!items)
			return NULL;
		s->items = items;
		s->capacity = cap;
	}
	s->items[s->count] = (struct container){ 0 };
	return &s->items[s->count++];
}

static uint64_t name_hash(enum container_runtime rt, const char *id)
{
	return hash_text((uint64_t)rt * 0x9e3779b97f4a7c15ULL, id);
}

static bool set_has(const struct container_set *s, enum container_runtime rt, const char *id)
{
	size_t slot = SIZE_MAX;
	uint32_t at;

	while (hash_index_next(&s->by_name, name_hash(rt, id), &slot, &at))
		if (s->items[at].runtime == rt && strcmp(s->items[at].id, id) == 0)
			return true;
	return false;
}

struct walk {
	const struct hierarchy *h;
	enum container_id_kind kind;
	struct container_set *set;
	bool count_host; /* processes outside containers go to the host row */
};

/* Walk dir (a path relative to the hierarchy root, "" for the root itself); owner is the
 * index of the container it belongs to, or 0 when it belongs to none yet */
static void walk_dir(struct walk *w, const char *rel, size_t owner, int depth)
{
	char dir[4400], child_rel[4096];
	struct dirent *e;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s%s", w->h->root, rel);
	d = opendir(dir);
	if (!d)
		return;
	while ((e = readdir(d))) {
		struct container_path_info info;
		struct procs procs;
		struct stat st;
		size_t here = owner;
		char child[4400];

		if (e->d_type != DT_DIR || e->d_name[0] == '.')
			continue;
		if (snprintf(child_rel, sizeof(child_rel), "%s/%s", rel, e->d_name) >=
		    (int)sizeof(child_rel))
			continue;
		snprintf(child, sizeof(child), "%s%s", w->h->root, child_rel);
		if (stat(child, &st) != 0)
			continue;
		read_procs(child, &procs);
		if (!owner) {
			bool layout = container_parse_path(child_rel, &info) &&
				      info.root_len == strlen(child_rel);
			bool plain = !layout && procs.count > 0;

			if (plain) {
				plain = false;
				for (unsigned int i = 0; i < procs.count && i < 4 && !plain; i++)
					plain = container_in_own_namespaces(procs.first[i]);
			}
			if (layout || plain) {
				enum container_runtime rt = layout ? info.runtime : RUNTIME_CGROUP;
				const char *id = layout ? info.id : child_rel;
				struct container *c;

				if (set_has(w->set, rt, id))
					continue;
				c = set_add(w->set);
				if (!c)
					continue;
				c->key = st.st_ino;
				c->runtime = rt;
				c->kind = w->kind;
				c->id = intern(id);
				c->path = intern(child_rel);
				if (layout && info.pod_uid[0]) {
					c->pod_uid = intern(info.pod_uid);
					c->qos = info.qos;
				}
				here = (size_t)(c - w->set->items);
				hash_index_put(&w->set->by_name, name_hash(rt, c->id), (uint32_t)here);
			}
		}
		if (here) {
			struct container *c = &w->set->items[here];

			container_add_id(c, st.st_ino);
			c->nprocs += procs.count;
			if (procs.count && !c->pid)
				c->pid = procs.first[0];
		} else if (w->count_host) {
			w->set->items[0].nprocs += procs.count;
		}
		if (depth < WALK_MAX_DEPTH)
			walk_dir(w, child_rel, here, depth + 1);
	}
	closedir(d);
}

static int cmp_container(const void *a, const void *b)
{
	const struct container *x = a, *y = b;

	return strcmp(x->path, y->path);
}

static uint64_t path_hash_tag(enum container_id_kind kind)
{
	return (uint64_t)kind * 0xc2b2ae3d27d4eb4fULL;
}

/* After the sort: cgroup id, key and path -> item, for lookups per process and per row */
static int set_index(struct container_set *s)
{
	int err = 0;

	hash_index_clear(&s->by_id);
	hash_index_clear(&s->by_key);
	hash_index_clear(&s->by_path);
	for (size_t i = 0; i < s->count; i++) {
		const struct container *c = &s->items[i];

		err |= hash_index_put(&s->by_key, hash_mix(c->key), (uint32_t)i);
		if (i == 0)
			continue;
		err |= hash_index_put(&s->by_path, hash_text(path_hash_tag(c->kind), c->path),
				      (uint32_t)i);
		for (size_t j = 0; c->kind == identity && j < c->nids; j++)
			err |= hash_index_put(&s->by_id, hash_mix(c->ids[j]), (uint32_t)i);
	}
	return err ? -ENOMEM : 0;
}

int containers_refresh(void)
{
	struct container_set *s = &sets[current_set ^ 1];
	struct container *host;
	struct procs procs;
	char host_name[65] = "host";
	struct utsname u;
	int err;

	if (identity == CONTAINER_KIND_NONE)
		return -ENOENT;
	set_clear(s);
	host = set_add(s);
	if (!host)
		return -ENOMEM;
	if (uname(&u) == 0)
		snprintf(host_name, sizeof(host_name), "%s", u.nodename);
	host->runtime = RUNTIME_HOST;
	host->kind = identity;
	host->id = intern("-");
	host->name = intern(host_name);
	host->path = intern("/");
	{
		struct walk w = { identity == CONTAINER_KIND_V1_MEMORY ? &v1_memory : &v2, identity,
				  s, true };

		read_procs(w.h->root, &procs);
		host->nprocs = procs.count;
		walk_dir(&w, "", 0, 0);
	}
	if (identity == CONTAINER_KIND_V1_MEMORY && v2.present) {
		struct walk w = { &v2, CONTAINER_KIND_V2, s, false };

		walk_dir(&w, "", 0, 0);
	}
	container_names_assign(s->items + 1, s->count - 1);
	if (s->count > 2)
		qsort(s->items + 1, s->count - 1, sizeof(*s->items), cmp_container);
	err = set_index(s);
	if (err)
		return err;
	current_set ^= 1;
	refreshed = true;
	container_names_forget_gone();
	return container_select_apply();
}

/* ---- lookups ---- */

const struct container *containers_list(size_t *count)
{
	const struct container_set *s = &sets[current_set];

	*count = refreshed ? s->count : 0;
	return refreshed ? s->items : NULL;
}

const struct container *containers_by_key(uint64_t key)
{
	const struct container_set *s = &sets[current_set];
	size_t slot = SIZE_MAX;
	uint32_t at;

	if (!refreshed)
		return NULL;
	while (hash_index_next(&s->by_key, hash_mix(key), &slot, &at))
		if (s->items[at].key == key)
			return &s->items[at];
	return NULL;
}

const struct container *containers_of_cgroup(uint64_t id)
{
	const struct container_set *s = &sets[current_set];
	size_t slot = SIZE_MAX;
	uint32_t at;

	if (!refreshed || !s->count)
		return NULL;
	while (hash_index_next(&s->by_id, hash_mix(id), &slot, &at)) {
		const struct container *c = &s->items[at];

		for (size_t j = 0; j < c->nids; j++)
			if (c->ids[j] == id)
				return c;
	}
	return &s->items[0];
}

/* The container whose path (in the hierarchy of kind) is path or one of its ancestors:
 * each prefix ending at a '/' is looked up, the hash carried along the path */
static const struct container *container_at_path(const struct container_set *s,
						 enum container_id_kind kind, const char *path)
{
	uint64_t h = HASH_FNV_START, tag = path_hash_tag(kind);

	if (!path)
		return NULL;
	for (size_t i = 0;; i++) {
		if (i > 0 && (path[i] == '/' || path[i] == '\0')) {
			size_t slot = SIZE_MAX;
			uint32_t at;

			while (hash_index_next(&s->by_path, hash_mix(h ^ tag), &slot, &at)) {
				const struct container *c = &s->items[at];

				if (c->kind == kind && strncmp(c->path, path, i) == 0 &&
				    c->path[i] == '\0')
					return c;
			}
		}
		if (!path[i])
			return NULL;
		h = hash_fnv_step(h, (unsigned char)path[i]);
	}
}

static void read_pid_paths(struct pid_entry *e, uint32_t pid)
{
	char path[64], buf[4096];
	char *line, *save = NULL;

	e->v1_path = e->v2_path = NULL;
	snprintf(path, sizeof(path), "/proc/%u/cgroup", pid);
	if (proc_read_file(path, buf, sizeof(buf)) <= 0)
		return;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *ctrls = strchr(line, ':'), *p;

		if (!ctrls || !(p = strchr(ctrls + 1, ':')))
			continue;
		*p++ = '\0';
		ctrls++;
		if (*ctrls == '\0')
			e->v2_path = intern(p);
		else if (has_option(ctrls, "memory"))
			e->v1_path = intern(p);
	}
}

const struct container *containers_of_pid(uint32_t pid)
{
	size_t n;
	const struct container *list = containers_list(&n);
	struct pid_entry *e;
	time_t now = time(NULL);

	if (!n || !pid_cache)
		return NULL;
	e = &pid_cache[pid % PID_CACHE_SLOTS];
	if (e->pid != pid || now - e->read_at >= PID_REFRESH_S) {
		e->pid = pid;
		e->read_at = now;
		read_pid_paths(e, pid);
	}
	{
		const struct container_set *s = &sets[current_set];
		enum container_id_kind other = identity == CONTAINER_KIND_V1_MEMORY
						       ? CONTAINER_KIND_V2 : CONTAINER_KIND_V1_MEMORY;
		const char *first = identity == CONTAINER_KIND_V1_MEMORY ? e->v1_path : e->v2_path;
		const char *second = identity == CONTAINER_KIND_V1_MEMORY ? e->v2_path : e->v1_path;
		const struct container *c = container_at_path(s, identity, first);

		if (!c)
			c = container_at_path(s, other, second);
		return c ? c : &list[0];
	}
}

