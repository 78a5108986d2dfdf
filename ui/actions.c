// SPDX-License-Identifier: GPL-2.0
/*
 * ui/actions.c: every key does a named action from one table. The help screen is drawn
 * from this table, and the end-to-end tests walk it.
 */
#include <curses.h>
#include <string.h>

#include "core/containers.h"
#include "core/record.h"

#include "ui_internal.h"

#define KEY_ESC 27
#define KEY_CTRL(c) ((c) & 0x1f)

static struct pane_view *current_view(struct ui *ui)
{
	if (ui->depth > 0)
		return ui->trail[ui->depth - 1].table->drill ? &ui->detail : NULL;
	return ui->npanes ? &ui->panes[ui->focused] : NULL;
}

static void move_by(struct ui *ui, int delta)
{
	struct pane_view *v = current_view(ui);

	if (v)
		pane_move(v, ui_frame(ui), delta);
}

static void action_quit(struct ui *ui)
{
	ui->k->quit = true;
}

static void action_up(struct ui *ui)
{
	move_by(ui, -1);
}

static void action_down(struct ui *ui)
{
	move_by(ui, 1);
}

static void action_page_up(struct ui *ui)
{
	struct pane_view *v = current_view(ui);

	move_by(ui, -(v && v->visible_rows > 1 ? v->visible_rows - 1 : 10));
}

static void action_page_down(struct ui *ui)
{
	struct pane_view *v = current_view(ui);

	move_by(ui, v && v->visible_rows > 1 ? v->visible_rows - 1 : 10);
}

static void action_home(struct ui *ui)
{
	struct pane_view *v = current_view(ui);

	if (v)
		pane_move_to(v, ui_frame(ui), false);
}

static void action_end(struct ui *ui)
{
	struct pane_view *v = current_view(ui);

	if (v)
		pane_move_to(v, ui_frame(ui), true);
}

static void action_open(struct ui *ui)
{
	struct pane_view *v = current_view(ui);
	const struct table_schema *schema;
	const struct table_row *r;

	if (!v || !v->schema || !v->schema->drill || ui->depth >= UI_MAX_DEPTH)
		return;
	r = pane_selected(v, ui_frame(ui));
	if (!r)
		return;
	schema = v->schema; /* v may be the detail view, about to be reset */
	ui->trail_exited[ui->depth] =
		table_row_exited(frame_table_const(ui_frame(ui), schema), r) > 0;
	ui->saved_detail[ui->depth] = ui->detail; /* Esc comes back to the same row */
	ui->trail[ui->depth++] = (struct focus){ schema, r->key };
	ui->detail = (struct pane_view){ .schema = schema->drill,
					 .sort_column = (int)schema->drill->sort_column };
	ktop_set_focus(ui->k, &ui->trail[ui->depth - 1]);
}

static void action_back(struct ui *ui)
{
	struct focus none = { 0 };

	if (ui->depth == 0) { /* on the main screen: leave the zoom, then the filter */
		if (ui->zoomed)
			ui->zoomed = false;
		else if (ui->npanes)
			ui->panes[ui->focused].filter[0] = '\0';
		return;
	}
	ui->depth--;
	pane_view_free(&ui->detail);
	ui->detail = ui->saved_detail[ui->depth];
	ktop_set_focus(ui->k, ui->depth ? &ui->trail[ui->depth - 1] : &none);
}

/* In a detail with variants (a function's arguments): count the next one */
static void action_next_variant(struct ui *ui)
{
	if (ui->depth > 0)
		ktop_next_variant(ui->k);
}

static void sort_step(struct ui *ui, int step)
{
	struct pane_view *v = current_view(ui);
	int n;

	if (!v || !v->schema)
		return;
	n = (int)v->schema->ncolumns;
	v->sort_column = (v->sort_column + step + n) % n;
	v->nshown = 0; /* a new order, not a steadier old one */
}

static void action_sort_next(struct ui *ui)
{
	sort_step(ui, 1);
}

static void action_sort_prev(struct ui *ui)
{
	sort_step(ui, -1);
}

static void action_reverse(struct ui *ui)
{
	struct pane_view *v = current_view(ui);

	if (v)
		v->ascending = !v->ascending, v->nshown = 0;
}

static void action_next_pane(struct ui *ui)
{
	if (ui->depth == 0 && ui->npanes)
		ui->focused = (ui->focused + 1) % ui->npanes;
}

static void action_prev_pane(struct ui *ui)
{
	if (ui->depth == 0 && ui->npanes)
		ui->focused = (ui->focused + ui->npanes - 1) % ui->npanes;
}

/* Switch the focused pane between its table and the alternate view (per CPU) */
static void action_alternate(struct ui *ui)
{
	struct pane_view *v;
	const struct table_schema *next;

	if (ui->depth > 0 || !ui->npanes)
		return;
	v = &ui->panes[ui->focused];
	next = v->schema->alternate;
	if (!next)
		return;
	pane_view_free(v);
	*v = (struct pane_view){ .schema = next, .sort_column = (int)next->sort_column };
}

static void action_pause(struct ui *ui)
{
	ui->paused = !ui->paused;
	ui->age = 0;
	ui->k->hold = ui->paused; /* a replay stops where it is */
}

static void action_older(struct ui *ui)
{
	if (!ui->paused) {
		ui->paused = true;
		ui->age = 0;
		ui->k->hold = true;
	}
	if (ui->age + 1 < ui->k->history.count)
		ui->age++;
}

static void action_newer(struct ui *ui)
{
	if (ui->paused && ui->age > 0)
		ui->age--;
	else if (ui->paused && ui_replay_active(ui)) /* a replay steps on through the file */
		replay_step(ui->k);
}

/* Replay: go to a time of day; live: the first row */
static void action_seek(struct ui *ui)
{
	if (ui_replay_active(ui))
		ui_replay_prompt_open(ui);
	else
		action_home(ui);
}

static void action_play_faster(struct ui *ui)
{
	ui_replay_speed(ui, 1);
}

static void action_play_slower(struct ui *ui)
{
	ui_replay_speed(ui, -1);
}

static void action_redraw(struct ui *ui)
{
	ui->full_redraws++;
	clearok(curscr, TRUE);
}

static void action_containers(struct ui *ui)
{
	picker_open(ui);
}

static void action_all_containers(struct ui *ui)
{
	(void)ui;
	containers_select(NULL);
}

static void action_help(struct ui *ui)
{
	ui->help = true;
}

/* 1..9: focus pane N; the key of the focused pane zooms it to the whole screen, and back */
static void action_pane(struct ui *ui)
{
	int action = ui_keys_action(ui->last_key);
	int n = action < 0 ? -1 : ui_keys_position((unsigned int)action, ui->last_key);

	if (n < 0 || (unsigned int)n >= ui->npanes || ui->depth > 0)
		return;
	if (ui->focused == (unsigned int)n)
		ui->zoomed = !ui->zoomed;
	else
		ui->focused = (unsigned int)n;
}

static void action_filter(struct ui *ui)
{
	if (ui->depth == 0 && ui->npanes)
		ui->filter_editing = true;
}

static void interval_step(struct ui *ui, int dir)
{
	static const double steps[] = { 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60 };
	double cur = ui->k->cfg.interval_s, next = cur;

	for (unsigned int i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		if (dir > 0 && steps[i] > cur + 1e-9) {
			next = steps[i];
			break;
		}
		if (dir < 0 && steps[i] < cur - 1e-9)
			next = steps[i];
	}
	if (next != cur)
		ktop_set_interval(ui->k, next);
	snprintf(ui->message, sizeof(ui->message), "interval %gs", next);
}

static void action_slower(struct ui *ui)
{
	interval_step(ui, 1);
}

static void action_faster(struct ui *ui)
{
	interval_step(ui, -1);
}

/* A prompt for a kernel function to trace, with the selected row's function, if it names one */
static void action_trace(struct ui *ui)
{
	ui_prompt_open(ui, current_view(ui));
}

/* On the Functions pane: stop tracing the selected function; its row goes */
static void action_untrace(struct ui *ui)
{
	struct pane_view *v = current_view(ui);
	const struct table_row *r = v ? pane_selected(v, ui_frame(ui)) : NULL;

	if (!v || strcmp(v->schema->id, "functions") != 0 || !r) {
		snprintf(ui->message, sizeof(ui->message), "select a row of the Functions pane");
		return;
	}
	if (ui->k->function_untrace)
		ui->k->function_untrace(ui->k, r->key, ui->message, sizeof(ui->message));
}

static void action_theme(struct ui *ui)
{
	ui_theme_cycle(ui);
}

const struct ui_action ui_actions[] = {
	{ "quit", "quit ktop", { 'q', 'Q' }, action_quit, "quit" },
	{ "up", "move the selection up", { KEY_UP, 'k' }, action_up },
	{ "down", "move the selection down", { KEY_DOWN, 'j' }, action_down },
	{ "page_up", "one page up", { KEY_PPAGE } , action_page_up },
	{ "page_down", "one page down", { KEY_NPAGE }, action_page_down },
	{ "home", "first row", { KEY_HOME }, action_home },
	{ "seek", "replay: go to a time (g 03:12 Enter); live: first row", { 'g' }, action_seek },
	{ "end", "last row", { KEY_END, 'G' }, action_end },
	{ "open", "open what is under the selected row", { '\n', '\r', KEY_ENTER }, action_open,
	  "open" },
	{ "back", "go back one level", { KEY_ESC, KEY_BACKSPACE, 127, KEY_LEFT }, action_back,
	  "back" },
	{ "sort_next", "sort by the next column", { '>', '.', 's' }, action_sort_next, "sort" },
	{ "sort_prev", "sort by the previous column", { '<', ',' }, action_sort_prev },
	{ "reverse", "reverse the sort order", { 'r' }, action_reverse, "reverse" },
	{ "next_pane", "focus the next pane", { '\t' }, action_next_pane, "pane" },
	{ "prev_pane", "focus the previous pane", { KEY_BTAB }, action_prev_pane },
	{ "alternate", "switch the pane to its other view (per CPU)", { 'v' },
	  action_alternate },
	{ "pause", "freeze the screen (collection goes on)", { ' ' }, action_pause, "pause" },
	{ "older", "while paused: one frame back in history", { '[' }, action_older },
	{ "newer", "while paused: one frame forward", { ']' }, action_newer },
	{ "redraw", "redraw the whole screen", { KEY_CTRL('l') }, action_redraw },
	{ "containers", "choose a container: every pane shows only it (type to search)", { 'c' },
	  action_containers },
	{ "all_containers", "back to the whole machine (all containers)", { 'C' },
	  action_all_containers },
	{ "help", "this help", { '?', 'h', KEY_F(1) }, action_help, "help" },
	{ "pane", "focus pane 1-9; again: zoom it to the whole screen",
	  { '1', '2', '3', '4', '5', '6', '7', '8', '9' }, action_pane },
	{ "filter", "filter the pane by name (type; Enter keeps it, Esc clears it)", { '/' },
	  action_filter, "filter" },
	{ "slower", "longer interval between frames", { '+', '=' }, action_slower },
	{ "faster", "shorter interval between frames", { '-' }, action_faster },
	{ "theme", "next colour theme", { 't' }, action_theme },
	{ "play_faster", "replay: play twice as fast", { 'f' }, action_play_faster },
	{ "play_slower", "replay: play half as fast", { 'F' }, action_play_slower },
	{ "trace", "trace a kernel function from now on (Tab completes; on a row naming one: "
	  "that one)", { 'T' }, action_trace, "trace" },
	{ "untrace", "Functions pane: stop tracing the selected function", { KEY_DC, 'd' },
	  action_untrace },
	/* last: its hint is the first to go from a narrow footer (it works in a detail) */
	{ "next_arg", "in the detail of a function: count the values of its next argument", { 'n' },
	  action_next_variant, "arg" },
};

const unsigned int ui_action_count = sizeof(ui_actions) / sizeof(ui_actions[0]);

void ui_action_run(struct ui *ui, const char *name)
{
	for (unsigned int i = 0; i < ui_action_count; i++)
		if (strcmp(ui_actions[i].name, name) == 0)
			ui_actions[i].run(ui);
}

/*
 * The footer's key hints, from the table and the keys bound now: "q quit  Enter open ...",
 * help last. What does not fit in width goes, from the right, help staying.
 */
void ui_action_hints(char *buf, size_t len, int width)
{
	unsigned int n = 0;
	char text[UI_MAX_ACTIONS][40];
	int total = 0;

	for (unsigned int i = 0; i < ui_action_count && i < UI_MAX_ACTIONS; i++) {
		char key[32];

		if (!ui_actions[i].hint || !ui_keys_labels(i, ",", key, sizeof(key))[0])
			continue;
		/* the first key bound is the one to learn */
		key[strcspn(key, ",")] = '\0';
		snprintf(text[n], sizeof(text[n]), " %s %s ", key, ui_actions[i].hint);
		total += (int)strlen(text[n]);
		n++;
	}
	/* help last: it is the one that leads to the others */
	for (unsigned int i = 0; i + 1 < n; i++)
		if (strstr(text[i], " help ")) {
			char help[sizeof(text[0])];

			memcpy(help, text[i], sizeof(help));
			memmove(text[i], text[i + 1], (n - i - 1) * sizeof(text[0]));
			memcpy(text[n - 1], help, sizeof(help));
			break;
		}
	while (n > 1 && total > width) {
		total -= (int)strlen(text[n - 2]);
		memmove(text[n - 2], text[n - 1], sizeof(text[0]));
		n--;
	}
	buf[0] = '\0';
	for (unsigned int i = 0, used = 0; i < n && used < len; i++)
		used += (unsigned int)snprintf(buf + used, len - used, "%s", text[i]);
}

bool ui_action_key(struct ui *ui, int key)
{
	int i = ui_keys_action(key);

	if (i < 0)
		return false;
	ui->last_key = key;
	ui_actions[i].run(ui);
	return true;
}

void help_draw(struct ui *ui)
{
	int y = 3;

	attrset(ui->attr[ROLE_TITLE]);
	mvhline(2, 0, ' ', COLS);
	mvaddstr(2, 1, "Keys (any key closes this help)");
	attrset(ui->attr[ROLE_DEFAULT]);
	/* one column when it fits, else two narrower ones */
	int rows = LINES - 4, cols = (int)ui_action_count > rows ? 2 : 1, w = COLS / cols;

	for (unsigned int i = 0; i < ui_action_count; i++) {
		int col = (int)i / (rows > 0 ? rows : 1), x = col * w;
		char keys[64];

		if (col >= cols)
			break;
		y = 3 + (int)i % rows;
		ui_keys_labels(i, " ", keys, sizeof(keys));
		if (cols == 1)
			mvprintw(y, 2, "%-28.28s %-12s %s", keys, ui_actions[i].name,
				 ui_actions[i].help);
		else
			mvprintw(y, x + 1, "%-12.12s %-*.*s", keys, w - 15, w - 15, ui_actions[i].help);
	}
}
