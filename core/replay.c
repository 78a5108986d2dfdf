// SPDX-License-Identifier: GPL-2.0
/*
 * core/replay.c: reading a recording (ktop -r): the index of its frames, decoding them
 * into this build's tables, and playing them as the loop's frame source.
 * The layout is in core/record_format.h; the writer is core/record.c.
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
	unsigned int titles;     /* the tables' titles in force, + 1 (0 = their schemas') */
};

/* A table's title as a 'T' record gives it (the string interned) */
struct recorded_title {
	const struct table_schema *schema;
	const char *title;
};

/* One 'T' record: titles[first] .. titles[first + n - 1] */
struct title_set {
	uint32_t first, n;
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
	struct recorded_title *titles;
	uint32_t ntitles, titles_cap;
	struct title_set *title_sets;
	uint32_t ntitle_sets, title_sets_cap;
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

/* A 'T' record: the titles of the frames that follow, of tables this build has */
static int titles_decode(struct replay *r, struct cursor *c)
{
	uint64_t n = cur_bounded(c, r->ntables, "more titles than tables");
	struct title_set *set;

	if (c->bad)
		return -1;
	if (r->ntitle_sets == r->title_sets_cap &&
	    grow_array(&r->title_sets, &r->title_sets_cap, sizeof(*r->title_sets)) < 0) {
		cur_fail(c, "out of memory");
		return -1;
	}
	set = &r->title_sets[r->ntitle_sets];
	set->first = r->ntitles;
	set->n = 0;
	for (uint64_t i = 0; i < n && !c->bad; i++) {
		/* n <= r->ntables: here there is at least one table */
		uint64_t table = cur_bounded(c, r->ntables - 1, "table number out of range");
		uint64_t string = cur_varint(c);

		if (c->bad)
			break;
		if (string == 0 || string > r->nstrings) {
			cur_fail(c, "title's string number out of range");
			break;
		}
		if (!r->tables[table].schema)
			continue; /* a table this build does not have */
		if (r->ntitles == r->titles_cap &&
		    grow_array(&r->titles, &r->titles_cap, sizeof(*r->titles)) < 0) {
			cur_fail(c, "out of memory");
			break;
		}
		r->titles[r->ntitles++] = (struct recorded_title){ r->tables[table].schema,
								   r->strings[string - 1] };
		set->n++;
	}
	if (!c->bad && c->p != c->end)
		cur_fail(c, "unexpected bytes at its end");
	if (c->bad) {
		r->ntitles = set->first;
		return -1;
	}
	r->ntitle_sets++;
	return 0;
}

/* The titles frame i was made with; a table not named (every table, in recordings from
 * before 'T' records) shows its schema's */
static void titles_apply(const struct replay *r, unsigned int i, struct frame *f)
{
	const struct title_set *set;

	if (!r->frames[i].titles)
		return;
	set = &r->title_sets[r->frames[i].titles - 1];
	for (uint32_t j = set->first; j < set->first + set->n; j++) {
		struct table *t = frame_table(f, r->titles[j].schema);

		if (t)
			t->title = r->titles[j].title;
	}
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
	fi->titles = r->ntitle_sets;
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
		const char *what = type == REC_FRAME ? "frame"
				   : type == REC_TITLES ? "title record" : "record";
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
		case REC_TITLES:
			err = titles_decode(r, &c);
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
	free(r->titles);
	free(r->title_sets);
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
	titles_apply(r, i, f);
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
