/*
 * report_csv.c - the long-format CSV report: one row per trial, the
 * columns DESIGN.md promises scripts, in that order: the CSV columns of
 * core/columns.h, header and cells both spelled from that list.
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

/* Per output class (core/columns.h): only CSV columns are written. */
#define CSV_ONLY_CSV(x) x
#define CSV_ONLY_JSON(x)
#define CSV_ONLY_NONE(x)

#define COL_HEAD(field, column, kind, sql, out) CSV_ONLY_##out("," #column)
/* The header with a leading comma, which csv_write skips. */
static const char csv_header[] = JOLT_TRIAL_COLUMNS(COL_HEAD) "\n";
#undef COL_HEAD

static void csv_quoted(FILE *f, const char *s)
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
}

/* One writer per column kind. */
static void csv_STR(FILE *f, const char *v)
{
	csv_quoted(f, v);
}

static void csv_INT(FILE *f, int v)
{
	fprintf(f, "%d", v);
}

static void csv_LONG(FILE *f, long v)
{
	fprintf(f, "%ld", v);
}

/* The variant seed is a uint64_t stored in an int64_t. */
static void csv_SEED(FILE *f, int64_t v)
{
	fprintf(f, "%" PRIu64, (uint64_t)v);
}

static void csv_REAL(FILE *f, double v)
{
	fprintf(f, "%.15g", v);
}

static void csv_OUTCOME(FILE *f, enum jolt_outcome v)
{
	csv_quoted(f, jolt_outcome_name(v));
}

#define csv_STRN csv_STR

const char *jolt_report_csv_header(void)
{
	return csv_header + 1;
}

static int csv_write(FILE *f, const jolt_report *r)
{
	fputs(jolt_report_csv_header(), f);
	for (size_t i = 0; i < r->ntrials; i++) {
		jolt_trial_row t = r->trials[i];
		const char *sep = "";
		if (strcmp(t.axis, JOLT_BASELINE) == 0) {
			t.op = "";
			t.level = 0;
		}
#define COL_CELL(field, column, kind, sql, out)                                \
	CSV_ONLY_##out(fputs(sep, f); sep = ","; csv_##kind(f, t.field);)
		JOLT_TRIAL_COLUMNS(COL_CELL)
#undef COL_CELL
		fputc('\n', f);
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
