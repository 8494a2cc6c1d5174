/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `linecap query -r DIR|FILE... [--since T] [--until T] [-w OUT|-]
 * [-F pcap|pcapng] [--max-mbps N] [--priority low|idle|normal] [-v] [EXPR]`:
 * a file tool (no EAL).
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/opts.h"
#include "cli/supervise.h"
#include "query/query.h"
#include "query/timearg.h"

#define MAX_INPUTS 1024
#define EXPR_MAX 8192

struct query_cli {
	char *inputs[MAX_INPUTS];
	unsigned int nb_inputs;
	char since[128], until[128];
	char out[4096];
	int pcapng;
	double max_mbps;
	bool verbose;
	char expr[EXPR_MAX];
	char s3_endpoint[256];	   /* -r s3://...: the object store */
	char s3_credentials[4096]; /* AWS_* KEY=VALUE file, "" = the environment */
	int priority;		   /* enum lc_query_priority */
};

#define QC(f) .off = offsetof(struct query_cli, f), .size = sizeof(((struct query_cli *)0)->f)
#define OPT(s, l, t) .short_name = (s), .long_name = (l), .type = (t)

static int
opt_read(const struct lc_opt *o, void *base, const char *val, struct lc_error *err)
{
	struct query_cli *qc = base;

	(void)o;
	if (val[0] == '\0')
		return lc_error_set(err, LC_ERR_USAGE, "-r: empty name");
	if (qc->nb_inputs >= MAX_INPUTS)
		return lc_error_set(err, LC_ERR_USAGE, "-r: at most %d inputs", MAX_INPUTS);
	qc->inputs[qc->nb_inputs++] = (char *)(uintptr_t)val;
	return 0;
}

static const struct lc_opt_name formats[] = {{"pcap", 0}, {"pcapng", 1}, {NULL, 0}};
static const struct lc_opt_name priorities[] = {{"low", LC_QUERY_PRIO_LOW},
		{"idle", LC_QUERY_PRIO_IDLE}, {"normal", LC_QUERY_PRIO_NORMAL}, {NULL, 0}};

static const struct lc_opt query_opts[] = {
		{OPT('r', "read", LC_OPT_FUNC), .fn = opt_read},
		{OPT(0, "since", LC_OPT_STR), QC(since), .bad = "bad time"},
		{OPT(0, "until", LC_OPT_STR), QC(until), .bad = "bad time"},
		{OPT('w', "write", LC_OPT_STR), QC(out), .bad = "bad file name"},
		{OPT('F', NULL, LC_OPT_ENUM), QC(pcapng), .names = formats},
		{OPT(0, "max-mbps", LC_OPT_NUM), QC(max_mbps), .fmin = 0.001, .fmax = 1e7},
		{OPT('v', "verbose", LC_OPT_FLAG), QC(verbose), .min = true},
		{OPT(0, "help", LC_OPT_HELP)},
		{OPT(0, "s3-endpoint", LC_OPT_STR), QC(s3_endpoint), .bad = "expected a URL"},
		{OPT(0, "s3-credentials", LC_OPT_STR), QC(s3_credentials), .bad = "bad file name"},
		{OPT(0, "priority", LC_OPT_ENUM), QC(priority), .names = priorities},
};

static const struct lc_opt_cmd query_cmd = LC_OPT_CMD(query_opts, "query: ", " (see query --help)");

static void
note(void *arg, const char *line)
{
	(void)arg;
	fprintf(stderr, "linecap: query: %s\n", line);
}

static int
join_expr(struct query_cli *qc, int argc, char **argv, int words, struct lc_error *err)
{
	size_t n = 0;
	int i;

	for (i = words; i < argc; i++) {
		int w = snprintf(qc->expr + n, sizeof(qc->expr) - n, "%s%s", n ? " " : "", argv[i]);

		if (w < 0 || (size_t)w >= sizeof(qc->expr) - n)
			return lc_error_set(err, LC_ERR_USAGE, "query: expression too long");
		n += (size_t)w;
	}
	return 0;
}

static int
parse(int argc, char **argv, struct query_cli *qc, struct lc_query_conf *c, struct lc_error *err)
{
	struct timespec now;
	uint64_t now_ns;
	int ret, words;

	snprintf(qc->out, sizeof(qc->out), "-");
	ret = lc_opts_parse(&query_cmd, argc, argv, qc, &words, err);
	if (ret != LC_CLI_RUN)
		return ret;
	if (qc->nb_inputs == 0)
		return lc_error_set(err, LC_ERR_USAGE, "query: no input: give -r DIR or -r FILE");
	if (join_expr(qc, argc, argv, words, err) < 0)
		return -1;
	clock_gettime(CLOCK_REALTIME, &now);
	now_ns = (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
	c->have_since = qc->since[0] != '\0';
	c->have_until = qc->until[0] != '\0';
	if (c->have_since && lc_time_parse(qc->since, now_ns, &c->since_ns) < 0)
		return lc_error_set(err, LC_ERR_USAGE,
				"--since: bad time '%s' (RFC 3339, -15m, or epoch seconds)",
				qc->since);
	if (c->have_until && lc_time_parse(qc->until, now_ns, &c->until_ns) < 0)
		return lc_error_set(err, LC_ERR_USAGE,
				"--until: bad time '%s' (RFC 3339, -15m, or epoch seconds)",
				qc->until);
	if (c->have_since && c->have_until && c->until_ns <= c->since_ns)
		return lc_error_set(err, LC_ERR_USAGE, "--until must be later than --since");
	if (strcmp(qc->out, "-") == 0 && isatty(STDOUT_FILENO))
		return lc_error_set(err, LC_ERR_USAGE,
				"query: not writing packets to a terminal: give -w FILE or pipe "
				"into tcpdump -r -");
	c->inputs = qc->inputs;
	c->nb_inputs = qc->nb_inputs;
	c->expr = qc->expr;
	c->out_path = qc->out;
	c->pcapng = qc->pcapng != 0;
	c->max_mbps = qc->max_mbps;
	c->verbose = qc->verbose;
	c->note = note;
	c->s3_endpoint = qc->s3_endpoint;
	c->s3_credentials = qc->s3_credentials;
	c->priority = (enum lc_query_priority)qc->priority;
	return LC_CLI_RUN;
}

int
lc_cmd_query(int argc, char **argv)
{
	static struct query_cli qc; /* large: off the stack */
	struct lc_query_conf c;
	struct lc_query_stats st;
	struct lc_error err = {0};
	int ret;

	memset(&qc, 0, sizeof(qc));
	memset(&c, 0, sizeof(c));
	ret = parse(argc, argv, &qc, &c, &err);
	if (ret == LC_CLI_HELP) {
		lc_cli_query_usage(stdout);
		return 0;
	}
	if (ret < 0 || lc_query_run(&c, &st, &err) < 0)
		return lc_cli_fail(&err);
	if (qc.verbose)
		fprintf(stderr,
				"linecap: query: %u files (%u indexed, %u skipped), %" PRIu64
				" of %" PRIu64 " units, read %" PRIu64 " of %" PRIu64
				" bytes, %" PRIu64 " packets read, %" PRIu64 " written%s\n",
				st.files, st.files_indexed, st.files_skipped, st.units_visited,
				st.units, st.bytes_read, st.bytes_total, st.packets_read,
				st.packets_out, st.narrowed ? " (keys narrowed)" : "");
	return 0;
}
