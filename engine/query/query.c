/* SPDX-License-Identifier: BSD-3-Clause */
/* lc_query_run: plan, open the output, merge, clean up (see query.h). */
#include <stdlib.h>
#include <string.h>

#include "query/query_priv.h"
#include "query/query_s3.h"

#define DLT_EN10MB_ 1

void
lc_query_free(struct query *q)
{
	unsigned int i;

	for (i = 0; i < q->nb_files; i++) {
		struct qfile *f = &q->files[i];

		if (f->r != NULL) {
			lc_pcap_reader_close(f->r);
			free(f->r);
		}
		lc_idx_free(&f->idx);
		free(f->cand);
		free(f->zcand);
		free(f->path);
	}
	free(q->files);
	q->files = NULL;
	q->nb_files = 0;
	if (q->have_prog)
		pcap_freecode(&q->prog);
	q->have_prog = false;
}

int
lc_query_run(const struct lc_query_conf *c, struct lc_query_stats *st, struct lc_error *err)
{
	struct query q;
	uint32_t linktype = DLT_EN10MB_;
	bool nano = false;
	unsigned int i;
	char why[256];
	int ret;

	memset(&q, 0, sizeof(q));
	memset(st, 0, sizeof(*st));
	q.c = c;
	q.st = st;
	if (lc_query_priority_apply(c->priority, why, sizeof(why)) < 0)
		lc_query_note(&q, true, "%s: running at the priority it has", why);
	ret = lc_query_plan(&q, err);
	for (i = 0; ret == 0 && i < q.nb_files; i++) {
		if (!q.files[i].has_packets)
			continue;
		linktype = q.files[i].linktype;
		nano = nano || q.files[i].nano;
	}
	if (ret == 0)
		ret = lc_qout_open(&q.out, c->out_path, c->pcapng, nano, linktype, err);
	if (ret == 0)
		ret = lc_query_merge(&q, err);
	if (q.out.f != NULL && lc_qout_close(&q.out, ret == 0 ? err : &(struct lc_error){0}) < 0)
		ret = -1;
	lc_query_free(&q);
	lc_query_s3_cleanup();
	return ret;
}
