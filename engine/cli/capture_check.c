/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `linecap capture`: the checks after parsing that need more than the
 * options themselves: output directories (access(2)), rotation names,
 * --forward against the -i devices. Order is that of the messages users
 * have always seen: stats JSON directory, rotation, forward, output.
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/args.h"

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
	if (!rotating && (c->max_disk != 0 || c->min_free > 0))
		return lc_error_set(err, LC_ERR_USAGE,
				"%s needs -C or -G: it deletes finished files",
				c->max_disk != 0 ? "--max-disk" : "--min-free");
	if (!rotating)
		return 0;
	if (c->max_disk != 0 && c->rotate_bytes == 0)
		return lc_error_set(err, LC_ERR_USAGE,
				"--max-disk needs -C: with -G alone a file's size has no bound");
	if (c->max_disk != 0 && c->max_disk / 2 < c->rotate_bytes)
		return lc_error_set(err, LC_ERR_USAGE,
				"--max-disk %llu: smaller than two files of -C (2 x %llu bytes)",
				(unsigned long long)c->max_disk,
				(unsigned long long)c->rotate_bytes);
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

int
lc_cli_check_capture(const struct lc_cli *cli, struct lc_error *err)
{
	const struct lc_capture_conf *c = &cli->conf;
	struct stat st;

	if (c->stats_json[0] != '\0' && check_output_dir(c->stats_json, err) < 0)
		return -1;
	if (check_rotation(c, err) < 0 || check_forward(c, err) < 0)
		return -1;
	if (c->compress != LC_COMPRESS_NONE && strcmp(c->output, "-") == 0)
		return lc_error_set(err, LC_ERR_USAGE,
				"--compress writes files: not with -w - (pipe through zstd "
				"instead)");
	if (c->compress != LC_COMPRESS_NONE && stat(c->output, &st) == 0 && S_ISFIFO(st.st_mode))
		return lc_error_set(err, LC_ERR_USAGE,
				"--compress writes files: '%s' is a pipe (pipe through zstd "
				"instead)",
				c->output);
	if (c->index && strcmp(c->output, "-") == 0)
		return lc_error_set(err, LC_ERR_USAGE,
				"--index writes a file beside each capture file: not with -w -");
	if (c->index && stat(c->output, &st) == 0 && !S_ISREG(st.st_mode))
		return lc_error_set(err, LC_ERR_USAGE,
				"--index writes a file beside each capture file: '%s' is not a "
				"regular file",
				c->output);
	return check_output_dir(c->output, err);
}

/*
 * The libpcap source (a kernel interface, --source pcap) starts no EAL and
 * probes no PMD: an option only a DPDK port can honour is refused, not
 * ignored (--queues works there: PACKET_FANOUT; --mtu is a warning, see
 * capture.c; --forward is refused by the engine). The other way round, -B
 * (the kernel socket's buffer) is refused on a DPDK port.
 */
int
lc_cli_check_pcap_source(const struct lc_cli *cli, struct lc_error *err)
{
	const struct lc_capture_conf *c = &cli->conf;
	const char *opt = NULL, *why = NULL;

	if (c->source != LC_SOURCE_PCAP) {
		/* The other way round: -B is the kernel socket's buffer. */
		if (c->buffer_kib == 0)
			return 0;
		return lc_error_set(err, LC_ERR_USAGE,
				"-B needs the libpcap source (a DPDK port buffers in its rx "
				"descriptors and the rx ring: [rx] descriptors and ring_size of a "
				"--pmd-config profile)");
	}
	if (strcmp(c->lcores, "auto") != 0) {
		opt = "--lcores";
		why = "runs one unpinned thread per --queues";
	} else if (c->pmd_config[0] != '\0') {
		opt = "--pmd-config";
		why = "has no PMD to configure";
	} else if (c->eal_args[0] != '\0') {
		opt = "--eal";
		why = "starts no EAL";
	}
	if (opt == NULL)
		return 0;
	return lc_error_set(err, LC_ERR_USAGE, "%s needs a DPDK port (the libpcap source %s)", opt,
			why);
}
