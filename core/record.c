// SPDX-License-Identifier: GPL-2.0
/*
 * core/record.c: writing a recording (ktop -w), with rotation, and the options that size it.
 * The layout is in core/record_format.h; the reader is core/replay.c.
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

#include "record_format.h"

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
	/* the 'T' payload last written to this file; empty: none yet, every table has its
	 * schema's title (what a reader assumes before the first one) */
	struct buf titles_last;
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
	w->titles_last.len = 0;
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

/* The position of s in the header's table list */
static unsigned int schema_index(const struct table_schema *s)
{
	unsigned int i = 0;

	while (i < frame_schema_count() && frame_schema(i) != s)
		i++;
	return i;
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

		if (t->nrows == 0 && t->dropped_rows == 0)
			continue;
		buf_varint(b, schema_index(t->schema));
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

/*
 * The frame's own titles as a 'T' payload: those that say more than the schema's (a table
 * with no rows has one too: its pane shows it). A title the dictionary has no memory for
 * is left out: that frame replays with its schema's title.
 */
static void titles_encode(struct recorder *w, struct buf *b, const struct frame *f)
{
	unsigned int table[TABLE_MAX_TABLES], n = 0;
	uint32_t string[TABLE_MAX_TABLES];

	for (unsigned int i = 0; i < f->ntables && n < TABLE_MAX_TABLES; i++) {
		const struct table *t = &f->tables[i];

		if (!t->title || strcmp(t->title, t->schema->title) == 0)
			continue;
		string[n] = string_number(w, t->title);
		if (string[n])
			table[n++] = schema_index(t->schema);
	}
	buf_varint(b, n);
	for (unsigned int i = 0; i < n; i++) {
		buf_varint(b, table[i]);
		buf_varint(b, string[i]);
	}
}

/* A 'T' record is due: the titles differ from the last ones of this file. Before the first,
 * a reader gives every table its schema's title: no record for a frame with none (one
 * byte, n = 0), so files of frames without titles have no 'T' at all */
static bool titles_changed(const struct buf *now, const struct buf *last)
{
	if (last->len == 0)
		return now->len > 1;
	return now->len != last->len || memcmp(now->p, last->p, now->len) != 0;
}

int recorder_write(struct recorder *w, const struct ktop *k, const struct frame *f)
{
	struct buf collectors = { 0 }, dict = { 0 }, titles = { 0 };
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
	titles_encode(w, &titles, f); /* before the strings go out: it may add one */
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
	if (titles_changed(&titles, &w->titles_last)) {
		buf_record(&w->chunk, REC_TITLES, &titles);
		w->titles_last.len = 0;
		buf_put(&w->titles_last, titles.p, titles.len);
	}
	buf_record(&w->chunk, REC_FRAME, &w->payload);
	err = dict.oom || collectors.oom || w->collectors_last.oom || w->payload.oom ||
			      w->chunk.oom || selection_oom || titles.oom || w->titles_last.oom
		      ? -ENOMEM
		      : 0;
	free(dict.p);
	free(collectors.p);
	free(titles.p);
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
	free(w->titles_last.p);
	free(w->payload.p);
	free(w->chunk.p);
	free(w->path);
	free(w);
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
