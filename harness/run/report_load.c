/*
 * report_load.c - feed every stored trial of every database to the report
 * builder (see report_load.h).
 */
#include "core/common.h"
#include "run/report_load.h"
#include "run/store.h"

typedef struct {
	jolt_report *r;
	size_t db;
} load_ctx;

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
		jolt_store_close(st);
		st = NULL;
	}
	err = jolt_report_finish(r);
done:
	jolt_store_close(st);
	if (err) {
		jolt_report_free(r);
		r = NULL;
	}
	*out = r;
	return err;
}
