/*
 * report.h - a report's data, built from stored trial rows, and the
 * registry of output formats that render it.
 *
 * Building: jolt_report_new() names the sources (the databases, in the
 * order given), jolt_report_add() copies in one row at a time (the strings
 * too: a report outlives whatever read the rows), jolt_report_finish()
 * computes the pass/fail/infra tallies each format shows and the
 * robustness summary (robust.h: pairs, drops, flips, adjusted p-values,
 * pass^k) that the formats and the gate read. reports/ never opens a
 * database: the loader that reads results databases into a report is
 * jolt_report_load() in run/report_load.h. A format is a const descriptor
 * with a write hook that turns a finished report into text on a FILE, so
 * adding one needs no SQL.
 *
 * Ownership: a jolt_report owns everything reachable from it; every string
 * in it lives until jolt_report_free(). It is read-only once finished.
 *
 * Rates: pass rate = pass / (pass + fail). Infra errors are counted and
 * shown in their own column, never mixed into a rate (DESIGN.md).
 */
#ifndef JOLT_REPORT_H
#define JOLT_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/columns.h"

/* Outcome tallies for one group of trials. Fields that are not part of the
 * grouping are NULL (e.g. task in a by-model group). */
typedef struct jolt_report_group {
	const char *model;
	const char *scaffold;
	const char *suite;
	const char *task;
	long trials; /* pass + fail + infra */
	long pass;
	long fail;
	long infra;
} jolt_report_group;

struct jolt_report_arena;
struct jolt_robust;
struct jolt_robust_opts;
struct jolt_robust_model;

/* One row of the leaderboard: a model x scaffold across every database of
 * the report, side by side with the others. */
typedef struct jolt_report_entry {
	const char *model;
	const char *scaffold;
	/* Its figures in r->robust (rates, PDR, worst case, infra, and the
	 * noise floor: noise_flip_rate / noise_break_rate, the flip rate
	 * between repeats of the same baseline). */
	const struct jolt_robust_model *m;
	/* Drop per axis (JOLT_AXES order) from r->robust->by_axis: the
	 * estimate and whether it is significant; NAN / false when the
	 * axis was not run. */
	double drop[JOLT_AXIS_COUNT];
	bool significant[JOLT_AXIS_COUNT];
} jolt_report_entry;

/* Where the formats that show whole traces (html) read them from: the
 * loader that read the rows sets it (run/report_load.c reopens the
 * databases); a report built from bare rows has none. reports/ never
 * knows what is behind it. */
typedef struct jolt_report_traces {
	/* The stored trace of trial `id` (its row id) of source `db`, as
	 * the JSON text it was stored as: *out is malloc'd, the caller
	 * frees it. No stored trace is JOLT_ENOTFOUND (and *out NULL). */
	int (*read)(char **out, size_t db, int64_t id, void *payload);
	/* Frees payload; called by jolt_report_free(). May be NULL. */
	void (*release)(void *payload);
	void *payload;
} jolt_report_traces;

/* A variant a run refused to score because the task's reference
 * solution (oracle) fails its graders on it: a bug in an operator or a
 * task, or the environment drifted from the oracle. The same record
 * holds a variant a run did not run because it changes nothing the
 * model is shown (not applicable to its task; `why` says what was
 * compared). */
typedef struct jolt_report_refused {
	const char *suite;   /* "" when the run did not record it */
	const char *variant; /* TASK/AXIS.OPERATOR@LEVEL#SEED */
	/* Parsed from the name; "" and -1 when it does not parse. */
	const char *task;
	const char *op; /* AXIS.OPERATOR */
	int level;
	long long seed;
	const char *why; /* the grader's detail, "" when none */
} jolt_report_refused;

typedef struct jolt_report {
	const char **dbs; /* the database paths, in the order given */
	size_t ndb;
	jolt_trial_row *trials; /* in the order added: database, then id */
	size_t ntrials;
	size_t alloc; /* room in trials, for jolt_report_add */
	/* Groups, each sorted by its key fields (byte order). */
	jolt_report_group *by_model; /* model x scaffold */
	size_t nby_model;
	jolt_report_group *by_suite; /* model x scaffold x suite */
	size_t nby_suite;
	jolt_report_group *by_task; /* model x scaffold x suite x task */
	size_t nby_task;
	struct jolt_report_arena *arena; /* owns the strings */
	/* The robustness summary (robust.h) of all trials, computed by
	 * jolt_report_finish() with the default options; never NULL after it
	 * succeeds. */
	struct jolt_robust *robust;
	/* Runs made with TLS verification off (--insecure): every format
	 * says so. */
	long tls_insecure;
	/* The leaderboard: every model x scaffold, best first (perturbed pass
	 * rate, then baseline pass rate, then name); recomputed with the
	 * summary. The md and json formats show it when it has more than
	 * one row. The noise floor of each row is in its `m`, and copied
	 * into every comparison of r->robust (noise_flip_rate,
	 * noise_break_rate), next to each drop. */
	jolt_report_entry *board;
	size_t nboard;
	/* Variants refused by the runs' pre-check (jolt_report_add_refused),
	 * once each, in the order first added. */
	jolt_report_refused *refused;
	size_t nrefused;
	/* Variants the runs did not run because they change nothing the
	 * model is shown (jolt_report_add_inapplicable), once each, in the
	 * order first added. */
	jolt_report_refused *inapplicable;
	size_t ninapplicable;
	/* The trace source; read == NULL when there is none. Owned. */
	jolt_report_traces traces;
} jolt_report;

/* Start an empty report over `nsources` sources (database paths, copied).
 * The caller frees *out with jolt_report_free(), finished or not. */
int jolt_report_new(jolt_report **out, const char *const *sources,
		    size_t nsources);
/* Copy `row` in as a trial of source `db` (its db field is ignored; a
 * NULL in a column of kind STR is taken as "").
 * Rows keep the order they are added in. A `db` outside the sources is
 * JOLT_EUSAGE. */
int jolt_report_add(jolt_report *r, size_t db, const jolt_trial_row *row);
/* Record a variant a run refused (strings copied; suite and why may be
 * NULL). The same (suite, variant) again is ignored: a resumed run and
 * every shard of one record the same refusals. */
void jolt_report_add_refused(jolt_report *r, const char *suite,
			     const char *variant, const char *why);
/* The same for a variant not applicable to its task. */
void jolt_report_add_inapplicable(jolt_report *r, const char *suite,
				  const char *variant, const char *why);
/* The not-applicable variants counted by suite and operator: what a
 * report shows of them, as `jolt check` shows each operator's
 * applicability. */
typedef struct jolt_report_na_op {
	const char *suite; /* borrowed from the report */
	const char *op;	   /* AXIS.OPERATOR, "" when a name did not parse */
	long variants;	   /* not applicable */
	long tasks;	   /* distinct tasks among them */
} jolt_report_na_op;

/* Count r's not-applicable variants by (suite, operator), in the order
 * first seen. *out is malloc'd (the caller frees it); returns its
 * length. */
size_t jolt_report_na_by_op(const jolt_report *r, jolt_report_na_op **out);
/* The sentence a format opens its list of them with (caller frees). */
char *jolt_report_na_intro(const jolt_report *r);

/* Compute the groups and the robustness summary (default options) of
 * the rows added; call once, after the last add. */
int jolt_report_finish(jolt_report *r);
void jolt_report_free(jolt_report *r);

/* Give the report a trace source (it takes ownership of the payload; an
 * older source is released first). */
void jolt_report_set_traces(jolt_report *r, const jolt_report_traces *t);

/* Recompute r->robust with other options (bootstrap replicates, seed,
 * alpha; NULL = defaults). On error the old summary is kept. */
int jolt_report_summarize(jolt_report *r, const struct jolt_robust_opts *opts);

/* Pass rate of a group and its Wilson 95% interval. Returns false (and
 * sets nothing) when the group has no graded trial (all infra errors). */
/* Order of trials on (model, scaffold, suite, task, repeat): a perturbed
 * trial and the baseline trial it is paired with (robust.h) compare
 * equal. */
int jolt_report_cmp_instance(const jolt_trial_row *x, const jolt_trial_row *y);

bool jolt_report_rate(const jolt_report_group *g, double *rate, double *lo,
		      double *hi);

/* A report format: name, one-line description, flags, then the hook. */
typedef struct jolt_report_format {
	const char *name;	 /* as given to --format */
	const char *description; /* one line, for --help */
	unsigned flags;		 /* none defined yet; 0 */
	/* Render `r` on `f`. Returns 0 or a JOLT_E* code; write errors on `f`
	 * are checked by the caller (jolt_report_write). */
	int (*write)(FILE *f, const jolt_report *r);
} jolt_report_format;

/* The registry, NULL-terminated, in the order --help lists them. */
extern const jolt_report_format *const jolt_report_formats[];

/* Format by name, NULL when there is none. */
const jolt_report_format *jolt_report_format_find(const char *name);

/* Render `r` in `format` on `f`. An unknown format is JOLT_EUSAGE with a
 * message listing the known ones; a failed write is JOLT_EIO. */
int jolt_report_write(const jolt_report *r, const char *format, FILE *f);

/*
 * Adding a report format:
 *  1. Write reports/report_NAME.c defining
 *     `const jolt_report_format jolt_report_NAME = {...}` with a write hook
 *     that only reads the jolt_report (no databases, no globals); a row's
 *     columns are core/columns.h's list.
 *  2. Declare it below and add it to jolt_report_formats[] in report.c.
 *  3. Add a case to tests/unit/test_report.c (and a golden directory) that
 *     renders a known database and checks the output.
 *  4. List it under `jolt report --format` in DESIGN.md and the CLI help.
 */
extern const jolt_report_format jolt_report_md;
extern const jolt_report_format jolt_report_json;
extern const jolt_report_format jolt_report_csv;
extern const jolt_report_format jolt_report_junit; /* gate_out.c */

/* One trial as a JSON object (the caller owns it; NULL when jansson
 * cannot hold it): the CSV and JSON columns of core/columns.h in list
 * order, as in the json format's "trials". */
struct json_t *jolt_report_json_trial(const jolt_trial_row *row);

/* Markdown helpers the Markdown writers share (report_md.c). */
/* Write `s` (at most `max` bytes, 0 = all; never past a newline when
 * `one_line`) escaped for Markdown inline text and table cells. */
void jolt_md_text(FILE *f, const char *s, size_t max, bool one_line);
/* A code span that holds any text: the fence is longer than the longest
 * run of backticks inside. */
void jolt_md_code(FILE *f, const char *s);
extern const jolt_report_format jolt_report_html;

/* The CSV format's header line, "\n" included: the CSV columns of
 * core/columns.h in list order. */
const char *jolt_report_csv_header(void);

#endif
