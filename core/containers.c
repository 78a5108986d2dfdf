// SPDX-License-Identifier: GPL-2.0
/*
 * core/containers.c: container discovery from cgroup trees and namespaces, names, and the
 * selection every pane is filtered by.
 *
 * Each refresh walks the identity hierarchy (v1 memory where mounted, else cgroup2) and,
 * on hybrid hosts, cgroup2 as well. A directory is a container when its path matches a
 * runtime layout (container_parse_path) or, for plain cgroups, when one of its tasks runs
 * in a UTS or pid namespace other than the host's. The walk does not look for containers
 * below a container: its whole subtree belongs to it (Kubernetes pod/container, podman's
 * ".../container" child, systemd inside a container).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "containers.h"
#include "frame.h"
#include "intern.h"
#include "privsep.h"
#include "proc.h"

#define WALK_MAX_DEPTH 16
#define NAME_REFRESH_S 10   /* names (hostnames, metadata) are read again this often */
#define PID_CACHE_SLOTS 4096 /* direct-mapped pid -> cgroup paths */
#define PID_REFRESH_S 3	    /* a task moves into its container's cgroup once, early */
#define UTS_CACHE_SLOTS 64

const char *const container_runtime_names[] = {
	"host", "docker", "containerd", "cri-o", "podman", "lxc", "nspawn", "cgroup", NULL,
};

struct hierarchy {
	char root[256];
	bool present;
};

struct container_set {
	struct container *items;
	size_t count, capacity;
};

struct pid_entry {
	uint32_t pid;
	time_t read_at;
	const char *v1_path, *v2_path;
};

struct uts_entry {
	uint64_t ino;
	time_t read_at;
	const char *hostname;
};

struct name_entry {
	uint64_t key;
	time_t read_at;
	const char *name;
};

static struct hierarchy v1_memory, v2;
static enum container_id_kind identity;
static struct container_set sets[2];
static unsigned int current_set;
static bool refreshed;
static uint64_t host_uts_ino, host_pid_ino;
static struct pid_entry *pid_cache;
static struct uts_entry uts_cache[UTS_CACHE_SLOTS];
static struct name_entry *name_cache;
static size_t name_cache_count, name_cache_capacity;

static container_filter_hook filter_hook;
static char *selected_query;
static const struct container *selected;
static const char *selected_name; /* the name it had when last seen */
static bool selected_ever_ran;
static uint64_t *applied_ids;
static size_t napplied;
static uint32_t applied_mode = CONTAINER_KIND_NONE;
static bool applied_valid;

/* ---- path layouts ---- */

static bool is_hex_id(const char *s, size_t len)
{
	if (len < 12 || len >= CONTAINER_ID_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
			return false;
	return true;
}

static bool starts_with(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && memcmp(s, prefix, n) == 0;
}

static bool ends_with(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len >= n && memcmp(s + len - n, suffix, n) == 0;
}

char *container_unescape(const char *in, size_t len, char *out, size_t size)
{
	size_t o = 0;

	if (size == 0)
		return out;
	for (size_t i = 0; i < len && o + 1 < size; i++) {
		if (in[i] == '\\' && i + 3 < len && in[i + 1] == 'x' &&
		    isxdigit((unsigned char)in[i + 2]) && isxdigit((unsigned char)in[i + 3])) {
			char hex[3] = { in[i + 2], in[i + 3], 0 };

			out[o++] = (char)strtol(hex, NULL, 16);
			i += 3;
		} else {
			out[o++] = in[i];
		}
	}
	out[o] = '\0';
	return out;
}

/* "<prefix><hex>[.scope]": the hex id, for the runtimes that name scopes this way */
static bool prefixed_id(const char *c, size_t len, const char *prefix, char *id)
{
	size_t n = strlen(prefix);

	if (!starts_with(c, len, prefix))
		return false;
	c += n;
	len -= n;
	if (ends_with(c, len, ".scope"))
		len -= strlen(".scope");
	if (!is_hex_id(c, len))
		return false;
	memcpy(id, c, len);
	id[len] = '\0';
	return true;
}

static bool match_component(const char *c, size_t len, const char *parent, size_t parent_len,
			    bool in_kubepods, struct container_path_info *info)
{
	if (prefixed_id(c, len, "docker-", info->id)) {
		info->runtime = RUNTIME_DOCKER;
		return true;
	}
	if (prefixed_id(c, len, "cri-containerd-", info->id)) {
		info->runtime = RUNTIME_CONTAINERD;
		return true;
	}
	/* crio-conmon-<id> and libpod-conmon-<id> are the monitors: not hex, never match */
	if (prefixed_id(c, len, "crio-", info->id)) {
		info->runtime = RUNTIME_CRIO;
		return true;
	}
	if (prefixed_id(c, len, "libpod-", info->id)) {
		info->runtime = RUNTIME_PODMAN;
		return true;
	}
	if (parent && parent_len == 6 && memcmp(parent, "docker", 6) == 0 && is_hex_id(c, len)) {
		info->runtime = RUNTIME_DOCKER;
		memcpy(info->id, c, len);
		info->id[len] = '\0';
		return true;
	}
	if (in_kubepods && parent && starts_with(parent, parent_len, "pod") && is_hex_id(c, len)) {
		info->runtime = RUNTIME_CONTAINERD;
		memcpy(info->id, c, len);
		info->id[len] = '\0';
		return true;
	}
	if (starts_with(c, len, "lxc.payload.") && len > strlen("lxc.payload.")) {
		size_t n = len - strlen("lxc.payload.");

		if (n >= CONTAINER_ID_MAX)
			return false;
		info->runtime = RUNTIME_LXC;
		memcpy(info->id, c + strlen("lxc.payload."), n);
		info->id[n] = '\0';
		return true;
	}
	if (parent && ((parent_len == 3 && memcmp(parent, "lxc", 3) == 0) ||
		       (parent_len == 11 && memcmp(parent, "lxc.payload", 11) == 0))) {
		if (len >= CONTAINER_ID_MAX)
			return false;
		info->runtime = RUNTIME_LXC;
		memcpy(info->id, c, len);
		info->id[len] = '\0';
		return true;
	}
	if (starts_with(c, len, "machine-") && ends_with(c, len, ".scope") &&
	    len > strlen("machine-.scope")) {
		info->runtime = RUNTIME_NSPAWN;
		container_unescape(c + strlen("machine-"), len - strlen("machine-.scope"),
				   info->id, sizeof(info->id));
		return true;
	}
	return false;
}

bool container_parse_path(const char *path, struct container_path_info *info)
{
	const char *p = path, *parent = NULL;
	size_t parent_len = 0;
	bool in_kubepods = false;

	if (!path)
		return false;
	while (*p) {
		const char *c;
		size_t len;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		c = p;
		len = strcspn(c, "/");
		p = c + len;
		if (match_component(c, len, parent, parent_len, in_kubepods, info)) {
			info->root_len = (size_t)(p - path);
			return true;
		}
		if (starts_with(c, len, "kubepods"))
			in_kubepods = true;
		parent = c;
		parent_len = len;
	}
	return false;
}

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

int containers_init(void)
{
	char line[1024], mnt[256], fstype[64], opts[512];
	struct stat st;
	FILE *f;

	if (identity != CONTAINER_KIND_NONE && pid_cache)
		return 0; /* already found */
	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return -errno;
	v1_memory.present = v2.present = false;
	while (fgets(line, sizeof(line), f)) {
		char *dash = strstr(line, " - ");

		if (!dash || sscanf(line, "%*s %*s %*s %*s %255s", mnt) != 1 ||
		    sscanf(dash + 3, "%63s %*s %511s", fstype, opts) != 2)
			continue;
		if (strcmp(fstype, "cgroup2") == 0 && !v2.present) {
			snprintf(v2.root, sizeof(v2.root), "%s", mnt);
			v2.present = true;
		} else if (strcmp(fstype, "cgroup") == 0 && has_option(opts, "memory") &&
			   !v1_memory.present) {
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
	if (stat("/proc/1/ns/uts", &st) != 0 && stat("/proc/self/ns/uts", &st) != 0)
		return -errno;
	host_uts_ino = st.st_ino;
	if (stat("/proc/1/ns/pid", &st) == 0 || stat("/proc/self/ns/pid", &st) == 0)
		host_pid_ino = st.st_ino;
	if (!pid_cache)
		pid_cache = calloc(PID_CACHE_SLOTS, sizeof(*pid_cache));
	return pid_cache ? 0 : -ENOMEM;
}

enum container_id_kind containers_identity(void)
{
	return identity;
}

static void set_clear(struct container_set *s)
{
	for (size_t i = 0; i < s->count; i++)
		free(s->items[i].ids);
	s->count = 0;
}

void containers_exit(void)
{
	for (int i = 0; i < 2; i++) {
		set_clear(&sets[i]);
		free(sets[i].items);
		sets[i] = (struct container_set){ 0 };
	}
	free(pid_cache);
	pid_cache = NULL;
	free(name_cache);
	name_cache = NULL;
	name_cache_count = name_cache_capacity = 0;
	free(selected_query);
	selected_query = NULL;
	free(applied_ids);
	applied_ids = NULL;
	napplied = 0;
	applied_valid = false;
	selected = NULL;
	filter_hook = NULL;
	refreshed = false;
	identity = CONTAINER_KIND_NONE;
}

/* ---- namespaces and names ---- */

static bool in_own_namespaces(uint32_t pid)
{
	uint64_t uts = privsep_ns_inode(pid, PRIVSEP_NS_UTS);
	uint64_t pidns = privsep_ns_inode(pid, PRIVSEP_NS_PID);

	return (uts && uts != host_uts_ino) || (pidns && host_pid_ino && pidns != host_pid_ino);
}

/* The hostname of pid's UTS namespace (joining it takes CAP_SYS_ADMIN: the helper's) */
static const char *uts_hostname(uint32_t pid)
{
	uint64_t ino = privsep_ns_inode(pid, PRIVSEP_NS_UTS);
	struct uts_entry *e = &uts_cache[ino % UTS_CACHE_SLOTS];
	time_t now = time(NULL);
	char buf[PRIVSEP_TEXT_MAX];

	if (!ino || ino == host_uts_ino)
		return NULL;
	if (e->ino == ino && e->hostname && now - e->read_at < NAME_REFRESH_S)
		return e->hostname;
	if (privsep_uts_hostname(pid, buf, sizeof(buf)) < 0)
		return NULL;
	e->ino = ino;
	e->read_at = now;
	e->hostname = intern(buf);
	return e->hostname;
}

/* Docker's own name for the container, from its metadata file when it is there */
static const char *docker_name(const char *id)
{
	static char buf[65536];
	char path[256], *p, *end;

	snprintf(path, sizeof(path), "/var/lib/docker/containers/%s/config.v2.json", id);
	if (proc_read_file(path, buf, sizeof(buf)) <= 0)
		return NULL;
	p = strstr(buf, "\"Name\":\"/");
	if (!p)
		return NULL;
	p += strlen("\"Name\":\"/");
	end = strchr(p, '"');
	if (!end || end == p)
		return NULL;
	return intern_n(p, (size_t)(end - p));
}

static const char *short_id(const char *id)
{
	return intern_n(id, strnlen(id, 12));
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return intern(slash && slash[1] ? slash + 1 : path);
}

static struct name_entry *name_cached(uint64_t key)
{
	for (size_t i = 0; i < name_cache_count; i++)
		if (name_cache[i].key == key)
			return &name_cache[i];
	return NULL;
}

/* metadata (LXC and machine names are their ids), else the UTS hostname, else short id */
static const char *choose_name(const struct container *c, uint32_t member)
{
	struct name_entry *e = name_cached(c->key);
	time_t now = time(NULL);
	const char *name = NULL;

	if (e && now - e->read_at < NAME_REFRESH_S)
		return e->name;
	if (c->runtime == RUNTIME_LXC || c->runtime == RUNTIME_NSPAWN)
		name = c->id;
	if (!name && c->runtime == RUNTIME_DOCKER)
		name = docker_name(c->id);
	if (!name && member)
		name = uts_hostname(member);
	if (!name)
		name = c->runtime == RUNTIME_CGROUP ? base_name(c->path) : short_id(c->id);
	if (!e) {
		if (name_cache_count == name_cache_capacity) {
			size_t cap = name_cache_capacity ? name_cache_capacity * 2 : 32;
			struct name_entry *n = realloc(name_cache, cap * sizeof(*n));

			if (!n)
				return name;
			name_cache = n;
			name_cache_capacity = cap;
		}
		e = &name_cache[name_cache_count++];
	}
	*e = (struct name_entry){ c->key, now, name };
	return name;
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

static int add_id(struct container *c, uint64_t id)
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

static bool set_has(const struct container_set *s, enum container_runtime rt, const char *id)
{
	for (size_t i = 1; i < s->count; i++)
		if (s->items[i].runtime == rt && strcmp(s->items[i].id, id) == 0)
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
					plain = in_own_namespaces(procs.first[i]);
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
				here = (size_t)(c - w->set->items);
			}
		}
		if (here) {
			struct container *c = &w->set->items[here];

			add_id(c, st.st_ino);
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

static int filter_apply(void);

int containers_refresh(void)
{
	struct container_set *s = &sets[current_set ^ 1];
	struct container *host;
	struct procs procs;
	char host_name[65] = "host";
	struct utsname u;

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
	for (size_t i = 1; i < s->count; i++) {
		struct container *c = &s->items[i];

		c->name = choose_name(c, c->pid);
	}
	if (s->count > 2)
		qsort(s->items + 1, s->count - 1, sizeof(*s->items), cmp_container);
	current_set ^= 1;
	refreshed = true;
	/* forget names of containers that are gone */
	for (size_t i = 0; i < name_cache_count;)
		if (!containers_by_key(name_cache[i].key))
			name_cache[i] = name_cache[--name_cache_count];
		else
			i++;
	return filter_apply();
}

const struct container *containers_list(size_t *count)
{
	const struct container_set *s = &sets[current_set];

	*count = refreshed ? s->count : 0;
	return refreshed ? s->items : NULL;
}

const struct container *containers_by_key(uint64_t key)
{
	size_t n;
	const struct container *list = containers_list(&n);

	for (size_t i = 0; i < n; i++)
		if (list[i].key == key)
			return &list[i];
	return NULL;
}

const struct container *containers_of_cgroup(uint64_t id)
{
	size_t n;
	const struct container *list = containers_list(&n);

	for (size_t i = 1; i < n; i++) {
		if (list[i].kind != identity)
			continue;
		for (size_t j = 0; j < list[i].nids; j++)
			if (list[i].ids[j] == id)
				return &list[i];
	}
	return n ? &list[0] : NULL;
}

static bool path_within(const char *path, const char *root)
{
	size_t n = strlen(root);

	return path && strncmp(path, root, n) == 0 && (path[n] == '\0' || path[n] == '/');
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
	for (size_t i = 1; i < n; i++)
		if (path_within(list[i].kind == CONTAINER_KIND_V1_MEMORY ? e->v1_path : e->v2_path,
				list[i].path))
			return &list[i];
	return &list[0];
}

/* ---- selection ---- */

void containers_set_filter_hook(container_filter_hook hook)
{
	filter_hook = hook;
	applied_valid = false;
	if (hook && refreshed)
		filter_apply();
}

bool containers_have_filter(void)
{
	return filter_hook != NULL;
}

static const struct container *resolve(const char *q)
{
	size_t n, qlen = strlen(q);
	const struct container *list = containers_list(&n);

	for (size_t i = 1; i < n; i++)
		if (strcmp(list[i].name, q) == 0 || strcmp(list[i].id, q) == 0)
			return &list[i];
	for (size_t i = 1; i < n; i++)
		if (strcmp(list[i].path, q) == 0)
			return &list[i];
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

/* Hand the selection's ids to the filter when they changed */
static int filter_apply(void)
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
		mode = selected ? selected->kind : identity;
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

int containers_select(const char *query)
{
	int err;

	free(selected_query);
	selected_query = query && *query ? strdup(query) : NULL;
	selected_ever_ran = false;
	selected_name = NULL;
	err = filter_apply();
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
