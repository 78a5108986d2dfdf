// SPDX-License-Identifier: GPL-2.0
/*
 * core/container_path.c: what the text the kernel and the runtimes leave says about a
 * container, read with no state and no I/O: cgroup paths (which runtime, its id, the pod
 * and QoS class under kubepods), and the Kubernetes names in a runtime's JSON metadata or
 * in the name of a kubelet log link.
 *
 * Every function here is a parser of untrusted bytes: tests/unit_containers.c checks each
 * layout, tests/fuzz_containers.c feeds it anything.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "containers.h"

#define JSON_KEY_MAX 64 /* longer keys are none of the annotations looked for */

const char *const container_runtime_names[] = {
	"host", "docker", "containerd", "cri-o", "podman", "lxc", "nspawn", "cgroup", NULL,
};

const char *const pod_qos_names[] = { "", "guaranteed", "burstable", "besteffort", NULL };

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

