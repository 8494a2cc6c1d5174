/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_REPLAY_FILE_SEQ_H
#define LINECAP_REPLAY_FILE_SEQ_H

#include <stdbool.h>

#include "reader/pcap_reader.h"
#include "replay/replay_scan.h"

/* Several -r files read as one sequence of packets, one file open at a time. */
struct lc_file_seq {
	const char *const *files;
	unsigned int nb_files;
	unsigned int cur; /* index of the open file */
	bool open;
	uint64_t empty; /* 0-byte records skipped */
	struct lc_pcap_reader rd;
};

/* Check every file (lc_replay_scan) and sum what they hold. 0 or -1 + err. */
int lc_file_seq_scan(const char *const *files, unsigned int nb_files, struct lc_replay_scan *sum,
		struct lc_error *err);

/* Open the first file. */
int lc_file_seq_open(struct lc_file_seq *s, const char *const *files, unsigned int nb_files,
		struct lc_error *err);

/*
 * The next packet: 1 (and *new_file = it is the first of its file), 0 after
 * the last packet of the last file, -1 with err set.
 */
int lc_file_seq_next(struct lc_file_seq *s, struct lc_pcap_record *rec, bool *new_file,
		struct lc_error *err);

/* Back to the first packet of the first file. */
int lc_file_seq_rewind(struct lc_file_seq *s, struct lc_error *err);

void lc_file_seq_close(struct lc_file_seq *s);

#endif
