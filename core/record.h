/* SPDX-License-Identifier: GPL-2.0 */
/*
 * core/record.h: recording frames to a file (ktop -w) and replaying them (ktop -r).
 *
 * The file is a header (magic, format version, host, kernel, CPUs, start time, the tables
 * it holds by schema id and their value slots by column id) followed by self-delimiting
 * records, each with a length and a CRC32: new strings, new string lists, collector
 * status, the container selection, the tables' own titles and frames. Names are stored
 * resolved, once, and referenced by index; numbers are varints. A file cut off mid-write
 * replays up to its last complete frame.
 * The layout is described in docs/RECORD.md.
 */
#ifndef KTOP_CORE_RECORD_H
#define KTOP_CORE_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "ktop.h"

#define RECORD_MAGIC "KTOPREC\n"
#define RECORD_VERSION 1

struct recorder;

#define RECORD_KEEP_DEFAULT 10

struct recorder_options {
	uint64_t max_size;  /* rotate when the file reaches this many bytes, 0 = never */
	double max_age_s;   /* rotate when the file is this old, 0 = never */
	unsigned int keep;  /* rotated files kept (FILE.1 .. FILE.keep), 0 = RECORD_KEEP_DEFAULT */
};

/* Start recording to path (truncated). NULL with errno set on failure */
struct recorder *recorder_open(const struct ktop *k, const char *path,
			       const struct recorder_options *opt);
/* Append frame f; 0 or -errno (the reason stays in recorder_error) */
int recorder_write(struct recorder *w, const struct ktop *k, const struct frame *f);
const char *recorder_error(const struct recorder *w);
/* Bytes and frames written so far, over all files */
void recorder_totals(const struct recorder *w, uint64_t *bytes, uint64_t *frames);
void recorder_close(struct recorder *w);

struct replay;

/* Ignore CRC mismatches (the fuzz target: lets it reach the decoder) */
#define REPLAY_NO_CRC 1u

/*
 * Read a recording. Returns NULL with err filled when nothing can be replayed (not a ktop
 * file, a newer version, a broken header). A damaged record later on ends the replay
 * there: the frames before it are kept and replay_error() says what and where.
 */
struct replay *replay_open_file(const char *path, char *err, size_t errlen);
/* The same from memory; data must outlive the replay. name is used in messages */
struct replay *replay_open_memory(const void *data, size_t len, const char *name,
				  unsigned int flags, char *err, size_t errlen);
void replay_close(struct replay *r);
unsigned int replay_frame_count(const struct replay *r);
/* Why the file's frames end early, or NULL when it ended cleanly */
const char *replay_error(const struct replay *r);
/* Decode frame i into f (already reset); sets k's collectors to their recorded status */
int replay_read(struct replay *r, unsigned int i, struct ktop *k, struct frame *f);
/* Copy host, kernel, CPUs, interval, container and collectors of the recording into k */
void replay_identity(const struct replay *r, struct ktop *k);

/* Replay as the loop's frame source: k->source_state = r */
extern const struct frame_source replay_source;
/* Refill the history so that frame i is the newest and play on from there */
int replay_seek(struct ktop *k, unsigned int i);
/* Seek to the first frame at or after a local time of day "HH:MM" or "HH:MM:SS" */
int replay_seek_time(struct ktop *k, const char *when);
/* One frame forward while held; 0, or -ENODATA at the end */
int replay_step(struct ktop *k);
/* "replay 12/300 x2" for the screen's header */
void replay_status(const struct ktop *k, char *buf, size_t len);

/* "100M", "2G", "4096": bytes (K, M, G are powers of 1024); 0 or -EINVAL */
int record_parse_size(const char *s, unsigned long long *bytes);
/* "90", "30s", "15m", "6h", "1d": seconds; 0 or -EINVAL */
int record_parse_age(const char *s, double *seconds);

/* No output at all: ktop --record-only */
extern const struct sink_ops null_sink;

#endif
