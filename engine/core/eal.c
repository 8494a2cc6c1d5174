/* SPDX-License-Identifier: BSD-3-Clause */
/* EAL bring-up: hugepage checks, the lcore plan, one argv builder, DPDK log capture. */
#include <dirent.h>
#include <sched.h>
#include <sys/mman.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_log.h>

#include <linecap/engine.h>
#include <linecap/port.h>

#include "core/lcore_plan.h"
#include "core/runtime_sweep.h"

#define MAX_EAL_ARGS 128

/*
 * An EAL argv being built: every string is its own allocation, freed by
 * args_free once rte_eal_init has returned. DPDK 22.11 keeps no pointer into
 * argv: it copies what it keeps (strdup of --file-prefix, --huge-dir,
 * --mbuf-pool-ops-name and log-level patterns, device options into its own
 * list, the whole argv for telemetry). It does reorder the array (getopt) and
 * overwrite argv[optind - 1], so rte_eal_init gets a copy of the pointers.
 */
struct eal_args {
	char *v[MAX_EAL_ARGS];
	int n;
	bool nomem; /* an add failed: reported once, before rte_eal_init */
};

static void args_add(struct eal_args *a, const char *fmt, ...)
		__attribute__((format(printf, 2, 3)));

/* Append one argument, formatted into its own allocation. */
static void
args_add(struct eal_args *a, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (a->n >= MAX_EAL_ARGS || vasprintf(&s, fmt, ap) < 0)
		a->nomem = true;
	else
		a->v[a->n++] = s;
	va_end(ap);
}

static void
args_free(struct eal_args *a)
{
	while (a->n > 0)
		free(a->v[--a->n]);
}

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

/* Split --eal text on blanks, honouring '...' and "..." quotes, into `user`. */
static int
split_args(char *s, struct eal_args *user, int max, struct lc_error *err)
{
	char *r = s, *w = s;

	while (*r != '\0') {
		char quote = 0, *word;

		while (*r == ' ' || *r == '\t')
			r++;
		if (*r == '\0')
			break;
		if (user->n >= max)
			return lc_error_set(err, LC_ERR_USAGE, "--eal: too many arguments");
		word = w;
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
		args_add(user, "%s", word);
	}
	return 0;
}

/* --eal's words, at most `max`, into `user`. 0 or -1 with err set. */
static int
user_args(const struct lc_capture_conf *conf, int max, struct eal_args *user, struct lc_error *err)
{
	char text[sizeof(conf->eal_args)];

	snprintf(text, sizeof(text), "%s", conf->eal_args);
	return split_args(text, user, max, err);
}

static bool
has_arg(const struct eal_args *a, const char *const *names)
{
	int i, j;

	for (i = 0; i < a->n; i++)
		for (j = 0; names[j] != NULL; j++) {
			size_t n = strlen(names[j]);

			if (strncmp(a->v[i], names[j], n) == 0 &&
					(a->v[i][n] == '\0' || a->v[i][n] == '='))
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

/*
 * Capture and replay: the lcores of the plan, a private prefix, only the PCI
 * devices asked for. Fills *plan and `a`; 0 or -1 with err set.
 */
static int
capture_args(const struct lc_capture_conf *conf, bool verbose, const struct eal_args *user,
		struct lc_lcore_plan *plan, struct eal_args *a, struct lc_error *err)
{
	static const char *const lcore_opts[] = {"-l", "-c", "--lcores", "--main-lcore", NULL};
	static const char *const nohuge_opts[] = {"--no-huge", NULL};
	static const char *const inmem_opts[] = {"--in-memory", NULL};
	static const char *const prefix_opts[] = {"--file-prefix", NULL};
	static const char *const loglevel_opts[] = {"--log-level", NULL};
	static const char *const devsel_opts[] = {
			"-a", "--allow", "-b", "--block", "--no-pci", NULL};
	char lcore_list[LC_MAX_CPUS * 5];
	unsigned int p, nb_pci = 0;
	bool no_huge, in_memory;

	if (has_arg(user, lcore_opts))
		return lc_error_set(err, LC_ERR_USAGE,
				"--eal must not choose lcores (-l/-c/--lcores/--main-lcore); use "
				"linecap's --lcores");
	no_huge = has_arg(user, nohuge_opts);
	in_memory = has_arg(user, inmem_opts);
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
		if (has_arg(user, prefix_opts) && !in_memory && !hugetlbfs_mounted())
			return lc_error_set(err, LC_ERR_HUGEPAGES,
					"hugetlbfs is not mounted: run 'scripts/hugepages 1024' as "
					"root, or add --in-memory to --eal");
	}
	for (p = 0; p < conf->nb_ports; p++)
		nb_pci += lc_is_pci_addr(conf->ports[p].devargs);
	nb_pci += lc_is_pci_addr(conf->forward);
	if (lc_plan_lcores(conf, conf->nb_ports * conf->nb_queues * 2, plan, err) < 0)
		return -1;
	lc_lcore_list_str(plan, lcore_list, sizeof(lcore_list));

	args_add(a, "linecap");
	args_add(a, "-l");
	args_add(a, "%s", lcore_list);
	args_add(a, "--main-lcore");
	args_add(a, "%u", plan->cpus[0]);
	if (!has_arg(user, prefix_opts)) {
		/* A private prefix: instances never collide on names or files. */
		args_add(a, "--file-prefix=" LC_RUNTIME_PREFIX "%d", (int)getpid());
		/* Nothing shared, nothing left behind in /var/run/dpdk. */
		if (!no_huge && !in_memory)
			args_add(a, "--in-memory");
		else if (no_huge)
			args_add(a, "--no-shconf");
		own_prefix = true;
	}
	if (!verbose && !has_arg(user, loglevel_opts))
		args_add(a, "--log-level=*:warning");
	if (nb_pci == 0 && !has_arg(user, devsel_opts))
		args_add(a, "--no-pci"); /* only vdevs asked for: do not grab every DPDK-bound NIC
					  */
	for (p = 0; p < conf->nb_ports; p++) {
		if (!lc_is_pci_addr(conf->ports[p].devargs))
			continue;
		args_add(a, "-a");
		args_add(a, "%s", conf->ports[p].devargs);
	}
	if (lc_is_pci_addr(conf->forward)) {
		/* --forward to a NIC port: allowed like the -i ones. */
		args_add(a, "-a");
		args_add(a, "%s", conf->forward);
	}
	return 0;
}

/* Control-only commands (list): one lcore, no packet memory, no shared files. */
static void
control_args(bool verbose, const struct eal_args *user, struct eal_args *a)
{
	static const char *const mem_opts[] = {
			"--no-huge", "--in-memory", "-m", "--socket-mem", NULL};
	static const char *const prefix_opts[] = {"--file-prefix", NULL};
	static const char *const lcore_opts[] = {"-l", "-c", "--lcores", "--main-lcore", NULL};
	cpu_set_t allowed;
	int cpu = 0;

	if (sched_getaffinity(0, sizeof(allowed), &allowed) == 0)
		while (cpu < CPU_SETSIZE - 1 && !CPU_ISSET(cpu, &allowed))
			cpu++;
	args_add(a, "linecap");
	if (!has_arg(user, lcore_opts)) {
		args_add(a, "-l");
		args_add(a, "%d", cpu);
	}
	/* Listing needs no packet memory: no hugepages, no shared files. */
	if (!has_arg(user, mem_opts)) {
		args_add(a, "--no-huge");
		args_add(a, "-m");
		args_add(a, "64");
	}
	if (!has_arg(user, prefix_opts)) {
		args_add(a, "--file-prefix=" LC_RUNTIME_PREFIX "list-%d", (int)getpid());
		args_add(a, "--no-shconf");
		own_prefix = true;
	}
	if (!verbose)
		args_add(a, "--log-level=*:error");
}

/*
 * Our arguments, then --eal's (moved from `user`); rte_eal_init with DPDK's
 * log held. Frees both lists. 0 or -1 with err set.
 */
static int
run_eal(struct eal_args *a, struct eal_args *user, bool verbose, struct lc_error *err)
{
	char *argv[MAX_EAL_ARGS + 1];
	int i, ret, e;

	for (i = 0; i < user->n; i++) {
		if (a->n >= MAX_EAL_ARGS) {
			a->nomem = true;
			break;
		}
		a->v[a->n++] = user->v[i];
		user->v[i] = NULL;
	}
	args_free(user);
	if (a->nomem || user->nomem) {
		args_free(a);
		return lc_error_set(err, LC_ERR_RUNTIME, "out of memory for the EAL arguments");
	}
	memcpy(argv, a->v, sizeof(a->v[0]) * (size_t)a->n);
	argv[a->n] = NULL;
	hold_dpdk_log();
	ret = eal_init(a->n, argv, verbose);
	e = rte_errno;
	args_free(a);
	if (ret >= 0)
		return 0;
	lc_eal_release_log(verbose);
	if (e == EALREADY)
		return lc_error_set(err, LC_ERR_EAL, "the EAL is already initialised");
	return lc_error_set(err, LC_ERR_EAL,
			"DPDK EAL initialisation failed (%s); run with -v to see DPDK's messages",
			rte_strerror(e));
}

int
lc_eal_setup(const struct lc_capture_conf *conf, bool verbose, struct lc_lcore_plan *plan,
		struct lc_error *err)
{
	struct eal_args user = {0}, a = {0};

	if (user_args(conf, MAX_EAL_ARGS - 32 - (int)conf->nb_ports * 2, &user, err) < 0 ||
			capture_args(conf, verbose, &user, plan, &a, err) < 0) {
		args_free(&user);
		args_free(&a);
		return -1;
	}
	return run_eal(&a, &user, verbose, err);
}

int
lc_eal_setup_control(const struct lc_capture_conf *conf, bool verbose, struct lc_error *err)
{
	struct eal_args user = {0}, a = {0};

	if (user_args(conf, MAX_EAL_ARGS - 16, &user, err) < 0) {
		args_free(&user);
		return -1;
	}
	control_args(verbose, &user, &a);
	return run_eal(&a, &user, verbose, err);
}

void
lc_eal_teardown(void)
{
	lc_eal_release_log(false);
	rte_eal_cleanup();
}
