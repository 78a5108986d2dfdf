/* SPDX-License-Identifier: GPL-2.0 */
/*
 * core/ini_file.h: reading INI text (ktop.conf, *.theme) through libinih with the checks
 * libinih leaves to its caller: binary data, empty files, section headers without ']',
 * lines without '=', and every error located as "FILE:LINE: what; expected ...".
 */
#ifndef KTOP_CORE_INI_FILE_H
#define KTOP_CORE_INI_FILE_H

#include <stdbool.h>
#include <stddef.h>

#define INI_ERROR_MAX 512
#define INI_FILE_MAX_BYTES (1 << 20)

/*
 * Called for each "[section]" (key == NULL, value == NULL) and each "key = value".
 * Return 0, or -1 with a message (what was wrong; expected ...) written to err.
 */
typedef int (*ini_value_fn)(void *user, const char *section, const char *key, const char *value,
			    char *err, size_t errlen);

/* Parse text named origin; 0, or -EINVAL with "origin:LINE: message" in err */
int ini_text_parse(const char *origin, const char *text, size_t len, ini_value_fn fn, void *user,
		   char *err, size_t errlen);
/* Parse the file at path; -ENOENT when it does not exist, other -errno with err filled */
int ini_file_parse(const char *path, ini_value_fn fn, void *user, char *err, size_t errlen);

/* Can this process see that path exists at all? False only when a folder on the way
 * cannot be searched (EACCES): a file in someone else's home is not "ours, unreadable" */
bool ini_file_visible(const char *path);

#endif
