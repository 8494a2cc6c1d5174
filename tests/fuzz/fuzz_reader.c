/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target: the validating pcap/pcapng reader used by replay and repair
 * (strict, as repair reads, or as libpcap reads).
 * Every input must end in records, a clean end of file (perhaps with a
 * truncated tail), or an error that names the file and an offset inside it.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "reader/pcap_reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct lc_pcap_reader r;
	static char path[64];
	struct lc_pcap_record rec;
	struct lc_error err;
	unsigned int pass;
	FILE *f;
	int ret;

	if (path[0] == '\0')
		snprintf(path, sizeof(path), "/tmp/linecap-fuzz-reader-%d.pcap", (int)getpid());
	f = fopen(path, "wb");
	if (f == NULL || (size > 0 && fwrite(data, 1, size, f) != size) || fclose(f) != 0)
		abort();
	memset(&r, 0, sizeof(r));
	memset(&err, 0, sizeof(err));
	if (lc_pcap_reader_open(&r, path, &err) < 0) {
		if (strstr(err.msg, path) == NULL)
			abort(); /* an error must name the file */
		return 0;
	}
	/* Odd sizes are read strictly (repair's mode), even ones as libpcap reads them. */
	r.strict = (size & 1) != 0;
	/* Twice (with and without data), with a rewind between: as replay --loop. */
	for (pass = 0; pass < 2; pass++) {
		while ((ret = lc_pcap_reader_next(&r, &rec, pass == 0, &err)) == 1) {
			if ((r.strict && rec.caplen > rec.len) ||
					rec.caplen > LC_READER_MAX_CAPLEN ||
					rec.offset >= (r.zst.on ? r.file_size : size) ||
					(r.format == LC_FILE_PCAP && rec.caplen > r.snaplen))
				abort();
			if (pass == 0 && rec.caplen > 0)
				(void)(rec.data[0] + rec.data[rec.caplen - 1]);
		}
		if (ret < 0) {
			if (strstr(err.msg, path) == NULL || strstr(err.msg, "offset") == NULL)
				abort(); /* an error must name the file and the offset */
			break;
		}
		if (r.truncated && r.trunc_offset > (r.zst.on ? r.file_size : size))
			abort();
		if (lc_pcap_reader_rewind(&r, &err) < 0)
			break;
	}
	lc_pcap_reader_close(&r);
	return 0;
}
