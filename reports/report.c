/*
 * report.c - load trials from results databases into a jolt_report, tally
 * them into groups, and dispatch to the registered formats (report.h).
 *
 * Strings copied out of the stores go into one arena owned by the report:
 * a big run has hundreds of thousands of small strings, and they all die
 * together.
 */
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/common.h"
#include "reports/report.h"
#include "reports/robust.h"
#include "reports/stats.h"
#include "run/store.h"

const jolt_report_format *const jolt_report_formats[] = {
    &jolt_report_md,
    &jolt_report_json,
    &jolt_report_csv,
    NULL,
};

/* ---- string arena ---- */

#define ARENA_BLOCK 65536

struct arena_block {
	struct arena_block *next;
	size_t used;
	size_t size;
	char data[];
};

struct jolt_report_arena {
	struct arena_block *head;
};

static const char *arena_strdup(struct jolt_report_arena *a, const char *s)
{
	if (!s)
		return NULL;
	size_t n = strlen(s) + 1;
	struct arena_block *b = a->head;
	if (!b || b->size - b->used < n) {
		size_t size = n > ARENA_BLOCK ? n : ARENA_BLOCK;
		b = jolt_xmalloc(sizeof(*b) + size);
		b->size = size;
		b->used = 0;
		/* An oversized string gets its own block behind the current
		 * one, so the current block's free space is not wasted. */
		if (n > ARENA_BLOCK && a->head) {
			b->next = a->head->next;
			a->head->next = b;
		} else {
			b->next = a->head;
			a->head = b;
		}
	}
	char *p = b->data + b->used;
	memcpy(p, s, n);
	b->used += n;
	return p;
}

static void arena_free(struct jolt_report_arena *a)
{
	if (!a)
		return;
	struct arena_block *b = a->head;
	while (b) {
		struct arena_block *next = b->next;
		free(b);
		b = next;
	}
	free(a);
}

/* ---- loading ---- */

typedef struct {
	jolt_report *r;
	size_t alloc;
	size_t db;
} load_ctx;

static int load_row(const jolt_trial_row *row, void *payload)
{
	load_ctx *c = payload;
	jolt_report *r = c->r;
	struct jolt_report_arena *a = r->arena;
	int outcome = jolt_outcome_parse(row->outcome);
	if (outcome < 0)
		return jolt_err_set(JOLT_EINPUT,
				    "%s: trial %s has unknown outcome '%s'",
				    r->dbs[c->db], row->key, row->outcome);
	if (r->ntrials == c->alloc) {
		c->alloc = c->alloc ? c->alloc * 2 : 256;
		r->trials =
		    jolt_xrealloc(r->trials, c->alloc * sizeof(*r->trials));
	}
	r->trials[r->ntrials++] = (jolt_report_trial){
	    .id = row->id,
	    .db = c->db,
	    .key = arena_strdup(a, row->key),
	    .model = arena_strdup(a, row->model),
	    .scaffold = arena_strdup(a, row->scaffold),
	    .suite = arena_strdup(a, row->suite),
	    .task = arena_strdup(a, row->task),
	    .variant = arena_strdup(a, row->variant),
	    .axis = arena_strdup(a, row->axis),
	    .op = arena_strdup(a, row->op),
	    .level = row->level,
	    .seed = row->seed,
	    .repeat = row->repeat,
	    .outcome = (enum jolt_outcome)outcome,
	    .reward = row->reward,
	    .steps = row->steps,
	    .tokens_in = row->tokens_in,
	    .tokens_out = row->tokens_out,
	    .latency_ms = row->latency_ms,
	    .error_class = arena_strdup(a, row->error_class),
	    .malformed_calls = row->malformed_calls,
	    .answer = arena_strdup(a, row->answer),
	    .detail = arena_strdup(a, row->detail),
	};
	return 0;
}

/* Compare two trials on the first `depth` of model, scaffold, suite,
 * task. */
static int cmp_depth(const jolt_report_trial *x, const jolt_report_trial *y,
		     int depth)
{
	const char *xs[] = {x->model, x->scaffold, x->suite, x->task};
	const char *ys[] = {y->model, y->scaffold, y->suite, y->task};
	for (int i = 0; i < depth; i++) {
		int c = strcmp(xs[i], ys[i]);
		if (c)
			return c;
	}
	return 0;
}

static int cmp_sort(const void *a, const void *b, void *payload)
{
	const jolt_report_trial *x = *(const jolt_report_trial *const *)a;
	const jolt_report_trial *y = *(const jolt_report_trial *const *)b;
	int c = cmp_depth(x, y, *(const int *)payload);
	if (c)
		return c;
	/* Keep the load order within a group so the sort is stable. */
	return x < y ? -1 : x > y;
}

static void tally(jolt_report_group *g, const jolt_report_trial *t)
{
	g->trials++;
	switch (t->outcome) {
	case JOLT_OUTCOME_PASS:
		g->pass++;
		break;
	case JOLT_OUTCOME_FAIL:
		g->fail++;
		break;
	case JOLT_OUTCOME_INFRA:
		g->infra++;
		break;
	}
}

/* Group the trials on the first `depth` key fields. */
static void group(const jolt_report *r, const jolt_report_trial **sorted,
		  int depth, jolt_report_group **out, size_t *nout)
{
	jolt_report_group *gs = NULL;
	size_t n = 0;
	for (size_t i = 0; i < r->ntrials; i++)
		sorted[i] = &r->trials[i];
	qsort_r(sorted, r->ntrials, sizeof(*sorted), cmp_sort, &depth);
	for (size_t i = 0; i < r->ntrials; i++) {
		const jolt_report_trial *t = sorted[i];
		if (i == 0 || cmp_depth(sorted[i - 1], t, depth) != 0) {
			gs = jolt_xrealloc(gs, (n + 1) * sizeof(*gs));
			gs[n] = (jolt_report_group){
			    .model = t->model,
			    .scaffold = depth > 1 ? t->scaffold : NULL,
			    .suite = depth > 2 ? t->suite : NULL,
			    .task = depth > 3 ? t->task : NULL,
			};
			n++;
		}
		tally(&gs[n - 1], t);
	}
	*out = gs;
	*nout = n;
}

int jolt_report_load(jolt_report **out, const char *const *dbs, size_t ndb)
{
	jolt_report *r = NULL;
	jolt_store *st = NULL;
	const jolt_report_trial **sorted = NULL;
	load_ctx ctx = {0};
	int err = 0;

	*out = NULL;
	if (ndb == 0)
		return jolt_err_set(JOLT_EUSAGE,
				    "report: no results database given");
	r = jolt_xcalloc(1, sizeof(*r));
	r->arena = jolt_xcalloc(1, sizeof(*r->arena));
	r->dbs = jolt_xcalloc(ndb, sizeof(*r->dbs));
	r->ndb = ndb;
	for (size_t i = 0; i < ndb; i++)
		r->dbs[i] = arena_strdup(r->arena, dbs[i]);

	ctx.r = r;
	for (size_t i = 0; i < ndb; i++) {
		ctx.db = i;
		if ((err = jolt_store_open_ro(&st, dbs[i])) != 0)
			goto done;
		if ((err = jolt_store_foreach(st, load_row, &ctx)) != 0)
			goto done;
		jolt_store_close(st);
		st = NULL;
	}

	if (r->ntrials > 0) {
		sorted = jolt_xmalloc(r->ntrials * sizeof(*sorted));
		group(r, sorted, 2, &r->by_model, &r->nby_model);
		group(r, sorted, 3, &r->by_suite, &r->nby_suite);
		group(r, sorted, 4, &r->by_task, &r->nby_task);
	}
	err = jolt_robust_build(&r->robust, r->trials, r->ntrials, NULL);
done:
	jolt_store_close(st);
	free(sorted);
	if (err) {
		jolt_report_free(r);
		r = NULL;
	}
	*out = r;
	return err;
}

void jolt_report_free(jolt_report *r)
{
	if (!r)
		return;
	free(r->dbs);
	free(r->trials);
	free(r->by_model);
	free(r->by_suite);
	free(r->by_task);
	jolt_robust_free(r->robust);
	arena_free(r->arena);
	free(r);
}

int jolt_report_summarize(jolt_report *r, const jolt_robust_opts *opts)
{
	jolt_robust *s;
	int err = jolt_robust_build(&s, r->trials, r->ntrials, opts);
	if (err)
		return err;
	jolt_robust_free(r->robust);
	r->robust = s;
	return 0;
}

bool jolt_report_rate(const jolt_report_group *g, double *rate, double *lo,
		      double *hi)
{
	long graded = g->pass + g->fail;
	if (graded <= 0)
		return false;
	*rate = (double)g->pass / (double)graded;
	jolt_wilson(g->pass, graded, JOLT_Z95, lo, hi);
	return true;
}

/* ---- formats ---- */

const jolt_report_format *jolt_report_format_find(const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; jolt_report_formats[i]; i++)
		if (strcmp(jolt_report_formats[i]->name, name) == 0)
			return jolt_report_formats[i];
	return NULL;
}

int jolt_report_write(const jolt_report *r, const char *format, FILE *f)
{
	const jolt_report_format *fmt = jolt_report_format_find(format);
	if (!fmt) {
		jolt_buf known = JOLT_BUF_INIT;
		for (size_t i = 0; jolt_report_formats[i]; i++)
			jolt_buf_addf(&known, "%s%s", i ? ", " : "",
				      jolt_report_formats[i]->name);
		int err =
		    jolt_err_set(JOLT_EUSAGE,
				 "unknown report format '%s'; known "
				 "formats: %s",
				 format ? format : "", jolt_buf_cstr(&known));
		jolt_buf_release(&known);
		return err;
	}
	int err = fmt->write(f, r);
	if (err)
		return err;
	if (fflush(f) != 0 || ferror(f))
		return jolt_err_set(JOLT_EIO, "writing the %s report failed",
				    fmt->name);
	return 0;
}
