// SPDX-License-Identifier: GPL-2.0
/*
 * ui/picker.c: the container picker. `c` opens it over the panes; typing narrows the
 * list (name, runtime or id containing the text), Enter switches every pane to the
 * highlighted container, Esc leaves things as they were. The first entry is the whole
 * machine. The list comes from the newest frame's containers table.
 *
 * Kubernetes pods are grouped: a line for the pod ("namespace/pod", every container of it
 * at once), its containers indented below it. Text that matches the pod shows all of its
 * containers; text that matches one container shows it under its pod.
 */
#include <ctype.h>
#include <curses.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/containers.h"
#include "core/format.h"
#include "ui_internal.h"

#define KEY_ESC 27
#define PICK_MAX 512

struct pick {
	const struct table_row *row; /* NULL: the whole machine, or a pod */
	const struct table_row *pod; /* a pod's line: its first container's row */
	unsigned int members;	     /* a pod's line: its containers */
	uint64_t procs;		     /* a pod's line: their processes */
};

/* A row's pod UID, or NULL when it is not a pod's container (strings: namespace, pod,
 * container, UID; collectors/containers.c) */
static const char *pod_of(const struct table_row *r)
{
	return r->nstrings >= K8S_STRINGS && r->strings[3] && r->strings[3][0] ? r->strings[3]
										: NULL;
}

/*
 * A containers row's value by its column's id: ui/ reads a collector's table through its
 * schema (stable column ids, as the JSON keys and core/openmetrics.c), never through the
 * collector's own enum (collectors/containers.h), which it may not include.
 */
static uint64_t value_of(const struct table_row *r, const char *column)
{
	const struct table_schema *s = frame_schema_find("containers");
	int col = s ? table_column_index(s, column) : -1;

	return col >= 0 ? r->v[s->columns[col].src] : 0;
}

static enum container_runtime runtime_of(const struct table_row *r)
{
	uint64_t runtime = value_of(r, "runtime");

	return runtime < RUNTIME_COUNT ? (enum container_runtime)runtime : RUNTIME_HOST;
}

/* A row's string i, "" when missing (a recording may hold none) */
static const char *string_at(const struct table_row *r, unsigned int i)
{
	return i < r->nstrings && r->strings[i] ? r->strings[i] : "";
}

/* "namespace/pod" when the names are known, else the UID */
static const char *pod_text(const struct table_row *r, char *buf, size_t len)
{
	if (string_at(r, 0)[0] && string_at(r, 1)[0])
		snprintf(buf, len, "%s/%s", string_at(r, 0), string_at(r, 1));
	else
		snprintf(buf, len, "%s", string_at(r, 3));
	return buf;
}

static const struct table *containers_table_of(const struct frame *f)
{
	const struct table_schema *s = frame_schema_find("containers");

	return f && s ? frame_table_const(f, s) : NULL;
}

static bool contains(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	if (!hay)
		return false;
	for (; *hay; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return true;
	return n == 0;
}

static bool row_matches(const struct ui *ui, const struct table_row *r)
{
	const char *runtime = container_runtime_names[runtime_of(r)];

	return contains(r->name, ui->search) || contains(r->label, ui->search) ||
	       contains(runtime, ui->search);
}

/* The entries that match what was typed: the whole machine first, then the containers
 * of no pod, then each pod with its containers */
static unsigned int picks(const struct ui *ui, const struct frame *f, struct pick *out)
{
	const struct table *t = containers_table_of(f);
	unsigned int n = 0;

	if (!ui->search[0] || contains("all containers (whole machine)", ui->search))
		out[n++] = (struct pick){ NULL };
	for (unsigned int i = 0; t && i < t->nrows && n < PICK_MAX; i++) {
		const struct table_row *r = &t->rows[i];

		if (runtime_of(r) != RUNTIME_HOST && !pod_of(r) && row_matches(ui, r))
			out[n++] = (struct pick){ r };
	}
	for (unsigned int i = 0; t && i < t->nrows && n < PICK_MAX; i++) {
		const struct table_row *r = &t->rows[i];
		const char *uid = pod_of(r);
		struct pick head = { NULL, r, 0, 0 };
		unsigned int at = n;
		bool first = true, pod_match;
		char text[2 * K8S_NAME_MAX];

		if (!uid)
			continue;
		for (unsigned int j = 0; j < i && first; j++)
			first = pod_of(&t->rows[j]) != uid; /* interned: one pointer per UID */
		if (!first)
			continue;
		pod_match = contains(pod_text(r, text, sizeof(text)), ui->search) ||
			    contains("pod", ui->search) || contains(uid, ui->search);
		out[n++] = head;
		for (unsigned int j = i; j < t->nrows; j++) {
			const struct table_row *m = &t->rows[j];

			if (pod_of(m) != uid)
				continue;
			out[at].members++;
			out[at].procs += value_of(m, "procs");
			if ((pod_match || row_matches(ui, m)) && n < PICK_MAX)
				out[n++] = (struct pick){ m };
		}
		if (n == at + 1 && !pod_match)
			n = at; /* nothing of this pod matches */
	}
	return n;
}

void picker_open(struct ui *ui)
{
	ui->picking = true;
	ui->search[0] = '\0';
	ui->pick_index = 0;
}

void picker_draw(struct ui *ui, const struct frame *f)
{
	static struct pick list[PICK_MAX + 1];
	unsigned int n = picks(ui, f, list);
	int top = 2, y;

	attrset(ui->attr[ROLE_TITLE]);
	mvhline(top, 0, ' ', COLS);
	mvaddnstr(top, 0, " Containers: type to search, Enter switches every pane, Esc cancels ",
		  COLS);
	attrset(ui->attr[ROLE_DEFAULT]);
	mvprintw(top + 1, 1, "search: %s", ui->search);
	attrset(ui->attr[ROLE_COLUMNS]);
	mvhline(top + 2, 0, ' ', COLS);
	mvprintw(top + 2, 0, " %-24s %-10s %-14s %6s", "NAME", "RUNTIME", "ID", "PROCS");
	if (ui->pick_index >= n)
		ui->pick_index = n ? n - 1 : 0;
	y = top + 3;
	for (unsigned int i = 0; i < n && y < LINES - 1; i++, y++) {
		const struct table_row *r = list[i].row;
		char text[2 * K8S_NAME_MAX];

		attrset(ui->attr[i == ui->pick_index ? ROLE_SELECTED : ROLE_DEFAULT]);
		mvhline(y, 0, ' ', COLS);
		if (list[i].pod)
			mvprintw(y, 0, " %-24.24s %-10s %-14.14s %6llu  %u container%s",
				 pod_text(list[i].pod, text, sizeof(text)), "pod",
				 string_at(list[i].pod, 3), (unsigned long long)list[i].procs,
				 list[i].members, list[i].members == 1 ? "" : "s");
		else if (!r)
			mvaddnstr(y, 1, "all containers (whole machine)", COLS - 1);
		else if (pod_of(r))
			/* under its pod's line: the container's own name is enough */
			mvprintw(y, 0, "   %-22.22s %-10s %-14.14s %6llu",
				 string_at(r, 2)[0] ? string_at(r, 2) : r->name ? r->name : "",
				 container_runtime_names[runtime_of(r)], r->label ? r->label : "",
				 (unsigned long long)value_of(r, "procs"));
		else
			mvprintw(y, 0, " %-24.24s %-10s %-14.14s %6llu", r->name ? r->name : "",
				 container_runtime_names[runtime_of(r)], r->label ? r->label : "",
				 (unsigned long long)value_of(r, "procs"));
	}
	attrset(ui->attr[ROLE_DEFAULT]);
	if (n == 0)
		mvaddnstr(y, 1, "(no container matches)", COLS - 1);
}

static void pick_select(const struct pick *p)
{
	const struct table_row *r = p->row;
	const struct container *c;
	char text[2 * K8S_NAME_MAX];

	if (p->pod) {
		/* the whole pod: "namespace/pod", or its UID when the names are not known */
		containers_select(pod_text(p->pod, text, sizeof(text)));
		return;
	}
	if (!r) {
		containers_select(NULL);
		return;
	}
	/* the full id (the row shows the short one); a container gone since the frame was
	 * drawn is asked for by what the row said, and the header then says it stopped */
	c = containers_by_key(r->key);
	containers_select(c ? c->id : r->label);
}

void picker_key(struct ui *ui, int key)
{
	static struct pick list[PICK_MAX + 1];
	unsigned int n = picks(ui, ui_frame(ui), list);
	size_t len = strlen(ui->search);

	switch (key) {
	case KEY_ESC:
		ui->picking = false;
		break;
	case '\n':
	case '\r':
	case KEY_ENTER:
		if (ui->pick_index < n)
			pick_select(&list[ui->pick_index]);
		ui->picking = false;
		break;
	case KEY_UP:
		if (ui->pick_index > 0)
			ui->pick_index--;
		break;
	case KEY_DOWN:
		if (ui->pick_index + 1 < n)
			ui->pick_index++;
		break;
	case KEY_BACKSPACE:
	case 127:
	case 8:
		if (len)
			ui->search[len - 1] = '\0';
		ui->pick_index = 0;
		break;
	default:
		if (key > 0 && key < 127 && isprint(key) && len + 1 < sizeof(ui->search)) {
			ui->search[len] = (char)key;
			ui->search[len + 1] = '\0';
			ui->pick_index = 0;
		}
	}
}
