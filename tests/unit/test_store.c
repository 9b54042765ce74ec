/*
 * test_store.c - the results store: create, put, replace, read back,
 * traces, batches (all or nothing), persistence, WAL, and the errors for
 * files that are not ours.
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
} collected;

/* Per column kind (core/columns.h): strings compare by content (NULL only
 * equal to NULL), numbers by value. */
static void same_str(const char *name, const char *got, const char *want)
{
	if (!got || !want) {
		if (got != want)
			fail_msg("column %s: got %s, want %s", name,
				 got ? got : "NULL", want ? want : "NULL");
		return;
	}
	if (strcmp(got, want) != 0)
		fail_msg("column %s: got '%s', want '%s'", name, got, want);
}

#define same_STR same_str
#define same_STRN same_str

static void same_num(const char *name, double got, double want)
{
	if (got != want)
		fail_msg("column %s: got %.17g, want %.17g", name, got, want);
}

#define same_INT same_num
#define same_LONG same_num
#define same_REAL same_num
#define same_OUTCOME same_num

static void same_SEED(const char *name, int64_t got, int64_t want)
{
	if (got != want)
		fail_msg("column %s: got %lld, want %lld", name, (long long)got,
			 (long long)want);
}

/* Every column of the list, so a new column is checked without an edit
 * here. */
static void assert_row_equal(const jolt_trial_row *got,
			     const jolt_trial_row *want)
{
#define COL_SAME(field, column, kind, sql, out)                                \
	same_##kind(#column, got->field, want->field);
	JOLT_TRIAL_COLUMNS(COL_SAME)
#undef COL_SAME
}

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
	assert_int_equal(row->outcome, r0.outcome);
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
	/* And column by column against the row it was stored as. */
	jolt_trial_row want;
	jolt_store_row_from(&want, t0.key, &t0, &r0);
	assert_row_equal(row, &want);
	c->keys[i] = strdup(row->key);
	t.key = c->keys[i];
	c->rows[i] = t;
	free(t0.key);
	jolt_trial_result_release(&r0);
	return 0;
}

static void collected_free(collected *c)
{
	for (int i = 0; i < c->n; i++)
		free(c->keys[i]);
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

/* A batch is one transaction: every trial of it is stored, or none (the
 * writer thread counts a trial done only once its batch committed). */
static void test_batch_all_or_nothing(void **state)
{
	char *dir = test_tmpdir();
	char *path = db_path(dir, "b.db");
	jolt_store *st;
	int64_t run = -1, n = -1;
	jolt_trial t[6];
	jolt_trial_result r[6];
	char *traces[6];
	jolt_store_item items[6];
	assert_int_equal(jolt_store_open(&st, path), 0);
	assert_int_equal(jolt_store_begin_run(st, NULL, &run), 0);
	for (int i = 0; i < 6; i++) {
		make_trial(&t[i], i);
		if (i == 4) {
			t[i].model = "sim:refused";
			free(t[i].key);
			t[i].key = jolt_trial_key(&t[i]);
		}
		make_result(&r[i], i);
		assert_int_equal(jolt_store_encode_trace(&traces[i], &t[i], &r[i]),
				 0);
		items[i] = (jolt_store_item){&t[i], &r[i], traces[i]};
	}
	assert_int_equal(jolt_store_put_batch(st, run, items, 3), 0);
	assert_int_equal(jolt_store_count(st, &n), 0);
	assert_int_equal(n, 3);
	json_t *got = NULL;
	assert_int_equal(jolt_store_trace(st, 3, &got), 0);
	assert_true(json_equal(got, r[2].trace));
	json_decref(got);

	/* The middle trial of the next batch is refused by a trigger. */
	sqlite3 *db;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
				      "CREATE TRIGGER refuse BEFORE INSERT ON trials "
				      "WHEN NEW.model = 'sim:refused' "
				      "BEGIN SELECT RAISE(ABORT, 'planted'); END",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(jolt_store_put_batch(st, run, items + 3, 3),
			 JOLT_ESTORE);
	assert_non_null(strstr(jolt_err_msg(), "planted"));
	assert_int_equal(jolt_store_count(st, &n), 0);
	assert_int_equal(n, 3);
	/* Without the refused one, the others go in. */
	items[4] = items[5];
	assert_int_equal(jolt_store_put_batch(st, run, items + 3, 2), 0);
	assert_int_equal(jolt_store_count(st, &n), 0);
	assert_int_equal(n, 5);

	for (int i = 0; i < 6; i++) {
		free(t[i].key);
		free(traces[i]);
		jolt_trial_result_release(&r[i]);
	}
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

/* The tables exactly as schema version 1 first wrote them, before the
 * column list was generated: a database from then must still load. */
static const char v1_schema[] =
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);"
    "INSERT INTO meta VALUES('schema_version', '1');"
    "CREATE TABLE runs(id INTEGER PRIMARY KEY, started TEXT, config TEXT,"
    " jolt_version TEXT);"
    "CREATE TABLE trials(id INTEGER PRIMARY KEY, run_id INTEGER,"
    " key TEXT UNIQUE NOT NULL, model TEXT, scaffold TEXT, suite TEXT,"
    " task TEXT, variant TEXT, axis TEXT, operator TEXT, level INTEGER,"
    " seed INTEGER, repeat INTEGER, outcome TEXT, reward REAL,"
    " steps INTEGER, tokens_in INTEGER, tokens_out INTEGER,"
    " latency_ms INTEGER, error_class TEXT, malformed_calls INTEGER,"
    " answer TEXT, detail TEXT, finished TEXT);"
    "CREATE TABLE traces(trial_id INTEGER PRIMARY KEY"
    " REFERENCES trials(id) ON DELETE CASCADE, trace TEXT);"
    "INSERT INTO trials VALUES(1, 1, 'm|native|s|t9|baseline|0', 'm',"
    " 'native', 's', 't9', 't9/env.noise@3#5', 'env', 'noise', 3,"
    " -1, 0, 'fail', 0.25, 9, 123456, 789, 4321, 'max_steps', 2,"
    " NULL, 'ran out', '2025-01-01T00:00:00Z');"
    "INSERT INTO traces VALUES(1, '{}');";

static int collect_one(const jolt_trial_row *row, void *payload)
{
	jolt_trial_row want = {
	    .key = "m|native|s|t9|baseline|0",
	    .model = "m",
	    .scaffold = "native",
	    .suite = "s",
	    .task = "t9",
	    .variant = "t9/env.noise@3#5",
	    .axis = "env",
	    .op = "noise",
	    .level = 3,
	    .seed = -1, /* UINT64_MAX's bits */
	    .repeat = 0,
	    .outcome = JOLT_OUTCOME_FAIL,
	    .reward = 0.25,
	    .steps = 9,
	    .tokens_in = 123456,
	    .tokens_out = 789,
	    .latency_ms = 4321,
	    .error_class = "max_steps",
	    .malformed_calls = 2,
	    .answer = NULL,
	    .detail = "ran out",
	};
	assert_int_equal(row->id, 1);
	assert_row_equal(row, &want);
	(*(int *)payload)++;
	return 0;
}

static void test_v1_database_loads(void **state)
{
	char *dir = test_tmpdir();
	char *path = db_path(dir, "v1.db");
	sqlite3 *db;
	jolt_store *st;
	int n = 0;
	int64_t count = -1;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, v1_schema, NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(db);

	assert_int_equal(jolt_store_open_ro(&st, path), 0);
	assert_int_equal(jolt_store_foreach(st, collect_one, &n), 0);
	assert_int_equal(n, 1);
	jolt_store_close(st);

	/* Opening it to write adopts it and appends after the old row. */
	assert_int_equal(jolt_store_open(&st, path), 0);
	fill(st, 2, 1);
	assert_int_equal(jolt_store_count(st, &count), 0);
	assert_int_equal(count, 2);
	jolt_store_close(st);
	free(path);
	free(dir);
}

static int never(const jolt_trial_row *row, void *payload)
{
	fail_msg("row %s read despite its outcome", row->key);
	return 0;
}

static void test_unknown_outcome(void **state)
{
	char *dir = test_tmpdir();
	char *path = db_path(dir, "r.db");
	jolt_store *st;
	sqlite3 *db;
	assert_int_equal(jolt_store_open(&st, path), 0);
	fill(st, 1, 1);
	jolt_store_close(st);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "UPDATE trials SET outcome='won'",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(db);

	assert_int_equal(jolt_store_open_ro(&st, path), 0);
	assert_int_equal(jolt_store_foreach(st, never, NULL), JOLT_EINPUT);
	assert_non_null(strstr(jolt_err_msg(), "unknown outcome 'won'"));
	assert_non_null(
	    strstr(jolt_err_msg(), "sim:brittle|native|starter|t1"));
	jolt_store_close(st);
	free(path);
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
	    cmocka_unit_test(test_v1_database_loads),
	    cmocka_unit_test(test_unknown_outcome),
	    cmocka_unit_test(test_names_and_keys),
	    cmocka_unit_test(test_put_and_read),
	    cmocka_unit_test(test_replace_same_key),
	    cmocka_unit_test(test_trace_roundtrip),
	    cmocka_unit_test(test_batch_all_or_nothing),
	    cmocka_unit_test(test_persistence_and_ro),
	    cmocka_unit_test(test_wal_mode),
	    cmocka_unit_test(test_not_ours),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
