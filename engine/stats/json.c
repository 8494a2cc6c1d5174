/* SPDX-License-Identifier: BSD-3-Clause */
/* JSON value writers (stats/json.h). */
#include <inttypes.h>

#include "stats/json.h"

void
lc_json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s != NULL && *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

void
lc_json_kv_str(FILE *f, const char *key, const char *s, const char *sep)
{
	fprintf(f, "\"%s\": ", key);
	lc_json_str(f, s);
	fputs(sep, f);
}

void
lc_json_kv_u64_or_null(FILE *f, const char *key, uint64_t v, bool known, const char *sep)
{
	if (known)
		fprintf(f, "\"%s\": %" PRIu64 "%s", key, v, sep);
	else
		fprintf(f, "\"%s\": null%s", key, sep);
}
