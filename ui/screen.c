// SPDX-License-Identifier: GPL-2.0
/*
 * ui/screen.c: the full-screen sink. Terminal set-up and tear-down, the screen (header,
 * panes placed by ui/layout.c, footer), keys and mouse. The view is a function of (frame,
 * view state): drawing never reads /proc or maps. One doupdate() per redraw, so curses
 * sends only changed cells.
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

/* panes not focused take a new frame at least every this many frames (see pane_frame) */
#define UI_SIDE_FRAMES 64

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
	/* the theme was checked before the screen started; these stay if it went since */
	ui_theme_apply(ui, ui->k->cfg.theme);
}

/* ktop's own cost: "self 0.4% cpu 17.9M bpf 3.1ms/s" and lost events, if any */
static size_t draw_self_cost(struct ui *ui, const struct frame *f, char *line, size_t len)
{
	char bpf[16], rss[16], dropped[16], cpu[16];
	size_t used;

	line[0] = '\0';
	if (!f)
		return 0;
	if (ui->header_epoch != ui->full_redraws) {
		memset(ui->self_cost, 0, sizeof(ui->self_cost));
		ui->header_epoch = ui->full_redraws;
	}
	/* damped like the panes' numbers: they move a little every frame */
	snprintf(cpu, sizeof(cpu), "%.1f", f->self.cpu_pct);
	format_count((double)f->self.rss_kb * 1024, rss, sizeof(rss));
	used = (size_t)snprintf(line, len, "self %s%% cpu %sB",
				damp_cell_text(&ui->self_cost[0], f->self.cpu_pct, 0, cpu, f->seq,
					       ui->paused),
				damp_cell_text(&ui->self_cost[1], (double)f->self.rss_kb, 0, rss, f->seq,
					       ui->paused));
	if (f->self.bpf_stats) {
		format_duration(f->self.bpf_ns_per_s, bpf, sizeof(bpf));
		used += (size_t)snprintf(line + used, len - used, " bpf %s/s",
					 damp_cell_text(&ui->self_cost[2], f->self.bpf_ns_per_s, 0,
							bpf, f->seq, ui->paused));
	}
	if (f->self.dropped) {
		format_count((double)f->self.dropped, dropped, sizeof(dropped));
		used += (size_t)snprintf(line + used, len - used, " DROPPED %s", dropped);
	}
	return used < len ? used : len - 1;
}

static void draw_header(struct ui *ui, const struct frame *f)
{
	struct ktop *k = ui->k;
	char line[512], when[16] = "--:--:--", state[COLLECTOR_REASON_MAX + 32];
	size_t used;

	if (f) {
		struct tm tm;

		localtime_r(&f->wall.tv_sec, &tm);
		strftime(when, sizeof(when), "%H:%M:%S", &tm);
	}
	attrset(ui->attr[ROLE_HEADER]);
	snprintf(line, sizeof(line), "ktop %s  %s  %s  %d CPUs  %s  every %.2gs  %s",
		 KTOP_VERSION, k->hostname, k->kernel, k->ncpus, when, k->cfg.interval_s,
		 f && f->container_text ? f->container_text : "all containers");
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
				 collector_state(c, state, sizeof(state)));
	}
	mvaddnstr(1, 0, line, COLS);
}

/* The key hints on the left, from the action table; a note (interval 2s) on the right */
static void draw_footer(struct ui *ui)
{
	char hints[512], note[sizeof(ui->message) + 2] = "";
	int room = COLS;

	attrset(ui->attr[ROLE_FOOTER]);
	mvhline(LINES - 1, 0, ' ', COLS);
	if (ui->message[0]) {
		snprintf(note, sizeof(note), " %s ", ui->message);
		room -= (int)strlen(note) + 1;
		mvaddnstr(LINES - 1, COLS - (int)strlen(note) > 0 ? COLS - (int)strlen(note) : 0,
			  note, COLS);
	}
	if (ui->filter_editing)
		snprintf(hints, sizeof(hints), " filter: type a name, Enter keeps it, Esc clears it");
	else
		ui_action_hints(hints, sizeof(hints), room);
	mvaddnstr(LINES - 1, 0, hints, room > 0 ? room : 0);
	attrset(ui->attr[ROLE_DEFAULT]);
}

/*
 * Too few lines for every pane's title: one line of tabs, "1 syscalls  2 processes ...",
 * the focused one highlighted, a pane with something new marked with "!"
 */
static void draw_tabs(struct ui *ui, int y)
{
	/* names cut to what leaves every tab on the line */
	int x = 0, name_w = COLS / (int)ui->npanes - 4;

	attrset(ui->attr[ROLE_COLUMNS]);
	mvhline(y, 0, ' ', COLS);
	for (unsigned int i = 0; i < ui->npanes && x < COLS; i++) {
		struct pane_view *v = &ui->panes[i];
		char tab[64];
		int w = snprintf(tab, sizeof(tab), " %u %.*s%s ", i + 1, name_w > 3 ? name_w : 3,
				 v->schema->id, v->alert[0] ? "!" : "");

		attrset(ui->attr[i == ui->focused ? ROLE_TITLE : ROLE_COLUMNS]);
		mvaddnstr(y, x, tab, COLS - x);
		v->box = (struct layout_box){ x, y, w, 1 };
		v->folded = true;
		x += w;
	}
	attrset(ui->attr[ROLE_DEFAULT]);
}

/* Frames from one frame of a pane not focused to its next, side_s seconds apart */
static unsigned int side_every(const struct ui *ui, double side_s)
{
	/* the interval asked for: the one measured wobbles around it */
	unsigned int every = (unsigned int)(side_s / ui->k->cfg.interval_s + 1e-6); /* 5 at 1 s */

	return every > UI_SIDE_FRAMES ? UI_SIDE_FRAMES : every ? every : 1;
}

/*
 * The frame pane shows, f being the screen's. The focused pane follows every frame. One
 * that is not focused shows, every being the intervals in side_s seconds (5 or more:
 * damp_side_seconds), the newest frame whose number is a multiple of every, the same until
 * the next one (never one older than what it showed last, as when it was focused or took a
 * frame with something new and hot, pane_alert_frame()): one whole frame, at most every - 1
 * intervals old, every cell of which stays put in between, so curses has nothing to send
 * for it. What changes there from one second to the next is mostly noise (processes that
 * live a second, figures that wobble), and side by side on a wide terminal those panes
 * were most of the bytes sent; the eyes are on the focused pane. Paused: one frame in all.
 */
static const struct frame *pane_frame(struct ui *ui, const struct frame *f, unsigned int pane,
				      double side_s)
{
	uint64_t *shown = &ui->panes[pane].shown_seq;
	uint64_t seq[UI_SIDE_FRAMES];
	const struct frame *g;
	unsigned int every, n = 0;

	ui->panes[pane].every_s = 0;
	if (!f || ui->paused || !(ui->k->cfg.interval_s > 0))
		return f;
	if (pane == ui->focused) {
		*shown = f->seq;
		return f;
	}
	every = side_every(ui, side_s);
	if (every > 1) /* its title says so */
		ui->panes[pane].every_s = every * ui->k->cfg.interval_s;
	while (n < every && (seq[n] = history_seq(&ui->k->history, n)))
		n++;
	g = history_get(&ui->k->history, damp_side_age(seq, n, *shown, every));
	/* f is not the newest (then paused, or replay), or g is of another container than the
	 * screen's: another view, which every pane takes at once */
	if (!g || g->container != f->container)
		g = f;
	*shown = g->seq;
	return g;
}

/*
 * A new frame came: whether something new and hot is in it for a pane not focused. If so
 * the pane takes that frame now, not at its next step: the mark comes with the row it
 * names (marked at once but shown at the step, it came up to a step (5 s or more) before its
 * row; marked at the step, what came and went between two steps went unmarked)
 */
static void pane_alert_frame(struct ui *ui, unsigned int pane)
{
	const struct frame *newest = history_get(&ui->k->history, 0);

	if (newest && pane_alert_check(ui, &ui->panes[pane], 0, 1)) {
		ui->panes[pane].shown_seq = newest->seq; /* pane_frame() goes on from there */
		ui->layout.now = true; /* room for the row it names, now: it may be folded */
	}
}

/*
 * Whether the panes' heights may follow their rows now (layout_rows_follow). A move repaints
 * every pane that moves, about 2 KB for a pane of the right column at 200x50, so the panes
 * move together, at the step where the panes not focused take their next frame
 * (pane_frame), and not in between: at most one move a step. At once when the screen's size,
 * the focus, the panes or the container changed, when a pane took a frame with something new
 * and hot, and while the first step's frames come. Not while paused.
 */
static bool layout_due(struct ui *ui)
{
	const struct frame *newest = history_get(&ui->k->history, 0);
	uint64_t seq = newest ? newest->seq : 0;
	bool due;

	due = ui->layout.cols != COLS || ui->layout.lines != LINES ||
	      ui->layout.focused != ui->focused || ui->layout.npanes != ui->npanes ||
	      ui->k->history.count <= ui->layout.every || ui->layout.now ||
	      (newest && newest->container != ui->layout.container);
	if (!due && !ui->paused && seq != ui->layout.seq)
		due = ui->layout.every <= 1 || seq % ui->layout.every == 0;
	if (due) {
		ui->layout.cols = COLS;
		ui->layout.lines = LINES;
		ui->layout.focused = ui->focused;
		ui->layout.npanes = ui->npanes;
		ui->layout.seq = seq;
		ui->layout.container = newest ? newest->container : NULL;
		ui->layout.now = false;
	}
	return due;
}

static void draw_main(struct ui *ui, const struct frame *f)
{
	struct layout_box area = { 0, 2, COLS, LINES - 3 };
	struct layout_pane place[UI_MAX_PANES];
	unsigned long focused = 0, others = 0;
	double side_s;
	bool due;

	for (unsigned int i = 0; i < ui->npanes; i++) /* not on screen unless drawn below */
		ui->panes[i].box = (struct layout_box){ 0 };
	if (ui->npanes == 0 || area.height < 3)
		return;
	if (ui->npanes == 1 || ui->zoomed) {
		pane_draw(ui, &ui->panes[ui->focused], f, area, true);
		return;
	}
	due = layout_due(ui);
	for (unsigned int i = 0; i < ui->npanes; i++) {
		struct pane_view *v = &ui->panes[i];

		if (due)
			layout_rows_follow(&v->layout, pane_rows_wanted(ui, v), ui->layout.seq);
		place[i] = (struct layout_pane){ .rows = v->layout.rows,
						 .focused = i == ui->focused };
	}
	if (!layout_place(place, ui->npanes, area)) {
		draw_tabs(ui, area.y);
		area.y++;
		area.height--;
		pane_draw(ui, &ui->panes[ui->focused], f, area, true);
		return;
	}
	for (unsigned int i = 0; i < ui->npanes; i++) {
		unsigned long cells = (unsigned long)place[i].box.width * place[i].box.height;

		if (i == ui->focused)
			focused += cells;
		else
			others += cells;
	}
	side_s = damp_side_seconds(focused, others);
	if (ui->k->cfg.interval_s > 0)
		ui->layout.every = side_every(ui, side_s);
	for (unsigned int i = 0; i < ui->npanes; i++) {
		const struct frame *g = pane_frame(ui, f, i, side_s);

		if (place[i].box.height == 1)
			pane_draw_folded(ui, &ui->panes[i], g, place[i].box);
		else
			pane_draw(ui, &ui->panes[i], g, place[i].box, i == ui->focused);
	}
}

static void redraw(struct ui *ui)
{
	const struct frame *f = ui_frame(ui);

	erase();
	if (ui->npanes)
		ui->panes[ui->focused].alert[0] = '\0'; /* looked at now */
	if (LINES < 8 || COLS < 40) {
		mvaddnstr(0, 0, "ktop: terminal too small", COLS);
	} else {
		draw_header(ui, f);
		if (ui->help)
			help_draw(ui);
		else if (ui->picking)
			picker_draw(ui, f);
		else if (ui->depth > 0)
			detail_draw(ui, f);
		else
			draw_main(ui, f);
		draw_footer(ui);
		ui_replay_draw(ui);
		ui_prompt_draw(ui);
	}
	wnoutrefresh(stdscr);
	doupdate();
	ui->dirty = false;
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
	format_set_digits(2); /* the screen: a last digit that flickers costs bytes, not insight */
	nodelay(stdscr, TRUE);
	curs_set(0);
	colors_init(ui);
	/* press events only, resolved here (ui/mouse.c): curses then holds no key back
	 * waiting for a click to complete */
	if (k->cfg.mouse) {
		mouseinterval(0);
		mousemask(BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
	}
	ui_keys_bind(&k->cfg);
	pane_list_build(ui); /* [general] panes: which, in what order */
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
	for (unsigned int i = 0; i < ui->npanes; i++)
		if (i != ui->focused)
			pane_alert_frame(ui, i);
	redraw(ui);
}

static bool screen_input(struct ktop *k)
{
	struct ui *ui = k->sink_state;
	int key, keys = 0;

	while ((key = getch()) != ERR) {
		keys++;
		if (key == KEY_MOUSE) {
			ui->message[0] = '\0';
			ui_mouse(ui);
			ui->dirty = true;
			if (k->quit)
				return false;
			continue;
		}
		if (key == KEY_RESIZE) {
			ui->full_redraws++;
			ui->dirty = true;
			continue;
		}
		if (ui->help) {
			ui->help = false;
			ui->dirty = true;
			continue;
		}
		if (ui->picking) {
			picker_key(ui, key);
			ui->dirty = true;
			continue;
		}
		ui->message[0] = '\0';
		ui->dirty = true;
		if (ui_replay_prompt_key(ui, key) || ui_prompt_key(ui, key))
			continue;
		if (ui->filter_editing) {
			pane_filter_key(ui, key);
			continue;
		}
		ui_action_key(ui, key);
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
