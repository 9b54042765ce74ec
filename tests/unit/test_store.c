/*
 * test_store.c - the results store: create, put, replace, read back,
 * traces, persistence, WAL, and the errors for files that are not ours.
 */
#include <sqlite3.h>

#include "test.h"

#include "core/common.h"
#include "run/store.h"
#include "core/trial.h"

static jolt_suite suite = {.name = "starter"};
static jolt_task tasks[] = {{.id = "t1"}, {.id = "t2"}, {.id = "t3"}};

static void make_trial(jolt_trial *t, int i)
{
	memset(t, 0, sizeof(*t));
	t->model = "sim:brittle";
	t->scaffold = "native";
	t->suite = &suite;
	t->task = &tasks[i % 3];
	t->variant =
	    i == 0 ? "baseline" : "t2/tool.rename@2#18446744073709551615";
	t->axis = i == 0 ? "baseline" : "tool";
	t->op = i == 0 ? "" : "rename";
	t->level = i == 0 ? 0 : 2;
	t->vseed = i == 0 ? 0 : UINT64_MAX; /* the top bit must survive */
	t->repeat = i;
	t->seed = 7;
	t->key = jolt_trial_key(t);
}

static void make_result(jolt_trial_result *r, int i)
{
	memset(r, 0, sizeof(*r));
	r->outcome = (enum jolt_outcome)(i % 3);
	r->error_class = i == 1	  ? JOLT_EC_GRADED_FAIL
			 : i == 2 ? JOLT_EC_INFRA_MODEL
				  : JOLT_EC_NONE;
	r->reward = i == 0 ? 1.0 : 0.0;
	r->steps = 3 + i;
	r->tokens_in = 1000L * (i + 1);
	r->tokens_out = 50L + i;
	r->latency_ms = 1234L + i;
	r->malformed_calls = i;
	r->answer = i == 2 ? NULL : jolt_xasprintf("answer %d", i);
	r->detail = i == 0 ? NULL : jolt_xasprintf("detail %d\nline 2", i);
	r->trace = json_pack("{s:[{s:s,s:i}],s:[]}", "messages", "role", "user",
			     "n", i, "events");
}

static char *db_path(const char *dir, const char *name)
{
	return jolt_xasprintf("%s/%s", dir, name);
}

typedef struct {
	int n;
	jolt_trial_row rows[8];
	char *keys[8];
	char *outcomes[8];
} collected;

static int collect(const jolt_trial_row *row, void *payload)
{
	collected *c = payload;
	int i = c->n++;
	assert_true(i < 8);
	jolt_trial_row t = *row;
	jolt_trial t0;
	jolt_trial_result r0;
	make_trial(&t0, i);
	make_result(&r0, i);
	/* Check against what was written while the strings are valid. */
	assert_string_equal(row->key, t0.key);
	assert_string_equal(row->model, "sim:brittle");
	assert_string_equal(row->scaffold, "native");
	assert_string_equal(row->suite, "starter");
	assert_string_equal(row->task, tasks[i % 3].id);
	assert_string_equal(row->variant, t0.variant);
	assert_string_equal(row->axis, t0.axis);
	assert_string_equal(row->op, t0.op);
	assert_int_equal(row->level, t0.level);
	assert_true((uint64_t)row->seed == t0.vseed);
	assert_int_equal(row->repeat, i);
	assert_string_equal(row->outcome, jolt_outcome_name(r0.outcome));
	assert_true(row->reward == r0.reward);
	assert_int_equal(row->steps, r0.steps);
	assert_int_equal(row->tokens_in, r0.tokens_in);
	assert_int_equal(row->tokens_out, r0.tokens_out);
	assert_int_equal(row->latency_ms, r0.latency_ms);
	assert_string_equal(row->error_class,
			    jolt_error_class_name(r0.error_class));
	assert_int_equal(row->malformed_calls, r0.malformed_calls);
	if (r0.answer)
		assert_string_equal(row->answer, r0.answer);
	else
		assert_null(row->answer);
	if (r0.detail)
		assert_string_equal(row->detail, r0.detail);
	else
		assert_null(row->detail);
	c->keys[i] = strdup(row->key);
	c->outcomes[i] = strdup(row->outcome);
	t.key = c->keys[i];
	t.outcome = c->outcomes[i];
	c->rows[i] = t;
	free(t0.key);
	jolt_trial_result_release(&r0);
	return 0;
}

static void collected_free(collected *c)
{
	for (int i = 0; i < c->n; i++) {
		free(c->keys[i]);
		free(c->outcomes[i]);
	}
}

/* Writes trials 0..n-1 into a new store at `path`. */
static void fill(jolt_store *st, int64_t run, int n)
{
	for (int i = 0; i < n; i++) {
		jolt_trial t;
		jolt_trial_result r;
		make_trial(&t, i);
		make_result(&r, i);
		assert_int_equal(jolt_store_put_trial(st, run, &t, &r), 0);
		free(t.key);
		jolt_trial_result_release(&r);
	}
}

static void test_put_and_read(void **state)
{
	char *dir = test_tmpdir();
	char *path = db_path(dir, "r.db");
	jolt_store *st;
	int64_t run = -1, n = -1;
	json_t *cfg = json_pack("{s:s}", "suite", "starter");

	assert_int_equal(jolt_store_open(&st, path), 0);
	assert_int_equal(jolt_store_begin_run(st, cfg, &run), 0);
	assert_true(run >= 1);
	fill(st, run, 3);
	assert_int_equal(jolt_store_count(st, &n), 0);
	assert_int_equal(n, 3);

	collected c = {0};
	assert_int_equal(jolt_store_foreach(st, collect, &c), 0);
	assert_int_equal(c.n, 3);
	assert_true(c.rows[0].id < c.rows[1].id);
	assert_true(c.rows[1].id < c.rows[2].id);

	bool has = false;
	assert_int_equal(jolt_store_has_trial(st, c.keys[1], &has), 0);
	assert_true(has);
	assert_int_equal(jolt_store_has_trial(st, "no|such|key", &has), 0);
	assert_false(has);

	collected_free(&c);
	json_decref(cfg);
	jolt_store_close(st);
	free(path);
	free(dir);
}

static void test_replace_same_key(void **state)
{
	char *dir = test_tmpdir();
	char *path = db_path(dir, "r.db");
	jolt_store *st;
	int64_t n = -1;
	assert_int_equal(jolt_store_open(&st, path), 0);
	fill(st, 1, 3);

	jolt_trial t;
	jolt_trial_result r;
	make_trial(&t, 1);
	make_result(&r, 1);
	r.outcome = JOLT_OUTCOME_PASS;
	json_decref(r.trace);
	r.trace = json_pack("{s:s}", "new", "trace");
	assert_int_equal(jolt_store_put_trial(st, 1, &t, &r), 0);
	assert_int_equal(jolt_store_count(st, &n), 0);
	assert_int_equal(n, 3);

	/* The replaced trial is now last, with the new outcome and trace,
	 * and its old trace is gone (no orphan rows). */
	sqlite3 *db;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_stmt *s;
	assert_int_equal(
	    sqlite3_prepare_v2(db,
			       "SELECT t.id, t.outcome, (SELECT count(*) "
			       "FROM traces) FROM trials t WHERE key = ?",
			       -1, &s, NULL),
	    SQLITE_OK);
	sqlite3_bind_text(s, 1, t.key, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	int64_t id = sqlite3_column_int64(s, 0);
	assert_string_equal((const char *)sqlite3_column_text(s, 1), "pass");
	assert_int_equal(sqlite3_column_int(s, 2), 3);
	sqlite3_finalize(s);
	sqlite3_close(db);

	json_t *tr = NULL;
	assert_int_equal(jolt_store_trace(st, id, &tr), 0);
	assert_true(json_equal(tr, r.trace));
	json_decref(tr);

	free(t.key);
	jolt_trial_result_release(&r);
	jolt_store_close(st);
	free(path);
	free(dir);
}

static void test_trace_roundtrip(void **state)
{
	char *dir = test_tmpdir();
	char *path = db_path(dir, "r.db");
	jolt_store *st;
	assert_int_equal(jolt_store_open(&st, path), 0);

	jolt_trial t;
	jolt_trial_result r;
	make_trial(&t, 0);
	make_result(&r, 0);
	json_decref(r.trace);
	r.trace = json_pack(
	    "{s:[{s:s,s:s,s:[{s:s,s:{s:i,s:b}}]}],s:[f]}", "messages", "role",
	    "assistant", "content", "caf\xc3\xa9 \"quoted\"\n", "tool_calls",
	    "name", "get_price", "args", "n", 42, "ok", 1, "events", 1.5);
	assert_int_equal(jolt_store_put_trial(st, 1, &t, &r), 0);
	/* A NULL trace is stored as {}. */
	jolt_trial t2;
	jolt_trial_result r2;
	make_trial(&t2, 1);
	make_result(&r2, 1);
	json_decref(r2.trace);
	r2.trace = NULL;
	assert_int_equal(jolt_store_put_trial(st, 1, &t2, &r2), 0);

	json_t *got = NULL;
	assert_int_equal(jolt_store_trace(st, 1, &got), 0);
	assert_true(json_equal(got, r.trace));
	json_decref(got);
	assert_int_equal(jolt_store_trace(st, 2, &got), 0);
	assert_true(json_is_object(got));
	assert_int_equal(json_object_size(got), 0);
	json_decref(got);
	assert_int_equal(jolt_store_trace(st, 99, &got), JOLT_ENOTFOUND);
	assert_null(got);

	free(t.key);
	free(t2.key);
	jolt_trial_result_release(&r);
	jolt_trial_result_release(&r2);
	jolt_store_close(st);
	free(path);
	free(dir);
}

static void test_persistence_and_ro(void **state)
{
	char *dir = test_tmpdir();
	char *path = db_path(dir, "r.db");
	jolt_store *st;
	int64_t n = -1;
	assert_int_equal(jolt_store_open(&st, path), 0);
	fill(st, 1, 3);
	jolt_store_close(st);

	assert_int_equal(jolt_store_open(&st, path), 0);
	assert_int_equal(jolt_store_count(st, &n), 0);
	assert_int_equal(n, 3);
	jolt_store_close(st);

	assert_int_equal(jolt_store_open_ro(&st, path), 0);
	assert_int_equal(jolt_store_count(st, &n), 0);
	assert_int_equal(n, 3);
	collected c = {0};
	assert_int_equal(jolt_store_foreach(st, collect, &c), 0);
	assert_int_equal(c.n, 3);
	collected_free(&c);
	/* Writing through a read-only store is a store error, not a crash. */
	jolt_trial t;
	jolt_trial_result r;
	make_trial(&t, 0);
	make_result(&r, 0);
	assert_int_equal(jolt_store_put_trial(st, 1, &t, &r), JOLT_ESTORE);
	assert_true(strlen(jolt_err_msg()) > 0);
	free(t.key);
	jolt_trial_result_release(&r);
	jolt_store_close(st);
	free(path);
	free(dir);
}

static void test_wal_mode(void **state)
{
	char *dir = test_tmpdir();
	char *path = db_path(dir, "r.db");
	jolt_store *st;
	assert_int_equal(jolt_store_open(&st, path), 0);
	fill(st, 1, 1);

	sqlite3 *db;
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(
	    sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &s, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(s, 0), "wal");
	sqlite3_finalize(s);
	sqlite3_close(db);
	jolt_store_close(st);
	free(path);
	free(dir);
}

static void test_not_ours(void **state)
{
	char *dir = test_tmpdir();
	char *path = db_path(dir, "other.db");
	char *text = db_path(dir, "notes.txt");
	char *missing = db_path(dir, "missing.db");
	jolt_store *st = (jolt_store *)1;

	sqlite3 *db;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
				      "CREATE TABLE x(a); INSERT INTO x "
				      "VALUES(1)",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(db);

	assert_int_equal(jolt_store_open_ro(&st, path), JOLT_EINPUT);
	assert_null(st);
	assert_non_null(
	    strstr(jolt_err_msg(), "is not a jolt results database"));
	/* Opening it for writing must not adopt somebody else's file. */
	assert_int_equal(jolt_store_open(&st, path), JOLT_EINPUT);
	assert_null(st);

	test_write(dir, "notes.txt",
		   "this is plain text, long enough to not be a header of "
		   "any database file at all, padded out past one hundred "
		   "bytes so sqlite reads a full header\n");
	assert_int_equal(jolt_store_open_ro(&st, text), JOLT_EINPUT);
	assert_null(st);
	assert_int_equal(jolt_store_open(&st, text), JOLT_EINPUT);
	assert_null(st);

	assert_int_equal(jolt_store_open_ro(&st, missing), JOLT_ENOTFOUND);
	assert_null(st);
	assert_non_null(strstr(jolt_err_msg(), "missing.db"));
	/* The read-only open must not have created it. */
	struct stat sb;
	assert_int_not_equal(stat(missing, &sb), 0);

	free(path);
	free(text);
	free(missing);
	free(dir);
}

static void test_names_and_keys(void **state)
{
	assert_string_equal(jolt_outcome_name(JOLT_OUTCOME_PASS), "pass");
	assert_string_equal(jolt_outcome_name(JOLT_OUTCOME_INFRA),
			    "infra_error");
	assert_int_equal(jolt_outcome_parse("fail"), JOLT_OUTCOME_FAIL);
	assert_int_equal(jolt_outcome_parse("infra_error"), JOLT_OUTCOME_INFRA);
	assert_int_equal(jolt_outcome_parse("passed"), -1);
	assert_int_equal(jolt_outcome_parse(NULL), -1);
	assert_string_equal(jolt_error_class_name(JOLT_EC_NONE), "");
	assert_string_equal(jolt_error_class_name(JOLT_EC_MAX_STEPS),
			    "max_steps");
	assert_string_equal(jolt_error_class_name(JOLT_EC_INFRA_ENV),
			    "infra_env");

	jolt_trial t;
	make_trial(&t, 0);
	assert_string_equal(t.key, "sim:brittle|native|starter|t1|baseline|0");
	free(t.key);

	jolt_trial_result r;
	make_result(&r, 1);
	jolt_trial_result_release(&r);
	assert_null(r.answer);
	assert_null(r.detail);
	assert_null(r.trace);
	jolt_trial_result_release(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_names_and_keys),
	    cmocka_unit_test(test_put_and_read),
	    cmocka_unit_test(test_replace_same_key),
	    cmocka_unit_test(test_trace_roundtrip),
	    cmocka_unit_test(test_persistence_and_ro),
	    cmocka_unit_test(test_wal_mode),
	    cmocka_unit_test(test_not_ours),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
