/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Unit test of the pmd-config profile loader.
 * Usage: test_pmd_profile PMD_CONFIG_DIR
 * Exit status 0 on success; every failed check is printed on stderr.
 * Needs no EAL: rte_cfgfile and the ethdev offload names work without it.
 */

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_ethdev.h>

#include <linecap/error.h>
#include <linecap/pmd_profile.h>

#include "lc_build_config.h"

static int failures;

#define CHECK(cond, ...) do { \
	if (!(cond)) { \
		failures++; \
		fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
		fprintf(stderr, __VA_ARGS__); \
		fputc('\n', stderr); \
	} \
} while (0)

#define ALL_CNT (LC_CNT_IMISSED | LC_CNT_IERRORS | LC_CNT_RX_NOMBUF)

/* Every shipped profile, with a few values that show it was really parsed. */
static const struct {
	const char *name;
	enum lc_rss_mode rss_mode;
	bool hw_timestamp;
	uint32_t counters;
	uint16_t rx_desc;
} shipped[] = {
	{ "default", LC_RSS_AUTO, false, ALL_CNT, 1024 },
	{ "net_null", LC_RSS_HARDWARE, false, 0, 1024 },
	{ "net_pcap", LC_RSS_SOFTWARE, false, ALL_CNT, 1024 },
	{ "net_memif", LC_RSS_SOFTWARE, false, 0, 1024 },
	{ "net_ring", LC_RSS_SOFTWARE, false, 0, 1024 },
	{ "net_af_packet", LC_RSS_SOFTWARE, false, 0, 1024 },
	{ "net_tap", LC_RSS_SOFTWARE, false, LC_CNT_IERRORS | LC_CNT_RX_NOMBUF, 1024 },
	{ "net_af_xdp", LC_RSS_SOFTWARE, false, LC_CNT_IMISSED | LC_CNT_RX_NOMBUF, 2048 },
	{ "virtio", LC_RSS_AUTO, false, LC_CNT_IERRORS | LC_CNT_RX_NOMBUF, 1024 },
	{ "ixgbe", LC_RSS_HARDWARE, false, ALL_CNT, 4096 },
	{ "i40e", LC_RSS_HARDWARE, false, ALL_CNT, 4096 },
	{ "ice", LC_RSS_HARDWARE, true, ALL_CNT, 4096 },
	{ "mlx5", LC_RSS_HARDWARE, true, ALL_CNT, 4096 },
};

/* DPDK driver name -> profile it must select. */
static const struct {
	const char *driver;
	const char *profile;
} drivers[] = {
	{ "net_null", "net_null" },
	{ "net_pcap", "net_pcap" },
	{ "net_memif", "net_memif" },
	{ "net_ring", "net_ring" },
	{ "net_af_packet", "net_af_packet" },
	{ "net_tap", "net_tap" },
	{ "net_af_xdp", "net_af_xdp" },
	{ "net_virtio", "virtio" },
	{ "net_virtio_user", "virtio" },
	{ "net_ixgbe", "ixgbe" },
	{ "net_ixgbe_vf", "ixgbe" },
	{ "net_i40e", "i40e" },
	{ "net_i40e_vf", "i40e" },
	{ "net_ice", "ice" },
	{ "net_ice_dcf", "ice" },
	{ "mlx5_pci", "mlx5" },
	{ "net_mlx5", "mlx5" },
	{ "net_bogus", "default" },
	{ "net_vf", "default" },
	{ "", "default" },
	{ "../net_null", "default" },
	{ NULL, "default" },
};

/* Malformed files: each must fail with LC_ERR_CONFIG naming `expect`. */
static const struct {
	const char *what;
	const char *text;
	const char *expect;
} bad_files[] = {
	{ "non-integer", "[rx]\ndescriptors = abc\n",
		"[rx] descriptors = \"abc\": expected an integer 32..32768" },
	{ "negative", "[rx]\nburst = -1\n", "[rx] burst = \"-1\"" },
	{ "trailing junk", "[rx]\nburst = 64k\n", "[rx] burst = \"64k\"" },
	{ "empty value", "[rx]\nburst =\n", "[rx] burst = \"\"" },
	{ "descriptors too low", "[rx]\ndescriptors = 16\n", "[rx] descriptors = \"16\"" },
	{ "descriptors too high", "[rx]\ndescriptors = 32769\n", "32..32768" },
	{ "burst too high", "[rx]\nburst = 513\n", "[rx] burst = \"513\": expected an integer 1..512" },
	{ "burst zero", "[rx]\nburst = 0\n", "[rx] burst = \"0\"" },
	{ "ring not power of two", "[rx]\nring_size = 1000\n",
		"[rx] ring_size = \"1000\": expected a power of two 64..1048576" },
	{ "ring too big", "[rx]\nring_size = 2097152\n", "[rx] ring_size" },
	{ "ring too small", "[rx]\nring_size = 32\n", "[rx] ring_size" },
	{ "pool zero", "[rx]\nmbuf_pool_size = 0\n", "[rx] mbuf_pool_size = \"0\": expected auto or" },
	{ "pool word", "[rx]\nmbuf_pool_size = big\n", "[rx] mbuf_pool_size" },
	{ "pool overflow", "[rx]\nmbuf_pool_size = 99999999999999999999999\n", "[rx] mbuf_pool_size" },
	{ "cache too high", "[rx]\nmbuf_cache = 513\n", "[rx] mbuf_cache = \"513\": expected an integer 0..512" },
	{ "data room too low", "[rx]\nmbuf_data_room = 512\n", "[rx] mbuf_data_room" },
	{ "data room too high", "[rx]\nmbuf_data_room = 65536\n", "[rx] mbuf_data_room" },
	{ "unknown key", "[rx]\ndescriptor = 1024\n", "[rx] descriptor: unknown key" },
	{ "unknown section", "[rxx]\ndescriptors = 1024\n", "[rxx]: unknown section" },
	{ "key of another section", "[rss]\nburst = 64\n", "[rss] burst: unknown key" },
	{ "duplicate key", "[rx]\nburst = 64\nburst = 32\n", "[rx] burst: key appears twice" },
	{ "duplicate section", "[rx]\nburst = 64\n[rss]\nmode = auto\n[rx]\nburst = 32\n",
		"[rx]: section appears twice" },
	{ "unknown rss mode", "[rss]\nmode = hw\n", "[rss] mode = \"hw\": expected one of: auto, hardware, software" },
	{ "unknown hash", "[rss]\nhash = ip, tpc\n", "[rss] hash = \"ip, tpc\": unknown name \"tpc\"" },
	{ "none in a list", "[rss]\nhash = none, ip\n", "unknown name \"none\"" },
	{ "empty list item", "[rss]\nhash = ip,,tcp\n", "[rss] hash = \"ip,,tcp\": empty list item" },
	{ "unknown offload", "[offloads]\nrx = scatter, jumbo_frame\n",
		"[offloads] rx = \"scatter, jumbo_frame\": unknown name \"jumbo_frame\"" },
	{ "bad bool", "[offloads]\nhw_timestamp = true\n", "[offloads] hw_timestamp = \"true\": expected one of: yes, no" },
	{ "timestamp conflict", "[offloads]\nrx = timestamp\nhw_timestamp = no\n", "[offloads] hw_timestamp" },
	{ "unknown counter", "[stats]\ncounters = imissed, oerrors\n", "[stats] counters = \"imissed, oerrors\": unknown name \"oerrors\"" },
	{ "line without '='", "[rx]\nburst 64\n", ":2: \"burst 64\": expected" },
	{ "key outside section", "burst = 64\n[rx]\n", ":1: \"burst = 64\": key outside any [section]" },
	{ "unterminated section", "[rx\nburst = 64\n", ":1: \"[rx\": expected \"[section]\"" },
	{ "missing key", "[rx]\n= 64\n", ":2: \"= 64\": missing key" },
};

static char tmpdir[] = "/tmp/test_pmd_profile.XXXXXX";

static void
write_file(const char *name, const char *text, char *path, size_t len)
{
	FILE *f;

	snprintf(path, len, "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	if (f == NULL) {
		fprintf(stderr, "cannot create %s: %s\n", path, strerror(errno));
		exit(1);
	}
	fputs(text, f);
	fclose(f);
}

static void
test_shipped(const char *dir)
{
	struct lc_pmd_profile p;
	struct lc_error err;
	char want[PATH_MAX + 64];
	size_t i;

	for (i = 0; i < RTE_DIM(shipped); i++) {
		memset(&err, 0, sizeof(err));
		if (lc_pmd_profile_load(shipped[i].name, NULL, dir, &p, &err) != 0) {
			CHECK(0, "shipped profile %s does not load: %s", shipped[i].name, err.msg);
			continue;
		}
		snprintf(want, sizeof(want), "%s/%s.ini", dir, shipped[i].name);
		CHECK(strcmp(p.name, shipped[i].name) == 0, "%s: name is \"%s\"", shipped[i].name, p.name);
		CHECK(strcmp(p.path, want) == 0, "%s: path is \"%s\"", shipped[i].name, p.path);
		CHECK(p.rss_mode == shipped[i].rss_mode, "%s: rss_mode %d", shipped[i].name, p.rss_mode);
		CHECK(p.hw_timestamp == shipped[i].hw_timestamp, "%s: hw_timestamp %d",
				shipped[i].name, p.hw_timestamp);
		CHECK(p.hw_timestamp == !!(p.rx_offloads & RTE_ETH_RX_OFFLOAD_TIMESTAMP),
				"%s: hw_timestamp and rx_offloads disagree", shipped[i].name);
		CHECK(p.counters == shipped[i].counters, "%s: counters 0x%x", shipped[i].name, p.counters);
		CHECK(p.rx_desc == shipped[i].rx_desc, "%s: rx_desc %u", shipped[i].name, p.rx_desc);
		CHECK(p.burst >= 1 && p.burst <= 512, "%s: burst %u", shipped[i].name, p.burst);
		CHECK(rte_is_power_of_2(p.ring_size), "%s: ring_size %u", shipped[i].name, p.ring_size);
	}
}

static void
test_drivers(const char *dir)
{
	struct lc_pmd_profile p;
	struct lc_error err;
	size_t i;

	for (i = 0; i < RTE_DIM(drivers); i++) {
		const char *drv = drivers[i].driver != NULL ? drivers[i].driver : "(null)";

		memset(&err, 0, sizeof(err));
		if (lc_pmd_profile_load(NULL, drivers[i].driver, dir, &p, &err) != 0) {
			CHECK(0, "driver %s: load failed: %s", drv, err.msg);
			continue;
		}
		CHECK(strcmp(p.name, drivers[i].profile) == 0, "driver %s: chose \"%s\", want \"%s\"",
				drv, p.name, drivers[i].profile);
	}
	/* "" as name_or_file also means "choose by driver" */
	CHECK(lc_pmd_profile_load("", "net_ice_dcf", dir, &p, &err) == 0 &&
			strcmp(p.name, "ice") == 0, "name \"\" + net_ice_dcf: %s", p.name);
}

static void
test_defaults(void)
{
	struct lc_pmd_profile p;

	memset(&p, 0xa5, sizeof(p));
	lc_pmd_profile_defaults(&p);
	CHECK(p.rx_desc == 1024 && p.burst == 64 && p.ring_size == 16384, "defaults: rx");
	CHECK(p.mbuf_pool_size == 0 && p.mbuf_cache == 256 && p.mbuf_data_room == 2176,
			"defaults: mbuf");
	CHECK(p.rss_mode == LC_RSS_AUTO &&
			p.rss_hf == (RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP),
			"defaults: rss");
	CHECK(p.rx_offloads == 0 && !p.hw_timestamp && p.counters == ALL_CNT,
			"defaults: offloads/counters");
}

static void
test_explicit_file(void)
{
	static const char text[] =
		"; every key, with unusual spacing and comments\n"
		"[profile]\n"
		"description = a test profile ; with a comment\n"
		"caveat = crashes on Tuesdays ; kept, without the comment\n"
		"\n"
		"[ rx ]\n"
		"descriptors=32768\n"
		"  burst   =   512  \n"
		"ring_size = 1048576\n"
		"mbuf_pool_size = 4294967295\n"
		"mbuf_cache = 0\n"
		"mbuf_data_room = 1024\r\n"
		"[rss]\n"
		"mode = software\n"
		"hash = sctp,udp\n"
		"[offloads]\n"
		"rx = scatter, keep_crc, timestamp\n"
		"[stats]\n"
		"counters = none\n";
	struct lc_pmd_profile p;
	struct lc_error err;
	char path[PATH_MAX], cwd[PATH_MAX];

	write_file("custom.ini", text, path, sizeof(path));
	memset(&err, 0, sizeof(err));
	if (lc_pmd_profile_load(path, "net_ixgbe", "/nonexistent", &p, &err) != 0) {
		CHECK(0, "explicit file %s: %s", path, err.msg);
		return;
	}
	CHECK(strcmp(p.name, "custom") == 0 && strcmp(p.path, path) == 0,
			"explicit file: name %s path %s", p.name, p.path);
	CHECK(p.rx_desc == 32768 && p.burst == 512 && p.ring_size == 1048576, "explicit file: rx");
	CHECK(p.mbuf_pool_size == 4294967295u && p.mbuf_cache == 0 && p.mbuf_data_room == 1024,
			"explicit file: mbuf %u %u %u", p.mbuf_pool_size, p.mbuf_cache, p.mbuf_data_room);
	CHECK(p.rss_mode == LC_RSS_SOFTWARE && p.rss_hf == (RTE_ETH_RSS_SCTP | RTE_ETH_RSS_UDP),
			"explicit file: rss");
	CHECK(p.rx_offloads == (RTE_ETH_RX_OFFLOAD_SCATTER | RTE_ETH_RX_OFFLOAD_KEEP_CRC |
			RTE_ETH_RX_OFFLOAD_TIMESTAMP) && p.hw_timestamp,
			"explicit file: offloads 0x%llx", (unsigned long long)p.rx_offloads);
	CHECK(p.counters == 0, "explicit file: counters");
	CHECK(strcmp(p.caveat, "crashes on Tuesdays") == 0, "explicit file: caveat \"%s\"", p.caveat);

	/* a name ending in ".ini" is a path relative to the working directory */
	if (getcwd(cwd, sizeof(cwd)) != NULL && chdir(tmpdir) == 0) {
		CHECK(lc_pmd_profile_load("custom.ini", NULL, "/nonexistent", &p, &err) == 0 &&
				strcmp(p.name, "custom") == 0, "relative custom.ini: %s", err.msg);
		CHECK(chdir(cwd) == 0, "chdir back");
	}

	/* missing keys keep their defaults; hw_timestamp = yes sets the offload */
	write_file("partial.ini", "[offloads]\nhw_timestamp = yes\n[rss]\n", path, sizeof(path));
	CHECK(lc_pmd_profile_load(path, NULL, NULL, &p, &err) == 0, "partial: %s", err.msg);
	CHECK(p.rx_desc == 1024 && p.burst == 64 && p.counters == ALL_CNT, "partial: defaults");
	CHECK(p.caveat[0] == '\0', "partial: caveat \"%s\" by default", p.caveat);
	CHECK(p.hw_timestamp && p.rx_offloads == RTE_ETH_RX_OFFLOAD_TIMESTAMP, "partial: timestamp");

	/* an empty file is the defaults */
	write_file("empty.ini", "", path, sizeof(path));
	CHECK(lc_pmd_profile_load(path, NULL, NULL, &p, &err) == 0 && p.ring_size == 16384,
			"empty file: %s", err.msg);
}

/* A failed load: -1, LC_ERR_CONFIG, one line naming `path` and `expect`, `p` untouched. */
static void
check_failure(const char *what, const char *name_or_file, const char *dir, const char *path,
		const char *expect)
{
	struct lc_pmd_profile p, before;
	struct lc_error err;
	int ret;

	memset(&p, 0x5a, sizeof(p));
	before = p;
	memset(&err, 0, sizeof(err));
	ret = lc_pmd_profile_load(name_or_file, NULL, dir, &p, &err);
	CHECK(ret == -1, "%s: load returned %d", what, ret);
	CHECK(err.kind == LC_ERR_CONFIG, "%s: kind %d", what, err.kind);
	CHECK(strstr(err.msg, path) != NULL, "%s: message does not name %s: %s", what, path, err.msg);
	CHECK(strstr(err.msg, expect) != NULL, "%s: message lacks '%s': %s", what, expect, err.msg);
	CHECK(strchr(err.msg, '\n') == NULL, "%s: message has a newline: %s", what, err.msg);
	CHECK(memcmp(&p, &before, sizeof(p)) == 0, "%s: profile modified on failure", what);
}

static void
test_bad_files(const char *dir)
{
	char path[PATH_MAX + 64], name[32];
	size_t i;

	for (i = 0; i < RTE_DIM(bad_files); i++) {
		snprintf(name, sizeof(name), "bad%zu.ini", i);
		write_file(name, bad_files[i].text, path, sizeof(path));
		check_failure(bad_files[i].what, path, NULL, path, bad_files[i].expect);
	}

	snprintf(path, sizeof(path), "%s/missing.ini", tmpdir);
	check_failure("missing file", path, NULL, path, "No such file or directory");
	snprintf(path, sizeof(path), "%s/no_such_profile.ini", dir);
	check_failure("missing profile name", "no_such_profile", dir, path, "cannot open");
	check_failure("directory as file", tmpdir, NULL, tmpdir, "Is a directory");
}

static void
test_dir(const char *dir)
{
	struct lc_pmd_profile p;
	struct lc_error err;
	struct stat st;
	const char *want;

	setenv("LINECAP_PMD_CONFIG_DIR", tmpdir, 1);
	CHECK(strcmp(lc_pmd_profile_dir(), tmpdir) == 0, "env dir: %s", lc_pmd_profile_dir());

	/* dir NULL means lc_pmd_profile_dir() */
	setenv("LINECAP_PMD_CONFIG_DIR", dir, 1);
	CHECK(lc_pmd_profile_load(NULL, "net_null", NULL, &p, &err) == 0 &&
			strcmp(p.name, "net_null") == 0, "dir NULL: %s", err.msg);

	unsetenv("LINECAP_PMD_CONFIG_DIR");
	want = (stat(LC_PMD_CONFIG_SRCDIR, &st) == 0 && S_ISDIR(st.st_mode)) ?
		LC_PMD_CONFIG_SRCDIR : LC_PMD_CONFIG_INSTDIR;
	CHECK(strcmp(lc_pmd_profile_dir(), want) == 0, "default dir: %s", lc_pmd_profile_dir());
}

static void
cleanup(void)
{
	char path[PATH_MAX];
	size_t i;

	for (i = 0; i < RTE_DIM(bad_files); i++) {
		snprintf(path, sizeof(path), "%s/bad%zu.ini", tmpdir, i);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/custom.ini", tmpdir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/partial.ini", tmpdir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/empty.ini", tmpdir);
	unlink(path);
	rmdir(tmpdir);
}

int
main(int argc, char **argv)
{
	char dir[PATH_MAX];

	if (argc != 2 || realpath(argv[1], dir) == NULL) {
		fprintf(stderr, "usage: %s PMD_CONFIG_DIR (an existing directory)\n", argv[0]);
		return 2;
	}
	if (mkdtemp(tmpdir) == NULL) {
		fprintf(stderr, "mkdtemp: %s\n", strerror(errno));
		return 2;
	}

	test_defaults();
	test_shipped(dir);
	test_drivers(dir);
	test_explicit_file();
	test_bad_files(dir);
	test_dir(dir);
	cleanup();

	if (failures != 0) {
		fprintf(stderr, "test_pmd_profile: %d check(s) failed\n", failures);
		return 1;
	}
	printf("test_pmd_profile: all checks passed\n");
	return 0;
}
