/*
 * merge.c - combine shard databases into one, and export a database as
 * JSON lines (merge.h has the contract).
 *
 * The merge runs in SQL: the output is created through the store (so it
 * has the current schema), then each source is ATTACHed in turn and its
 * runs, new trials and their traces are copied with INSERT ... SELECT,
 * after a query that finds a key stored with a different result.
 */
#include <errno.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/common.h"
#include "reports/report.h"
#include "reports/robust.h"
#include "run/merge.h"
#include "run/store.h"

/* Fields of a run's configuration that only say how a shard ran. */
static const char *const shard_fields[] = {"shard_index", "shard_count",
					   "concurrency", "workers"};

#define COL_NAME(field, column, kind, sql, out) ", " #column
#define COL_SRC(field, column, kind, sql, out) ", s." #column
/* The columns of a trial, in list order, and the same read from a
 * source trial `s` with its run id mapped to the output's. */
static const char trial_cols[] =
    "run_id" JOLT_TRIAL_COLUMNS(COL_NAME) ", finished";
static const char src_cols[] =
    "(SELECT new FROM temp.runmap WHERE old = s.run_id)" JOLT_TRIAL_COLUMNS(
	COL_SRC) ", s.finished";
#undef COL_NAME
#undef COL_SRC

/* The columns that make a trial's graded result: two sources that hold
 * the same key must agree on all of them. */
static const char same_result[] =
    "s.outcome IS m.outcome AND s.reward IS m.reward AND s.steps IS m.steps"
    " AND s.tokens_in IS m.tokens_in AND s.tokens_out IS m.tokens_out"
    " AND s.error_class IS m.error_class"
    " AND s.malformed_calls IS m.malformed_calls AND s.answer IS m.answer";

static int sql_fail(sqlite3 *db, const char *path, const char *what)
{
	return jolt_err_set(JOLT_ESTORE, "%s: %s: %s", path, what,
			    sqlite3_errmsg(db));
}

static int exec(sqlite3 *db, const char *path, const char *what,
		const char *sql)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return sql_fail(db, path, what);
	return 0;
}

/* A configuration without its shard fields, NULL when it is not JSON. */
static json_t *config_core(const char *text)
{
	json_t *c = json_loads(text ? text : "{}", 0, NULL);
	if (!json_is_object(c)) {
		json_decref(c);
		return NULL;
	}
	for (size_t i = 0; i < JOLT_ARRAY_LEN(shard_fields); i++)
		json_object_del(c, shard_fields[i]);
	return c;
}

/* The first key whose value differs between two configurations. */
static const char *first_diff(json_t *a, json_t *b)
{
	const char *k;
	json_t *v;
	json_object_foreach(a, k, v)
	{
		if (!json_equal(v, json_object_get(b, k)))
			return k;
	}
	json_object_foreach(b, k, v)
	{
		if (!json_object_get(a, k))
			return k;
	}
	return "?";
}

/* Compare every run of source `src` with `*ref` (the first one seen). */
static int check_config(sqlite3 *db, const char *src, const char *ref_path,
			json_t **ref)
{
	sqlite3_stmt *s = NULL;
	int err = 0, rc;
	if (sqlite3_prepare_v2(db, "SELECT config FROM src.runs ORDER BY id", -1,
			       &s, NULL) != SQLITE_OK)
		return sql_fail(db, src, "reading the runs");
	while (!err && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		json_t *c = config_core((const char *)sqlite3_column_text(s, 0));
		if (!c) {
			err = jolt_err_set(JOLT_EINPUT,
					   "%s: a run's configuration "
					   "is not a JSON object",
					   src);
		} else if (!*ref) {
			*ref = c;
			c = NULL;
		} else if (!json_equal(c, *ref)) {
			const char *k = first_diff(c, *ref);
			char *mine = json_dumps(json_object_get(c, k),
						JSON_ENCODE_ANY | JSON_COMPACT);
			char *theirs = json_dumps(json_object_get(*ref, k),
						  JSON_ENCODE_ANY | JSON_COMPACT);
			err = jolt_err_set(JOLT_EINPUT,
					   "%s is not a shard of the "
					   "same run as %s: its configuration "
					   "differs in '%s' (%s, not %s); pass "
					   "--force to merge anyway",
					   src, ref_path, k,
					   mine ? mine : "absent",
					   theirs ? theirs : "absent");
			free(mine);
			free(theirs);
		}
		json_decref(c);
	}
	if (!err && rc != SQLITE_DONE)
		err = sql_fail(db, src, "reading the runs");
	sqlite3_finalize(s);
	return err;
}

/* A key both in the output and in src with another result, or NULL
 * (caller frees). */
static int find_conflict(sqlite3 *db, const char *src, char **out)
{
	char *sql = jolt_xasprintf("SELECT s.key, s.outcome, m.outcome FROM "
				   "src.trials s JOIN main.trials m ON m.key = "
				   "s.key WHERE NOT (%s) LIMIT 1",
				   same_result);
	sqlite3_stmt *s = NULL;
	int err = 0;
	*out = NULL;
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) {
		err = sql_fail(db, src, "comparing trials");
		goto done;
	}
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*out = jolt_xasprintf("%s (%s here, %s before)",
				      (const char *)sqlite3_column_text(s, 0),
				      (const char *)sqlite3_column_text(s, 1),
				      (const char *)sqlite3_column_text(s, 2));
	else if (rc != SQLITE_DONE)
		err = sql_fail(db, src, "comparing trials");
done:
	sqlite3_finalize(s);
	free(sql);
	return err;
}

static int count(sqlite3 *db, const char *path, const char *sql, long *out)
{
	sqlite3_stmt *s = NULL;
	int err = 0;
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK ||
	    sqlite3_step(s) != SQLITE_ROW)
		err = sql_fail(db, path, "counting");
	else
		*out = (long)sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return err;
}

/* Copy one attached source into the output, in one transaction. */
static int merge_one(sqlite3 *db, const char *src, jolt_merge_stats *st)
{
	char *conflict = NULL, *sql = NULL;
	long dups = 0, runs = 0;
	int err;
	if ((err = exec(db, src, "starting a transaction", "BEGIN IMMEDIATE")))
		return err;
	if ((err = find_conflict(db, src, &conflict)))
		goto done;
	if (conflict) {
		err = jolt_err_set(JOLT_EINPUT,
				   "trial %s is stored with a different "
				   "result in %s and an earlier database: they "
				   "are not shards of one run",
				   conflict, src);
		goto done;
	}
	if ((err = count(db, src,
			 "SELECT count(*) FROM src.trials WHERE key IN "
			 "(SELECT key FROM main.trials)",
			 &dups)) ||
	    (err = count(db, src, "SELECT count(*) FROM src.runs", &runs)))
		goto done;
	/* Runs keep their order; trials point at their run's new id. */
	if ((err = exec(db, src, "copying the runs",
			"DELETE FROM temp.runmap;"
			"INSERT INTO temp.runmap(old) SELECT id FROM src.runs "
			"ORDER BY id;"
			"INSERT INTO main.runs(started, config, jolt_version) "
			"SELECT started, config, jolt_version FROM src.runs "
			"ORDER BY id;"
			"UPDATE temp.runmap SET new = (SELECT max(id) FROM "
			"main.runs) - (SELECT count(*) FROM temp.runmap) + "
			"rowid;")))
		goto done;
	sql = jolt_xasprintf(
	    "CREATE TEMP TABLE IF NOT EXISTS newids(id INTEGER PRIMARY KEY);"
	    "DELETE FROM temp.newids;"
	    "INSERT INTO main.trials(%s) SELECT %s FROM src.trials s "
	    "WHERE s.key NOT IN (SELECT key FROM main.trials) ORDER BY s.id;"
	    "INSERT INTO main.traces(trial_id, trace) SELECT m.id, t.trace "
	    "FROM src.traces t JOIN src.trials s ON s.id = t.trial_id "
	    "JOIN main.trials m ON m.key = s.key "
	    "WHERE m.id > (SELECT coalesce(max(id), 0) FROM temp.mark);"
	    "DELETE FROM temp.mark;"
	    "INSERT INTO temp.mark SELECT coalesce(max(id), 0) FROM main.trials;",
	    trial_cols, src_cols);
	if ((err = exec(db, src, "copying the trials", sql)))
		goto done;
	err = exec(db, src, "committing", "COMMIT");
	st->duplicates += dups;
	st->runs += runs;
done:
	if (err && !sqlite3_get_autocommit(db))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	free(conflict);
	free(sql);
	return err;
}

int jolt_merge(jolt_merge_stats *out, const char *dest,
	       const char *const *srcs, size_t n, bool force)
{
	struct stat sb;
	sqlite3 *db = NULL;
	jolt_store *st = NULL;
	json_t *ref = NULL;
	const char *ref_path = NULL;
	bool created = false;
	int err = 0;

	*out = (jolt_merge_stats){0};
	if (n == 0)
		return jolt_err_set(JOLT_EUSAGE, "no database to merge");
	if (stat(dest, &sb) == 0)
		return jolt_err_set(JOLT_EUSAGE,
				    "%s already exists; merge into a "
				    "new file",
				    dest);
	for (size_t i = 0; i < n; i++) {
		if ((err = jolt_store_open_ro(&st, srcs[i])) != 0)
			return err;
		jolt_store_close(st);
		st = NULL;
	}
	if ((err = jolt_store_open(&st, dest)) != 0)
		return err;
	jolt_store_close(st);
	created = true;
	if (sqlite3_open_v2(dest, &db, SQLITE_OPEN_READWRITE, NULL) !=
	    SQLITE_OK) {
		err = sql_fail(db, dest, "opening");
		goto done;
	}
	if ((err = exec(db, dest, "preparing",
			"CREATE TEMP TABLE runmap(old INTEGER, new INTEGER);"
			"CREATE TEMP TABLE mark(id INTEGER);")))
		goto done;
	for (size_t i = 0; i < n && !err; i++) {
		sqlite3_stmt *s = NULL;
		if (sqlite3_prepare_v2(db, "ATTACH ? AS src", -1, &s, NULL) !=
		    SQLITE_OK) {
			err = sql_fail(db, srcs[i], "attaching");
			break;
		}
		sqlite3_bind_text(s, 1, srcs[i], -1, SQLITE_TRANSIENT);
		if (sqlite3_step(s) != SQLITE_DONE)
			err = sql_fail(db, srcs[i], "attaching");
		sqlite3_finalize(s);
		if (err)
			break;
		if (!force && !ref_path)
			ref_path = srcs[i];
		if (!force)
			err = check_config(db, srcs[i], ref_path, &ref);
		if (!err)
			err = merge_one(db, srcs[i], out);
		int derr = exec(db, srcs[i], "detaching", "DETACH src");
		if (!err)
			err = derr;
	}
	if (!err)
		err = count(db, dest, "SELECT count(*) FROM main.trials",
			    &out->trials);
done:
	json_decref(ref);
	sqlite3_close(db);
	if (err && created) {
		/* No half-merged database left to be mistaken for a run. */
		const char *sfx[] = {"", "-wal", "-shm"};
		for (size_t i = 0; i < JOLT_ARRAY_LEN(sfx); i++) {
			char *p = jolt_xasprintf("%s%s", dest, sfx[i]);
			unlink(p);
			free(p);
		}
	}
	return err;
}

/* ---- export ---- */

typedef struct {
	FILE *f;
	jolt_store *st;
} export_ctx;

static int export_row(const jolt_trial_row *row, void *payload)
{
	export_ctx *x = payload;
	json_t *trace = NULL;
	int err = jolt_store_trace(x->st, row->id, &trace);
	if (err == JOLT_ENOTFOUND)
		err = 0;
	if (err)
		return err;
	json_t *o = jolt_report_json_trial(row);
	if (!o) {
		json_decref(trace);
		return jolt_err_set(JOLT_EINTERNAL,
				    "trial %s could not be encoded",
				    row->key);
	}
	json_object_set_new(o, "key", json_string(row->key));
	json_object_set_new(o, "answer", jolt_robust_json_str(row->answer));
	json_object_set_new(o, "detail", jolt_robust_json_str(row->detail));
	json_object_set_new(o, "trace", trace ? trace : json_null());
	err = json_dumpf(o, x->f, JSON_COMPACT | JSON_REAL_PRECISION(15));
	json_decref(o);
	if (err || fputc('\n', x->f) == EOF)
		return jolt_err_set(JOLT_EIO, "write failed");
	return 0;
}

int jolt_export_jsonl(FILE *f, const char *path)
{
	export_ctx x = {.f = f};
	int err = jolt_store_open_ro(&x.st, path);
	if (err)
		return err;
	err = jolt_store_foreach(x.st, export_row, &x);
	jolt_store_close(x.st);
	return err;
}
