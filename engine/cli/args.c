/* SPDX-License-Identifier: BSD-3-Clause */
/* Command-line parsing: every value is checked here, before the EAL starts. */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli/args.h"

enum {
	OPT_DURATION = 256,
	OPT_QUEUES,
	OPT_LCORES,
	OPT_PMD_CONFIG,
	OPT_EAL,
	OPT_TSTAMP_PRECISION,
	OPT_STATS_JSON,
	OPT_NO_DIRECT,
	OPT_FILE_MODE,
	OPT_ON_DISK_FULL,
	OPT_HELP,
	OPT_SOURCE,
	OPT_FORWARD,
	OPT_MTU,
};

static const struct option capture_opts[] = {
		{"interface", required_argument, NULL, 'i'},
		{"write", required_argument, NULL, 'w'},
		{"snapshot-length", required_argument, NULL, 's'},
		{"count", required_argument, NULL, 'c'},
		{"duration", required_argument, NULL, OPT_DURATION},
		{"queues", required_argument, NULL, OPT_QUEUES},
		{"lcores", required_argument, NULL, OPT_LCORES},
		{"pmd-config", required_argument, NULL, OPT_PMD_CONFIG},
		{"eal", required_argument, NULL, OPT_EAL},
		{"tstamp-precision", required_argument, NULL, OPT_TSTAMP_PRECISION},
		{"stats-json", required_argument, NULL, OPT_STATS_JSON},
		{"no-direct-io", no_argument, NULL, OPT_NO_DIRECT},
		{"file-mode", required_argument, NULL, OPT_FILE_MODE},
		{"on-disk-full", required_argument, NULL, OPT_ON_DISK_FULL},
		{"quiet", no_argument, NULL, 'q'},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, OPT_HELP},
		/* output format and rotation: parse_output_option() */
		{"file-size", required_argument, NULL, 'C'},
		{"rotate-seconds", required_argument, NULL, 'G'},
		{"file-count", required_argument, NULL, 'W'},
		{"post-rotate", required_argument, NULL, 'z'},
		{"format", required_argument, NULL, 'F'},
		{"filter", required_argument, NULL, 'f'},
		{"buffer-size", required_argument, NULL, 'B'},
		{"source", required_argument, NULL, OPT_SOURCE},
		{"forward", required_argument, NULL, OPT_FORWARD},
		{"mtu", required_argument, NULL, OPT_MTU},
		{NULL, 0, NULL, 0},
};

void
lc_cli_usage(FILE *f)
{
	fprintf(f, "Usage: linecap capture -i DEV [-i DEV ...] -w FILE [options]\n"
		   "       linecap list [--eal 'ARGS'] [-i DEV ...]\n"
		   "       linecap repair FILE [FILE...]   cut a capture cut short back to its "
		   "last whole record\n"
		   "       linecap --version\n"
		   "\n"
		   "capture options:\n"
		   "  -i DEV                   PCI address or DPDK devargs (net_null0,size=64), "
		   "repeatable\n"
		   "  -w FILE                  pcap output; %%q = writer index; - = stdout\n"
		   "  -s SNAPLEN               bytes kept per packet (default 262144; 0 = "
		   "default)\n"
		   "  -c COUNT                 stop after COUNT packets\n"
		   "  --duration SEC           stop after SEC seconds\n"
		   "  --queues N               rx queues per port = writers = files (default 1)\n"
		   "  --mtu N                  DPDK port MTU (default: from -s, up to the device's "
		   "maximum)\n"
		   "  --lcores auto|LIST       lcores, first is main (default auto)\n"
		   "  --pmd-config NAME|FILE   PMD profile (default: chosen by driver)\n"
		   "  --eal 'ARGS'             extra EAL arguments, e.g. '--no-huge -m 512'\n"
		   "  --tstamp-precision nano|micro   pcap timestamp resolution (default nano)\n"
		   "  --stats-json FILE        write the final counters as JSON\n"
		   "  --no-direct-io           buffered writes even where O_DIRECT works\n"
		   "  -Z UID[:GID]             after setup, run as UID:GID with no capabilities\n"
		   "  --file-mode OCTAL        permissions of output files (default 0600)\n"
		   "  --on-disk-full drop|stop  drop and retry until space returns (default), or "
		   "stop\n"
		   "  -q                       no live status line\n"
		   "  -v                       show DPDK's own messages\n"
		   "  -F pcap|pcapng           output format (default pcap)\n"
		   "  -C MB                    new file after MB x 1,000,000 bytes (files get "
		   "a number suffix)\n"
		   "  -G SEC                   new file on every multiple of SEC (wall clock); "
		   "strftime in -w\n"
		   "  -W N                     keep only the newest N files (per writer)\n"
		   "  -z CMD                   run CMD FILE on every finished file (with -C/-G)\n"
		   "  -f EXPR | trailing EXPR  tcpdump filter expression (pcap-filter(7))\n"
		   "  --source dpdk|pcap       force the DPDK or the libpcap path (default: "
		   "libpcap for kernel interfaces)\n"
		   "  -B KiB                   libpcap path: kernel buffer size (default 2048)\n"
		   "  --forward IFACE          also send every packet the filter accepts out of\n"
		   "                           IFACE, live, for tcpdump/Suricata/Zeek: a DPDK "
		   "device\n"
		   "                           (net_tap0,iface=lcfwd0 creates a TAP interface) or "
		   "a\n"
		   "                           kernel interface name (sent through "
		   "net_af_packet);\n"
		   "                           DPDK path only; counted as forwarded / dropped by "
		   "forward\n");
}

static int
parse_u64(const char *opt, const char *s, uint64_t min, uint64_t max, uint64_t *out,
		struct lc_error *err)
{
	char *end;
	unsigned long long v;

	errno = 0;
	if (*s == '-' || *s == '\0')
		goto bad;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		goto bad;
	*out = v;
	return 0;
bad:
	return lc_error_set(err, LC_ERR_USAGE, "%s '%s': expected an integer from %llu to %llu",
			opt, s, (unsigned long long)min, (unsigned long long)max);
}

/* One -i DEV. */
static int
add_port(struct lc_capture_conf *c, const char *dev, struct lc_error *err)
{
	if (c->nb_ports >= LC_MAX_PORTS)
		return lc_error_set(err, LC_ERR_USAGE, "-i: at most %d devices", LC_MAX_PORTS);
	if (dev[0] == '\0' || strlen(dev) >= sizeof(c->ports[0].devargs))
		return lc_error_set(err, LC_ERR_USAGE, "-i '%s': bad device", dev);
	snprintf(c->ports[c->nb_ports++].devargs, sizeof(c->ports[0].devargs), "%s", dev);
	return 0;
}

static int
check_output_dir(const char *path, struct lc_error *err)
{
	char copy[PATH_MAX];
	const char *dir;

	if (strcmp(path, "-") == 0)
		return 0;
	snprintf(copy, sizeof(copy), "%s", path);
	dir = dirname(copy);
	if (access(dir, W_OK | X_OK) != 0)
		return lc_error_set(err, LC_ERR_OUTPUT, "cannot write '%s': directory '%s': %s",
				path, dir, strerror(errno));
	return 0;
}

/* -F, -C, -G, -W, -z: output format and rotation. */
static int
parse_output_option(struct lc_capture_conf *c, int opt, const char *val, struct lc_error *err)
{
	uint64_t v = 0;
	double mb;
	char *end;

	switch (opt) {
	case 'F':
		if (strcmp(val, "pcap") != 0 && strcmp(val, "pcapng") != 0)
			return lc_error_set(
					err, LC_ERR_USAGE, "-F '%s': expected pcap or pcapng", val);
		snprintf(c->format, sizeof(c->format), "%s", val);
		return 0;
	case 'C':
		/* tcpdump: millions of bytes; a fraction is allowed here. */
		errno = 0;
		mb = strtod(val, &end);
		if (errno != 0 || end == val || *end != '\0' || !isfinite(mb) || mb <= 0 ||
				mb > 1e12 || mb * 1e6 < 1)
			return lc_error_set(err, LC_ERR_USAGE,
					"-C '%s': expected a file size in MB (1,000,000 bytes) > 0",
					val);
		c->rotate_bytes = (uint64_t)(mb * 1e6);
		return 0;
	case 'G':
		if (parse_u64("-G", val, 1, UINT64_C(3153600000), &v, err) < 0)
			return -1;
		c->rotate_secs = (uint32_t)v;
		return 0;
	case 'W':
		if (parse_u64("-W", val, 1, 1000000, &v, err) < 0)
			return -1;
		c->rotate_files = (uint32_t)v;
		return 0;
	default: /* 'z' */
		if (val[0] == '\0' || strlen(val) >= sizeof(c->post_rotate))
			return lc_error_set(err, LC_ERR_USAGE, "-z: bad command");
		snprintf(c->post_rotate, sizeof(c->post_rotate), "%s", val);
		return 0;
	}
}

/* The device name of a devargs string: up to the first ','. */
static size_t
dev_name_len(const char *devargs)
{
	return strcspn(devargs, ",");
}

/*
 * The kernel interface a device string sends to or reads from: its iface=
 * (net_tap, net_af_packet, net_af_xdp) or rx_iface= / rx_iface_in= (net_pcap)
 * argument, or the string itself when it is a bare name; "" for anything
 * else. Returns its length.
 */
static size_t
dev_kernel_iface(const char *devargs, const char **iface)
{
	static const char *const keys[] = {"iface=", "rx_iface=", "rx_iface_in="};
	const char *p = devargs;
	unsigned int k;

	if (strpbrk(devargs, ",:/=") == NULL) {
		*iface = devargs;
		return strlen(devargs);
	}
	while ((p = strchr(p, ',')) != NULL) {
		p++;
		for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
			if (strncmp(p, keys[k], strlen(keys[k])) == 0) {
				*iface = p + strlen(keys[k]);
				return strcspn(*iface, ",");
			}
	}
	*iface = "";
	return 0;
}

/*
 * --forward IFACE: not one of the -i devices, nor a port on the kernel
 * interface a -i port captures (every forwarded packet would come back).
 */
static int
check_forward(const struct lc_capture_conf *c, struct lc_error *err)
{
	size_t n = dev_name_len(c->forward), fl, il;
	const char *fi, *ii;
	unsigned int p;

	if (c->forward[0] == '\0')
		return 0;
	fl = dev_kernel_iface(c->forward, &fi);
	for (p = 0; p < c->nb_ports; p++) {
		if (dev_name_len(c->ports[p].devargs) == n &&
				strncasecmp(c->ports[p].devargs, c->forward, n) == 0)
			return lc_error_set(err, LC_ERR_USAGE,
					"--forward '%s' is the capture device '%s' (-i): forward "
					"to "
					"another port",
					c->forward, c->ports[p].devargs);
		il = dev_kernel_iface(c->ports[p].devargs, &ii);
		if (fl > 0 && il == fl && strncmp(fi, ii, fl) == 0)
			return lc_error_set(err, LC_ERR_USAGE,
					"--forward '%s' sends to kernel interface '%.*s', which -i "
					"'%s' captures: every forwarded packet would be captured "
					"again",
					c->forward, (int)fl, fi, c->ports[p].devargs);
	}
	return 0;
}

/* -f, -B, --source, --forward: the rx-side options. */
static int
parse_rx_option(struct lc_capture_conf *c, int opt, const char *val, struct lc_error *err)
{
	uint64_t v = 0;

	switch (opt) {
	case OPT_FORWARD:
		if (c->forward[0] != '\0')
			return lc_error_set(err, LC_ERR_USAGE, "--forward: given twice");
		if (val[0] == '\0' || strlen(val) >= sizeof(c->forward))
			return lc_error_set(err, LC_ERR_USAGE, "--forward '%s': bad device", val);
		snprintf(c->forward, sizeof(c->forward), "%s", val);
		return 0;
	case 'f':
		if (c->filter_expr[0] != '\0')
			return lc_error_set(err, LC_ERR_USAGE, "-f: a filter is given twice");
		if (strlen(val) >= sizeof(c->filter_expr))
			return lc_error_set(err, LC_ERR_USAGE, "-f: expression too long");
		snprintf(c->filter_expr, sizeof(c->filter_expr), "%s", val);
		return 0;
	case 'B':
		/* tcpdump: -B is in KiB; libpcap takes bytes (int). */
		if (parse_u64("-B", val, 1, INT32_MAX / 1024, &v, err) < 0)
			return -1;
		c->buffer_kib = (uint32_t)v;
		return 0;
	default:
		if (strcmp(val, "dpdk") == 0)
			c->source = LC_SOURCE_DPDK;
		else if (strcmp(val, "pcap") == 0)
			c->source = LC_SOURCE_PCAP;
		else
			return lc_error_set(err, LC_ERR_USAGE,
					"--source '%s': expected dpdk or pcap", val);
		return 0;
	}
}

/* True if `s` has a strftime conversion (anything but %q and %%). */
static bool
has_time_conversion(const char *s)
{
	for (; *s != '\0'; s++)
		if (s[0] == '%' && s[1] != '\0') {
			if (s[1] != 'q' && s[1] != '%')
				return true;
			s++;
		}
	return false;
}

/* Rotation needs regular files in one fixed directory. */
static int
check_rotation(const struct lc_capture_conf *c, struct lc_error *err)
{
	char copy[PATH_MAX];
	bool rotating = c->rotate_bytes != 0 || c->rotate_secs != 0;

	if (!rotating && c->rotate_files != 0)
		return lc_error_set(err, LC_ERR_USAGE, "-W needs -C or -G");
	if (!rotating && c->post_rotate[0] != '\0')
		return lc_error_set(err, LC_ERR_USAGE, "-z needs -C or -G");
	if (!rotating)
		return 0;
	if (strcmp(c->output, "-") == 0)
		return lc_error_set(err, LC_ERR_USAGE, "-C/-G write files: not with -w -");
	snprintf(copy, sizeof(copy), "%s", c->output);
	if (strchr(dirname(copy), '%') != NULL)
		return lc_error_set(err, LC_ERR_USAGE,
				"-w '%s': %% conversions are allowed in the file name, not in its "
				"directory",
				c->output);
	if (c->rotate_secs != 0 && !has_time_conversion(c->output))
		return lc_error_set(err, LC_ERR_USAGE,
				"-G %u: put a strftime time in the -w name (e.g. "
				"cap-%%Y%%m%%d-%%H%%M%%S.pcap), or each file replaces the last",
				c->rotate_secs);
	return 0;
}

/* tcpdump: the words after the options, joined by spaces, are the filter. */
static int
filter_from_words(struct lc_capture_conf *c, char **words, int n, struct lc_error *err)
{
	size_t o = 0;
	int i;

	if (c->filter_expr[0] != '\0')
		return lc_error_set(err, LC_ERR_USAGE,
				"unexpected argument '%s': the filter is already given with -f",
				words[0]);
	for (i = 0; i < n; i++) {
		int k = snprintf(c->filter_expr + o, sizeof(c->filter_expr) - o, "%s%s",
				i ? " " : "", words[i]);

		if (k < 0 || (size_t)k >= sizeof(c->filter_expr) - o)
			return lc_error_set(err, LC_ERR_USAGE, "filter expression too long");
		o += (size_t)k;
	}
	return 0;
}

int
lc_cli_parse_capture(int argc, char **argv, struct lc_cli *cli, struct lc_error *err)
{
	struct lc_capture_conf *c = &cli->conf;
	uint64_t v = 0;
	bool have_w = false;
	int opt;

	lc_capture_conf_init(c);
	cli->file_mode = 0600;
	optind = 0; /* glibc: 0 re-initialises getopt fully, 1 may keep a half-parsed cluster */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":i:w:s:c:qvZ:F:C:G:W:z:f:B:", capture_opts, NULL)) !=
			-1) {
		switch (opt) {
		case 'i':
			if (add_port(c, optarg, err) < 0)
				return -1;
			break;
		case 'w':
			if (optarg[0] == '\0' || strlen(optarg) >= sizeof(c->output))
				return lc_error_set(err, LC_ERR_USAGE, "-w: bad file name");
			snprintf(c->output, sizeof(c->output), "%s", optarg);
			have_w = true;
			break;
		case 's':
			if (parse_u64("-s", optarg, 0, LC_DEFAULT_SNAPLEN, &v, err) < 0)
				return -1;
			/* tcpdump: -s 0 means the default, 262144. */
			c->snaplen = v == 0 ? LC_DEFAULT_SNAPLEN : (uint32_t)v;
			break;
		case 'c':
			if (parse_u64("-c", optarg, 1, UINT64_MAX / 2, &c->count, err) < 0)
				return -1;
			break;
		case OPT_DURATION: {
			char *end;
			double d;

			errno = 0;
			d = strtod(optarg, &end);
			if (errno != 0 || *end != '\0' || end == optarg || !isfinite(d) || d <= 0 ||
					d > 1e9)
				return lc_error_set(err, LC_ERR_USAGE,
						"--duration '%s': expected a number of seconds > 0",
						optarg);
			c->duration = d;
			break;
		}
		case OPT_QUEUES:
			if (parse_u64("--queues", optarg, 1, LC_MAX_QUEUES, &v, err) < 0)
				return -1;
			c->nb_queues = (uint16_t)v;
			break;
		case OPT_MTU:
			if (parse_u64("--mtu", optarg, 68, UINT16_MAX, &v, err) < 0)
				return -1;
			c->mtu = (uint32_t)v;
			break;
		case OPT_LCORES:
			if (strlen(optarg) >= sizeof(c->lcores) || optarg[0] == '\0')
				return lc_error_set(err, LC_ERR_USAGE, "--lcores: bad value");
			snprintf(c->lcores, sizeof(c->lcores), "%s", optarg);
			break;
		case OPT_PMD_CONFIG:
			if (strlen(optarg) >= sizeof(c->pmd_config) || optarg[0] == '\0')
				return lc_error_set(err, LC_ERR_USAGE, "--pmd-config: bad value");
			snprintf(c->pmd_config, sizeof(c->pmd_config), "%s", optarg);
			break;
		case OPT_EAL:
			if (strlen(optarg) >= sizeof(c->eal_args))
				return lc_error_set(err, LC_ERR_USAGE, "--eal: too long");
			snprintf(c->eal_args, sizeof(c->eal_args), "%s", optarg);
			break;
		case OPT_TSTAMP_PRECISION:
			if (strcmp(optarg, "nano") == 0)
				c->tstamp_precision = LC_TSTAMP_NANO;
			else if (strcmp(optarg, "micro") == 0)
				c->tstamp_precision = LC_TSTAMP_MICRO;
			else
				return lc_error_set(err, LC_ERR_USAGE,
						"--tstamp-precision '%s': expected nano or micro",
						optarg);
			break;
		case OPT_STATS_JSON:
			if (strlen(optarg) >= sizeof(c->stats_json) || optarg[0] == '\0')
				return lc_error_set(
						err, LC_ERR_USAGE, "--stats-json: bad file name");
			snprintf(c->stats_json, sizeof(c->stats_json), "%s", optarg);
			break;
		case OPT_NO_DIRECT:
			c->direct_io = false;
			break;
		case OPT_ON_DISK_FULL:
			if (strcmp(optarg, "drop") == 0)
				c->stop_on_disk_full = false;
			else if (strcmp(optarg, "stop") == 0)
				c->stop_on_disk_full = true;
			else
				return lc_error_set(err, LC_ERR_USAGE,
						"--on-disk-full '%s': expected drop or stop",
						optarg);
			break;
		case OPT_FILE_MODE: {
			char *end;
			unsigned long m;

			errno = 0;
			m = strtoul(optarg, &end, 8);
			if (errno != 0 || *end != '\0' || end == optarg || optarg[0] == '-' ||
					m > 0777)
				return lc_error_set(err, LC_ERR_USAGE,
						"--file-mode '%s': expected octal permissions such "
						"as 0600 or 0644",
						optarg);
			cli->file_mode = (mode_t)m;
			break;
		}
		case 'q':
			c->quiet = true;
			break;
		case 'v':
			cli->verbose = true;
			break;
		case 'Z':
			if (lc_privs_parse(optarg, &cli->privs, err) < 0)
				return -1;
			break;
		case 'F':
		case 'C':
		case 'G':
		case 'W':
		case 'z':
			if (parse_output_option(c, opt, optarg, err) < 0)
				return -1;
			break;
		case OPT_HELP:
			lc_cli_usage(stdout);
			exit(0);
		case 'f':
		case 'B':
		case OPT_SOURCE:
		case OPT_FORWARD:
			if (parse_rx_option(c, opt, optarg, err) < 0)
				return -1;
			break;
		case ':':
			return lc_error_set(err, LC_ERR_USAGE,
					"option '%s' needs a value (see --help)", argv[optind - 1]);
		default:
			return lc_error_set(err, LC_ERR_USAGE, "unknown option '%s' (see --help)",
					argv[optind - 1]);
		}
	}
	if (optind < argc && filter_from_words(c, argv + optind, argc - optind, err) < 0)
		return -1;
	if (c->nb_ports == 0)
		return lc_error_set(err, LC_ERR_USAGE,
				"no device: give one with -i (see 'linecap list')");
	if (!have_w)
		return lc_error_set(err, LC_ERR_USAGE,
				"no output: give -w FILE, or -w - to write pcap to stdout");
	if (c->stats_json[0] != '\0' && check_output_dir(c->stats_json, err) < 0)
		return -1;
	if (check_rotation(c, err) < 0 || check_forward(c, err) < 0)
		return -1;
	return check_output_dir(c->output, err);
}

int
lc_cli_parse_list(int argc, char **argv, struct lc_cli *cli, struct lc_error *err)
{
	struct lc_capture_conf *c = &cli->conf;
	int opt;

	lc_capture_conf_init(c);
	optind = 0; /* glibc: 0 re-initialises getopt fully, 1 may keep a half-parsed cluster */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":i:v", capture_opts, NULL)) != -1) {
		switch (opt) {
		case 'i':
			if (add_port(c, optarg, err) < 0)
				return -1;
			break;
		case OPT_EAL:
			if (strlen(optarg) >= sizeof(c->eal_args))
				return lc_error_set(err, LC_ERR_USAGE, "--eal: too long");
			snprintf(c->eal_args, sizeof(c->eal_args), "%s", optarg);
			break;
		case 'v':
			cli->verbose = true;
			break;
		case ':':
			return lc_error_set(err, LC_ERR_USAGE, "option '%s' needs a value",
					argv[optind - 1]);
		default:
			return lc_error_set(err, LC_ERR_USAGE, "list: unknown option '%s'",
					argv[optind - 1]);
		}
	}
	if (optind < argc)
		return lc_error_set(
				err, LC_ERR_USAGE, "list: unexpected argument '%s'", argv[optind]);
	return 0;
}
