/*
 * main.c - the jolt command line: the command table and the dispatch.
 * Each command lives in its own cmd_NAME.c (its options, their table and
 * its function, see commands.h); cli.c parses and documents them from
 * the same tables.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "core/common.h"

static const jolt_cmd commands[] = {
	{"run", "Run the suites' tasks and their perturbed variants against models; store every trial.",
	 &jolt_run_syntax, jolt_cmd_run},
	{"check", "Replay the oracle on every baseline and variant; it must pass.",
	 &jolt_check_syntax, jolt_cmd_check},
	{"plan", "Before a run: the smallest drop its design detects at 80% power, tasks or repeats a drop needs.",
	 &jolt_plan_syntax, jolt_cmd_plan},
	{"ops", "List the perturbation operators: axis, name, levels, kind, description.",
	 &jolt_ops_syntax, jolt_cmd_ops},
	{"perturb", "Show the variants the operators make of a suite's tasks.",
	 &jolt_perturb_syntax, jolt_cmd_perturb},
	{"serve", "Serve the simulated models over HTTP in the OpenAI, Anthropic and M2 dialects.",
	 &jolt_serve_syntax, jolt_cmd_serve},
	{"report", "Summarise stored runs: pass rates, drops per axis and operator, with intervals.",
	 &jolt_report_syntax, jolt_cmd_report},
	{"gate", "Judge a run for CI: exit 1 on a significant drop or regression, 3 on infra errors.",
	 &jolt_gate_syntax, jolt_cmd_gate},
	{"merge", "Combine the shard databases of one run into one database.",
	 &jolt_merge_syntax, jolt_cmd_merge},
	{"export", "Write a database's trials as JSON lines (with traces) or CSV.",
	 &jolt_export_syntax, jolt_cmd_export},
};

static void usage(FILE *f)
{
	fprintf(f, "usage: jolt COMMAND [options]\n\n"
		   "jolt measures how robust a tool-using LLM agent is.\n\ncommands:\n");
	for (size_t i = 0; i < JOLT_ARRAY_LEN(commands); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\n'jolt COMMAND --help' explains a command.\n"
		   "exit status: 0 ok, 1 check or gate failed, 2 usage or input error, "
		   "3 infrastructure failure\n");
}

static const jolt_cmd *find_cmd(const char *name)
{
	for (size_t i = 0; i < JOLT_ARRAY_LEN(commands); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

/* Parse the command's options and run it; returns its code. */
static int dispatch(const jolt_cmd *c, int argc, char **argv)
{
	const jolt_cmd_syntax *syn = c->syntax;
	void *opts = jolt_xcalloc(1, syn->opts_size ? syn->opts_size : 1);
	jolt_cli_args args;
	if (syn->init)
		syn->init(opts);
	int rc = jolt_cli_parse(&args, c, opts, argc, argv);
	if (!rc && !args.help)
		rc = c->fn(opts, args.npos, args.pos);
	jolt_cli_release(c, opts);
	jolt_cli_args_release(&args);
	free(opts);
	return rc;
}

int main(int argc, char **argv)
{
	/* Read the timezone once, before any worker thread: libgit2 calls
	 * localtime_r from every worker, and glibc initialises its zone
	 * state lazily on the first call. */
	tzset();
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		const jolt_cmd *c = argc > 2 ? find_cmd(argv[2]) : NULL;
		if (c)
			jolt_cli_help(c, stdout);
		else
			usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("jolt %s\n", JOLT_VERSION);
		return 0;
	}
	const jolt_cmd *c = find_cmd(argv[1]);
	if (!c) {
		fprintf(stderr, "jolt: unknown command '%s'; see 'jolt --help'\n", argv[1]);
		return 2;
	}
	return jolt_exit_code(dispatch(c, argc - 2, argv + 2));
}
