/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The stats view handed to readers on other threads (telemetry; later a
 * metrics endpoint), safe against engine teardown: the engine publishes its
 * view, readers enter and leave around each use, and retraction withdraws
 * the view and then waits until no reader is left inside, so the engine frees
 * it only once nobody can still be reading it.
 *
 * Control plane only: the lock is taken by readers (a telemetry request) and
 * by the main lcore at publish and retract, never by the data path, which
 * only writes its counters.
 */
#include <errno.h>
#include <pthread.h>
#include <stddef.h>

#include <linecap/stats_view.h>

static pthread_mutex_t pub_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pub_idle = PTHREAD_COND_INITIALIZER;
static const struct lc_stats_view *pub_view; /* under pub_lock */
static unsigned int pub_readers;	     /* readers inside, under pub_lock */

int
lc_stats_publish(const struct lc_stats_view *v)
{
	int ret = 0;

	pthread_mutex_lock(&pub_lock);
	if (pub_view != NULL && pub_view != v)
		ret = -EBUSY;
	else
		pub_view = v;
	pthread_mutex_unlock(&pub_lock);
	return ret;
}

void
lc_stats_retract(const struct lc_stats_view *v)
{
	pthread_mutex_lock(&pub_lock);
	if (pub_view == v)
		pub_view = NULL;
	/* Readers that entered before: wait until every one has left. */
	while (pub_readers != 0)
		pthread_cond_wait(&pub_idle, &pub_lock);
	pthread_mutex_unlock(&pub_lock);
}

const struct lc_stats_view *
lc_stats_enter(void)
{
	const struct lc_stats_view *v;

	pthread_mutex_lock(&pub_lock);
	v = pub_view;
	if (v != NULL)
		pub_readers++;
	pthread_mutex_unlock(&pub_lock);
	return v;
}

void
lc_stats_leave(void)
{
	pthread_mutex_lock(&pub_lock);
	if (pub_readers > 0 && --pub_readers == 0)
		pthread_cond_broadcast(&pub_idle);
	pthread_mutex_unlock(&pub_lock);
}
