/* SPDX-License-Identifier: GPL-2.0 */
/*
 * core/safefile.h: opening a file ktop reads as root (config, themes) only when no other
 * user could have written it. Like sudo with sudoers: the file and every directory on
 * its way from / must be owned by root or by the user running ktop, and be writable by
 * nobody else (a directory with the sticky bit, like /tmp, is fine: others cannot replace
 * what is in it).
 */
#ifndef KTOP_CORE_SAFEFILE_H
#define KTOP_CORE_SAFEFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/*
 * path opened for reading, or NULL with errno set (ENOENT when it does not exist, EPERM
 * when refused) and one line in err: "PATH: refusing to read it: ...; fix: chmod go-w X".
 */
FILE *safefile_open(const char *path, char *err, size_t errlen);

/* Is name one plain file name that stays in its folder ("dark", "my-theme")? No '/', no
 * leading '.', no control characters, not empty */
bool safefile_name_valid(const char *name);

#endif
