/*
 * report_csv.c - the long-format CSV report: one row per trial, the
 * columns DESIGN.md promises scripts, in that order: the CSV columns of
 * core/columns.h, header and cells both spelled from that list.
 *
 * Fields are quoted as RFC 4180 says (a field holding a comma, a double
 * quote, CR or LF is wrapped in quotes, inner quotes doubled); lines end
 * in LF. A baseline trial always reads axis "baseline", operator "" and
 * level 0, whatever the store holds. One column follows the contract's:
 * noise_flip_rate (CSV_NOISE_COLUMN).
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/common.h"
#include "reports/report.h"
#include "reports/robust.h"

/* After the contract's columns: the flip rate between repeats of the
 * same baseline of the trial's model x scaffold (empty without repeats),
 * so a script sees the noise a drop must stand above. */
#define CSV_NOISE_COLUMN "noise_flip_rate"

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

/* The noise floor of a trial's model x scaffold (robust.h), NAN when
 * it has no repeats; `last` caches the previous lookup (rows come
 * grouped by run). */
static double csv_noise(const jolt_report *r, const jolt_trial_row *t,
			const jolt_robust_model **last)
{
	const jolt_robust *s = r->robust;
	if (*last && !strcmp((*last)->model, t->model) &&
	    !strcmp((*last)->scaffold, t->scaffold))
		return (*last)->noise_flip_rate;
	for (size_t i = 0; s && i < s->nmodels; i++)
		if (!strcmp(s->models[i].model, t->model) &&
		    !strcmp(s->models[i].scaffold, t->scaffold)) {
			*last = &s->models[i];
			return (*last)->noise_flip_rate;
		}
	return NAN;
}

static int csv_write(FILE *f, const jolt_report *r)
{
	const jolt_robust_model *last = NULL;
	/* The contract's columns, then the noise floor. */
	fprintf(f, "%.*s,%s\n", (int)strlen(jolt_report_csv_header()) - 1,
		jolt_report_csv_header(), CSV_NOISE_COLUMN);
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
		double noise = csv_noise(r, &r->trials[i], &last);
		if (isfinite(noise))
			fprintf(f, ",%.6g\n", noise);
		else
			fputs(",\n", f);
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
