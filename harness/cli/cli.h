/*
 * cli.h - commands and their options declared as data. The same tables
 * drive parsing and `--help`, so the two never drift apart.
 *
 * Adding a command: write harness/cli/cmd_NAME.c with its options struct,
 * an option table over that struct, a `const jolt_cmd_syntax
 * jolt_NAME_syntax` and `int jolt_cmd_NAME(void *opts, int argc, char
 * **argv)`; declare both in commands.h and add a row to the command table
 * in main.c; document it in README.md and DESIGN.md when it is part of
 * the contract.
 */
#ifndef JOLT_CLI_H
#define JOLT_CLI_H

#include <stdbool.h>
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

/* A command's syntax, exported by its cmd_NAME.c next to the options
 * struct the table describes. */
typedef struct jolt_cmd_syntax {
	const char *usage;    /* after "jolt NAME " */
	const char *help;     /* paragraph for `jolt NAME --help`, or NULL */
	const jolt_opt *opts; /* terminated by a NULL name; NULL = none */
	size_t opts_size;     /* sizeof the options struct */
	int min_args, max_args; /* positional arguments; max -1 = any */
	/* Set defaults in the zeroed options struct before parsing (for
	 * options where 0 is a meaningful value); NULL = all zero. */
	void (*init)(void *opts);
} jolt_cmd_syntax;

/* One row of the command table (main.c). The function returns 0 or a
 * negative JOLT_E* code, JOLT_EFAILED when what it judged did not hold;
 * main maps the code to the exit status with jolt_exit_code(). */
typedef struct jolt_cmd {
	const char *name;
	const char *summary;  /* one line, for `jolt --help` */
	const jolt_cmd_syntax *syntax;
	int (*fn)(void *opts, int argc, char **argv);
} jolt_cmd;

/* What a parse found besides the options themselves. */
typedef struct jolt_cli_args {
	char **pos;           /* positionals, borrowed from argv; the array
			       * is owned (jolt_cli_args_release) */
	int npos;
	bool help;            /* --help was given and printed: run nothing */
} jolt_cli_args;

/* Parse argv (after the command name) into a zeroed options struct that
 * the caller allocated. Returns 0, or JOLT_EUSAGE with the error printed
 * on bad flags. --help is not an error: it prints the help and sets
 * out->help. */
int jolt_cli_parse(jolt_cli_args *out, const jolt_cmd *cmd, void *opts,
		   int argc, char **argv);
void jolt_cli_args_release(jolt_cli_args *a);
void jolt_cli_help(const jolt_cmd *cmd, FILE *f);
/* Free the lists a parse allocated. */
void jolt_cli_release(const jolt_cmd *cmd, void *opts);

#endif
