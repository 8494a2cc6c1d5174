/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * --upload's link in the sealed-block hook chain: the index's callbacks run
 * first with their own arg, then a published file joins the upload queue and
 * a deleted one leaves it (rotation thread). The record tap and the rx summary
 * pass through unchanged.
 */
#include <stdbool.h>
#include <pthread.h>
#include <string.h>

#include "upload/upload.h"
#include "upload/upload_priv.h"

static void
hook_sealed(const struct lc_block_info *b, void *arg)
{
	struct lc_upload *u = arg;

	if (u->inner.sealed != NULL)
		u->inner.sealed(b, u->inner.arg);
}

static void
hook_published(unsigned int writer, const char *tmp, const char *name, void *arg)
{
	const char *base = strrchr(name, '/') != NULL ? strrchr(name, '/') + 1 : name;
	struct lc_upload *u = arg;

	if (u->inner.published != NULL)
		u->inner.published(writer, tmp, name, u->inner.arg);
	pthread_mutex_lock(&u->mu);
	lc_up_state_drop(&u->st, base); /* a new file, whatever an old one of its name was */
	lc_up_enqueue_locked(u, name);
	pthread_mutex_unlock(&u->mu);
}

static void
hook_deleted(unsigned int writer, const char *name, void *arg)
{
	struct lc_upload *u = arg;
	const char *base = strrchr(name, '/') != NULL ? strrchr(name, '/') + 1 : name;

	if (u->inner.deleted != NULL)
		u->inner.deleted(writer, name, u->inner.arg);
	pthread_mutex_lock(&u->mu);
	lc_up_state_drop(&u->st, base);
	lc_up_forget_locked(u, base, false);
	pthread_mutex_unlock(&u->mu);
}

/* The index's record tap and rx summary pass through with the index's own arg. */
static void
hook_record(const struct lc_record_info *r, void *arg)
{
	const struct lc_upload *u = arg;

	u->inner.record(r, u->inner.arg);
}

static bool
hook_summarise(const uint8_t *pkt, uint32_t caplen, void *out, void *arg)
{
	const struct lc_upload *u = arg;

	return u->inner.summarise(pkt, caplen, out, u->inner.arg);
}

void
lc_upload_hook(struct lc_upload *u, struct lc_block_hook *h)
{
	u->inner = *h;
	h->sealed = hook_sealed;
	h->published = hook_published;
	h->deleted = hook_deleted;
	h->record = u->inner.record != NULL ? hook_record : NULL;
	h->summarise = u->inner.summarise != NULL ? hook_summarise : NULL;
	h->arg = u;
}
