/*
 * test_report.c - load known databases into a report and render Markdown:
 * rates exclude infra errors, Wilson intervals, groups, tasks, failures,
 * escaping, empty databases, and the errors.
 */
#include "test.h"

#include "common.h"
#include "report.h"
#include "store.h"
#include "trial.h"

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
	assert_non_null(strstr(md, "25 failed trials; the first 20:"));
	size_t items = 0;
	for (const char *p = strstr(md, "## Failures"); (p = strstr(p, "\n- "));
	     p++)
		items++;
	assert_int_equal(items, 20);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_load_groups),
	    cmocka_unit_test(test_md),
	    cmocka_unit_test(test_failures_capped),
	    cmocka_unit_test(test_empty_and_multi),
	    cmocka_unit_test(test_escaping),
	    cmocka_unit_test(test_load_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
