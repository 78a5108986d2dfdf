// SPDX-License-Identifier: GPL-2.0
/* core/safefile.c: refuse config and theme files another user could have written. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "safefile.h"

/* root, the user running ktop, and the user sudo ran it for */
static bool owner_trusted(uid_t uid)
{
	const char *sudo_uid = getenv("SUDO_UID");
	char *end;
	unsigned long v;

	if (uid == 0 || uid == getuid() || uid == geteuid())
		return true;
	if (!sudo_uid || !*sudo_uid)
		return false;
	errno = 0;
	v = strtoul(sudo_uid, &end, 10);
	return !errno && !*end && v == uid;
}

/* NULL when st is safe, else why not */
static const char *unsafe_reason(const struct stat *st, bool dir)
{
	if (!owner_trusted(st->st_uid))
		return "owned by another user";
	if (dir && (st->st_mode & S_ISVTX))
		return NULL;
	if (st->st_mode & S_IWOTH)
		return "writable by every user";
	if (st->st_mode & S_IWGRP)
		return "writable by its group";
	return NULL;
}

static int refuse(const char *path, const char *what, const char *reason, const struct stat *st,
		  char *err, size_t errlen)
{
	snprintf(err, errlen, "%s: refusing to read it as %s: %s%s is %s (owner uid %u, mode "
		 "%04o); make it owned by root or you and writable only by its owner "
		 "(chmod go-w %s)", path, geteuid() == 0 ? "root" : "this user",
		 what[0] ? "the directory " : "", what[0] ? what : "it", reason,
		 (unsigned int)st->st_uid, (unsigned int)(st->st_mode & 07777),
		 what[0] ? what : path);
	return -EPERM;
}

/* Every directory from the file's up to /, after resolving symbolic links */
static int check_parents(const char *path, char *err, size_t errlen)
{
	char *real = realpath(path, NULL), *slash;
	struct stat st;
	const char *why;
	int rc = 0;

	if (!real) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return rc;
	}
	while ((slash = strrchr(real, '/'))) {
		if (slash == real)
			slash[1] = '\0'; /* the root directory itself */
		else
			*slash = '\0';
		if (stat(real, &st) < 0) {
			rc = -errno;
			snprintf(err, errlen, "%s: %s: %s", path, real, strerror(errno));
			break;
		}
		why = unsafe_reason(&st, true);
		if (why) {
			rc = refuse(path, real, why, &st, err, errlen);
			break;
		}
		if (slash == real)
			break;
	}
	free(real);
	return rc;
}

FILE *safefile_open(const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK), rc;
	struct stat st;
	const char *why;
	FILE *f;

	if (fd < 0) {
		rc = errno;
		snprintf(err, errlen, "%s: %s", path, strerror(rc));
		errno = rc;
		return NULL;
	}
	/* the file itself by the descriptor read from: it cannot be swapped after the check */
	if (fstat(fd, &st) < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-rc));
	} else if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		rc = -EINVAL;
	} else if ((why = unsafe_reason(&st, false))) {
		rc = refuse(path, "", why, &st, err, errlen);
	} else {
		rc = check_parents(path, err, errlen);
	}
	if (rc == 0 && (f = fdopen(fd, "r")))
		return f;
	if (rc == 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-rc));
	}
	close(fd);
	errno = -rc;
	return NULL;
}

bool safefile_name_valid(const char *name)
{
	if (!name || !*name || name[0] == '.' || strlen(name) > NAME_MAX)
		return false;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		if (*p == '/' || *p < 0x20 || *p == 0x7f)
			return false;
	return true;
}
