// SPDX-License-Identifier: GPL-2.0
/*
 * ui/actions.c: every key does a named action from one table. The help screen is drawn
 * from this table, and the end-to-end tests walk it.
 */
#include <curses.h>

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
	const struct table_row *r;

	if (!v || ui->depth >= UI_MAX_DEPTH || ui->depth > 0)
		return;
	r = pane_selected(v, ui_frame(ui));
	if (!r)
		return;
	ui->trail[ui->depth++] = (struct focus){ v->schema, r->key };
	ui->detail = (struct pane_view){ 0 };
	if (v->schema->drill)
		ui->detail.sort_column = (int)v->schema->drill->sort_column;
	ktop_set_focus(ui->k, &ui->trail[ui->depth - 1]);
}

static void action_back(struct ui *ui)
{
	struct focus none = { 0 };

	if (ui->depth == 0)
		return;
	ui->depth--;
	ktop_set_focus(ui->k, ui->depth ? &ui->trail[ui->depth - 1] : &none);
}

static void sort_step(struct ui *ui, int step)
{
	struct pane_view *v = current_view(ui);
	int n;

	if (!v || !v->schema)
		return;
	n = (int)v->schema->ncolumns;
	v->sort_column = (v->sort_column + step + n) % n;
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
		v->ascending = !v->ascending;
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
	*v = (struct pane_view){ .schema = next, .sort_column = (int)next->sort_column };
}

static void action_pause(struct ui *ui)
{
	ui->paused = !ui->paused;
	ui->age = 0;
}

static void action_older(struct ui *ui)
{
	if (!ui->paused) {
		ui->paused = true;
		ui->age = 0;
	}
	if (ui->age + 1 < ui->k->history.count)
		ui->age++;
}

static void action_newer(struct ui *ui)
{
	if (ui->paused && ui->age > 0)
		ui->age--;
}

static void action_redraw(struct ui *ui)
{
	(void)ui;
	clearok(curscr, TRUE);
}

static void action_help(struct ui *ui)
{
	ui->help = true;
}

const struct ui_action ui_actions[] = {
	{ "quit", "quit ktop", { 'q', 'Q' }, action_quit },
	{ "up", "move the selection up", { KEY_UP, 'k' }, action_up },
	{ "down", "move the selection down", { KEY_DOWN, 'j' }, action_down },
	{ "page_up", "one page up", { KEY_PPAGE } , action_page_up },
	{ "page_down", "one page down", { KEY_NPAGE }, action_page_down },
	{ "home", "first row", { KEY_HOME, 'g' }, action_home },
	{ "end", "last row", { KEY_END, 'G' }, action_end },
	{ "open", "open what is under the selected row", { '\n', '\r', KEY_ENTER }, action_open },
	{ "back", "go back one level", { KEY_ESC, KEY_BACKSPACE, 127, KEY_LEFT }, action_back },
	{ "sort_next", "sort by the next column", { '>', '.' }, action_sort_next },
	{ "sort_prev", "sort by the previous column", { '<', ',' }, action_sort_prev },
	{ "reverse", "reverse the sort order", { 'r' }, action_reverse },
	{ "next_pane", "focus the next pane", { '\t' }, action_next_pane },
	{ "prev_pane", "focus the previous pane", { KEY_BTAB }, action_prev_pane },
	{ "alternate", "switch the pane to its other view (per CPU)", { 'v' },
	  action_alternate },
	{ "pause", "freeze the screen (collection goes on)", { ' ' }, action_pause },
	{ "older", "while paused: one frame back in history", { '[' }, action_older },
	{ "newer", "while paused: one frame forward", { ']' }, action_newer },
	{ "redraw", "redraw the whole screen", { KEY_CTRL('l') }, action_redraw },
	{ "help", "this help", { '?', 'h', KEY_F(1) }, action_help },
};

const unsigned int ui_action_count = sizeof(ui_actions) / sizeof(ui_actions[0]);

bool ui_action_key(struct ui *ui, int key)
{
	for (unsigned int i = 0; i < ui_action_count; i++)
		for (unsigned int j = 0; j < 4 && ui_actions[i].keys[j]; j++)
			if (ui_actions[i].keys[j] == key) {
				ui_actions[i].run(ui);
				return true;
			}
	return false;
}

static const char *key_label(int key, char *buf, size_t len)
{
	const char *name;

	if (key == '\n' || key == '\r' || key == KEY_ENTER)
		return "Enter";
	if (key == '\t')
		return "Tab";
	if (key == ' ')
		return "Space";
	if (key == KEY_ESC)
		return "Esc";
	if (key == 127)
		return "Backspace";
	if (key < 32) {
		snprintf(buf, len, "Ctrl-%c", key + '@');
		return buf;
	}
	if (key < 127) {
		snprintf(buf, len, "%c", key);
		return buf;
	}
	name = keyname(key);
	snprintf(buf, len, "%s", name ? name : "?");
	return buf;
}

void help_draw(struct ui *ui)
{
	int y = 3;

	attrset(ui->attr[ROLE_TITLE]);
	mvhline(2, 0, ' ', COLS);
	mvaddstr(2, 1, "Keys (any key closes this help)");
	attrset(ui->attr[ROLE_DEFAULT]);
	for (unsigned int i = 0; i < ui_action_count && y < LINES - 1; i++, y++) {
		char keys[64] = "", label[32];
		size_t used = 0;

		for (unsigned int j = 0; j < 4 && ui_actions[i].keys[j]; j++)
			used += snprintf(keys + used, sizeof(keys) - used, "%s%s", j ? " " : "",
					 key_label(ui_actions[i].keys[j], label, sizeof(label)));
		mvprintw(y, 2, "%-28.28s %-12s %s", keys, ui_actions[i].name, ui_actions[i].help);
	}
}
