/* SPDX-License-Identifier: BSD-3-Clause */
/* Several -r files as one sequence of packets, in the order given. */
#include <string.h>

#include "replay/file_seq.h"

int
lc_file_seq_scan(const char *const *files, unsigned int nb_files, struct lc_replay_scan *sum,
		struct lc_error *err)
{
	unsigned int i;

	memset(sum, 0, sizeof(*sum));
	for (i = 0; i < nb_files; i++) {
		struct lc_pcap_reader rd;
		struct lc_replay_scan s = {0};
		int ret = lc_pcap_reader_open(&rd, files[i], err);

		if (ret == 0)
			ret = lc_replay_scan(&rd, &s, err);
		lc_pcap_reader_close(&rd);
		if (ret < 0)
			return -1;
		sum->nb_records += s.nb_records;
		sum->nb_empty += s.nb_empty;
		sum->nb_segs += s.nb_segs;
		sum->bytes += s.bytes;
		if (s.truncated && !sum->truncated) {
			sum->truncated = true;
			sum->trunc_offset = s.trunc_offset;
		}
	}
	return 0;
}

static int
open_cur(struct lc_file_seq *s, struct lc_error *err)
{
	if (lc_pcap_reader_open(&s->rd, s->files[s->cur], err) < 0) {
		lc_pcap_reader_close(&s->rd);
		return -1;
	}
	s->open = true;
	return 0;
}

int
lc_file_seq_open(struct lc_file_seq *s, const char *const *files, unsigned int nb_files,
		struct lc_error *err)
{
	memset(s, 0, sizeof(*s));
	s->files = files;
	s->nb_files = nb_files;
	return open_cur(s, err);
}

int
lc_file_seq_next(struct lc_file_seq *s, struct lc_pcap_record *rec, bool *new_file,
		struct lc_error *err)
{
	*new_file = false;
	for (;;) {
		int ret;

		if (!s->open)
			return 0;
		ret = lc_pcap_reader_next(&s->rd, rec, true, err);
		if (ret == 1 && rec->caplen == 0) {
			s->empty++; /* a record without a frame: nothing to send */
			continue;
		}
		if (ret != 0)
			return ret;
		lc_pcap_reader_close(&s->rd);
		s->open = false;
		if (s->cur + 1 >= s->nb_files)
			return 0;
		s->cur++;
		if (open_cur(s, err) < 0)
			return -1;
		*new_file = true;
	}
}

int
lc_file_seq_rewind(struct lc_file_seq *s, struct lc_error *err)
{
	if (s->open && s->cur == 0)
		return lc_pcap_reader_rewind(&s->rd, err);
	if (s->open)
		lc_pcap_reader_close(&s->rd);
	s->open = false;
	s->cur = 0;
	return open_cur(s, err);
}

void
lc_file_seq_close(struct lc_file_seq *s)
{
	if (s->open)
		lc_pcap_reader_close(&s->rd);
	s->open = false;
}
