/* SPDX-License-Identifier: GPL-2.0 */
/* ui/ui_internal.h: what the screen's parts share: view state, drawing helpers, actions. */
#ifndef KTOP_UI_UI_INTERNAL_H
#define KTOP_UI_UI_INTERNAL_H

#include <stdbool.h>

#include "core/ktop.h"
#include "damp.h"
#include "layout.h"

#define UI_MAX_PANES TABLE_MAX_TABLES
#define UI_MAX_DEPTH 4
#define UI_ACTION_KEYS 10 /* keys per action, the list ends with 0 */
#define UI_MAX_ACTIONS 64
#define UI_SPARK_FRAMES 12 /* frames of history in a row's sparkline */
#define UI_MAX_LINES 256   /* rows of a pane remembered by line, for the mouse */
#define UI_MAX_SHOWN 128   /* rows of a pane whose order is kept steady (a tall terminal's) */
#define UI_LAYOUT_FRAMES 10 /* a pane's height follows its most rows in this many frames */
#define UI_ALERT_FRAMES 5  /* a row is new and hot against this many frames before it */
#define UI_ALERT_FACTOR 4.0 /* ... with this many times its own figure there, and the top */
#define UI_DOUBLE_CLICK_MS 400 /* two clicks on one row this close: open it */

/*
 * The order a view shows a frame's rows in: indexes into the frame's table, which is never
 * reordered (frames in the history are read-only). Made for one frame (seq) and sort.
 */
struct pane_order {
	unsigned int *index;
	unsigned int n, capacity;
	const struct table *table; /* NULL: none made yet */
	uint64_t seq;
	int column;
	bool ascending;
};

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
	char filter[CONFIG_NAME_MAX + 1]; /* rows whose name contains this, "" = all */
	uint64_t shown[UI_MAX_SHOWN]; /* keys in the order last drawn: keeps the order steady */
	unsigned int nshown;
	/* the view's own: a copy of the view shares it, and only one of them may keep it
	 * (pane_view_free() before a view is overwritten) */
	struct pane_order order;
	/* where it was drawn last, for the mouse: its box, folded to its title line or not,
	 * the key of the row on each line under the column titles, where each column starts */
	struct layout_box box;
	bool folded;
	uint64_t line_keys[UI_MAX_LINES];
	unsigned int nlines;
	int column_x[TABLE_MAX_COLUMNS + 1];
	unsigned int ncolumns_drawn;
	/* folded: the row its title line summarizes, and that figure as shown */
	uint64_t summary_key;
	bool has_summary;
	struct damp_cell summary;
	struct damp_cell summary_rows; /* its number of rows, damped the same way */
	struct layout_memory layout; /* the rows its height is given for (draw_main) */
	/* the name of a row that came new and hot while the pane was not focused */
	char alert[48];
	/* not focused: it takes a new frame every this many seconds (0: every frame) */
	double every_s;
	uint64_t shown_seq; /* the frame it showed last (ui/screen.c pane_frame) */
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
	/* the container picker: open, what was typed, the highlighted entry */
	bool picking;
	char search[64];
	unsigned int pick_index;
	int eof_strikes;
	unsigned int npanes;
	struct pane_view panes[UI_MAX_PANES];
	unsigned int focused; /* index into panes */
	/* drill-down: depth 0 is the main screen */
	unsigned int depth;
	struct focus trail[UI_MAX_DEPTH];
	bool trail_exited[UI_MAX_DEPTH]; /* the row opened stood for exited processes */
	struct pane_view detail; /* the detail table of the current drill-down */
	struct pane_view detail_also; /* the second one under it (drill_also), not focused */
	struct pane_view saved_detail[UI_MAX_DEPTH]; /* the detail view one level up */
	int attr[ROLE_COUNT];
	bool zoomed;         /* the focused pane has the whole screen */
	bool filter_editing; /* keys go to the focused pane's filter */
	int last_key;        /* the key that started the running action */
	char theme[CONFIG_NAME_MAX + 1];
	char message[96];    /* a short note in the footer until the next key */
	unsigned int full_redraws; /* Ctrl-L and resizes: damped numbers are drawn anew */
	unsigned int header_epoch; /* full_redraws when self_cost was last reset */
	struct damp_cell self_cost[3]; /* the header's cpu, memory and bpf figures */
	/* what the panes' heights were last given at (ui/screen.c layout_due): the screen's
	 * size, the focus, the newest frame, the step of the panes not focused */
	struct {
		int cols, lines;
		unsigned int focused, npanes, every;
		uint64_t seq;
		const char *container; /* of the newest frame (interned) */
		bool now; /* a pane took a frame out of step: the layout follows at once */
	} layout;
};

/* The frame on screen: the newest, or the one stepped to while paused */
const struct frame *ui_frame(const struct ui *ui);

/* Draw a table into box: title, column titles, rows */
void pane_draw(struct ui *ui, struct pane_view *v, const struct frame *f, struct layout_box box,
	       bool focused);
/* A pane folded to its title line: its busiest row, or that it has nothing to show */
/* What an empty pane says: idle, or why its collector does not run (ui/pane_state.c) */
const char *pane_empty_text(const struct ui *ui, const struct table_schema *s);
void pane_draw_folded(struct ui *ui, struct pane_view *v, const struct frame *f,
		      struct layout_box box);
/* The most rows v had in the last UI_LAYOUT_FRAMES frames up to the one on screen */
unsigned int pane_rows_wanted(struct ui *ui, const struct pane_view *v);
/*
 * A pane of interrupt work (IRQs, softirqs, tasklets, critical sections) not being looked
 * at: when its busiest row in the frame age frames back has more than any row of the
 * UI_ALERT_FRAMES frames from before frames back (before > age) and UI_ALERT_FACTOR times
 * its own figure there (a new critical section, an IRQ storm), v->alert names it until the
 * pane is focused. True when it did.
 */
bool pane_alert_check(struct ui *ui, struct pane_view *v, unsigned int age,
		      unsigned int before);
void pane_move(struct pane_view *v, const struct frame *f, int delta);
void pane_move_to(struct pane_view *v, const struct frame *f, bool end);
/* The selected row of v in f, or NULL */
const struct table_row *pane_selected(struct pane_view *v, const struct frame *f);
/* Give back the view's row order: before a view is overwritten by another (ui/pane_state.c) */
void pane_view_free(struct pane_view *v);

void detail_draw(struct ui *ui, const struct frame *f);
void draw_histogram(struct ui *ui, const struct hist *h, const char *title, int top,
		    int height);

struct ui_action {
	const char *name;
	const char *help;
	int keys[UI_ACTION_KEYS];
	void (*run)(struct ui *ui);
	const char *hint; /* a word for the footer's key hints, or NULL: not there */
};

extern const struct ui_action ui_actions[];
extern const unsigned int ui_action_count;
/* Run the action bound to key; false when no action is bound */
bool ui_action_key(struct ui *ui, int key);
/* Run the action of that name (the mouse does what a key would) */
void ui_action_run(struct ui *ui, const char *name);
/* The footer's key hints that fit in width, from the table with the keys bound now */
void ui_action_hints(char *buf, size_t len, int width);
/* ui/mouse.c: a mouse event (KEY_MOUSE) on the main screen or a drill-down */
void ui_mouse(struct ui *ui);
void help_draw(struct ui *ui);

/* The container picker (ui/picker.c): draw over the panes; take a key while open */
void picker_open(struct ui *ui);
void picker_draw(struct ui *ui, const struct frame *f);
void picker_key(struct ui *ui, int key);

/* ui/replay.c: ktop -r on the screen (position, "go to a time" prompt, speed) */
bool ui_replay_active(const struct ui *ui);
void ui_replay_prompt_open(struct ui *ui);
/* A key while the prompt is open: true when it took the key */
bool ui_replay_prompt_key(struct ui *ui, int key);
void ui_replay_speed(struct ui *ui, int dir);
void ui_replay_draw(struct ui *ui);

/* ui/prompt.c: the "trace a function" prompt, opened from view v (NULL: none), its name
 * filled in when v's selected row names a kernel function */
void ui_prompt_open(struct ui *ui, const struct pane_view *v);
bool ui_prompt_active(void);
/* A key while the prompt is open: true when it took the key */
bool ui_prompt_key(struct ui *ui, int key);
void ui_prompt_draw(struct ui *ui);

/* ui/keys.c: bindings from the action table and the config's [keys] */
void ui_keys_bind(const struct ktop_config *cfg);
/* The action index bound to key, or -1 */
int ui_keys_action(int key);
/* Where key sits in action's key list (0 = first), or -1 */
int ui_keys_position(unsigned int action, int key);
const char *ui_keys_labels(unsigned int action, const char *sep, char *buf, size_t len);
const char *ui_key_label(int key, char *buf, size_t len);

/* ui/pane.c: the panes of the main screen from [general] panes and [syscalls] sort */
void pane_list_build(struct ui *ui);
/* A key while the filter of the focused pane is being typed */
void pane_filter_key(struct ui *ui, int key);
/* ui/theme.c: colours of a theme for this terminal; 0 or -errno (ui keeps its colours) */
int ui_theme_apply(struct ui *ui, const char *name);
/* The next theme after the current one */
void ui_theme_cycle(struct ui *ui);

#endif
