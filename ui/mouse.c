// SPDX-License-Identifier: GPL-2.0
/*
 * ui/mouse.c: the mouse on the screen, as htop and csysdig have it. A click on a pane
 * focuses it; on its column titles it sorts by the column clicked (again: the other way);
 * on a row it selects the row, and a second click on that row within UI_DOUBLE_CLICK_MS
 * opens it. The wheel moves the selection of the pane under the pointer. Curses reports
 * presses only (ui/screen.c), so that no key waits behind a click being resolved: double
 * clicks are told apart here.
 */
#include <curses.h>
#include <time.h>

#include "ui_internal.h"

#define WHEEL_ROWS 3 /* rows one notch of the wheel moves */

static struct {
	uint64_t ms;
	int y, x;
	const struct pane_view *v;
} last_click;

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static bool inside(const struct layout_box *b, int y, int x)
{
	return b->height > 0 && y >= b->y && y < b->y + b->height && x >= b->x &&
	       x < b->x + b->width;
}

/* Sort v by the column whose title is under x; the column it is sorted by: the other way */
static void sort_at(struct pane_view *v, int x)
{
	for (unsigned int c = 0; c < v->ncolumns_drawn; c++) {
		if (x < v->column_x[c] || x >= v->column_x[c + 1])
			continue;
		if (v->sort_column == (int)c) {
			v->ascending = !v->ascending;
		} else {
			v->sort_column = (int)c;
			v->ascending = false;
		}
		v->nshown = 0; /* a new order, not a steadier old one */
		return;
	}
}

/* A click in v at (y, x): sorts or selects; true when a row was selected */
static bool click_in(struct pane_view *v, int y, int x)
{
	int line = y - v->box.y - 2;

	if (v->folded)
		return false;
	if (y == v->box.y + 1) {
		sort_at(v, x);
		return false;
	}
	if (line < 0 || line >= (int)v->nlines)
		return false;
	v->selected_key = v->line_keys[line];
	v->has_selection = true;
	return true;
}

void ui_mouse(struct ui *ui)
{
	struct pane_view *v = NULL;
	unsigned int pane = 0;
	uint64_t now, first;
	bool twice;
	MEVENT ev;

	if (getmouse(&ev) != OK)
		return;
	if (ui->help) { /* like any key: closes the help */
		ui->help = false;
		return;
	}
	if (ui->picking || ui->filter_editing)
		return;
	if (ui->depth > 0) {
		if (inside(&ui->detail.box, ev.y, ev.x))
			v = &ui->detail;
	} else {
		for (unsigned int i = 0; i < ui->npanes && !v; i++)
			if (inside(&ui->panes[i].box, ev.y, ev.x))
				v = &ui->panes[i], pane = i;
	}
	if (!v)
		return;
	if (ui->depth == 0)
		ui->focused = pane;
	if (ev.bstate & (BUTTON4_PRESSED | BUTTON5_PRESSED)) {
		pane_move(v, ui_frame(ui), ev.bstate & BUTTON4_PRESSED ? -WHEEL_ROWS : WHEEL_ROWS);
		return;
	}
	if (!(ev.bstate & BUTTON1_PRESSED))
		return;
	now = now_ms();
	twice = last_click.ms && now - last_click.ms <= UI_DOUBLE_CLICK_MS && last_click.y == ev.y &&
		last_click.v == v;
	first = v->selected_key;
	if (!click_in(v, ev.y, ev.x))
		return;
	if (twice) {
		/* the row the first click chose: a pane that click focused shows the newest
		 * frame since, and another row may stand on that line now (ui/screen.c) */
		v->selected_key = first;
		last_click.ms = 0; /* a third click starts again */
		ui_action_run(ui, "open");
		return;
	}
	last_click.ms = now;
	last_click.y = ev.y;
	last_click.x = ev.x;
	last_click.v = v;
}
