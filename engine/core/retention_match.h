/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_RETENTION_MATCH_H
#define LINECAP_RETENTION_MATCH_H

/*
 * "Could the rotation have made this file name?": a -w file name pattern
 * compiled into a matcher of the names core/rotate.c (final_name) produces,
 * so that retention deletes this capture's files and nothing else.
 */

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linecap/error.h>

struct lc_engine;

/* What the rotation appends to the name (final_name in core/rotate.c). */
enum lc_name_suffix {
	LC_SUFFIX_NONE,	 /* no -C */
	LC_SUFFIX_OPT,	 /* -C: nothing for the first file, then 1, 2, ... (no leading 0) */
	LC_SUFFIX_FIXED, /* -C -W without -G: always `width` digits */
};

struct lc_name_tok {
	uint8_t kind; /* a literal byte, a run of digits, or a run of any bytes */
	char c;
	uint8_t min, max; /* length of a run */
};

struct lc_name_matcher {
	struct lc_name_tok tok[NAME_MAX + 2];
	unsigned int nb;
};

/*
 * Compile the file name part of a -w pattern (%q already expanded). With
 * `strftime_on` (-G), each % conversion matches what strftime may write for
 * it (a run of digits of its width, or of any bytes); otherwise the name is
 * literal. 0, or -ENAMETOOLONG.
 */
int lc_name_matcher_compile(struct lc_name_matcher *m, const char *name, bool strftime_on,
		enum lc_name_suffix suffix, unsigned int width);

/* True if `name` (no directory) is one the pattern produces. */
bool lc_name_matcher_match(const struct lc_name_matcher *m, const char *name);

/*
 * Every writer's -w file name of `e` compiled once each into m[0..*nb_m)
 * (*nb_m starts at 0), and their one directory into `dir`. 0, or -1 with
 * err set (LC_ERR_USAGE: writers in several directories, a bad name).
 */
int lc_retention_patterns(const struct lc_engine *e, struct lc_name_matcher *m, unsigned int *nb_m,
		char *dir, size_t dir_len, struct lc_error *err);

#endif
