/*
 * test_report.c - load known databases into a report and render it:
 * Markdown rates exclude infra errors, Wilson intervals, groups, tasks,
 * failures, escaping, empty databases, and the errors; the robustness
 * tables, pass^k, and the json and csv formats on a perturbed run.
 */
#include <jansson.h>
#include <math.h>
#include <sqlite3.h>

#include "test.h"

#include "core/common.h"
#include "reports/report.h"
#include "reports/robust.h"
#include "run/report_load.h"
#include "run/store.h"
#include "core/trial.h"

static jolt_suite suite_a = {.name = "starter"};
static jolt_suite suite_b = {.name = "finance"};
static jolt_task tasks[] = {{.id = "t1"}, {.id = "t2"}};

/* Put one trial; `repeat` keeps keys unique. */
static void put(jolt_store *st, const char *model, const jolt_suite *s,
		const jolt_task *task, int repeat, enum jolt_outcome o,
		const char *detail)
{
	jolt_trial t = {
	    .model = model,
	    .scaffold = "native",
	    .suite = s,
	    .task = task,
	    .variant = "baseline",
	    .axis = "baseline",
	    .op = "",
	    .repeat = repeat,
	};
	jolt_trial_result r = {
	    .outcome = o,
	    .error_class = o == JOLT_OUTCOME_PASS   ? JOLT_EC_NONE
			   : o == JOLT_OUTCOME_FAIL ? JOLT_EC_GRADED_FAIL
						    : JOLT_EC_INFRA_MODEL,
	    .reward = o == JOLT_OUTCOME_PASS,
	    .detail = detail ? jolt_xstrdup(detail) : NULL,
	};
	t.key = jolt_trial_key(&t);
	assert_int_equal(jolt_store_put_trial(st, 1, &t, &r), 0);
	free(t.key);
	jolt_trial_result_release(&r);
}

/* Model A: 8 pass, 2 fail, 1 infra on starter; model B: 1 pass, 1 fail
 * on finance plus one infra-only task. */
static char *make_db(const char *dir, const char *name)
{
	char *path = jolt_xasprintf("%s/%s", dir, name);
	jolt_store *st;
	assert_int_equal(jolt_store_open(&st, path), 0);
	int rep = 0;
	for (int i = 0; i < 8; i++)
		put(st, "A", &suite_a, &tasks[i % 2], rep++, JOLT_OUTCOME_PASS,
		    NULL);
	put(st, "A", &suite_a, &tasks[0], rep++, JOLT_OUTCOME_FAIL,
	    "expected 42\ngot 41");
	put(st, "A", &suite_a, &tasks[1], rep++, JOLT_OUTCOME_FAIL,
	    "file out.txt | missing");
	put(st, "A", &suite_a, &tasks[0], rep++, JOLT_OUTCOME_INFRA,
	    "connection refused");
	put(st, "B", &suite_b, &tasks[0], 0, JOLT_OUTCOME_PASS, NULL);
	put(st, "B", &suite_b, &tasks[0], 1, JOLT_OUTCOME_FAIL, NULL);
	put(st, "B", &suite_b, &tasks[1], 0, JOLT_OUTCOME_INFRA, "503");
	jolt_store_close(st);
	return path;
}

static char *render(const jolt_report *r, const char *format, int *err)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	assert_non_null(f);
	*err = jolt_report_write(r, format, f);
	fclose(f);
	return text;
}

static void test_load_groups(void **state)
{
	char *dir = test_tmpdir();
	char *path = make_db(dir, "r.db");
	jolt_report *r;
	const char *dbs[] = {path};
	assert_int_equal(jolt_report_load(&r, dbs, 1), 0);
	assert_int_equal(r->ntrials, 14);
	assert_int_equal(r->nby_model, 2);
	assert_string_equal(r->by_model[0].model, "A");
	assert_int_equal(r->by_model[0].trials, 11);
	assert_int_equal(r->by_model[0].pass, 8);
	assert_int_equal(r->by_model[0].fail, 2);
	assert_int_equal(r->by_model[0].infra, 1);
	assert_null(r->by_model[0].suite);
	assert_string_equal(r->by_model[1].model, "B");
	assert_int_equal(r->by_model[1].trials, 3);
	assert_int_equal(r->nby_suite, 2);
	assert_string_equal(r->by_suite[1].suite, "finance");
	/* A/t1, A/t2, B/t1, B/t2. */
	assert_int_equal(r->nby_task, 4);
	assert_string_equal(r->by_task[0].task, "t1");
	assert_int_equal(r->by_task[0].pass, 4);
	assert_int_equal(r->by_task[0].fail, 1);
	assert_int_equal(r->by_task[0].infra, 1);
	assert_string_equal(r->by_task[3].model, "B");
	assert_string_equal(r->by_task[3].task, "t2");

	double rate, lo, hi;
	assert_true(jolt_report_rate(&r->by_model[0], &rate, &lo, &hi));
	assert_true(rate == 0.8);
	assert_false(jolt_report_rate(&r->by_task[3], &rate, &lo, &hi));

	/* Trials keep load order and own their strings. */
	assert_string_equal(r->trials[8].detail, "expected 42\ngot 41");
	assert_int_equal(r->trials[8].outcome, JOLT_OUTCOME_FAIL);
	assert_string_equal(r->trials[8].error_class, "graded_fail");
	assert_null(r->trials[0].detail);
	jolt_report_free(r);
	free(path);
	free(dir);
}

static void test_md(void **state)
{
	char *dir = test_tmpdir();
	char *path = make_db(dir, "r.db");
	jolt_report *r;
	const char *dbs[] = {path};
	int err = -1;
	assert_int_equal(jolt_report_load(&r, dbs, 1), 0);
	char *md = render(r, "md", &err);
	assert_int_equal(err, 0);

	assert_true(strncmp(md, "# jolt report\n", 14) == 0);
	assert_non_null(strstr(md, path));
	assert_non_null(strstr(md, "(14 trials)"));
	assert_non_null(strstr(md, "## Pass rate by model"));
	/* 8/(8+2): the infra error is out of the rate, in its own column. */
	assert_non_null(strstr(md, "| A | native | 11 | 8 | 2 | 1 | 80.0% | "
				   "[49.0%, 94.3%] |\n"));
	assert_non_null(strstr(md, "| B | native | 3 | 1 | 1 | 1 | 50.0% |"));
	assert_non_null(strstr(md, "## By suite"));
	assert_non_null(strstr(md, "| A | native | starter | 11 | 8 | 2 | 1 | "
				   "80.0% | [49.0%, 94.3%] |\n"));
	assert_non_null(strstr(md, "## Tasks"));
	assert_non_null(strstr(md, "| A | native | starter/t1 | 4/5 | 4 pass, "
				   "1 fail, 1 infra_error |\n"));
	assert_non_null(strstr(md, "| B | native | finance/t2 | 0/0 | "
				   "1 infra_error |\n"));
	/* Sorted: A's rows come before B's in each table. */
	assert_true(strstr(md, "| A | native | starter/t2") <
		    strstr(md, "| B | native | finance/t1"));

	const char *fails = strstr(md, "## Failures");
	assert_non_null(fails);
	/* First line of the detail only, key in a code span, pipe escaped. */
	assert_non_null(strstr(fails, "- `A|native|starter|t1|baseline|8` — "
				      "graded_fail: expected 42\n"));
	assert_null(strstr(md, "got 41"));
	assert_non_null(strstr(fails, "file out.txt \\| missing"));
	const char *infra = strstr(md, "## Infra errors");
	assert_non_null(infra);
	assert_true(infra > fails);
	assert_non_null(strstr(infra, "connection refused"));
	assert_null(strstr(md, "no trials"));
	free(md);

	/* Unknown format: usage error naming the known ones. */
	md = render(r, "pdf", &err);
	assert_int_equal(err, JOLT_EUSAGE);
	assert_non_null(strstr(jolt_err_msg(), "pdf"));
	assert_non_null(strstr(jolt_err_msg(), "md"));
	assert_string_equal(md, "");
	free(md);
	assert_null(jolt_report_format_find("pdf"));
	assert_ptr_equal(jolt_report_format_find("md"), &jolt_report_md);

	jolt_report_free(r);
	free(path);
	free(dir);
}

static void test_failures_capped(void **state)
{
	char *dir = test_tmpdir();
	char *path = jolt_xasprintf("%s/many.db", dir);
	jolt_store *st;
	assert_int_equal(jolt_store_open(&st, path), 0);
	for (int i = 0; i < 25; i++)
		put(st, "A", &suite_a, &tasks[0], i, JOLT_OUTCOME_FAIL, "nope");
	jolt_store_close(st);

	jolt_report *r;
	const char *dbs[] = {path};
	int err;
	assert_int_equal(jolt_report_load(&r, dbs, 1), 0);
	char *md = render(r, "md", &err);
	assert_int_equal(err, 0);
	assert_non_null(strstr(md, "25 failed trials; the 20 most informative"));
	size_t items = 0;
	const char *rest = strstr(md, "Every one of them:");
	assert_non_null(rest);
	for (const char *p = strstr(md, "## Failures"); (p = strstr(p, "\n- ")) &&
							p < rest;
	     p++)
		items++;
	assert_int_equal(items, 20);
	/* All baselines, all failed: ties go by key, so repeat 0, 1, 10, ...
	 * (byte order), and the query names the database. */
	assert_non_null(strstr(md, "- `A|native|starter|t1|baseline|0` —"));
	assert_null(strstr(md, "- `A|native|starter|t1|baseline|9` —"));
	char *query = jolt_xasprintf("`sqlite3 '%s' \"SELECT key, error_class, "
				     "detail FROM trials WHERE outcome = 'fail' "
				     "ORDER BY key\"`",
				     path);
	assert_non_null(strstr(rest, query));
	free(query);
	assert_non_null(strstr(md, "| 0.0% | [0.0%, 13.3%] |"));
	free(md);
	jolt_report_free(r);
	free(path);
	free(dir);
}

static void test_empty_and_multi(void **state)
{
	char *dir = test_tmpdir();
	char *empty = jolt_xasprintf("%s/empty.db", dir);
	jolt_store *st;
	assert_int_equal(jolt_store_open(&st, empty), 0);
	jolt_store_close(st);

	jolt_report *r;
	const char *dbs1[] = {empty};
	int err;
	assert_int_equal(jolt_report_load(&r, dbs1, 1), 0);
	assert_int_equal(r->ntrials, 0);
	char *md = render(r, "md", &err);
	assert_int_equal(err, 0);
	assert_non_null(strstr(md, "no trials"));
	assert_null(strstr(md, "## Pass rate by model"));
	free(md);
	jolt_report_free(r);

	/* Two databases: rows from both, per-database counts. */
	char *full = make_db(dir, "full.db");
	const char *dbs2[] = {full, empty};
	assert_int_equal(jolt_report_load(&r, dbs2, 2), 0);
	assert_int_equal(r->ntrials, 14);
	assert_int_equal(r->ndb, 2);
	md = render(r, "md", &err);
	assert_int_equal(err, 0);
	assert_non_null(strstr(md, "Databases:"));
	assert_non_null(strstr(md, "empty.db` (0 trials)"));
	assert_non_null(strstr(md, "full.db` (14 trials)"));
	free(md);
	jolt_report_free(r);

	free(full);
	free(empty);
	free(dir);
}

static void test_escaping(void **state)
{
	char *dir = test_tmpdir();
	char *path = jolt_xasprintf("%s/esc.db", dir);
	jolt_store *st;
	assert_int_equal(jolt_store_open(&st, path), 0);
	put(st, "evil|*model*", &suite_a, &tasks[0], 0, JOLT_OUTCOME_FAIL,
	    "_x_ <b>y</b> snake_case caf\xc3\xa9");
	jolt_store_close(st);

	jolt_report *r;
	const char *dbs[] = {path};
	int err;
	assert_int_equal(jolt_report_load(&r, dbs, 1), 0);
	char *md = render(r, "md", &err);
	assert_int_equal(err, 0);
	/* A pipe or emphasis in a name cannot break the table. */
	assert_non_null(
	    strstr(md, "| evil\\|\\*model\\* | native | 1 | 0 | 1 |"));
	assert_non_null(strstr(md, "\\_x\\_ \\<b\\>y\\</b\\> snake_case "
				   "caf\xc3\xa9\n"));
	free(md);
	jolt_report_free(r);
	free(path);
	free(dir);
}

static void test_load_errors(void **state)
{
	char *dir = test_tmpdir();
	char *missing = jolt_xasprintf("%s/missing.db", dir);
	jolt_report *r = (jolt_report *)1;
	const char *dbs[] = {missing};
	assert_int_equal(jolt_report_load(&r, dbs, 1), JOLT_ENOTFOUND);
	assert_null(r);
	assert_int_equal(jolt_report_load(&r, dbs, 0), JOLT_EUSAGE);
	assert_null(r);

	test_write(dir, "notes.txt", "not a database\n");
	char *text = jolt_xasprintf("%s/notes.txt", dir);
	const char *dbs2[] = {text};
	assert_int_equal(jolt_report_load(&r, dbs2, 1), JOLT_EINPUT);
	assert_null(r);
	free(text);
	free(missing);
	free(dir);
}

/* Put one perturbed trial (op NULL: baseline). */
static void put_v(jolt_store *st, const char *model, const jolt_task *task,
		  const char *axis, const char *op, int level, int repeat,
		  enum jolt_outcome o)
{
	char *variant =
	    op ? jolt_xasprintf("%s/%s.%s@%d#7", task->id, axis, op, level)
	       : jolt_xstrdup("baseline");
	jolt_trial t = {
	    .model = model,
	    .scaffold = "native",
	    .suite = &suite_a,
	    .task = task,
	    .variant = variant,
	    .axis = op ? axis : "baseline",
	    .op = op ? op : "",
	    .level = op ? level : 0,
	    .vseed = op ? 7 : 0,
	    .repeat = repeat,
	};
	jolt_trial_result r = {
	    .outcome = o,
	    .error_class = o == JOLT_OUTCOME_PASS   ? JOLT_EC_NONE
			   : o == JOLT_OUTCOME_FAIL ? JOLT_EC_GRADED_FAIL
						    : JOLT_EC_INFRA_MODEL,
	    .reward = o == JOLT_OUTCOME_PASS,
	    .steps = 3,
	    .tokens_in = 200,
	    .tokens_out = 20,
	    .latency_ms = 40,
	    .malformed_calls = op ? 1 : 0,
	};
	t.key = jolt_trial_key(&t);
	assert_int_equal(jolt_store_put_trial(st, 1, &t, &r), 0);
	free(t.key);
	free(variant);
	jolt_trial_result_release(&r);
}

/*
 * Model A, tasks t1 t2, 2 repeats: every baseline passes; tool.rename@1
 * fails t1 twice and t2 once (3 breaks in 4 pairs: drop = mean of 1 and
 * 0.5 = 75%, McNemar p = 2/8); user.typo@1 has one infra trial (unpaired).
 * Model q,"m" (a comma and a quote in its name) has one baseline trial.
 */
static char *make_perturbed_db(const char *dir)
{
	char *path = jolt_xasprintf("%s/p.db", dir);
	jolt_store *st;
	assert_int_equal(jolt_store_open(&st, path), 0);
	for (int r = 0; r < 2; r++) {
		put_v(st, "A", &tasks[0], NULL, NULL, 0, r, JOLT_OUTCOME_PASS);
		put_v(st, "A", &tasks[1], NULL, NULL, 0, r, JOLT_OUTCOME_PASS);
		put_v(st, "A", &tasks[0], "tool", "rename", 1, r,
		      JOLT_OUTCOME_FAIL);
		put_v(st, "A", &tasks[1], "tool", "rename", 1, r,
		      r == 0 ? JOLT_OUTCOME_PASS : JOLT_OUTCOME_FAIL);
	}
	put_v(st, "A", &tasks[1], "user", "typo", 1, 0, JOLT_OUTCOME_INFRA);
	put_v(st, "q,\"m\"", &tasks[0], NULL, NULL, 0, 0, JOLT_OUTCOME_PASS);
	jolt_store_close(st);
	return path;
}

static jolt_report *load_one(const char *path)
{
	jolt_report *r;
	const char *dbs[] = {path};
	assert_int_equal(jolt_report_load(&r, dbs, 1), 0);
	return r;
}

static void test_robust_loaded(void **state)
{
	char *dir = test_tmpdir();
	char *path = make_perturbed_db(dir);
	jolt_report *r = load_one(path);
	assert_int_equal(r->ntrials, 10);
	const jolt_robust *s = r->robust;
	assert_non_null(s);
	assert_int_equal(s->nmodels, 2);
	assert_int_equal(s->nby_axis, 2);
	const jolt_robust_cmp *tool = &s->by_axis[0];
	assert_string_equal(tool->axis, "tool");
	assert_int_equal(tool->flips.n11, 1);
	assert_int_equal(tool->flips.n10, 3);
	assert_true(fabs(tool->drop.est - 0.75) < 1e-12);
	assert_true(fabs(tool->drop.lo - 0.5) < 1e-12);
	assert_true(fabs(tool->drop.hi - 1.0) < 1e-12);
	assert_true(fabs(tool->p - 0.25) < 1e-12);
	assert_int_equal(s->by_axis[1].unpaired, 1);
	assert_int_equal(s->family, 1);
	assert_int_equal(s->opts.bootstrap_reps, JOLT_BOOTSTRAP_REPS);

	/* Recomputing with other options replaces the summary. */
	jolt_robust_opts o = {.bootstrap_reps = 200, .alpha = 0.3};
	assert_int_equal(jolt_report_summarize(r, &o), 0);
	assert_int_equal(r->robust->opts.bootstrap_reps, 200);
	assert_true(r->robust->by_axis[0].significant);
	o.bootstrap_reps = -1;
	assert_int_equal(jolt_report_summarize(r, &o), JOLT_EUSAGE);
	assert_int_equal(r->robust->opts.bootstrap_reps, 200);
	jolt_report_free(r);
	free(path);
	free(dir);
}

static void test_md_robust(void **state)
{
	char *dir = test_tmpdir();
	char *path = make_perturbed_db(dir);
	jolt_report *r = load_one(path);
	int err = -1;
	char *md = render(r, "md", &err);
	assert_int_equal(err, 0);
	const char *axis = strstr(md, "## Robustness by axis");
	assert_non_null(axis);
	/* After the pass-rate tables, before the task list. */
	assert_true(axis > strstr(md, "## By suite"));
	assert_true(axis < strstr(md, "## Tasks"));
	assert_non_null(strstr(axis, "| model | scaffold | axis | pairs | "
				     "baseline | perturbed | drop [95% CI] | "
				     "detectable | breaks | fixes | break rate | "
				     "noise floor | "
				     "McNemar p (Holm) |\n"));
	assert_non_null(strstr(axis, "| A | native | tool | 4 | 100.0% | "
				     "25.0% | 75.0% [50.0%, 100.0%] | n/a | 3 | 0 | "
				     "75.0% | 0.0% | 0.2500 (0.2500) |\n"));
	/* Every user.typo trial was an infra error: no pairs. */
	assert_non_null(strstr(axis, "| A | native | user | 0 | n/a | n/a | "
				     "n/a | n/a | 0 | 0 | n/a | 0.0% | n/a (n/a) |\n"));
	const char *ops = strstr(md, "## By operator");
	assert_non_null(ops);
	assert_non_null(
	    strstr(ops, "| A | native | tool | rename | all | 4 |"));
	/* A single level repeats its operator's row, so it is not shown. */
	assert_null(strstr(ops, "| A | native | tool | rename | 1 |"));
	const char *pk = strstr(md, "## pass^k over repeats");
	assert_non_null(pk);
	/* A: pass^1 baseline 100%, all instances (t1 rename 0/2, t2 1/2,
	 * the two baselines 2/2): (1 + 1 + 0 + .5) / 4 = 62.5%. */
	assert_non_null(strstr(pk, "| A | native | 1 | 100.0% | 100.0% | "
				   "62.5% | 62.5% |\n"));
	/* pass^2 all: only the baselines: 2/4; pass@2 all: t2 rename
	 * passes once, so 3/4. */
	assert_non_null(strstr(pk, "| A | native | 2 | 100.0% | 100.0% | "
				   "50.0% | 75.0% |\n"));
	assert_non_null(strstr(md, "## Robustness summary"));
	/* PDR 1 - 1/4; worst case: t1 0 (rename 0/2), t2 0.5 (rename 1/2;
	 * typo has no graded trial); 5 malformed calls in 9 x 3 steps. */
	/* Noise: both baselines pass both repeats: 0 of 2 pairs differ. */
	assert_non_null(strstr(md, "| A | native | 100.0% | 25.0% | 75.0% | "
				   "25.0% | 0.0% of 2 | 0.185 | 200 | 20 | 40 |\n"));
	free(md);
	jolt_report_free(r);
	free(path);
	free(dir);
}

static void test_md_significant(void **state)
{
	char *dir = test_tmpdir();
	char *path = jolt_xasprintf("%s/sig.db", dir);
	jolt_store *st;
	assert_int_equal(jolt_store_open(&st, path), 0);
	/* Ten repeats of two tasks, every perturbed trial broken: 20 breaks,
	 * p = 2^-19. */
	for (int r = 0; r < 10; r++)
		for (int t = 0; t < 2; t++) {
			put_v(st, "A", &tasks[t], NULL, NULL, 0, r,
			      JOLT_OUTCOME_PASS);
			put_v(st, "A", &tasks[t], "env", "wipe", 2, r,
			      JOLT_OUTCOME_FAIL);
		}
	jolt_store_close(st);
	jolt_report *r = load_one(path);
	int err;
	char *md = render(r, "md", &err);
	assert_int_equal(err, 0);
	assert_non_null(strstr(md, "| A | native | env | 20 | 100.0% | 0.0% | "
				   "100.0% [100.0%, 100.0%] | n/a | 20 | 0 | "
				   "100.0% | 0.0% | **<0.0001 (<0.0001)** |\n"));
	free(md);
	jolt_report_free(r);
	free(path);
	free(dir);
}

static void test_csv(void **state)
{
	char *dir = test_tmpdir();
	char *path = make_perturbed_db(dir);
	jolt_report *r = load_one(path);
	int err = -1;
	char *csv = render(r, "csv", &err);
	assert_int_equal(err, 0);
	const char *header =
	    "model,scaffold,suite,task,variant,axis,operator,level,seed,"
	    "repeat,outcome,reward,steps,tokens_in,tokens_out,latency_ms,"
	    "error_class\n";
	/* DESIGN.md's contract, spelled out here rather than from the column
	 * list, so a reordered or renamed column fails. */
	assert_string_equal(jolt_report_csv_header(), header);
	/* The contract's columns, then the noise floor. */
	assert_true(strncmp(csv, header, strlen(header) - 1) == 0);
	assert_true(strncmp(csv + strlen(header) - 1, ",noise_flip_rate\n",
			    17) == 0);
	size_t lines = 0;
	for (const char *p = csv; *p; p++)
		lines += *p == '\n';
	assert_int_equal(lines, 11);
	assert_non_null(strstr(csv, "\nA,native,starter,t1,baseline,baseline,"
				    ",0,0,0,pass,1,3,200,20,40,,0\n"));
	assert_non_null(strstr(csv, "\nA,native,starter,t1,t1/tool.rename@1#7,"
				    "tool,rename,1,7,1,fail,0,3,200,20,40,"
				    "graded_fail,0\n"));
	assert_non_null(strstr(csv, "\nA,native,starter,t2,t2/user.typo@1#7,"
				    "user,typo,1,7,0,infra_error,0,3,200,20,"
				    "40,infra_model,0\n"));
	/* RFC 4180: quoted, inner quotes doubled. */
	assert_non_null(strstr(csv, "\n\"q,\"\"m\"\"\",native,starter,t1,"
				    "baseline,baseline,,0,0,0,pass,"));
	free(csv);
	assert_ptr_equal(jolt_report_format_find("csv"), &jolt_report_csv);
	jolt_report_free(r);
	free(path);
	free(dir);
}

/* The detectable drop next to each drop (robust.h, power.h): 40 tasks,
 * one repeat, baseline 30/40, 6 breaks and 2 fixes under env.wipe. So
 * p0 = .75, noise = 2 x 2/40 = .1 (from the fixes: no repeats), K = 1,
 * one comparison in the family; Connor's n solved for d (Python:
 * statistics.NormalDist, bisection) gives .256913. */
static void test_detectable(void **state)
{
	char *dir = test_tmpdir();
	char *path = jolt_xasprintf("%s/det.db", dir);
	jolt_store *st;
	jolt_task many[40];
	char ids[40][8];
	assert_int_equal(jolt_store_open(&st, path), 0);
	for (int t = 0; t < 40; t++) {
		snprintf(ids[t], sizeof(ids[t]), "t%02d", t);
		many[t] = (jolt_task){.id = ids[t]};
		bool clean = t < 30;
		bool pert = (t >= 6 && t < 30) || t == 30 || t == 31;
		put_v(st, "A", &many[t], NULL, NULL, 0, 0,
		      clean ? JOLT_OUTCOME_PASS : JOLT_OUTCOME_FAIL);
		put_v(st, "A", &many[t], "env", "wipe", 2, 0,
		      pert ? JOLT_OUTCOME_PASS : JOLT_OUTCOME_FAIL);
	}
	jolt_store_close(st);
	jolt_report *r = load_one(path);
	const jolt_robust *rb = r->robust;
	assert_int_equal(rb->nby_axis, 1);
	assert_int_equal(rb->family, 1);
	const jolt_robust_cmp *c = &rb->by_axis[0];
	assert_int_equal(c->flips.n10, 6);
	assert_int_equal(c->flips.n01, 2);
	assert_true(fabs(rb->models[0].plan_noise - 0.1) < 1e-12);
	assert_int_equal(rb->models[0].plan_noise_from, JOLT_POWER_SRC_FIXES);
	assert_true(fabs(c->mdd - 0.256913) < 1e-5);
	/* A 10-point drop, not significant, whose interval (about +-13
	 * points) stays below 25.7: no drop of that size. */
	assert_false(c->significant);
	assert_true(c->drop.hi < c->mdd);
	assert_string_equal(jolt_robust_verdict(c),
			    "no drop of the detectable size");
	int err = -1;
	char *md = render(r, "md", &err);
	assert_int_equal(err, 0);
	assert_non_null(strstr(md, "| A | native | env | 40 | 75.0% | 65.0% | "
				   "10.0% ["));
	assert_non_null(strstr(md, "] | 25.7% | 6 | 2 | 20.0% | n/a | "));
	free(md);
	char *text = render(r, "json", &err);
	assert_int_equal(err, 0);
	json_t *j = json_loads(text, 0, NULL);
	assert_non_null(j);
	json_t *sum = json_object_get(j, "summary");
	json_t *ax = json_array_get(json_object_get(sum, "by_axis"), 0);
	assert_true(fabs(json_real_value(json_object_get(ax, "detectable_drop")) -
			 0.256913) < 1e-5);
	json_t *plan = json_object_get(
	    json_array_get(json_object_get(sum, "models"), 0), "plan");
	assert_string_equal(json_string_value(json_object_get(plan, "noise_from")),
			    "fixes");
	assert_int_equal(json_array_size(json_object_get(j, "refused_variants")), 0);
	json_decref(j);
	free(text);
	text = render(r, "html", &err);
	assert_int_equal(err, 0);
	assert_non_null(strstr(text, "<td class=\"mdd\">25.7%</td>"));
	assert_non_null(strstr(text, "No variant was refused"));
	free(text);
	jolt_report_free(r);
	free(path);
	free(dir);
}

/* With repeats and several variants per task: 40 tasks x 2 repeats,
 * two operators. Baselines: t00-t27 pass both repeats, t28-t29 pass
 * only repeat 0 (2 of 40 repeat pairs disagree: noise .05), the rest
 * fail; a variant passes where its baseline does, except on t00-t05.
 * The env axis: 160 pairs, clean rate 116/160 = .725, 4 pairs per task
 * over 2 repeats, so K = 2 / (1/2 + 1/4) = 2.667; family 3 (the axis
 * and its two operators; their single levels repeat them). Python:
 * Connor's n with psi = d + .05/K at alpha .05/3, solved: .261737. */
static void test_detectable_repeats(void **state)
{
	char *dir = test_tmpdir();
	char *path = jolt_xasprintf("%s/det2.db", dir);
	jolt_store *st;
	jolt_task many[40];
	char ids[40][8];
	static const char *const ops[] = {"wipe", "move"};
	assert_int_equal(jolt_store_open(&st, path), 0);
	for (int t = 0; t < 40; t++) {
		snprintf(ids[t], sizeof(ids[t]), "t%02d", t);
		many[t] = (jolt_task){.id = ids[t]};
		for (int rep = 0; rep < 2; rep++) {
			bool clean = t < 28 || (t < 30 && rep == 0);
			put_v(st, "A", &many[t], NULL, NULL, 0, rep,
			      clean ? JOLT_OUTCOME_PASS : JOLT_OUTCOME_FAIL);
			for (int o = 0; o < 2; o++)
				put_v(st, "A", &many[t], "env", ops[o], 1, rep,
				      clean && t >= 6 ? JOLT_OUTCOME_PASS
						      : JOLT_OUTCOME_FAIL);
		}
	}
	jolt_store_close(st);
	jolt_report *r = load_one(path);
	const jolt_robust *rb = r->robust;
	assert_int_equal(rb->family, 3);
	assert_int_equal(rb->models[0].plan_noise_from, JOLT_POWER_SRC_REPEATS);
	assert_true(fabs(rb->models[0].plan_noise - 0.05) < 1e-12);
	const jolt_robust_cmp *c = &rb->by_axis[0];
	assert_int_equal(jolt_flips_total(&c->flips), 160);
	assert_true(fabs(c->clean.rate - 0.725) < 1e-12);
	assert_true(fabs(c->mdd - 0.261737) < 1e-5);
	assert_true(c->significant);
	assert_string_equal(jolt_robust_verdict(c), "drop");
	jolt_report_free(r);
	free(path);
	free(dir);
}

/* Refused variants (report.h): parsed from their names, once each, in
 * every format. */
static void test_refused(void **state)
{
	const char *src[] = {"x.db"};
	jolt_report *r = NULL;
	assert_int_equal(jolt_report_new(&r, src, 1), 0);
	jolt_report_add_refused(r, "starter", "fin-a/env.move_files@2#3",
				"grade[0]: file out.csv missing");
	jolt_report_add_refused(r, "starter", "fin-a/env.move_files@2#3",
				"again, from a resumed run");
	jolt_report_add_refused(r, NULL, "odd-name", NULL);
	assert_int_equal(jolt_report_finish(r), 0);
	assert_int_equal(r->nrefused, 2);
	assert_string_equal(r->refused[0].task, "fin-a");
	assert_string_equal(r->refused[0].op, "env.move_files");
	assert_int_equal(r->refused[0].level, 2);
	assert_int_equal(r->refused[0].seed, 3);
	assert_string_equal(r->refused[1].suite, "");
	assert_int_equal(r->refused[1].level, -1);
	int err = -1;
	char *text = render(r, "json", &err);
	assert_int_equal(err, 0);
	json_t *j = json_loads(text, 0, NULL);
	json_t *ref = json_object_get(j, "refused_variants");
	assert_int_equal(json_array_size(ref), 2);
	json_t *x = json_array_get(ref, 0);
	assert_string_equal(json_string_value(json_object_get(x, "operator")),
			    "env.move_files");
	assert_int_equal(json_integer_value(json_object_get(x, "level")), 2);
	assert_int_equal(json_integer_value(json_object_get(x, "seed")), 3);
	assert_string_equal(json_string_value(json_object_get(x, "why")),
			    "grade[0]: file out.csv missing");
	assert_null(json_object_get(json_array_get(ref, 1), "level"));
	json_decref(j);
	free(text);
	text = render(r, "md", &err);
	assert_int_equal(err, 0);
	/* An empty report still says what was refused. */
	assert_non_null(strstr(text, "## Refused variants"));
	free(text);
	jolt_report_free(r);
}

/* Variants not applicable (report.h): once each, counted by suite and
 * operator with their distinct tasks, in md and json. */
static void test_inapplicable(void **state)
{
	const char *src[] = {"x.db"};
	jolt_report *r = NULL;
	const char *why = "no tool result along the oracle's path changes";
	assert_int_equal(jolt_report_new(&r, src, 1), 0);
	jolt_report_add_inapplicable(r, "s", "a/response.reformat@1#1", why);
	jolt_report_add_inapplicable(r, "s", "a/response.reformat@2#1", why);
	jolt_report_add_inapplicable(r, "s", "b/response.reformat@1#1", why);
	jolt_report_add_inapplicable(r, "s", "a/user.user_case@1#1", NULL);
	jolt_report_add_inapplicable(r, "s", "a/response.reformat@1#1", why);
	assert_int_equal(jolt_report_finish(r), 0);
	assert_int_equal(r->ninapplicable, 4);
	assert_int_equal(r->nrefused, 0);
	jolt_report_na_op *ops = NULL;
	assert_int_equal(jolt_report_na_by_op(r, &ops), 2);
	assert_string_equal(ops[0].op, "response.reformat");
	assert_int_equal(ops[0].variants, 3);
	assert_int_equal(ops[0].tasks, 2);
	assert_string_equal(ops[1].op, "user.user_case");
	assert_int_equal(ops[1].variants, 1);
	assert_int_equal(ops[1].tasks, 1);
	free(ops);
	int err = -1;
	char *text = render(r, "md", &err);
	assert_int_equal(err, 0);
	assert_non_null(strstr(text, "| s | response.reformat | 3 | 2 |"));
	assert_non_null(strstr(text, "4 variants were not run"));
	free(text);
	text = render(r, "json", &err);
	assert_int_equal(err, 0);
	json_t *j = json_loads(text, 0, NULL);
	json_t *na = json_object_get(j, "inapplicable_variants");
	assert_int_equal(json_array_size(na), 4);
	assert_string_equal(json_string_value(json_object_get(
				json_array_get(na, 2), "task")), "b");
	json_decref(j);
	free(text);
	jolt_report_free(r);
}

static void test_json(void **state)
{
	char *dir = test_tmpdir();
	char *path = make_perturbed_db(dir);
	jolt_report *r = load_one(path);
	int err = -1;
	char *text = render(r, "json", &err);
	assert_int_equal(err, 0);
	json_error_t jerr;
	json_t *j = json_loads(text, 0, &jerr);
	assert_non_null(j);
	json_t *trials = json_object_get(j, "trials");
	assert_int_equal(json_array_size(trials), 10);
	json_t *t = json_array_get(trials, 2);
	assert_string_equal(json_string_value(json_object_get(t, "model")),
			    "A");
	assert_string_equal(json_string_value(json_object_get(t, "axis")),
			    "tool");
	assert_string_equal(json_string_value(json_object_get(t, "operator")),
			    "rename");
	assert_int_equal(json_integer_value(json_object_get(t, "level")), 1);
	assert_int_equal(json_integer_value(json_object_get(t, "seed")), 7);
	assert_string_equal(json_string_value(json_object_get(t, "outcome")),
			    "fail");
	assert_int_equal(
	    json_integer_value(json_object_get(t, "malformed_calls")), 1);
	assert_int_equal(json_object_size(t), 18);
	/* Members in column order: the CSV contract, then malformed_calls. */
	static const char *const order[] = {
	    "model",	   "scaffold",	     "suite",	   "task",
	    "variant",	   "axis",	     "operator",   "level",
	    "seed",	   "repeat",	     "outcome",	   "reward",
	    "steps",	   "tokens_in",	     "tokens_out", "latency_ms",
	    "error_class", "malformed_calls"};
	size_t k = 0;
	for (void *it = json_object_iter(t); it;
	     it = json_object_iter_next(t, it))
		assert_string_equal(json_object_iter_key(it), order[k++]);
	assert_int_equal(k, 18);
	json_t *q = json_array_get(trials, 9);
	assert_string_equal(json_string_value(json_object_get(q, "model")),
			    "q,\"m\"");
	assert_string_equal(json_string_value(json_object_get(q, "operator")),
			    "");

	json_t *sum = json_object_get(j, "summary");
	assert_int_equal(json_array_size(json_object_get(sum, "models")), 2);
	assert_int_equal(json_array_size(json_object_get(sum, "by_axis")), 2);
	json_t *tool = json_array_get(json_object_get(sum, "by_axis"), 0);
	assert_int_equal(json_integer_value(json_object_get(tool, "pairs")), 4);
	json_t *drop = json_object_get(tool, "drop");
	assert_true(fabs(json_real_value(json_object_get(drop, "est")) - 0.75) <
		    1e-12);
	json_t *dbs = json_object_get(j, "databases");
	assert_int_equal(json_array_size(dbs), 1);
	assert_int_equal(json_integer_value(
			     json_object_get(json_array_get(dbs, 0), "trials")),
			 10);
	json_decref(j);
	free(text);
	assert_ptr_equal(jolt_report_format_find("json"), &jolt_report_json);
	jolt_report_free(r);
	free(path);
	free(dir);
}

/* The builder without any database: rows are copied in, tallied, and
 * summarised; a source index out of range is refused. */
static void test_builder(void **state)
{
	const char *srcs[] = {"one.db", "two.db"};
	jolt_report *r = NULL;
	char model[8] = "M";
	jolt_trial_row row = {
	    .id = 5,
	    .db = 99, /* ignored: the add names the source */
	    .key = "k1",
	    .model = model,
	    .scaffold = "native",
	    .suite = "s",
	    .task = "t",
	    .variant = JOLT_BASELINE,
	    .axis = JOLT_BASELINE,
	    .op = "",
	    .outcome = JOLT_OUTCOME_PASS,
	    .reward = 1.0,
	    .error_class = "",
	    .answer = "42",
	};
	assert_int_equal(jolt_report_new(&r, srcs, 2), 0);
	assert_int_equal(jolt_report_add(r, 1, &row), 0);
	row.key = "k2";
	row.outcome = JOLT_OUTCOME_INFRA;
	row.answer = NULL;
	row.task = NULL; /* a name column is never NULL once added */
	assert_int_equal(jolt_report_add(r, 0, &row), 0);
	assert_int_equal(jolt_report_add(r, 2, &row), JOLT_EUSAGE);
	model[0] = 'X'; /* the report holds its own copy */
	assert_int_equal(jolt_report_finish(r), 0);

	assert_int_equal(r->ntrials, 2);
	assert_int_equal(r->ndb, 2);
	assert_string_equal(r->dbs[1], "two.db");
	assert_int_equal(r->trials[0].db, 1);
	assert_int_equal(r->trials[1].db, 0);
	assert_int_equal(r->trials[0].id, 5);
	assert_string_equal(r->trials[0].model, "M");
	assert_ptr_not_equal(r->trials[0].model, model);
	assert_string_equal(r->trials[0].answer, "42");
	assert_null(r->trials[1].answer);
	assert_string_equal(r->trials[1].task, "");
	assert_int_equal(r->nby_task, 2);
	assert_int_equal(r->nby_model, 1);
	assert_int_equal(r->by_model[0].pass, 1);
	assert_int_equal(r->by_model[0].infra, 1);
	assert_non_null(r->robust);
	jolt_report_free(r);
}

/* A stored outcome this jolt does not know stops the load. */
static void test_load_unknown_outcome(void **state)
{
	char *dir = test_tmpdir();
	char *path = make_db(dir, "r.db");
	sqlite3 *db;
	jolt_report *r = (jolt_report *)1;
	const char *dbs[] = {path};
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
				      "UPDATE trials SET outcome='skipped' "
				      "WHERE id = 3",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(jolt_report_load(&r, dbs, 1), JOLT_EINPUT);
	assert_null(r);
	assert_non_null(strstr(jolt_err_msg(), "unknown outcome 'skipped'"));
	assert_non_null(strstr(jolt_err_msg(), path));
	free(path);
	free(dir);
}

/* Two models: the leaderboard ranks them side by side in md and json. */
static void test_leaderboard(void **state)
{
	char *dir = test_tmpdir();
	char *path = make_db(dir, "r.db");
	jolt_report *r = load_one(path);
	assert_int_equal(r->nboard, 2);
	/* No perturbed trial: ranked by baseline pass rate, 80% then 50%. */
	assert_string_equal(r->board[0].model, "A");
	assert_string_equal(r->board[1].model, "B");
	assert_true(isnan(r->board[0].drop[0]));
	int err;
	char *md = render(r, "md", &err);
	assert_int_equal(err, 0);
	const char *lb = strstr(md, "## Leaderboard");
	assert_non_null(lb);
	assert_true(lb < strstr(md, "## Pass rate by model"));
	assert_non_null(strstr(lb, "| # | model | scaffold | baseline | perturbed "
				   "| tool drop | system drop |"));
	assert_non_null(strstr(lb, "| 1 | A | native | 80.0% | n/a | n/a |"));
	assert_non_null(strstr(lb, "| 2 | B | native | 50.0% | n/a |"));
	free(md);
	char *js = render(r, "json", &err);
	assert_int_equal(err, 0);
	json_t *j = json_loads(js, 0, NULL);
	assert_non_null(j);
	json_t *b = json_object_get(j, "leaderboard");
	assert_int_equal(json_array_size(b), 2);
	assert_string_equal(json_string_value(json_object_get(
				json_array_get(b, 1), "model")),
			    "B");
	assert_int_equal(json_integer_value(json_object_get(
			     json_array_get(b, 1), "rank")),
			 2);
	assert_true(json_is_null(json_object_get(
	    json_object_get(json_array_get(b, 0), "drop"), "tool")));
	json_decref(j);
	free(js);
	jolt_report_free(r);
	free(path);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_load_groups),
	    cmocka_unit_test(test_md),
	    cmocka_unit_test(test_leaderboard),
	    cmocka_unit_test(test_failures_capped),
	    cmocka_unit_test(test_empty_and_multi),
	    cmocka_unit_test(test_escaping),
	    cmocka_unit_test(test_load_errors),
	    cmocka_unit_test(test_robust_loaded),
	    cmocka_unit_test(test_md_robust),
	    cmocka_unit_test(test_md_significant),
	    cmocka_unit_test(test_csv),
	    cmocka_unit_test(test_json),
	    cmocka_unit_test(test_detectable),
	    cmocka_unit_test(test_detectable_repeats),
	    cmocka_unit_test(test_refused),
	    cmocka_unit_test(test_inapplicable),
	    cmocka_unit_test(test_builder),
	    cmocka_unit_test(test_load_unknown_outcome),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
