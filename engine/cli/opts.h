/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_CLI_OPTS_H
#define LINECAP_CLI_OPTS_H

/*
 * Table-driven option parsing. Each subcommand has one table; each entry
 * names its option (short and/or long), the type of its argument and where
 * the value goes (offsetof into the command's struct). One parser
 * (getopt_long underneath) reads argv against a table: it checks every
 * value, stores it, and neither prints, exits nor touches the filesystem.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linecap/error.h>

/* What a parse returns besides -1 (error, err set). */
enum lc_cli_status {
	LC_CLI_RUN = 0,	 /* options read: run the command */
	LC_CLI_HELP = 1, /* --help: the caller prints the usage and exits 0 */
};

enum lc_opt_type {
	LC_OPT_FLAG,   /* no value: stores `min` (0 or 1) into the bool at `off` */
	LC_OPT_UINT,   /* decimal integer min..max into an unsigned field of `size` bytes */
	LC_OPT_NUM,    /* decimal number fmin..fmax into a double */
	LC_OPT_WHOLE,  /* decimal number fmin..fmax that must be whole, into an unsigned field */
	LC_OPT_SIZE,   /* decimal number (fraction allowed) of `unit` bytes, 0 < n <= fmax and
			* at least one byte, stored as bytes into a uint64_t */
	LC_OPT_STR,    /* copied into char[size]; "" refused unless `empty_ok` */
	LC_OPT_ENUM,   /* one of `names`: its value into an int/enum/bool field of `size` */
	LC_OPT_CHOICE, /* one of `names`: the name itself into char[size] */
	LC_OPT_FUNC,   /* `fn` checks and stores (the odd ones) */
	LC_OPT_HELP,   /* no value: the parse stops and returns LC_CLI_HELP */
};

/* One accepted name of an ENUM or CHOICE option; a table ends with name NULL. */
struct lc_opt_name {
	const char *name;
	int value;
};

struct lc_opt;

/* An LC_OPT_FUNC entry: `base` is the command's struct. 0, or -1 with err set. */
typedef int (*lc_opt_fn)(const struct lc_opt *o, void *base, const char *val, struct lc_error *err);

struct lc_opt {
	char short_name;       /* 'i', or 0 for a long-only option */
	const char *long_name; /* "interface", or NULL for a short-only option */
	enum lc_opt_type type;
	size_t off;			 /* destination: offsetof in the command's struct */
	size_t size;			 /* its size in bytes */
	uint64_t min, max;		 /* UINT range; FLAG: the value stored (min) */
	double fmin, fmax;		 /* NUM, WHOLE range (inclusive); SIZE: fmax */
	double unit;			 /* SIZE: bytes per unit (1e6 for MB) */
	const struct lc_opt_name *names; /* ENUM, CHOICE */
	const char *bad;   /* STR: message after "OPT: "; NUM, SIZE: what was expected */
	bool empty_ok;	   /* STR: "" is a valid value */
	bool no_arg;	   /* FUNC: takes no value (val is NULL) */
	lc_opt_fn fn;	   /* FUNC */
	const char *label; /* name in messages (default "-s", else "--long") */
};

/*
 * A subcommand's table and the wording of getopt's two errors:
 * "option 'OPT' needs a value<see>" and "<prefix>unknown option 'OPT'<see>".
 */
struct lc_opt_cmd {
	const struct lc_opt *opts;
	unsigned int nb_opts;
	const char *prefix; /* "" or e.g. "list: " */
	const char *see;    /* "" or e.g. " (see --help)" */
};

/* The lc_opt_cmd of a table (an array of struct lc_opt). */
#define LC_OPT_CMD(table, prefix_, see_)                                                           \
	{                                                                                          \
		.opts = (table), .nb_opts = sizeof(table) / sizeof((table)[0]),                    \
		.prefix = (prefix_), .see = (see_)                                                 \
	}

/* The most entries a table may have. */
#define LC_OPT_MAX 48

/*
 * Read the options of argv (argv[0] = the subcommand) into `base`, which the
 * caller has filled with defaults. Words that are not options are moved to
 * the end (GNU getopt): *first_word is the index of the first. Returns
 * LC_CLI_RUN, LC_CLI_HELP, or -1 with err set (LC_ERR_USAGE).
 */
int lc_opts_parse(const struct lc_opt_cmd *cmd, int argc, char **argv, void *base, int *first_word,
		struct lc_error *err);

/* The entry's field in `base`. */
void *lc_opt_field(const struct lc_opt *o, void *base);

/* Parse `val` as the entry's NUM/WHOLE value and store it. 0, or -1 with err set. */
int lc_opt_number(const struct lc_opt *o, void *base, const char *val, struct lc_error *err);

/* The entry's name as messages show it ("-s", "--duration", or its label). */
const char *lc_opt_label(const struct lc_opt *o, char *buf, size_t len);

#endif
