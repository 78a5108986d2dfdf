// SPDX-License-Identifier: GPL-2.0
/*
 * ui/prompt.c: the "trace a function" prompt over the footer: type a kernel function's
 * name (or a glob), Tab completes it from the kernel's list of traceable functions, Enter
 * traces it from now on (its row in the Functions pane, which appears), Esc cancels. Opened
 * on a row that names a kernel function (a tasklet, a work item, a timer, a stack frame),
 * it starts with that name. The keys that reach it are checked one by one: what cannot be
 * in a function's name never enters the line, so nothing typed can garble the terminal.
 */
#include <curses.h>
#include <errno.h>
#include <string.h>

#include "ui_internal.h"

#define KEY_ESCAPE 27
#define PROMPT_MAX 128 /* a kernel function's name and its NUL (PRIVSEP_FUNC_NAME_MAX) */

static bool prompt_open;
static char prompt[PROMPT_MAX];
static char note[64]; /* what the last Tab found */

/* Tables whose row names are kernel functions ("func", "func+0x1c", "func [mod]") */
static const char *const function_tables[] = {
	"tasklets", "workqueues", "timers", "critical_stack", "functions",
};

static bool name_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.';
}

/* The function a row names into buf, or false: "(other functions)", "0xffff..." */
static bool row_function(const struct table_schema *s, const struct table_row *r, char *buf,
			 size_t len)
{
	bool listed = false;
	size_t n;

	for (unsigned int i = 0; i < sizeof(function_tables) / sizeof(function_tables[0]); i++)
		listed |= strcmp(s->id, function_tables[i]) == 0;
	if (!listed || !r || !r->name)
		return false;
	for (n = 0; name_char((unsigned char)r->name[n]); n++)
		;
	if (n == 0 || n >= len || strncmp(r->name, "0x", 2) == 0)
		return false;
	/* what may follow the name: an offset, a module */
	if (r->name[n] && r->name[n] != '+' && strncmp(r->name + n, " [", 2) != 0)
		return false;
	memcpy(buf, r->name, n);
	buf[n] = '\0';
	return true;
}

bool ui_prompt_active(void)
{
	return prompt_open;
}

void ui_prompt_open(struct ui *ui, const struct pane_view *v)
{
	const struct table_row *r = v ? pane_selected((struct pane_view *)v, ui_frame(ui)) : NULL;

	if (!ui->k->function_trace) {
		snprintf(ui->message, sizeof(ui->message), "functions cannot be traced here");
		return;
	}
	prompt[0] = note[0] = '\0';
	/* on the Functions pane itself a new name is wanted, not the selected one */
	if (v && strcmp(v->schema->id, "functions") != 0)
		row_function(v->schema, r, prompt, sizeof(prompt));
	prompt_open = true;
}

static void complete(struct ui *ui)
{
	char common[PROMPT_MAX];
	long n;

	if (!ui->k->function_complete)
		return;
	n = ui->k->function_complete(prompt, common, sizeof(common));
	if (n < 0)
		snprintf(note, sizeof(note), "no list of traceable functions");
	else if (n == 0)
		snprintf(note, sizeof(note), "no traceable function starts so");
	else if (strlen(common) > strlen(prompt))
		snprintf(prompt, sizeof(prompt), "%s", common);
	if (n == 1)
		note[0] = '\0';
	else if (n > 1)
		snprintf(note, sizeof(note), "%ld matches", n);
}

/* The Functions pane, added to the screen (and focused) if the panes did not have it */
static void functions_pane_show(struct ui *ui)
{
	const struct table_schema *s = frame_schema_find("functions");
	unsigned int i;

	if (!s)
		return;
	for (i = 0; i < ui->npanes; i++)
		if (ui->panes[i].schema == s)
			break;
	if (i == ui->npanes) {
		if (ui->npanes >= UI_MAX_PANES)
			return;
		ui->panes[ui->npanes++] =
			(struct pane_view){ .schema = s, .sort_column = (int)s->sort_column };
	}
	if (ui->depth == 0)
		ui->focused = i;
}

static void prompt_trace(struct ui *ui)
{
	int added = ui->k->function_trace(ui->k, prompt, ui->message, sizeof(ui->message));

	if (added > 0 || added == -ENODEV) /* unavailable: the pane says why */
		functions_pane_show(ui);
}

bool ui_prompt_key(struct ui *ui, int key)
{
	size_t len = strlen(prompt);

	if (!prompt_open)
		return false;
	if (key == '\n' || key == '\r' || key == KEY_ENTER) {
		prompt_open = false;
		if (len)
			prompt_trace(ui);
	} else if (key == KEY_ESCAPE) {
		prompt_open = false;
	} else if (key == '\t') {
		complete(ui);
	} else if (key == KEY_BACKSPACE || key == 127 || key == 8) {
		if (len)
			prompt[len - 1] = '\0';
		note[0] = '\0';
	} else if (key == ('u' & 0x1f)) {
		prompt[0] = note[0] = '\0';
	} else if ((name_char(key) || key == '*' || key == '?' || key == '[' || key == ']') &&
		   len + 1 < sizeof(prompt)) {
		prompt[len] = (char)key;
		prompt[len + 1] = '\0';
		note[0] = '\0';
	}
	/* anything else (arrows, function keys, bytes of other characters) is dropped */
	return true;
}

/* Over the footer: the line as typed, its end when it is longer than the screen */
void ui_prompt_draw(struct ui *ui)
{
	static const char label[] = " trace function (Tab completes, Enter, Esc): ";
	int room, shown, len;
	const char *text;

	if (!prompt_open || LINES < 8 || COLS < 40)
		return;
	attrset(ui->attr[ROLE_FOOTER]);
	mvhline(LINES - 1, 0, ' ', COLS);
	mvaddnstr(LINES - 1, 0, label, COLS);
	room = COLS - (int)sizeof(label) - 2 - (note[0] ? (int)strlen(note) + 3 : 0);
	if (room < 8) /* a narrow terminal: the note goes first */
		room = COLS - (int)sizeof(label) - 2, note[0] = '\0';
	len = (int)strlen(prompt);
	shown = len < room ? len : room;
	text = prompt + len - shown;
	addnstr(text, shown);
	addch('_');
	if (note[0])
		mvaddnstr(LINES - 1, COLS - (int)strlen(note) - 2, note, (int)strlen(note));
	attrset(ui->attr[ROLE_DEFAULT]);
}
