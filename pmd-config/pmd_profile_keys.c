/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * pmd-config keys: which sections and keys a profile may have, what values
 * each accepts (integers with ranges, powers of two, names, lists of names,
 * RTE_ETH_RX_OFFLOAD_* names) and where each lands in struct lc_pmd_profile.
 */

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <rte_cfgfile.h>
#include <rte_common.h>
#include <rte_ethdev.h>

#include <linecap/config.h>

#include "pmd_profile_priv.h"

static const struct name_val rss_modes[] = {
		{"auto", LC_RSS_AUTO},
		{"hardware", LC_RSS_HARDWARE},
		{"software", LC_RSS_SOFTWARE},
		{NULL, 0},
};

static const struct name_val rss_hashes[] = {
		{"ip", RTE_ETH_RSS_IP},
		{"tcp", RTE_ETH_RSS_TCP},
		{"udp", RTE_ETH_RSS_UDP},
		{"sctp", RTE_ETH_RSS_SCTP},
		{NULL, 0},
};

static const struct name_val counter_names[] = {
		{"imissed", LC_CNT_IMISSED},
		{"ierrors", LC_CNT_IERRORS},
		{"rx_nombuf", LC_CNT_RX_NOMBUF},
		{NULL, 0},
};

static const struct name_val yes_no[] = {
		{"yes", 1},
		{"no", 0},
		{NULL, 0},
};

static const char *const sections[] = {
		"profile",
		"rx",
		"rss",
		"offloads",
		"stats",
};

static const struct key_def keys[] = {
		{"profile", "description", ID_DESCRIPTION, KEY_TEXT, 0, 0, NULL},
		{"profile", "caveat", ID_CAVEAT, KEY_TEXT, 0, 0, NULL},
		{"rx", "descriptors", ID_RX_DESC, KEY_UINT, 32, 32768, NULL},
		{"rx", "burst", ID_BURST, KEY_UINT, 1, LC_MAX_BURST, NULL},
		{"rx", "ring_size", ID_RING_SIZE, KEY_POW2, 64, 1048576, NULL},
		{"rx", "mbuf_pool_size", ID_POOL_SIZE, KEY_AUTO_UINT, 1, UINT32_MAX, NULL},
		{"rx", "mbuf_cache", ID_CACHE, KEY_UINT, 0, 512, NULL},
		{"rx", "mbuf_data_room", ID_DATA_ROOM, KEY_UINT, 1024, 65535, NULL},
		{"rss", "mode", ID_RSS_MODE, KEY_ENUM, 0, 0, rss_modes},
		{"rss", "hash", ID_RSS_HASH, KEY_FLAGS, 0, 0, rss_hashes},
		{"offloads", "rx", ID_RX_OFFLOADS, KEY_OFFLOADS, 0, 0, NULL},
		{"offloads", "hw_timestamp", ID_HW_TIMESTAMP, KEY_ENUM, 0, 0, yes_no},
		{"stats", "counters", ID_COUNTERS, KEY_FLAGS, 0, 0, counter_names},
};

/* Strip leading and trailing white space in place. */
char *
lc_pmdp_trim(char *s)
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
void
lc_pmdp_describe(const struct key_def *k, char *buf, size_t len)
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
	if (strcmp(lc_pmdp_trim(buf), "none") == 0)
		return 0;
	for (item = buf; item != NULL; item = next) {
		next = strchr(item, ',');
		if (next != NULL)
			*next++ = '\0';
		item = lc_pmdp_trim(item);
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
int
lc_pmdp_parse_value(const struct key_def *k, const char *val, uint64_t *v, char *bad, size_t len)
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

void
lc_pmdp_store(struct lc_pmd_profile *p, enum key_id id, uint64_t v)
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

const struct key_def *
lc_pmdp_find_key(const char *section, const char *name)
{
	size_t i;

	for (i = 0; i < RTE_DIM(keys); i++)
		if (strcmp(keys[i].section, section) == 0 && strcmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}

int
lc_pmdp_find_section(const char *name)
{
	size_t i;

	for (i = 0; i < RTE_DIM(sections); i++)
		if (strcmp(sections[i], name) == 0)
			return i;
	return -1;
}

/* The keys of `section` as "a, b, c". */
void
lc_pmdp_section_keys(const char *section, char *buf, size_t len)
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
