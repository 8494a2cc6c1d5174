/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target: a pmd-config profile (INI via rte_cfgfile, then our strict
 * validation). The input is written to a file because the loader, like
 * --pmd-config, takes a path.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linecap/pmd_profile.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	struct lc_pmd_profile p;
	struct lc_error err;
	FILE *f;

	if (path[0] == '\0')
		snprintf(path, sizeof(path), "/tmp/linecap-fuzz-profile-%d.ini", (int)getpid());
	f = fopen(path, "wb");
	if (f == NULL)
		abort();
	if (size > 0 && fwrite(data, 1, size, f) != size)
		abort();
	if (fclose(f) != 0)
		abort();
	memset(&err, 0, sizeof(err));
	if (lc_pmd_profile_load(path, NULL, "/nonexistent", &p, &err) < 0) {
		/* A rejected profile must say why. */
		if (err.msg[0] == '\0')
			abort();
	} else if (p.burst == 0 || p.burst > 512 || p.ring_size == 0 ||
			(p.ring_size & (p.ring_size - 1)) != 0) {
		/* An accepted profile must hold values the engine can use. */
		abort();
	}
	return 0;
}
