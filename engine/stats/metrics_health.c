/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * /healthz: is the capture making progress? Judged at each request from the
 * view and what the previous requests saw (the endpoint's thread only).
 *   - stalled: packets keep arriving and are not lost to write errors
 *     (received - filtered - write_errors grows) but `written` has not
 *     changed for LC_HEALTH_STALL_S (a stuck writer, every packet at the ring);
 *   - writes failing: `write_errors` or the refused block writes (a failed
 *     block is retried every 100 ms, so they grow with no traffic too) grew
 *     between every check for LC_HEALTH_WRITE_ERR_S (a failed medium, a full
 *     disk with --on-disk-full drop); healthy again at the first check after
 *     the writes succeed;
 *   - disk budget: retention's last pass could not delete enough to keep
 *     --max-disk / --min-free (files it may not delete, another program's
 *     files), continuously for LC_HEALTH_BUDGET_S.
 */
#include <inttypes.h>
#include <stdio.h>

#include "stats/metrics_priv.h"

void
lc_health_read(const struct lc_stats_view *v, struct lc_health_in *in)
{
	unsigned int w;

	lc_stats_totals(v, &in->t);
	in->write_failures = 0;
	for (w = 0; w < v->nb_writers; w++)
		if (v->writers[w].bw != NULL)
			in->write_failures += lc_counter_read(&v->writers[w].bw->failed);
	in->over_bytes = v->retention.on ? lc_counter_read(&v->retention.cnt->over_bytes) : 0;
}

/* Writes failing, continuously for too long: the reason in `why`. */
static bool
writes_ok(struct lc_health *h, const struct lc_health_in *in, double now, char *why, size_t len)
{
	const struct lc_totals *t = &in->t;

	if (t->write_errors > h->write_errors || in->write_failures > h->failures) {
		if (h->err_since == 0)
			h->err_since = h->t_prev;
		h->write_errors = t->write_errors;
		h->failures = in->write_failures;
	} else {
		h->err_since = 0;
	}
	if (h->err_since == 0 || now - h->err_since <= LC_HEALTH_WRITE_ERR_S)
		return true;
	snprintf(why, len,
			"writes failing for %.0f s (%" PRIu64 " packets lost, %" PRIu64
			" block writes refused)",
			now - h->err_since, t->write_errors, in->write_failures);
	return false;
}

static bool
budget_ok(struct lc_health *h, const struct lc_health_in *in, double now, char *why, size_t len)
{
	if (in->over_bytes == 0) {
		h->over_since = 0;
		return true;
	}
	if (h->over_since == 0)
		h->over_since = now;
	if (now - h->over_since <= LC_HEALTH_BUDGET_S)
		return true;
	snprintf(why, len,
			"disk budget exceeded for %.0f s: %" PRIu64
			" bytes over that retention cannot delete",
			now - h->over_since, in->over_bytes);
	return false;
}

bool
lc_health_check(struct lc_health *h, const struct lc_health_in *in, double now, char *why,
		size_t len)
{
	const struct lc_totals *t = &in->t;
	uint64_t accepted = t->received - t->filtered - t->write_errors;
	char spare[160] = ""; /* a later reason, not shown */
	bool ok = true;

	if (!h->init) {
		h->init = true;
		h->written = t->written;
		h->t_written = now;
		h->accepted_at = accepted;
		h->write_errors = t->write_errors;
		h->failures = in->write_failures;
		h->err_since = 0;
		h->over_since = in->over_bytes != 0 ? now : 0;
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
	/* Each check updates its state whatever the others say; the first reason is kept. */
	if (!writes_ok(h, in, now, ok ? why : spare, ok ? len : sizeof(spare)))
		ok = false;
	if (!budget_ok(h, in, now, ok ? why : spare, ok ? len : sizeof(spare)))
		ok = false;
	h->t_prev = now;
	return ok;
}
