// SPDX-License-Identifier: GPL-2.0
/* tests/unit_containers.c: the cgroup path -> (runtime, id, pod) parser, one test per
 * layout core/container_path.c recognizes, and paths that must not be taken for containers;
 * the Kubernetes names from runtime metadata and kubelet log links, hostile ones included;
 * and, on a directory tree laid out like a node with 1 000 pods, discovery, names, pod
 * selection and the per-process lookups (their time is reported, not judged: see
 * tools/bench_tick for the tick budget). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/containers.h"

#define HEX64 "3f1c2a9b8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a"

static void expect_container(const char *path, enum container_runtime runtime, const char *id,
			     const char *root)
{
	struct container_path_info info;

	memset(&info, 0, sizeof(info));
	assert_true(container_parse_path(path, &info));
	assert_int_equal(info.runtime, runtime);
	assert_string_equal(info.id, id);
	assert_int_equal(info.root_len, strlen(root));
	assert_memory_equal(path, root, strlen(root));
}

static void expect_none(const char *path)
{
	struct container_path_info info;

	assert_false(container_parse_path(path, &info));
}

static void test_docker_systemd(void **state)
{
	(void)state;
	expect_container("/system.slice/docker-" HEX64 ".scope", RUNTIME_DOCKER, HEX64,
			 "/system.slice/docker-" HEX64 ".scope");
}

static void test_docker_cgroupfs(void **state)
{
	(void)state;
	expect_container("/docker/" HEX64, RUNTIME_DOCKER, HEX64, "/docker/" HEX64);
	/* a process in a child cgroup of the container belongs to it */
	expect_container("/docker/" HEX64 "/init.scope", RUNTIME_DOCKER, HEX64,
			 "/docker/" HEX64);
	/* docker in docker: the outer container owns everything below it */
	expect_container("/docker/" HEX64 "/docker/abcdefabcdef0123", RUNTIME_DOCKER, HEX64,
			 "/docker/" HEX64);
}

static void test_containerd(void **state)
{
	(void)state;
	expect_container("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1234_5678"
			 ".slice/cri-containerd-" HEX64 ".scope",
			 RUNTIME_CONTAINERD, HEX64,
			 "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1234_5678"
			 ".slice/cri-containerd-" HEX64 ".scope");
	expect_container("/system.slice/cri-containerd-" HEX64 ".scope", RUNTIME_CONTAINERD,
			 HEX64, "/system.slice/cri-containerd-" HEX64 ".scope");
}

static void test_kubepods_cgroupfs(void **state)
{
	(void)state;
	expect_container("/kubepods/burstable/pod0b6e5d6c-8a1f-4c2e-9d3b-7a6f5e4d3c2b/" HEX64,
			 RUNTIME_CONTAINERD, HEX64,
			 "/kubepods/burstable/pod0b6e5d6c-8a1f-4c2e-9d3b-7a6f5e4d3c2b/" HEX64);
	expect_container("/kubepods/pod0b6e5d6c-8a1f-4c2e-9d3b-7a6f5e4d3c2b/" HEX64,
			 RUNTIME_CONTAINERD, HEX64,
			 "/kubepods/pod0b6e5d6c-8a1f-4c2e-9d3b-7a6f5e4d3c2b/" HEX64);
	/* the pod itself is a grouping, not a container */
	expect_none("/kubepods/burstable/pod0b6e5d6c-8a1f-4c2e-9d3b-7a6f5e4d3c2b");
	/* a hex directory under a pod-looking name outside kubepods is not Kubernetes */
	expect_none("/pods/pod1/" HEX64);
}

static void test_crio(void **state)
{
	(void)state;
	expect_container("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-podab_cd"
			 ".slice/crio-" HEX64 ".scope",
			 RUNTIME_CRIO, HEX64,
			 "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-podab_cd"
			 ".slice/crio-" HEX64 ".scope");
	expect_container("/kubepods/besteffort/podab/crio-" HEX64, RUNTIME_CRIO, HEX64,
			 "/kubepods/besteffort/podab/crio-" HEX64);
	/* conmon, the monitor next to the container, is not the container */
	expect_none("/machine.slice/crio-conmon-" HEX64 ".scope");
}

static void test_podman(void **state)
{
	(void)state;
	expect_container("/machine.slice/libpod-" HEX64 ".scope", RUNTIME_PODMAN, HEX64,
			 "/machine.slice/libpod-" HEX64 ".scope");
	/* podman with a cgroup namespace puts the payload in a ".../container" child */
	expect_container("/machine.slice/libpod-" HEX64 ".scope/container", RUNTIME_PODMAN,
			 HEX64, "/machine.slice/libpod-" HEX64 ".scope");
	expect_container("/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" HEX64
			 ".scope/container",
			 RUNTIME_PODMAN, HEX64,
			 "/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" HEX64
			 ".scope");
	expect_none("/machine.slice/libpod-conmon-" HEX64 ".scope");
}

static void test_lxc(void **state)
{
	(void)state;
	expect_container("/lxc.payload.web1", RUNTIME_LXC, "web1", "/lxc.payload.web1");
	expect_container("/lxc.payload.web1/system.slice/cron.service", RUNTIME_LXC, "web1",
			 "/lxc.payload.web1");
	expect_container("/lxc/db", RUNTIME_LXC, "db", "/lxc/db");
	expect_none("/lxc.monitor.web1");
	expect_none("/lxc.payload.");
}

static void test_nspawn(void **state)
{
	(void)state;
	expect_container("/machine.slice/machine-build\\x2dbox.scope", RUNTIME_NSPAWN,
			 "build-box", "/machine.slice/machine-build\\x2dbox.scope");
	expect_container("/machine.slice/machine-plain.scope/payload", RUNTIME_NSPAWN, "plain",
			 "/machine.slice/machine-plain.scope");
}

static void test_plain_and_host(void **state)
{
	(void)state;
	expect_none("/");
	expect_none("");
	expect_none("/system.slice/sshd.service");
	expect_none("/user.slice/user-0.slice/session-1.scope");
	expect_none("/ktop-test-a");
	/* too short, or not lower-case hex: not a runtime id */
	expect_none("/docker/abc123");
	expect_none("/system.slice/docker-ABCDEF0123456789.scope");
	expect_none("/system.slice/docker.service");
}

static void test_unescape(void **state)
{
	char out[64];

	(void)state;
	assert_string_equal(container_unescape("a\\x2db\\x2dc", 11, out, sizeof(out)), "a-b-c");
	assert_string_equal(container_unescape("x\\x2", 4, out, sizeof(out)), "x\\x2");
	assert_string_equal(container_unescape("abcdef", 6, out, 4), "abc");
}

#define UID "0b6e5d6c-8a1f-4c2e-9d3b-7a6f5e4d3c2b"
#define UID_ "0b6e5d6c_8a1f_4c2e_9d3b_7a6f5e4d3c2b"

static void expect_pod(const char *path, const char *uid, enum pod_qos qos, const char *pod_root)
{
	struct container_path_info info;

	memset(&info, 0, sizeof(info));
	assert_true(container_parse_path(path, &info));
	assert_string_equal(info.pod_uid, uid);
	assert_int_equal(info.qos, qos);
	assert_int_equal(info.pod_len, strlen(pod_root));
	assert_memory_equal(path, pod_root, strlen(pod_root));
}

static void test_kubepods_identity(void **state)
{
	(void)state;
	/* systemd driver: '_' in the slice name stands for '-' in the UID */
	expect_pod("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_
		   ".slice/cri-containerd-" HEX64 ".scope",
		   UID, POD_QOS_BURSTABLE,
		   "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_ ".slice");
	expect_pod("/kubepods.slice/kubepods-pod" UID_ ".slice/crio-" HEX64 ".scope", UID,
		   POD_QOS_GUARANTEED, "/kubepods.slice/kubepods-pod" UID_ ".slice");
	expect_pod("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UID_
		   ".slice/docker-" HEX64 ".scope/child",
		   UID, POD_QOS_BESTEFFORT,
		   "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UID_ ".slice");
	/* cgroupfs driver */
	expect_pod("/kubepods/burstable/pod" UID "/" HEX64, UID, POD_QOS_BURSTABLE,
		   "/kubepods/burstable/pod" UID);
	expect_pod("/kubepods/besteffort/pod" UID "/crio-" HEX64, UID, POD_QOS_BESTEFFORT,
		   "/kubepods/besteffort/pod" UID);
	expect_pod("/kubepods/pod" UID "/" HEX64, UID, POD_QOS_GUARANTEED, "/kubepods/pod" UID);
	/* the kubelet's own kubepods under a prefix (kind, k3s in a container) */
	expect_pod("/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-burstable.slice/"
		   "kubepods-burstable-pod" UID_ ".slice/cri-containerd-" HEX64 ".scope",
		   UID, POD_QOS_BURSTABLE,
		   "/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-burstable.slice/"
		   "kubepods-burstable-pod" UID_ ".slice");
	/* a container outside kubepods has no pod */
	expect_pod("/system.slice/docker-" HEX64 ".scope", "", POD_QOS_NONE, "");
}

static void test_kubepods_odd(void **state)
{
	struct container_path_info info;
	char long_path[8192];

	(void)state;
	/* not a UID: upper case, too short, other characters: no pod, but the container */
	expect_pod("/kubepods/burstable/podXYZ/" HEX64, "", POD_QOS_NONE, "");
	expect_pod("/kubepods/burstable/pod" UID "x/crio-" HEX64, "", POD_QOS_NONE, "");
	expect_pod("/kubepods.slice/kubepods-burstable-pod.slice/crio-" HEX64 ".scope", "",
		   POD_QOS_NONE, "");
	expect_none("/kubepods/burstable/pod" UID);
	expect_none("/kubepods.slice/kubepods-burstable.slice");
	expect_none("/kubepods/burstable/pod" UID "/not-hex-at-all");
	/* thousands of components, none a container */
	long_path[0] = '\0';
	for (int i = 0; i < 800; i++) /* 7 200 bytes */
		strcat(long_path, "/kubepods");
	assert_false(container_parse_path(long_path, &info));
	memset(long_path, '/', sizeof(long_path) - 1);
	long_path[sizeof(long_path) - 1] = '\0';
	assert_false(container_parse_path(long_path, &info));
}

static const char containerd_config[] =
	"{\"ociVersion\":\"1.1.0\",\"process\":{\"args\":[\"/pause\"],\"env\":[\"io.kubernetes."
	"cri.sandbox-name=liar\"]},\"annotations\":{\"io.kubernetes.cri.container-name\":"
	"\"nginx\",\"io.kubernetes.cri.container-type\":\"container\",\"io.kubernetes.cri."
	"sandbox-name\" : \"web-7f9c\\u002dx\",\"io.kubernetes.cri.sandbox-namespace\":\n"
	"\"shop\",\"io.kubernetes.cri.sandbox-uid\":\"" UID "\"},\"linux\":{}}";

static void test_k8s_json(void **state)
{
	struct k8s_names k;
	char *big;

	(void)state;
	assert_true(container_parse_k8s_json(containerd_config, strlen(containerd_config), &k));
	assert_string_equal(k.namespace_, "shop");
	assert_string_equal(k.pod, "web-7f9c-x");
	assert_string_equal(k.container, "nginx");
	assert_string_equal(k.pod_uid, UID);
	/* CRI-O (and cri-dockerd's labels) */
	{
		const char *crio = "{\"annotations\":{\"io.kubernetes.pod.namespace\":\"kube-system\","
				   "\"io.kubernetes.pod.name\":\"coredns-1\",\"io.kubernetes."
				   "container.name\":\"POD\"}}";

		assert_true(container_parse_k8s_json(crio, strlen(crio), &k));
		assert_string_equal(k.namespace_, "kube-system");
		assert_string_equal(k.pod, "coredns-1");
		assert_string_equal(k.container, "POD");
		assert_string_equal(k.pod_uid, "");
	}
	/* containerd's sandbox: no container name, the type says sandbox */
	{
		const char *sb = "{\"io.kubernetes.cri.container-type\":\"sandbox\",\"io.kubernetes."
				 "cri.sandbox-name\":\"p\",\"io.kubernetes.cri.sandbox-namespace\":\"n\"}";

		assert_true(container_parse_k8s_json(sb, strlen(sb), &k));
		assert_string_equal(k.container, "POD");
	}
	/* hostile values are ignored, not cut or passed on */
	{
		const char *bad = "{\"io.kubernetes.pod.namespace\":\"a\\nb\",\"io.kubernetes.pod."
				  "name\":\"Web\",\"io.kubernetes.container.name\":\"x y\",\"io.kubernetes."
				  "pod.uid\":\"zz\",\"io.kubernetes.cri.sandbox-name\":\"\\u00e9\"}";

		assert_false(container_parse_k8s_json(bad, strlen(bad), &k));
		assert_string_equal(k.namespace_, "");
		assert_string_equal(k.pod, "");
		assert_string_equal(k.container, "");
		assert_string_equal(k.pod_uid, "");
	}
	/* a name longer than any Kubernetes name, and a document cut in the middle */
	big = malloc(1 << 20);
	assert_non_null(big);
	strcpy(big, "{\"io.kubernetes.pod.namespace\":\"");
	memset(big + strlen(big), 'a', 100000);
	strcpy(big + strlen("{\"io.kubernetes.pod.namespace\":\"") + 100000,
	       "\",\"io.kubernetes.pod.name\":\"p\"}");
	assert_false(container_parse_k8s_json(big, strlen(big), &k));
	assert_string_equal(k.pod, "p");
	assert_false(container_parse_k8s_json(containerd_config, 150, &k));
	for (size_t n = 0; n < sizeof(containerd_config); n++)
		container_parse_k8s_json(containerd_config, n, &k); /* no read past n */
	/* not JSON at all */
	memset(big, '"', 1 << 20);
	assert_false(container_parse_k8s_json(big, 1 << 20, &k));
	assert_false(container_parse_k8s_json(NULL, 0, &k));
	free(big);
}

static void test_k8s_log_name(void **state)
{
	struct k8s_names k;

	(void)state;
	assert_true(container_parse_k8s_log_name("web-0_shop_nginx-" HEX64 ".log", HEX64, &k));
	assert_string_equal(k.pod, "web-0");
	assert_string_equal(k.namespace_, "shop");
	assert_string_equal(k.container, "nginx");
	assert_false(container_parse_k8s_log_name("web-0_shop_nginx-" HEX64 ".log", "abcdef012345",
						  &k));
	assert_false(container_parse_k8s_log_name("web_0_shop_nginx-" HEX64 ".log", HEX64, &k));
	assert_false(container_parse_k8s_log_name("web-0_shop-" HEX64 ".log", HEX64, &k));
	assert_false(container_parse_k8s_log_name("Web_shop_nginx-" HEX64 ".log", HEX64, &k));
	assert_false(container_parse_k8s_log_name("-" HEX64 ".log", HEX64, &k));
	assert_false(container_parse_k8s_log_name(HEX64 ".log", HEX64, &k));
	assert_false(container_parse_k8s_log_name("", HEX64, &k));
}

/* ---- a node's layout in a temporary directory ---- */

#define PODS 500 /* two containers each (sandbox and app): 1 000 containers */
#define LOOKUPS 10000

static char tree[64], host[64];
static uint64_t filtered[8];
static size_t nfiltered;
static uint32_t filter_mode;

static int capture_filter(uint32_t mode, const uint64_t *ids, size_t nids)
{
	filter_mode = mode;
	nfiltered = nids < 8 ? nids : 8;
	if (nfiltered) /* ids may be NULL when there are none */
		memcpy(filtered, ids, nfiltered * sizeof(*ids));
	return 0;
}

static void mkdirs(const char *path)
{
	char buf[1024];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			mkdir(buf, 0755);
			*p = '/';
		}
	}
	assert_true(mkdir(buf, 0755) == 0 || access(buf, F_OK) == 0);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void pod_uid(int pod, char *out, size_t len)
{
	snprintf(out, len, "%08x-0000-4000-8000-%012x", pod, pod);
}

static void container_id(int pod, int which, char *out, size_t len)
{
	/* the first 12 digits (the short id) differ from container to container */
	snprintf(out, len, "%012x%052x", pod * 2 + which + 1, 0xabcU);
}

static double clock_us(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static double now_us(void)
{
	return clock_us(CLOCK_MONOTONIC);
}

static int compare_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int node_setup(void **state)
{
	(void)state;
	snprintf(tree, sizeof(tree), "/tmp/ktop-unit-cg-XXXXXX");
	snprintf(host, sizeof(host), "/tmp/ktop-unit-host-XXXXXX");
	if (!mkdtemp(tree) || !mkdtemp(host))
		return -1;
	for (int pod = 0; pod < PODS; pod++) {
		char uid[40], uid_[40], dir[1024], cfg[1024], text[1024];

		pod_uid(pod, uid, sizeof(uid));
		for (size_t i = 0; i <= strlen(uid); i++)
			uid_[i] = uid[i] == '-' ? '_' : uid[i];
		for (int which = 0; which < 2; which++) {
			char id[80];

			container_id(pod, which, id, sizeof(id));
			snprintf(dir, sizeof(dir), "%s/kubepods.slice/kubepods-burstable.slice/"
				 "kubepods-burstable-pod%s.slice/cri-containerd-%s.scope", tree, uid_, id);
			mkdirs(dir);
			/* odd pods have no metadata at all: they keep their short ids */
			if (pod % 2)
				continue;
			snprintf(cfg, sizeof(cfg), "%s/run/containerd/io.containerd.runtime.v2.task/"
				 "k8s.io/%s", host, id);
			mkdirs(cfg);
			strcat(cfg, "/config.json");
			if (which == 0)
				snprintf(text, sizeof(text), "{\"annotations\":{\"io.kubernetes.cri."
					 "container-type\":\"sandbox\",\"io.kubernetes.cri.sandbox-name\":"
					 "\"web-%d\",\"io.kubernetes.cri.sandbox-namespace\":\"shop\"}}", pod);
			else
				snprintf(text, sizeof(text), "{\"annotations\":{\"io.kubernetes.cri."
					 "container-name\":\"app\",\"io.kubernetes.cri.sandbox-name\":"
					 "\"web-%d\",\"io.kubernetes.cri.sandbox-namespace\":\"shop\"}}", pod);
			write_file(cfg, text);
		}
	}
	/* hostile metadata: a FIFO and a file of garbage, for pod 2's containers */
	{
		char id[80], cfg[1024];

		container_id(2, 0, id, sizeof(id));
		snprintf(cfg, sizeof(cfg), "%s/run/containerd/io.containerd.runtime.v2.task/k8s.io/"
			 "%s/config.json", host, id);
		unlink(cfg);
		assert_int_equal(mkfifo(cfg, 0600), 0);
		container_id(2, 1, id, sizeof(id));
		snprintf(cfg, sizeof(cfg), "%s/run/containerd/io.containerd.runtime.v2.task/k8s.io/"
			 "%s/config.json", host, id);
		write_file(cfg, "\"\\\"{{{{[[[[\"io.kubernetes.cri.sandbox-name\":");
	}
	setenv("KTOP_HOST_ROOT", host, 1);
	return containers_init_at(tree);
}

static int node_teardown(void **state)
{
	char cmd[256];

	(void)state;
	containers_exit();
	snprintf(cmd, sizeof(cmd), "rm -rf %s %s", tree, host);
	return system(cmd);
}

static void test_node_names(void **state)
{
	const struct container *list, *c;
	size_t n, named = 0, pods = 0;
	char id[80];

	(void)state;
	assert_int_equal(containers_refresh(), 0);
	list = containers_list(&n);
	assert_int_equal(n, 1 + 2 * PODS);
	for (size_t i = 1; i < n; i++) {
		assert_int_equal(list[i].runtime, RUNTIME_CONTAINERD);
		assert_non_null(list[i].pod_uid);
		assert_int_equal(list[i].qos, POD_QOS_BURSTABLE);
		assert_non_null(list[i].k8s);
		assert_string_equal(list[i].k8s[3], list[i].pod_uid);
		if (list[i].k8s[0][0])
			named++;
		if (strncmp(list[i].k8s[2], "POD", 3) == 0)
			pods++;
	}
	/* every even pod but pod 2 (a FIFO and garbage for metadata) */
	assert_int_equal(named, PODS - 2);
	assert_int_equal(pods, PODS / 2 - 1);
	container_id(4, 1, id, sizeof(id));
	assert_int_equal(containers_select(id), 0);
	c = containers_selected();
	assert_non_null(c);
	assert_string_equal(c->name, "shop/web-4/app");
	assert_string_equal(c->k8s[0], "shop");
	assert_string_equal(c->k8s[1], "web-4");
	assert_string_equal(c->k8s[2], "app");
	/* no metadata: the short id */
	container_id(3, 1, id, sizeof(id));
	assert_int_equal(containers_select(id), 0);
	assert_string_equal(containers_selected()->name, "000000000008");
	assert_string_equal(containers_selected()->k8s[0], "");
	containers_select(NULL);
}

static void test_node_pod_select(void **state)
{
	const struct container *c, *a, *b;
	char id[80], uid[40], text[256];

	(void)state;
	containers_set_filter_hook(capture_filter);
	assert_int_equal(containers_refresh(), 0);
	container_id(6, 0, id, sizeof(id));
	a = NULL;
	b = NULL;
	assert_int_equal(containers_select(id), 0);
	a = containers_selected();
	container_id(6, 1, id, sizeof(id));
	assert_int_equal(containers_select(id), 0);
	b = containers_selected();
	assert_int_equal(containers_select("shop/web-6"), 0);
	c = containers_selected();
	assert_non_null(c);
	assert_string_equal(c->name, "shop/web-6");
	assert_int_equal(c->nids, a->nids + b->nids);
	assert_int_equal(nfiltered, 2);
	assert_true((filtered[0] == a->key && filtered[1] == b->key) ||
		    (filtered[0] == b->key && filtered[1] == a->key));
	assert_string_equal(containers_selection_state(), "running");
	containers_selection_text(text, sizeof(text));
	assert_non_null(strstr(text, "pod shop/web-6 (2 containers"));
	/* by UID, for pods with no names */
	pod_uid(7, uid, sizeof(uid));
	assert_int_equal(containers_select(uid), 0);
	assert_int_equal(containers_selected()->nids, 2);
	assert_int_equal(containers_select("shop/web-99999"), -ENOENT);
	containers_select(NULL);
	containers_set_filter_hook(NULL);
}

static void test_node_lookup(void **state)
{
	const struct container *list;
	uint64_t *ids;
	size_t n;
	double t0, c0, lookup_us, wall[5], cpu[5];

	(void)state;
	for (int i = 0; i < 5; i++) {
		t0 = now_us();
		c0 = clock_us(CLOCK_THREAD_CPUTIME_ID);
		assert_int_equal(containers_refresh(), 0);
		wall[i] = now_us() - t0;
		cpu[i] = clock_us(CLOCK_THREAD_CPUTIME_ID) - c0;
	}
	qsort(wall, 5, sizeof(*wall), compare_double);
	qsort(cpu, 5, sizeof(*cpu), compare_double);
	list = containers_list(&n);
	ids = malloc(LOOKUPS * sizeof(*ids));
	assert_non_null(ids);
	/* 10 processes per container, as a tick's active processes would be spread */
	for (size_t i = 0; i < LOOKUPS; i++)
		ids[i] = list[1 + i % (n - 1)].key;
	t0 = now_us();
	for (size_t i = 0; i < LOOKUPS; i++)
		assert_true(containers_of_cgroup(ids[i])->key == ids[i]);
	lookup_us = now_us() - t0;
	for (size_t i = 1; i < n; i++)
		assert_ptr_equal(containers_by_key(list[i].key), &list[i]);
	assert_ptr_equal(containers_of_cgroup(1), &list[0]);
	assert_null(containers_by_key(1));
	print_message("# %zu containers: refresh (walk, names cached), median of 5: %.0f us "
		      "(CPU %.0f us); %d cgroup -> container lookups %.0f us (%.3f us each)\n",
		      n - 1, wall[2], cpu[2], LOOKUPS, lookup_us, lookup_us / LOOKUPS);
	free(ids);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_docker_systemd), cmocka_unit_test(test_docker_cgroupfs),
		cmocka_unit_test(test_containerd),     cmocka_unit_test(test_kubepods_cgroupfs),
		cmocka_unit_test(test_crio),	       cmocka_unit_test(test_podman),
		cmocka_unit_test(test_lxc),	       cmocka_unit_test(test_nspawn),
		cmocka_unit_test(test_plain_and_host), cmocka_unit_test(test_unescape),
		cmocka_unit_test(test_kubepods_identity), cmocka_unit_test(test_kubepods_odd),
		cmocka_unit_test(test_k8s_json),	  cmocka_unit_test(test_k8s_log_name),
	};
	const struct CMUnitTest node[] = {
		cmocka_unit_test(test_node_names),
		cmocka_unit_test(test_node_pod_select),
		cmocka_unit_test(test_node_lookup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL) |
	       cmocka_run_group_tests_name("node", node, node_setup, node_teardown);
}
