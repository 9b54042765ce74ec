/*
 * cli.h - commands and their options declared as data. The same tables
 * drive parsing and `--help`, so the two never drift apart.
 *
 * Adding a command: write `static int cmd_NAME(void *opts, int argc,
 * char **argv)` and its options struct in main.c, an option table over
 * that struct, and a row in the command table; document it in README.md
 * and DESIGN.md when it is part of the contract.
 */
#ifndef JOLT_CLI_H
#define JOLT_CLI_H

#include <stddef.h>
#include <stdio.h>

enum jolt_opt_kind {
	JOLT_OPT_FLAG,   /* int, set to 1 */
	JOLT_OPT_STR,    /* const char *, last one wins */
	JOLT_OPT_INT,    /* long */
	JOLT_OPT_DOUBLE, /* double */
	JOLT_OPT_LIST,   /* jolt_strlist: repeatable, and comma-separated */
	JOLT_OPT_MULTI,  /* jolt_strlist: repeatable, commas kept */
};

typedef struct jolt_strlist {
	char **v;
	size_t n;
} jolt_strlist;

void jolt_strlist_add(jolt_strlist *l, const char *s);
void jolt_strlist_release(jolt_strlist *l);

typedef struct jolt_opt {
	const char *name;     /* long name without the dashes */
	char shortname;       /* 0 for none */
	enum jolt_opt_kind kind;
	size_t off;           /* offset of the field in the options struct */
	const char *metavar;  /* shown in help, NULL for flags */
	const char *help;     /* one line; defaults stated here */
} jolt_opt;

typedef struct jolt_cmd {
	const char *name;
	const char *usage;    /* after "jolt NAME " */
	const char *summary;  /* one line, for `jolt --help` */
	const char *help;     /* paragraph for `jolt NAME --help`, or NULL */
	const jolt_opt *opts; /* terminated by a NULL name */
	size_t opts_size;     /* sizeof the options struct */
	int min_args, max_args; /* positional arguments; max -1 = any */
	int (*fn)(void *opts, int argc, char **argv);
	/* Set defaults in the zeroed options struct before parsing (for
	 * options where 0 is a meaningful value); NULL = all zero. */
	void (*init)(void *opts);
} jolt_cmd;

/* Parse argv (after the command name) into a zeroed options struct that
 * the caller allocated, collecting positionals into *pos (caller frees
 * the array, not the strings). Prints the error and returns JOLT_EUSAGE
 * on bad flags; returns 1 when --help was given (help already printed). */
int jolt_cli_parse(const jolt_cmd *cmd, void *opts, int argc, char **argv,
		   char ***pos, int *npos);
void jolt_cli_help(const jolt_cmd *cmd, FILE *f);
/* Free the lists a parse allocated. */
void jolt_cli_release(const jolt_cmd *cmd, void *opts);

#endif
