/* SPDX-License-Identifier: GPL-2.0 */
/*
 * core/theme.h: colour themes, parsed here without curses and applied by ui/. A theme is
 * an INI file themes/NAME.theme with one section:
 *   [colors]
 *   role = foreground, background, attributes
 * colours: default, black, red, green, yellow, blue, magenta, cyan, white, bright-NAME, or
 * 0..255; attributes: none, or bold underline reverse dim standout joined by '+' or blanks.
 */
#ifndef KTOP_CORE_THEME_H
#define KTOP_CORE_THEME_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

#define THEME_ROLES 8
#define THEME_DEFAULT_COLOR (-1) /* the terminal's own */
#define THEME_MAX_LIST 32

enum theme_attr {
	THEME_BOLD = 1 << 0,
	THEME_UNDERLINE = 1 << 1,
	THEME_REVERSE = 1 << 2,
	THEME_DIM = 1 << 3,
	THEME_STANDOUT = 1 << 4,
};

struct theme_style {
	short fg, bg;       /* THEME_DEFAULT_COLOR or 0..255 */
	unsigned int attrs; /* enum theme_attr bits */
};

struct theme {
	char name[CONFIG_NAME_MAX + 1];
	struct theme_style role[THEME_ROLES];
};

/* "default", "header", "title", "columns", "selected", "bar", "warning", "footer" */
extern const char *const theme_role_names[THEME_ROLES];
int theme_role_index(const char *name);

/* [A-Za-z0-9_-]+, at most CONFIG_NAME_MAX: a name cannot leave the theme folders */
bool theme_name_valid(const char *name);
/* Parse theme text over t (roles not named keep their value); 0 or -EINVAL with err */
int theme_parse_text(struct theme *t, const char *origin, const char *text, size_t len,
		     char *err, size_t errlen);
/* The compiled-in default and mono themes */
void theme_builtin(struct theme *t, bool mono);
/*
 * Load theme name: from $XDG_CONFIG_HOME/ktop/themes (or ~/.config/ktop/themes),
 * KTOP_DATADIR/themes, then the themes/ folder next to the binary; "default" and "mono"
 * are also compiled in. 0, or -errno with a message ("FILE:LINE: ...") in err.
 */
int theme_load(struct theme *t, const char *name, char *err, size_t errlen);
/* Names of the themes that can be loaded, sorted; returns how many */
unsigned int theme_list(char names[][CONFIG_NAME_MAX + 1], unsigned int max);

#endif
