/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * linecap repair FILE...: make a capture file that was cut short (kill -9,
 * power loss, full disk) readable again. The file is read with the replay
 * path's validating reader; it is cut back to the end of its last complete
 * record, so every packet that was whole on disk is kept and nothing else.
 *
 * What counts as the end of the good part:
 *  - a record that runs past the end of the file (the reader's truncated tail);
 *  - the first record the reader rejects (a torn write);
 *  - the first record with a wire length of 0: linecap never writes one, and
 *    a run of zeros is what a block leaves when a later block reached the
 *    disk before it (O_DIRECT writes complete out of order).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/repair.h"
#include "reader/pcap_reader.h"

/* Scan `path`: packets whole on disk and the offset where they end. */
static int
scan(const char *path, uint64_t *good_end, uint64_t *packets, uint64_t *size, const char **why,
		struct lc_zst_info *zi, struct lc_error *err)
{
	static struct lc_pcap_reader r; /* large: keep it off the stack */
	struct lc_pcap_record rec;
	struct lc_error rec_err;
	int ret;

	memset(&r, 0, sizeof(r));
	if (lc_pcap_reader_open(&r, path, err) < 0)
		return -1; /* no valid file header: nothing to keep */
	r.strict = true;   /* our own files: a record libpcap would forgive marks garbage */
	*size = r.file_size;
	*zi = r.zst;
	*packets = 0;
	*why = NULL;
	*good_end = r.offset;
	for (;;) {
		uint64_t before = r.offset;

		ret = lc_pcap_reader_next(&r, &rec, false, &rec_err);
		if (ret == 1 && rec.len == 0) {
			*good_end = rec.offset;
			*why = "a zero-length record (a block that never reached the disk)";
			break;
		}
		if (ret == 1) {
			(*packets)++;
			*good_end = r.offset;
			continue;
		}
		if (ret == 0) {
			if (r.truncated) {
				*good_end = r.trunc_offset;
				*why = "a record cut short by the end of the file";
			} else {
				/* Complete trailing blocks (pcapng ISB, ...) stay. */
				*good_end = r.offset;
			}
			break;
		}
		*good_end = before;
		/* The reason outlives this frame in the caller's err. */
		snprintf(err->msg, sizeof(err->msg), "%s", rec_err.msg);
		*why = err->msg;
		break;
	}
	lc_pcap_reader_close(&r);
	return 0;
}

/* The decoded stream ends clean: every record whole, nothing after the last. */
static bool
stream_clean(const char *why, uint64_t good_end, uint64_t size)
{
	return why == NULL && good_end == size;
}

/*
 * A .zst file: cut it back to the end of its last whole frame before the
 * first one that is cut short or does not decode (linecap's frames hold
 * whole records, so that is the last whole record too).
 */
static int
repair_zst(FILE *out, const char *path, const struct lc_zst_info *zi, uint64_t packets,
		struct lc_error *err)
{
	uint64_t end, again_packets, size;
	struct lc_zst_info again;
	const char *why;

	if (zi->bad_frames == 0 && !zi->cut) {
		fprintf(out, "%s: %" PRIu64 " packets, nothing to repair\n", path, packets);
		return 0;
	}
	if (truncate(path, (off_t)zi->good_end) != 0)
		return lc_error_set(err, LC_ERR_OUTPUT, "%s: cannot truncate to %" PRIu64 ": %s",
				path, zi->good_end, strerror(errno));
	if (scan(path, &end, &again_packets, &size, &why, &again, err) < 0 ||
			!stream_clean(why, end, size) || again.bad_frames != 0 || again.cut)
		return lc_error_set(err, LC_ERR_INPUT,
				"%s: still not valid after cutting it to %" PRIu64 " bytes", path,
				zi->good_end);
	fprintf(out,
			"%s: kept %" PRIu64 " packets (%" PRIu64
			" bytes of zstd frames), cut %" PRIu64 " bytes from offset %" PRIu64
			": %s\n",
			path, again_packets, zi->good_end, zi->raw_size - zi->good_end,
			zi->good_end,
			zi->bad_frames ? "a zstd frame that does not decode"
				       : "a zstd frame cut short by the end of the file");
	return 1;
}

int
lc_repair_file(FILE *out, const char *path, struct lc_error *err)
{
	uint64_t good_end, packets, size, again_end, again_packets, again_size;
	struct lc_zst_info zi, again_zi;
	const char *why;
	char reason[512];

	err->msg[0] = '\0';
	if (scan(path, &good_end, &packets, &size, &why, &zi, err) < 0)
		return -1;
	if (zi.on && stream_clean(why, good_end, size))
		return repair_zst(out, path, &zi, packets, err);
	if (zi.on)
		return lc_error_set(err, LC_ERR_INPUT,
				"%s: its zstd frames decode, but not to whole records (%s): not "
				"repaired",
				path, why != NULL ? why : "trailing bytes");
	if (why == NULL && good_end == size) {
		fprintf(out, "%s: %" PRIu64 " packets, nothing to repair\n", path, packets);
		return 0;
	}
	snprintf(reason, sizeof(reason), "%s", why != NULL ? why : "trailing bytes");
	if (truncate(path, (off_t)good_end) != 0)
		return lc_error_set(err, LC_ERR_OUTPUT, "%s: cannot truncate to %" PRIu64 ": %s",
				path, good_end, strerror(errno));
	/* The result must read back clean, or we say so. */
	if (scan(path, &again_end, &again_packets, &again_size, &why, &again_zi, err) < 0 ||
			why != NULL || again_end != again_size || again_packets != packets)
		return lc_error_set(err, LC_ERR_INPUT,
				"%s: still not valid after cutting it to %" PRIu64 " bytes", path,
				good_end);
	fprintf(out,
			"%s: kept %" PRIu64 " packets (%" PRIu64 " bytes), cut %" PRIu64
			" bytes from offset %" PRIu64 ": %s\n",
			path, packets, good_end, size - good_end, good_end, reason);
	return 1;
}
