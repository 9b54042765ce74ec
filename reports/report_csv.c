/*
 * report_csv.c - the long-format CSV report: one row per trial, the
 * columns DESIGN.md promises scripts, in that order (see CSV_HEADER).
 *
 * Fields are quoted as RFC 4180 says (a field holding a comma, a double
 * quote, CR or LF is wrapped in quotes, inner quotes doubled); lines end
 * in LF. A baseline trial always reads axis "baseline", operator "" and
 * level 0, whatever the store holds.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/common.h"
#include "reports/report.h"

#define CSV_HEADER                                                             \
	"model,scaffold,suite,task,variant,axis,operator,level,seed,repeat,"   \
	"outcome,reward,steps,tokens_in,tokens_out,latency_ms,error_class\n"

static void csv_field(FILE *f, const char *s, bool last)
{
	if (!s)
		s = "";
	if (s[strcspn(s, ",\"\r\n")] == '\0') {
		fputs(s, f);
	} else {
		fputc('"', f);
		for (const char *p = s; *p; p++) {
			if (*p == '"')
				fputc('"', f);
			fputc(*p, f);
		}
		fputc('"', f);
	}
	fputc(last ? '\n' : ',', f);
}

static int csv_write(FILE *f, const jolt_report *r)
{
	fputs(CSV_HEADER, f);
	for (size_t i = 0; i < r->ntrials; i++) {
		const jolt_report_trial *t = &r->trials[i];
		bool base = strcmp(t->axis, JOLT_BASELINE) == 0;
		csv_field(f, t->model, false);
		csv_field(f, t->scaffold, false);
		csv_field(f, t->suite, false);
		csv_field(f, t->task, false);
		csv_field(f, t->variant, false);
		csv_field(f, t->axis, false);
		csv_field(f, base ? "" : t->op, false);
		/* The variant seed is a uint64_t stored in an int64_t. */
		fprintf(f, "%d,%" PRIu64 ",%d,", base ? 0 : t->level,
			(uint64_t)t->seed, t->repeat);
		csv_field(f, jolt_outcome_name(t->outcome), false);
		fprintf(f, "%.15g,%d,%ld,%ld,%ld,", t->reward, t->steps,
			t->tokens_in, t->tokens_out, t->latency_ms);
		csv_field(f, t->error_class, true);
	}
	return 0;
}

const jolt_report_format jolt_report_csv = {
    .name = "csv",
    .description = "long-format CSV, one row per trial (model, scaffold, "
		   "suite, task, variant, axis, operator, level, ...)",
    .flags = 0,
    .write = csv_write,
};
