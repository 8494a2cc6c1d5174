/* SPDX-License-Identifier: BSD-3-Clause */
/* EAL bring-up: hugepage checks, argument building, DPDK log capture. */
#include <dirent.h>
#include <sched.h>
#include <sys/mman.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_log.h>

#include <linecap/engine.h>

#include "core/engine_priv.h"
#include "core/lcore_plan.h"
#include "core/runtime_sweep.h"

#define MAX_EAL_ARGS 128

/* True when the runtime directory is ours alone, to remove at exit. */
static bool own_prefix;
static char runtime_dir[PATH_MAX];

/*
 * Registered before rte_eal_init, so it runs after the telemetry library's
 * own exit handler has removed its socket: the directory is empty by then.
 */
static void
remove_runtime_dir(void)
{
	if (own_prefix && runtime_dir[0] != '\0')
		rmdir(runtime_dir);
}

/*
 * rte_eal_init, with the runtime directory cleaned up at exit if ours. The
 * EAL prints some failures ("EAL: FATAL: ...") straight to stderr, and its
 * usage text to stdout, not to the log stream: hold both (stdout may be the
 * pcap stream of -w -), and show them on stderr only with -v.
 */
static int
eal_init(int argc, char **argv, bool verbose)
{
	static bool registered;
	int saved_out = -1, saved_err = -1, tmp;
	int ret;

	if (!registered) {
		atexit(remove_runtime_dir);
		registered = true;
		lc_runtime_sweep();
	}
	fflush(stdout);
	fflush(stderr);
	tmp = memfd_create("linecap-eal-output", MFD_CLOEXEC);
	if (tmp >= 0) {
		saved_out = dup(STDOUT_FILENO);
		saved_err = dup(STDERR_FILENO);
		if (saved_out < 0 || saved_err < 0 || dup2(tmp, STDOUT_FILENO) < 0 ||
				dup2(tmp, STDERR_FILENO) < 0) {
			close(tmp);
			tmp = -1;
		}
	}
	ret = rte_eal_init(argc, argv);
	if (tmp >= 0) {
		char buf[4096];
		ssize_t n;

		fflush(stdout);
		fflush(stderr);
		dup2(saved_out, STDOUT_FILENO);
		dup2(saved_err, STDERR_FILENO);
		lseek(tmp, 0, SEEK_SET);
		while (verbose && (n = read(tmp, buf, sizeof(buf))) > 0)
			fwrite(buf, 1, (size_t)n, stderr);
		close(tmp);
	}
	if (saved_out >= 0)
		close(saved_out);
	if (saved_err >= 0)
		close(saved_err);
	if (ret >= 0)
		snprintf(runtime_dir, sizeof(runtime_dir), "%s", rte_eal_get_runtime_dir());
	return ret;
}

/* DPDK's log goes here until the engine is built: one error line of ours. */
static FILE *held_log;
static char *held_buf;
static size_t held_len;

static void
hold_dpdk_log(void)
{
	held_log = open_memstream(&held_buf, &held_len);
	if (held_log != NULL)
		rte_openlog_stream(held_log);
}

void
lc_eal_release_log(bool show)
{
	if (held_log == NULL)
		return;
	rte_openlog_stream(stderr);
	fclose(held_log);
	held_log = NULL;
	if (show && held_len > 0)
		fputs(held_buf, stderr);
	free(held_buf);
	held_buf = NULL;
	held_len = 0;
}

/* Split --eal text on blanks, honouring '...' and "..." quotes. */
static int
split_args(char *s, char **argv, int max, struct lc_error *err)
{
	int argc = 0;
	char *r = s, *w = s;

	while (*r != '\0') {
		char quote = 0;

		while (*r == ' ' || *r == '\t')
			r++;
		if (*r == '\0')
			break;
		if (argc >= max)
			return lc_error_set(err, LC_ERR_USAGE, "--eal: too many arguments");
		argv[argc++] = w;
		while (*r != '\0' && (quote != 0 || (*r != ' ' && *r != '\t'))) {
			if (quote == 0 && (*r == '\'' || *r == '"'))
				quote = *r++;
			else if (quote != 0 && *r == quote)
				quote = 0, r++;
			else
				*w++ = *r++;
		}
		if (quote != 0)
			return lc_error_set(err, LC_ERR_USAGE, "--eal: unterminated quote");
		if (*r != '\0')
			r++;
		*w++ = '\0';
	}
	return argc;
}

static bool
has_arg(char **argv, int argc, const char *const *names)
{
	int i, j;

	for (i = 0; i < argc; i++)
		for (j = 0; names[j] != NULL; j++) {
			size_t n = strlen(names[j]);

			if (strncmp(argv[i], names[j], n) == 0 &&
					(argv[i][n] == '\0' || argv[i][n] == '='))
				return true;
		}
	return false;
}

/* Free pages over all sizes; -1 if the kernel has no hugepage support. */
static long
free_hugepages(void)
{
	const char *base = "/sys/kernel/mm/hugepages";
	DIR *d = opendir(base);
	struct dirent *de;
	long total = 0;
	bool any = false;

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		char path[512];
		FILE *f;
		long v;

		if (strncmp(de->d_name, "hugepages-", 10) != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s/free_hugepages", base, de->d_name);
		f = fopen(path, "r");
		if (f == NULL)
			continue;
		any = true;
		if (fscanf(f, "%ld", &v) == 1)
			total += v;
		fclose(f);
	}
	closedir(d);
	return any ? total : -1;
}

static bool
hugetlbfs_mounted(void)
{
	FILE *f = fopen("/proc/mounts", "r");
	char line[1024];
	bool found = false;

	if (f == NULL)
		return false;
	while (!found && fgets(line, sizeof(line), f) != NULL)
		found = strstr(line, " hugetlbfs ") != NULL;
	fclose(f);
	return found;
}

int
lc_eal_setup(const struct lc_capture_conf *conf, bool verbose, struct lc_error *err)
{
	static const char *const lcore_opts[] = {"-l", "-c", "--lcores", "--main-lcore", NULL};
	static const char *const nohuge_opts[] = {"--no-huge", NULL};
	static const char *const inmem_opts[] = {"--in-memory", NULL};
	static const char *const prefix_opts[] = {"--file-prefix", NULL};
	static const char *const loglevel_opts[] = {"--log-level", NULL};
	static const char *const devsel_opts[] = {
			"-a", "--allow", "-b", "--block", "--no-pci", NULL};
	static char eal_text[sizeof(conf->eal_args)];
	static char lcore_list[LC_MAX_CPUS * 5];
	static char main_str[16], prefix[64];
	static char *argv[MAX_EAL_ARGS];
	char *user[MAX_EAL_ARGS];
	struct lc_cpu_pick pick;
	int argc = 0, nb_user, i, ret;
	unsigned int p, nb_pci = 0;
	bool no_huge, in_memory;

	snprintf(eal_text, sizeof(eal_text), "%s", conf->eal_args);
	nb_user = split_args(eal_text, user, MAX_EAL_ARGS - 32 - (int)conf->nb_ports * 2, err);
	if (nb_user < 0)
		return -1;
	if (has_arg(user, nb_user, lcore_opts))
		return lc_error_set(err, LC_ERR_USAGE,
				"--eal must not choose lcores (-l/-c/--lcores/--main-lcore); use "
				"linecap's --lcores");
	no_huge = has_arg(user, nb_user, nohuge_opts);
	in_memory = has_arg(user, nb_user, inmem_opts);
	if (no_huge && in_memory)
		return lc_error_set(err, LC_ERR_USAGE,
				"--eal: --no-huge and --in-memory exclude each other; give one of "
				"them");

	if (!no_huge) {
		long nb_free = free_hugepages();

		if (nb_free <= 0)
			return lc_error_set(err, LC_ERR_HUGEPAGES,
					"no free hugepages are reserved: run 'scripts/hugepages "
					"1024' as root, or run without them with --eal '--no-huge "
					"-m 512'");
		if (has_arg(user, nb_user, prefix_opts) && !in_memory && !hugetlbfs_mounted())
			return lc_error_set(err, LC_ERR_HUGEPAGES,
					"hugetlbfs is not mounted: run 'scripts/hugepages 1024' as "
					"root, or add --in-memory to --eal");
	}

	for (p = 0; p < conf->nb_ports; p++)
		nb_pci += lc_is_pci_addr(conf->ports[p].devargs);
	nb_pci += lc_is_pci_addr(conf->forward);
	if (lc_lcore_pick(conf, conf->nb_ports * conf->nb_queues * 2, &pick, err) < 0)
		return -1;
	lc_lcore_list_str(&pick, lcore_list, sizeof(lcore_list));
	snprintf(main_str, sizeof(main_str), "%u", pick.cpus[0]);
	lc_plan_set_pick(&pick);

	argv[argc++] = (char *)(uintptr_t) "linecap";
	argv[argc++] = (char *)(uintptr_t) "-l";
	argv[argc++] = lcore_list;
	argv[argc++] = (char *)(uintptr_t) "--main-lcore";
	argv[argc++] = main_str;
	if (!has_arg(user, nb_user, prefix_opts)) {
		/* A private prefix: instances never collide on names or files. */
		snprintf(prefix, sizeof(prefix), "--file-prefix=" LC_RUNTIME_PREFIX "%d",
				(int)getpid());
		argv[argc++] = prefix;
		/* Nothing shared, nothing left behind in /var/run/dpdk. */
		if (!no_huge && !in_memory)
			argv[argc++] = (char *)(uintptr_t) "--in-memory";
		else if (no_huge)
			argv[argc++] = (char *)(uintptr_t) "--no-shconf";
		own_prefix = true;
	}
	if (!verbose && !has_arg(user, nb_user, loglevel_opts))
		argv[argc++] = (char *)(uintptr_t) "--log-level=*:warning";
	if (nb_pci == 0 && !has_arg(user, nb_user, devsel_opts)) {
		/* Only vdevs asked for: do not grab every DPDK-bound NIC. */
		argv[argc++] = (char *)(uintptr_t) "--no-pci";
	}
	for (p = 0; p < conf->nb_ports; p++) {
		if (!lc_is_pci_addr(conf->ports[p].devargs))
			continue;
		argv[argc++] = (char *)(uintptr_t) "-a";
		argv[argc++] = (char *)(uintptr_t)conf->ports[p].devargs;
	}
	if (lc_is_pci_addr(conf->forward)) {
		/* --forward to a NIC port: allowed like the -i ones. */
		argv[argc++] = (char *)(uintptr_t) "-a";
		argv[argc++] = (char *)(uintptr_t)conf->forward;
	}
	for (i = 0; i < nb_user; i++)
		argv[argc++] = user[i];
	argv[argc] = NULL;

	hold_dpdk_log();
	ret = eal_init(argc, argv, verbose);
	if (ret < 0) {
		int e = rte_errno;

		lc_eal_release_log(verbose);
		if (e == EALREADY)
			return lc_error_set(err, LC_ERR_EAL, "the EAL is already initialised");
		return lc_error_set(err, LC_ERR_EAL,
				"DPDK EAL initialisation failed (%s); run with -v to see DPDK's "
				"messages",
				rte_strerror(e));
	}
	return 0;
}

void
lc_eal_teardown(void)
{
	lc_eal_release_log(false);
	rte_eal_cleanup();
}

int
lc_eal_setup_control(const struct lc_capture_conf *conf, bool verbose, struct lc_error *err)
{
	static const char *const mem_opts[] = {
			"--no-huge", "--in-memory", "-m", "--socket-mem", NULL};
	static const char *const prefix_opts[] = {"--file-prefix", NULL};
	static const char *const lcore_opts[] = {"-l", "-c", "--lcores", "--main-lcore", NULL};
	static char eal_text[sizeof(conf->eal_args)];
	static char lcore[16], prefix[64];
	static char *argv[MAX_EAL_ARGS];
	char *user[MAX_EAL_ARGS];
	cpu_set_t allowed;
	int argc = 0, nb_user, i, cpu = 0;

	snprintf(eal_text, sizeof(eal_text), "%s", conf->eal_args);
	nb_user = split_args(eal_text, user, MAX_EAL_ARGS - 16, err);
	if (nb_user < 0)
		return -1;
	if (sched_getaffinity(0, sizeof(allowed), &allowed) == 0)
		while (cpu < CPU_SETSIZE - 1 && !CPU_ISSET(cpu, &allowed))
			cpu++;
	argv[argc++] = (char *)(uintptr_t) "linecap";
	if (!has_arg(user, nb_user, lcore_opts)) {
		snprintf(lcore, sizeof(lcore), "%d", cpu);
		argv[argc++] = (char *)(uintptr_t) "-l";
		argv[argc++] = lcore;
	}
	/* Listing needs no packet memory: no hugepages, no shared files. */
	if (!has_arg(user, nb_user, mem_opts)) {
		argv[argc++] = (char *)(uintptr_t) "--no-huge";
		argv[argc++] = (char *)(uintptr_t) "-m";
		argv[argc++] = (char *)(uintptr_t) "64";
	}
	if (!has_arg(user, nb_user, prefix_opts)) {
		snprintf(prefix, sizeof(prefix), "--file-prefix=" LC_RUNTIME_PREFIX "list-%d",
				(int)getpid());
		argv[argc++] = prefix;
		argv[argc++] = (char *)(uintptr_t) "--no-shconf";
		own_prefix = true;
	}
	if (!verbose)
		argv[argc++] = (char *)(uintptr_t) "--log-level=*:error";
	for (i = 0; i < nb_user; i++)
		argv[argc++] = user[i];
	argv[argc] = NULL;
	hold_dpdk_log();
	if (eal_init(argc, argv, verbose) < 0) {
		int e = rte_errno;

		lc_eal_release_log(verbose);
		return lc_error_set(err, LC_ERR_EAL,
				"DPDK EAL initialisation failed (%s); run with -v to see DPDK's "
				"messages",
				rte_strerror(e));
	}
	return 0;
}
