/* SPDX-License-Identifier: BSD-3-Clause */
/* -z: run `CMD FILE` on each published file (rotation thread), reap the children. */
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "core/rotate_cmd.h"

extern char **environ;

void
lc_post_cmd_run(struct lc_post_cmds *p, const char *cmd, const char *name)
{
	char *argv[3] = {(char *)(uintptr_t)cmd, (char *)(uintptr_t)name, NULL};
	pid_t pid;
	int r;

	if (cmd[0] == '\0')
		return;
	p->cmd = cmd;
	if (p->nb == p->cap) {
		unsigned int cap = p->cap ? p->cap * 2 : 16;
		pid_t *c = realloc(p->children, cap * sizeof(*c));

		if (c == NULL) {
			fprintf(stderr, "linecap: -z: out of memory; not run on '%s'\n", name);
			return;
		}
		p->children = c;
		p->cap = cap;
	}
	r = posix_spawnp(&pid, cmd, NULL, NULL, argv, environ);
	if (r != 0) {
		fprintf(stderr, "linecap: -z: cannot run '%s %s': %s\n", cmd, name, strerror(r));
		return;
	}
	p->children[p->nb++] = pid;
}

void
lc_post_cmd_reap(struct lc_post_cmds *p, bool wait)
{
	unsigned int i = 0;

	while (i < p->nb) {
		int status;
		pid_t r = waitpid(p->children[i], &status, wait ? 0 : WNOHANG);

		if (r == 0) {
			i++;
			continue;
		}
		if (r > 0 && WIFEXITED(status) && WEXITSTATUS(status) != 0)
			fprintf(stderr, "linecap: -z: '%s' exited with status %d\n", p->cmd,
					WEXITSTATUS(status));
		p->children[i] = p->children[--p->nb];
	}
}

void
lc_post_cmd_free(struct lc_post_cmds *p)
{
	free(p->children);
	p->children = NULL;
	p->nb = p->cap = 0;
}
