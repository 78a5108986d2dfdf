// SPDX-License-Identifier: GPL-2.0
/*
 * ui/replay.c: the screen's side of ktop -r: where the replay is (header), the "go to a
 * time" prompt (g, then 03:12 or 03:12:05, Enter) and the playback speed (f, F).
 */
#include <curses.h>
#include <errno.h>
#include <string.h>

#include "core/record.h"
#include "ui_internal.h"

#define KEY_ESCAPE 27

static bool prompt_open;
static char prompt[16];

bool ui_replay_active(const struct ui *ui)
{
	return ui->k->source == &replay_source;
}

void ui_replay_prompt_open(struct ui *ui)
{
	if (!ui_replay_active(ui))
		return;
	prompt_open = true;
	prompt[0] = '\0';
}

static void seek(struct ui *ui)
{
	int err = replay_seek_time(ui->k, prompt);

	if (err == -EINVAL)
		snprintf(ui->message, sizeof(ui->message), "'%s': type a time as 03:12 or 03:12:05",
			 prompt);
	else if (err < 0)
		snprintf(ui->message, sizeof(ui->message), "no frame at or after %s", prompt);
	else
		ui->age = 0;
}

bool ui_replay_prompt_key(struct ui *ui, int key)
{
	size_t len = strlen(prompt);

	if (!prompt_open)
		return false;
	if (key == '\n' || key == '\r' || key == KEY_ENTER) {
		prompt_open = false;
		seek(ui);
	} else if (key == KEY_ESCAPE) {
		prompt_open = false;
	} else if (key == KEY_BACKSPACE || key == 127 || key == 8) {
		if (len)
			prompt[len - 1] = '\0';
	} else if (((key >= '0' && key <= '9') || key == ':') && len + 1 < sizeof(prompt)) {
		prompt[len] = (char)key;
		prompt[len + 1] = '\0';
	}
	return true;
}

void ui_replay_speed(struct ui *ui, int dir)
{
	double speed = ui->k->speed > 0 ? ui->k->speed : 1;

	if (!ui_replay_active(ui))
		return;
	speed = dir > 0 ? speed * 2 : speed / 2;
	if (speed > 64)
		speed = 64;
	if (speed < 1.0 / 16)
		speed = 1.0 / 16;
	ktop_set_speed(ui->k, speed);
	snprintf(ui->message, sizeof(ui->message), "playback x%g", speed);
}

/* The replay's position in the header, and the prompt over the footer while it is open */
void ui_replay_draw(struct ui *ui)
{
	char status[96], line[64];
	int x;

	if (!ui_replay_active(ui) || LINES < 8 || COLS < 40)
		return;
	replay_status(ui->k, status, sizeof(status));
	x = COLS - (int)strlen(status) - 1 - (ui->paused ? 14 : 0);
	attrset(ui->attr[ROLE_WARNING]);
	if (x > COLS / 2)
		mvaddstr(0, x, status);
	if (prompt_open) {
		snprintf(line, sizeof(line), " go to time (HH:MM or HH:MM:SS, Enter): %s_", prompt);
		attrset(ui->attr[ROLE_FOOTER]);
		mvhline(LINES - 1, 0, ' ', COLS);
		mvaddnstr(LINES - 1, 0, line, COLS);
	}
	attrset(ui->attr[ROLE_DEFAULT]);
}
