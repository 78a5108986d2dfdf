// SPDX-License-Identifier: GPL-2.0
/*
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
 *     'F' a frame: varint seq, s, ns, f64 interval, f64 self cpu %, varint rss KB, u8 BPF
 *         stats, f64 BPF ns per s, varint dropped; varint tables, per table varint table
 *         index (header order), varint dropped rows, varint rows, per row varint key, name,
 *         label, varint values, the values, u8 histogram mask, per histogram varint slots
 *         and the slots, varint string list (0 = none)
 * Records of an unknown type are skipped, so later versions can add some.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "intern.h"
#include "privsep.h"
#include "record.h"

#define RECORD_HEADER_MAX (1u << 20)
#define RECORD_BODY_MAX (64u << 20)
#define RECORD_STRING_MAX 4096

enum {
	REC_STRINGS = 'S',
	REC_LISTS = 'L',
	REC_COLLECTORS = 'C',
	REC_SELECTION = 'X',
	REC_FRAME = 'F',
};

/* ---- bytes in memory ---------------------------------------------------------------- */

struct buf {
	uint8_t *p;
	size_t len, cap;
	bool oom;
};

static void buf_put(struct buf *b, const void *data, size_t n)
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

static void buf_u8(struct buf *b, uint8_t v)
{
	buf_put(b, &v, 1);
}

static void buf_varint(struct buf *b, uint64_t v)
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

static void buf_u32(struct buf *b, uint32_t v)
{
	uint8_t tmp[4] = { v, v >> 8, v >> 16, v >> 24 };

	buf_put(b, tmp, 4);
}

static void buf_f64(struct buf *b, double d)
{
	uint64_t v;
	uint8_t tmp[8];

	memcpy(&v, &d, sizeof(v));
	for (int i = 0; i < 8; i++)
		tmp[i] = v >> (8 * i);
	buf_put(b, tmp, 8);
}

static void buf_str(struct buf *b, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n > RECORD_STRING_MAX)
		n = RECORD_STRING_MAX;
	buf_varint(b, n);
	buf_put(b, s, n);
}

/* A record around payload: type, length, payload, CRC */
static void buf_record(struct buf *out, uint8_t type, const struct buf *payload)
{
	size_t start = out->len;

	buf_u8(out, type);
	buf_varint(out, payload->len);
	buf_put(out, payload->p, payload->len);
	if (!out->oom)
		buf_u32(out, (uint32_t)crc32(0, out->p + start, (uInt)(out->len - start)));
}

/* Reading: every get checks the bounds; after the first failure everything reads 0 */
struct cursor {
	const uint8_t *p, *end;
	const char *bad; /* what was wrong, or NULL */
};

static void cur_fail(struct cursor *c, const char *why)
{
	if (!c->bad)
		c->bad = why;
	c->p = c->end;
}

static uint8_t cur_u8(struct cursor *c)
{
	if (c->p >= c->end) {
		cur_fail(c, "ends early");
		return 0;
	}
	return *c->p++;
}

static uint64_t cur_varint(struct cursor *c)
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

static double cur_f64(struct cursor *c, bool finite)
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
static const char *cur_str(struct cursor *c, size_t *len)
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

static void cur_str_copy(struct cursor *c, char *out, size_t size)
{
	size_t len;
	const char *s = cur_str(c, &len);

	if (len >= size)
		len = size - 1;
	memcpy(out, s, len);
	out[len] = '\0';
}

static uint64_t cur_bounded(struct cursor *c, uint64_t max, const char *why)
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
static void slot_name(const struct table_schema *s, unsigned int i, char *out, size_t len)
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

/* ---- writing -------------------------------------------------------------------------- */

struct dict {
	uint32_t *slots; /* index + 1 of the entry, 0 = free */
	size_t nslots;
};

struct recorder {
	char *path;
	struct recorder_options opt;
	int fd;
	uint64_t file_bytes, total_bytes, frames;
	double file_start_s;
	/* strings of this file, numbered from 1 */
	char **strings;
	uint32_t nstrings, strings_cap, strings_written;
	struct dict string_dict;
	/* string lists of this file, numbered from 1; each is counts then numbers */
	uint32_t **lists;
	uint32_t nlists, lists_cap, lists_written;
	struct dict list_dict;
	struct buf collectors_last, payload, chunk;
	/* the container selection last written to this file (interned, as in frames) */
	const char *selection[3];
	bool selection_written;
	char error[256];
};

static uint64_t hash_bytes(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 1099511628211ull;
	}
	return h;
}

static size_t list_bytes(const uint32_t *list)
{
	return (list[0] + 1) * sizeof(uint32_t);
}

/* Grow d to hold n entries at half load, rehashing with hash(i) */
static int dict_reserve(struct dict *d, size_t n, const struct recorder *w, bool lists)
{
	size_t size = d->nslots ? d->nslots : 1024;
	uint32_t *slots;

	if (n * 2 <= d->nslots)
		return 0;
	while (n * 2 > size)
		size *= 2;
	slots = calloc(size, sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	for (uint32_t i = 0; i < n - 1; i++) {
		uint64_t h = lists ? hash_bytes(w->lists[i], list_bytes(w->lists[i]))
				   : hash_bytes(w->strings[i], strlen(w->strings[i]));
		size_t j = h & (size - 1);

		while (slots[j])
			j = (j + 1) & (size - 1);
		slots[j] = i + 1;
	}
	free(d->slots);
	d->slots = slots;
	d->nslots = size;
	return 0;
}

static int grow_array(void *arrayp, uint32_t *cap, size_t elem)
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

/* The number of string s in this file (1..), added when new; 0 for NULL or no memory */
static uint32_t string_number(struct recorder *w, const char *s)
{
	size_t len, j;
	uint64_t h;

	if (!s)
		return 0;
	len = strlen(s);
	if (len > RECORD_STRING_MAX)
		len = RECORD_STRING_MAX;
	if (dict_reserve(&w->string_dict, (size_t)w->nstrings + 1, w, false) < 0)
		return 0;
	h = hash_bytes(s, len);
	for (j = h & (w->string_dict.nslots - 1); w->string_dict.slots[j];
	     j = (j + 1) & (w->string_dict.nslots - 1)) {
		const char *have = w->strings[w->string_dict.slots[j] - 1];

		if (strncmp(have, s, len) == 0 && have[len] == '\0')
			return w->string_dict.slots[j];
	}
	if (w->nstrings == w->strings_cap &&
	    grow_array(&w->strings, &w->strings_cap, sizeof(*w->strings)) < 0)
		return 0;
	w->strings[w->nstrings] = strndup(s, len);
	if (!w->strings[w->nstrings])
		return 0;
	w->string_dict.slots[j] = ++w->nstrings;
	return w->nstrings;
}

/* The number of a row's string list (1..), added when new; 0 for none */
static uint32_t list_number(struct recorder *w, const struct table_row *r)
{
	uint32_t *list;
	size_t j;
	uint64_t h;

	if (!r->strings || r->nstrings == 0)
		return 0;
	list = malloc((r->nstrings + 1) * sizeof(*list));
	if (!list)
		return 0;
	list[0] = r->nstrings;
	for (unsigned int i = 0; i < r->nstrings; i++)
		list[i + 1] = string_number(w, r->strings[i] ? r->strings[i] : "");
	if (dict_reserve(&w->list_dict, (size_t)w->nlists + 1, w, true) < 0)
		goto fail;
	h = hash_bytes(list, list_bytes(list));
	for (j = h & (w->list_dict.nslots - 1); w->list_dict.slots[j];
	     j = (j + 1) & (w->list_dict.nslots - 1)) {
		const uint32_t *have = w->lists[w->list_dict.slots[j] - 1];

		if (have[0] == list[0] && memcmp(have, list, list_bytes(list)) == 0) {
			free(list);
			return w->list_dict.slots[j];
		}
	}
	if (w->nlists == w->lists_cap &&
	    grow_array(&w->lists, &w->lists_cap, sizeof(*w->lists)) < 0)
		goto fail;
	w->lists[w->nlists] = list;
	w->list_dict.slots[j] = ++w->nlists;
	return w->nlists;
fail:
	free(list);
	return 0;
}

static void dictionaries_reset(struct recorder *w)
{
	for (uint32_t i = 0; i < w->nstrings; i++)
		free(w->strings[i]);
	for (uint32_t i = 0; i < w->nlists; i++)
		free(w->lists[i]);
	w->nstrings = w->strings_written = w->nlists = w->lists_written = 0;
	if (w->string_dict.slots)
		memset(w->string_dict.slots, 0, w->string_dict.nslots * sizeof(uint32_t));
	if (w->list_dict.slots)
		memset(w->list_dict.slots, 0, w->list_dict.nslots * sizeof(uint32_t));
	w->collectors_last.len = 0;
}

static int write_all(struct recorder *w, const void *data, size_t len)
{
	const uint8_t *p = data;

	while (len) {
		ssize_t n = write(w->fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		p += n;
		len -= (size_t)n;
		w->file_bytes += (uint64_t)n;
		w->total_bytes += (uint64_t)n;
	}
	return 0;
}

static void header_encode(struct buf *b, const struct ktop *k)
{
	struct timespec now;
	char name[96];

	clock_gettime(CLOCK_REALTIME, &now);
	buf_str(b, KTOP_VERSION);
	buf_str(b, k->hostname);
	buf_str(b, k->kernel);
	buf_varint(b, k->ncpus > 0 ? (uint64_t)k->ncpus : 0);
	buf_varint(b, (uint64_t)now.tv_sec);
	buf_varint(b, (uint64_t)now.tv_nsec);
	buf_f64(b, k->cfg.interval_s);
	buf_u8(b, k->cfg.container != NULL);
	buf_str(b, k->cfg.container);
	buf_varint(b, frame_schema_count());
	for (unsigned int i = 0; i < frame_schema_count(); i++) {
		const struct table_schema *s = frame_schema(i);

		buf_str(b, s->id);
		buf_varint(b, TABLE_MAX_VALUES);
		for (unsigned int v = 0; v < TABLE_MAX_VALUES; v++) {
			slot_name(s, v, name, sizeof(name));
			buf_str(b, name);
		}
		buf_varint(b, s->hist_count);
		for (unsigned int h = 0; h < s->hist_count; h++)
			buf_str(b, s->hist_names[h]);
	}
}

/* The file opened afresh (rotate: FILE -> FILE.1 ... first), its header written. Opening
 * goes through the privileged helper: the directory may be one only root's
 * CAP_DAC_OVERRIDE can write, and this process holds no capability once it runs. */
static int file_start(struct recorder *w, const struct ktop *k, bool rotate)
{
	unsigned int keep = w->opt.keep ? w->opt.keep : RECORD_KEEP_DEFAULT;
	struct buf header = { 0 }, out = { 0 };
	uint8_t version[4] = { RECORD_VERSION & 0xff, RECORD_VERSION >> 8, 0, 0 };
	int err;

	w->fd = privsep_record_file(w->path, keep, rotate);
	if (w->fd < 0)
		return w->fd;
	w->file_bytes = 0;
	w->file_start_s = ktop_monotonic_s();
	dictionaries_reset(w);
	w->selection_written = false; /* each file says it again before its first frame */
	header_encode(&header, k);
	buf_put(&out, RECORD_MAGIC, 8);
	buf_put(&out, version, 4);
	buf_u32(&out, (uint32_t)header.len);
	buf_put(&out, header.p, header.len);
	buf_u32(&out, (uint32_t)crc32(0, header.p, (uInt)header.len));
	err = header.oom || out.oom ? -ENOMEM : write_all(w, out.p, out.len);
	free(header.p);
	free(out.p);
	return err;
}

static int rotate(struct recorder *w, const struct ktop *k)
{
	close(w->fd);
	w->fd = -1;
	return file_start(w, k, true);
}

struct recorder *recorder_open(const struct ktop *k, const char *path,
			       const struct recorder_options *opt)
{
	struct recorder *w = calloc(1, sizeof(*w));
	int err;

	if (!w || !(w->path = strdup(path))) {
		free(w);
		errno = ENOMEM;
		return NULL;
	}
	if (opt)
		w->opt = *opt;
	err = file_start(w, k, false);
	if (err < 0) {
		recorder_close(w);
		errno = -err;
		return NULL;
	}
	return w;
}

static void collectors_encode(struct buf *b, const struct ktop *k)
{
	buf_varint(b, k->ncollectors);
	for (unsigned int i = 0; i < k->ncollectors; i++) {
		buf_str(b, k->collectors[i].ops->name);
		buf_u8(b, k->collectors[i].running);
		buf_str(b, k->collectors[i].reason); /* "ok (what it does instead)" too */
	}
}

static void hist_encode(struct buf *b, const struct hist *h)
{
	unsigned int n = HIST_SLOTS;

	while (n > 0 && h->slot[n - 1] == 0)
		n--;
	buf_varint(b, n);
	for (unsigned int i = 0; i < n; i++)
		buf_varint(b, h->slot[i]);
}

static void frame_encode(struct recorder *w, struct buf *b, const struct frame *f)
{
	unsigned int ntables = 0;

	buf_varint(b, f->seq);
	buf_varint(b, (uint64_t)f->wall.tv_sec);
	buf_varint(b, (uint64_t)f->wall.tv_nsec);
	buf_f64(b, f->interval_s);
	buf_f64(b, f->self.cpu_pct);
	buf_varint(b, f->self.rss_kb);
	buf_u8(b, f->self.bpf_stats);
	buf_f64(b, f->self.bpf_ns_per_s);
	buf_varint(b, f->self.dropped);
	for (unsigned int i = 0; i < f->ntables; i++)
		ntables += f->tables[i].nrows > 0 || f->tables[i].dropped_rows > 0;
	buf_varint(b, ntables);
	for (unsigned int i = 0; i < f->ntables; i++) {
		const struct table *t = &f->tables[i];
		unsigned int schema_index = 0;

		if (t->nrows == 0 && t->dropped_rows == 0)
			continue;
		while (schema_index < frame_schema_count() &&
		       frame_schema(schema_index) != t->schema)
			schema_index++;
		buf_varint(b, schema_index);
		buf_varint(b, t->dropped_rows);
		buf_varint(b, t->nrows);
		for (unsigned int j = 0; j < t->nrows; j++) {
			const struct table_row *r = &t->rows[j];
			unsigned int nvalues = TABLE_MAX_VALUES;
			uint8_t mask = 0;

			buf_varint(b, r->key);
			buf_varint(b, string_number(w, r->name));
			buf_varint(b, string_number(w, r->label));
			while (nvalues > 0 && r->v[nvalues - 1] == 0)
				nvalues--;
			buf_varint(b, nvalues);
			for (unsigned int v = 0; v < nvalues; v++)
				buf_varint(b, r->v[v]);
			for (unsigned int h = 0; h < 2 && h < t->schema->hist_count; h++)
				if (frame_row_hist_const(f, r, h))
					mask |= 1u << h;
			buf_u8(b, mask);
			for (unsigned int h = 0; h < 2; h++)
				if (mask & (1u << h))
					hist_encode(b, frame_row_hist_const(f, r, h));
			buf_varint(b, list_number(w, r));
		}
	}
}

int recorder_write(struct recorder *w, const struct ktop *k, const struct frame *f)
{
	struct buf collectors = { 0 }, dict = { 0 };
	bool selection_oom = false;
	int err;

	if (w->fd < 0)
		return -EBADF;
	if ((w->opt.max_size && w->file_bytes >= w->opt.max_size) ||
	    (w->opt.max_age_s > 0 && ktop_monotonic_s() - w->file_start_s >= w->opt.max_age_s)) {
		err = rotate(w, k);
		if (err < 0)
			goto fail;
	}
	w->payload.len = w->chunk.len = 0;
	frame_encode(w, &w->payload, f);
	if (w->nstrings > w->strings_written) {
		buf_varint(&dict, w->nstrings - w->strings_written);
		for (uint32_t i = w->strings_written; i < w->nstrings; i++)
			buf_str(&dict, w->strings[i]);
		buf_record(&w->chunk, REC_STRINGS, &dict);
		dict.len = 0;
	}
	if (w->nlists > w->lists_written) {
		buf_varint(&dict, w->nlists - w->lists_written);
		for (uint32_t i = w->lists_written; i < w->nlists; i++)
			for (uint32_t j = 0; j <= w->lists[i][0]; j++)
				buf_varint(&dict, w->lists[i][j]);
		buf_record(&w->chunk, REC_LISTS, &dict);
	}
	collectors_encode(&collectors, k);
	if (collectors.len != w->collectors_last.len ||
	    memcmp(collectors.p, w->collectors_last.p, collectors.len) != 0) {
		buf_record(&w->chunk, REC_COLLECTORS, &collectors);
		w->collectors_last.len = 0;
		buf_put(&w->collectors_last, collectors.p, collectors.len);
	}
	if (!w->selection_written || w->selection[0] != f->container ||
	    w->selection[1] != f->container_state || w->selection[2] != f->container_text) {
		struct buf sel = { 0 };

		buf_u8(&sel, f->container != NULL);
		buf_str(&sel, f->container);
		buf_str(&sel, f->container_state ? f->container_state : "all");
		buf_str(&sel, f->container_text ? f->container_text : "all containers");
		buf_record(&w->chunk, REC_SELECTION, &sel);
		selection_oom = sel.oom;
		free(sel.p);
		w->selection[0] = f->container;
		w->selection[1] = f->container_state;
		w->selection[2] = f->container_text;
		w->selection_written = true;
	}
	buf_record(&w->chunk, REC_FRAME, &w->payload);
	err = dict.oom || collectors.oom || w->collectors_last.oom || w->payload.oom ||
			      w->chunk.oom || selection_oom
		      ? -ENOMEM
		      : 0;
	free(dict.p);
	free(collectors.p);
	if (err == 0)
		err = write_all(w, w->chunk.p, w->chunk.len); /* a crash cuts one frame */
	if (err < 0)
		goto fail;
	w->strings_written = w->nstrings;
	w->lists_written = w->nlists;
	w->frames++;
	return 0;
fail:
	snprintf(w->error, sizeof(w->error), "recording to %s failed: %s", w->path,
		 strerror(-err));
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
	return err;
}

const char *recorder_error(const struct recorder *w)
{
	return w && w->error[0] ? w->error : NULL;
}

void recorder_totals(const struct recorder *w, uint64_t *bytes, uint64_t *frames)
{
	*bytes = w->total_bytes;
	*frames = w->frames;
}

void recorder_close(struct recorder *w)
{
	if (!w)
		return;
	if (w->fd >= 0)
		close(w->fd);
	dictionaries_reset(w);
	free(w->strings);
	free(w->lists);
	free(w->string_dict.slots);
	free(w->list_dict.slots);
	free(w->collectors_last.p);
	free(w->payload.p);
	free(w->chunk.p);
	free(w->path);
	free(w);
}

/* ---- reading -------------------------------------------------------------------------- */

struct file_table {
	const struct table_schema *schema; /* this build's, or NULL: skipped */
	unsigned int nslots, nhists;
	int8_t slot_to[TABLE_MAX_VALUES]; /* this build's value slot, or -1 */
	int8_t hist_to[2];
};

struct recorded_collector {
	char name[COLLECTOR_REASON_MAX];
	bool running;
	char reason[COLLECTOR_REASON_MAX];
};

struct collector_set {
	unsigned int n;
	struct recorded_collector c[KTOP_MAX_COLLECTORS];
};

struct frame_index {
	size_t offset, len;   /* the frame's payload in the data */
	struct timespec wall;
	unsigned int collectors; /* the collector set in force, + 1 (0 = none) */
	unsigned int selection;  /* the container selection in force, + 1 (0 = the header's) */
};

struct selection {
	bool selected;
	char name[256], state[16], text[256];
};

struct replay {
	const uint8_t *data;
	size_t size;
	uint8_t *owned;
	char name[256];
	unsigned int flags;
	/* header */
	char version[32], host[65], kernel[65], container[256];
	bool has_container;
	int ncpus;
	double interval_s;
	struct timespec start;
	struct file_table *tables;
	unsigned int ntables;
	/* dictionaries */
	const char **strings;
	uint32_t nstrings, strings_cap;
	const char ***lists;
	unsigned int *list_len;
	uint32_t nlists, lists_cap;
	struct collector_set *sets;
	unsigned int nsets, sets_cap;
	struct selection *selections;
	uint32_t nselections, selections_cap;
	/* frames */
	struct frame_index *frames;
	unsigned int nframes, frames_cap;
	char error[512];
	/* playing */
	unsigned int next;
	struct collector_ops ops[KTOP_MAX_COLLECTORS];
};

static struct replay *replay_fail(struct replay *r, char *err, size_t errlen, const char *fmt,
				  const char *detail)
{
	char what[256];

	snprintf(what, sizeof(what), fmt, detail);
	snprintf(err, errlen, "%s: %s", r->name, what);
	replay_close(r);
	return NULL;
}

static int header_decode(struct replay *r, struct cursor *c)
{
	char id[128], name[128];

	cur_str_copy(c, r->version, sizeof(r->version));
	cur_str_copy(c, r->host, sizeof(r->host));
	cur_str_copy(c, r->kernel, sizeof(r->kernel));
	r->ncpus = (int)cur_bounded(c, 1u << 20, "CPU count out of range");
	r->start.tv_sec = (time_t)cur_bounded(c, 253402300799ull, "start time out of range");
	r->start.tv_nsec = (long)cur_bounded(c, 999999999, "start time out of range");
	r->interval_s = cur_f64(c, true);
	r->has_container = cur_u8(c) != 0;
	cur_str_copy(c, r->container, sizeof(r->container));
	r->ntables = (unsigned int)cur_bounded(c, 1024, "too many tables");
	if (c->bad)
		return -1;
	r->tables = calloc(r->ntables ? r->ntables : 1, sizeof(*r->tables));
	if (!r->tables) {
		cur_fail(c, "out of memory");
		return -1;
	}
	for (unsigned int i = 0; i < r->ntables && !c->bad; i++) {
		struct file_table *t = &r->tables[i];

		cur_str_copy(c, id, sizeof(id));
		t->schema = frame_schema_find(id);
		t->nslots = (unsigned int)cur_bounded(c, TABLE_MAX_VALUES, "too many values");
		for (unsigned int v = 0; v < t->nslots; v++) {
			t->slot_to[v] = -1;
			cur_str_copy(c, id, sizeof(id));
			for (unsigned int b = 0; t->schema && b < TABLE_MAX_VALUES; b++) {
				slot_name(t->schema, b, name, sizeof(name));
				if (strcmp(name, id) == 0) {
					t->slot_to[v] = (int8_t)b;
					break;
				}
			}
		}
		t->nhists = (unsigned int)cur_bounded(c, 2, "too many histograms");
		for (unsigned int h = 0; h < t->nhists; h++) {
			t->hist_to[h] = -1;
			cur_str_copy(c, id, sizeof(id));
			for (unsigned int b = 0; t->schema && b < t->schema->hist_count && b < 2; b++)
				if (t->schema->hist_names[b] &&
				    strcmp(t->schema->hist_names[b], id) == 0)
					t->hist_to[h] = (int8_t)b;
		}
	}
	if (!c->bad && c->p != c->end)
		cur_fail(c, "unexpected bytes at its end");
	return c->bad ? -1 : 0;
}

static int strings_decode(struct replay *r, struct cursor *c)
{
	uint64_t n = cur_bounded(c, (uint64_t)(c->end - c->p), "too many strings");

	for (uint64_t i = 0; i < n && !c->bad; i++) {
		size_t len;
		const char *s = cur_str(c, &len);

		if (c->bad)
			break;
		if (memchr(s, '\0', len)) {
			cur_fail(c, "string with a NUL byte");
			break;
		}
		if (r->nstrings == r->strings_cap &&
		    grow_array(&r->strings, &r->strings_cap, sizeof(*r->strings)) < 0) {
			cur_fail(c, "out of memory");
			break;
		}
		r->strings[r->nstrings++] = intern_n(s, len);
	}
	return c->bad ? -1 : 0;
}

static int lists_decode(struct replay *r, struct cursor *c)
{
	uint64_t n = cur_bounded(c, (uint64_t)(c->end - c->p), "too many lists");

	for (uint64_t i = 0; i < n && !c->bad; i++) {
		uint64_t count = cur_bounded(c, (uint64_t)(c->end - c->p), "list too long");
		const char **list;

		if (c->bad || count == 0) {
			cur_fail(c, "empty string list");
			break;
		}
		if (r->nlists == r->lists_cap) {
			uint32_t cap = r->lists_cap;

			if (grow_array(&r->lists, &r->lists_cap, sizeof(*r->lists)) < 0 ||
			    grow_array(&r->list_len, &cap, sizeof(*r->list_len)) < 0) {
				cur_fail(c, "out of memory");
				break;
			}
		}
		list = calloc(count, sizeof(*list));
		if (!list) {
			cur_fail(c, "out of memory");
			break;
		}
		for (uint64_t j = 0; j < count; j++) {
			uint64_t s = cur_varint(c);

			if (s == 0 || s > r->nstrings) {
				cur_fail(c, "string number out of range");
				break;
			}
			list[j] = r->strings[s - 1];
		}
		if (c->bad) {
			free(list);
			break;
		}
		r->lists[r->nlists] = list;
		r->list_len[r->nlists++] = (unsigned int)count;
	}
	return c->bad ? -1 : 0;
}

static int collectors_decode(struct replay *r, struct cursor *c)
{
	struct collector_set *set;

	if (r->nsets == r->sets_cap) {
		unsigned int cap = r->sets_cap ? r->sets_cap * 2 : 4;
		void *p = realloc(r->sets, cap * sizeof(*r->sets));

		if (!p) {
			cur_fail(c, "out of memory");
			return -1;
		}
		r->sets = p;
		r->sets_cap = cap;
	}
	set = &r->sets[r->nsets];
	set->n = (unsigned int)cur_bounded(c, KTOP_MAX_COLLECTORS, "too many collectors");
	for (unsigned int i = 0; i < set->n && !c->bad; i++) {
		cur_str_copy(c, set->c[i].name, sizeof(set->c[i].name));
		set->c[i].running = cur_u8(c) != 0;
		cur_str_copy(c, set->c[i].reason, sizeof(set->c[i].reason));
	}
	if (c->bad)
		return -1;
	r->nsets++;
	return 0;
}

static int selection_decode(struct replay *r, struct cursor *c)
{
	struct selection *s;

	if (r->nselections == r->selections_cap &&
	    grow_array(&r->selections, &r->selections_cap, sizeof(*r->selections)) < 0) {
		cur_fail(c, "out of memory");
		return -1;
	}
	s = &r->selections[r->nselections];
	s->selected = cur_u8(c) != 0;
	cur_str_copy(c, s->name, sizeof(s->name));
	cur_str_copy(c, s->state, sizeof(s->state));
	cur_str_copy(c, s->text, sizeof(s->text));
	if (c->bad)
		return -1;
	r->nselections++;
	return 0;
}

/* The selection frame i was made with; recordings from before 'X' records have only the
 * header's -c, and no state */
static void selection_apply(const struct replay *r, unsigned int i, struct frame *f)
{
	char text[300];

	if (r->frames[i].selection) {
		const struct selection *s = &r->selections[r->frames[i].selection - 1];

		f->container = s->selected ? intern(s->name) : NULL;
		f->container_state = intern(s->state);
		f->container_text = intern(s->text);
		return;
	}
	f->container = r->has_container ? intern(r->container) : NULL;
	f->container_state = intern(r->has_container ? "unknown" : "all");
	snprintf(text, sizeof(text), "container %s", r->container);
	f->container_text = intern(r->has_container ? text : "all containers");
}

static const char *string_at(struct cursor *c, const struct replay *r)
{
	uint64_t s = cur_varint(c);

	if (s > r->nstrings) {
		cur_fail(c, "string number out of range");
		return NULL;
	}
	return s ? r->strings[s - 1] : NULL;
}

/* Decode a frame payload into f (reset); with f == NULL, only check it */
static int frame_decode(const struct replay *r, struct cursor *c, struct frame *f,
			struct timespec *wall)
{
	struct frame scratch;
	uint64_t ntables;

	if (!f) {
		memset(&scratch, 0, sizeof(scratch));
		f = &scratch;
	}
	f->seq = cur_varint(c);
	f->wall.tv_sec = (time_t)cur_bounded(c, 253402300799ull, "time out of range");
	f->wall.tv_nsec = (long)cur_bounded(c, 999999999, "time out of range");
	f->interval_s = cur_f64(c, true);
	f->self.cpu_pct = cur_f64(c, true);
	f->self.rss_kb = cur_varint(c);
	f->self.bpf_stats = cur_u8(c) != 0;
	f->self.bpf_ns_per_s = cur_f64(c, true);
	f->self.dropped = cur_varint(c);
	if (wall)
		*wall = f->wall;
	ntables = cur_bounded(c, r->ntables * 4ull, "too many tables");
	for (uint64_t i = 0; i < ntables && !c->bad; i++) {
		uint64_t index = cur_bounded(c, r->ntables ? r->ntables - 1 : 0,
					     "table number out of range");
		const struct file_table *ft = &r->tables[index];
		struct table *t = f != &scratch && ft->schema ? frame_table(f, ft->schema) : NULL;
		uint64_t dropped = cur_varint(c);
		uint64_t nrows = cur_bounded(c, (uint64_t)(c->end - c->p), "too many rows");

		if (c->bad || r->ntables == 0) {
			cur_fail(c, "table number out of range");
			break;
		}
		if (t)
			t->dropped_rows += dropped;
		for (uint64_t j = 0; j < nrows && !c->bad; j++) {
			struct table_row row = { .hist = { -1, -1 } }, *out = NULL;
			struct hist hists[2];
			unsigned int nvalues;
			uint8_t mask;
			uint64_t list;

			row.key = cur_varint(c);
			row.name = string_at(c, r);
			row.label = string_at(c, r);
			nvalues = (unsigned int)cur_bounded(c, ft->nslots, "too many values");
			for (unsigned int v = 0; v < nvalues; v++) {
				uint64_t value = cur_varint(c);

				if (ft->slot_to[v] >= 0)
					row.v[ft->slot_to[v]] = value;
			}
			mask = cur_u8(c);
			if (mask >> ft->nhists)
				cur_fail(c, "histogram that the table does not have");
			for (unsigned int h = 0; h < 2; h++) {
				unsigned int nslots;

				memset(&hists[h], 0, sizeof(hists[h]));
				if (!(mask & (1u << h)))
					continue;
				nslots = (unsigned int)cur_bounded(c, HIST_SLOTS, "long histogram");
				for (unsigned int s = 0; s < nslots; s++)
					hists[h].slot[s] = (uint32_t)cur_bounded(
						c, UINT32_MAX, "histogram count out of range");
			}
			list = cur_bounded(c, r->nlists, "string list number out of range");
			if (c->bad || !t)
				continue;
			out = table_add_row(t, row.key);
			if (!out) {
				cur_fail(c, "out of memory");
				break;
			}
			row.hist[0] = row.hist[1] = -1;
			*out = row;
			if (list) {
				out->strings = r->lists[list - 1];
				out->nstrings = r->list_len[list - 1];
			}
			for (unsigned int h = 0; h < 2; h++) {
				struct hist *dst;

				if (!(mask & (1u << h)) || ft->hist_to[h] < 0)
					continue;
				dst = frame_row_hist(f, out, (unsigned int)ft->hist_to[h]);
				if (!dst) {
					cur_fail(c, "out of memory");
					break;
				}
				*dst = hists[h];
			}
		}
	}
	if (!c->bad && c->p != c->end)
		cur_fail(c, "unexpected bytes at its end");
	return c->bad ? -1 : 0;
}

static int index_frame(struct replay *r, size_t offset, size_t len, const struct timespec *wall)
{
	struct frame_index *fi;

	if (r->nframes == r->frames_cap &&
	    grow_array(&r->frames, &r->frames_cap, sizeof(*r->frames)) < 0)
		return -ENOMEM;
	fi = &r->frames[r->nframes++];
	fi->offset = offset;
	fi->len = len;
	fi->wall = *wall;
	fi->collectors = r->nsets;
	fi->selection = r->nselections;
	return 0;
}

/* Walk the records after the header; stop at the first damaged one, saying where */
static void records_scan(struct replay *r, size_t offset)
{
	while (offset < r->size) {
		struct cursor c = { r->data + offset, r->data + r->size, NULL };
		uint8_t type = cur_u8(&c);
		uint64_t len = cur_varint(&c);
		size_t head = (size_t)(c.p - (r->data + offset)), avail = r->size - offset;
		const char *what = type == REC_FRAME ? "frame" : "record";
		struct timespec wall = { 0 };
		uint32_t crc;
		int err = 0;

		if (c.bad || len > RECORD_BODY_MAX || head + len + 4 > avail) {
			snprintf(r->error, sizeof(r->error),
				 "%s: frame %u at byte %zu: truncated: the file ends %zu bytes "
				 "into a %s of %llu bytes (was the recorder stopped mid-write?)",
				 r->name, r->nframes + 1, offset, avail, what,
				 c.bad ? 0ull : (unsigned long long)(head + len + 4));
			if (len > RECORD_BODY_MAX && !c.bad)
				snprintf(r->error, sizeof(r->error),
					 "%s: frame %u at byte %zu: corrupt: record length %llu is "
					 "out of range", r->name, r->nframes + 1, offset,
					 (unsigned long long)len);
			return;
		}
		crc = (uint32_t)c.p[len] | (uint32_t)c.p[len + 1] << 8 |
		      (uint32_t)c.p[len + 2] << 16 | (uint32_t)c.p[len + 3] << 24;
		if (!(r->flags & REPLAY_NO_CRC) &&
		    crc != (uint32_t)crc32(0, r->data + offset, (uInt)(head + len))) {
			snprintf(r->error, sizeof(r->error),
				 "%s: frame %u at byte %zu: corrupt: checksum mismatch in a %s of "
				 "%llu bytes", r->name, r->nframes + 1, offset, what,
				 (unsigned long long)(head + len + 4));
			return;
		}
		c.end = c.p + len;
		switch (type) {
		case REC_STRINGS:
			err = strings_decode(r, &c);
			break;
		case REC_LISTS:
			err = lists_decode(r, &c);
			break;
		case REC_COLLECTORS:
			err = collectors_decode(r, &c);
			break;
		case REC_SELECTION:
			err = selection_decode(r, &c);
			break;
		case REC_FRAME: {
			const uint8_t *payload = c.p;

			err = frame_decode(r, &c, NULL, &wall);
			if (!err && index_frame(r, (size_t)(payload - r->data), len, &wall) < 0)
				cur_fail(&c, "out of memory"), err = -1;
			break;
		}
		default: /* from a later version: skip it */
			break;
		}
		if (err) {
			snprintf(r->error, sizeof(r->error),
				 "%s: frame %u at byte %zu: malformed %s: %s", r->name,
				 r->nframes + 1, offset, what, c.bad);
			return;
		}
		offset += head + len + 4;
	}
}

struct replay *replay_open_memory(const void *data, size_t len, const char *name,
				  unsigned int flags, char *err, size_t errlen)
{
	struct replay *r = calloc(1, sizeof(*r));
	const uint8_t *p = data;
	struct cursor c;
	uint32_t header_len, crc;
	unsigned int version;

	if (!r) {
		snprintf(err, errlen, "%s: out of memory", name);
		return NULL;
	}
	r->data = data;
	r->size = len;
	r->flags = flags;
	snprintf(r->name, sizeof(r->name), "%s", name);
	if (len < 8 || memcmp(p, RECORD_MAGIC, 8) != 0)
		return replay_fail(r, err, errlen, "not a ktop recording (no '%s' magic at byte 0)",
				   "KTOPREC");
	if (len < 16)
		return replay_fail(r, err, errlen, "%s: the file ends inside its header",
				   "truncated");
	version = p[8] | (unsigned int)p[9] << 8;
	if (version > RECORD_VERSION || version == 0) {
		char v[64];

		snprintf(v, sizeof(v), "%u (this ktop reads version %u)", version, RECORD_VERSION);
		return replay_fail(r, err, errlen,
				   "unsupported format version %s; a newer ktop wrote it", v);
	}
	header_len = (uint32_t)p[12] | (uint32_t)p[13] << 8 | (uint32_t)p[14] << 16 |
		     (uint32_t)p[15] << 24;
	if (header_len > RECORD_HEADER_MAX)
		return replay_fail(r, err, errlen, "corrupt header at byte 12: %s",
				   "length out of range");
	if (len < 16 + (size_t)header_len + 4)
		return replay_fail(r, err, errlen, "%s: the file ends inside its header",
				   "truncated");
	crc = (uint32_t)p[16 + header_len] | (uint32_t)p[17 + header_len] << 8 |
	      (uint32_t)p[18 + header_len] << 16 | (uint32_t)p[19 + header_len] << 24;
	if (!(flags & REPLAY_NO_CRC) && crc != (uint32_t)crc32(0, p + 16, header_len))
		return replay_fail(r, err, errlen, "corrupt header at byte 16: %s",
				   "checksum mismatch");
	c = (struct cursor){ p + 16, p + 16 + header_len, NULL };
	if (header_decode(r, &c) < 0)
		return replay_fail(r, err, errlen, "corrupt header at byte 16: %s", c.bad);
	records_scan(r, 16 + (size_t)header_len + 4);
	return r;
}

struct replay *replay_open_file(const char *path, char *err, size_t errlen)
{
	struct replay *r;
	struct stat st;
	uint8_t *data;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		close(fd);
		return NULL;
	}
	data = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!data) {
		snprintf(err, errlen, "%s: out of memory for %lld bytes", path,
			 (long long)st.st_size);
		close(fd);
		return NULL;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, data + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	r = replay_open_memory(data, got, path, 0, err, errlen);
	if (!r) {
		free(data);
		return NULL;
	}
	r->owned = data;
	return r;
}

void replay_close(struct replay *r)
{
	if (!r)
		return;
	for (uint32_t i = 0; i < r->nlists; i++)
		free(r->lists[i]);
	free(r->lists);
	free(r->list_len);
	free(r->strings);
	free(r->sets);
	free(r->selections);
	free(r->frames);
	free(r->tables);
	free(r->owned);
	free(r);
}

unsigned int replay_frame_count(const struct replay *r)
{
	return r->nframes;
}

const char *replay_error(const struct replay *r)
{
	return r->error[0] ? r->error : NULL;
}

static void collectors_apply(struct replay *r, struct ktop *k, unsigned int set)
{
	const struct collector_set *s;

	if (set == 0 || set > r->nsets)
		return;
	s = &r->sets[set - 1];
	k->ncollectors = s->n;
	for (unsigned int i = 0; i < s->n; i++) {
		struct collector *c = &k->collectors[i];

		r->ops[i] = (struct collector_ops){ .name = s->c[i].name };
		c->ops = &r->ops[i];
		c->priv = NULL;
		c->running = s->c[i].running;
		snprintf(c->reason, sizeof(c->reason), "%s", s->c[i].reason);
	}
}

int replay_read(struct replay *r, unsigned int i, struct ktop *k, struct frame *f)
{
	struct cursor c;

	if (i >= r->nframes)
		return -ENODATA;
	c = (struct cursor){ r->data + r->frames[i].offset,
			     r->data + r->frames[i].offset + r->frames[i].len, NULL };
	if (k)
		collectors_apply(r, k, r->frames[i].collectors);
	if (frame_decode(r, &c, f, NULL) < 0)
		return -EINVAL;
	selection_apply(r, i, f);
	return 0;
}

void replay_identity(const struct replay *r, struct ktop *k)
{
	snprintf(k->hostname, sizeof(k->hostname), "%s", r->host);
	snprintf(k->kernel, sizeof(k->kernel), "%s", r->kernel);
	k->ncpus = r->ncpus;
	if (r->interval_s >= 0.01)
		k->cfg.interval_s = r->interval_s;
	k->cfg.container = r->has_container ? r->container : NULL;
	collectors_apply((struct replay *)r, k, r->nframes ? r->frames[0].collectors : 1);
}

/* ---- the replay as the loop's frame source ------------------------------------------- */

static int source_next(struct ktop *k, struct frame *f)
{
	struct replay *r = k->source_state;

	return replay_read(r, r->next++, k, f);
}

static bool source_done(const struct ktop *k)
{
	const struct replay *r = k->source_state;

	return r->next >= r->nframes;
}

const struct frame_source replay_source = {
	.name = "replay",
	.next = source_next,
	.done = source_done,
};

int replay_seek(struct ktop *k, unsigned int i)
{
	struct replay *r = k->source_state;
	unsigned int first;

	if (!r || i >= r->nframes)
		return -ENODATA;
	first = i + 1 > k->history.capacity ? i + 1 - k->history.capacity : 0;
	k->history.count = 0;
	k->history.newest = k->history.capacity - 1;
	for (unsigned int j = first; j <= i; j++)
		replay_read(r, j, k, history_next(&k->history));
	r->next = i + 1;
	return 0;
}

int replay_seek_time(struct ktop *k, const char *when)
{
	struct replay *r = k->source_state;
	unsigned int hh, mm, ss = 0;
	struct tm tm;
	time_t target;
	char extra;
	int n;

	if (!r)
		return -ENODATA;
	n = sscanf(when, "%u:%u:%u%c", &hh, &mm, &ss, &extra);
	if (n != 2 && n != 3)
		return -EINVAL;
	if (hh > 23 || mm > 59 || ss > 59)
		return -EINVAL;
	if (r->nframes == 0)
		return -ENOENT;
	/* that time on the recording's first day, or the next day when it is earlier */
	localtime_r(&r->frames[0].wall.tv_sec, &tm);
	tm.tm_hour = (int)hh;
	tm.tm_min = (int)mm;
	tm.tm_sec = (int)ss;
	tm.tm_isdst = -1;
	target = mktime(&tm);
	if (target < r->frames[0].wall.tv_sec - 60)
		target += 86400;
	for (unsigned int i = 0; i < r->nframes; i++)
		if (r->frames[i].wall.tv_sec >= target)
			return replay_seek(k, i);
	return -ENOENT;
}

int replay_step(struct ktop *k)
{
	struct replay *r = k->source_state;

	if (!r || r->next >= r->nframes)
		return -ENODATA;
	k->frames_done++;
	return replay_read(r, r->next++, k, history_next(&k->history));
}

void replay_status(const struct ktop *k, char *buf, size_t len)
{
	const struct replay *r = k->source_state;
	double speed = k->speed > 0 ? k->speed : 1;

	if (!r) {
		buf[0] = '\0';
		return;
	}
	snprintf(buf, len, "replay %u/%u x%g%s", r->next, r->nframes, speed,
		 r->next >= r->nframes ? (r->error[0] ? " END (damaged)" : " END") : "");
}

/* ---- options ---------------------------------------------------------------------- */

static int parse_scaled(const char *s, const char *units, const double *scale, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || !isfinite(v) || v <= 0)
		return -EINVAL;
	if (*end) {
		const char *u = strchr(units, *end);

		if (!u || end[1])
			return -EINVAL;
		v *= scale[u - units];
	}
	*out = v;
	return 0;
}

int record_parse_size(const char *s, unsigned long long *bytes)
{
	static const double scale[] = { 1024, 1024, 1 << 20, 1 << 20, 1 << 30, 1 << 30 };
	double v;

	if (parse_scaled(s, "kKmMgG", scale, &v) < 0 || v < 4096 || v > 1e15)
		return -EINVAL;
	*bytes = (unsigned long long)v;
	return 0;
}

int record_parse_age(const char *s, double *seconds)
{
	static const double scale[] = { 1, 60, 3600, 86400 };
	double v;

	if (parse_scaled(s, "smhd", scale, &v) < 0 || v < 1 || v > 1e9)
		return -EINVAL;
	*seconds = v;
	return 0;
}

/* ---- --record-only ------------------------------------------------------------------- */

static int null_start(struct ktop *k)
{
	(void)k;
	return 0;
}

static void null_frame(struct ktop *k)
{
	(void)k;
}

const struct sink_ops null_sink = {
	.name = "none",
	.start = null_start,
	.frame = null_frame,
};
