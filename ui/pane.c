// SPDX-License-Identifier: GPL-2.0
/*
 * ui/pane.c: one table drawn as a scrollable, sortable, filterable list with a highlighted
 * selection and a sparkline per row of its recent history; and the list of panes of the
 * main screen, from the config.
 */
#include <curses.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/format.h"
#include "damp.h"
#include "ui_internal.h"

/* What the main screen's panes show, one per table (see damp.h) */
static struct damp_table damp_tables[UI_MAX_PANES];

/* The damping memory of v's table; NULL when it is not damped (the drill-down view) */
static struct damp_table *pane_damp(struct ui *ui, const struct pane_view *v)
{
	struct damp_table *free_one = NULL;

	if (v == &ui->detail || v->schema->detail)
		return NULL;
	for (unsigned int i = 0; i < UI_MAX_PANES; i++) {
		struct damp_table *d = &damp_tables[i];

		if (d->owner == v->schema) {
			if (d->epoch != ui->full_redraws) {
				damp_reset(d);
				d->epoch = ui->full_redraws;
			}
			return d;
		}
		if (!d->owner && !free_one)
			free_one = d;
	}
	if (free_one) {
		free_one->owner = v->schema;
		free_one->epoch = ui->full_redraws;
	}
	return free_one;
}

/*
 * After the steady sort (index[]: t's rows in that order): rows last shown keep their lines
 * where the order allows (see damp_arrange). lingers[s]: v->shown[s] may linger on its
 * line; at[s] gets the line it keeps, UINT_MAX when it does not (or a new row took it).
 * shown[i]: the value row i of t is ordered by, what it will show (NULL: the frame's).
 */
static void order_with_hysteresis(const struct pane_view *v, const struct table *t,
				  double interval_s, unsigned int *index, const bool *lingers,
				  unsigned int *at, const double *shown)
{
	unsigned int n = t->nrows, m = 0, count, most = n + v->nshown, used = 0;
	unsigned int *out = malloc(most * sizeof(*out)), *was = malloc(n * sizeof(*was));
	unsigned int linger[UI_MAX_SHOWN], slot[UI_MAX_SHOWN];
	double *value = malloc(n * sizeof(*value));

	if (!out || !was || !value)
		goto out;
	if (shown)
		memcpy(value, shown, n * sizeof(*value));
	else
		table_column_values(t, (unsigned int)v->sort_column, interval_s, value);
	for (unsigned int i = 0; i < n; i++)
		was[i] = UINT_MAX;
	for (unsigned int s = 0; s < v->nshown; s++) {
		if (lingers && lingers[s]) {
			linger[m] = s;
			slot[m++] = s;
			continue;
		}
		for (unsigned int i = 0; i < n; i++)
			if (was[i] == UINT_MAX && t->rows[i].key == v->shown[s]) {
				was[i] = s;
				break;
			}
	}
	count = damp_arrange(value, was, index, n, v->ascending, linger, m, v->nshown, out);
	for (unsigned int k = 0; k < count; k++) {
		if (out[k] < n)
			index[used++] = out[k];
		else if (at)
			at[slot[out[k] - n]] = k;
	}
out:
	free(out);
	free(was);
	free(value);
}

static const struct table *view_table(const struct pane_view *v, const struct frame *f)
{
	return f ? frame_table_const(f, v->schema) : NULL;
}

/*
 * Orders t, the table of frame f, into v's own index: steady on the rows v showed last and,
 * with hysteresis, keeping their places unless one clearly passed another, and the lines
 * kept by the rows shown last that linger (lingers, at, shown: see order_with_hysteresis).
 * Without memory v has no order (its rows are taken as the table has them).
 */
static void view_sort(struct pane_view *v, const struct table *t, const struct frame *f,
		      bool hysteresis, const bool *lingers, unsigned int *at, const double *shown)
{
	struct pane_order *o = &v->order;

	o->table = NULL;
	o->n = 0;
	if (t->nrows > o->capacity) {
		unsigned int *index = realloc(o->index, t->nrows * sizeof(*index));

		if (!index)
			return;
		o->index = index;
		o->capacity = t->nrows;
	}
	table_order_steady(t, (unsigned int)v->sort_column, v->ascending, f->interval_s,
			   v->shown, v->nshown, o->index);
	if (hysteresis && v->schema->columns[v->sort_column].kind != COL_NAME)
		order_with_hysteresis(v, t, f->interval_s, o->index, lingers, at, shown);
	*o = (struct pane_order){ o->index, t->nrows, o->capacity, t, f->seq, v->sort_column,
				  v->ascending };
}

/* t's rows (frame f) in v's order, in an array the caller frees; NULL when there are none.
 * The order drawn last, or for a frame not drawn yet (or another sort) a steady sort. */
static const struct table_row **ordered_rows(struct pane_view *v, const struct table *t,
					     const struct frame *f)
{
	const struct pane_order *o = &v->order;
	const struct table_row **rows;

	if (!t || t->nrows == 0 || !(rows = malloc(t->nrows * sizeof(*rows))))
		return NULL;
	if (o->table != t || o->seq != f->seq || o->n != t->nrows ||
	    o->column != v->sort_column || o->ascending != v->ascending)
		view_sort(v, t, f, false, NULL, NULL, NULL);
	for (unsigned int i = 0; i < t->nrows; i++)
		rows[i] = &t->rows[o->table ? o->index[i] : i];
	return rows;
}

static bool row_matches(const struct pane_view *v, const struct table_row *r)
{
	if (!v->filter[0])
		return true;
	return (r->name && strcasestr(r->name, v->filter)) ||
	       (r->label && strcasestr(r->label, v->filter));
}

/* Indexes of the rows of lines[] (nlines) the filter lets through; the caller frees. NULL
 * when there are none */
static unsigned int *visible_rows(const struct pane_view *v, const struct table_row *const *lines,
				  unsigned int nlines, unsigned int *n)
{
	unsigned int *idx;

	*n = 0;
	if (!lines || nlines == 0 || !(idx = malloc(nlines * sizeof(*idx))))
		return NULL;
	for (unsigned int i = 0; i < nlines; i++)
		if (row_matches(v, lines[i]))
			idx[(*n)++] = i;
	if (*n == 0) {
		free(idx);
		return NULL;
	}
	return idx;
}

/* Position of the selection among the visible rows (the first when it is not there) */
static int selected_position(const struct pane_view *v, const struct table_row *const *lines,
			     const unsigned int *idx, unsigned int n)
{
	if (!idx)
		return -1;
	if (v->has_selection)
		for (unsigned int i = 0; i < n; i++)
			if (lines[idx[i]]->key == v->selected_key)
				return (int)i;
	return 0;
}

const struct table_row *pane_selected(struct pane_view *v, const struct frame *f)
{
	const struct table *t = view_table(v, f);
	const struct table_row **rows = ordered_rows(v, t, f), *r = NULL;
	unsigned int n, *idx = visible_rows(v, rows, rows ? t->nrows : 0, &n);
	int i = selected_position(v, rows, idx, n);

	if (i >= 0)
		r = rows[idx[i]];
	free(idx);
	free(rows);
	return r;
}

static void select_position(struct pane_view *v, const struct frame *f, int pos, int delta)
{
	const struct table *t = view_table(v, f);
	const struct table_row **rows = ordered_rows(v, t, f);
	unsigned int n, *idx = visible_rows(v, rows, rows ? t->nrows : 0, &n);
	int i = selected_position(v, rows, idx, n);

	if (i >= 0) {
		i = pos >= 0 ? pos : i + delta;
		if (i < 0)
			i = 0;
		if (i >= (int)n)
			i = (int)n - 1;
		v->selected_key = rows[idx[i]]->key;
		v->has_selection = true;
	}
	free(idx);
	free(rows);
}

void pane_move(struct pane_view *v, const struct frame *f, int delta)
{
	select_position(v, f, -1, delta);
}

void pane_move_to(struct pane_view *v, const struct frame *f, bool end)
{
	select_position(v, f, end ? INT32_MAX : 0, 0);
}

#define NAME_MIN_WIDTH 24 /* a name column that is not the last gives up room down to this */

/*
 * The widths of the columns that fit in width, dropping from the right (the first column
 * always stays). A name column that is not the last gives up room before a column is
 * dropped, and takes it back from what is left over.
 */
static unsigned int columns_fit(const struct table_schema *s, int width, int *w)
{
	unsigned int n = s->ncolumns < TABLE_MAX_COLUMNS ? s->ncolumns : TABLE_MAX_COLUMNS;
	unsigned int fit = 0;
	int used = 0, spare;

	for (unsigned int c = 0; c < n; c++) {
		const struct table_column *col = &s->columns[c];

		w[c] = col->kind == COL_NAME && c + 1 < n && col->width > NAME_MIN_WIDTH ?
			       NAME_MIN_WIDTH : col->width;
	}
	for (; fit < n; fit++) {
		if (used + w[fit] + 1 > width && fit > 0)
			break;
		used += w[fit] + 1;
	}
	spare = width - used;
	for (unsigned int c = 0; c < fit && spare > 0; c++) {
		int grow = s->columns[c].width - w[c];

		grow = grow < spare ? grow : spare;
		w[c] += grow;
		spare -= grow;
	}
	return fit;
}

static bool column_is_number(const struct table_column *col)
{
	switch (col->kind) {
	case COL_COUNT:
	case COL_TIME:
	case COL_DURATION:
	case COL_AGE:
	case COL_AVERAGE:
	case COL_CPU_PCT:
	case COL_SHARE:
		return true;
	default:
		return false;
	}
}

/*
 * What a pane shows, line by line: rows of the frame's table in the view's order, and the
 * view's copies of rows that linger on their lines (idle[], numbers at zero)
 */
struct pane_lines {
	const struct table_row **row;
	unsigned int n;
	struct table_row *idle;
	unsigned int nidle;
};

/* A row kept on its line though it had nothing to count: one of l's copies, not in t */
static bool row_lingers(const struct pane_lines *l, const struct table_row *r)
{
	for (unsigned int j = 0; j < l->nidle; j++)
		if (r == &l->idle[j])
			return true;
	return false;
}

/*
 * Row s of those shown last time when it may linger: gone from t, not the selected row
 * (exact), counted in one of the last DAMP_LINGER_FRAMES frames. That row, else NULL.
 */
static const struct table_row *lingering_row(struct ui *ui, const struct pane_view *v,
					     const struct table *t, const struct frame *f,
					     unsigned int s)
{
	uint64_t key = v->shown[s];
	const struct frame *older;
	int age;

	if (table_find_row(t, key) || (v->has_selection && key == v->selected_key))
		return NULL;
	/* the frames before f: a pane not focused may show one older than the newest, a
	 * paused screen any (found by number: older frames are copies, decoded when read) */
	age = history_age_of(&ui->k->history, f->seq);
	if (age < 0)
		return NULL;
	for (age++; (older = history_get(&ui->k->history, (unsigned int)age)) &&
		    damp_lingers(older->seq, f->seq);
	     age++) {
		const struct table *ot = frame_table_const(older, t->schema);
		const struct table_row *r = ot ? table_find_row(ot, key) : NULL;

		if (r)
			return r;
	}
	return NULL;
}

/*
 * The lines of v: t's rows in v's order and, with at[] (NULL: none), the rows shown last
 * time that linger, with their numbers at zero: v->shown[s] on line at[s] (UINT_MAX: it
 * does not). pane_lines_free() gives back what l holds; l->n is 0 without memory.
 */
static void pane_lines_make(struct ui *ui, const struct pane_view *v, const struct table *t,
			    const struct frame *f, const unsigned int *at, struct pane_lines *l)
{
	unsigned int n = t->nrows, m = 0, most = n + v->nshown;
	unsigned int *order = NULL, *line = NULL, *out = NULL;
	const struct table_row **all = NULL;

	*l = (struct pane_lines){ 0 };
	if (most == 0 || !(l->row = malloc(most * sizeof(*l->row))))
		return;
	for (unsigned int i = 0; i < n; i++)
		l->row[i] = &t->rows[v->order.table == t ? v->order.index[i] : i];
	l->n = n;
	if (!at || !v->nshown)
		return;
	l->idle = malloc(v->nshown * sizeof(*l->idle));
	order = malloc(most * sizeof(*order));
	line = malloc(v->nshown * sizeof(*line));
	out = malloc(most * sizeof(*out));
	all = malloc(most * sizeof(*all));
	if (!l->idle || !order || !line || !out || !all)
		goto out;
	for (unsigned int s = 0; s < v->nshown; s++) {
		const struct table_row *last = at[s] != UINT_MAX ? lingering_row(ui, v, t, f, s)
								 : NULL;
		struct table_row *r = &l->idle[m];

		if (!last)
			continue;
		*r = *last;
		for (unsigned int c = 0; c < t->schema->ncolumns; c++)
			if (column_is_number(&t->schema->columns[c]))
				r->v[t->schema->columns[c].src] = 0;
		r->hist[0] = r->hist[1] = -1;
		line[m] = at[s];
		/* in the order of their lines */
		for (unsigned int j = m++; j > 0 && line[j - 1] > line[j]; j--) {
			struct table_row swap = l->idle[j];
			unsigned int k = line[j];

			l->idle[j] = l->idle[j - 1];
			l->idle[j - 1] = swap;
			line[j] = line[j - 1];
			line[j - 1] = k;
		}
	}
	if (!m)
		goto out;
	for (unsigned int i = 0; i < n + m; i++) {
		order[i] = i;
		all[i] = i < n ? l->row[i] : &l->idle[i - n];
	}
	damp_linger(order, n, order + n, line, m, out);
	for (unsigned int i = 0; i < n + m; i++)
		l->row[i] = all[out[i]];
	l->n = n + m;
	l->nidle = m;
out:
	free(order);
	free(line);
	free(out);
	free(all);
}

static void pane_lines_free(struct pane_lines *l)
{
	free(l->row);
	free(l->idle);
	*l = (struct pane_lines){ 0 };
}

/* The cells of one row as the frame on screen has them, before damping */
struct row_draft {
	char text[TABLE_MAX_COLUMNS][128];
	struct damp_draft cell[TABLE_MAX_COLUMNS];
};

/* The texts and values of r's first ncols cells (without r: the column titles); ncols is
 * at most TABLE_MAX_COLUMNS (see columns_that_fit) */
static void row_draft_fill(const struct table *t, const struct table_row *r, unsigned int ncols,
			   double interval_s, struct row_draft *d)
{
	const struct table_schema *s = t->schema;

	for (unsigned int c = 0; c < ncols; c++) {
		const struct table_column *col = &s->columns[c];

		if (r)
			format_cell(t, r, c, interval_s, d->text[c], sizeof(d->text[c]));
		else
			snprintf(d->text[c], sizeof(d->text[c]), "%s", col->title);
		d->cell[c] = (struct damp_draft){
			.text = d->text[c],
			.number = r && column_is_number(col),
			.value = r ? table_column_value(t, r, c, interval_s) : 0,
			.events = r && col->kind == COL_COUNT ? (double)r->v[col->src] : 0,
			.passive = col->kind == COL_AGE || col->kind == COL_SHARE,
			.extreme = col->kind == COL_DURATION,
		};
	}
}

/*
 * Draws the cells of a row from column x0 on; returns the first free column (from x0). With
 * dr, the texts are those damp_row_decide chose for the row: all of this frame, or all of
 * the frame it shows. at[c], when given, gets where cell c starts (at[ncols]: where they end).
 */
static int draw_row_cells(const struct table_schema *s, const struct row_draft *d,
			  unsigned int ncols, const int *widths, int y, int x0, int width,
			  int spark_w, const struct damp_row *dr, int *at)
{
	int x = 0;

	for (unsigned int c = 0; c < ncols && x < width; c++) {
		const struct table_column *col = &s->columns[c];
		const char *text = dr ? damp_row_text(dr, c, d->text[c]) : d->text[c];
		int w = widths[c];

		/* the name column takes what is left over */
		if (col->kind == COL_NAME && c + 1 == ncols)
			w = width - x - 1 - spark_w;
		if (at)
			at[c] = x0 + x;
		if (col->kind == COL_NAME)
			mvprintw(y, x0 + x, "%-*.*s", w, w, text);
		else
			mvprintw(y, x0 + x, "%*.*s", w, w, text);
		x += w + 1;
	}
	if (at)
		at[ncols] = x0 + x;
	return x;
}

/*
 * The recent history of a row: its default sort value (a rate, mostly) in the last
 * UI_SPARK_FRAMES frames up to the one on screen, oldest left. The scale is logarithmic
 * under the row's own peak (one step = half as much), so a steady rate draws the same
 * glyphs frame after frame and curses has nothing to send: it costs bytes only when the
 * rate moves by a factor of two, which is when it is worth a look.
 */
static const char *sparkline(struct ui *ui, const struct table_schema *s, uint64_t key, int w,
			     char *line, size_t len)
{
	static const char *const blocks[] = { " ", "\u2581", "\u2582", "\u2583", "\u2584",
					       "\u2585", "\u2586", "\u2587", "\u2588" };
	static const char ascii[] = " .:-=+*#@";
	double v[UI_SPARK_FRAMES], peak = 0;
	int n = w < UI_SPARK_FRAMES ? w : UI_SPARK_FRAMES;
	size_t used = 0;

	for (int i = 0; i < n; i++) {
		const struct frame *f = history_get(&ui->k->history,
						    (ui->paused ? ui->age : 0) + (unsigned int)i);
		const struct table *t = f ? frame_table_const(f, s) : NULL;
		const struct table_row *r = t ? table_find_row(t, key) : NULL;

		v[n - 1 - i] = r ? table_column_value(t, r, s->sort_column, f->interval_s) : 0;
		if (v[n - 1 - i] > peak)
			peak = v[n - 1 - i];
	}
	for (int i = 0; i < n && used + 3 < len; i++) {
		int level = 0;

		if (peak > 0 && v[i] > 0) {
			level = 8 + (int)floor(log2(v[i] / peak));
			level = level < 1 ? 1 : level > 8 ? 8 : level;
		}
		if (ui->utf8)
			used += (size_t)snprintf(line + used, len - used, "%s", blocks[level]);
		else
			line[used++] = ascii[level];
	}
	line[used] = '\0';
	return line;
}

/* With a container selected, panes of interrupt work say whose interrupted tasks they
 * count: the container did not cause that work. NULL when there is nothing to say. */
static const char *charged_note(const struct table_schema *s, const struct frame *f)
{
	return s->charged && f ? f->container : NULL;
}

#define TITLE_COUNT_ROOM 10 /* the title's right end: where the row count goes */

/*
 * The title of a pane, width cells at most: its name (with what its collector says), what it
 * is charged to, focus, sort, filter and step. When that is too long, what the collector
 * says is cut, not the rest: focus and sort stay on screen
 */
static void title_text(const struct ui *ui, const struct pane_view *v, const struct frame *f,
		       bool focused, int width, char *title, size_t len)
{
	const struct table_schema *s = v->schema;
	const struct table *t = f ? frame_table_const(f, s) : NULL;
	/* the title of the frame shown: a collector may say something else by now */
	const char *head = t ? table_title(t) : s->title;
	const char *cut = ui->utf8 ? "\u2026" : "~";
	char tail[256];
	size_t used;
	int room;

	used = (size_t)snprintf(tail, sizeof(tail), "%s%s%s  sort: %s%s ",
				charged_note(s, f) ? "  charged to the interrupted tasks of " : "",
				charged_note(s, f) ? charged_note(s, f) : "", focused ? " *" : "",
				s->columns[v->sort_column].title, v->ascending ? " (asc)" : "");
	if (used < sizeof(tail) && (v->filter[0] || (focused && ui->filter_editing)))
		used += (size_t)snprintf(tail + used, sizeof(tail) - used, " filter: %s%s ",
					 v->filter, focused && ui->filter_editing ? "_" : "");
	/* a pane not focused shows a frame that may be seconds old: say how often it moves */
	if (used < sizeof(tail) && !focused && v->every_s > 0)
		snprintf(tail + used, sizeof(tail) - used, " every %gs ", v->every_s);
	room = width - TITLE_COUNT_ROOM - 1 - (int)strlen(tail) - 1;
	if (room < (int)strlen(s->title))
		room = (int)strlen(s->title); /* the pane's name at least */
	if ((int)strlen(head) <= room)
		snprintf(title, len, " %s%s", head, tail);
	else
		snprintf(title, len, " %.*s%s%s", room - 1, head, cut, tail);
}

/*
 * The mark of something new and hot, until the pane is focused: at the right end of its
 * title line, over the row count, so that no title, however long, pushes it off screen
 */
static void draw_alert(struct ui *ui, const struct pane_view *v, int y, int x0, int width)
{
	char mark[sizeof(v->alert) + 16];
	int w;

	if (!v->alert[0])
		return;
	w = snprintf(mark, sizeof(mark), " NEW %s ", v->alert);
	if (w > width / 2)
		w = width / 2;
	attrset(ui->attr[ROLE_WARNING] | A_REVERSE);
	mvaddnstr(y, x0 + width - w, mark, w);
}

/*
 * floor[c] for the first ncols columns: DAMP_FLOOR of the largest number of column c among
 * the rows of t the pane shows (the filter's): a change smaller than that does not change
 * what the column says
 */
static void column_floors(const struct pane_view *v, const struct table *t, unsigned int ncols,
			  double interval_s, double *floor)
{
	for (unsigned int c = 0; c < ncols && c < DAMP_COLUMNS; c++) {
		floor[c] = 0;
		for (unsigned int i = 0; column_is_number(&t->schema->columns[c]) && i < t->nrows;
		     i++) {
			double x = fabs(table_column_value(t, &t->rows[i], c, interval_s));

			if (x > floor[c] && !isnan(x) && row_matches(v, &t->rows[i]))
				floor[c] = x;
		}
		floor[c] *= DAMP_FLOOR;
	}
}

/*
 * What each row of t will show in the sort column, as damp_row_decide will decide (exact:
 * the key of the row drawn from the newest frame whatever it showed, or none): the value it
 * shows when it keeps what it shows, else the frame's. The pane is ordered by it, so that
 * the order on screen is the order of what the screen says, and a row whose figures are
 * kept is not moved by the changes they hide. An array the caller frees; NULL: the frame's.
 */
static double *shown_values(struct damp_table *damp, const struct pane_view *v,
			    const struct table *t, const struct frame *f, unsigned int ncols,
			    const double *floor, bool spark, const uint64_t *exact)
{
	unsigned int col = (unsigned int)v->sort_column;
	double *value = malloc((t->nrows ? t->nrows : 1) * sizeof(*value));
	struct row_draft d;

	if (!value)
		return NULL;
	table_column_values(t, col, f->interval_s, value);
	for (unsigned int i = 0; col < ncols && col < DAMP_COLUMNS && i < t->nrows; i++) {
		const struct table_row *r = &t->rows[i];
		struct damp_row *dr = damp_row_find(damp, r->key);

		if (exact && r->key == *exact)
			continue;
		if (!dr || !dr->frame || col >= dr->ncells || !dr->cells[col].number)
			continue;
		row_draft_fill(t, r, ncols, f->interval_s, &d);
		if (damp_row_keeps(dr, d.cell, ncols, floor, spark, f->seq))
			value[i] = dr->cells[col].value;
	}
	return value;
}

void pane_draw(struct ui *ui, struct pane_view *v, const struct frame *f, struct layout_box box,
	       bool focused)
{
	const struct table_schema *s = v->schema;
	const struct table *t = view_table(v, f);
	int top = box.y, height = box.height, x0 = box.x, width = box.width;
	int widths[TABLE_MAX_COLUMNS], sel, rows, spark_w = 0, spark_x = 0;
	unsigned int ncols = columns_fit(s, width, widths), n = 0, *idx;
	unsigned int count_rows, lingering_above = 0, nbefore;
	struct pane_lines lines = { 0 };
	uint64_t before[sizeof(v->shown) / sizeof(v->shown[0])];
	double floor[DAMP_COLUMNS] = { 0 };
	struct damp_table *damp;
	bool steady, full_width = x0 == 0 && width == COLS, lingers[UI_MAX_SHOWN] = { false };
	bool by_name = s->columns[v->sort_column].kind == COL_NAME;
	unsigned int linger_at[UI_MAX_SHOWN];
	char title[400];

	v->box = box;
	v->folded = false;
	v->nlines = 0;
	v->ncolumns_drawn = 0;
	if (height < 2)
		return;
	/* a sparkline where the columns leave room for it, in the pane being looked at: a
	 * sparkline moves every frame, and seven of them were a third of the bytes sent */
	if (!s->detail && focused) {
		int x = 0;

		for (unsigned int c = 0; c < ncols; c++)
			x += widths[c] + 1;
		if (s->columns[ncols - 1].kind == COL_NAME)
			x += 8; /* the name column keeps some room of its own */
		if (width - x > UI_SPARK_FRAMES + 1)
			spark_w = UI_SPARK_FRAMES;
	}
	attrset(ui->attr[focused ? ROLE_TITLE : ROLE_COLUMNS]);
	mvhline(top, x0, ' ', width);
	title_text(ui, v, f, focused, width, title, sizeof(title));
	mvaddnstr(top, x0, title, width);
	attrset(ui->attr[ROLE_COLUMNS] | A_BOLD);
	mvhline(top + 1, x0, ' ', width);
	if (t) {
		struct row_draft titles;

		row_draft_fill(t, NULL, ncols, 0, &titles);
		spark_x = draw_row_cells(s, &titles, ncols, widths, top + 1, x0, width, spark_w,
					 NULL, v->column_x);
		v->ncolumns_drawn = ncols;
		if (spark_w)
			mvaddstr(top + 1, x0 + spark_x, "RECENT");
	}
	attrset(ui->attr[ROLE_DEFAULT]);
	rows = height - 2;
	v->visible_rows = rows;
	damp = pane_damp(ui, v);
	steady = damp && v->nshown && damp->order_column == v->sort_column &&
		 damp->order_ascending == v->ascending;
	/* the view orders its own index: the frame's table stays as it was made */
	if (t) {
		/* a paused screen is exact: no row lingers there; nor in a pane that had
		 * nothing to count at all, which says so rather than show a line of zeros */
		bool linger = t->nrows && steady && !ui->paused;
		double *shown = NULL;

		for (unsigned int s = 0; s < v->nshown; s++) {
			lingers[s] = linger && lingering_row(ui, v, t, f, s) != NULL;
			/* where the order is not kept (by name), on its own line */
			linger_at[s] = lingers[s] && by_name ? s : UINT_MAX;
		}
		if (damp)
			column_floors(v, t, ncols, f->interval_s, floor);
		if (steady && !ui->paused)
			shown = shown_values(damp, v, t, f, ncols, floor, spark_w != 0,
					     focused && v->has_selection ? &v->selected_key
									 : NULL);
		view_sort(v, t, f, steady, lingers, linger_at, shown);
		free(shown);
		pane_lines_make(ui, v, t, f, linger ? linger_at : NULL, &lines);
	}
	if (damp) {
		damp->order_column = v->sort_column;
		damp->order_ascending = v->ascending;
	}
	nbefore = v->nshown;
	memcpy(before, v->shown, sizeof(before));
	if (t) {
		v->nshown = 0;
		for (unsigned int i = 0; i < lines.n && v->nshown < UI_MAX_SHOWN; i++)
			v->shown[v->nshown++] = lines.row[i]->key;
	}
	idx = visible_rows(v, lines.row, lines.n, &n);
	sel = selected_position(v, lines.row, idx, n);
	/* the highlighted row is a real one: when it is the first line, the rows lingering
	 * above the first real one go */
	while (focused && sel == 0 && n && row_lingers(&lines, lines.row[idx[0]]))
		memmove(idx, idx + 1, --n * sizeof(*idx));
	if (!n) {
		if (rows > 0)
			mvaddnstr(top + 2, x0 + 1, !f ? "(collecting...)"
					       : v->filter[0] ? "(no row matches the filter)"
							      : pane_empty_text(ui, s),
				  width - 1);
		goto out;
	}
	count_rows = n;
	for (unsigned int i = 0; lines.nidle && i < n; i++)
		if (row_lingers(&lines, lines.row[idx[i]])) {
			count_rows--;
			lingering_above += (int)i < sel;
		}
	if (sel < v->scroll)
		v->scroll = sel;
	if (sel >= v->scroll + rows)
		v->scroll = sel - rows + 1;
	if (v->scroll > (int)n - rows)
		v->scroll = (int)n - rows;
	if (v->scroll < 0)
		v->scroll = 0;
	v->selected_line = sel;
	for (int i = 0; i < rows && v->scroll + i < (int)n; i++) {
		const struct table_row *r = lines.row[idx[v->scroll + i]];
		bool is_sel = v->scroll + i == sel && focused;
		bool idle = row_lingers(&lines, r);
		struct damp_row *dr = damp ? damp_row(damp, r->key, f->seq) : NULL;
		char spark[UI_SPARK_FRAMES * 3 + 1];
		struct row_draft d;
		int x, dim_from = -1, at[TABLE_MAX_COLUMNS + 1];

		row_draft_fill(t, r, ncols, f->interval_s, &d);
		/* a row kept on its line with nothing counted shows no figures, dimmed: zeros
		 * would read as something that happened */
		for (unsigned int c = 0; idle && c < ncols; c++)
			if (d.cell[c].number) {
				snprintf(d.text[c], sizeof(d.text[c]), "-");
				if (dim_from < 0)
					dim_from = (int)c;
			}
		if (spark_w)
			sparkline(ui, s, r->key, spark_w, spark, sizeof(spark));
		/* the row is drawn whole from one frame: the selected row, and a paused
		 * screen, are looked at closely, so that frame is the newest */
		if (dr) {
			/* rows moving a line along with their neighbours keep their texts,
			 * across the whole width: the terminal scrolls them (before: the keys
			 * drawn last time); it cannot scroll part of a line */
			dr->moving = full_width && damp_moves_along(before, nbefore, v->shown,
								    v->nshown, idx[v->scroll + i]);
			damp_row_decide(dr, d.cell, ncols, floor, spark_w ? spark : NULL, f->seq,
					is_sel || ui->paused);
		}
		if (i < UI_MAX_LINES) {
			v->line_keys[i] = r->key;
			v->nlines = (unsigned int)i + 1;
		}
		attrset(ui->attr[is_sel ? ROLE_SELECTED : ROLE_DEFAULT]);
		if (is_sel)
			mvhline(top + 2 + i, x0, ' ', width);
		for (unsigned int c = 0; c <= ncols; c++)
			at[c] = x0 + width;
		x = draw_row_cells(s, &d, ncols, widths, top + 2 + i, x0, width, spark_w, dr, at);
		if (spark_w) /* in the row's own colours: no attribute changes to send */
			mvaddstr(top + 2 + i, x0 + x, dr ? damp_row_spark(dr, spark) : spark);
		/* dimmed from its first figure to the end of the line, gaps too: a row that
		 * comes to linger sends its figures once between two attribute changes, not
		 * two per cell, and its name not at all */
		if (dim_from >= 0 && !is_sel && (unsigned int)dim_from < ncols &&
		    at[dim_from] < x0 + width) {
			attr_t dim = (attr_t)ui->attr[ROLE_DEFAULT] | A_DIM;

			mvchgat(top + 2 + i, at[dim_from], x0 + width - at[dim_from],
				dim & ~A_COLOR, (short)PAIR_NUMBER(dim), NULL);
		}
	}
	attrset(ui->attr[focused ? ROLE_TITLE : ROLE_COLUMNS]);
	if (rows > 0) {
		char pos[64], count[24];
		int position;

		/* where the selection is, and how many rows there are: lingering ones are not */
		snprintf(count, sizeof(count), "%u", count_rows);
		/* the number of rows is damped too, while the selection is on the first */
		position = sel + 1 - (int)lingering_above;
		/* only lingering rows on screen: no selection among none */
		if (count_rows == 0)
			position = 0;
		else if (position > (int)count_rows)
			position = (int)count_rows;
		snprintf(pos, sizeof(pos), " %d/%s ", position,
			 damp ? damp_cell_text(&damp->count, count_rows, 0, count, f->seq,
					       ui->paused || sel > 0)
			      : count);
		mvaddstr(top, x0 + width - (int)strlen(pos) - 1, pos);
	}
out:
	if (!focused)
		draw_alert(ui, v, top, x0, width);
	attrset(ui->attr[ROLE_DEFAULT]);
	free(idx);
	pane_lines_free(&lines);
}

/*
 * The busiest row of t by the pane's own default sort (descending): the one summarized last
 * time, unless another has DAMP_ORDER_FACTOR times as much, so the line does not flip
 * between rows of close figures
 */
static const struct table_row *busiest_row(struct pane_view *v, const struct table *t,
					   double interval_s)
{
	const struct table_row *best = NULL, *kept = NULL;
	unsigned int col = v->schema->sort_column;
	double best_value = 0, kept_value = 0;

	for (unsigned int i = 0; i < t->nrows; i++) {
		const struct table_row *r = &t->rows[i];
		double x = table_column_value(t, r, col, interval_s);

		if (!row_matches(v, r) || isnan(x))
			continue;
		if (!best || x > best_value)
			best = r, best_value = x;
		if (v->has_summary && r->key == v->summary_key)
			kept = r, kept_value = x;
	}
	if (kept && best_value <= kept_value * DAMP_ORDER_FACTOR)
		return kept;
	return best;
}

/*
 * A folded pane's line: " TITLE  top: NAME  COLUMN VALUE " in line (size), for width
 * cells; returns its length. A frame's title may carry details after its name, two spaces
 * apart ("Critical sections >100us: detections, lower bounds  tick 250Hz, ..."): they come
 * after the summary, as far as they fit, so that the busiest row and its figure are on the
 * line at 80 columns too; NAME is cut to keep the figure on it.
 */
static size_t folded_summary(char *line, size_t size, size_t width, const char *title,
			     const char *name, const char *column, const char *value)
{
	const char *details = strstr(title, "  ");
	int head = details ? (int)(details - title) : (int)strlen(title);
	size_t fixed, room, n = strlen(name), used;

	/* " " head "  top: " name "  " column " " value " " */
	fixed = 1 + (size_t)head + 7 + 2 + strlen(column) + 1 + strlen(value) + 1;
	room = width > fixed ? width - fixed : 0;
	if (n > room && room >= 8) {
		n = room;
		while (n > 0 && ((unsigned char)name[n] & 0xc0) == 0x80) /* a whole character */
			n--;
	}
	used = (size_t)snprintf(line, size, " %.*s  top: %.*s  %s %s ", head, title, (int)n,
				name, column, value);
	if (details && used < size && used + strlen(details + 2) + 2 <= width)
		used += (size_t)snprintf(line + used, size - used, " %s ", details + 2);
	return used < size ? used : size - 1;
}

void pane_draw_folded(struct ui *ui, struct pane_view *v, const struct frame *f,
		      struct layout_box box)
{
	const struct table_schema *s = v->schema;
	const struct table *t = f ? frame_table_const(f, s) : NULL;
	const struct table_row *r = t ? busiest_row(v, t, f->interval_s) : NULL;
	char line[400], cell[64], count[32], rows[24];
	size_t used;

	v->box = box;
	v->folded = true;
	v->nlines = 0;
	v->ncolumns_drawn = 0;
	attrset(ui->attr[ROLE_COLUMNS]);
	mvhline(box.y, box.x, ' ', box.width);
	if (!r) {
		v->has_summary = false;
		used = (size_t)snprintf(line, sizeof(line), " %s  %s ", t ? table_title(t) : s->title,
					!f ? "(collecting...)"
					: v->filter[0] ? "(no row matches the filter)"
						       : pane_empty_text(ui, s));
	} else {
		unsigned int col = s->sort_column, n = 0;
		const char *shown;

		if (!v->has_summary || v->summary_key != r->key)
			memset(&v->summary, 0, sizeof(v->summary));
		v->summary_key = r->key;
		v->has_summary = true;
		format_cell(t, r, col, f->interval_s, cell, sizeof(cell));
		used = folded_summary(line, sizeof(line), (size_t)box.width, table_title(t),
				      r->name ? r->name : "?", s->columns[col].title,
				      damp_cell_text(&v->summary,
						     table_column_value(t, r, col, f->interval_s),
						     0, cell, f->seq, ui->paused));
		for (unsigned int i = 0; i < t->nrows; i++)
			n += row_matches(v, &t->rows[i]);
		snprintf(rows, sizeof(rows), "%u", n);
		shown = damp_cell_text(&v->summary_rows, n, 0, rows, f->seq, ui->paused);
		snprintf(count, sizeof(count), " %s row%s ", shown, strcmp(shown, "1") ? "s" : "");
		if ((int)(used + strlen(count)) < box.width)
			mvaddstr(box.y, box.x + box.width - (int)strlen(count) - 1, count);
	}
	mvaddnstr(box.y, box.x, line, box.width);
	draw_alert(ui, v, box.y, box.x, box.width);
	attrset(ui->attr[ROLE_DEFAULT]);
}

unsigned int pane_rows_wanted(struct ui *ui, const struct pane_view *v)
{
	unsigned int most = 0;

	for (unsigned int age = 0; age < UI_LAYOUT_FRAMES; age++) {
		const struct frame *f = history_get(&ui->k->history,
						    (ui->paused ? ui->age : 0) + age);
		const struct table *t = f ? frame_table_const(f, v->schema) : NULL;
		unsigned int n = 0;

		if (!f)
			break;
		for (unsigned int i = 0; t && i < t->nrows; i++)
			n += row_matches(v, &t->rows[i]);
		most = n > most ? n : most;
	}
	return most;
}

/* Whether row r of a table of s may mark its pane new and hot (see table_schema.alerts) */
static bool row_may_alert(const struct table_schema *s, const struct table_row *r)
{
	return !s->alerts || s->alerts(r);
}

bool pane_alert_check(struct ui *ui, struct pane_view *v, unsigned int age,
		      unsigned int before)
{
	const struct table_schema *s = v->schema;
	const struct frame *f = history_get(&ui->k->history, age);
	const struct table *t = f ? frame_table_const(f, s) : NULL;
	const struct table_row *top = NULL;
	double top_value = 0, row_before = 0, top_before = 0;

	if (before <= age)
		before = age + 1;
	if (!t || !s->charged || ui->k->history.count < before + UI_ALERT_FRAMES)
		return false;
	for (unsigned int i = 0; i < t->nrows; i++) {
		double x = table_column_value(t, &t->rows[i], s->sort_column, f->interval_s);

		if (!row_may_alert(s, &t->rows[i]))
			continue;
		if (x > top_value)
			top = &t->rows[i], top_value = x;
	}
	if (!top)
		return false;
	for (unsigned int back = before; back < before + UI_ALERT_FRAMES; back++) {
		const struct frame *o = history_get(&ui->k->history, back);
		const struct table *ot = o ? frame_table_const(o, s) : NULL;

		for (unsigned int i = 0; ot && i < ot->nrows; i++) {
			double x = table_column_value(ot, &ot->rows[i], s->sort_column,
						      o->interval_s);

			if (!row_may_alert(s, &ot->rows[i]))
				continue;
			top_before = x > top_before ? x : top_before;
			if (ot->rows[i].key == top->key && x > row_before)
				row_before = x;
		}
	}
	if (!(top_value > top_before && top_value >= UI_ALERT_FACTOR * row_before))
		return false;
	snprintf(v->alert, sizeof(v->alert), "%s", top->name ? top->name : "?");
	return true;
}

void pane_filter_key(struct ui *ui, int key)
{
	struct pane_view *v = &ui->panes[ui->focused];
	size_t len = strlen(v->filter);

	if (key == 27) { /* Esc: no filter */
		v->filter[0] = '\0';
		ui->filter_editing = false;
	} else if (key == '\r' || key == '\n' || key == KEY_ENTER) {
		ui->filter_editing = false;
	} else if (key == KEY_BACKSPACE || key == 127 || key == 8) {
		if (len)
			v->filter[len - 1] = '\0';
	} else if (key >= ' ' && key < 127 && len + 1 < sizeof(v->filter)) {
		v->filter[len] = (char)key;
		v->filter[len + 1] = '\0';
	}
	v->has_selection = false; /* the first match is selected */
	v->scroll = 0;
}

/* [general] panes gives the panes and their order; [syscalls] sort the syscalls sort */
void pane_list_build(struct ui *ui)
{
	char list[CONFIG_LIST_MAX], *save = NULL;
	const struct ktop_config *cfg = &ui->k->cfg;

	for (unsigned int i = 0; i < UI_MAX_PANES; i++)
		pane_view_free(&ui->panes[i]);
	ui->npanes = 0;
	snprintf(list, sizeof(list), "%s", cfg->panes);
	for (char *id = strtok_r(list, ", ", &save); id && ui->npanes < UI_MAX_PANES;
	     id = strtok_r(NULL, ", ", &save)) {
		const struct table_schema *s = frame_schema_find(id);
		struct pane_view *v;
		int col;

		if (!s || !s->pane)
			continue;
		v = &ui->panes[ui->npanes++];
		*v = (struct pane_view){ .schema = s, .sort_column = (int)s->sort_column };
		col = strcmp(s->id, "syscalls") == 0 ? table_column_index(s, cfg->syscall_sort) : -1;
		if (col >= 0)
			v->sort_column = col;
	}
}
