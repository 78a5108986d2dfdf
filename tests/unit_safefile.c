// SPDX-License-Identifier: GPL-2.0
/*
 * tests/unit_safefile.c: config and theme files another user could have written are
 * refused (the file, a directory on the way, through a symbolic link), safe ones open,
 * and names cannot leave their folder. Real files and owners: needs root for chown.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/safefile.h"

#define OTHER_UID 65534

static char dir[64];
static char path[256], err[512];

static const char *at(const char *name)
{
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

static void write_file(const char *name, mode_t mode, uid_t uid)
{
	FILE *f = fopen(at(name), "w");

	assert_non_null(f);
	fputs("[general]\n", f);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
	assert_int_equal(chown(path, uid, 0), 0);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/ktop-safefile-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

static bool need_root(void)
{
	if (geteuid() == 0)
		return true;
	print_message("# reason: needs root to give files to another user (chown)\n");
	return false;
}

static void expect_open(const char *name)
{
	FILE *f = safefile_open(at(name), err, sizeof(err));

	if (!f)
		fail_msg("%s refused: %s", name, err);
	fclose(f);
}

static void expect_refused(const char *name, const char *why)
{
	FILE *f = safefile_open(at(name), err, sizeof(err));

	assert_null(f);
	assert_int_equal(errno, EPERM);
	if (!strstr(err, why) || !strstr(err, "refusing"))
		fail_msg("message for %s: '%s', expected '%s'", name, err, why);
}

static void test_safe_files_open(void **state)
{
	(void)state;
	if (!need_root())
		skip();
	write_file("ok.conf", 0644, 0);
	expect_open("ok.conf");
	write_file("private.conf", 0600, 0);
	expect_open("private.conf");
	/* a sticky, world-writable directory (like /tmp) is fine */
	assert_int_equal(mkdir(at("sticky"), 01777), 0);
	assert_int_equal(chmod(path, 01777), 0);
	write_file("sticky/ok.theme", 0644, 0);
	expect_open("sticky/ok.theme");
}

static void test_writable_file_refused(void **state)
{
	(void)state;
	if (!need_root())
		skip();
	write_file("world.conf", 0666, 0);
	expect_refused("world.conf", "writable by every user");
	write_file("group.conf", 0664, 0);
	expect_refused("group.conf", "writable by its group");
	assert_true(strstr(err, "chmod go-w") != NULL);
}

static void test_other_owner_refused(void **state)
{
	(void)state;
	if (!need_root())
		skip();
	write_file("theirs.conf", 0644, OTHER_UID);
	expect_refused("theirs.conf", "owned by another user");
	/* sudo's user is trusted */
	setenv("SUDO_UID", "65534", 1);
	expect_open("theirs.conf");
	unsetenv("SUDO_UID");
}

static void test_unsafe_directory_refused(void **state)
{
	char target[256];

	(void)state;
	if (!need_root())
		skip();
	assert_int_equal(mkdir(at("open"), 0777), 0);
	assert_int_equal(chmod(path, 0777), 0);
	write_file("open/x.conf", 0644, 0);
	expect_refused("open/x.conf", "writable by every user");
	assert_true(strstr(err, "the directory") != NULL);
	assert_int_equal(mkdir(at("owned"), 0755), 0);
	assert_int_equal(chown(path, OTHER_UID, OTHER_UID), 0);
	write_file("owned/x.conf", 0644, 0);
	expect_refused("owned/x.conf", "owned by another user");
	/* a safe-looking symbolic link into it is followed */
	snprintf(target, sizeof(target), "%s", at("open/x.conf"));
	assert_int_equal(symlink(target, at("link.conf")), 0);
	expect_refused("link.conf", "the directory");
}

static void test_missing_and_not_regular(void **state)
{
	FILE *f;

	(void)state;
	f = safefile_open(at("none.conf"), err, sizeof(err));
	assert_null(f);
	assert_int_equal(errno, ENOENT);
	f = safefile_open(dir, err, sizeof(err));
	assert_null(f);
	assert_true(strstr(err, "not a regular file") != NULL);
}

static void test_names(void **state)
{
	(void)state;
	assert_true(safefile_name_valid("dark"));
	assert_true(safefile_name_valid("my-theme_2"));
	assert_false(safefile_name_valid(""));
	assert_false(safefile_name_valid(NULL));
	assert_false(safefile_name_valid("../etc/shadow"));
	assert_false(safefile_name_valid("a/b"));
	assert_false(safefile_name_valid(".."));
	assert_false(safefile_name_valid(".hidden"));
	assert_false(safefile_name_valid("tab\there"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_safe_files_open),
		cmocka_unit_test(test_writable_file_refused),
		cmocka_unit_test(test_other_owner_refused),
		cmocka_unit_test(test_unsafe_directory_refused),
		cmocka_unit_test(test_missing_and_not_regular),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests_name("safefile", tests, setup, teardown);
}
