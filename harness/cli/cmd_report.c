/*
 * cmd_report.c - `jolt report`: load stored runs and write a report in
 * one of the formats of reports/.
 */
#include <stddef.h>
#include <stdio.h>

#include "cli/commands.h"
#include "core/common.h"
#include "reports/report.h"
#include "run/report_load.h"

struct report_opts {
	const char *format;
	const char *output;
};

static const jolt_opt report_options[] = {
	{"format", 'f', JOLT_OPT_STR, offsetof(struct report_opts, format), "FMT",
	 "output format: md (default), json (trials and every computed figure), csv (one row per trial), junit (the gate's checks at its default limits), html (one self-contained page: leaderboard, charts, trace viewer)"},
	{"output", 'o', JOLT_OPT_STR, offsetof(struct report_opts, output), "FILE",
	 "write to FILE instead of stdout"},
	{NULL, 0, 0, 0, NULL, NULL},
};

int jolt_cmd_report(void *vo, int argc, char **argv)
{
	struct report_opts *o = vo;
	jolt_report *r = NULL;
	FILE *f = stdout;
	int rc = jolt_report_load(&r, (const char *const *)argv, (size_t)argc);
	if (rc)
		goto done;
	if (o->output) {
		f = fopen(o->output, "w");
		if (!f) {
			rc = jolt_err_set(JOLT_EIO, "cannot write %s", o->output);
			goto done;
		}
	}
	rc = jolt_report_write(r, o->format ? o->format : "md", f);
done:
	if (f && f != stdout && fclose(f) && !rc)
		rc = jolt_err_set(JOLT_EIO, "cannot write %s", o->output);
	if (rc)
		jolt_cli_fail("report", rc);
	jolt_report_free(r);
	return rc;
}

const jolt_cmd_syntax jolt_report_syntax = {
	.usage = "DB... [--format md|json|csv|junit|html] [-o FILE]",
	.help =
	 "Infrastructure errors are counted in their own column and never\n"
	 "enter a pass rate. Several databases make one report; with several\n"
	 "models or scaffolds, md and json open with a leaderboard (models and\n"
	 "scaffolds side by side). Where a run has repeats, every drop is shown\n"
	 "next to the noise floor: the break rate between repeats of the same\n"
	 "baseline. The md report lists the 20 most informative failed trials\n"
	 "and the sqlite3 query for the rest.\n"
	 "\n"
	 "--format html writes one file that opens offline in a browser: the\n"
	 "leaderboard, drop per axis with intervals, an operator x model\n"
	 "heatmap, drop by level, pass^k curves, and every trial's trace,\n"
	 "step by step beside its baseline trial with what the perturbation\n"
	 "changed marked. Traces are stored compressed and opened on demand,\n"
	 "so a run of 100,000 trials stays usable. The page loads nothing\n"
	 "from the network and runs only its own script.",
	.opts = report_options,
	.opts_size = sizeof(struct report_opts),
	.min_args = 1,
	.max_args = -1,
};
