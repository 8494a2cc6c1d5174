/* SPDX-License-Identifier: BSD-3-Clause */
/* The lcore plan is a value: listed and automatic plans, list text, PCI names. */
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include <linecap/config.h>
#include <linecap/port.h>

#include "core/lcore_plan.h"

#include "check.h"

int
main(void)
{
	struct lc_capture_conf conf;
	struct lc_lcore_plan listed, automatic;
	struct lc_error err = {0};
	unsigned int allowed[2], n = 0, i, j;
	char want[64], got[64];
	cpu_set_t set;
	int c;

	CHECK(sched_getaffinity(0, sizeof(set), &set) == 0, "sched_getaffinity");
	for (c = 0; c < CPU_SETSIZE && n < 2; c++)
		if (CPU_ISSET(c, &set))
			allowed[n++] = (unsigned int)c;
	if (n < 2) {
		fprintf(stderr, "FAIL: this test needs two CPUs, the process may use %u\n", n);
		return 1;
	}

	/* A list: taken as given, the first is the main lcore. */
	lc_capture_conf_init(&conf);
	snprintf(conf.lcores, sizeof(conf.lcores), "%u,%u", allowed[0], allowed[1]);
	CHECK(lc_plan_lcores(&conf, 4, &listed, &err) == 0, "list plan: %s", err.msg);
	CHECK(listed.nb_cpus == 2 && listed.cpus[0] == allowed[0] && listed.cpus[1] == allowed[1],
			"list plan: %u cpus", listed.nb_cpus);
	CHECK(!listed.automatic, "a list is not automatic");
	lc_lcore_list_str(&listed, got, sizeof(got));
	CHECK(strcmp(got, conf.lcores) == 0, "list text '%s', want '%s'", got, conf.lcores);

	/* auto: distinct allowed CPUs, at most the workers asked for plus main. */
	snprintf(conf.lcores, sizeof(conf.lcores), "auto");
	CHECK(lc_plan_lcores(&conf, 1, &automatic, &err) == 0, "auto plan: %s", err.msg);
	CHECK(automatic.automatic && automatic.why[0] != '\0', "auto plan says why");
	CHECK(automatic.nb_cpus == 2, "auto plan for one worker: %u cpus", automatic.nb_cpus);
	for (i = 0; i < automatic.nb_cpus; i++) {
		CHECK(CPU_ISSET(automatic.cpus[i], &set), "auto cpu %u not allowed",
				automatic.cpus[i]);
		for (j = 0; j < i; j++)
			CHECK(automatic.cpus[i] != automatic.cpus[j], "auto cpu %u twice",
					automatic.cpus[i]);
	}

	/* Planning again leaves the first plan as it was: no shared state. */
	snprintf(want, sizeof(want), "%u,%u", allowed[0], allowed[1]);
	lc_lcore_list_str(&listed, got, sizeof(got));
	CHECK(strcmp(got, want) == 0, "the list plan changed to '%s'", got);

	/* Bad lists fail with LC_ERR_LCORES and leave no worker-less plan. */
	snprintf(conf.lcores, sizeof(conf.lcores), "%u,%u", allowed[0], allowed[0]);
	CHECK(lc_plan_lcores(&conf, 1, &listed, &err) < 0 && err.kind == LC_ERR_LCORES,
			"a CPU listed twice is refused");
	snprintf(conf.lcores, sizeof(conf.lcores), "%u", allowed[0]);
	CHECK(lc_plan_lcores(&conf, 1, &listed, &err) < 0 && err.kind == LC_ERR_LCORES,
			"a main lcore alone is refused");
	snprintf(conf.lcores, sizeof(conf.lcores), "0-x");
	CHECK(lc_plan_lcores(&conf, 1, &listed, &err) < 0 && err.kind == LC_ERR_LCORES,
			"'0-x' is refused");

	/* Which -i names are PCI devices (allowed with -a at EAL init). */
	CHECK(lc_is_pci_addr("0000:3b:00.0"), "full PCI address");
	CHECK(lc_is_pci_addr("3b:00.1"), "short PCI address");
	CHECK(lc_is_pci_addr("0000:3b:00.0,rxq_pkt_pad_en=1"), "PCI address with devargs");
	CHECK(!lc_is_pci_addr("net_null0,size=64"), "a vdev is no PCI address");
	CHECK(!lc_is_pci_addr("lo"), "a kernel name is no PCI address");
	CHECK(!lc_is_pci_addr("3b:00"), "no function number");

	if (failures == 0)
		printf("lcore_plan: all checks passed\n");
	return failures != 0;
}
