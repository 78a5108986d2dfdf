// SPDX-License-Identifier: GPL-2.0
/*
 * tests/unit_options.c: the options table and the config file (every kind of bad file
 * gives its FILE:LINE message; valid files round-trip through the dump), the settings
 * collectors declare, key bindings from [keys], theme parsing, and theme names that would
 * leave the theme folders.
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

#include "core/frame.h"
#include "core/ini_file.h"
#include "core/options.h"
#include "core/theme.h"
#include "ui/ui.h"
#include "ui/ui_internal.h"

static const struct table_column fake_columns[] = {
	{ "name", "NAME", COL_NAME, 0, 0, 10, false, "" },
	{ "count", "N/s", COL_COUNT, 0, 0, 6, false, "" },
	{ "total_ns", "T/s", COL_TIME, 1, 0, 6, false, "" },
};

#define FAKE(table_id) { .id = table_id, .title = table_id, .columns = fake_columns, \
			 .ncolumns = 3, .sort_column = 1, .max_rows = 10, .pane = true }

/* the panes the default [general] panes names, as the collectors register them */
static const struct table_schema fake_tables[] = {
	FAKE("syscalls"), FAKE("processes"), FAKE("hardirqs"), FAKE("softirqs"), FAKE("xcalls"),
	FAKE("tasklets"), FAKE("critical"), FAKE("containers"),
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* settings as the collectors declare theirs (collector_ops.options), registered in setup()
 * as collectors_register_schemas() does */
enum { FAKE_LATENCY, FAKE_PROCESS_ENTRIES };
static const struct option_def fake_syscalls_options[] = {
	[FAKE_LATENCY] = { "syscalls", "latency", OPTION_BOOL, 0, 0, "yes", "time the calls" },
	[FAKE_PROCESS_ENTRIES] = { "syscalls", "process_entries", OPTION_UINT, 128, 4194304,
				   "10240", "processes tracked" },
};

enum { FAKE_THRESHOLD_US, FAKE_TIMER_HZ };
static const struct option_def fake_critical_options[] = {
	[FAKE_THRESHOLD_US] = { "critical", "threshold_us", OPTION_UINT, 1, 10000000, "100",
				"shorter sections are ignored" },
	[FAKE_TIMER_HZ] = { "critical", "timer_hz", OPTION_UINT, 0, 10000, "1000",
			    "rate of the timer" },
};

enum { FAKE_TRACE };
static const struct option_def fake_functions_options[] = {
	[FAKE_TRACE] = { "functions", "trace", OPTION_LIST, 0, 0, "", "functions traced" },
};

static char tmp_path[64];
static char xdg_dir[64] = "/tmp/ktop-unit-xdg-XXXXXX";

/* themes are found in $XDG_CONFIG_HOME/ktop/themes: point it at the tree's themes/ */
static int setup(void **state)
{
	char themes[4096], link_path[128], dir[96];

	(void)state;
	if (!mkdtemp(xdg_dir) || !realpath("themes", themes))
		return -1;
	snprintf(dir, sizeof(dir), "%s/ktop", xdg_dir);
	snprintf(link_path, sizeof(link_path), "%s/themes", dir);
	if (mkdir(dir, 0700) < 0 || symlink(themes, link_path) < 0)
		return -1;
	setenv("XDG_CONFIG_HOME", xdg_dir, 1);
	for (size_t i = 0; i < sizeof(fake_tables) / sizeof(fake_tables[0]); i++)
		frame_register_schema(&fake_tables[i]);
	if (options_register(fake_syscalls_options, COUNT(fake_syscalls_options)) < 0 ||
	    options_register(fake_critical_options, COUNT(fake_critical_options)) < 0 ||
	    options_register(fake_functions_options, COUNT(fake_functions_options)) < 0)
		return -1;
	options_set_keys_ops(&ui_keys_options);
	return 0;
}

static int teardown(void **state)
{
	char path[128];

	(void)state;
	snprintf(path, sizeof(path), "%s/ktop/themes", xdg_dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/ktop", xdg_dir);
	rmdir(path);
	rmdir(xdg_dir);
	return 0;
}

static const char *write_tmp(const char *text, size_t len)
{
	int fd;

	snprintf(tmp_path, sizeof(tmp_path), "/tmp/ktop-unit-XXXXXX");
	fd = mkstemp(tmp_path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
	return tmp_path;
}

/* Reading text as a config file fails with "PATH:LINE: <message...>" */
static void expect_error(const char *text, size_t len, int line, const char *message)
{
	struct ktop_config cfg;
	char err[INI_ERROR_MAX], want[256];
	const char *path = write_tmp(text, len);

	config_defaults(&cfg);
	assert_int_equal(options_read_file(&cfg, path, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s:%d: %s", path, line, message);
	if (strncmp(err, want, strlen(want)) != 0)
		fail_msg("got '%s', expected it to start with '%s'", err, want);
	assert_non_null(strstr(err, "expected"));
	unlink(path);
}

#define EXPECT(text, line, message) expect_error(text, sizeof(text) - 1, line, message)

static void test_bad_files(void **state)
{
	(void)state;
	EXPECT("[general]\ninterval = 1\n[bogus]\nx = 1\n", 3, "unknown section [bogus]");
	EXPECT("[general]\ninterval = 1\n[bogus]\n", 3, "unknown section [bogus]");
	EXPECT("[general]\nfoo = 1\n", 2, "unknown key 'foo' in [general]");
	EXPECT("[general]\n\ninterval = 0.001\n", 3, "interval = 0.001 is out of range");
	EXPECT("[general]\nhistory = 5\n", 2, "history = 5 is out of range");
	EXPECT("[critical]\ntimer_hz = 99999\n", 2, "timer_hz = 99999 is out of range");
	EXPECT("[syscalls]\nlatency = maybe\n", 2, "latency = 'maybe' is not a yes/no value");
	EXPECT("[general]\nhistory = lots\n", 2, "history = 'lots' is not a number");
	EXPECT("[general]\nhistory = 2.5\n", 2, "history = '2.5' is not a number");
	EXPECT("[general\ninterval = 1\n", 1, "unterminated section header '[general'");
	EXPECT("[general]\ninterval = 1\n\x01\x02garbage\x7f\n", 3, "binary data (byte 0x01)");
	EXPECT("\x7f" "ELF\x02\x01\x01", 1, "binary data (byte 0x7f)");
	EXPECT("[general]\ninterval = 1\n\0\0\0\n", 3, "binary data (byte 0x00)");
	EXPECT("", 1, "the file is empty");
	EXPECT("  \n\n\t\n", 1, "the file is empty");
	EXPECT("[general]\ninterval\n", 2, "'interval' is not a setting");
	EXPECT("interval = 1\n", 1, "'interval' is outside any section");
	EXPECT("[keys]\nexplode = x\n", 2, "unknown action 'explode' in [keys]");
	EXPECT("[keys]\nquit = Hyper-Q\n", 2, "unknown key 'Hyper-Q'");
	EXPECT("[keys]\nquit = \n", 2, "no key given");
	EXPECT("[general]\ntheme = ../../etc/passwd\n", 2,
	       "'../../etc/passwd' is not a theme name");
	EXPECT("[general]\npanes = syscalls, nope\n", 2, "'nope' is not a pane");
	EXPECT("[general]\npanes = syscalls,,critical\n", 2, "empty item");
	EXPECT("[syscalls]\nsort = bogus\n", 2, "'bogus' is not a column of syscalls");
}

static char *dump_text(const struct ktop_config *cfg, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	assert_non_null(f);
	options_dump(cfg, f);
	fclose(f);
	return buf;
}

static void test_round_trip(void **state)
{
	static const char text[] =
		"; a comment\n"
		"[general]\n"
		"interval = 2.5\n"
		"theme = light\n"
		"panes = critical,syscalls\n"
		"ascii = on\n"
		"[syscalls]\n"
		"latency = no\n"
		"sort = total_ns\n"
		"[critical]\n"
		"threshold_us = 250\n"
		"[keys]\n"
		"quit = x, F10\n"
		"older = b\n";
	struct ktop_config a, b, defaults;
	char err[INI_ERROR_MAX], *dump_a, *dump_b, *dump_d;
	size_t len_a, len_b, len_d;
	const char *path;

	(void)state;
	config_defaults(&a);
	path = write_tmp(text, sizeof(text) - 1);
	assert_int_equal(options_read_file(&a, path, err, sizeof(err)), 0);
	unlink(path);
	assert_true(a.interval_s == 2.5);
	assert_string_equal(a.theme, "light");
	assert_string_equal(a.panes, "critical, syscalls");
	assert_true(a.ascii);
	assert_false(options_bool(&a, &fake_syscalls_options[FAKE_LATENCY]));
	assert_string_equal(a.syscall_sort, "total_ns");
	assert_int_equal(options_uint(&a, &fake_critical_options[FAKE_THRESHOLD_US]), 250);
	assert_int_equal(options_uint(&a, &fake_critical_options[FAKE_TIMER_HZ]), 1000);

	dump_a = dump_text(&a, &len_a);
	assert_non_null(strstr(dump_a, "\nquit = x, F10\n"));
	assert_non_null(strstr(dump_a, "\nolder = b\n"));
	assert_non_null(strstr(dump_a, "\ninterval = 2.5\n"));
	config_defaults(&b);
	path = write_tmp(dump_a, len_a);
	if (options_read_file(&b, path, err, sizeof(err)) != 0)
		fail_msg("the dump does not read back: %s", err);
	unlink(path);
	dump_b = dump_text(&b, &len_b);
	assert_string_equal(dump_a, dump_b);

	/* the defaults' dump reads back to the defaults */
	config_defaults(&defaults);
	dump_d = dump_text(&defaults, &len_d);
	config_defaults(&b);
	path = write_tmp(dump_d, len_d);
	assert_int_equal(options_read_file(&b, path, err, sizeof(err)), 0);
	unlink(path);
	free(dump_b);
	dump_b = dump_text(&b, &len_b);
	assert_string_equal(dump_d, dump_b);
	free(dump_a);
	free(dump_b);
	free(dump_d);
}

/* A collector's settings: read as their default until set, each set one in a slot of its
 * own; the sections and their order come from the tables registered */
static void test_collector_settings(void **state)
{
	static const struct option_def general_again[] = {
		{ "general", "interval", OPTION_UINT, 0, 9, "1", "taken by core" },
	};
	static const struct option_def sort_again[] = {
		{ "syscalls", "sort", OPTION_STRING, 0, 0, "count", "taken by core" },
	};
	static struct option_def too_many[CONFIG_MAX_SETTINGS];
	const struct option_def *threshold = &fake_critical_options[FAKE_THRESHOLD_US];
	const struct option_def *trace = &fake_functions_options[FAKE_TRACE];
	char err[INI_ERROR_MAX], long_list[CONFIG_LIST_MAX + 1], *dump;
	const char *sections[] = { "\n[general]\n", "\n[syscalls]\n", "\nlatency = yes\n",
				   "\nsort = count\n", "\n[critical]\n", "\n[functions]\n",
				   "\n[export]\n", "\n[keys]\n" };
	const char *at;
	struct ktop_config cfg;
	size_t len;

	(void)state;
	config_defaults(&cfg);
	assert_int_equal(cfg.nsettings, 0);
	assert_int_equal(options_uint(&cfg, threshold), 100);
	assert_true(options_bool(&cfg, &fake_syscalls_options[FAKE_LATENCY]));
	assert_string_equal(options_text(&cfg, trace), "");
	assert_ptr_equal(options_find("critical", "threshold_us"), threshold);
	assert_null(options_find("critical", "nope"));

	assert_int_equal(options_set(&cfg, "critical", "threshold_us", "250", err, sizeof(err)), 0);
	assert_int_equal(options_set(&cfg, "critical", "threshold_us", "300", err, sizeof(err)), 0);
	assert_int_equal(options_uint(&cfg, threshold), 300);
	assert_int_equal(cfg.nsettings, 1);
	assert_int_equal(options_set(&cfg, "critical", "threshold_us", "0", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "threshold_us = 0 is out of range; expected 1 to 1e+07"));
	assert_int_equal(options_uint(&cfg, threshold), 300);
	assert_int_equal(options_uint(&cfg, &fake_critical_options[FAKE_TIMER_HZ]), 1000);

	/* the command line's own syntax: globs the file refuses */
	assert_int_equal(options_set(&cfg, "functions", "trace", "vfs_*", err, sizeof(err)), -1);
	assert_int_equal(options_set_text(&cfg, trace, "vfs_*, tcp_sendmsg"), 0);
	assert_string_equal(options_text(&cfg, trace), "vfs_*, tcp_sendmsg");
	memset(long_list, 'a', CONFIG_LIST_MAX);
	long_list[CONFIG_LIST_MAX] = '\0';
	assert_int_equal(options_set_text(&cfg, trace, long_list), -ENOSPC);
	assert_string_equal(options_text(&cfg, trace), "vfs_*, tcp_sendmsg");

	assert_int_equal(options_set(&cfg, "bogus", NULL, NULL, err, sizeof(err)), -1);
	assert_string_equal(err, "unknown section [bogus]; expected [general], [syscalls], "
			    "[critical], [functions], [export] or [keys]");
	assert_int_equal(options_set(&cfg, "critical", "nope", "1", err, sizeof(err)), -1);
	assert_string_equal(err, "unknown key 'nope' in [critical]; expected one of: "
			    "threshold_us timer_hz");

	/* registering is once per table; a taken key or too many options is refused */
	assert_int_equal(options_register(fake_critical_options, COUNT(fake_critical_options)), 0);
	assert_int_equal(options_register(general_again, 1), -EEXIST);
	assert_int_equal(options_register(sort_again, 1), -EEXIST);
	assert_int_equal(options_register(too_many, CONFIG_MAX_SETTINGS), -ENOSPC);

	/* [general] first, the collectors' in registry order, then core's others */
	config_defaults(&cfg);
	dump = dump_text(&cfg, &len);
	at = dump;
	for (size_t i = 0; i < COUNT(sections); i++) {
		at = strstr(at, sections[i]);
		if (!at)
			fail_msg("'%s' missing or out of order in:\n%s", sections[i], dump);
	}
	free(dump);
}

static void test_key_bindings(void **state)
{
	struct ktop_config cfg;
	char err[INI_ERROR_MAX];
	int quit = -1, older = -1, open = -1;
	const char *path;

	(void)state;
	for (unsigned int i = 0; i < ui_action_count; i++) {
		if (strcmp(ui_actions[i].name, "quit") == 0)
			quit = (int)i;
		if (strcmp(ui_actions[i].name, "older") == 0)
			older = (int)i;
		if (strcmp(ui_actions[i].name, "open") == 0)
			open = (int)i;
	}
	assert_true(quit >= 0 && older >= 0 && open >= 0);
	config_defaults(&cfg);
	ui_keys_bind(&cfg);
	assert_int_equal(ui_keys_action('q'), quit);
	assert_int_equal(ui_keys_action('\r'), open);
	assert_int_equal(ui_keys_action('['), older);

	/* 'q' moves to older: quit keeps 'Q' only; the old key of older is free */
	path = write_tmp("[keys]\nolder = q, Ctrl-B\n", 25);
	assert_int_equal(options_read_file(&cfg, path, err, sizeof(err)), 0);
	unlink(path);
	ui_keys_bind(&cfg);
	assert_int_equal(ui_keys_action('q'), older);
	assert_int_equal(ui_keys_action(2), older);
	assert_int_equal(ui_keys_action('Q'), quit);
	assert_int_equal(ui_keys_action('['), -1);
	config_defaults(&cfg);
	ui_keys_bind(&cfg);
}

static void test_themes(void **state)
{
	struct theme builtin, file;
	char err[INI_ERROR_MAX];

	(void)state;
	/* the files shipped in themes/ equal the compiled-in copies */
	for (int mono = 0; mono < 2; mono++) {
		const char *path = mono ? "themes/mono.theme" : "themes/default.theme";

		theme_builtin(&builtin, mono);
		theme_builtin(&file, false);
		assert_int_equal(access(path, R_OK), 0);
		assert_int_equal(theme_load(&file, mono ? "mono" : "default", err, sizeof(err)), 0);
		assert_memory_equal(builtin.role, file.role, sizeof(builtin.role));
	}
	assert_int_equal(theme_load(&file, "256", err, sizeof(err)), 0);
	assert_int_equal(file.role[theme_role_index("title")].bg, 25);
	assert_int_equal(theme_load(&file, "light", err, sizeof(err)), 0);
	assert_int_equal(file.role[theme_role_index("warning")].fg, 1);
	assert_int_equal(file.role[theme_role_index("warning")].attrs, THEME_BOLD);

	theme_builtin(&file, false);
#define BAD_THEME(text, message)                                                           \
	do {                                                                               \
		assert_int_equal(theme_parse_text(&file, "t.theme", text, sizeof(text) - 1, \
						  err, sizeof(err)), -EINVAL);             \
		if (!strstr(err, message))                                                 \
			fail_msg("got '%s', expected '%s'", err, message);                \
	} while (0)
	BAD_THEME("[colors]\nbogus = red, blue\n", "t.theme:2: unknown role 'bogus'");
	BAD_THEME("[colors]\ntitle = red\n", "t.theme:2: title = 'red'; expected");
	BAD_THEME("[colors]\ntitle = red, 300\n", "t.theme:2: title = 'red, 300' has a bad colour");
	BAD_THEME("[colors]\ntitle = purple, red\n", "t.theme:2: title = 'purple, red' has a bad");
	BAD_THEME("[colors]\n\ntitle = red, blue, blink\n", "t.theme:3: title = 'red, blue, "
		  "blink' has a bad attribute");
	BAD_THEME("[colours]\ntitle = red, blue\n", "t.theme:1: unknown section [colours]");
	BAD_THEME("", "t.theme:1: the file is empty");
}

static void test_theme_names(void **state)
{
	static const char *const bad[] = {
		"../../etc/passwd", "..", ".", "", "a/b", "/etc/shadow", "dark.theme", "a b",
		"x\ny", "0123456789012345678901234567890123",
	};
	struct theme t;
	char err[INI_ERROR_MAX];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_false(theme_name_valid(bad[i]));
		assert_int_equal(theme_load(&t, bad[i], err, sizeof(err)), -EINVAL);
		assert_non_null(strstr(err, "is not a theme name"));
	}
	assert_true(theme_name_valid("my-theme_2"));
	assert_int_equal(theme_load(&t, "no-such-theme", err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "no theme 'no-such-theme'"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_collector_settings),
		cmocka_unit_test(test_key_bindings),
		cmocka_unit_test(test_themes),
		cmocka_unit_test(test_theme_names),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
