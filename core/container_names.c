// SPDX-License-Identifier: GPL-2.0
/*
 * core/container_names.c: the namespaces and names of the containers a walk found.
 *
 * The host's UTS and pid namespaces tell a plain cgroup's tasks apart from the host's. A
 * container is named from what its runtime left on disk (Kubernetes annotations and
 * labels, Docker's config, the kubelet's log links), else the hostname of its UTS
 * namespace, else its short id; names are cached by container key and read again every
 * NAME_REFRESH_S, except Kubernetes names once found, which never change.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "containers_internal.h"
#include "hash_index.h"
#include "intern.h"
#include "privsep.h"

#define NAME_REFRESH_S 10 /* names (hostnames, metadata) are read again this often */
#define UTS_CACHE_SLOTS 64
#define METADATA_MAX (1 << 20) /* bytes of a runtime's config.json read; the rest is ignored */

struct uts_entry {
	uint64_t ino;
	time_t read_at;
	const char *hostname;
};

struct name_entry {
	uint64_t key;
	time_t read_at;
	const char *name;
	const char *const *k8s;
	bool k8s_final; /* the names were found: a container's names never change */
};

static uint64_t host_uts_ino, host_pid_ino;
static struct uts_entry uts_cache[UTS_CACHE_SLOTS];
static struct name_entry *name_cache;
static size_t name_cache_count, name_cache_capacity;
static struct hash_index name_index; /* key -> name_cache slot, rebuilt each refresh */

int container_names_init(void)
{
	struct stat st;

	if (stat("/proc/1/ns/uts", &st) != 0 && stat("/proc/self/ns/uts", &st) != 0)
		return -errno;
	host_uts_ino = st.st_ino;
	if (stat("/proc/1/ns/pid", &st) == 0 || stat("/proc/self/ns/pid", &st) == 0)
		host_pid_ino = st.st_ino;
	return 0;
}

bool container_in_own_namespaces(uint32_t pid)
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

/* A runtime's metadata file, at most METADATA_MAX bytes of it, into a static buffer: only a
 * regular file (a FIFO or device put there would block or never end). Length or -1. */
static long read_metadata(const char *path, const char **text)
{
	static char *buf;
	struct stat st;
	long total = 0;
	int fd;

	if (!buf && !(buf = malloc(METADATA_MAX + 1)))
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -1;
	}
	while (total < METADATA_MAX) {
		ssize_t n = read(fd, buf + total, (size_t)(METADATA_MAX - total));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		total += n;
	}
	close(fd);
	buf[total] = '\0';
	*text = buf;
	return total;
}

/* Docker's own name for the container, from its metadata file when it is there */
static const char *docker_name(const char *id)
{
	const char *text, *p, *end;
	char path[512];

	snprintf(path, sizeof(path), "%s/var/lib/docker/containers/%s/config.v2.json",
		 containers_host_root(), id);
	if (read_metadata(path, &text) <= 0)
		return NULL;
	p = strstr(text, "\"Name\":\"/");
	if (!p)
		return NULL;
	p += strlen("\"Name\":\"/");
	end = strchr(p, '"');
	if (!end || end == p || end - p > 255)
		return NULL;
	return intern_n(p, (size_t)(end - p));
}

/* The kubelet's log links, /var/log/containers/<pod>_<namespace>_<container>-<id>.log:
 * read once per refresh, when a container's runtime metadata did not name it */
static struct {
	char **files;
	size_t count, capacity;
	bool read;
} log_links;

static void log_links_forget(void)
{
	for (size_t i = 0; i < log_links.count; i++)
		free(log_links.files[i]);
	log_links.count = 0;
	log_links.read = false;
}

static void log_links_read(void)
{
	char dir[512];
	struct dirent *e;
	DIR *d;

	log_links.read = true;
	snprintf(dir, sizeof(dir), "%s/var/log/containers", containers_host_root());
	d = opendir(dir);
	if (!d)
		return;
	while ((e = readdir(d))) {
		const char *ext = strrchr(e->d_name, '.');

		if (!ext || strcmp(ext, ".log") != 0)
			continue;
		if (log_links.count == log_links.capacity) {
			size_t cap = log_links.capacity ? log_links.capacity * 2 : 64;
			char **files = realloc(log_links.files, cap * sizeof(*files));

			if (!files)
				break;
			log_links.files = files;
			log_links.capacity = cap;
		}
		if (!(log_links.files[log_links.count] = strdup(e->d_name)))
			break;
		log_links.count++;
	}
	closedir(d);
}

/* A container's Kubernetes names: the runtime's OCI config.json (containerd, CRI-O), Docker's
 * config.v2.json labels (cri-dockerd), else the kubelet's log link. False when none. */
static bool read_k8s_names(const struct container *c, struct k8s_names *k)
{
	const char *host_root = containers_host_root();
	char path[3][512];
	const char *text;
	unsigned int n = 0;

	switch (c->runtime) {
	case RUNTIME_CONTAINERD:
		snprintf(path[n++], sizeof(path[0]),
			 "%s/run/containerd/io.containerd.runtime.v2.task/k8s.io/%s/config.json",
			 host_root, c->id);
		break;
	case RUNTIME_CRIO:
		snprintf(path[n++], sizeof(path[0]),
			 "%s/run/containers/storage/overlay-containers/%s/userdata/config.json",
			 host_root, c->id);
		snprintf(path[n++], sizeof(path[0]),
			 "%s/var/lib/containers/storage/overlay-containers/%s/userdata/config.json",
			 host_root, c->id);
		break;
	case RUNTIME_DOCKER:
		snprintf(path[n++], sizeof(path[0]), "%s/var/lib/docker/containers/%s/config.v2.json",
			 host_root, c->id);
		break;
	default:
		break;
	}
	for (unsigned int i = 0; i < n; i++) {
		long len = read_metadata(path[i], &text);

		if (len > 0 && container_parse_k8s_json(text, (size_t)len, k))
			return true;
	}
	if (!log_links.read)
		log_links_read();
	for (size_t i = 0; i < log_links.count; i++)
		if (container_parse_k8s_log_name(log_links.files[i], c->id, k))
			return true;
	return false;
}

/* Interned {namespace, pod, container, uid} arrays, one per distinct set, kept for as long
 * as ktop runs: rows of frames (and of the history) point at them, so they live in chunks
 * that never move */
#define K8S_CHUNK 256
typedef const char *k8s_array[K8S_STRINGS];
static struct {
	k8s_array **chunks;
	size_t count, nchunks;
	struct hash_index index;
} k8s_pool;

static k8s_array *k8s_at(size_t i)
{
	return &k8s_pool.chunks[i / K8S_CHUNK][i % K8S_CHUNK];
}

static const char *const *k8s_strings(const struct k8s_names *k, const char *uid)
{
	k8s_array v = { intern(k->namespace_), intern(k->pod), intern(k->container),
			uid ? uid : intern(k->pod_uid) };
	uint64_t h = HASH_FNV_START;
	size_t slot = SIZE_MAX;
	uint32_t at;

	for (int i = 0; i < K8S_STRINGS; i++)
		h = (h ^ (uint64_t)(uintptr_t)v[i]) * 1099511628211ULL;
	h = hash_mix(h);
	while (hash_index_next(&k8s_pool.index, h, &slot, &at))
		if (memcmp(*k8s_at(at), v, sizeof(v)) == 0)
			return *k8s_at(at);
	if (k8s_pool.count == k8s_pool.nchunks * K8S_CHUNK) {
		k8s_array **chunks = realloc(k8s_pool.chunks,
					     (k8s_pool.nchunks + 1) * sizeof(*chunks));

		if (!chunks)
			return NULL;
		k8s_pool.chunks = chunks;
		if (!(chunks[k8s_pool.nchunks] = malloc(K8S_CHUNK * sizeof(k8s_array))))
			return NULL;
		k8s_pool.nchunks++;
	}
	if (hash_index_put(&k8s_pool.index, h, (uint32_t)k8s_pool.count) < 0)
		return NULL;
	memcpy(*k8s_at(k8s_pool.count), v, sizeof(v));
	return *k8s_at(k8s_pool.count++);
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
	size_t slot = SIZE_MAX;
	uint32_t at;

	while (hash_index_next(&name_index, hash_mix(key), &slot, &at))
		if (at < name_cache_count && name_cache[at].key == key)
			return &name_cache[at];
	return NULL;
}

/* Kubernetes: "namespace/pod/container". Else metadata (LXC and machine names are their
 * ids), else the UTS hostname, else short id */
static const char *choose_name(struct container *c, uint32_t member)
{
	struct name_entry *e = name_cached(c->key);
	time_t now = time(NULL);
	const char *name = NULL, *const *k8s = NULL;
	bool final = false;

	if (e && (e->k8s_final || now - e->read_at < NAME_REFRESH_S)) {
		c->k8s = e->k8s;
		return e->name;
	}
	if (c->pod_uid) {
		struct k8s_names k;

		final = read_k8s_names(c, &k);
		if (!final)
			memset(&k, 0, sizeof(k));
		k8s = k8s_strings(&k, c->pod_uid);
		if (final && k.container[0]) {
			char text[3 * K8S_NAME_MAX];

			snprintf(text, sizeof(text), "%s/%s/%s", k.namespace_, k.pod, k.container);
			name = intern(text);
		}
	}
	if (!name && (c->runtime == RUNTIME_LXC || c->runtime == RUNTIME_NSPAWN))
		name = c->id;
	if (!name && c->runtime == RUNTIME_DOCKER)
		name = docker_name(c->id);
	if (!name && member)
		name = uts_hostname(member);
	if (!name)
		name = c->runtime == RUNTIME_CGROUP ? base_name(c->path) : short_id(c->id);
	c->k8s = k8s;
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
	*e = (struct name_entry){ c->key, now, name, k8s, final && k8s };
	return name;
}

static void name_index_build(void)
{
	hash_index_clear(&name_index);
	for (size_t i = 0; i < name_cache_count; i++)
		hash_index_put(&name_index, hash_mix(name_cache[i].key), (uint32_t)i);
}

void container_names_assign(struct container *list, size_t count)
{
	name_index_build();
	log_links_forget();
	for (size_t i = 0; i < count; i++) {
		struct container *c = &list[i];

		c->name = choose_name(c, c->pid);
	}
	log_links_forget();
}

void container_names_forget_gone(void)
{
	for (size_t i = 0; i < name_cache_count;)
		if (!containers_by_key(name_cache[i].key))
			name_cache[i] = name_cache[--name_cache_count];
		else
			i++;
}

void container_names_exit(void)
{
	free(name_cache);
	name_cache = NULL;
	name_cache_count = name_cache_capacity = 0;
	hash_index_free(&name_index);
}
