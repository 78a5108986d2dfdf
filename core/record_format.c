// SPDX-License-Identifier: GPL-2.0
/*
 * core/record_format.c: the bytes of a recording, shared by its writer (core/record.c) and
 * its reader (core/replay.c): appending numbers and strings, reading them back with every
 * read bounds-checked, and the stable names of the tables' value slots.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "record_format.h"

/* ---- bytes in memory ---------------------------------------------------------------- */

void buf_put(struct buf *b, const void *data, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		uint8_t *p;

		while (cap < b->len + n)
			cap *= 2;
		p = realloc(b->p, cap);
		if (!p) {
			b->oom = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	if (n) /* data may be NULL when n is 0 (an empty string) */
		memcpy(b->p + b->len, data, n);
	b->len += n;
}

void buf_u8(struct buf *b, uint8_t v)
{
	buf_put(b, &v, 1);
}

void buf_varint(struct buf *b, uint64_t v)
{
	uint8_t tmp[10];
	size_t n = 0;

	do {
		tmp[n] = v & 0x7f;
		v >>= 7;
		if (v)
			tmp[n] |= 0x80;
		n++;
	} while (v);
	buf_put(b, tmp, n);
}

void buf_u32(struct buf *b, uint32_t v)
{
	uint8_t tmp[4] = { v, v >> 8, v >> 16, v >> 24 };

	buf_put(b, tmp, 4);
}

void buf_f64(struct buf *b, double d)
{
	uint64_t v;
	uint8_t tmp[8];

	memcpy(&v, &d, sizeof(v));
	for (int i = 0; i < 8; i++)
		tmp[i] = v >> (8 * i);
	buf_put(b, tmp, 8);
}

void buf_str(struct buf *b, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n > RECORD_STRING_MAX)
		n = RECORD_STRING_MAX;
	buf_varint(b, n);
	buf_put(b, s, n);
}

/* A record around payload: type, length, payload, CRC */
void buf_record(struct buf *out, uint8_t type, const struct buf *payload)
{
	size_t start = out->len;

	buf_u8(out, type);
	buf_varint(out, payload->len);
	buf_put(out, payload->p, payload->len);
	if (!out->oom)
		buf_u32(out, (uint32_t)crc32(0, out->p + start, (uInt)(out->len - start)));
}

void cur_fail(struct cursor *c, const char *why)
{
	if (!c->bad)
		c->bad = why;
	c->p = c->end;
}

uint8_t cur_u8(struct cursor *c)
{
	if (c->p >= c->end) {
		cur_fail(c, "ends early");
		return 0;
	}
	return *c->p++;
}

uint64_t cur_varint(struct cursor *c)
{
	uint64_t v = 0;

	for (unsigned int shift = 0; shift < 64; shift += 7) {
		uint8_t byte = cur_u8(c);

		if (shift == 63 && byte > 1) {
			cur_fail(c, "number too large");
			return 0;
		}
		v |= (uint64_t)(byte & 0x7f) << shift;
		if (!(byte & 0x80))
			return v;
	}
	cur_fail(c, "number too long");
	return 0;
}

double cur_f64(struct cursor *c, bool finite)
{
	uint64_t v = 0;
	double d;

	for (int i = 0; i < 8; i++)
		v |= (uint64_t)cur_u8(c) << (8 * i);
	memcpy(&d, &v, sizeof(d));
	if (finite && (!isfinite(d) || d < 0 || d > 1e15)) {
		cur_fail(c, "number out of range");
		return 0;
	}
	return d;
}

/* A string: points into the data, not NUL-terminated */
const char *cur_str(struct cursor *c, size_t *len)
{
	uint64_t n = cur_varint(c);
	const char *s = (const char *)c->p;

	if (n > RECORD_STRING_MAX || n > (uint64_t)(c->end - c->p)) {
		cur_fail(c, n > RECORD_STRING_MAX ? "string too long" : "ends early");
		*len = 0;
		return "";
	}
	c->p += n;
	*len = (size_t)n;
	return s;
}

void cur_str_copy(struct cursor *c, char *out, size_t size)
{
	size_t len;
	const char *s = cur_str(c, &len);

	if (len >= size)
		len = size - 1;
	memcpy(out, s, len);
	out[len] = '\0';
}

uint64_t cur_bounded(struct cursor *c, uint64_t max, const char *why)
{
	uint64_t v = cur_varint(c);

	if (v > max) {
		cur_fail(c, why);
		return 0;
	}
	return v;
}

/* ---- the tables' value slots, named by the column reading them ---------------------- */

/* A stable name for value slot i of s: the first column reading it, or its position */
void slot_name(const struct table_schema *s, unsigned int i, char *out, size_t len)
{
	for (unsigned int c = 0; c < s->ncolumns; c++)
		if (s->columns[c].kind != COL_NAME && s->columns[c].src == i) {
			snprintf(out, len, "%s", s->columns[c].id);
			return;
		}
	for (unsigned int c = 0; c < s->ncolumns; c++)
		if (s->columns[c].kind == COL_AVERAGE && s->columns[c].den == i) {
			snprintf(out, len, "%s/den", s->columns[c].id);
			return;
		}
	snprintf(out, len, "#%u", i);
}

/* ---- growing arrays ---------------------------------------------------------------- */

int grow_array(void *arrayp, uint32_t *cap, size_t elem)
{
	void **array = arrayp;
	uint32_t n = *cap ? *cap * 2 : 256;
	void *p = realloc(*array, n * elem);

	if (!p)
		return -ENOMEM;
	*array = p;
	*cap = n;
	return 0;
}
