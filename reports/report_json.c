/*
 * report_json.c - the JSON report: every trial under "trials" (the CSV
 * columns plus malformed_calls) and every computed figure under
 * "summary" (robust.h), plus the databases read.
 *
 * Trials are written one object per line as they are visited, not built
 * into one tree first, so a report of a few hundred thousand trials does
 * not hold them all as JSON values at once.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "core/common.h"
#include "reports/report.h"
#include "reports/robust.h"

/* Digits of a real: enough for every figure, without the 17th-digit noise
 * (0.6 rather than 0.59999999999999998). */
#define JSON_FLAGS (JSON_REAL_PRECISION(15) | JSON_COMPACT)

static json_t *json_trial(const jolt_report_trial *t)
{
	bool base = strcmp(t->axis, JOLT_BASELINE) == 0;
	/* The variant seed is a uint64_t: past INT64_MAX it is a decimal
	 * string rather than a wrong negative number. */
	uint64_t seed = (uint64_t)t->seed;
	char digits[24];
	snprintf(digits, sizeof(digits), "%llu", (unsigned long long)seed);
	json_t *jseed = seed <= INT64_MAX ? json_integer((json_int_t)seed)
					  : json_string(digits);
	return json_pack(
	    "{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:i, s:o, s:i, s:s, s:f, "
	    "s:i, s:I, s:I, s:I, s:o, s:i}",
	    "model", jolt_robust_json_str(t->model), "scaffold",
	    jolt_robust_json_str(t->scaffold), "suite",
	    jolt_robust_json_str(t->suite), "task",
	    jolt_robust_json_str(t->task), "variant",
	    jolt_robust_json_str(t->variant), "axis",
	    jolt_robust_json_str(t->axis), "operator",
	    jolt_robust_json_str(base ? "" : t->op), "level",
	    base ? 0 : t->level, "seed", jseed, "repeat", t->repeat, "outcome",
	    jolt_outcome_name(t->outcome), "reward", t->reward, "steps",
	    t->steps, "tokens_in", (json_int_t)t->tokens_in, "tokens_out",
	    (json_int_t)t->tokens_out, "latency_ms", (json_int_t)t->latency_ms,
	    "error_class", jolt_robust_json_str(t->error_class),
	    "malformed_calls", t->malformed_calls);
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

	fputs(",\n\"trials\": [", f);
	for (size_t i = 0; i < r->ntrials; i++) {
		json_t *t = json_trial(&r->trials[i]);
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
