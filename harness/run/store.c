/*
 * store.c - the results store on SQLite (see store.h for the contract).
 *
 * One connection per jolt_store, WAL mode so reports can read while a run
 * writes. Statements used per trial are prepared once and kept in the
 * struct; each batch of finished trials is one BEGIN IMMEDIATE ... COMMIT,
 * so a killed run loses only what was not yet committed. Every sqlite failure becomes JOLT_ESTORE
 * with sqlite's own message, except "this file is not ours", which is the
 * user's input error (JOLT_EINPUT).
 */
#include <errno.h>
#include <stdio.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/common.h"
#include "run/store.h"

/* Bump when the tables change (core/columns.h says how to add a trial
 * column); an older jolt refuses a newer database. */
#define STORE_SCHEMA_VERSION 1
#define STORE_BUSY_TIMEOUT_MS 5000

struct jolt_store {
	sqlite3 *db;
	char *path; /* for messages */
	/* Cached statements, prepared on first use. */
	sqlite3_stmt *s_begin;
	sqlite3_stmt *s_commit;
	sqlite3_stmt *s_rollback;
	sqlite3_stmt *s_del_trace;
	sqlite3_stmt *s_del_trial;
	sqlite3_stmt *s_ins_trial;
	sqlite3_stmt *s_ins_trace;
	sqlite3_stmt *s_has;
	sqlite3_stmt *s_count;
	sqlite3_stmt *s_trace;
	sqlite3_stmt *s_run;
};

/* Column positions in the list (core/columns.h), from 0. */
enum {
#define COL_ENUM(field, column, kind, sql, out) COL_##field,
	JOLT_TRIAL_COLUMNS(COL_ENUM)
#undef COL_ENUM
	COL_COUNT
};

/* Pieces of SQL spelled from the column list. */
#define COL_DECL(field, column, kind, sql, out) " " #column " " sql ","
#define COL_NAME(field, column, kind, sql, out) ", " #column
#define COL_PARAM(field, column, kind, sql, out) ", ?"

/* clang-format off */
static const char schema_sql[] =
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);"
    "CREATE TABLE IF NOT EXISTS runs("
    " id INTEGER PRIMARY KEY, started TEXT, config TEXT,"
    " jolt_version TEXT);"
    "CREATE TABLE IF NOT EXISTS trials("
    " id INTEGER PRIMARY KEY, run_id INTEGER,"
    JOLT_TRIAL_COLUMNS(COL_DECL)
    " finished TEXT);"
    "CREATE TABLE IF NOT EXISTS traces("
    " trial_id INTEGER PRIMARY KEY"
    " REFERENCES trials(id) ON DELETE CASCADE, trace TEXT);";

/* Parameters: run_id, the columns in list order, finished. */
static const char insert_trial_sql[] =
    "INSERT INTO trials(run_id" JOLT_TRIAL_COLUMNS(COL_NAME) ", finished)"
    " VALUES(?" JOLT_TRIAL_COLUMNS(COL_PARAM) ", ?)";

/* Column 0 is the row id, then the list. */
static const char select_trials_sql[] =
    "SELECT id" JOLT_TRIAL_COLUMNS(COL_NAME) " FROM trials ORDER BY id";
/* clang-format on */

static int store_fail(jolt_store *st, const char *what)
{
	return jolt_err_set(JOLT_ESTORE, "%s: %s: %s", st->path, what,
			    sqlite3_errmsg(st->db));
}

static int prep(jolt_store *st, sqlite3_stmt **s, const char *sql)
{
	if (*s)
		return 0;
	if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, s,
			       NULL) != SQLITE_OK) {
		*s = NULL;
		return store_fail(st, "preparing a statement");
	}
	return 0;
}

/* Run a cached statement that returns no rows. */
static int step_done(jolt_store *st, sqlite3_stmt *s, const char *what)
{
	int rc = sqlite3_step(s);
	int err = 0;
	if (rc != SQLITE_DONE)
		err = store_fail(st, what);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return err;
}

static void utc_now(char *out, size_t n)
{
	time_t now = time(NULL);
	struct tm tm;
	if (!gmtime_r(&now, &tm) ||
	    strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, n, "1970-01-01T00:00:00Z");
}

/* Whether sqlite's error says the file is not a database at all. */
static bool not_a_db(sqlite3 *db)
{
	int ec = sqlite3_errcode(db);
	return ec == SQLITE_NOTADB || ec == SQLITE_CORRUPT;
}

/* Check meta: `*has_meta` false when the table is absent; a version newer
 * than ours is refused. */
static int check_meta(jolt_store *st, bool *has_meta)
{
	sqlite3_stmt *s = NULL;
	int err = 0;
	*has_meta = false;
	if (sqlite3_prepare_v2(st->db,
			       "SELECT count(*) FROM sqlite_master WHERE "
			       "type='table' AND name='meta'",
			       -1, &s, NULL) != SQLITE_OK)
		goto sqlfail;
	if (sqlite3_step(s) != SQLITE_ROW)
		goto sqlfail;
	*has_meta = sqlite3_column_int(s, 0) > 0;
	sqlite3_finalize(s);
	s = NULL;
	if (!*has_meta)
		goto done;
	if (sqlite3_prepare_v2(st->db,
			       "SELECT value FROM meta WHERE "
			       "key='schema_version'",
			       -1, &s, NULL) != SQLITE_OK)
		goto sqlfail;
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(s, 0);
		long ver = v ? strtol(v, NULL, 10) : 0;
		if (ver > STORE_SCHEMA_VERSION) {
			err =
			    jolt_err_set(JOLT_EINPUT,
					 "%s: written by a newer jolt (schema "
					 "%ld, this jolt reads up to %d); "
					 "upgrade jolt",
					 st->path, ver, STORE_SCHEMA_VERSION);
			goto done;
		}
	} else if (rc != SQLITE_DONE) {
		goto sqlfail;
	}
	goto done;
sqlfail:
	if (not_a_db(st->db))
		err = jolt_err_set(
		    JOLT_EINPUT, "%s is not a jolt results database", st->path);
	else
		err = store_fail(st, "reading the schema");
done:
	sqlite3_finalize(s);
	return err;
}

/* Count user tables, to tell a fresh file from somebody else's database. */
static int count_tables(jolt_store *st, int *out)
{
	sqlite3_stmt *s = NULL;
	int err = 0;
	if (sqlite3_prepare_v2(st->db,
			       "SELECT count(*) FROM sqlite_master WHERE "
			       "type='table'",
			       -1, &s, NULL) != SQLITE_OK ||
	    sqlite3_step(s) != SQLITE_ROW) {
		if (not_a_db(st->db))
			err = jolt_err_set(JOLT_EINPUT,
					   "%s is not a jolt results database",
					   st->path);
		else
			err = store_fail(st, "reading the schema");
		goto done;
	}
	*out = sqlite3_column_int(s, 0);
done:
	sqlite3_finalize(s);
	return err;
}

static int store_connect(jolt_store **out, const char *path, int flags)
{
	jolt_store *st = jolt_xcalloc(1, sizeof(*st));
	int err = 0;
	st->path = jolt_xstrdup(path);
	if (sqlite3_open_v2(path, &st->db, flags | SQLITE_OPEN_FULLMUTEX,
			    NULL) != SQLITE_OK) {
		err = jolt_err_set(JOLT_EIO, "%s: cannot open: %s", path,
				   st->db ? sqlite3_errmsg(st->db)
					  : "out of memory");
		goto done;
	}
	sqlite3_busy_timeout(st->db, STORE_BUSY_TIMEOUT_MS);
	if (sqlite3_exec(st->db, "PRAGMA foreign_keys=ON", NULL, NULL, NULL) !=
	    SQLITE_OK) {
		err = store_fail(st, "enabling foreign keys");
		goto done;
	}
done:
	if (err) {
		jolt_store_close(st);
		st = NULL;
	}
	*out = st;
	return err;
}

int jolt_store_open(jolt_store **out, const char *path)
{
	jolt_store *st = NULL;
	int err, ntables = 0;
	bool has_meta;
	*out = NULL;
	err = store_connect(&st, path,
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
	if (err)
		return err;
	if ((err = count_tables(st, &ntables)) != 0)
		goto done;
	if ((err = check_meta(st, &has_meta)) != 0)
		goto done;
	if (ntables > 0 && !has_meta) {
		err = jolt_err_set(JOLT_EINPUT,
				   "%s is not a jolt results database; "
				   "choose another --out",
				   path);
		goto done;
	}
	/* WAL lets reports read while the run writes; NORMAL is durable at
	 * every checkpoint and loses no committed trial on a process kill. */
	if (sqlite3_exec(st->db,
			 "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
			 NULL, NULL, NULL) != SQLITE_OK) {
		err = store_fail(st, "setting WAL mode");
		goto done;
	}
	char *sql = jolt_xasprintf("BEGIN IMMEDIATE; %s "
				   "INSERT OR IGNORE INTO meta VALUES"
				   "('schema_version', '%d'); COMMIT",
				   schema_sql, STORE_SCHEMA_VERSION);
	int rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL);
	free(sql);
	if (rc != SQLITE_OK) {
		err = store_fail(st, "creating the tables");
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		goto done;
	}
done:
	if (err) {
		jolt_store_close(st);
		st = NULL;
	}
	*out = st;
	return err;
}

int jolt_store_open_ro(jolt_store **out, const char *path)
{
	jolt_store *st = NULL;
	struct stat sb;
	bool has_meta = false;
	int err;
	*out = NULL;
	if (stat(path, &sb) != 0) {
		if (errno == ENOENT)
			return jolt_err_set(JOLT_ENOTFOUND,
					    "%s: no such results database",
					    path);
		return jolt_err_set(JOLT_EIO, "%s: %s", path, strerror(errno));
	}
	if (!S_ISREG(sb.st_mode))
		return jolt_err_set(JOLT_EINPUT,
				    "%s is not a jolt results database", path);
	err = store_connect(&st, path, SQLITE_OPEN_READONLY);
	if (err)
		return err;
	if ((err = check_meta(st, &has_meta)) != 0)
		goto done;
	if (!has_meta)
		err = jolt_err_set(JOLT_EINPUT,
				   "%s is not a jolt results database", path);
done:
	if (err) {
		jolt_store_close(st);
		st = NULL;
	}
	*out = st;
	return err;
}

void jolt_store_close(jolt_store *st)
{
	if (!st)
		return;
	sqlite3_stmt *all[] = {
	    st->s_begin,     st->s_commit,    st->s_rollback,  st->s_del_trace,
	    st->s_del_trial, st->s_ins_trial, st->s_ins_trace, st->s_has,
	    st->s_count,     st->s_trace,     st->s_run};
	for (size_t i = 0; i < JOLT_ARRAY_LEN(all); i++)
		sqlite3_finalize(all[i]);
	sqlite3_close(st->db);
	free(st->path);
	free(st);
}

int jolt_store_begin_run(jolt_store *st, const json_t *config, int64_t *run_id)
{
	char when[32];
	char *cfg = NULL;
	int err;
	utc_now(when, sizeof(when));
	if (config) {
		cfg = json_dumps(config, JSON_COMPACT | JSON_SORT_KEYS |
					     JSON_ENCODE_ANY);
		if (!cfg)
			return jolt_err_set(JOLT_EINPUT,
					    "%s: run configuration is not "
					    "encodable as JSON",
					    st->path);
	}
	err = prep(st, &st->s_run,
		   "INSERT INTO runs(started, config, jolt_version) "
		   "VALUES(?, ?, ?)");
	if (err)
		goto done;
	sqlite3_bind_text(st->s_run, 1, when, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st->s_run, 2, cfg ? cfg : "{}", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st->s_run, 3, JOLT_VERSION, -1, SQLITE_STATIC);
	if ((err = step_done(st, st->s_run, "recording the run")) != 0)
		goto done;
	if (run_id)
		*run_id = sqlite3_last_insert_rowid(st->db);
done:
	free(cfg);
	return err;
}

int jolt_store_has_trial(jolt_store *st, const char *key, bool *out)
{
	int err = prep(st, &st->s_has, "SELECT 1 FROM trials WHERE key = ?");
	if (err)
		return err;
	sqlite3_bind_text(st->s_has, 1, key, -1, SQLITE_TRANSIENT);
	int rc = sqlite3_step(st->s_has);
	if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		*out = rc == SQLITE_ROW;
	else
		err = store_fail(st, "looking up a trial");
	sqlite3_reset(st->s_has);
	sqlite3_clear_bindings(st->s_has);
	return err;
}

static int prep_put(jolt_store *st)
{
	int err;
	if ((err = prep(st, &st->s_begin, "BEGIN IMMEDIATE")) ||
	    (err = prep(st, &st->s_commit, "COMMIT")) ||
	    (err = prep(st, &st->s_rollback, "ROLLBACK")) ||
	    (err = prep(st, &st->s_del_trace,
			"DELETE FROM traces WHERE trial_id IN "
			"(SELECT id FROM trials WHERE key = ?)")) ||
	    (err = prep(st, &st->s_del_trial,
			"DELETE FROM trials WHERE key = ?")) ||
	    (err = prep(st, &st->s_ins_trial, insert_trial_sql)) ||
	    (err = prep(st, &st->s_ins_trace,
			"INSERT INTO traces(trial_id, trace) VALUES(?, ?)")))
		return err;
	return 0;
}

static void bind_str(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, i);
}

/* One binder per column kind (core/columns.h). */
#define bind_STR bind_str
#define bind_STRN bind_str
#define bind_INT sqlite3_bind_int
#define bind_LONG sqlite3_bind_int64
#define bind_SEED sqlite3_bind_int64
#define bind_REAL sqlite3_bind_double

static void bind_OUTCOME(sqlite3_stmt *s, int i, enum jolt_outcome o)
{
	bind_str(s, i, jolt_outcome_name(o));
}

void jolt_store_row_from(jolt_trial_row *out, const char *key,
			 const jolt_trial *t, const jolt_trial_result *r)
{
	*out = (jolt_trial_row){
	    .key = key,
	    .model = t->model ? t->model : "",
	    .scaffold = t->scaffold ? t->scaffold : "",
	    .suite = t->suite && t->suite->name ? t->suite->name : "",
	    .task = t->task && t->task->id ? t->task->id : "",
	    .variant = t->variant ? t->variant : "",
	    .axis = t->axis ? t->axis : "",
	    .op = t->op ? t->op : "",
	    .level = t->level,
	    /* Same bits: SQLite integers are signed. */
	    .seed = (int64_t)t->vseed,
	    .repeat = t->repeat,
	    .outcome = r->outcome,
	    .reward = r->reward,
	    .steps = r->steps,
	    .tokens_in = r->tokens_in,
	    .tokens_out = r->tokens_out,
	    .latency_ms = r->latency_ms,
	    .error_class = jolt_error_class_name(r->error_class),
	    .malformed_calls = r->malformed_calls,
	    .answer = r->answer,
	    .detail = r->detail,
	};
}

static void bind_row(sqlite3_stmt *s, int64_t run_id, const jolt_trial_row *row,
		     const char *when)
{
	sqlite3_bind_int64(s, 1, run_id);
#define COL_BIND(field, column, kind, sql, out)                                \
	bind_##kind(s, 2 + COL_##field, row->field);
	JOLT_TRIAL_COLUMNS(COL_BIND)
#undef COL_BIND
	bind_str(s, 2 + COL_COUNT, when);
}

int jolt_store_encode_trace(char **out, const jolt_trial *t,
			    const jolt_trial_result *r)
{
	*out = NULL;
	if (!r->trace)
		return 0;
	*out = json_dumps(r->trace, JSON_COMPACT | JSON_ENCODE_ANY);
	if (!*out) {
		char *key = t->key ? NULL : jolt_trial_key(t);
		int err = jolt_err_set(JOLT_EINPUT,
				       "trial %s: trace is not encodable as JSON",
				       t->key ? t->key : key);
		free(key);
		return err;
	}
	return 0;
}

/* Replace one trial and its trace; the caller holds the transaction. */
static int put_one(jolt_store *st, int64_t run_id, const jolt_store_item *it,
		   const char *when)
{
	char *own_key = NULL;
	const char *key = it->t->key;
	jolt_trial_row row;
	int err;

	if (!key)
		key = own_key = jolt_trial_key(it->t);
	/* Traces first: the cascade needs foreign_keys, and a database
	 * opened by another tool may have it off. */
	sqlite3_bind_text(st->s_del_trace, 1, key, -1, SQLITE_TRANSIENT);
	if ((err = step_done(st, st->s_del_trace, "replacing a trace")))
		goto done;
	sqlite3_bind_text(st->s_del_trial, 1, key, -1, SQLITE_TRANSIENT);
	if ((err = step_done(st, st->s_del_trial, "replacing a trial")))
		goto done;
	jolt_store_row_from(&row, key, it->t, it->r);
	bind_row(st->s_ins_trial, run_id, &row, when);
	if ((err = step_done(st, st->s_ins_trial, "writing a trial")))
		goto done;
	sqlite3_bind_int64(st->s_ins_trace, 1,
			   sqlite3_last_insert_rowid(st->db));
	/* The text outlives the step: no copy. */
	sqlite3_bind_text(st->s_ins_trace, 2, it->trace ? it->trace : "{}", -1,
			  SQLITE_STATIC);
	err = step_done(st, st->s_ins_trace, "writing a trace");
done:
	free(own_key);
	return err;
}

int jolt_store_put_batch(jolt_store *st, int64_t run_id,
			 const jolt_store_item *items, size_t n)
{
	char when[32];
	bool in_tx = false;
	int err;

	utc_now(when, sizeof(when));
	if ((err = prep_put(st)) != 0)
		goto done;
	if ((err = step_done(st, st->s_begin, "starting a transaction")))
		goto done;
	in_tx = true;
	for (size_t i = 0; i < n; i++)
		if ((err = put_one(st, run_id, &items[i], when)))
			goto done;
	if ((err = step_done(st, st->s_commit, "committing a trial")))
		goto done;
	in_tx = false;
done:
	if (in_tx && sqlite3_get_autocommit(st->db) == 0)
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return err;
}

int jolt_store_put_trial(jolt_store *st, int64_t run_id, const jolt_trial *t,
			 const jolt_trial_result *r)
{
	char *trace = NULL;
	int err = jolt_store_encode_trace(&trace, t, r);
	if (err)
		return jolt_err_wrap(err, "%s", st->path);
	jolt_store_item it = {.t = t, .r = r, .trace = trace};
	err = jolt_store_put_batch(st, run_id, &it, 1);
	free(trace);
	return err;
}

static const char *col_str(sqlite3_stmt *s, int i)
{
	const char *v = (const char *)sqlite3_column_text(s, i);
	return v ? v : "";
}

/* One reader per column kind (core/columns.h); only an outcome can fail. */
static int read_STR(jolt_store *st, sqlite3_stmt *s, int i, const char **out)
{
	*out = col_str(s, i);
	return 0;
}

static int read_STRN(jolt_store *st, sqlite3_stmt *s, int i, const char **out)
{
	*out = (const char *)sqlite3_column_text(s, i);
	return 0;
}

static int read_INT(jolt_store *st, sqlite3_stmt *s, int i, int *out)
{
	*out = sqlite3_column_int(s, i);
	return 0;
}

static int read_LONG(jolt_store *st, sqlite3_stmt *s, int i, long *out)
{
	*out = (long)sqlite3_column_int64(s, i);
	return 0;
}

static int read_SEED(jolt_store *st, sqlite3_stmt *s, int i, int64_t *out)
{
	*out = sqlite3_column_int64(s, i);
	return 0;
}

static int read_REAL(jolt_store *st, sqlite3_stmt *s, int i, double *out)
{
	*out = sqlite3_column_double(s, i);
	return 0;
}

/* Column 0 of the SELECT is the row id, so the list starts at 1. */
#define COL_AT(field) (1 + COL_##field)

static int read_OUTCOME(jolt_store *st, sqlite3_stmt *s, int i,
			enum jolt_outcome *out)
{
	const char *name = col_str(s, i);
	int o = jolt_outcome_parse(name);
	if (o < 0)
		return jolt_err_set(JOLT_EINPUT,
				    "%s: trial %s has unknown outcome '%s'",
				    st->path, col_str(s, COL_AT(key)), name);
	*out = (enum jolt_outcome)o;
	return 0;
}

int jolt_store_foreach(jolt_store *st,
		       int (*fn)(const jolt_trial_row *row, void *payload),
		       void *payload)
{
	/* Not cached: the callback may call back into the store. */
	sqlite3_stmt *s = NULL;
	int err = 0, rc;
	if (sqlite3_prepare_v2(st->db, select_trials_sql, -1, &s, NULL) !=
	    SQLITE_OK) {
		err = store_fail(st, "reading trials");
		goto done;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		jolt_trial_row row = {.id = sqlite3_column_int64(s, 0)};
#define COL_READ(field, column, kind, sql, out)                                \
	if (!err)                                                              \
		err = read_##kind(st, s, COL_AT(field), &row.field);
		JOLT_TRIAL_COLUMNS(COL_READ)
#undef COL_READ
		if (err)
			goto done;
		if ((err = fn(&row, payload)) != 0)
			goto done;
	}
	if (rc != SQLITE_DONE)
		err = store_fail(st, "reading trials");
done:
	sqlite3_finalize(s);
	return err;
}

int jolt_store_snapshot(jolt_store *st)
{
	/* A deferred BEGIN takes its read lock at the next SELECT and keeps
	 * it; sqlite3_close() ends the transaction. */
	if (sqlite3_exec(st->db, "BEGIN DEFERRED", NULL, NULL, NULL) !=
	    SQLITE_OK)
		return store_fail(st, "starting a read transaction");
	return 0;
}

int jolt_store_trace_text(jolt_store *st, int64_t trial_id, char **out)
{
	int err, rc;
	*out = NULL;
	err = prep(st, &st->s_trace,
		   "SELECT trace FROM traces WHERE trial_id = ?");
	if (err)
		return err;
	sqlite3_bind_int64(st->s_trace, 1, trial_id);
	rc = sqlite3_step(st->s_trace);
	if (rc == SQLITE_DONE)
		err =
		    jolt_err_set(JOLT_ENOTFOUND, "%s: no trace for trial %lld",
				 st->path, (long long)trial_id);
	else if (rc != SQLITE_ROW)
		err = store_fail(st, "reading a trace");
	else
		*out = jolt_xstrdup(col_str(st->s_trace, 0));
	sqlite3_reset(st->s_trace);
	sqlite3_clear_bindings(st->s_trace);
	return err;
}

int jolt_store_trace(jolt_store *st, int64_t trial_id, json_t **out)
{
	json_error_t jerr;
	char *text = NULL;
	int err = jolt_store_trace_text(st, trial_id, &text);
	*out = NULL;
	if (err)
		return err;
	*out = json_loads(text, JSON_DECODE_ANY, &jerr);
	if (!*out)
		err = jolt_err_set(JOLT_EINPUT,
				   "%s: trace of trial %lld is not valid "
				   "JSON: %s",
				   st->path, (long long)trial_id, jerr.text);
	free(text);
	return err;
}

int jolt_store_count(jolt_store *st, int64_t *out)
{
	int err = prep(st, &st->s_count, "SELECT count(*) FROM trials");
	if (err)
		return err;
	if (sqlite3_step(st->s_count) == SQLITE_ROW)
		*out = sqlite3_column_int64(st->s_count, 0);
	else
		err = store_fail(st, "counting trials");
	sqlite3_reset(st->s_count);
	return err;
}

int jolt_store_runs_with(jolt_store *st, const char *flag, int64_t *out)
{
	sqlite3_stmt *q = NULL;
	*out = 0;
	if (sqlite3_prepare_v2(st->db,
			       "SELECT count(*) FROM runs WHERE json_valid(config)"
			       " AND json_extract(config, '$.' || ?1) = 1",
			       -1, &q, NULL) != SQLITE_OK)
		return store_fail(st, "reading run configurations");
	sqlite3_bind_text(q, 1, flag, -1, SQLITE_TRANSIENT);
	int err = 0;
	if (sqlite3_step(q) == SQLITE_ROW)
		*out = sqlite3_column_int64(q, 0);
	else
		err = store_fail(st, "reading run configurations");
	sqlite3_finalize(q);
	return err;
}

/* Call fn for each entry {suite, variant, why} of the configurations'
 * array `key` ("rejected_variants", "inapplicable_variants"); `what`
 * names it in an error. */
static int store_listed(jolt_store *st, const char *key, const char *what,
			int (*fn)(const char *suite, const char *variant,
				  const char *why, void *payload),
			void *payload)
{
	sqlite3_stmt *q = NULL;
	char *path = jolt_xasprintf("$.%s", key);
	int err = 0, rc;
	if (sqlite3_prepare_v2(st->db,
			       "SELECT json_extract(j.value, '$.suite'),"
			       " json_extract(j.value, '$.variant'),"
			       " json_extract(j.value, '$.why')"
			       " FROM runs, json_each(runs.config, ?1) AS j"
			       " WHERE json_valid(runs.config)"
			       " ORDER BY runs.id, j.key",
			       -1, &q, NULL) != SQLITE_OK) {
		err = store_fail(st, what);
		goto done;
	}
	sqlite3_bind_text(q, 1, path, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *variant = col_str(q, 1);
		if (!variant)
			continue;
		if ((err = fn(col_str(q, 0), variant, col_str(q, 2), payload)))
			break;
	}
	if (!err && rc != SQLITE_DONE)
		err = store_fail(st, what);
done:
	sqlite3_finalize(q);
	free(path);
	return err;
}

int jolt_store_refused(jolt_store *st,
		       int (*fn)(const char *suite, const char *variant,
				 const char *why, void *payload),
		       void *payload)
{
	return store_listed(st, "rejected_variants",
			    "reading refused variants", fn, payload);
}

int jolt_store_inapplicable(jolt_store *st,
			    int (*fn)(const char *suite, const char *variant,
				      const char *why, void *payload),
			    void *payload)
{
	return store_listed(st, "inapplicable_variants",
			    "reading variants not applicable", fn, payload);
}
