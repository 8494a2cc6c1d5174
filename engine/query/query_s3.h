/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_QUERY_QUERY_S3_H
#define LINECAP_QUERY_QUERY_S3_H

/*
 * `-r s3://BUCKET/PREFIX[/NODE]` (query_s3.c): the objects under the prefix
 * as local sparse files holding only what the query reads (header, index,
 * candidate units), added to the plan like local inputs.
 */

#include <stdbool.h>

#include <linecap/error.h>

struct query;

/* Is this input an S3 URL? */
bool lc_query_is_s3(const char *in);

/*
 * List, fetch and stage every capture object under the URL (after the
 * expression's keys are derived: q->narrow), adding each to the plan.
 * An object that cannot be fetched is skipped with a warning. 0, or -1
 * with err set (LC_ERR_USAGE: no --s3-endpoint or credentials;
 * LC_ERR_INPUT: the listing failed).
 */
int lc_query_s3_add(struct query *q, const char *url, struct lc_error *err);

/* Remove everything staged (after the merge). */
void lc_query_s3_cleanup(void);

#endif
