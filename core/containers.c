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
#include <fcntl.h>
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
#define METADATA_MAX (1 << 20) /* bytes of a runtime's config.json read; the rest is ignored */
#define JSON_KEY_MAX 64	       /* longer keys are none of the annotations looked for */

const char *const container_runtime_names[] = {
	"host", "docker", "containerd", "cri-o", "podman", "lxc", "nspawn", "cgroup", NULL,
};

const char *const pod_qos_names[] = { "", "guaranteed", "burstable", "besteffort", NULL };

struct hierarchy {
	char root[256];
	bool present;
};

/* Open addressing from a 64-bit hash to an index into a set's items; a multimap (callers
 * check what they find), rebuilt with every refresh. Key 0 marks a free slot. */
struct index {
	uint64_t *keys;
	uint32_t *vals;
	size_t size, count;
};

struct container_set {
	struct container *items;
	size_t count, capacity;
	struct index by_id;   /* every cgroup id of identity-kind containers */
	struct index by_key;  /* container key */
	struct index by_path; /* hash of (kind, path) */
	struct index by_name; /* hash of (runtime, id): one container per runtime id */
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
	const char *const *k8s;
	bool k8s_final; /* the names were found: a container's names never change */
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
static struct index name_index; /* key -> name_cache slot, rebuilt each refresh */
static char host_root[256];	/* KTOP_HOST_ROOT: where the host's files are */

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

/* "pod<uid>" (cgroupfs) or "kubepods[-<qos>]-pod<uid>.slice" (systemd, '_' for '-'):
 * the pod's UID with dashes, and the QoS class the name says */
static bool pod_component(const char *c, size_t len, char *uid, enum pod_qos *qos)
{
	const char *p = NULL;
	size_t n;

	if (starts_with(c, len, "pod")) {
		p = c + 3;
		n = len - 3;
	} else if (starts_with(c, len, "kubepods-") && ends_with(c, len, ".slice")) {
		static const char *const forms[] = { "kubepods-pod", "kubepods-burstable-pod",
						     "kubepods-besteffort-pod" };
		static const enum pod_qos qoses[] = { POD_QOS_GUARANTEED, POD_QOS_BURSTABLE,
						      POD_QOS_BESTEFFORT };

		for (size_t i = 0; i < 3 && !p; i++) {
			if (starts_with(c, len, forms[i])) {
				p = c + strlen(forms[i]);
				n = len - strlen(forms[i]) - strlen(".slice");
				*qos = qoses[i];
			}
		}
	}
	if (!p || n < 32 || n >= POD_UID_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!(isxdigit((unsigned char)p[i]) && !isupper((unsigned char)p[i])) &&
		    p[i] != '-' && p[i] != '_')
			return false;
	for (size_t i = 0; i < n; i++)
		uid[i] = p[i] == '_' ? '-' : p[i];
	uid[n] = '\0';
	return true;
}

/* The QoS class a kubepods level names: "burstable", "kubepods-besteffort.slice" */
static bool equals(const char *s, size_t len, const char *word)
{
	return len == strlen(word) && memcmp(s, word, len) == 0;
}

static enum pod_qos qos_component(const char *c, size_t len)
{
	if (equals(c, len, "burstable") || equals(c, len, "kubepods-burstable.slice"))
		return POD_QOS_BURSTABLE;
	if (equals(c, len, "besteffort") || equals(c, len, "kubepods-besteffort.slice"))
		return POD_QOS_BESTEFFORT;
	return POD_QOS_NONE;
}

bool container_parse_path(const char *path, struct container_path_info *info)
{
	const char *p = path, *parent = NULL;
	size_t parent_len = 0;
	bool in_kubepods = false;
	enum pod_qos qos = POD_QOS_NONE;

	if (!path)
		return false;
	info->pod_uid[0] = '\0';
	info->qos = POD_QOS_NONE;
	info->pod_len = 0;
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
		if (in_kubepods && !info->pod_uid[0] &&
		    pod_component(c, len, info->pod_uid, &qos)) {
			/* a pod straight under kubepods is Guaranteed */
			info->qos = qos != POD_QOS_NONE ? qos : POD_QOS_GUARANTEED;
			info->pod_len = (size_t)(p - path);
		} else if (match_component(c, len, parent, parent_len, in_kubepods, info)) {
			info->root_len = (size_t)(p - path);
			return true;
		} else if (in_kubepods && !info->pod_uid[0] && qos == POD_QOS_NONE) {
			qos = qos_component(c, len);
		}
		/* "kubepods", "kubepods.slice", and the kubelet's own under a prefix
		 * ("kubelet-kubepods.slice" in kind and k3s) */
		if (memmem(c, len, "kubepods", 8))
			in_kubepods = true;
		parent = c;
		parent_len = len;
	}
	info->pod_uid[0] = '\0';
	info->qos = POD_QOS_NONE;
	info->pod_len = 0;
	return false;
}

/* ---- hash indexes ---- */

static uint64_t hash_mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h ? h : 1; /* 0 marks a free slot */
}

#define FNV_START 1469598103934665603ULL

static uint64_t fnv_step(uint64_t h, unsigned char c)
{
	return (h ^ c) * 1099511628211ULL;
}

static uint64_t hash_text(uint64_t tag, const char *s)
{
	uint64_t h = FNV_START;

	while (*s)
		h = fnv_step(h, (unsigned char)*s++);
	return hash_mix(h ^ tag);
}

static void index_clear(struct index *ix)
{
	if (ix->keys)
		memset(ix->keys, 0, ix->size * sizeof(*ix->keys));
	ix->count = 0;
}

static void index_free(struct index *ix)
{
	free(ix->keys);
	free(ix->vals);
	*ix = (struct index){ 0 };
}

static void index_insert(struct index *ix, uint64_t key, uint32_t val)
{
	size_t slot = key & (ix->size - 1);

	while (ix->keys[slot])
		slot = (slot + 1) & (ix->size - 1);
	ix->keys[slot] = key;
	ix->vals[slot] = val;
	ix->count++;
}

/* key is already mixed (non-zero); kept at most half full */
static int index_put(struct index *ix, uint64_t key, uint32_t val)
{
	if ((ix->count + 1) * 2 > ix->size) {
		struct index bigger = { 0 };

		bigger.size = ix->size ? ix->size * 2 : 64;
		bigger.keys = calloc(bigger.size, sizeof(*bigger.keys));
		bigger.vals = malloc(bigger.size * sizeof(*bigger.vals));
		if (!bigger.keys || !bigger.vals) {
			index_free(&bigger);
			return -ENOMEM;
		}
		for (size_t i = 0; i < ix->size; i++)
			if (ix->keys[i])
				index_insert(&bigger, ix->keys[i], ix->vals[i]);
		index_free(ix);
		*ix = bigger;
	}
	index_insert(ix, key, val);
	return 0;
}

/* The values stored under key, one per call: *slot starts at SIZE_MAX; false at the end */
static bool index_next(const struct index *ix, uint64_t key, size_t *slot, uint32_t *val)
{
	size_t i;

	if (!ix->size)
		return false;
	i = *slot == SIZE_MAX ? key & (ix->size - 1) : (*slot + 1) & (ix->size - 1);
	for (; ix->keys[i]; i = (i + 1) & (ix->size - 1)) {
		if (ix->keys[i] == key) {
			*slot = i;
			*val = ix->vals[i];
			return true;
		}
	}
	return false;
}

/* ---- Kubernetes names ---- */

static const char *const k8s_keys[][2] = {
	/* containerd's CRI plugin, then CRI-O's and cri-dockerd's (the same as kubelet's
	 * Docker labels) */
	{ "io.kubernetes.cri.sandbox-namespace", "io.kubernetes.pod.namespace" },
	{ "io.kubernetes.cri.sandbox-name", "io.kubernetes.pod.name" },
	{ "io.kubernetes.cri.container-name", "io.kubernetes.container.name" },
	{ "io.kubernetes.cri.sandbox-uid", "io.kubernetes.pod.uid" },
};

/* A Kubernetes object name: lower-case letters, digits, '-' and '.' (DNS subdomain), or
 * "POD", the name runtimes give a pod's sandbox (pause) container */
static bool k8s_name_valid(const char *s, size_t len)
{
	if (len == 0 || len >= K8S_NAME_MAX)
		return false;
	if (len == 3 && memcmp(s, "POD", 3) == 0)
		return true;
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-' ||
		      s[i] == '.'))
			return false;
	return true;
}

static bool pod_uid_valid(const char *s, size_t len)
{
	if (len < 32 || len >= POD_UID_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'f') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return false;
	return true;
}

/* Read the JSON string at json[*i] (just past its opening quote) into out (cut at size - 1
 * bytes; *cut says so); *i ends past the closing quote. False when it never ends. Escapes
 * other than a \uXXXX below 0x80 make the text invalid (*cut), since no name has them. */
static bool json_string(const char *json, size_t len, size_t *i, char *out, size_t size,
			bool *cut)
{
	size_t o = 0;

	*cut = false;
	while (*i < len) {
		char c = json[(*i)++];

		if (c == '"') {
			out[o] = '\0';
			return true;
		}
		if (c == '\\') {
			if (*i >= len)
				return false;
			c = json[(*i)++];
			if (c == 'u') {
				unsigned int v = 0;

				for (int k = 0; k < 4; k++, (*i)++) {
					if (*i >= len || !isxdigit((unsigned char)json[*i]))
						return false;
					v = v * 16 + (unsigned int)(isdigit((unsigned char)json[*i])
							? json[*i] - '0'
							: (tolower((unsigned char)json[*i]) - 'a' + 10));
				}
				if (v == 0 || v >= 0x80)
					*cut = true;
				c = (char)v;
			} else if (c != '"' && c != '\\' && c != '/') {
				*cut = true; /* \n, \t and kin: no name holds them */
			}
		}
		if (o + 1 < size)
			out[o++] = c;
		else
			*cut = true;
	}
	return false;
}

static size_t skip_space(const char *json, size_t len, size_t i)
{
	while (i < len && (json[i] == ' ' || json[i] == '\t' || json[i] == '\n' || json[i] == '\r'))
		i++;
	return i;
}

bool container_parse_k8s_json(const char *json, size_t len, struct k8s_names *out)
{
	char *fields[4] = { out->namespace_, out->pod, out->container, out->pod_uid };
	const size_t sizes[4] = { K8S_NAME_MAX, K8S_NAME_MAX, K8S_NAME_MAX, POD_UID_MAX };
	bool sandbox = false;
	size_t i = 0;

	memset(out, 0, sizeof(*out));
	while (json && i < len) {
		char key[JSON_KEY_MAX], value[K8S_NAME_MAX];
		bool key_cut, value_cut;

		if (json[i++] != '"')
			continue;
		if (!json_string(json, len, &i, key, sizeof(key), &key_cut))
			break;
		i = skip_space(json, len, i);
		if (i >= len || json[i] != ':')
			continue; /* a value, not a key */
		i = skip_space(json, len, i + 1);
		if (i >= len || json[i] != '"')
			continue;
		i++;
		if (!json_string(json, len, &i, value, sizeof(value), &value_cut))
			break;
		if (key_cut || value_cut)
			continue;
		if (strcmp(key, "io.kubernetes.cri.container-type") == 0) {
			sandbox = strcmp(value, "sandbox") == 0;
			continue;
		}
		for (int f = 0; f < 4; f++) {
			size_t n = strlen(value);

			if (fields[f][0] || (strcmp(key, k8s_keys[f][0]) != 0 &&
					     strcmp(key, k8s_keys[f][1]) != 0))
				continue;
			if (f == 3 ? pod_uid_valid(value, n) : k8s_name_valid(value, n))
				snprintf(fields[f], sizes[f], "%s", value);
		}
	}
	/* containerd names no container in a sandbox's annotations; CRI-O calls it POD */
	if (sandbox && !out->container[0])
		snprintf(out->container, sizeof(out->container), "POD");
	return out->namespace_[0] && out->pod[0];
}

bool container_parse_k8s_log_name(const char *file, const char *id, struct k8s_names *out)
{
	size_t flen = strlen(file), idlen = strlen(id), n;
	const char *p, *u1, *u2;

	memset(out, 0, sizeof(*out));
	if (idlen == 0 || flen < idlen + strlen("a_b_c-.log") ||
	    strcmp(file + flen - 4, ".log") != 0 ||
	    memcmp(file + flen - 4 - idlen, id, idlen) != 0 || file[flen - 5 - idlen] != '-')
		return false;
	n = flen - 5 - idlen; /* "<pod>_<namespace>_<container>" */
	u1 = memchr(file, '_', n);
	u2 = u1 ? memchr(u1 + 1, '_', n - (size_t)(u1 + 1 - file)) : NULL;
	if (!u1 || !u2 || memchr(u2 + 1, '_', n - (size_t)(u2 + 1 - file)))
		return false;
	p = file;
	if (!k8s_name_valid(p, (size_t)(u1 - p)) || !k8s_name_valid(u1 + 1, (size_t)(u2 - u1 - 1)) ||
	    !k8s_name_valid(u2 + 1, (size_t)(file + n - u2 - 1)))
		return false;
	memcpy(out->pod, p, (size_t)(u1 - p));
	memcpy(out->namespace_, u1 + 1, (size_t)(u2 - u1 - 1));
	memcpy(out->container, u2 + 1, (size_t)(file + n - u2 - 1));
	return true;
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

/* The namespaces of the host, for telling plain cgroups' tasks apart */
static int host_namespaces(void)
{
	struct stat st;

	if (stat("/proc/1/ns/uts", &st) != 0 && stat("/proc/self/ns/uts", &st) != 0)
		return -errno;
	host_uts_ino = st.st_ino;
	if (stat("/proc/1/ns/pid", &st) == 0 || stat("/proc/self/ns/pid", &st) == 0)
		host_pid_ino = st.st_ino;
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

static void set_clear(struct container_set *s)
{
	for (size_t i = 0; i < s->count; i++)
		free(s->items[i].ids);
	s->count = 0;
	index_clear(&s->by_id);
	index_clear(&s->by_key);
	index_clear(&s->by_path);
	index_clear(&s->by_name);
}

void containers_exit(void)
{
	for (int i = 0; i < 2; i++) {
		set_clear(&sets[i]);
		free(sets[i].items);
		index_free(&sets[i].by_id);
		index_free(&sets[i].by_key);
		index_free(&sets[i].by_path);
		index_free(&sets[i].by_name);
		sets[i] = (struct container_set){ 0 };
	}
	free(pid_cache);
	pid_cache = NULL;
	free(name_cache);
	name_cache = NULL;
	name_cache_count = name_cache_capacity = 0;
	index_free(&name_index);
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

	snprintf(path, sizeof(path), "%s/var/lib/docker/containers/%s/config.v2.json", host_root,
		 id);
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
	snprintf(dir, sizeof(dir), "%s/var/log/containers", host_root);
	d = opendir(dir);
	if (!d)
		return;
	while ((e = readdir(d))) {
		if (!ends_with(e->d_name, strlen(e->d_name), ".log"))
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
	struct index index;
} k8s_pool;

static k8s_array *k8s_at(size_t i)
{
	return &k8s_pool.chunks[i / K8S_CHUNK][i % K8S_CHUNK];
}

static const char *const *k8s_strings(const struct k8s_names *k, const char *uid)
{
	k8s_array v = { intern(k->namespace_), intern(k->pod), intern(k->container),
			uid ? uid : intern(k->pod_uid) };
	uint64_t h = FNV_START;
	size_t slot = SIZE_MAX;
	uint32_t at;

	for (int i = 0; i < K8S_STRINGS; i++)
		h = (h ^ (uint64_t)(uintptr_t)v[i]) * 1099511628211ULL;
	h = hash_mix(h);
	while (index_next(&k8s_pool.index, h, &slot, &at))
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
	if (index_put(&k8s_pool.index, h, (uint32_t)k8s_pool.count) < 0)
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

	while (index_next(&name_index, hash_mix(key), &slot, &at))
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

static uint64_t name_hash(enum container_runtime rt, const char *id)
{
	return hash_text((uint64_t)rt * 0x9e3779b97f4a7c15ULL, id);
}

static bool set_has(const struct container_set *s, enum container_runtime rt, const char *id)
{
	size_t slot = SIZE_MAX;
	uint32_t at;

	while (index_next(&s->by_name, name_hash(rt, id), &slot, &at))
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
				if (layout && info.pod_uid[0]) {
					c->pod_uid = intern(info.pod_uid);
					c->qos = info.qos;
				}
				here = (size_t)(c - w->set->items);
				index_put(&w->set->by_name, name_hash(rt, c->id), (uint32_t)here);
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

static uint64_t path_hash_tag(enum container_id_kind kind)
{
	return (uint64_t)kind * 0xc2b2ae3d27d4eb4fULL;
}

/* After the sort: cgroup id, key and path -> item, for lookups per process and per row */
static int set_index(struct container_set *s)
{
	int err = 0;

	index_clear(&s->by_id);
	index_clear(&s->by_key);
	index_clear(&s->by_path);
	for (size_t i = 0; i < s->count; i++) {
		const struct container *c = &s->items[i];

		err |= index_put(&s->by_key, hash_mix(c->key), (uint32_t)i);
		if (i == 0)
			continue;
		err |= index_put(&s->by_path, hash_text(path_hash_tag(c->kind), c->path),
				 (uint32_t)i);
		for (size_t j = 0; c->kind == identity && j < c->nids; j++)
			err |= index_put(&s->by_id, hash_mix(c->ids[j]), (uint32_t)i);
	}
	return err ? -ENOMEM : 0;
}

static void name_index_build(void)
{
	index_clear(&name_index);
	for (size_t i = 0; i < name_cache_count; i++)
		index_put(&name_index, hash_mix(name_cache[i].key), (uint32_t)i);
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
	name_index_build();
	log_links_forget();
	for (size_t i = 1; i < s->count; i++) {
		struct container *c = &s->items[i];

		c->name = choose_name(c, c->pid);
	}
	log_links_forget();
	if (s->count > 2)
		qsort(s->items + 1, s->count - 1, sizeof(*s->items), cmp_container);
	err = set_index(s);
	if (err)
		return err;
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
	const struct container_set *s = &sets[current_set];
	size_t slot = SIZE_MAX;
	uint32_t at;

	if (!refreshed)
		return NULL;
	while (index_next(&s->by_key, hash_mix(key), &slot, &at))
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
	while (index_next(&s->by_id, hash_mix(id), &slot, &at)) {
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
	uint64_t h = FNV_START, tag = path_hash_tag(kind);

	if (!path)
		return NULL;
	for (size_t i = 0;; i++) {
		if (i > 0 && (path[i] == '/' || path[i] == '\0')) {
			size_t slot = SIZE_MAX;
			uint32_t at;

			while (index_next(&s->by_path, hash_mix(h ^ tag), &slot, &at)) {
				const struct container *c = &s->items[at];

				if (c->kind == kind && strncmp(c->path, path, i) == 0 &&
				    c->path[i] == '\0')
					return c;
			}
		}
		if (!path[i])
			return NULL;
		h = fnv_step(h, (unsigned char)path[i]);
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
			if (add_id(&pod_selection, list[i].ids[j]) < 0)
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
