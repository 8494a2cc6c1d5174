/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_PMD_PROFILE_PRIV_H
#define LINECAP_PMD_PROFILE_PRIV_H

/*
 * Inside the pmd-config loader: pmd_profile.c (which file), pmd_profile_parse.c
 * (the file's lines and sections) and pmd_profile_keys.c (the keys and their
 * values).
 */
#include <stddef.h>
#include <stdint.h>

#include <linecap/error.h>
#include <linecap/pmd_profile.h>

struct name_val {
	const char *name;
	uint64_t val;
};

enum key_type {
	KEY_TEXT,      /* free text (description: not used; caveat: kept) */
	KEY_UINT,      /* integer min..max */
	KEY_POW2,      /* power of two min..max */
	KEY_AUTO_UINT, /* "auto" (stored as 0) or integer min..max */
	KEY_ENUM,      /* exactly one name of `names` */
	KEY_FLAGS,     /* "none" or a comma-separated list of names of `names` */
	KEY_OFFLOADS,  /* "none" or a list of RTE_ETH_RX_OFFLOAD_* names */
};

enum key_id {
	ID_DESCRIPTION,
	ID_CAVEAT,
	ID_RX_DESC,
	ID_BURST,
	ID_RING_SIZE,
	ID_POOL_SIZE,
	ID_CACHE,
	ID_DATA_ROOM,
	ID_RSS_MODE,
	ID_RSS_HASH,
	ID_RX_OFFLOADS,
	ID_HW_TIMESTAMP,
	ID_COUNTERS,
};

struct key_def {
	const char *section;
	const char *name;
	enum key_id id;
	enum key_type type;
	uint64_t min;
	uint64_t max;
	const struct name_val *names;
};

/* Strip leading and trailing white space in place. */
char *lc_pmdp_trim(char *s);

/* The key `name` of [section], or NULL. */
const struct key_def *lc_pmdp_find_key(const char *section, const char *name);

/* Index of a known section (< 64), or -1. */
int lc_pmdp_find_section(const char *name);

/* The keys of `section` as "a, b, c". */
void lc_pmdp_section_keys(const char *section, char *buf, size_t len);

/* What a valid value of `k` looks like, e.g. "an integer 32..32768". */
void lc_pmdp_describe(const struct key_def *k, char *buf, size_t len);

/*
 * Parse `val` as key `k`: 0 with *v set, -1 if malformed, -2 with the
 * offending list item in `bad` (empty if the item is empty).
 */
int lc_pmdp_parse_value(
		const struct key_def *k, const char *val, uint64_t *v, char *bad, size_t len);

/* Store a parsed value of key `id` in `p` (text keys: nothing). */
void lc_pmdp_store(struct lc_pmd_profile *p, enum key_id id, uint64_t v);

/* Read and check p->path into `p` (defaults already set). 0 or -1 with err. */
int lc_pmdp_parse_file(struct lc_pmd_profile *p, struct lc_error *err);

#endif
