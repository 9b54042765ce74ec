/*
 * report_json.c - the JSON report: every trial under "trials" (the CSV
 * columns plus malformed_calls) and every computed figure under
 * "summary" (robust.h), plus the databases read and the leaderboard
 * (report.h: every model x scaffold side by side, best first).
 *
 * Trials are written one object per line as they are visited, not built
 * into one tree first, so a report of a few hundred thousand trials does
 * not hold them all as JSON values at once.
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/common.h"
#include "reports/report.h"
#include "reports/robust.h"

/* Digits of a real: enough for every figure, without the 17th-digit noise
 * (0.6 rather than 0.59999999999999998). */
#define JSON_FLAGS (JSON_REAL_PRECISION(15) | JSON_COMPACT)

/* Per output class (core/columns.h): CSV and JSON columns are written. */
#define JSON_ONLY_CSV(x) x
#define JSON_ONLY_JSON(x) x
#define JSON_ONLY_NONE(x)

/* One value maker per column kind; NULL when jansson cannot hold it. */
static json_t *jcol_STR(const char *v)
{
	return jolt_robust_json_str(v);
}

static json_t *jcol_INT(int v)
{
	return json_integer(v);
}

static json_t *jcol_LONG(long v)
{
	return json_integer((json_int_t)v);
}

/* The variant seed is a uint64_t: past INT64_MAX it is a decimal string
 * rather than a wrong negative number. */
static json_t *jcol_SEED(int64_t v)
{
	uint64_t seed = (uint64_t)v;
	char digits[24];
	if (seed <= INT64_MAX)
		return json_integer((json_int_t)seed);
	snprintf(digits, sizeof(digits), "%llu", (unsigned long long)seed);
	return json_string(digits);
}

static json_t *jcol_REAL(double v)
{
	return json_real(v);
}

static json_t *jcol_OUTCOME(enum jolt_outcome v)
{
	return json_string(jolt_outcome_name(v));
}

#define jcol_STRN jcol_STR

/* A number, or null when it is undefined (JSON has no NaN). */
static json_t *jnum(double x)
{
	return isfinite(x) ? json_real(x) : json_null();
}

json_t *jolt_report_json_trial(const jolt_trial_row *row)
{
	jolt_trial_row t = *row;
	json_t *o = json_object();
	bool ok = o != NULL;
	if (strcmp(t.axis, JOLT_BASELINE) == 0) {
		t.op = "";
		t.level = 0;
	}
#define COL_MEMBER(field, column, kind, sql, out)                              \
	JSON_ONLY_##out(                                                       \
	    ok = ok &&                                                         \
		 json_object_set_new(o, #column, jcol_##kind(t.field)) == 0;)
	JOLT_TRIAL_COLUMNS(COL_MEMBER)
#undef COL_MEMBER
	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* `,"NAME": [...]` of refused or not-applicable variants. */
static void json_write_listed(FILE *f, const char *name,
			      const jolt_report_refused *v, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++) {
		const jolt_report_refused *x = &v[i];
		json_t *o = json_pack(
		    "{s:o, s:o, s:o, s:o, s:o}", "suite",
		    jolt_robust_json_str(x->suite), "variant",
		    jolt_robust_json_str(x->variant), "task",
		    jolt_robust_json_str(x->task), "operator",
		    jolt_robust_json_str(x->op), "why",
		    jolt_robust_json_str(x->why));
		if (o && x->level >= 0) {
			json_object_set_new(o, "level", json_integer(x->level));
			json_object_set_new(o, "seed",
					    json_integer((json_int_t)x->seed));
		}
		if (o)
			json_array_append_new(a, o);
	}
	fprintf(f, ",\n\"%s\": ", name);
	json_dumpf(a, f, JSON_FLAGS);
	json_decref(a);
}

static int json_write(FILE *f, const jolt_report *r)
{
	int err = 0;
	json_t *dbs = json_array();
	for (size_t d = 0; d < r->ndb; d++) {
		size_t n = 0;
		for (size_t i = 0; i < r->ntrials; i++)
			n += r->trials[i].db == d;
		json_array_append_new(dbs,
				      json_pack("{s:o, s:I}", "path",
						jolt_robust_json_str(r->dbs[d]),
						"trials", (json_int_t)n));
	}
	fputs("{\"databases\": ", f);
	json_dumpf(dbs, f, JSON_FLAGS);
	json_decref(dbs);
	fprintf(f, ",\n\"tls_insecure_runs\": %ld", r->tls_insecure);
	json_write_listed(f, "refused_variants", r->refused, r->nrefused);
	json_write_listed(f, "inapplicable_variants", r->inapplicable,
			  r->ninapplicable);

	json_t *board = json_array();
	for (size_t i = 0; i < r->nboard; i++) {
		const jolt_report_entry *e = &r->board[i];
		json_t *drops = json_object(), *sig = json_object();
		for (int a = 0; a < JOLT_AXIS_COUNT; a++) {
			const char *name = jolt_axis_name((enum jolt_axis)a);
			json_object_set_new(drops, name, jnum(e->drop[a]));
			json_object_set_new(sig, name,
					    json_boolean(e->significant[a]));
		}
		json_array_append_new(
		    board,
		    json_pack("{s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:I, "
			      "s:I, s:o, s:o}",
			      "rank", (json_int_t)(i + 1), "model",
			      jolt_robust_json_str(e->model), "scaffold",
			      jolt_robust_json_str(e->scaffold), "baseline",
			      jnum(e->m->baseline.rate), "perturbed",
			      jnum(e->m->perturbed.rate), "worst_case",
			      jnum(e->m->worst_case), "noise_flip_rate",
			      jnum(e->m->noise_flip_rate), "pdr",
			      jnum(e->m->pdr), "trials",
			      (json_int_t)e->m->trials, "infra",
			      (json_int_t)e->m->infra, "drop", drops,
			      "significant", sig));
	}
	fputs(",\n\"leaderboard\": ", f);
	json_dumpf(board, f, JSON_FLAGS);
	json_decref(board);

	fputs(",\n\"trials\": [", f);
	for (size_t i = 0; i < r->ntrials; i++) {
		json_t *t = jolt_report_json_trial(&r->trials[i]);
		if (!t)
			return jolt_err_set(JOLT_EINTERNAL,
					    "json report: trial %s could not "
					    "be encoded",
					    r->trials[i].key);
		fputs(i ? ",\n" : "\n", f);
		json_dumpf(t, f, JSON_FLAGS);
		json_decref(t);
	}
	fputs("\n],\n\"summary\": ", f);

	json_t *summary = NULL;
	if ((err = jolt_robust_json(&summary, r->robust)) != 0)
		return err;
	json_dumpf(summary, f, JSON_FLAGS);
	json_decref(summary);
	fputs("}\n", f);
	return 0;
}

const jolt_report_format jolt_report_json = {
    .name = "json",
    .description = "JSON: every trial, and every computed figure under "
		   "\"summary\"",
    .flags = 0,
    .write = json_write,
};
