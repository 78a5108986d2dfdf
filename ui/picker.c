// SPDX-License-Identifier: GPL-2.0
/*
 * ui/picker.c: the container picker. `c` opens it over the panes; typing narrows the
 * list (name, runtime or id containing the text), Enter switches every pane to the
 * highlighted container, Esc leaves things as they were. The first entry is the whole
 * machine. The list comes from the newest frame's containers table.
 */
#include <ctype.h>
#include <curses.h>
#include <string.h>
#include <strings.h>

#include "core/containers.h"
#include "core/format.h"
#include "ui_internal.h"

#define KEY_ESC 27
#define PICK_MAX 512

struct pick {
	const struct table_row *row; /* NULL: the whole machine */
};

static const struct table *containers_table_of(const struct frame *f)
{
	const struct table_schema *s = frame_schema_find("containers");

	return f && s ? frame_table_const(f, s) : NULL;
}

static bool contains(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	if (!hay)
		return false;
	for (; *hay; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return true;
	return n == 0;
}

/* The entries that match what was typed: the whole machine first, then the containers */
static unsigned int picks(const struct ui *ui, const struct frame *f, struct pick *out)
{
	const struct table *t = containers_table_of(f);
	unsigned int n = 0;

	if (!ui->search[0] || contains("all containers (whole machine)", ui->search))
		out[n++] = (struct pick){ NULL };
	for (unsigned int i = 0; t && i < t->nrows && n < PICK_MAX; i++) {
		const struct table_row *r = &t->rows[i];
		const char *runtime = container_runtime_names[r->v[0] < RUNTIME_COUNT ? r->v[0] : 0];

		if (r->v[0] == RUNTIME_HOST)
			continue;
		if (contains(r->name, ui->search) || contains(r->label, ui->search) ||
		    contains(runtime, ui->search))
			out[n++] = (struct pick){ r };
	}
	return n;
}

void picker_open(struct ui *ui)
{
	ui->picking = true;
	ui->search[0] = '\0';
	ui->pick_index = 0;
}

void picker_draw(struct ui *ui, const struct frame *f)
{
	static struct pick list[PICK_MAX + 1];
	unsigned int n = picks(ui, f, list);
	int top = 2, y;

	attrset(ui->attr[ROLE_TITLE]);
	mvhline(top, 0, ' ', COLS);
	mvaddnstr(top, 0, " Containers: type to search, Enter switches every pane, Esc cancels ",
		  COLS);
	attrset(ui->attr[ROLE_DEFAULT]);
	mvprintw(top + 1, 1, "search: %s", ui->search);
	attrset(ui->attr[ROLE_COLUMNS]);
	mvhline(top + 2, 0, ' ', COLS);
	mvprintw(top + 2, 0, " %-24s %-10s %-14s %6s", "NAME", "RUNTIME", "ID", "PROCS");
	if (ui->pick_index >= n)
		ui->pick_index = n ? n - 1 : 0;
	y = top + 3;
	for (unsigned int i = 0; i < n && y < LINES - 1; i++, y++) {
		const struct table_row *r = list[i].row;

		attrset(ui->attr[i == ui->pick_index ? ROLE_SELECTED : ROLE_DEFAULT]);
		mvhline(y, 0, ' ', COLS);
		if (!r)
			mvaddnstr(y, 1, "all containers (whole machine)", COLS - 1);
		else
			mvprintw(y, 0, " %-24.24s %-10s %-14.14s %6llu", r->name ? r->name : "",
				 container_runtime_names[r->v[0] < RUNTIME_COUNT ? r->v[0] : 0],
				 r->label ? r->label : "", (unsigned long long)r->v[1]);
	}
	attrset(ui->attr[ROLE_DEFAULT]);
	if (n == 0)
		mvaddnstr(y, 1, "(no container matches)", COLS - 1);
}

static void pick_select(const struct table_row *r)
{
	const struct container *c;

	if (!r) {
		containers_select(NULL);
		return;
	}
	/* the full id (the row shows the short one); a container gone since the frame was
	 * drawn is asked for by what the row said, and the header then says it stopped */
	c = containers_by_key(r->key);
	containers_select(c ? c->id : r->label);
}

void picker_key(struct ui *ui, int key)
{
	static struct pick list[PICK_MAX + 1];
	unsigned int n = picks(ui, ui_frame(ui), list);
	size_t len = strlen(ui->search);

	switch (key) {
	case KEY_ESC:
		ui->picking = false;
		break;
	case '\n':
	case '\r':
	case KEY_ENTER:
		if (ui->pick_index < n)
			pick_select(list[ui->pick_index].row);
		ui->picking = false;
		break;
	case KEY_UP:
		if (ui->pick_index > 0)
			ui->pick_index--;
		break;
	case KEY_DOWN:
		if (ui->pick_index + 1 < n)
			ui->pick_index++;
		break;
	case KEY_BACKSPACE:
	case 127:
	case 8:
		if (len)
			ui->search[len - 1] = '\0';
		ui->pick_index = 0;
		break;
	default:
		if (key > 0 && key < 127 && isprint(key) && len + 1 < sizeof(ui->search)) {
			ui->search[len] = (char)key;
			ui->search[len + 1] = '\0';
			ui->pick_index = 0;
		}
	}
}
