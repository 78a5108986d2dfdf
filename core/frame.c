// SPDX-License-Identifier: GPL-2.0
/* core/frame.c: frames and the fixed ring of recent frames (the sample buffer). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "record_format.h"

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

static void decoded_forget(const struct frame *of);

void frame_reset(struct frame *f)
{
	decoded_forget(f);
	free(f->encoded);
	f->encoded = NULL;
	f->encoded_size = 0;
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

static void decoded_release(void);

void history_free(struct history *h)
{
	decoded_release();
	for (unsigned int i = 0; i < h->capacity; i++) {
		struct frame *f = &h->frames[i];

		for (unsigned int t = 0; t < TABLE_MAX_TABLES; t++)
			table_free(&f->tables[t]);
		free(f->hists);
		free(f->packed_hists);
		free(f->encoded);
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

/* The frame itself, encoded or not */
static struct frame *history_slot(const struct history *h, unsigned int age)
{
	if (age >= h->count)
		return NULL;
	return &h->frames[(h->newest + h->capacity - age) % h->capacity];
}

static struct frame *frame_decoded(const struct frame *f);

struct frame *history_get(const struct history *h, unsigned int age)
{
	struct frame *f = history_slot(h, age);

	return f && f->encoded ? frame_decoded(f) : f;
}

uint64_t history_seq(const struct history *h, unsigned int age)
{
	const struct frame *f = history_slot(h, age);

	return f ? f->seq : 0;
}

int history_age_of(const struct history *h, uint64_t seq)
{
	const struct frame *f;

	for (unsigned int age = 0; (f = history_slot(h, age)); age++)
		if (f->seq == seq)
			return (int)age;
	return -1;
}

/* A row block of table i no longer used: the spare when larger than it, else freed */
static void rows_give_back(unsigned int i, struct table_row *rows, unsigned int capacity)
{
	if (spare[i].capacity < capacity) {
		free(spare[i].rows);
		spare[i] = (struct row_block){ rows, capacity };
	} else {
		free(rows);
	}
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
	rows_give_back(i, t->rows, t->capacity);
	t->rows = rows;
	t->capacity = t->nrows;
}

/*
 * Pack the histograms f's rows point to, in row order, into a new block (*out, NULL when
 * there are none) and point the rows at their places in it: an old frame cut down packs
 * only the rows it kept. false without memory, the rows untouched.
 */
static bool hists_pack_rows(struct frame *f, uint8_t **out, size_t *sizep)
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
			return false;
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
	*out = packed;
	*sizep = size;
	return true;
}

/* f's histograms packed (hists_pack_rows); the pool they were made in becomes the spare
 * when larger than it */
static void frame_pack_hists(struct frame *f)
{
	uint8_t *packed;
	size_t size;

	if (!hists_pack_rows(f, &packed, &size))
		return; /* keeps them as they are: still correct */
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

/* ---- frames kept encoded ------------------------------------------------------------ */

/*
 * Per table that has rows: its index, dropped rows, rows; per row: key, what it has (the
 * ROW_ bits), names and the stack as the distance from the same column's pointer in the
 * row before (interned strings sit close together: two or three bytes), a mask of the
 * values that are not zero and those values, the histograms' offsets in the packed block.
 */
enum { ROW_NAME = 1, ROW_LABEL = 2, ROW_HIST0 = 4, ROW_HIST1 = 8, ROW_STRINGS = 16 };

static void put_ptr(struct buf *b, const void *p, uintptr_t *prev)
{
	uint64_t d = (uint64_t)((uintptr_t)p - *prev);

	buf_varint(b, (d << 1) ^ (uint64_t)((int64_t)d >> 63)); /* zigzag: -1 is 1, not 2^64-1 */
	*prev = (uintptr_t)p;
}

static const void *get_ptr(struct cursor *c, uintptr_t *prev)
{
	uint64_t z = cur_varint(c);

	*prev += (uintptr_t)((z >> 1) ^ (0 - (z & 1)));
	return (const void *)*prev;
}

/* The encoding of f's tables in a block of its size, or NULL without memory */
static uint8_t *tables_encode(const struct frame *f, size_t *sizep)
{
	static struct buf b; /* kept for its memory: one frame is encoded at a time */
	unsigned int used = 0;
	uint8_t *out;

	b.len = 0;
	b.oom = false;
	for (unsigned int i = 0; i < f->ntables; i++)
		used += f->tables[i].nrows || f->tables[i].dropped_rows;
	buf_varint(&b, used);
	for (unsigned int i = 0; i < f->ntables; i++) {
		const struct table *t = &f->tables[i];
		uintptr_t name = 0, label = 0, strings = 0;

		if (!t->nrows && !t->dropped_rows)
			continue;
		buf_varint(&b, i);
		buf_varint(&b, t->dropped_rows);
		buf_varint(&b, t->nrows);
		for (unsigned int r = 0; r < t->nrows; r++) {
			const struct table_row *row = &t->rows[r];
			unsigned int mask = 0;

			for (unsigned int v = 0; v < TABLE_MAX_VALUES; v++)
				mask |= (row->v[v] != 0) << v;
			buf_varint(&b, row->key);
			buf_u8(&b, (row->name ? ROW_NAME : 0) | (row->label ? ROW_LABEL : 0) |
				       (row->hist[0] >= 0 ? ROW_HIST0 : 0) |
				       (row->hist[1] >= 0 ? ROW_HIST1 : 0) |
				       (row->strings ? ROW_STRINGS : 0));
			if (row->name)
				put_ptr(&b, row->name, &name);
			if (row->label)
				put_ptr(&b, row->label, &label);
			buf_varint(&b, mask);
			for (unsigned int v = 0; v < TABLE_MAX_VALUES; v++)
				if (row->v[v])
					buf_varint(&b, row->v[v]);
			for (unsigned int which = 0; which < 2; which++)
				if (row->hist[which] >= 0)
					buf_varint(&b, (uint64_t)row->hist[which]);
			if (row->strings) {
				put_ptr(&b, row->strings, &strings);
				buf_varint(&b, row->nstrings);
			}
		}
	}
	if (b.oom || !(out = malloc(b.len)))
		return NULL;
	memcpy(out, b.p, b.len);
	*sizep = b.len;
	return out;
}

/* Decode f's rows into d's tables (grown as needed); 0, -ENOMEM, or -EIO when the
 * encoding does not read back (a bug: it never leaves this process) */
static int tables_decode(const struct frame *f, struct frame *d)
{
	struct cursor c = { f->encoded, f->encoded + f->encoded_size, NULL };
	uint64_t ntables;

	for (unsigned int i = 0; i < f->ntables; i++) {
		d->tables[i].schema = f->tables[i].schema;
		d->tables[i].title = f->tables[i].title; /* kept as it is, not encoded */
		d->tables[i].nrows = 0;
		d->tables[i].dropped_rows = 0;
	}
	ntables = cur_varint(&c);
	for (uint64_t n = 0; n < ntables && !c.bad; n++) {
		uint64_t i = cur_varint(&c), dropped = cur_varint(&c), nrows = cur_varint(&c);
		uintptr_t name = 0, label = 0, strings = 0;
		struct table *t;

		if (i >= f->ntables || nrows > f->encoded_size)
			return -EIO;
		t = &d->tables[i];
		t->dropped_rows = dropped;
		if (nrows > t->capacity) {
			struct table_row *rows = realloc(t->rows, nrows * sizeof(*rows));

			if (!rows)
				return -ENOMEM;
			t->rows = rows;
			t->capacity = (unsigned int)nrows;
		}
		for (unsigned int r = 0; r < nrows && !c.bad; r++) {
			struct table_row *row = &t->rows[r];
			unsigned int flags, mask;

			memset(row, 0, sizeof(*row));
			row->key = cur_varint(&c);
			flags = cur_u8(&c);
			if (flags & ROW_NAME)
				row->name = get_ptr(&c, &name);
			if (flags & ROW_LABEL)
				row->label = get_ptr(&c, &label);
			mask = (unsigned int)cur_varint(&c);
			for (unsigned int v = 0; v < TABLE_MAX_VALUES; v++)
				if (mask & (1u << v))
					row->v[v] = cur_varint(&c);
			row->hist[0] = flags & ROW_HIST0 ? (int32_t)cur_varint(&c) : -1;
			row->hist[1] = flags & ROW_HIST1 ? (int32_t)cur_varint(&c) : -1;
			if (flags & ROW_STRINGS) {
				row->strings = get_ptr(&c, &strings);
				row->nstrings = (unsigned int)cur_varint(&c);
			}
		}
		t->nrows = (unsigned int)nrows;
	}
	return c.bad ? -EIO : 0;
}

/* f's rows encoded, its row blocks given back (the largest becomes the spare); f unchanged
 * without memory. Only a frame whose histograms are packed: the offsets are kept as they are. */
static void frame_encode(struct frame *f)
{
	size_t size;
	uint8_t *enc;

	if (!f->hists_packed || !(enc = tables_encode(f, &size)))
		return;
	for (unsigned int i = 0; i < f->ntables; i++) {
		struct table *t = &f->tables[i];

		rows_give_back(i, t->rows, t->capacity);
		t->rows = NULL;
		t->nrows = t->capacity = 0;
		t->dropped_rows = 0;
	}
	f->encoded = enc;
	f->encoded_size = size;
}

/* Decoded copies of encoded frames, the least recently read reused first. A copy's
 * packed_hists is its frame's (never freed through the copy) */
static struct decoded {
	const struct frame *of; /* NULL: free */
	uint64_t seq;
	unsigned long used;
	struct frame f;
} decoded[HISTORY_DECODED_FRAMES];
static unsigned long decoded_clock;

static void decoded_forget(const struct frame *of)
{
	for (unsigned int i = 0; i < HISTORY_DECODED_FRAMES; i++)
		if (decoded[i].of == of)
			decoded[i].of = NULL;
}

static void decoded_release(void)
{
	for (unsigned int i = 0; i < HISTORY_DECODED_FRAMES; i++) {
		for (unsigned int t = 0; t < TABLE_MAX_TABLES; t++)
			table_free(&decoded[i].f.tables[t]);
		memset(&decoded[i], 0, sizeof(decoded[i]));
	}
	decoded_clock = 0;
}

static struct frame *frame_decoded(const struct frame *f)
{
	struct decoded *d = NULL, *lru = &decoded[0];
	struct table tables[TABLE_MAX_TABLES];

	for (unsigned int i = 0; i < HISTORY_DECODED_FRAMES && !d; i++) {
		if (decoded[i].of == f && decoded[i].seq == f->seq)
			d = &decoded[i];
		else if (!decoded[i].of ? lru->of != NULL : lru->of && decoded[i].used < lru->used)
			lru = &decoded[i]; /* a free one, else the least recently read */
	}
	if (!d) {
		d = lru;
		/* the header as f has it, the row blocks d had */
		memcpy(tables, d->f.tables, sizeof(tables));
		d->f = *f;
		memcpy(d->f.tables, tables, sizeof(tables));
		d->f.hists = NULL;
		d->f.nhists = d->f.hist_capacity = 0;
		d->f.encoded = NULL;
		d->f.encoded_size = 0;
		d->of = NULL;
		if (tables_decode(f, &d->f) < 0)
			return NULL;
		d->of = f;
		d->seq = f->seq;
	}
	d->used = ++decoded_clock;
	return &d->f;
}

/* An encoded frame turning old: decoded, cut down, its histograms packed again and
 * encoded again. Left whole (still correct, only larger) without memory. */
static void frame_cut_encoded(struct frame *f)
{
	struct frame *d = frame_decoded(f);
	uint8_t *packed, *enc;
	size_t size, esize;

	f->compacted = true; /* tried once: left whole below, it is still correct */
	if (!d)
		return;
	decoded_forget(f); /* d is changed below: no longer a copy of f */
	for (unsigned int i = 0; i < d->ntables; i++)
		if (d->tables[i].schema->pane)
			table_keep(&d->tables[i], HISTORY_OLD_ROWS);
	if (!hists_pack_rows(d, &packed, &size))
		return;
	enc = tables_encode(d, &esize);
	if (!enc) {
		free(packed);
		return;
	}
	free(f->packed_hists);
	f->packed_hists = packed;
	f->packed_size = size;
	free(f->encoded);
	f->encoded = enc;
	f->encoded_size = esize;
}

void history_compact(struct history *h)
{
	struct frame *f;

	for (unsigned int age = 1; (f = history_slot(h, age)); age++) {
		if (age >= HISTORY_EXACT_FRAMES && !f->compacted) {
			if (f->encoded)
				frame_cut_encoded(f);
			else
				frame_shrink(f, true);
		} else if (!f->shrunk) {
			frame_shrink(f, false);
		}
		if (age >= HISTORY_PLAIN_FRAMES && !f->encoded)
			frame_encode(f);
	}
	/* the copies a paused screen read: nothing reads that far back now */
	if (decoded_clock)
		decoded_release();
}

size_t history_bytes(const struct history *h)
{
	size_t bytes = 0;

	for (unsigned int i = 0; i < h->capacity; i++) {
		const struct frame *f = &h->frames[i];

		for (unsigned int t = 0; t < TABLE_MAX_TABLES; t++)
			bytes += f->tables[t].capacity * sizeof(struct table_row);
		bytes += f->hist_capacity * sizeof(struct hist) + f->packed_size + f->encoded_size;
	}
	for (unsigned int i = 0; i < HISTORY_DECODED_FRAMES; i++)
		for (unsigned int t = 0; t < TABLE_MAX_TABLES; t++)
			bytes += decoded[i].f.tables[t].capacity * sizeof(struct table_row);
	return bytes;
}
