/*
 * cmd_export.c - `jolt export DB --format jsonl|csv`: a database's trials
 * for pandas and friends: JSON lines with every trace, or the long CSV of
 * `jolt report --format csv`.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "core/common.h"
#include "reports/report.h"
#include "run/merge.h"
#include "run/report_load.h"

struct export_opts {
	const char *format;
	const char *output;
};

static const jolt_opt export_options[] = {
	{"format", 'f', JOLT_OPT_STR, offsetof(struct export_opts, format), "FMT",
	 "jsonl (default: one trial per line, with its trace) or csv (one row per trial)"},
	{"output", 'o', JOLT_OPT_STR, offsetof(struct export_opts, output), "FILE",
	 "write to FILE instead of stdout"},
	{NULL, 0, 0, 0, NULL, NULL},
};

static int export_csv(FILE *f, const char *db)
{
	jolt_report *r = NULL;
	const char *dbs[] = {db};
	int rc = jolt_report_load(&r, dbs, 1);
	if (!rc)
		rc = jolt_report_write(r, "csv", f);
	jolt_report_free(r);
	return rc;
}

int jolt_cmd_export(void *vo, int argc, char **argv)
{
	struct export_opts *o = vo;
	const char *fmt = o->format ? o->format : "jsonl";
	FILE *f = stdout;
	int rc = 0;
	if (strcmp(fmt, "jsonl") && strcmp(fmt, "csv")) {
		rc = jolt_err_set(JOLT_EUSAGE,
				  "--format '%s': expected jsonl or csv", fmt);
		goto done;
	}
	if (o->output && !(f = fopen(o->output, "w"))) {
		rc = jolt_err_set(JOLT_EIO, "cannot write %s", o->output);
		goto done;
	}
	rc = !strcmp(fmt, "csv") ? export_csv(f, argv[0])
				 : jolt_export_jsonl(f, argv[0]);
	if (!rc && fflush(f) != 0)
		rc = jolt_err_set(JOLT_EIO, "export: write failed");
done:
	if (f && f != stdout && fclose(f) && !rc)
		rc = jolt_err_set(JOLT_EIO, "cannot write %s", o->output);
	if (rc)
		jolt_cli_fail("export", rc);
	return rc;
}

const jolt_cmd_syntax jolt_export_syntax = {
	.usage = "DB [--format jsonl|csv] [-o FILE]",
	.help =
	 "jsonl: one JSON object per trial in id order: the stored columns\n"
	 "(model, scaffold, suite, task, variant, axis, operator, level, seed,\n"
	 "repeat, outcome, reward, steps, tokens, latency, error class,\n"
	 "malformed calls, key, answer, detail) and \"trace\", every message,\n"
	 "thinking, tool call and result. csv: the columns of 'jolt report\n"
	 "--format csv'.",
	.opts = export_options,
	.opts_size = sizeof(struct export_opts),
	.min_args = 1,
	.max_args = 1,
};
