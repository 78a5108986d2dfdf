// SPDX-License-Identifier: GPL-2.0
/*
 * ui/theme.c: a theme (core/theme.c parses it) turned into curses colour pairs and
 * attributes for this terminal. 256-colour numbers fold to the 8 basic colours when the
 * terminal has fewer; with no colours at all, or NO_COLOR set, the monochrome theme's
 * attributes are used so that titles and the selection still stand out.
 */
#include <curses.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/theme.h"
#include "ui_internal.h"

/* The theme role of each screen role; a role missing here looks like "default" */
static const char *const role_names[ROLE_COUNT] = {
	[ROLE_DEFAULT] = "default", [ROLE_HEADER] = "header",     [ROLE_TITLE] = "title",
	[ROLE_COLUMNS] = "columns", [ROLE_SELECTED] = "selected", [ROLE_BAR] = "bar",
	[ROLE_WARNING] = "warning", [ROLE_FOOTER] = "footer",
};

static bool colors_usable(void)
{
	const char *no_color = getenv("NO_COLOR");

	return has_colors() && !(no_color && *no_color);
}

/* A 256-colour number as one of the 8 basic colours (xterm's palette) */
static short color_fold(short c)
{
	int r, g, b, level;

	if (c < 16)
		return c & 7;
	if (c >= 232) { /* grey ramp */
		level = c - 232;
		return level < 12 ? COLOR_BLACK : COLOR_WHITE;
	}
	c -= 16;
	r = c / 36 >= 3;
	g = (c / 6) % 6 >= 3;
	b = c % 6 >= 3;
	return (short)(r * COLOR_RED + g * COLOR_GREEN + b * COLOR_BLUE);
}

static int attrs_of(unsigned int a)
{
	return (a & THEME_BOLD ? A_BOLD : 0) | (a & THEME_UNDERLINE ? A_UNDERLINE : 0) |
	       (a & THEME_REVERSE ? A_REVERSE : 0) | (a & THEME_DIM ? A_DIM : 0) |
	       (a & THEME_STANDOUT ? A_STANDOUT : 0);
}

int ui_theme_apply(struct ui *ui, const char *name)
{
	static bool started, default_colors;
	struct theme t;
	char err[512];
	bool color = colors_usable();

	if (theme_load(&t, name, err, sizeof(err)) < 0) {
		snprintf(ui->message, sizeof(ui->message), "theme %.20s: %.60s", name, err);
		return -ENOENT;
	}
	snprintf(ui->theme, sizeof(ui->theme), "%s", t.name);
	if (color && !started) {
		start_color();
		default_colors = use_default_colors() == OK;
		started = true;
	}
	if (!color || COLOR_PAIRS <= ROLE_COUNT) {
		struct theme mono;

		theme_builtin(&mono, true);
		for (int i = 0; i < ROLE_COUNT; i++) {
			int r = role_names[i] ? theme_role_index(role_names[i]) : 0;

			ui->attr[i] = attrs_of(mono.role[r < 0 ? 0 : r].attrs);
		}
		return 0;
	}
	for (int i = 0; i < ROLE_COUNT; i++) {
		int r = role_names[i] ? theme_role_index(role_names[i]) : 0;
		const struct theme_style *st = &t.role[r < 0 ? 0 : r];
		short fg = st->fg, bg = st->bg;

		if (fg >= COLORS)
			fg = color_fold(fg);
		if (bg >= COLORS)
			bg = color_fold(bg);
		if (!default_colors) {
			fg = fg < 0 ? COLOR_WHITE : fg;
			bg = bg < 0 ? COLOR_BLACK : bg;
		}
		if (fg == bg && fg >= 0) /* folded into the same colour: keep it readable */
			fg = bg == COLOR_BLACK ? COLOR_WHITE : COLOR_BLACK;
		ui->attr[i] = attrs_of(st->attrs);
		if (fg >= 0 || bg >= 0) {
			init_pair((short)(i + 1), fg, bg);
			ui->attr[i] |= (int)COLOR_PAIR(i + 1);
		}
	}
	return 0;
}

void ui_theme_cycle(struct ui *ui)
{
	char names[THEME_MAX_LIST][CONFIG_NAME_MAX + 1];
	unsigned int n = theme_list(names, THEME_MAX_LIST), next = 0;

	for (unsigned int i = 0; i < n; i++)
		if (strcmp(names[i], ui->theme) == 0)
			next = (i + 1) % n;
	if (n && ui_theme_apply(ui, names[next]) == 0) {
		snprintf(ui->message, sizeof(ui->message), "theme %s", ui->theme);
		clearok(curscr, TRUE);
	}
}
