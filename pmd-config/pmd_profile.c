/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * pmd-config profiles: per-PMD tuning read from pmd-config/<name>.ini with
 * rte_cfgfile. The file format is documented in pmd-config/README.md.
 *
 * Control-plane code: it may allocate, it never prints or exits; every
 * problem is returned as LC_ERR_CONFIG with one line naming file, section,
 * key and what is wrong. Unknown sections and keys are errors so that a typo
 * cannot silently fall back to a default.
 */

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_cfgfile.h>
#include <rte_common.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include <linecap/config.h>
#include <linecap/pmd_profile.h>

#include "lc_build_config.h"

#define DEFAULT_PROFILE "default"

/*
 * Driver name -> profile: "<driver>.ini" first, then the name without its
 * "net_" prefix and without one of these suffixes, else "default.ini":
 *   net_null -> net_null, net_virtio_user -> virtio, net_ixgbe_vf -> ixgbe,
 *   net_ice_dcf -> ice, mlx5_pci -> mlx5, net_mlx5 -> mlx5.
 */
static const char * const driver_suffixes[] = {
	"_pci", "_vf", "_user", "_dcf", "_auxiliary",
};

struct name_val {
	const char *name;
	uint64_t val;
};

static const struct name_val rss_modes[] = {
	{ "auto", LC_RSS_AUTO },
	{ "hardware", LC_RSS_HARDWARE },
	{ "software", LC_RSS_SOFTWARE },
	{ NULL, 0 },
};

static const struct name_val rss_hashes[] = {
	{ "ip", RTE_ETH_RSS_IP },
	{ "tcp", RTE_ETH_RSS_TCP },
	{ "udp", RTE_ETH_RSS_UDP },
	{ "sctp", RTE_ETH_RSS_SCTP },
	{ NULL, 0 },
};

static const struct name_val counter_names[] = {
	{ "imissed", LC_CNT_IMISSED },
	{ "ierrors", LC_CNT_IERRORS },
	{ "rx_nombuf", LC_CNT_RX_NOMBUF },
	{ NULL, 0 },
};

static const struct name_val yes_no[] = {
	{ "yes", 1 },
	{ "no", 0 },
	{ NULL, 0 },
};

enum key_type {
	KEY_TEXT,      /* free text (description: not used; caveat: kept) */
	KEY_UINT,      /* integer min..max */
	KEY_POW2,      /* power of two min..max */
	KEY_AUTO_UINT, /* "auto" (stored as 0) or integer min..max */
	KEY_ENUM,      /* exactly one name of `names` */
	KEY_FLAGS,     /* "none" or a comma-separated list of names of `names` */
	KEY_OFFLOADS,  /* "none" or a list of RTE_ETH_RX_OFFLOAD_* names */
};

enum key_id {
	ID_DESCRIPTION,
	ID_CAVEAT,
	ID_RX_DESC,
	ID_BURST,
	ID_RING_SIZE,
	ID_POOL_SIZE,
	ID_CACHE,
	ID_DATA_ROOM,
	ID_RSS_MODE,
	ID_RSS_HASH,
	ID_RX_OFFLOADS,
	ID_HW_TIMESTAMP,
	ID_COUNTERS,
};

struct key_def {
	const char *section;
	const char *name;
	enum key_id id;
	enum key_type type;
	uint64_t min;
	uint64_t max;
	const struct name_val *names;
};

static const char * const sections[] = {
	"profile", "rx", "rss", "offloads", "stats",
};

static const struct key_def keys[] = {
	{ "profile", "description", ID_DESCRIPTION, KEY_TEXT, 0, 0, NULL },
	{ "profile", "caveat", ID_CAVEAT, KEY_TEXT, 0, 0, NULL },
	{ "rx", "descriptors", ID_RX_DESC, KEY_UINT, 32, 32768, NULL },
	{ "rx", "burst", ID_BURST, KEY_UINT, 1, LC_MAX_BURST, NULL },
	{ "rx", "ring_size", ID_RING_SIZE, KEY_POW2, 64, 1048576, NULL },
	{ "rx", "mbuf_pool_size", ID_POOL_SIZE, KEY_AUTO_UINT, 1, UINT32_MAX, NULL },
	{ "rx", "mbuf_cache", ID_CACHE, KEY_UINT, 0, 512, NULL },
	{ "rx", "mbuf_data_room", ID_DATA_ROOM, KEY_UINT, 1024, 65535, NULL },
	{ "rss", "mode", ID_RSS_MODE, KEY_ENUM, 0, 0, rss_modes },
	{ "rss", "hash", ID_RSS_HASH, KEY_FLAGS, 0, 0, rss_hashes },
	{ "offloads", "rx", ID_RX_OFFLOADS, KEY_OFFLOADS, 0, 0, NULL },
	{ "offloads", "hw_timestamp", ID_HW_TIMESTAMP, KEY_ENUM, 0, 0, yes_no },
	{ "stats", "counters", ID_COUNTERS, KEY_FLAGS, 0, 0, counter_names },
};

void
lc_pmd_profile_defaults(struct lc_pmd_profile *p)
{
	memset(p, 0, sizeof(*p));
	p->rx_desc = 1024;
	p->burst = 64;
	p->ring_size = 16384;
	p->mbuf_pool_size = 0;
	p->mbuf_cache = 256;
	p->mbuf_data_room = RTE_MBUF_DEFAULT_BUF_SIZE;
	p->rss_mode = LC_RSS_AUTO;
	p->rss_hf = RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP;
	p->rx_offloads = 0;
	p->hw_timestamp = false;
	p->counters = LC_CNT_IMISSED | LC_CNT_IERRORS | LC_CNT_RX_NOMBUF;
}

const char *
lc_pmd_profile_dir(void)
{
	const char *env = getenv("LINECAP_PMD_CONFIG_DIR");
	struct stat st;

	if (env != NULL && env[0] != '\0')
		return env;
	if (stat(LC_PMD_CONFIG_SRCDIR, &st) == 0 && S_ISDIR(st.st_mode))
		return LC_PMD_CONFIG_SRCDIR;
	return LC_PMD_CONFIG_INSTDIR;
}

/* Strip leading and trailing white space in place. */
static char *
trim(char *s)
{
	size_t len;

	while (isspace((unsigned char)*s))
		s++;
	len = strlen(s);
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		s[--len] = '\0';
	return s;
}

/* Name of RX offload bit `bit`, e.g. "SCATTER", or NULL. */
static const char *
offload_name(unsigned int bit)
{
	const char *name = rte_eth_dev_rx_offload_name(RTE_BIT64(bit));

	return strcmp(name, "UNKNOWN") == 0 ? NULL : name;
}

/* Flag for list item `item` (0 if unknown). */
static uint64_t
lookup_flag(const struct key_def *k, const char *item)
{
	const struct name_val *nv;
	const char *name;
	unsigned int bit;

	if (k->type == KEY_OFFLOADS) {
		for (bit = 0; bit < 64; bit++) {
			name = offload_name(bit);
			if (name != NULL && strcasecmp(item, name) == 0)
				return RTE_BIT64(bit);
		}
		return 0;
	}
	for (nv = k->names; nv->name != NULL; nv++)
		if (strcmp(item, nv->name) == 0)
			return nv->val;
	return 0;
}

/* Append the accepted names of `k`, comma separated, to `buf`. */
static void
list_names(const struct key_def *k, char *buf, size_t len)
{
	const struct name_val *nv;
	const char *sep = "";
	const char *name;
	unsigned int bit;
	char lower[64];
	size_t i, used;

	if (k->type != KEY_OFFLOADS) {
		for (nv = k->names; nv->name != NULL; nv++, sep = ", ") {
			used = strlen(buf);
			snprintf(buf + used, len - used, "%s%s", sep, nv->name);
		}
		return;
	}
	for (bit = 0; bit < 64; bit++) {
		name = offload_name(bit);
		if (name == NULL)
			continue;
		for (i = 0; name[i] != '\0' && i < sizeof(lower) - 1; i++)
			lower[i] = tolower((unsigned char)name[i]);
		lower[i] = '\0';
		used = strlen(buf);
		snprintf(buf + used, len - used, "%s%s", sep, lower);
		sep = ", ";
	}
}

/* What a valid value of `k` looks like, e.g. "an integer 32..32768". */
static void
describe(const struct key_def *k, char *buf, size_t len)
{
	buf[0] = '\0';
	switch (k->type) {
	case KEY_TEXT:
		snprintf(buf, len, "free text");
		break;
	case KEY_UINT:
		snprintf(buf, len, "an integer %" PRIu64 "..%" PRIu64, k->min, k->max);
		break;
	case KEY_POW2:
		snprintf(buf, len, "a power of two %" PRIu64 "..%" PRIu64, k->min, k->max);
		break;
	case KEY_AUTO_UINT:
		snprintf(buf, len, "auto or an integer %" PRIu64 "..%" PRIu64, k->min, k->max);
		break;
	case KEY_ENUM:
		snprintf(buf, len, "one of: ");
		list_names(k, buf, len);
		break;
	case KEY_FLAGS:
	case KEY_OFFLOADS:
		snprintf(buf, len, "none or a comma-separated list of: ");
		list_names(k, buf, len);
		break;
	}
}

/* Decimal integer without sign, spaces or suffix. */
static int
parse_uint(const char *s, uint64_t *v)
{
	char *end;

	if (!isdigit((unsigned char)s[0]))
		return -1;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return (errno != 0 || *end != '\0') ? -1 : 0;
}

/*
 * "none" or a comma-separated list of names. Returns -2 with the offending
 * item in `bad` if one is unknown or empty.
 */
static int
parse_list(const struct key_def *k, const char *val, uint64_t *v, char *bad, size_t len)
{
	char buf[CFG_VALUE_LEN];
	char *item, *next;
	uint64_t flag;

	*v = 0;
	snprintf(buf, sizeof(buf), "%s", val);
	if (strcmp(trim(buf), "none") == 0)
		return 0;
	for (item = buf; item != NULL; item = next) {
		next = strchr(item, ',');
		if (next != NULL)
			*next++ = '\0';
		item = trim(item);
		flag = lookup_flag(k, item);
		if (flag == 0) {
			snprintf(bad, len, "%s", item);
			return -2;
		}
		*v |= flag;
	}
	return 0;
}

/* Parse `val` as key `k`: 0 with *v set, -1 if malformed, -2 see parse_list(). */
static int
parse_value(const struct key_def *k, const char *val, uint64_t *v, char *bad, size_t len)
{
	const struct name_val *nv;

	*v = 0;
	switch (k->type) {
	case KEY_TEXT:
		return 0;
	case KEY_AUTO_UINT:
		if (strcmp(val, "auto") == 0)
			return 0;
		/* fall through */
	case KEY_UINT:
	case KEY_POW2:
		if (parse_uint(val, v) < 0 || *v < k->min || *v > k->max)
			return -1;
		if (k->type == KEY_POW2 && !rte_is_power_of_2(*v))
			return -1;
		return 0;
	case KEY_ENUM:
		for (nv = k->names; nv->name != NULL; nv++) {
			if (strcmp(val, nv->name) == 0) {
				*v = nv->val;
				return 0;
			}
		}
		return -1;
	case KEY_FLAGS:
	case KEY_OFFLOADS:
		return parse_list(k, val, v, bad, len);
	}
	return -1;
}

static void
store(struct lc_pmd_profile *p, enum key_id id, uint64_t v)
{
	switch (id) {
	case ID_DESCRIPTION:
	case ID_CAVEAT: /* text: kept by apply_section */
		break;
	case ID_RX_DESC:
		p->rx_desc = v;
		break;
	case ID_BURST:
		p->burst = v;
		break;
	case ID_RING_SIZE:
		p->ring_size = v;
		break;
	case ID_POOL_SIZE:
		p->mbuf_pool_size = v;
		break;
	case ID_CACHE:
		p->mbuf_cache = v;
		break;
	case ID_DATA_ROOM:
		p->mbuf_data_room = v;
		break;
	case ID_RSS_MODE:
		p->rss_mode = (enum lc_rss_mode)v;
		break;
	case ID_RSS_HASH:
		p->rss_hf = v;
		break;
	case ID_RX_OFFLOADS:
		p->rx_offloads = v;
		break;
	case ID_HW_TIMESTAMP:
		p->hw_timestamp = v != 0;
		break;
	case ID_COUNTERS:
		p->counters = v;
		break;
	}
}

static const struct key_def *
find_key(const char *section, const char *name)
{
	size_t i;

	for (i = 0; i < RTE_DIM(keys); i++)
		if (strcmp(keys[i].section, section) == 0 && strcmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}

static int
find_section(const char *name)
{
	size_t i;

	for (i = 0; i < RTE_DIM(sections); i++)
		if (strcmp(sections[i], name) == 0)
			return i;
	return -1;
}

/* The keys of `section` as "a, b, c". */
static void
section_keys(const char *section, char *buf, size_t len)
{
	size_t i, used;

	buf[0] = '\0';
	for (i = 0; i < RTE_DIM(keys); i++) {
		if (strcmp(keys[i].section, section) != 0)
			continue;
		used = strlen(buf);
		snprintf(buf + used, len - used, "%s%s", used == 0 ? "" : ", ", keys[i].name);
	}
}

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
		s = trim(line);
		if (s[0] == '\0')
			continue;
		if (s[0] == '[') {
			if (s[strlen(s) - 1] != ']') {
				lc_error_set(err, LC_ERR_CONFIG,
						"%s:%u: \"%s\": expected \"[section]\"", path, lineno, s);
				goto out;
			}
			in_section = true;
			continue;
		}
		eq = strchr(s, '=');
		if (eq == NULL) {
			lc_error_set(err, LC_ERR_CONFIG,
					"%s:%u: \"%s\": expected \"[section]\" or \"key = value\" (comments start with ';')",
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
		if (strlen(trim(eq + 1)) >= CFG_VALUE_LEN) {
			lc_error_set(err, LC_ERR_CONFIG, "%s:%u: value longer than %d characters",
					path, lineno, CFG_VALUE_LEN - 1);
			goto out;
		}
	}
	if (ferror(f)) {
		lc_error_set(err, LC_ERR_CONFIG, "%s: cannot read pmd-config profile: %s",
				path, strerror(errno));
		goto out;
	}
	ret = 0;
out:
	fclose(f);
	return ret;
}

/* Apply the entries of section number `idx` to `p`. */
static int
apply_section(struct rte_cfgfile *cfg, int idx, const char *path, uint64_t *seen,
		bool *ts_off, struct lc_pmd_profile *p, struct lc_error *err)
{
	struct rte_cfgfile_entry *entries = NULL;
	char sec[CFG_NAME_LEN];
	char what[400], bad[CFG_VALUE_LEN];
	const struct key_def *k;
	int n, i, j, r, s;
	int ret = -1;
	uint64_t v;

	n = rte_cfgfile_section_num_entries_by_index(cfg, sec, idx);
	s = find_section(sec);
	if (s < 0) {
		lc_error_set(err, LC_ERR_CONFIG,
				"%s: [%s]: unknown section, expected profile, rx, rss, offloads or stats",
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
		k = find_key(sec, entries[i].name);
		if (k == NULL) {
			section_keys(sec, what, sizeof(what));
			lc_error_set(err, LC_ERR_CONFIG, "%s: [%s] %s: unknown key, expected one of: %s",
					path, sec, entries[i].name, what);
			goto out;
		}
		for (j = 0; j < i; j++) {
			if (strcmp(entries[j].name, entries[i].name) == 0) {
				lc_error_set(err, LC_ERR_CONFIG, "%s: [%s] %s: key appears twice",
						path, sec, entries[i].name);
				goto out;
			}
		}
		r = parse_value(k, entries[i].value, &v, bad, sizeof(bad));
		if (r < 0) {
			describe(k, what, sizeof(what));
			if (r == -2 && bad[0] == '\0')
				lc_error_set(err, LC_ERR_CONFIG,
						"%s: [%s] %s = \"%s\": empty list item, expected %s",
						path, sec, k->name, entries[i].value, what);
			else if (r == -2)
				lc_error_set(err, LC_ERR_CONFIG,
						"%s: [%s] %s = \"%s\": unknown name \"%s\", expected %s",
						path, sec, k->name, entries[i].value, bad, what);
			else
				lc_error_set(err, LC_ERR_CONFIG,
						"%s: [%s] %s = \"%s\": expected %s",
						path, sec, k->name, entries[i].value, what);
			goto out;
		}
		store(p, k->id, v);
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

static int
parse_file(struct lc_pmd_profile *p, struct lc_error *err)
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

/* "<dir>/<name>.ini" into path; -1 if it does not fit. */
static int
profile_path(char *path, size_t len, const char *dir, const char *name)
{
	size_t dlen = strlen(dir);
	const char *sep = (dlen > 0 && dir[dlen - 1] == '/') ? "" : "/";
	int n = snprintf(path, len, "%s%s%s.ini", dir, sep, name);

	return (n < 0 || (size_t)n >= len) ? -1 : 0;
}

/* Set p->path to an existing profile for `name`; false if there is none. */
static bool
try_profile(struct lc_pmd_profile *p, const char *dir, const char *name)
{
	return name[0] != '\0' && profile_path(p->path, sizeof(p->path), dir, name) == 0 &&
		access(p->path, F_OK) == 0;
}

static int
find_by_driver(struct lc_pmd_profile *p, const char *driver, const char *dir,
		struct lc_error *err)
{
	char base[sizeof(p->name)];
	size_t i, n, sl;

	if (driver != NULL && driver[0] != '\0' && strchr(driver, '/') == NULL &&
			strlen(driver) < sizeof(base)) {
		if (try_profile(p, dir, driver))
			return 0;
		snprintf(base, sizeof(base), "%s",
				strncmp(driver, "net_", 4) == 0 ? driver + 4 : driver);
		n = strlen(base);
		for (i = 0; i < RTE_DIM(driver_suffixes); i++) {
			sl = strlen(driver_suffixes[i]);
			if (n > sl && strcmp(base + n - sl, driver_suffixes[i]) == 0) {
				base[n - sl] = '\0';
				break;
			}
		}
		if (try_profile(p, dir, base))
			return 0;
	}
	if (profile_path(p->path, sizeof(p->path), dir, DEFAULT_PROFILE) < 0)
		return lc_error_set(err, LC_ERR_CONFIG, "%s: pmd-config directory name too long",
				dir);
	return 0;
}

/* Profile name = file name without directory and ".ini". */
static void
set_name(struct lc_pmd_profile *p)
{
	const char *base = strrchr(p->path, '/');
	size_t len;

	base = base != NULL ? base + 1 : p->path;
	len = strlen(base);
	if (len > 4 && strcmp(base + len - 4, ".ini") == 0)
		len -= 4;
	if (len >= sizeof(p->name))
		len = sizeof(p->name) - 1;
	memcpy(p->name, base, len);
	p->name[len] = '\0';
}

static bool
is_path(const char *s)
{
	size_t len = strlen(s);

	return strchr(s, '/') != NULL || (len >= 4 && strcmp(s + len - 4, ".ini") == 0);
}

int
lc_pmd_profile_load(const char *name_or_file, const char *driver_name, const char *dir,
		struct lc_pmd_profile *p, struct lc_error *err)
{
	struct lc_pmd_profile tmp;

	if (dir == NULL || dir[0] == '\0')
		dir = lc_pmd_profile_dir();
	lc_pmd_profile_defaults(&tmp);

	if (name_or_file != NULL && name_or_file[0] != '\0') {
		if (is_path(name_or_file)) {
			if (strlen(name_or_file) >= sizeof(tmp.path))
				return lc_error_set(err, LC_ERR_CONFIG,
						"pmd-config file name too long");
			strcpy(tmp.path, name_or_file);
		} else if (profile_path(tmp.path, sizeof(tmp.path), dir, name_or_file) < 0) {
			return lc_error_set(err, LC_ERR_CONFIG,
					"%s: pmd-config directory name too long", dir);
		}
	} else if (find_by_driver(&tmp, driver_name, dir, err) < 0) {
		return -1;
	}
	set_name(&tmp);

	if (parse_file(&tmp, err) < 0)
		return -1;
	*p = tmp;
	return 0;
}
