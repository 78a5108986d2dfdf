/* SPDX-License-Identifier: GPL-2.0 */
/* ui/ui_internal.h: what the screen's parts share: view state, drawing helpers, actions. */
#ifndef KTOP_UI_UI_INTERNAL_H
#define KTOP_UI_UI_INTERNAL_H

#include <stdbool.h>

#include "core/ktop.h"

#define UI_MAX_PANES TABLE_MAX_TABLES
#define UI_MAX_DEPTH 4

/* How one table is being looked at */
struct pane_view {
	const struct table_schema *schema;
	int sort_column;
	bool ascending;
	uint64_t selected_key; /* selection follows the row, not the line */
	bool has_selection;
	int scroll;
	int selected_line; /* computed while drawing */
	int visible_rows;  /* computed while drawing */
};

enum color_role {
	ROLE_DEFAULT = 0,
	ROLE_HEADER,
	ROLE_TITLE,
	ROLE_COLUMNS,
	ROLE_SELECTED,
	ROLE_BAR,
	ROLE_WARNING,
	ROLE_FOOTER,
	ROLE_COUNT,
};

struct ui {
	struct ktop *k;
	bool utf8;
	bool dirty;
	bool paused;
	unsigned int age; /* frames back from the newest while paused */
	bool help;
	int eof_strikes;
	unsigned int npanes;
	struct pane_view panes[UI_MAX_PANES];
	unsigned int focused; /* index into panes */
	/* drill-down: depth 0 is the main screen */
	unsigned int depth;
	struct focus trail[UI_MAX_DEPTH];
	struct pane_view detail; /* the detail table of the current drill-down */
	int attr[ROLE_COUNT];
};

/* The frame on screen: the newest, or the one stepped to while paused */
const struct frame *ui_frame(const struct ui *ui);

/* Draw a table into rows [top, top + height) of the screen, whole width */
void pane_draw(struct ui *ui, struct pane_view *v, const struct frame *f, int top, int height,
	       bool focused);
void pane_move(struct pane_view *v, const struct frame *f, int delta);
void pane_move_to(struct pane_view *v, const struct frame *f, bool end);
/* The selected row of v in f, or NULL */
const struct table_row *pane_selected(const struct pane_view *v, const struct frame *f);

void detail_draw(struct ui *ui, const struct frame *f);
void draw_histogram(struct ui *ui, const struct hist *h, const char *title, int top,
		    int height);

struct ui_action {
	const char *name;
	const char *help;
	int keys[4];
	void (*run)(struct ui *ui);
};

extern const struct ui_action ui_actions[];
extern const unsigned int ui_action_count;
/* Run the action bound to key; false when no action is bound */
bool ui_action_key(struct ui *ui, int key);
void help_draw(struct ui *ui);

#endif
