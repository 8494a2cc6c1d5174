/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_PMD_PROFILE_H
#define LINECAP_PMD_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linecap/error.h>

/* Port counters a PMD may or may not maintain; unsupported ones print "n/a". */
#define LC_CNT_IMISSED (1u << 0)
#define LC_CNT_IERRORS (1u << 1)
#define LC_CNT_RX_NOMBUF (1u << 2)

/* How packets are spread over several writers. */
enum lc_rss_mode {
	LC_RSS_AUTO = 0, /* hardware RSS if the device offers it, else software */
	LC_RSS_HARDWARE, /* hardware RSS; fail if the device has none */
	LC_RSS_SOFTWARE, /* one rx queue, symmetric Toeplitz hash in software */
};

/*
 * Per-PMD tuning, loaded from pmd-config/<name>.ini with rte_cfgfile.
 * Plain data: filled before any lcore starts and never changed afterwards.
 */
struct lc_pmd_profile {
	char name[64];		 /* profile name, e.g. "net_null" */
	char path[4096];	 /* file it was read from */
	uint16_t rx_desc;	 /* rx descriptors per queue */
	uint16_t burst;		 /* rte_eth_rx_burst size, <= LC_MAX_BURST */
	uint32_t ring_size;	 /* per-ring entries, power of two */
	uint32_t mbuf_pool_size; /* 0 = computed from descriptors, rings, bursts */
	uint16_t mbuf_cache;	 /* per-lcore mempool cache */
	uint16_t mbuf_data_room; /* bytes of data per mbuf incl. headroom */
	enum lc_rss_mode rss_mode;
	uint64_t rss_hf;      /* RTE_ETH_RSS_* fields to hash on */
	uint64_t rx_offloads; /* RTE_ETH_RX_OFFLOAD_* to request (masked by dev caps) */
	bool hw_timestamp;    /* request RTE_ETH_RX_OFFLOAD_TIMESTAMP if supported */
	uint32_t counters;    /* LC_CNT_* the PMD maintains */
	char caveat[256];     /* a known PMD defect, printed at start-up ("" none) */
};

/*
 * Fill `p` with built-in defaults, which every profile file then overrides.
 */
void lc_pmd_profile_defaults(struct lc_pmd_profile *p);

/*
 * Load a profile.
 *  - `name_or_file` is an explicit choice (--pmd-config): a path if it contains
 *    '/' or ends in ".ini", else a profile name looked up in `dir`.
 *    NULL or "" means: choose by `driver_name` (e.g. "net_null", "net_ixgbe",
 *    "mlx5_pci"), falling back to "default.ini" when no profile matches.
 *  - `dir` is the directory holding the profiles.
 * Returns 0, or -1 with `err` set (kind LC_ERR_CONFIG) naming file and key.
 */
int lc_pmd_profile_load(const char *name_or_file, const char *driver_name, const char *dir,
		struct lc_pmd_profile *p, struct lc_error *err);

/* Directory with the installed or in-tree profiles ($LINECAP_PMD_CONFIG_DIR wins). */
const char *lc_pmd_profile_dir(void);

#endif
