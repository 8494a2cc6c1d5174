/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * pmd-config files: the line checks rte_cfgfile does not make, then every
 * section and key of the file applied to a profile. Unknown sections and
 * keys are errors so that a typo cannot silently fall back to a default;
 * each problem is one LC_ERR_CONFIG line naming file, section and key.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cfgfile.h>
#include <rte_common.h>
#include <rte_ethdev.h>

#include "pmd_profile_priv.h"

/*
 * Line-level checks rte_cfgfile does not make: it silently skips a line with
 * neither '[' nor '=' (e.g. "burst 64"), so a typo would be ignored. Also
 * gives line numbers for what rte_cfgfile_load would only log.
 */
static int
check_lines(const char *path, struct lc_error *err)
{
	char line[CFG_NAME_LEN + CFG_VALUE_LEN + 4];
	unsigned int lineno = 0;
	bool in_section = false;
	char *s, *eq, *c;
	int ret = -1;
	size_t len;
	FILE *f;

	f = fopen(path, "r");
	if (f == NULL)
		return lc_error_set(err, LC_ERR_CONFIG, "%s: cannot open pmd-config profile: %s",
				path, strerror(errno));
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		len = strlen(line);
		if (len == sizeof(line) - 1 && line[len - 1] != '\n') {
			lc_error_set(err, LC_ERR_CONFIG, "%s:%u: line longer than %zu characters",
					path, lineno, sizeof(line) - 2);
			goto out;
		}
		/* same comment rule as rte_cfgfile: first ';' unless escaped */
		c = strchr(line, CFG_DEFAULT_COMMENT_CHARACTER);
		if (c != NULL && (c == line || c[-1] != '\\'))
			*c = '\0';
		s = lc_pmdp_trim(line);
		if (s[0] == '\0')
			continue;
		if (s[0] == '[') {
			if (s[strlen(s) - 1] != ']') {
				lc_error_set(err, LC_ERR_CONFIG,
						"%s:%u: \"%s\": expected \"[section]\"", path,
						lineno, s);
				goto out;
			}
			in_section = true;
			continue;
		}
		eq = strchr(s, '=');
		if (eq == NULL) {
			lc_error_set(err, LC_ERR_CONFIG,
					"%s:%u: \"%s\": expected \"[section]\" or \"key = value\" "
					"(comments start with ';')",
					path, lineno, s);
			goto out;
		}
		if (!in_section) {
			lc_error_set(err, LC_ERR_CONFIG, "%s:%u: \"%s\": key outside any [section]",
					path, lineno, s);
			goto out;
		}
		if (eq == s) {
			lc_error_set(err, LC_ERR_CONFIG, "%s:%u: \"%s\": missing key before '='",
					path, lineno, s);
			goto out;
		}
		if (strlen(lc_pmdp_trim(eq + 1)) >= CFG_VALUE_LEN) {
			lc_error_set(err, LC_ERR_CONFIG, "%s:%u: value longer than %d characters",
					path, lineno, CFG_VALUE_LEN - 1);
			goto out;
		}
	}
	if (ferror(f)) {
		lc_error_set(err, LC_ERR_CONFIG, "%s: cannot read pmd-config profile: %s", path,
				strerror(errno));
		goto out;
	}
	ret = 0;
out:
	fclose(f);
	return ret;
}

/* Apply the entries of section number `idx` to `p`. */
static int
apply_section(struct rte_cfgfile *cfg, int idx, const char *path, uint64_t *seen, bool *ts_off,
		struct lc_pmd_profile *p, struct lc_error *err)
{
	struct rte_cfgfile_entry *entries = NULL;
	char sec[CFG_NAME_LEN];
	char what[400], bad[CFG_VALUE_LEN];
	const struct key_def *k;
	int n, i, j, r, s;
	int ret = -1;
	uint64_t v;

	n = rte_cfgfile_section_num_entries_by_index(cfg, sec, idx);
	s = lc_pmdp_find_section(sec);
	if (s < 0) {
		lc_error_set(err, LC_ERR_CONFIG,
				"%s: [%s]: unknown section, expected profile, rx, rss, offloads or "
				"stats",
				path, sec);
		goto out;
	}
	if (*seen & RTE_BIT64(s)) {
		lc_error_set(err, LC_ERR_CONFIG, "%s: [%s]: section appears twice", path, sec);
		goto out;
	}
	*seen |= RTE_BIT64(s);
	if (n <= 0) {
		ret = 0;
		goto out;
	}
	entries = calloc(n, sizeof(*entries));
	if (entries == NULL) {
		lc_error_set(err, LC_ERR_CONFIG, "%s: out of memory", path);
		goto out;
	}
	n = rte_cfgfile_section_entries_by_index(cfg, idx, sec, entries, n);
	for (i = 0; i < n; i++) {
		k = lc_pmdp_find_key(sec, entries[i].name);
		if (k == NULL) {
			lc_pmdp_section_keys(sec, what, sizeof(what));
			lc_error_set(err, LC_ERR_CONFIG,
					"%s: [%s] %s: unknown key, expected one of: %s", path, sec,
					entries[i].name, what);
			goto out;
		}
		for (j = 0; j < i; j++) {
			if (strcmp(entries[j].name, entries[i].name) == 0) {
				lc_error_set(err, LC_ERR_CONFIG, "%s: [%s] %s: key appears twice",
						path, sec, entries[i].name);
				goto out;
			}
		}
		r = lc_pmdp_parse_value(k, entries[i].value, &v, bad, sizeof(bad));
		if (r < 0) {
			lc_pmdp_describe(k, what, sizeof(what));
			if (r == -2 && bad[0] == '\0')
				lc_error_set(err, LC_ERR_CONFIG,
						"%s: [%s] %s = \"%s\": empty list item, expected "
						"%s",
						path, sec, k->name, entries[i].value, what);
			else if (r == -2)
				lc_error_set(err, LC_ERR_CONFIG,
						"%s: [%s] %s = \"%s\": unknown name \"%s\", "
						"expected %s",
						path, sec, k->name, entries[i].value, bad, what);
			else
				lc_error_set(err, LC_ERR_CONFIG,
						"%s: [%s] %s = \"%s\": expected %s", path, sec,
						k->name, entries[i].value, what);
			goto out;
		}
		lc_pmdp_store(p, k->id, v);
		if (k->id == ID_CAVEAT)
			snprintf(p->caveat, sizeof(p->caveat), "%s", entries[i].value);
		if (k->id == ID_HW_TIMESTAMP && v == 0)
			*ts_off = true;
	}
	ret = 0;
out:
	free(entries);
	return ret;
}

int
lc_pmdp_parse_file(struct lc_pmd_profile *p, struct lc_error *err)
{
	struct rte_cfgfile *cfg;
	bool ts_off = false;
	uint64_t seen = 0;
	int ret = -1;
	int n, i;

	if (check_lines(p->path, err) < 0)
		return -1;
	cfg = rte_cfgfile_load(p->path, CFG_FLAG_EMPTY_VALUES);
	if (cfg == NULL)
		return lc_error_set(err, LC_ERR_CONFIG, "%s: rte_cfgfile_load failed", p->path);

	/* by index: a repeated section would be invisible to lookups by name */
	n = rte_cfgfile_num_sections(cfg, "", 0);
	for (i = 0; i < n; i++)
		if (apply_section(cfg, i, p->path, &seen, &ts_off, p, err) < 0)
			goto out;

	/* hw_timestamp = yes and "timestamp" in [offloads] rx mean the same */
	if (ts_off && (p->rx_offloads & RTE_ETH_RX_OFFLOAD_TIMESTAMP)) {
		lc_error_set(err, LC_ERR_CONFIG,
				"%s: [offloads] hw_timestamp = no, but rx lists timestamp",
				p->path);
		goto out;
	}
	if (p->hw_timestamp)
		p->rx_offloads |= RTE_ETH_RX_OFFLOAD_TIMESTAMP;
	p->hw_timestamp = (p->rx_offloads & RTE_ETH_RX_OFFLOAD_TIMESTAMP) != 0;
	ret = 0;
out:
	rte_cfgfile_close(cfg);
	return ret;
}
