// SPDX-License-Identifier: GPL-2.0
/*
 * core/ini_file.c: libinih with line numbers and strict input. libinih is fed through a
 * reader of our own, one line per call, so every value, section and syntax error is
 * known by its line whatever options the shared library was built with.
 */
#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ini_file.h"
#include "safefile.h"

struct ini_reader {
	const char *origin;
	const char *text;
	size_t len, pos;
	unsigned int line;      /* line of the text last handed to libinih */
	unsigned int next_line;
	ini_value_fn fn;
	void *user;
	char *err;
	size_t errlen;
	bool failed;
};

static void reader_fail(struct ini_reader *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void reader_fail(struct ini_reader *r, const char *fmt, ...)
{
	char msg[INI_ERROR_MAX];
	va_list ap;

	if (r->failed)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(r->err, r->errlen, "%s:%u: %s", r->origin, r->line, msg);
	r->failed = true;
}

/* Check one line before libinih sees it; a section header is reported here */
static void reader_check_line(struct ini_reader *r, const char *s, size_t n)
{
	char msg[INI_ERROR_MAX] = "", name[128];
	const char *close;

	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n == 0 || *s == ';' || *s == '#')
		return;
	if (*s == '[') {
		close = memchr(s, ']', n);
		if (!close) {
			reader_fail(r, "unterminated section header '%.*s'; expected [section]",
				    (int)(n > 40 ? 40 : n), s);
			return;
		}
		snprintf(name, sizeof(name), "%.*s", (int)(close - s - 1), s + 1);
		if (r->fn(r->user, name, NULL, NULL, msg, sizeof(msg)) < 0)
			reader_fail(r, "%s", msg);
		return;
	}
	if (!memchr(s, '=', n) && !memchr(s, ':', n))
		reader_fail(r, "'%.*s' is not a setting; expected key = value", (int)(n > 40 ? 40 : n),
			    s);
}

/* libinih's reader: one line per call, leading blanks dropped (no continuation lines) */
static char *reader_line(char *buf, int size, void *stream)
{
	struct ini_reader *r = stream;
	size_t start, end, n;

	if (r->pos >= r->len || r->failed || size < 2)
		return NULL;
	start = r->pos;
	end = start;
	while (end < r->len && r->text[end] != '\n')
		end++;
	if (end < r->len)
		end++; /* keep the newline */
	r->pos = end;
	r->line = ++r->next_line;
	while (start < end && (r->text[start] == ' ' || r->text[start] == '\t'))
		start++;
	n = end - start;
	if (n > (size_t)size - 1) {
		reader_fail(r, "line longer than %d characters; expected a shorter line", size - 2);
		return NULL;
	}
	memcpy(buf, r->text + start, n);
	buf[n] = '\0';
	reader_check_line(r, buf, n);
	return r->failed ? NULL : buf;
}

static int reader_value(void *user, const char *section, const char *name, const char *value)
{
	struct ini_reader *r = user;
	char msg[INI_ERROR_MAX] = "";

	if (r->failed)
		return 0;
	if (!*section) {
		reader_fail(r, "'%s' is outside any section; expected a [section] line first",
			    name);
		return 0;
	}
	if (r->fn(r->user, section, name, value, msg, sizeof(msg)) < 0) {
		reader_fail(r, "%s", msg);
		return 0;
	}
	return 1;
}

int ini_text_parse(const char *origin, const char *text, size_t len, ini_value_fn fn, void *user,
		   char *err, size_t errlen)
{
	struct ini_reader r = { .origin = origin, .text = text, .len = len, .fn = fn,
				.user = user, .err = err, .errlen = errlen };
	bool blank = true;
	int rc;

	err[0] = '\0';
	for (size_t i = 0, line = 1; i < len; i++) {
		unsigned char c = (unsigned char)text[i];

		if (c == '\n')
			line++;
		else if ((c < 0x20 && c != '\t' && c != '\r') || c == 0x7f) {
			snprintf(err, errlen, "%s:%zu: binary data (byte 0x%02x); expected a text "
				 "file of [section] and key = value lines", origin, line, c);
			return -EINVAL;
		}
		if (c != ' ' && c != '\t' && c != '\r' && c != '\n')
			blank = false;
	}
	if (blank) {
		snprintf(err, errlen, "%s:1: the file is empty; expected [section] and "
			 "key = value lines", origin);
		return -EINVAL;
	}
	rc = ini_parse_stream(reader_line, &r, reader_value, &r);
	if (r.failed)
		return -EINVAL;
	if (rc != 0) {
		snprintf(err, errlen, "%s:%d: cannot parse this line; expected key = value",
			 origin, rc > 0 ? rc : 1);
		return -EINVAL;
	}
	return 0;
}

int ini_file_parse(const char *path, ini_value_fn fn, void *user, char *err, size_t errlen)
{
	/* ktop runs as root: a file (or a folder on its way) others can write is refused */
	FILE *f = safefile_open(path, err, errlen);
	char *text;
	size_t len;
	int rc;

	if (!f)
		return -errno;
	text = malloc(INI_FILE_MAX_BYTES + 1);
	if (!text) {
		fclose(f);
		snprintf(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	len = fread(text, 1, INI_FILE_MAX_BYTES + 1, f);
	rc = ferror(f) ? -EIO : 0;
	fclose(f);
	if (rc)
		snprintf(err, errlen, "%s: read error", path);
	else if (len > INI_FILE_MAX_BYTES) {
		snprintf(err, errlen, "%s:1: larger than %d bytes; expected a small text file",
			 path, INI_FILE_MAX_BYTES);
		rc = -EFBIG;
	} else {
		rc = ini_text_parse(path, text, len, fn, user, err, errlen);
	}
	free(text);
	return rc;
}

bool ini_file_visible(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 || errno != EACCES;
}
