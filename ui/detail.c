// SPDX-License-Identifier: GPL-2.0
/*
 * ui/detail.c: the drill-down view of one row: the way down to it, its figures, histograms
 * and detail table.
 */
#include <curses.h>
#include <string.h>

#include "core/format.h"
#include "ui_internal.h"

void draw_histogram(struct ui *ui, const struct hist *h, const char *title, int top,
		    int height)
{
	static const char *const eighths[] = { "", "\u258f", "\u258e", "\u258d", "\u258c",
					       "\u258b", "\u258a", "\u2589" };
	int first = HIST_SLOTS, last = -1, label_w = 20, bar_w = COLS - label_w - 12;
	uint32_t peak = 0;

	attrset(ui->attr[ROLE_TITLE]);
	mvhline(top, 0, ' ', COLS);
	mvaddnstr(top, 0, title, COLS);
	attrset(ui->attr[ROLE_DEFAULT]);
	for (int i = 0; h && i < HIST_SLOTS; i++)
		if (h->slot[i]) {
			if (first == HIST_SLOTS)
				first = i;
			last = i;
			if (h->slot[i] > peak)
				peak = h->slot[i];
		}
	if (last < 0 || bar_w < 4) {
		mvaddstr(top + 1, 1, "(no samples in this interval)");
		return;
	}
	for (int i = first, y = top + 1; i <= last && y < top + height; i++, y++) {
		char lo[16], hi[16], label[40], count[16];
		double cells = (double)h->slot[i] * bar_w / peak;
		int full = (int)cells;

		format_duration((double)hist_slot_floor(i), lo, sizeof(lo));
		format_duration((double)((uint64_t)1 << (i + 1)), hi, sizeof(hi));
		snprintf(label, sizeof(label), "%8s - %-8s", lo, hi);
		mvaddnstr(y, 0, label, label_w);
		format_count(h->slot[i], count, sizeof(count));
		mvprintw(y, label_w, "%9s ", count);
		attrset(ui->attr[ROLE_BAR]);
		move(y, label_w + 10);
		for (int c = 0; c < full; c++)
			addstr(ui->utf8 ? "\u2588" : "#");
		if (ui->utf8 && cells - full > 0.125)
			addstr(eighths[(int)((cells - full) * 8)]);
		else if (!ui->utf8 && full == 0)
			addstr(".");
		attrset(ui->attr[ROLE_DEFAULT]);
	}
}

/* Where the drill-down is: "System calls > read > 1234 ktop" (the table under it is titled) */
static void breadcrumb(struct ui *ui, char *buf, size_t len)
{
	const struct frame *f = ui_frame(ui);
	const struct table *top = f ? frame_table_const(f, ui->trail[0].table) : NULL;
	size_t used;

	used = (size_t)snprintf(buf, len, " %s", top ? table_title(top) : ui->trail[0].table->title);
	for (unsigned int i = 0; i < ui->depth && used < len; i++) {
		const struct focus *fo = &ui->trail[i];
		const struct table *t = f ? frame_table_const(f, fo->table) : NULL;
		const struct table_row *r = t ? table_find_row(t, fo->key) : NULL;

		if (r && r->name && fo->table->columns[0].kind == COL_ID)
			used += (size_t)snprintf(buf + used, len - used, " > %llu %s",
						 (unsigned long long)fo->key, r->name);
		else if (r && r->name)
			used += (size_t)snprintf(buf + used, len - used, " > %s", r->name);
		else
			used += (size_t)snprintf(buf + used, len - used, " > #%llu",
						 (unsigned long long)fo->key);
	}
}

void detail_draw(struct ui *ui, const struct frame *f)
{
	const struct focus *fo = &ui->trail[ui->depth - 1];
	const struct table *t = f ? frame_table_const(f, fo->table) : NULL;
	const struct table_row *r = t ? table_find_row(t, fo->key) : NULL;
	const struct table_schema *s = fo->table;
	int y = 2, hist_h, rest;
	char line[512], cell[64];
	size_t used = 0;

	attrset(ui->attr[ROLE_TITLE]);
	mvhline(y, 0, ' ', COLS);
	/* the way down has this line of its own: the footer keeps the keys */
	breadcrumb(ui, line, sizeof(line));
	if (!r) {
		size_t used = strlen(line);

		snprintf(line + used, sizeof(line) - used, " (not active in this interval)");
	}
	mvaddnstr(y++, 0, line, COLS);
	attrset(ui->attr[ROLE_DEFAULT]);
	if (r) {
		for (unsigned int c = 0; c < s->ncolumns && used < sizeof(line); c++) {
			if (s->columns[c].kind == COL_NAME)
				continue;
			format_cell(t, r, c, f->interval_s, cell, sizeof(cell));
			used += snprintf(line + used, sizeof(line) - used, "%s %s   ",
					 s->columns[c].title, cell);
		}
		mvaddnstr(y, 1, line, COLS - 1);
	}
	y += 2;
	rest = LINES - y - 1;
	hist_h = s->drill ? rest / 2 : rest;
	if (s->hist_count > 1)
		hist_h = s->drill ? rest / 3 : rest / 2;
	for (unsigned int h = 0; h < s->hist_count; h++) {
		const struct hist *hist = r ? frame_row_hist_const(f, r, h) : NULL;
		char title[128];
		uint64_t p50 = hist ? hist_quantile(hist, 0.5) : 0;
		uint64_t p99 = hist ? hist_quantile(hist, 0.99) : 0;
		char a[16], b[16];

		snprintf(title, sizeof(title), " %s distribution   p50 ~%s   p99 ~%s",
			 s->hist_names[h], format_duration((double)p50, a, sizeof(a)),
			 format_duration((double)p99, b, sizeof(b)));
		draw_histogram(ui, hist, title, y, hist_h);
		y += hist_h;
	}
	if (s->drill) {
		int drill_h = s->drill_also ? (LINES - y - 1) / 2 : LINES - y - 1;

		ui->detail.schema = s->drill;
		pane_draw(ui, &ui->detail, f, (struct layout_box){ 0, y, COLS, drill_h }, true);
		y += drill_h;
	}
	if (s->drill && s->drill_also) {
		if (ui->detail_also.schema != s->drill_also) {
			pane_view_free(&ui->detail_also);
			ui->detail_also = (struct pane_view){
				.schema = s->drill_also,
				.sort_column = (int)s->drill_also->sort_column
			};
		}
		pane_draw(ui, &ui->detail_also, f, (struct layout_box){ 0, y, COLS, LINES - y - 1 },
			  false);
	}
}
