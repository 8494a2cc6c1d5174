/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_af_packet in DPDK 22.11 never reads PACKET_STATISTICS, so frames the
 * kernel dropped because the port's mmap ring was full would vanish without a
 * count. Its sockets live in this process: the ones that appear while the
 * device is probed are the port's, and their tp_drops are read here into
 * imissed. The kernel clears the counters on every read, so reads add up.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <linux/if_packet.h>

#include "sources/afpacket_drops.h"

bool
lc_afp_is_devargs(const char *devargs)
{
	return strncmp(devargs, "net_af_packet", strlen("net_af_packet")) == 0 ||
	       strncmp(devargs, "eth_af_packet", strlen("eth_af_packet")) == 0;
}

static bool
is_packet_socket(int fd)
{
	struct stat st;
	int domain = 0;
	socklen_t len = sizeof(domain);

	if (fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode))
		return false;
	return getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) == 0 && domain == AF_PACKET;
}

void
lc_afp_fdset_take(struct lc_afp_fdset *set)
{
	DIR *dir = opendir("/proc/self/fd");
	const struct dirent *ent;

	memset(set, 0, sizeof(*set));
	if (dir == NULL) {
		set->overflow = true; /* unknown: attach nothing */
		return;
	}
	while ((ent = readdir(dir)) != NULL) {
		char *end;
		long fd = strtol(ent->d_name, &end, 10);

		if (*end != '\0' || fd < 0 || fd == dirfd(dir) || !is_packet_socket((int)fd))
			continue;
		if (set->n == sizeof(set->fds) / sizeof(set->fds[0]))
			set->overflow = true;
		else
			set->fds[set->n++] = (int)fd;
	}
	closedir(dir);
}

static bool
fdset_has(const struct lc_afp_fdset *set, int fd)
{
	unsigned int i;

	for (i = 0; i < set->n; i++)
		if (set->fds[i] == fd)
			return true;
	return false;
}

unsigned int
lc_afp_drops_attach(struct lc_afp_drops *d, const struct lc_afp_fdset *before)
{
	struct lc_afp_fdset now;
	unsigned int i;

	memset(d, 0, sizeof(*d));
	lc_afp_fdset_take(&now);
	if (before->overflow || now.overflow)
		return 0;
	for (i = 0; i < now.n; i++) {
		if (fdset_has(before, now.fds[i]))
			continue;
		if (d->n == LC_AFP_MAX_SOCKETS) {
			d->n = 0; /* not this port's alone: do not guess */
			return 0;
		}
		d->fds[d->n++] = now.fds[i];
	}
	return d->n;
}

void
lc_afp_drops_clear(struct lc_afp_drops *d)
{
	lc_afp_drops_read(d);
	d->drops = 0;
}

void
lc_afp_drops_read(struct lc_afp_drops *d)
{
	unsigned int i;

	for (i = 0; i < d->n; i++) {
		struct tpacket_stats st;
		socklen_t len = sizeof(st);

		if (getsockopt(d->fds[i], SOL_PACKET, PACKET_STATISTICS, &st, &len) == 0)
			d->drops += st.tp_drops;
	}
}
