/* SPDX-License-Identifier: BSD-3-Clause */
/* Control plane: a writer's output (the -w name, %q expanded) and its file header. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/utsname.h>

#include "core/engine_priv.h"
#include "core/rotate.h"
#include "index/index.h"
#include "lc_build_config.h"

/* Bytes per medium write while O_DIRECT; see docs/benchmarks.md. */
#define LC_BLOCK_SIZE (1u << 20)

/*
 * --compress: a block becomes one zstd frame, and a .zst's index unit is a frame: at
 * most an index unit's worth of records (index/index.h), so that an indexed query
 * decodes no more than it would read of the plain file.
 */
#define LC_ZBLOCK_SIZE LC_IDX_FRAME_UNIT

/*
 * Expand %q (writer index) in the -w pattern; "%%" is a literal '%', kept as
 * "%%" when strftime runs on the name later (-G).
 */
static int
output_path(const char *pattern, unsigned int writer, bool keep_percent, char *out, size_t len,
		struct lc_error *err)
{
	size_t o = 0;
	const char *p;

	for (p = pattern; *p != '\0'; p++) {
		int n;

		if (p[0] == '%' && p[1] == 'q') {
			n = snprintf(out + o, len - o, "%u", writer);
			p++;
		} else if (p[0] == '%' && p[1] == '%') {
			n = snprintf(out + o, len - o, keep_percent ? "%%%%" : "%%");
			p++;
		} else {
			n = snprintf(out + o, len - o, "%c", *p);
		}
		if (n < 0 || (size_t)n >= len - o)
			return lc_error_set(err, LC_ERR_USAGE, "-w: file name too long");
		o += (size_t)n;
	}
	return 0;
}

int
lc_writer_open(struct lc_engine *e, struct lc_writer_task *w, struct lc_error *err)
{
	const struct lc_capture_conf *c = &e->conf;
	struct lc_medium *m = &w->files[0].medium; /* no rotation: one file, slot 0 */
	bool rotating = lc_rotate_enabled(e);

	w->snaplen = c->snaplen;
	w->nanosecond = c->tstamp_precision == LC_TSTAMP_NANO;
	w->clock = e->tsc_clock;
	w->tsc_hz = lc_tsc_hz();
	w->stop_on_disk_full = c->stop_on_disk_full;
	w->flush_ms = c->flush_ms;
	w->zlevel = c->compress == LC_COMPRESS_ZSTD ? c->compress_level : 0;
	if (output_path(c->output, w->id, rotating && c->rotate_secs != 0, e->writer_path[w->id],
			    PATH_MAX, err) < 0)
		return -1;
	/* With rotation, core/rotate.c opens the files (lc_rotate_setup). */
	if (rotating)
		return 0;
	if (lc_medium_fd_ops.open(m, e->writer_path[w->id], c->direct_io, err) < 0)
		return -1;
	w->o_direct = m->direct;
	return 0;
}

/* "Linux 6.1.0-18-amd64", for pcapng's shb_os. */
static void
host_os(char *buf, size_t len)
{
	struct utsname u;

	if (uname(&u) == 0)
		snprintf(buf, len, "%s %s", u.sysname, u.release);
	else
		snprintf(buf, len, "Linux");
}

/* The CPU model, for pcapng's shb_hardware. */
static void
host_cpu(char *buf, size_t len)
{
	char line[512];
	FILE *f = fopen("/proc/cpuinfo", "r");

	buf[0] = '\0';
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		char *colon = strchr(line, ':');

		if (strncmp(line, "model name", 10) != 0 || colon == NULL)
			continue;
		colon += 1 + strspn(colon + 1, " \t");
		colon[strcspn(colon, "\n")] = '\0';
		snprintf(buf, len, "%s", colon);
		break;
	}
	fclose(f);
}

/*
 * The file header, once the rings are known: pcapng has one interface per
 * ring of this writer (EPB interface id = ring index).
 */
int
lc_writer_header(struct lc_engine *e, struct lc_writer_task *w, struct lc_error *err)
{
	static char os[256], cpu[256];
	struct if_text {
		char name[RTE_DEV_NAME_MAX_LEN + 16];
		char desc[sizeof(e->conf.ports[0].devargs) + 128];
	} *text = calloc((size_t)LC_WRITER_MAX_RINGS, sizeof(*text));
	struct lc_format_if ifs[LC_WRITER_MAX_RINGS];
	struct lc_format_info fi = {
			.snaplen = e->conf.snaplen,
			.linktype = e->linktype,
			.nanosecond = w->nanosecond,
			.filter = e->conf.filter_expr,
			.os = os,
			.hardware = cpu,
			.application = "linecap " LC_VERSION,
			.nb_ifs = w->nb_rings,
			.ifs = ifs,
	};
	size_t room = LC_BLOCK_SIZE / 2, len, block;
	uint8_t *header;
	uint16_t r;
	int ret;

	if (text == NULL)
		return lc_error_set(err, LC_ERR_RUNTIME, "out of memory for the file header");
	if (os[0] == '\0') {
		host_os(os, sizeof(os));
		host_cpu(cpu, sizeof(cpu));
	}
	for (r = 0; r < w->nb_rings; r++) {
		const struct lc_rx_task *t = w->producers[r];
		unsigned int p;

		for (p = 0; p < e->nb_ports && e->ports[p].port_id != t->port_id; p++)
			;
		if (p == e->nb_ports) {
			free(text);
			return lc_error_set(err, LC_ERR_RUNTIME, "writer %u: ring %u has no port",
					w->id, r);
		}
		if (e->ports[p].nb_rxq > 1)
			snprintf(text[r].name, sizeof(text[r].name), "%s/q%u", e->ports[p].name,
					t->queue_id);
		else
			snprintf(text[r].name, sizeof(text[r].name), "%s", e->ports[p].name);
		snprintf(text[r].desc, sizeof(text[r].desc), "%s (%s, port %u, queue %u)",
				e->conf.ports[p].devargs, e->ports[p].driver, t->port_id,
				t->queue_id);
		ifs[r].name = text[r].name;
		ifs[r].description = text[r].desc;
	}
	header = malloc(room);
	len = header == NULL ? 0 : e->format->file_header(header, room, &fi);
	/* A header must fit in half a block: a huge pcapng one keeps 1 MiB frames. */
	block = w->zlevel != 0 && len < LC_ZBLOCK_SIZE / 2 ? LC_ZBLOCK_SIZE : LC_BLOCK_SIZE;
	ret = header == NULL ? -ENOMEM
	      : len == 0     ? -EINVAL
			     : lc_writer_init(w, block, e->format, header, len);
	free(header);
	free(text);
	if (ret == -EINVAL)
		return lc_error_set(err, LC_ERR_USAGE,
				"the %s file header does not fit in %zu bytes", e->format->name,
				room);
	if (ret == -ENOTSUP)
		return lc_error_set(err, LC_ERR_RUNTIME, "--compress: cannot set up zstd level %d",
				w->zlevel);
	if (ret < 0)
		return lc_error_set(err, LC_ERR_RUNTIME, "out of memory for the write buffers");
	return 0;
}
