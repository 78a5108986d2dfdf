// SPDX-License-Identifier: GPL-2.0
/*
 * core/hash_index.c: the open-addressing index of hash_index.h. Linear probing in a table
 * of a power-of-two size, kept at most half full; callers rebuild it rather than delete.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hash_index.h"

uint64_t hash_text(uint64_t tag, const char *s)
{
	uint64_t h = HASH_FNV_START;

	while (*s)
		h = hash_fnv_step(h, (unsigned char)*s++);
	return hash_mix(h ^ tag);
}

void hash_index_clear(struct hash_index *ix)
{
	if (ix->keys)
		memset(ix->keys, 0, ix->size * sizeof(*ix->keys));
	ix->count = 0;
}

void hash_index_free(struct hash_index *ix)
{
	free(ix->keys);
	free(ix->vals);
	*ix = (struct hash_index){ 0 };
}

static void hash_index_insert(struct hash_index *ix, uint64_t key, uint32_t val)
{
	size_t slot = key & (ix->size - 1);

	while (ix->keys[slot])
		slot = (slot + 1) & (ix->size - 1);
	ix->keys[slot] = key;
	ix->vals[slot] = val;
	ix->count++;
}

/* key is already mixed (non-zero); kept at most half full */
int hash_index_put(struct hash_index *ix, uint64_t key, uint32_t val)
{
	if ((ix->count + 1) * 2 > ix->size) {
		struct hash_index bigger = { 0 };

		bigger.size = ix->size ? ix->size * 2 : 64;
		bigger.keys = calloc(bigger.size, sizeof(*bigger.keys));
		bigger.vals = malloc(bigger.size * sizeof(*bigger.vals));
		if (!bigger.keys || !bigger.vals) {
			hash_index_free(&bigger);
			return -ENOMEM;
		}
		for (size_t i = 0; i < ix->size; i++)
			if (ix->keys[i])
				hash_index_insert(&bigger, ix->keys[i], ix->vals[i]);
		hash_index_free(ix);
		*ix = bigger;
	}
	hash_index_insert(ix, key, val);
	return 0;
}

bool hash_index_next(const struct hash_index *ix, uint64_t key, size_t *slot, uint32_t *val)
{
	size_t i;

	if (!ix->size)
		return false;
	i = *slot == SIZE_MAX ? key & (ix->size - 1) : (*slot + 1) & (ix->size - 1);
	for (; ix->keys[i]; i = (i + 1) & (ix->size - 1)) {
		if (ix->keys[i] == key) {
			*slot = i;
			*val = ix->vals[i];
			return true;
		}
	}
	return false;
}
