// SPDX-License-Identifier: GPL-2.0
/* tests/unit_containers.c: the cgroup path -> (runtime, id) parser, one test per layout
 * core/containers.c recognizes, and paths that must not be taken for containers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_docker_systemd), cmocka_unit_test(test_docker_cgroupfs),
		cmocka_unit_test(test_containerd),     cmocka_unit_test(test_kubepods_cgroupfs),
		cmocka_unit_test(test_crio),	       cmocka_unit_test(test_podman),
		cmocka_unit_test(test_lxc),	       cmocka_unit_test(test_nspawn),
		cmocka_unit_test(test_plain_and_host), cmocka_unit_test(test_unescape),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
