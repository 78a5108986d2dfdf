/* SPDX-License-Identifier: GPL-2.0 */
/*
 * core/record_format.h: the layout of a recording (ktop -w) and the codec its writer
 * (core/record.c) and reader (core/replay.c) share. Not part of ktop's interface: that is
 * core/record.h.
 *
 * core/record.c: the recording file (ktop -w) and its replay (ktop -r).
 *
 * Layout (all integers LE; "varint" is LEB128; "str" is a varint length then bytes):
 *   "KTOPREC\n", u16 version, u16 flags (0), u32 header length, header, u32 CRC32(header)
 *   header: str ktop version, str host, str kernel, varint CPUs, varint start s, varint
 *           start ns, f64 interval, u8 has container, str container, varint tables, and per
 *           table: str id, varint slots, str per slot (the column id reading it), varint
 *           histograms, str per histogram name
 *   records: u8 type, varint length, payload, u32 CRC32(type, length, payload)
 *     'S' new strings: varint n, n str (numbered on from 1 over the file; 0 is "none")
 *     'L' new string lists: varint n, per list varint count, count string numbers
 *     'C' collectors: varint n, per collector str name, u8 running, str reason
 *     'X' the container selection of the frames that follow: u8 selected, str name (what
 *         was asked for), str state, str header text (files without one: the header's)
 *     'T' the titles of the frames that follow: varint n, per title varint table index
 *         (header order) and varint string number; a table not named has its schema's
 *         title (files without one: every table)
 *     'F' a frame: varint seq, s, ns, f64 interval, f64 self cpu %, varint rss KB, u8 BPF
 *         stats, f64 BPF ns per s, varint dropped; varint tables, per table varint table
 *         index (header order), varint dropped rows, varint rows, per row varint key, name,
 *         label, varint values, the values, u8 histogram mask, per histogram varint slots
 *         and the slots, varint string list (0 = none)
 * Records of an unknown type are skipped, so later versions can add some.
 */
#ifndef KTOP_CORE_RECORD_FORMAT_H
#define KTOP_CORE_RECORD_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "table.h"

#define RECORD_HEADER_MAX (1u << 20)
#define RECORD_BODY_MAX (64u << 20)
#define RECORD_STRING_MAX 4096

enum {
	REC_STRINGS = 'S',
	REC_LISTS = 'L',
	REC_COLLECTORS = 'C',
	REC_SELECTION = 'X',
	REC_TITLES = 'T',
	REC_FRAME = 'F',
};

/* Writing: a growing byte buffer; a failed allocation sets oom and later appends do nothing */
struct buf {
	uint8_t *p;
	size_t len, cap;
	bool oom;
};

/* Reading: every get checks the bounds; after the first failure everything reads 0 */
struct cursor {
	const uint8_t *p, *end;
	const char *bad; /* what was wrong, or NULL */
};

/* Appending to a buffer (integers LE, varints LEB128, strings length-prefixed) */
void buf_put(struct buf *b, const void *data, size_t n);
void buf_u8(struct buf *b, uint8_t v);
void buf_varint(struct buf *b, uint64_t v);
void buf_u32(struct buf *b, uint32_t v);
void buf_f64(struct buf *b, double d);
void buf_str(struct buf *b, const char *s);
/* A record around payload: type, length, payload, CRC32 */
void buf_record(struct buf *out, uint8_t type, const struct buf *payload);
/* Reading from a cursor: a failed read records why and ends the cursor */
void cur_fail(struct cursor *c, const char *why);
uint8_t cur_u8(struct cursor *c);
uint64_t cur_varint(struct cursor *c);
double cur_f64(struct cursor *c, bool finite);
const char *cur_str(struct cursor *c, size_t *len);
void cur_str_copy(struct cursor *c, char *out, size_t size);
uint64_t cur_bounded(struct cursor *c, uint64_t max, const char *why);
/* A stable name for value slot i of s: the first column reading it, or its position */
void slot_name(const struct table_schema *s, unsigned int i, char *out, size_t len);
/* Double *arrayp (elements of elem bytes, *cap of them; 256 the first time); -ENOMEM */
int grow_array(void *arrayp, uint32_t *cap, size_t elem);

#endif
