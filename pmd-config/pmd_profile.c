/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * pmd-config profiles: per-PMD tuning read from pmd-config/<name>.ini with
 * rte_cfgfile. The file format is documented in pmd-config/README.md.
 * This file: the defaults, and which file a name or a driver means;
 * pmd_profile_parse.c reads the file, pmd_profile_keys.c knows its keys.
 *
 * Control-plane code: it may allocate, it never prints or exits; every
 * problem is returned as LC_ERR_CONFIG with one line naming file, section,
 * key and what is wrong.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include <linecap/pmd_profile.h>

#include "pmd_profile_priv.h"

#include "lc_build_config.h"

#define DEFAULT_PROFILE "default"

/*
 * Driver name -> profile: "<driver>.ini" first, then the name without its
 * "net_" prefix and without one of these suffixes, else "default.ini":
 *   net_null -> net_null, net_virtio_user -> virtio, net_ixgbe_vf -> ixgbe,
 *   net_ice_dcf -> ice, mlx5_pci -> mlx5, net_mlx5 -> mlx5.
 */
static const char *const driver_suffixes[] = {
		"_pci",
		"_vf",
		"_user",
		"_dcf",
		"_auxiliary",
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
find_by_driver(struct lc_pmd_profile *p, const char *driver, const char *dir, struct lc_error *err)
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
		return lc_error_set(
				err, LC_ERR_CONFIG, "%s: pmd-config directory name too long", dir);
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

	if (lc_pmdp_parse_file(&tmp, err) < 0)
		return -1;
	*p = tmp;
	return 0;
}
