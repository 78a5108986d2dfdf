// SPDX-License-Identifier: GPL-2.0
/*
 * ui/screen.c: the full-screen sink. Terminal set-up and tear-down, the layout (header,
 * panes, footer), keys. The view is a function of (frame, view state): drawing never
 * reads /proc or maps. One doupdate() per redraw, so curses sends only changed cells.
 */
#include <curses.h>
#include <langinfo.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/format.h"
#include "ui.h"
#include "ui_internal.h"

static struct ui the_ui;

const struct frame *ui_frame(const struct ui *ui)
{
	return history_get(&ui->k->history, ui->paused ? ui->age : 0);
}

static void colors_init(struct ui *ui)
{
	ui->attr[ROLE_DEFAULT] = A_NORMAL;
	ui->attr[ROLE_HEADER] = A_BOLD;
	ui->attr[ROLE_TITLE] = A_REVERSE | A_BOLD;
	ui->attr[ROLE_COLUMNS] = A_REVERSE;
	ui->attr[ROLE_SELECTED] = A_REVERSE;
	ui->attr[ROLE_BAR] = A_BOLD;
	ui->attr[ROLE_WARNING] = A_BOLD;
	ui->attr[ROLE_FOOTER] = A_REVERSE;
	if (!has_colors() || getenv("NO_COLOR"))
		return;
	start_color();
	use_default_colors();
	init_pair(1, COLOR_BLACK, COLOR_CYAN);
	init_pair(2, COLOR_BLACK, COLOR_GREEN);
	init_pair(3, COLOR_GREEN, -1);
	init_pair(4, COLOR_YELLOW, -1);
	init_pair(5, COLOR_CYAN, -1);
	ui->attr[ROLE_HEADER] = COLOR_PAIR(5) | A_BOLD;
	ui->attr[ROLE_TITLE] = COLOR_PAIR(1) | A_BOLD;
	ui->attr[ROLE_COLUMNS] = COLOR_PAIR(2);
	ui->attr[ROLE_SELECTED] = COLOR_PAIR(1);
	ui->attr[ROLE_BAR] = COLOR_PAIR(3) | A_BOLD;
	ui->attr[ROLE_WARNING] = COLOR_PAIR(4) | A_BOLD;
	ui->attr[ROLE_FOOTER] = COLOR_PAIR(1);
}

/* ktop's own cost: "self 0.4% cpu 17.9M bpf 3.1ms/s" and lost events, if any */
static size_t draw_self_cost(struct ui *ui, const struct frame *f, char *line, size_t len)
{
	char bpf[16], rss[16], dropped[16];
	size_t used;

	line[0] = '\0';
	if (!f)
		return 0;
	format_count((double)f->self.rss_kb * 1024, rss, sizeof(rss));
	used = (size_t)snprintf(line, len, "self %.1f%% cpu %sB", f->self.cpu_pct, rss);
	if (f->self.bpf_stats && f->interval_s > 0)
		used += (size_t)snprintf(line + used, len - used, " bpf %s/s",
					 format_duration(f->self.bpf_run_ns / f->interval_s, bpf,
							 sizeof(bpf)));
	if (f->self.dropped) {
		format_count((double)f->self.dropped, dropped, sizeof(dropped));
		used += (size_t)snprintf(line + used, len - used, " DROPPED %s", dropped);
	}
	(void)ui;
	return used < len ? used : len - 1;
}

static void draw_header(struct ui *ui, const struct frame *f)
{
	struct ktop *k = ui->k;
	char line[512], when[16] = "--:--:--";
	size_t used;

	if (f) {
		struct tm tm;

		localtime_r(&f->wall.tv_sec, &tm);
		strftime(when, sizeof(when), "%H:%M:%S", &tm);
	}
	attrset(ui->attr[ROLE_HEADER]);
	snprintf(line, sizeof(line), "ktop %s  %s  %s  %d CPUs  %s  every %.2gs  %s%s",
		 KTOP_VERSION, k->hostname, k->kernel, k->ncpus, when, k->cfg.interval_s,
		 k->cfg.container ? "container " : "all containers",
		 k->cfg.container ? k->cfg.container : "");
	mvaddnstr(0, 0, line, COLS);
	if (ui->paused) {
		attrset(ui->attr[ROLE_WARNING]);
		snprintf(line, sizeof(line), " PAUSED -%u ", ui->age);
		mvaddstr(0, COLS - (int)strlen(line), line);
	}
	attrset(ui->attr[ROLE_DEFAULT]);
	used = draw_self_cost(ui, f, line, sizeof(line));
	for (unsigned int i = 0; i < k->ncollectors && used < sizeof(line); i++) {
		const struct collector *c = &k->collectors[i];

		used += snprintf(line + used, sizeof(line) - used, "  %s: %s", c->ops->name,
				 c->running ? "ok" : c->reason);
	}
	mvaddnstr(1, 0, line, COLS);
}

static void draw_footer(struct ui *ui)
{
	static const char keys[] =
		" q quit  Enter open  Esc back  Tab pane  < > sort  r reverse  space pause  ? help";

	attrset(ui->attr[ROLE_FOOTER]);
	mvhline(LINES - 1, 0, ' ', COLS);
	mvaddnstr(LINES - 1, 0, keys, COLS);
	if (ui->depth > 0) {
		char crumb[160];

		snprintf(crumb, sizeof(crumb), " %s > %s ", ui->trail[0].table->title,
			 ui->trail[ui->depth - 1].table->drill
				 ? ui->trail[ui->depth - 1].table->drill->title
				 : "detail");
		mvaddnstr(LINES - 1, COLS - (int)strlen(crumb), crumb, COLS);
	}
	attrset(ui->attr[ROLE_DEFAULT]);
}

static void draw_main(struct ui *ui, const struct frame *f)
{
	int top = 2, avail = LINES - 3, each, extra;

	if (ui->npanes == 0 || avail < 3)
		return;
	/* the focused pane gets half the room, the others share the rest */
	if (ui->npanes == 1) {
		pane_draw(ui, &ui->panes[0], f, top, avail, true);
		return;
	}
	extra = avail / 2;
	each = (avail - extra) / (int)ui->npanes;
	if (each < 3) {
		each = 0;
		extra = avail;
	}
	for (unsigned int i = 0; i < ui->npanes; i++) {
		int h = each + (i == ui->focused ? extra : 0);

		if (i == ui->npanes - 1)
			h = LINES - 1 - top;
		if (h < 2)
			continue;
		pane_draw(ui, &ui->panes[i], f, top, h, i == ui->focused);
		top += h;
	}
}

static void redraw(struct ui *ui)
{
	const struct frame *f = ui_frame(ui);

	erase();
	if (LINES < 8 || COLS < 40) {
		mvaddnstr(0, 0, "ktop: terminal too small", COLS);
	} else {
		draw_header(ui, f);
		if (ui->help)
			help_draw(ui);
		else if (ui->depth > 0)
			detail_draw(ui, f);
		else
			draw_main(ui, f);
		draw_footer(ui);
	}
	wnoutrefresh(stdscr);
	doupdate();
	ui->dirty = false;
}

/* An alternate view is reached from its pane, not shown as a pane of its own */
static bool is_alternate_of_earlier(const struct table_schema *s, unsigned int before)
{
	for (unsigned int i = 0; i < before; i++)
		if (frame_schema(i)->alternate == s)
			return true;
	return false;
}

static int screen_start(struct ktop *k)
{
	struct ui *ui = &the_ui;

	memset(ui, 0, sizeof(*ui));
	ui->k = k;
	k->sink_state = ui;
	setlocale(LC_ALL, "");
	ui->utf8 = !k->cfg.ascii && strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	if (!isatty(STDOUT_FILENO)) {
		fprintf(stderr, "ktop: the screen needs a terminal; use -b or -J for batch "
				"output\n");
		return 1;
	}
	if (!newterm(NULL, stdout, stdin)) {
		fprintf(stderr, "ktop: cannot use terminal type '%s'\n",
			getenv("TERM") ? getenv("TERM") : "(unset)");
		return 1;
	}
	set_escdelay(25);
	cbreak();
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	curs_set(0);
	colors_init(ui);
	for (unsigned int i = 0; i < frame_schema_count() && ui->npanes < UI_MAX_PANES; i++) {
		const struct table_schema *s = frame_schema(i);

		if (!s->pane || (i > 0 && is_alternate_of_earlier(s, i)))
			continue;
		ui->panes[ui->npanes].schema = s;
		ui->panes[ui->npanes].sort_column = (int)s->sort_column;
		ui->npanes++;
	}
	redraw(ui);
	return 0;
}

static void screen_frame(struct ktop *k)
{
	struct ui *ui = k->sink_state;

	if (ui->paused) { /* the frame on screen moved one back in history */
		if (ui->age + 1 < k->history.count)
			ui->age++;
		return;
	}
	redraw(ui);
}

static bool screen_input(struct ktop *k)
{
	struct ui *ui = k->sink_state;
	int key, keys = 0;

	while ((key = getch()) != ERR) {
		keys++;
		if (key == KEY_RESIZE) {
			ui->dirty = true;
			continue;
		}
		if (ui->help) {
			ui->help = false;
			ui->dirty = true;
			continue;
		}
		if (ui_action_key(ui, key))
			ui->dirty = true;
		if (k->quit)
			return false;
	}
	/* readable yet nothing to read, several times over: stdin is at EOF */
	ui->eof_strikes = keys ? 0 : ui->eof_strikes + 1;
	if (ui->eof_strikes >= 3)
		return false;
	if (ui->dirty)
		redraw(ui);
	return true;
}

static void screen_stop(struct ktop *k)
{
	(void)k;
	if (!isendwin())
		endwin();
}

const struct sink_ops screen_sink = {
	.name = "screen",
	.reads_stdin = true,
	.start = screen_start,
	.frame = screen_frame,
	.input = screen_input,
	.stop = screen_stop,
};
