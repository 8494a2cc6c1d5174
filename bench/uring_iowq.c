/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * uring_iowq: where io_uring's workers run, and whether moving them helps
 * (issue 12; used by bench/iowq, not by linecap).
 *
 *   uring_iowq FILE SECONDS [--cpu N] [--iowq-cpu M] [--fallocate] [--bs KIB] [--qd N]
 *
 * The calling thread is pinned to CPU N (default 1) and behaves like linecap's
 * rx/writer lcore: it busy-polls, keeps QD O_DIRECT writes of BS KiB in
 * flight at increasing offsets (extending writes, which ext4 hands to an
 * io-wq worker), and between polls does units of "rx work" (a fixed loop).
 * The io-wq workers inherit the thread's affinity, so they share CPU N with
 * it; --iowq-cpu M moves them to CPU M (io_uring_register_iowq_aff).
 * --fallocate reserves the whole file first, so writes no longer extend it.
 *
 * Prints one JSON object: bytes written, GB/s, rx work units per second (the
 * CPU the busy thread kept), and the io-wq workers seen in /proc (how many,
 * on which CPUs, their CPU seconds).
 * Exit status: 0 done, 2 usage, 1 an I/O error.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_QD 64
#define WORK_LOOP 2000

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
usage(void)
{
	fputs("usage: uring_iowq FILE SECONDS [--cpu N] [--iowq-cpu M] [--fallocate] [--bs KIB] "
	      "[--qd N]\n",
			stderr);
	exit(2);
}

static long
num(const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
		usage();
	return v;
}

/* io-wq workers of this process: count, CPU list, CPU seconds */
static void
workers(FILE *out)
{
	char path[512], comm[64], buf[1024], cpus[256] = "", seen[256] = {0};
	long hz = sysconf(_SC_CLK_TCK);
	double secs = 0;
	int n = 0;
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;

	while (d != NULL && (e = readdir(d)) != NULL) {
		FILE *f;
		char *p;
		unsigned long ut = 0, st = 0;
		int cpu = -1, i;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/comm", e->d_name);
		f = fopen(path, "r");
		if (f == NULL)
			continue;
		if (fgets(comm, sizeof(comm), f) == NULL)
			comm[0] = '\0';
		fclose(f);
		if (strncmp(comm, "iou-wrk", 7) != 0)
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/stat", e->d_name);
		f = fopen(path, "r");
		if (f == NULL)
			continue;
		if (fgets(buf, sizeof(buf), f) == NULL)
			buf[0] = '\0';
		fclose(f);
		p = strrchr(buf, ')');
		if (p == NULL)
			continue;
		/* after ") ": state is field 1, utime 12, stime 13, processor 37 */
		p += 2;
		for (i = 1; i <= 37 && p != NULL; i++) {
			if (i == 12)
				ut = strtoul(p, NULL, 10);
			else if (i == 13)
				st = strtoul(p, NULL, 10);
			else if (i == 37)
				cpu = atoi(p);
			p = strchr(p, ' ');
			if (p != NULL)
				p++;
		}
		n++;
		secs += (double)(ut + st) / (double)hz;
		if (cpu >= 0 && cpu < (int)sizeof(seen) && !seen[cpu]) {
			size_t l = strlen(cpus);

			seen[cpu] = 1;
			snprintf(cpus + l, sizeof(cpus) - l, "%s%d", l ? "," : "", cpu);
		}
	}
	if (d != NULL)
		closedir(d);
	fprintf(out, "\"iowq_workers\": %d, \"iowq_cpus\": \"%s\", \"iowq_cpu_s\": %.2f", n, cpus,
			secs);
}

int
main(int argc, char **argv)
{
	long cpu = 1, iowq_cpu = -1, bs_kib = 1024, qd = 4, secs, inflight = 0, i;
	int fallocate_first = 0, fd, ret;
	struct io_uring ring;
	cpu_set_t set;
	void *bufs[MAX_QD];
	uint64_t off = 0, bytes = 0, units = 0;
	volatile uint64_t sink = 0;
	double t0, t1, end;

	if (argc < 3)
		usage();
	secs = num(argv[2], 1, 3600);
	for (i = 3; i < argc; i++) {
		if (strcmp(argv[i], "--cpu") == 0 && i + 1 < argc)
			cpu = num(argv[++i], 0, CPU_SETSIZE - 1);
		else if (strcmp(argv[i], "--iowq-cpu") == 0 && i + 1 < argc)
			iowq_cpu = num(argv[++i], 0, CPU_SETSIZE - 1);
		else if (strcmp(argv[i], "--bs") == 0 && i + 1 < argc)
			bs_kib = num(argv[++i], 4, 65536);
		else if (strcmp(argv[i], "--qd") == 0 && i + 1 < argc)
			qd = num(argv[++i], 1, MAX_QD);
		else if (strcmp(argv[i], "--fallocate") == 0)
			fallocate_first = 1;
		else
			usage();
	}
	CPU_ZERO(&set);
	CPU_SET((int)cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) != 0) {
		perror("uring_iowq: sched_setaffinity");
		return 1;
	}
	fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_DIRECT, 0644);
	if (fd < 0) {
		perror("uring_iowq: open");
		return 1;
	}
	if (fallocate_first) {
		/* the whole run at 4 GB/s: writes never extend the file */
		off_t len = (off_t)secs * 4000 * 1000 * 1000;

		if (fallocate(fd, 0, 0, len) != 0) {
			perror("uring_iowq: fallocate");
			return 1;
		}
	}
	for (i = 0; i < qd; i++) {
		if (posix_memalign(&bufs[i], 4096, (size_t)bs_kib * 1024) != 0)
			return 1;
		memset(bufs[i], 0x5a, (size_t)bs_kib * 1024);
	}
	ret = io_uring_queue_init((unsigned int)qd * 2, &ring, 0);
	if (ret < 0) {
		fprintf(stderr, "uring_iowq: io_uring_queue_init: %s\n", strerror(-ret));
		return 1;
	}
	if (iowq_cpu >= 0) {
		cpu_set_t w;

		CPU_ZERO(&w);
		CPU_SET((int)iowq_cpu, &w);
		ret = io_uring_register_iowq_aff(&ring, sizeof(w), &w);
		if (ret < 0) {
			fprintf(stderr, "uring_iowq: io_uring_register_iowq_aff: %s\n",
					strerror(-ret));
			return 1;
		}
	}
	t0 = now_s();
	end = t0 + (double)secs;
	for (;;) {
		struct io_uring_cqe *cqe;
		int j;

		t1 = now_s();
		/* keep QD writes in flight until the end, then drain */
		while (t1 < end && inflight < qd) {
			struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);

			if (sqe == NULL)
				break;
			io_uring_prep_write(sqe, fd, bufs[inflight % qd],
					(unsigned int)bs_kib * 1024, off);
			off += (uint64_t)bs_kib * 1024;
			inflight++;
		}
		if (io_uring_submit(&ring) < 0)
			return 1;
		while (io_uring_peek_cqe(&ring, &cqe) == 0) {
			if (cqe->res < 0) {
				fprintf(stderr, "uring_iowq: write: %s\n", strerror(-cqe->res));
				return 1;
			}
			bytes += (uint64_t)cqe->res;
			io_uring_cqe_seen(&ring, cqe);
			inflight--;
		}
		if (t1 >= end && inflight == 0)
			break;
		/* one unit of "rx work" between polls */
		for (j = 0; j < WORK_LOOP; j++)
			sink += (uint64_t)j;
		units++;
	}
	t1 = now_s();
	printf("{\"bytes\": %llu, \"seconds\": %.3f, \"gbs\": %.3f, \"work_units_per_s\": %.0f, "
	       "\"cpu\": %ld, \"iowq_cpu\": %ld, \"fallocate\": %s, \"bs_kib\": %ld, \"qd\": %ld, ",
			(unsigned long long)bytes, t1 - t0, (double)bytes / (t1 - t0) / 1e9,
			(double)units / (t1 - t0), cpu, iowq_cpu,
			fallocate_first ? "true" : "false", bs_kib, qd);
	workers(stdout);
	printf("}\n");
	io_uring_queue_exit(&ring);
	close(fd);
	unlink(argv[1]);
	return 0;
}
