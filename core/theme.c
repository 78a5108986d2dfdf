// SPDX-License-Identifier: GPL-2.0
/* core/theme.c: finding, listing and parsing colour themes (curses-free; ui/ applies them). */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "ini_file.h"
#include "theme.h"

#ifndef KTOP_DATADIR
#define KTOP_DATADIR "/usr/local/share/ktop"
#endif

const char *const theme_role_names[THEME_ROLES] = {
	"default", "header", "title", "columns", "selected", "bar", "warning", "footer",
};

/* Also in themes/default.theme and themes/mono.theme (a unit test keeps them equal) */
static const char builtin_default[] =
	"[colors]\n"
	"default = default, default, none\n"
	"header = cyan, default, bold\n"
	"title = black, cyan, bold\n"
	"columns = black, green, none\n"
	"selected = black, cyan, none\n"
	"bar = green, default, bold\n"
	"warning = yellow, default, bold\n"
	"footer = black, cyan, none\n";

static const char builtin_mono[] =
	"[colors]\n"
	"default = default, default, none\n"
	"header = default, default, bold\n"
	"title = default, default, reverse + bold\n"
	"columns = default, default, reverse\n"
	"selected = default, default, reverse\n"
	"bar = default, default, bold\n"
	"warning = default, default, bold\n"
	"footer = default, default, reverse\n";

static const char *const color_names[] = {
	"black", "red", "green", "yellow", "blue", "magenta", "cyan", "white",
};

int theme_role_index(const char *name)
{
	for (int i = 0; i < THEME_ROLES; i++)
		if (strcmp(theme_role_names[i], name) == 0)
			return i;
	return -1;
}

bool theme_name_valid(const char *name)
{
	size_t n = 0;

	for (; name[n]; n++) {
		char c = name[n];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-'))
			return false;
	}
	return n > 0 && n <= CONFIG_NAME_MAX;
}

static int parse_color(const char *s, short *out)
{
	char *end;
	long v;

	if (strcasecmp(s, "default") == 0)
		return *out = THEME_DEFAULT_COLOR, 0;
	for (int i = 0; i < 8; i++) {
		if (strcasecmp(s, color_names[i]) == 0)
			return *out = (short)i, 0;
		if (strncasecmp(s, "bright-", 7) == 0 && strcasecmp(s + 7, color_names[i]) == 0)
			return *out = (short)(i + 8), 0;
	}
	if (*s < '0' || *s > '9')
		return -1;
	v = strtol(s, &end, 10);
	if (*end || v > 255)
		return -1;
	*out = (short)v;
	return 0;
}

static int parse_attrs(char *s, unsigned int *out)
{
	static const struct {
		const char *name;
		unsigned int bit;
	} names[] = {
		{ "none", 0 }, { "bold", THEME_BOLD }, { "underline", THEME_UNDERLINE },
		{ "reverse", THEME_REVERSE }, { "dim", THEME_DIM }, { "standout", THEME_STANDOUT },
	};
	char *save = NULL, *word;
	unsigned int attrs = 0;

	for (word = strtok_r(s, "+ \t", &save); word; word = strtok_r(NULL, "+ \t", &save)) {
		size_t i;

		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (strcasecmp(word, names[i].name) == 0)
				break;
		if (i == sizeof(names) / sizeof(names[0]))
			return -1;
		attrs |= names[i].bit;
	}
	*out = attrs;
	return 0;
}

static char *trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	return s;
}

static int theme_value(void *user, const char *section, const char *key, const char *value,
		       char *err, size_t errlen)
{
	struct theme *t = user;
	struct theme_style st = { THEME_DEFAULT_COLOR, THEME_DEFAULT_COLOR, 0 };
	char buf[256], *parts[3] = { NULL, NULL, NULL }, *save = NULL;
	int role, n = 0;

	if (strcmp(section, "colors") != 0) {
		snprintf(err, errlen, "unknown section [%s]; expected [colors]", section);
		return -1;
	}
	if (!key)
		return 0;
	role = theme_role_index(key);
	if (role < 0) {
		snprintf(err, errlen, "unknown role '%s'; expected one of:", key);
		for (int i = 0; i < THEME_ROLES; i++) {
			size_t used = strlen(err);

			snprintf(err + used, errlen - used, " %s", theme_role_names[i]);
		}
		return -1;
	}
	snprintf(buf, sizeof(buf), "%s", value);
	for (char *p = strtok_r(buf, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
		if (n == 3) {
			n++;
			break;
		}
		parts[n++] = trim(p);
	}
	if (n < 2 || n > 3) {
		snprintf(err, errlen, "%s = '%s'; expected foreground, background[, attributes]",
			 key, value);
		return -1;
	}
	if (parse_color(parts[0], &st.fg) < 0 || parse_color(parts[1], &st.bg) < 0) {
		snprintf(err, errlen, "%s = '%s' has a bad colour; expected default, a colour name "
			 "(black red green yellow blue magenta cyan white, bright-NAME) or 0 to 255",
			 key, value);
		return -1;
	}
	if (parts[2] && parse_attrs(parts[2], &st.attrs) < 0) {
		snprintf(err, errlen, "%s = '%s' has a bad attribute; expected none or bold, "
			 "underline, reverse, dim, standout joined by '+'", key, value);
		return -1;
	}
	t->role[role] = st;
	return 0;
}

int theme_parse_text(struct theme *t, const char *origin, const char *text, size_t len,
		     char *err, size_t errlen)
{
	return ini_text_parse(origin, text, len, theme_value, t, err, errlen);
}

void theme_builtin(struct theme *t, bool mono)
{
	const char *text = mono ? builtin_mono : builtin_default;
	char err[INI_ERROR_MAX];

	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "%s", mono ? "mono" : "default");
	if (theme_parse_text(t, "(built-in)", text, strlen(text), err, sizeof(err)) < 0)
		abort(); /* the compiled-in themes are part of the program */
}

/* The folders searched, most personal first; returns how many were filled */
static int theme_dirs(char dirs[3][PATH_MAX])
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	char exe[PATH_MAX];
	ssize_t n;
	int count = 0;

	if (xdg && *xdg)
		snprintf(dirs[count++], PATH_MAX, "%s/ktop/themes", xdg);
	else if (home && *home)
		snprintf(dirs[count++], PATH_MAX, "%s/.config/ktop/themes", home);
	snprintf(dirs[count++], PATH_MAX, "%s/themes", KTOP_DATADIR);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		char *slash;

		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			snprintf(dirs[count++], PATH_MAX, "%.*s/themes", PATH_MAX - 8, exe);
		}
	}
	return count;
}

int theme_load(struct theme *t, const char *name, char *err, size_t errlen)
{
	char dirs[3][PATH_MAX], path[PATH_MAX + CONFIG_NAME_MAX + 16];
	int ndirs, rc;

	if (!theme_name_valid(name)) {
		snprintf(err, errlen, "'%s' is not a theme name; expected letters, digits, '_' "
			 "or '-' (at most %d)", name, CONFIG_NAME_MAX);
		return -EINVAL;
	}
	ndirs = theme_dirs(dirs);
	for (int i = 0; i < ndirs; i++) {
		snprintf(path, sizeof(path), "%.4000s/%s.theme", dirs[i], name);
		theme_builtin(t, false); /* roles a file leaves out keep the default */
		rc = ini_file_parse(path, theme_value, t, err, errlen);
		if (rc == 0) {
			snprintf(t->name, sizeof(t->name), "%s", name);
			return 0;
		}
		if (rc != -ENOENT && !(rc == -EACCES && !ini_file_visible(path)))
			return rc;
	}
	if (strcmp(name, "default") == 0 || strcmp(name, "mono") == 0) {
		theme_builtin(t, strcmp(name, "mono") == 0);
		return 0;
	}
	snprintf(err, errlen, "no theme '%s'; expected a file %s.theme in %.300s", name, name,
		 ndirs ? dirs[0] : "");
	for (int i = 1; i < ndirs; i++) {
		size_t used = strlen(err);

		snprintf(err + used, errlen - used, "%s %.300s", i + 1 == ndirs ? " or" : ",",
			 dirs[i]);
	}
	return -ENOENT;
}

static int name_compare(const void *a, const void *b)
{
	return strcmp(a, b);
}

unsigned int theme_list(char names[][CONFIG_NAME_MAX + 1], unsigned int max)
{
	char dirs[3][PATH_MAX];
	int ndirs = theme_dirs(dirs);
	unsigned int n = 0;

	if (max < 2)
		return 0;
	snprintf(names[n++], CONFIG_NAME_MAX + 1, "default");
	snprintf(names[n++], CONFIG_NAME_MAX + 1, "mono");
	for (int i = 0; i < ndirs; i++) {
		DIR *d = opendir(dirs[i]);
		struct dirent *e;

		while (d && (e = readdir(d)) && n < max) {
			size_t len = strlen(e->d_name);
			char name[CONFIG_NAME_MAX + 1];
			bool seen = false;

			if (len <= 6 || len - 6 > CONFIG_NAME_MAX ||
			    strcmp(e->d_name + len - 6, ".theme") != 0)
				continue;
			snprintf(name, sizeof(name), "%.*s", (int)(len - 6), e->d_name);
			if (!theme_name_valid(name))
				continue;
			for (unsigned int j = 0; j < n; j++)
				seen |= strcmp(names[j], name) == 0;
			if (!seen)
				snprintf(names[n++], CONFIG_NAME_MAX + 1, "%s", name);
		}
		if (d)
			closedir(d);
	}
	qsort(names, n, sizeof(names[0]), name_compare);
	return n;
}
