/* SPDX-License-Identifier: BSD-3-Clause */
/* Transmit schedule: due times from --speed, --pps, --mbps or --topspeed. */
#include "replay/pace.h"

void
lc_pace_init(struct lc_pacer *p, const struct lc_replay_conf *c)
{
	*p = (struct lc_pacer){.mode = c->mode};
	p->ns_per_file_ns = c->speed > 0 ? 1.0 / c->speed : 1.0;
	p->ns_per_pkt = c->pps > 0 ? 1e9 / c->pps : 0;
	p->ns_per_byte = c->mbps > 0 ? 8e3 / c->mbps : 0;
}

uint64_t
lc_pace_next(struct lc_pacer *p, uint64_t ts_ns, uint32_t bytes)
{
	uint64_t due = 0;

	switch (p->mode) {
	case LC_PACE_ORIGINAL:
		if (!p->started) {
			p->first_ts = ts_ns;
			p->started = true;
		}
		due = p->base;
		if (ts_ns > p->first_ts)
			due += (uint64_t)((double)(ts_ns - p->first_ts) * p->ns_per_file_ns);
		break;
	case LC_PACE_PPS:
		due = (uint64_t)((double)p->seq * p->ns_per_pkt);
		break;
	case LC_PACE_MBPS:
		due = (uint64_t)((double)p->bytes * p->ns_per_byte);
		break;
	case LC_PACE_TOPSPEED:
		break;
	}
	if (due < p->last)
		due = p->last; /* the file went back in time: send at once */
	p->last = due;
	p->seq++;
	p->bytes += bytes;
	return due;
}

void
lc_pace_new_pass(struct lc_pacer *p)
{
	p->base = p->last;
	p->started = false;
}

uint64_t
lc_pace_pass_span(const struct lc_pacer *p)
{
	switch (p->mode) {
	case LC_PACE_PPS:
		return (uint64_t)((double)p->seq * p->ns_per_pkt);
	case LC_PACE_MBPS:
		return (uint64_t)((double)p->bytes * p->ns_per_byte);
	default:
		return p->last;
	}
}
