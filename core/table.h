/* SPDX-License-Identifier: GPL-2.0 */
/*
 * core/table.h: the tables a collector fills each tick and every sink reads.
 *
 * A table is described by a schema: a stable id ("syscalls"), a title, and columns that
 * say how each value is stored and shown. Rows carry interned names, a fixed array of
 * 64-bit values (per-interval deltas, never cumulative) and up to two log2 histograms.
 * Panes, batch text and JSON all render from the schema, so a new collector gets its
 * pane and its output for free.
 */
#ifndef KTOP_CORE_TABLE_H
#define KTOP_CORE_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hash_index.h"
#include "hist_slots.h"

#define TABLE_MAX_VALUES 12
#define TABLE_MAX_COLUMNS 16
#define TABLE_MAX_TABLES 48 /* every registered schema: room for new collectors */

enum column_kind {
	COL_NAME,     /* row->name (or row->label when src == 1) */
	COL_ID,       /* v[src] as an integer (syscall number, IRQ, pid, CPU) */
	COL_COUNT,    /* v[src] events in the interval, shown as a rate per second */
	COL_TIME,     /* v[src] ns in the interval, shown as time per second */
	COL_CPU_PCT,  /* v[src] ns in the interval, shown as % of one CPU */
	COL_DURATION, /* v[src] ns, shown as a duration (a maximum, say) */
	COL_AVERAGE,  /* v[src] / v[den], shown as a duration */
	COL_SHARE,    /* v[src] as % of the column's sum over all rows */
	COL_CPUS,     /* v[src] bitmask of CPUs 0..63, shown as a list */
	COL_TEXT_VALUE, /* v[src] indexes the schema's value_names[] */
	/* v[src] ns from the last event to the end of the interval (AGO), shown as a
	 * duration: when in its frame a row's last event came, which changes every frame
	 * and alone is no news on the screen (ui/damp.h) */
	COL_AGE,
};

struct table_column {
	const char *id;    /* stable: JSON key, config sort name, batch header */
	const char *title; /* screen header */
	enum column_kind kind;
	uint8_t src, den;
	uint8_t width;
	bool derived; /* computed from stored values: not written to JSON */
	const char *help;
};

struct table_row;

struct table_schema {
	const char *id;    /* "syscalls": JSON array name, pane id */
	const char *title; /* "System calls" */
	const struct table_column *columns;
	unsigned int ncolumns;
	unsigned int sort_column;   /* default sort, descending */
	unsigned int max_rows;      /* kept per frame; beyond it the smallest are dropped */
	unsigned int hist_count;    /* histograms per row: 0, 1 or 2 */
	const char *hist_names[2];  /* "latency", "delay" */
	const char *const *value_names; /* for COL_TEXT_VALUE */
	const struct table_schema *drill; /* detail table filled while a row is focused */
	const struct table_schema *drill_also; /* a second one, shown under it */
	const struct table_schema *alternate; /* another view of the same data (per CPU) */
	const char *strings_id;     /* JSON key of the rows' string lists ("stack"), or NULL */
	/* a row may stand for several processes that have exited (one command's): how many is
	 * v[exited_value] (0: none, a row of its own); such a row's id reads "exited", its
	 * name "name (N)", and JSON has "exited": N. 0: no such rows */
	unsigned int exited_value;
	bool pane;                  /* shown as a pane on the main screen */
	bool detail;                /* filled only while focused */
	bool internal;              /* one collector's input to another: not shown, not output */
	/* rows are charged to whatever task the work interrupted (IRQs, softirqs, tasklets,
	 * critical sections): with a container selected, its interrupted tasks, not its cause */
	bool charged;
	/* the rows that may mark the pane new and hot when it is not focused (NULL: all):
	 * in the critical pane, those that blame kernel code, not idle, user or external */
	bool (*alerts)(const struct table_row *r);
	/* a pane left out of the default [general] panes (its collector costs more than the
	 * others, or has nothing to show unless asked): shown when the user lists it */
	bool opt_in;
};

struct hist {
	uint32_t slot[HIST_SLOTS];
};

struct table_row {
	uint64_t key;
	const char *name;  /* interned */
	const char *label; /* interned, may be NULL */
	uint64_t v[TABLE_MAX_VALUES];
	int32_t hist[2]; /* index into the frame's histogram pool, -1 when none */
	/* a list of strings (a stack), owned by the collector for as long as ktop runs */
	const char *const *strings;
	unsigned int nstrings;
};

struct table {
	const struct table_schema *schema;
	struct table_row *rows;
	unsigned int nrows, capacity;
	uint64_t dropped_rows; /* rows beyond max_rows this interval */
	/* what its collector says of this interval's rows (interned; NULL: the schema's title):
	 * a view of this frame shows this one, not what the collector says now */
	const char *title;
};

unsigned int hist_slot(uint64_t ns);
/* The lower bound, in ns, of histogram slot i */
uint64_t hist_slot_floor(unsigned int slot);
uint64_t hist_total(const struct hist *h);
/* The value below which fraction q (0..1) of the samples fall, interpolated in its slot */
uint64_t hist_quantile(const struct hist *h, double q);
void hist_add(struct hist *dst, const struct hist *src);
/* Add slots[HIST_SLOTS] (a kernel histogram) into h; nothing when either is NULL */
void hist_add_u32(struct hist *h, const uint32_t *slots);

/* Returns the new row (zeroed, hist = -1), or NULL with errno = ENOMEM */
struct table_row *table_add_row(struct table *t, uint64_t key);
struct table_row *table_find_row(const struct table *t, uint64_t key);

/*
 * Rows found by key without a scan, while a table is filled from thousands of entries
 * (processes summed into their containers' rows): table_keyed_start() indexes the rows t
 * holds, table_keyed_row() finds a key's row or adds it (*added says which); NULL when
 * out of memory. Rows added to t other than through it are not seen. The index is the
 * caller's, kept from tick to tick for its memory. table_keyed_find() only finds.
 */
struct table_keyed {
	struct hash_index ix;
	struct table *t;
};

int table_keyed_start(struct table_keyed *k, struct table *t);
struct table_row *table_keyed_find(const struct table_keyed *k, uint64_t key);
struct table_row *table_keyed_row(struct table_keyed *k, uint64_t key, bool *added);
void table_keyed_free(struct table_keyed *k);
void table_reset(struct table *t);
void table_free(struct table *t);
/* How many exited processes row r of t stands for (see exited_value); 0: none */
static inline uint64_t table_row_exited(const struct table *t, const struct table_row *r)
{
	return t->schema->exited_value ? r->v[t->schema->exited_value] : 0;
}

/* The value of column col for row r, as a number to sort by or print */
double table_column_value(const struct table *t, const struct table_row *r, unsigned int col,
			  double interval_s);
/* The value of column col for every row of t, in row order, into value[t->nrows]: a
 * share's column sum is taken once, not once per row */
void table_column_values(const struct table *t, unsigned int col, double interval_s,
			 double *value);
/*
 * The order of t's rows by column col (descending unless ascending), ties by key: order[]
 * gets t->nrows indexes into t->rows. t is not touched: a view of a frame in the history
 * orders rows this way. 0, or -ENOMEM (order[] then holds the rows as they are).
 */
int table_order(const struct table *t, unsigned int col, bool ascending, double interval_s,
		unsigned int *order);
/* The same for a screen refreshed every interval: rows whose values are within about 25% of
 * each other (the same step of a 1.25x log scale) keep the order they were shown in last
 * time (prev: keys in display order), so rows do not swap places, and the terminal is
 * not repainted, for noise. Name sorts are plain. */
int table_order_steady(const struct table *t, unsigned int col, bool ascending,
		       double interval_s, const uint64_t *prev, unsigned int nprev,
		       unsigned int *order);
/* Sort the rows themselves as table_order() orders them: only a table being made (a frame
 * not yet in the history) is sorted, never one a sink or a view reads */
void table_sort(struct table *t, unsigned int col, bool ascending, double interval_s);
/* Keep at most max rows, the largest by the default sort column; the rest count as dropped */
void table_keep(struct table *t, unsigned int max);
/* table_keep() to schema->max_rows, when the schema has one */
void table_trim(struct table *t);
int table_column_index(const struct table_schema *s, const char *id);
/* The title of t as its frame has it: its own, or its schema's */
const char *table_title(const struct table *t);

#endif
