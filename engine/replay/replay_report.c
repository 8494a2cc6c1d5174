/* SPDX-License-Identifier: BSD-3-Clause */
/* Replay summary (tcpreplay style), live line and JSON; main thread only. */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "replay/replay.h"
#include "stats/json.h"

static double
rate(double n, double s)
{
	return s > 0 ? n / s : 0;
}

bool
lc_replay_invariant_holds(const struct lc_replay_totals *t)
{
	return t->queued == t->sent + t->dropped;
}

void
lc_replay_report(FILE *f, const struct lc_replay_totals *t)
{
	double pps = rate((double)t->sent, t->seconds);
	double bps = rate((double)t->bytes * 8, t->seconds);

	fprintf(f, "Actual: %" PRIu64 " packets (%" PRIu64 " bytes) sent in %.6f seconds\n",
			t->sent, t->bytes, t->seconds);
	fprintf(f, "Rated: %.1f Bps, %.3f Mbps, %.2f pps (%.3f Mpps, %.3f Gbps)\n", bps / 8,
			bps / 1e6, pps, pps / 1e6, bps / 1e9);
	if (t->requested_pps > 0)
		fprintf(f, "Requested: %.2f pps, achieved %.2f%%\n", t->requested_pps,
				100.0 * pps / t->requested_pps);
	else if (t->requested_mbps > 0)
		fprintf(f, "Requested: %.3f Mbps, achieved %.2f%%\n", t->requested_mbps,
				100.0 * bps / 1e6 / t->requested_mbps);
	else
		fprintf(f, "Requested: top speed\n");
	fprintf(f, "%" PRIu64 " packets read from %s%s (%" PRIu64 " per pass)\n", t->queued,
			t->path, t->nb_files > 1 ? " and the other -r files" : "", t->file_records);
	fprintf(f, "%" PRIu64 " packets sent on %s (%s, %u tx queue%s)\n", t->sent, t->dev,
			t->driver, t->nb_txq, t->nb_txq > 1 ? "s" : "");
	fprintf(f, "%" PRIu64 " packets dropped (read, not sent)\n", t->dropped);
	if (t->empty != 0)
		fprintf(f, "%" PRIu64 " records of 0 bytes skipped (no frame to send)\n", t->empty);
	fprintf(f, "%" PRIu64 " partial sends retried (tx queue full)\n", t->retries);
	if (!lc_replay_invariant_holds(t))
		fprintf(f, "linecap: BUG: read %" PRIu64 " != sent + dropped %" PRIu64 "\n",
				t->queued, t->sent + t->dropped);
}

void
lc_replay_report_live(FILE *f, const struct lc_replay_totals *now, struct lc_replay_totals *prev,
		double dt, bool tty)
{
	if (dt <= 0)
		dt = 1;
	fprintf(f, "%s%" PRIu64 " packets sent, %.3f Mpps, %.3f Gbps, %" PRIu64 " dropped%s",
			tty ? "\r\033[K" : "", now->sent,
			(double)(now->sent - prev->sent) / dt / 1e6,
			(double)(now->bytes - prev->bytes) * 8 / dt / 1e9, now->dropped,
			tty ? "" : "\n");
	fflush(f);
	*prev = *now;
}

int
lc_replay_report_json(const char *path, const struct lc_replay_totals *t, struct lc_error *err)
{
	FILE *f = fopen(path, "w");
	double pps = rate((double)t->sent, t->seconds);
	double mbps = rate((double)t->bytes * 8 / 1e6, t->seconds);

	if (f == NULL)
		return lc_error_set(
				err, LC_ERR_OUTPUT, "cannot write '%s': %s", path, strerror(errno));
	fprintf(f, "{\n  \"version\": 1,\n  \"command\": \"replay\",\n  ");
	lc_json_kv_str(f, "file", t->path, ",\n  ");
	lc_json_kv_str(f, "device", t->dev, ",\n  ");
	lc_json_kv_str(f, "driver", t->driver, ",\n  ");
	fprintf(f, "\"tx_queues\": %u,\n  \"duration_s\": %.6f,\n", t->nb_txq, t->seconds);
	fprintf(f,
			"  \"totals\": {\"read\": %" PRIu64 ", \"sent\": %" PRIu64
			", \"bytes_sent\": %" PRIu64 ", \"dropped\": %" PRIu64
			", \"tx_retries\": %" PRIu64 ", \"skipped_empty\": %" PRIu64 "},\n",
			t->queued, t->sent, t->bytes, t->dropped, t->retries, t->empty);
	if (t->max_late_us > 0 && (t->requested_pps > 0 || t->requested_mbps > 0))
		fprintf(f,
				"  \"schedule\": {\"max_late_us\": %.1f, \"late_sends_over_50us\": "
				"%" PRIu64 "},\n",
				t->max_late_us, t->late_sends);
	fprintf(f, "  \"file_records\": %" PRIu64 ",\n  \"truncated\": %s,\n", t->file_records,
			t->truncated ? "true" : "false");
	if (t->truncated)
		fprintf(f, "  \"truncated_at\": %" PRIu64 ",\n", t->trunc_offset);
	fprintf(f, "  \"rate\": {\"pps\": %.3f, \"mbps\": %.3f, ", pps, mbps);
	if (t->requested_pps > 0)
		fprintf(f, "\"requested_pps\": %.3f, \"requested_mbps\": null}", t->requested_pps);
	else if (t->requested_mbps > 0)
		fprintf(f, "\"requested_pps\": null, \"requested_mbps\": %.3f}", t->requested_mbps);
	else
		fprintf(f, "\"requested_pps\": null, \"requested_mbps\": null}");
	fprintf(f, ",\n  \"invariant_ok\": %s\n}\n",
			lc_replay_invariant_holds(t) ? "true" : "false");
	if (fclose(f) != 0)
		return lc_error_set(
				err, LC_ERR_OUTPUT, "cannot write '%s': %s", path, strerror(errno));
	return 0;
}
