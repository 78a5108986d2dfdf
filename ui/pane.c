// SPDX-License-Identifier: GPL-2.0
/* ui/pane.c: one table drawn as a scrollable, sortable list with a highlighted selection. */
#include <curses.h>
#include <string.h>

#include "core/format.h"
#include "ui_internal.h"

static struct table *view_table(const struct pane_view *v, const struct frame *f)
{
	return f ? frame_table((struct frame *)f, v->schema) : NULL;
}

static int selected_index(const struct pane_view *v, const struct table *t)
{
	if (!t || t->nrows == 0)
		return -1;
	if (v->has_selection)
		for (unsigned int i = 0; i < t->nrows; i++)
			if (t->rows[i].key == v->selected_key)
				return (int)i;
	return 0;
}

const struct table_row *pane_selected(const struct pane_view *v, const struct frame *f)
{
	struct table *t = view_table(v, f);
	int i = selected_index(v, t);

	return i < 0 ? NULL : &t->rows[i];
}

void pane_move(struct pane_view *v, const struct frame *f, int delta)
{
	struct table *t = view_table(v, f);
	int i = selected_index(v, t);

	if (i < 0)
		return;
	i += delta;
	if (i < 0)
		i = 0;
	if (i >= (int)t->nrows)
		i = (int)t->nrows - 1;
	v->selected_key = t->rows[i].key;
	v->has_selection = true;
}

void pane_move_to(struct pane_view *v, const struct frame *f, bool end)
{
	struct table *t = view_table(v, f);

	if (!t || t->nrows == 0)
		return;
	v->selected_key = t->rows[end ? t->nrows - 1 : 0].key;
	v->has_selection = true;
}

/* Columns that fit in width, dropping from the right (the name column always stays) */
static unsigned int columns_that_fit(const struct table_schema *s, int width)
{
	int used = 0;
	unsigned int n = 0;

	for (; n < s->ncolumns; n++) {
		int w = s->columns[n].width + 1;

		if (used + w > width && n > 0)
			break;
		used += w;
	}
	return n;
}

static void draw_row_cells(struct ui *ui, const struct table *t, const struct table_row *r,
			   unsigned int ncols, double interval_s, int y, int width)
{
	const struct table_schema *s = t->schema;
	char cell[128];
	int x = 0;

	for (unsigned int c = 0; c < ncols && x < width; c++) {
		const struct table_column *col = &s->columns[c];
		int w = col->width;

		/* the name column takes what is left over */
		if (col->kind == COL_NAME && c + 1 == ncols)
			w = width - x - 1;
		if (r)
			format_cell(t, r, c, interval_s, cell, sizeof(cell));
		else
			snprintf(cell, sizeof(cell), "%s", col->title);
		if (col->kind == COL_NAME)
			mvprintw(y, x, "%-*.*s", w, w, cell);
		else
			mvprintw(y, x, "%*.*s", w, w, cell);
		x += w + 1;
	}
	(void)ui;
}

void pane_draw(struct ui *ui, struct pane_view *v, const struct frame *f, int top, int height,
	       bool focused)
{
	const struct table_schema *s = v->schema;
	struct table *t = view_table(v, f);
	int width = COLS, sel, rows;
	unsigned int ncols = columns_that_fit(s, width);
	char title[160];

	if (height < 2)
		return;
	attrset(ui->attr[focused ? ROLE_TITLE : ROLE_COLUMNS]);
	mvhline(top, 0, ' ', width);
	snprintf(title, sizeof(title), " %s%s  sort: %s%s ", s->title, focused ? " *" : "",
		 s->columns[v->sort_column].title, v->ascending ? " (asc)" : "");
	mvaddnstr(top, 0, title, width);
	attrset(ui->attr[ROLE_COLUMNS] | A_BOLD);
	mvhline(top + 1, 0, ' ', width);
	if (t)
		draw_row_cells(ui, t, NULL, ncols, 0, top + 1, width);
	attrset(ui->attr[ROLE_DEFAULT]);
	rows = height - 2;
	v->visible_rows = rows;
	if (!t || t->nrows == 0) {
		if (rows > 0)
			mvaddnstr(top + 2, 1, f ? "(nothing in this interval)" : "(collecting...)",
				  width - 1);
		return;
	}
	table_sort(t, (unsigned int)v->sort_column, v->ascending, f->interval_s);
	sel = selected_index(v, t);
	if (sel < v->scroll)
		v->scroll = sel;
	if (sel >= v->scroll + rows)
		v->scroll = sel - rows + 1;
	if (v->scroll > (int)t->nrows - rows)
		v->scroll = (int)t->nrows - rows;
	if (v->scroll < 0)
		v->scroll = 0;
	v->selected_line = sel;
	for (int i = 0; i < rows && v->scroll + i < (int)t->nrows; i++) {
		int index = v->scroll + i;
		bool is_sel = index == sel && focused;

		attrset(ui->attr[is_sel ? ROLE_SELECTED : ROLE_DEFAULT]);
		if (is_sel)
			mvhline(top + 2 + i, 0, ' ', width);
		draw_row_cells(ui, t, &t->rows[index], ncols, f->interval_s, top + 2 + i, width);
	}
	attrset(ui->attr[ROLE_DEFAULT]);
	if ((int)t->nrows > rows && rows > 0) {
		char more[64];

		snprintf(more, sizeof(more), " %d-%d/%u ", v->scroll + 1, v->scroll + rows,
			 t->nrows);
		mvaddstr(top, width - (int)strlen(more) - 1, more);
	}
}
