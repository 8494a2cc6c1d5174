/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include <linecap/config.h>

void
lc_capture_conf_init(struct lc_capture_conf *conf)
{
	memset(conf, 0, sizeof(*conf));
	conf->tstamp_precision = LC_TSTAMP_NANO;
	conf->snaplen = LC_DEFAULT_SNAPLEN;
	conf->nb_queues = 1;
	strcpy(conf->lcores, "auto");
	strcpy(conf->format, "pcap");
	conf->direct_io = true;
	conf->flush_ms = 1000;
}
