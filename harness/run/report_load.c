/*
 * report_load.c - feed every stored trial of every database to the report
 * builder, and give the report a trace source that reopens the databases
 * when a format asks for a trace (see report_load.h).
 */
#include <stdlib.h>

#include "core/common.h"
#include "run/report_load.h"
#include "run/store.h"

/* The trace source: each database opened read-only on its first trace. */
typedef struct {
	char **paths;
	jolt_store **stores;
	size_t n;
} trace_src;

static void trace_src_release(void *payload)
{
	trace_src *t = payload;
	for (size_t i = 0; i < t->n; i++) {
		jolt_store_close(t->stores[i]);
		free(t->paths[i]);
	}
	free(t->paths);
	free(t->stores);
	free(t);
}

static int trace_src_read(char **out, size_t db, int64_t id, void *payload)
{
	trace_src *t = payload;
	int err;
	*out = NULL;
	if (db >= t->n)
		return jolt_err_set(JOLT_EUSAGE, "report: no database %zu", db);
	if (!t->stores[db]) {
		if ((err = jolt_store_open_ro(&t->stores[db], t->paths[db])))
			return err;
		if ((err = jolt_store_snapshot(t->stores[db])) != 0)
			return err;
	}
	return jolt_store_trace_text(t->stores[db], id, out);
}

static void set_trace_src(jolt_report *r, const char *const *dbs, size_t ndb)
{
	trace_src *t = jolt_xcalloc(1, sizeof(*t));
	t->n = ndb;
	t->paths = jolt_xcalloc(ndb, sizeof(*t->paths));
	t->stores = jolt_xcalloc(ndb, sizeof(*t->stores));
	for (size_t i = 0; i < ndb; i++)
		t->paths[i] = jolt_xstrdup(dbs[i]);
	jolt_report_set_traces(r, &(jolt_report_traces){
				      .read = trace_src_read,
				      .release = trace_src_release,
				      .payload = t,
				  });
}

typedef struct {
	jolt_report *r;
	size_t db;
} load_ctx;

static int load_refused(const char *suite, const char *variant,
			const char *why, void *payload)
{
	load_ctx *c = payload;
	jolt_report_add_refused(c->r, suite, variant, why);
	return 0;
}

static int load_inapplicable(const char *suite, const char *variant,
			     const char *why, void *payload)
{
	load_ctx *c = payload;
	jolt_report_add_inapplicable(c->r, suite, variant, why);
	return 0;
}

static int load_row(const jolt_trial_row *row, void *payload)
{
	load_ctx *c = payload;
	return jolt_report_add(c->r, c->db, row);
}

int jolt_report_load(jolt_report **out, const char *const *dbs, size_t ndb)
{
	jolt_report *r = NULL;
	jolt_store *st = NULL;
	load_ctx ctx = {0};
	int err = 0;

	*out = NULL;
	if (ndb == 0)
		return jolt_err_set(JOLT_EUSAGE,
				    "report: no results database given");
	if ((err = jolt_report_new(&r, dbs, ndb)) != 0)
		goto done;
	ctx.r = r;
	for (size_t i = 0; i < ndb; i++) {
		ctx.db = i;
		if ((err = jolt_store_open_ro(&st, dbs[i])) != 0)
			goto done;
		if ((err = jolt_store_foreach(st, load_row, &ctx)) != 0)
			goto done;
		int64_t insecure = 0;
		if ((err = jolt_store_runs_with(st, "tls_insecure", &insecure)))
			goto done;
		r->tls_insecure += insecure;
		if ((err = jolt_store_refused(st, load_refused, &ctx)) ||
		    (err = jolt_store_inapplicable(st, load_inapplicable,
						   &ctx)))
			goto done;
		jolt_store_close(st);
		st = NULL;
	}
	if ((err = jolt_report_finish(r)) != 0)
		goto done;
	set_trace_src(r, dbs, ndb);
done:
	jolt_store_close(st);
	if (err) {
		jolt_report_free(r);
		r = NULL;
	}
	*out = r;
	return err;
}
