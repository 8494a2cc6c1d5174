/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * /healthz: is the capture making progress? Judged at each request from the
 * totals and what the previous requests saw (the endpoint's thread only).
 *   - stalled: packets keep arriving and are not lost to write errors
 *     (received - filtered - write_errors grows) but `written` has not
 *     changed for LC_HEALTH_STALL_S (a stuck writer, every packet at the ring);
 *   - writes failing: `write_errors` grew between every check for
 *     LC_HEALTH_WRITE_ERR_S (a failed medium, a full disk with --on-disk-full drop).
 */
#include <inttypes.h>
#include <stdio.h>

#include "stats/metrics_priv.h"

bool
lc_health_check(struct lc_health *h, const struct lc_totals *t, double now, char *why, size_t len)
{
	uint64_t accepted = t->received - t->filtered - t->write_errors;
	bool ok = true;

	if (!h->init) {
		h->init = true;
		h->written = t->written;
		h->t_written = now;
		h->accepted_at = accepted;
		h->write_errors = t->write_errors;
		h->err_since = 0;
		h->t_prev = now;
		return true;
	}
	if (t->written != h->written) {
		h->written = t->written;
		h->t_written = now;
		h->accepted_at = accepted;
	} else if (accepted > h->accepted_at && now - h->t_written > LC_HEALTH_STALL_S) {
		snprintf(why, len, "stalled: %" PRIu64 " packets received, none written for %.0f s",
				accepted - h->accepted_at, now - h->t_written);
		ok = false;
	}
	if (t->write_errors > h->write_errors) {
		if (h->err_since == 0)
			h->err_since = h->t_prev;
		h->write_errors = t->write_errors;
	} else {
		h->err_since = 0;
	}
	if (ok && h->err_since != 0 && now - h->err_since > LC_HEALTH_WRITE_ERR_S) {
		snprintf(why, len, "writes failing for %.0f s (%" PRIu64 " packets lost)",
				now - h->err_since, t->write_errors);
		ok = false;
	}
	h->t_prev = now;
	return ok;
}
