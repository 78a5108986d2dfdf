/* SPDX-License-Identifier: GPL-2.0 */
/*
 * core/hash_index.h: a small open-addressing index from 64-bit hashes to 32-bit values
 * (positions in the caller's own array), and the hashes its keys are made of.
 *
 * It is a multimap: several values may sit under one hash, so callers check what they
 * find. Key 0 marks a free slot; hash_mix never returns it.
 */
#ifndef KTOP_CORE_HASH_INDEX_H
#define KTOP_CORE_HASH_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hash_index {
	uint64_t *keys;
	uint32_t *vals;
	size_t size, count;
};

/* FNV-1a, carried one byte at a time (a lookup may hash a path prefix by prefix) */
#define HASH_FNV_START 1469598103934665603ULL

static inline uint64_t hash_fnv_step(uint64_t h, unsigned char c)
{
	return (h ^ c) * 1099511628211ULL;
}

/* The last step of every key: spreads the bits, and is never 0 */
static inline uint64_t hash_mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h ? h : 1; /* 0 marks a free slot */
}

/* A key for text s; tag tells apart texts of different kinds */
uint64_t hash_text(uint64_t tag, const char *s);

/* Empty it, keeping its memory */
void hash_index_clear(struct hash_index *ix);
void hash_index_free(struct hash_index *ix);
/* Add val under key (a hash_mix result); 0 or -ENOMEM */
int hash_index_put(struct hash_index *ix, uint64_t key, uint32_t val);
/* The values stored under key, one per call: *slot starts at SIZE_MAX; false at the end */
bool hash_index_next(const struct hash_index *ix, uint64_t key, size_t *slot, uint32_t *val);

#endif
