// SPDX-License-Identifier: GPL-2.0
/* core/frame.c: frames and the fixed ring of recent frames (the sample buffer). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"

static const struct table_schema *schemas[TABLE_MAX_TABLES];
static unsigned int nschemas;

/*
 * Per schema, the largest row block given back by a table cut to its size
 * (history_compact), for the next frame to fill; likewise the largest histogram pool. A
 * frame's large blocks go round to the frame being refilled instead of being freed and
 * grown again from scratch each tick: that pattern left the heap full of holes too small
 * for the next large block (RSS grew by the frame).
 */
static struct row_block {
	struct table_row *rows;
	unsigned int capacity;
} spare[TABLE_MAX_TABLES];

static struct hist_block {
	struct hist *hists;
	unsigned int capacity;
} spare_hists;

int frame_register_schema(const struct table_schema *schema)
{
	for (unsigned int i = 0; i < nschemas; i++)
		if (schemas[i] == schema)
			return 0;
	if (nschemas == TABLE_MAX_TABLES)
		return -ENOSPC;
	schemas[nschemas++] = schema;
	return 0;
}

unsigned int frame_schema_count(void)
{
	return nschemas;
}

const struct table_schema *frame_schema(unsigned int i)
{
	return i < nschemas ? schemas[i] : NULL;
}

const struct table_schema *frame_schema_find(const char *id)
{
	for (unsigned int i = 0; i < nschemas; i++)
		if (strcmp(schemas[i]->id, id) == 0)
			return schemas[i];
	return NULL;
}

struct table *frame_table(struct frame *f, const struct table_schema *schema)
{
	for (unsigned int i = 0; i < f->ntables; i++)
		if (f->tables[i].schema == schema)
			return &f->tables[i];
	return NULL;
}

const struct table *frame_table_const(const struct frame *f, const struct table_schema *schema)
{
	return frame_table((struct frame *)f, schema);
}

struct hist *frame_row_hist(struct frame *f, struct table_row *r, unsigned int which)
{
	struct hist *h;

	if (which > 1)
		return NULL;
	if (f->hists_packed) {
		errno = EROFS;
		return NULL;
	}
	if (r->hist[which] >= 0)
		return &f->hists[r->hist[which]];
	if (f->nhists == f->hist_capacity) {
		unsigned int cap = f->hist_capacity ? f->hist_capacity * 2 : 32;
		struct hist *hists = realloc(f->hists, cap * sizeof(*hists));

		if (!hists) {
			errno = ENOMEM;
			return NULL;
		}
		f->hists = hists;
		f->hist_capacity = cap;
	}
	r->hist[which] = (int32_t)f->nhists;
	h = &f->hists[f->nhists++];
	memset(h, 0, sizeof(*h));
	return h;
}

/*
 * A packed histogram: the first slot that counts, how many slots from there to the last
 * that counts, then each of those as a varint (7 bits a byte, low first). At most
 * HIST_PACKED_MAX bytes.
 */
#define HIST_PACKED_MAX (2 + HIST_SLOTS * 5)

static size_t hist_pack(const struct hist *h, uint8_t *out)
{
	unsigned int lo = 0, hi = HIST_SLOTS;
	size_t n = 0;

	while (lo < hi && h->slot[lo] == 0)
		lo++;
	while (hi > lo && h->slot[hi - 1] == 0)
		hi--;
	out[n++] = (uint8_t)lo;
	out[n++] = (uint8_t)(hi - lo);
	for (unsigned int i = lo; i < hi; i++) {
		uint32_t v = h->slot[i];

		for (; v >= 0x80; v >>= 7)
			out[n++] = (uint8_t)(v | 0x80);
		out[n++] = (uint8_t)v;
	}
	return n;
}

/* Unpack what hist_pack() wrote at in (len bytes left in the block); false if it overruns */
static bool hist_unpack(const uint8_t *in, size_t len, struct hist *h)
{
	unsigned int lo, count;
	size_t n = 2;

	memset(h, 0, sizeof(*h));
	if (len < 2)
		return false;
	lo = in[0];
	count = in[1];
	if (lo + count > HIST_SLOTS)
		return false;
	for (unsigned int i = lo; i < lo + count; i++) {
		uint32_t v = 0;

		for (unsigned int shift = 0;; shift += 7) {
			if (n >= len || shift > 28)
				return false;
			v |= (uint32_t)(in[n] & 0x7f) << shift;
			if (!(in[n++] & 0x80))
				break;
		}
		h->slot[i] = v;
	}
	return true;
}

const struct hist *frame_row_hist_const(const struct frame *f, const struct table_row *r,
					unsigned int which)
{
	/* frames are read by one thread (the loop's): one copy serves every caller */
	static struct hist unpacked;

	if (which > 1 || r->hist[which] < 0)
		return NULL;
	if (f->hists_packed) {
		size_t at = (size_t)r->hist[which];

		if (at >= f->packed_size ||
		    !hist_unpack(f->packed_hists + at, f->packed_size - at, &unpacked))
			return NULL;
		return &unpacked;
	}
	if ((unsigned int)r->hist[which] >= f->nhists)
		return NULL;
	return &f->hists[r->hist[which]];
}

void frame_reset(struct frame *f)
{
	f->seq = 0;
	f->compacted = false;
	f->shrunk = false;
	f->interval_s = 0;
	f->nhists = 0;
	free(f->packed_hists);
	f->packed_hists = NULL;
	f->packed_size = 0;
	f->hists_packed = false;
	f->ntables = nschemas;
	for (unsigned int i = 0; i < nschemas; i++) {
		struct table *t = &f->tables[i];

		t->schema = schemas[i];
		table_reset(t);
		if (spare[i].capacity > t->capacity) {
			free(t->rows);
			t->rows = spare[i].rows;
			t->capacity = spare[i].capacity;
			spare[i] = (struct row_block){ 0 };
		}
	}
	if (spare_hists.capacity > f->hist_capacity) {
		free(f->hists);
		f->hists = spare_hists.hists;
		f->hist_capacity = spare_hists.capacity;
		spare_hists = (struct hist_block){ 0 };
	}
}

int history_init(struct history *h, unsigned int capacity)
{
	memset(h, 0, sizeof(*h));
	if (capacity == 0)
		return -EINVAL;
	h->frames = calloc(capacity, sizeof(*h->frames));
	if (!h->frames)
		return -ENOMEM;
	h->capacity = capacity;
	h->newest = capacity - 1;
	for (unsigned int i = 0; i < capacity; i++)
		frame_reset(&h->frames[i]);
	return 0;
}

void history_free(struct history *h)
{
	for (unsigned int i = 0; i < h->capacity; i++) {
		struct frame *f = &h->frames[i];

		for (unsigned int t = 0; t < TABLE_MAX_TABLES; t++)
			table_free(&f->tables[t]);
		free(f->hists);
		free(f->packed_hists);
	}
	free(h->frames);
	memset(h, 0, sizeof(*h));
	for (unsigned int i = 0; i < TABLE_MAX_TABLES; i++) {
		free(spare[i].rows);
		spare[i] = (struct row_block){ 0 };
	}
	free(spare_hists.hists);
	spare_hists = (struct hist_block){ 0 };
}

struct frame *history_next(struct history *h)
{
	struct frame *f;

	h->newest = (h->newest + 1) % h->capacity;
	if (h->count < h->capacity)
		h->count++;
	f = &h->frames[h->newest];
	frame_reset(f);
	return f;
}

struct frame *history_get(const struct history *h, unsigned int age)
{
	if (age >= h->count)
		return NULL;
	return &h->frames[(h->newest + h->capacity - age) % h->capacity];
}

/* Move table i's rows to a block of their size; a block larger than the spare becomes it */
static void table_shrink(struct table *t, unsigned int i)
{
	struct table_row *rows = NULL;

	if (t->capacity == t->nrows)
		return;
	if (t->nrows) {
		rows = malloc(t->nrows * sizeof(*rows));
		if (!rows)
			return; /* keeps the large block: still correct */
		memcpy(rows, t->rows, t->nrows * sizeof(*rows));
	}
	if (spare[i].capacity < t->capacity) {
		free(spare[i].rows);
		spare[i] = (struct row_block){ t->rows, t->capacity };
	} else {
		free(t->rows);
	}
	t->rows = rows;
	t->capacity = t->nrows;
}

/*
 * Pack f's histograms that rows still point to, in row order, and point the rows at their
 * new places (an old frame cut down again packs only the rows it kept). The pool they were
 * made in becomes the spare when larger than it.
 */
static void frame_pack_hists(struct frame *f)
{
	uint8_t buf[HIST_PACKED_MAX], *packed = NULL;
	size_t size = 0, at = 0;

	for (unsigned int i = 0; i < f->ntables; i++)
		for (unsigned int r = 0; r < f->tables[i].nrows; r++)
			for (unsigned int which = 0; which < 2; which++) {
				const struct hist *h = frame_row_hist_const(f, &f->tables[i].rows[r],
									    which);

				size += h ? hist_pack(h, buf) : 0;
			}
	if (size) {
		packed = malloc(size);
		if (!packed)
			return; /* keeps them as they are: still correct */
	}
	for (unsigned int i = 0; i < f->ntables; i++)
		for (unsigned int r = 0; r < f->tables[i].nrows; r++) {
			struct table_row *row = &f->tables[i].rows[r];

			for (unsigned int which = 0; which < 2; which++) {
				const struct hist *h = frame_row_hist_const(f, row, which);

				if (!h) {
					row->hist[which] = -1;
					continue;
				}
				row->hist[which] = (int32_t)at;
				at += hist_pack(h, packed + at);
			}
		}
	if (spare_hists.capacity < f->hist_capacity) {
		free(spare_hists.hists);
		spare_hists = (struct hist_block){ f->hists, f->hist_capacity };
	} else {
		free(f->hists);
	}
	free(f->packed_hists);
	f->hists = NULL;
	f->nhists = f->hist_capacity = 0;
	f->packed_hists = packed;
	f->packed_size = size;
	f->hists_packed = true;
}

/* Every block of f to its contents' size; old frames (cut) first keep each pane's
 * HISTORY_OLD_ROWS largest rows */
static void frame_shrink(struct frame *f, bool cut)
{
	for (unsigned int i = 0; cut && i < f->ntables; i++) {
		struct table *t = &f->tables[i];

		if (t->schema->pane) /* other tables: details, per-CPU views, all small */
			table_keep(t, HISTORY_OLD_ROWS);
	}
	frame_pack_hists(f);
	for (unsigned int i = 0; i < f->ntables; i++)
		table_shrink(&f->tables[i], i);
	f->shrunk = true;
	f->compacted |= cut;
}

void history_compact(struct history *h)
{
	struct frame *f;

	for (unsigned int age = 1; (f = history_get(h, age)); age++)
		if (age >= HISTORY_EXACT_FRAMES ? !f->compacted : !f->shrunk)
			frame_shrink(f, age >= HISTORY_EXACT_FRAMES);
}
