// SPDX-License-Identifier: GPL-2.0
/* core/intern.c: an open-addressing set of strings, bounded in size. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "intern.h"

#define INTERN_MAX (1u << 17) /* a soak with pid churn must not grow without bound */

static char **slots;
static size_t nslots, nused;

static uint64_t hash_bytes(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ull;
	}
	return h;
}

static int grow(void)
{
	size_t n = nslots ? nslots * 2 : 1024;
	char **fresh = calloc(n, sizeof(*fresh));

	if (!fresh)
		return -1;
	for (size_t i = 0; i < nslots; i++) {
		char *s = slots[i];
		size_t j;

		if (!s)
			continue;
		j = hash_bytes(s, strlen(s)) & (n - 1);
		while (fresh[j])
			j = (j + 1) & (n - 1);
		fresh[j] = s;
	}
	free(slots);
	slots = fresh;
	nslots = n;
	return 0;
}

const char *intern_n(const char *s, size_t len)
{
	size_t i;
	char *copy;

	if (!s)
		return NULL;
	if ((nused + 1) * 2 > nslots && (nused >= INTERN_MAX || grow() < 0))
		return "?";
	i = hash_bytes(s, len) & (nslots - 1);
	for (; slots[i]; i = (i + 1) & (nslots - 1))
		if (strncmp(slots[i], s, len) == 0 && slots[i][len] == '\0')
			return slots[i];
	copy = malloc(len + 1);
	if (!copy)
		return "?";
	memcpy(copy, s, len);
	copy[len] = '\0';
	slots[i] = copy;
	nused++;
	return copy;
}

const char *intern(const char *s)
{
	return s ? intern_n(s, strlen(s)) : NULL;
}

size_t intern_count(void)
{
	return nused;
}

void intern_free_all(void)
{
	for (size_t i = 0; i < nslots; i++)
		free(slots[i]);
	free(slots);
	slots = NULL;
	nslots = nused = 0;
}
