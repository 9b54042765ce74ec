/*
 * report.c - build a jolt_report from trial rows, tally them into groups,
 * and dispatch to the registered formats (report.h).
 *
 * Strings copied out of the rows go into one arena owned by the report:
 * a big run has hundreds of thousands of small strings, and they all die
 * together.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/common.h"
#include "reports/report.h"
#include "reports/robust.h"
#include "reports/stats.h"

const jolt_report_format *const jolt_report_formats[] = {
    &jolt_report_md,
    &jolt_report_json,
    &jolt_report_csv,
    &jolt_report_junit,
    &jolt_report_html,
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

/* ---- building ---- */

/* Per column kind (core/columns.h): strings move into the arena (a STR
 * column is never NULL: grouping and pairing compare them), every other
 * kind is a plain value the struct copy already carried. */
#define COPY_STR(a, p) (*(p) = arena_strdup((a), *(p) ? *(p) : ""))
#define COPY_STRN(a, p) (*(p) = arena_strdup((a), *(p)))
#define COPY_INT(a, p) ((void)(p))
#define COPY_LONG COPY_INT
#define COPY_SEED COPY_INT
#define COPY_REAL COPY_INT
#define COPY_OUTCOME COPY_INT

int jolt_report_new(jolt_report **out, const char *const *sources,
		    size_t nsources)
{
	jolt_report *r = jolt_xcalloc(1, sizeof(*r));
	r->arena = jolt_xcalloc(1, sizeof(*r->arena));
	r->dbs = jolt_xcalloc(nsources ? nsources : 1, sizeof(*r->dbs));
	r->ndb = nsources;
	for (size_t i = 0; i < nsources; i++)
		r->dbs[i] = arena_strdup(r->arena, sources[i]);
	*out = r;
	return 0;
}

int jolt_report_add(jolt_report *r, size_t db, const jolt_trial_row *row)
{
	if (db >= r->ndb)
		return jolt_err_set(JOLT_EUSAGE,
				    "report: trial %s names source %zu of %zu",
				    row->key ? row->key : "", db, r->ndb);
	if (r->ntrials == r->alloc) {
		r->alloc = r->alloc ? r->alloc * 2 : 256;
		r->trials =
		    jolt_xrealloc(r->trials, r->alloc * sizeof(*r->trials));
	}
	jolt_trial_row *t = &r->trials[r->ntrials++];
	*t = *row;
	t->db = db;
#define COL_COPY(field, column, kind, sql, out)                                \
	COPY_##kind(r->arena, &t->field);
	JOLT_TRIAL_COLUMNS(COL_COPY)
#undef COL_COPY
	return 0;
}

/* Split TASK/AXIS.OPERATOR@LEVEL#SEED into x's task, op, level, seed. */
static void parse_variant(jolt_report_refused *x, struct jolt_report_arena *a)
{
	const char *name = x->variant;
	const char *slash = strrchr(name, '/');
	const char *at = slash ? strchr(slash, '@') : NULL;
	const char *hash = at ? strchr(at, '#') : NULL;
	char *end1 = NULL, *end2 = NULL;
	long level = hash ? strtol(at + 1, &end1, 10) : -1;
	long long seed = hash ? strtoll(hash + 1, &end2, 10) : -1;
	x->task = x->op = "";
	x->level = -1;
	x->seed = -1;
	if (!hash || end1 != hash || *end2 || level < 0 || level > 9)
		return;
	char *task = jolt_xasprintf("%.*s", (int)(slash - name), name);
	char *op = jolt_xasprintf("%.*s", (int)(at - slash - 1), slash + 1);
	x->task = arena_strdup(a, task);
	x->op = arena_strdup(a, op);
	free(task);
	free(op);
	x->level = (int)level;
	x->seed = seed;
}

/* Add (suite, variant, why) to the list *v of *n unless it holds it. */
static void add_listed(jolt_report_refused **v, size_t *n,
		       struct jolt_report_arena *a, const char *suite,
		       const char *variant, const char *why)
{
	suite = suite ? suite : "";
	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*v)[i].suite, suite) &&
		    !strcmp((*v)[i].variant, variant))
			return;
	*v = jolt_xrealloc(*v, (*n + 1) * sizeof(**v));
	jolt_report_refused *x = &(*v)[(*n)++];
	x->suite = arena_strdup(a, suite);
	x->variant = arena_strdup(a, variant);
	x->why = arena_strdup(a, why ? why : "");
	parse_variant(x, a);
}

void jolt_report_add_refused(jolt_report *r, const char *suite,
			     const char *variant, const char *why)
{
	add_listed(&r->refused, &r->nrefused, r->arena, suite, variant, why);
}

void jolt_report_add_inapplicable(jolt_report *r, const char *suite,
				  const char *variant, const char *why)
{
	add_listed(&r->inapplicable, &r->ninapplicable, r->arena, suite,
		   variant, why);
}

size_t jolt_report_na_by_op(const jolt_report *r, jolt_report_na_op **out)
{
	size_t n = 0;
	*out = jolt_xcalloc(r->ninapplicable + 1, sizeof(**out));
	for (size_t i = 0; i < r->ninapplicable; i++) {
		const jolt_report_refused *x = &r->inapplicable[i];
		size_t k = 0;
		while (k < n && (strcmp((*out)[k].suite, x->suite) ||
				 strcmp((*out)[k].op, x->op)))
			k++;
		if (k == n)
			(*out)[n++] = (jolt_report_na_op){.suite = x->suite,
							  .op = x->op};
		(*out)[k].variants++;
		/* A task already counted comes earlier with this op. */
		bool seen = false;
		for (size_t j = 0; j < i && !seen; j++) {
			const jolt_report_refused *y = &r->inapplicable[j];
			seen = !strcmp(y->suite, x->suite) &&
			       !strcmp(y->op, x->op) &&
			       !strcmp(y->task, x->task);
		}
		(*out)[k].tasks += !seen;
	}
	return n;
}

char *jolt_report_na_intro(const jolt_report *r)
{
	bool one = r->ninapplicable == 1;
	return jolt_xasprintf(
	    "%zu variant%s not run because %s nothing the model is shown "
	    "(the request, the working copy, or the tool results along the "
	    "oracle's path): not applicable to %s task, not counted, as "
	    "jolt check reports them.",
	    r->ninapplicable, one ? " was" : "s were",
	    one ? "it changes" : "they change", one ? "its" : "their");
}

/* Compare two trials on the first `depth` of model, scaffold, suite,
 * task. */
static int cmp_depth(const jolt_trial_row *x, const jolt_trial_row *y,
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
	const jolt_trial_row *x = *(const jolt_trial_row *const *)a;
	const jolt_trial_row *y = *(const jolt_trial_row *const *)b;
	int c = cmp_depth(x, y, *(const int *)payload);
	if (c)
		return c;
	/* Keep the load order within a group so the sort is stable. */
	return x < y ? -1 : x > y;
}

static void tally(jolt_report_group *g, const jolt_trial_row *t)
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
static void group(const jolt_report *r, const jolt_trial_row **sorted,
		  int depth, jolt_report_group **out, size_t *nout)
{
	jolt_report_group *gs = NULL;
	size_t n = 0;
	for (size_t i = 0; i < r->ntrials; i++)
		sorted[i] = &r->trials[i];
	qsort_r(sorted, r->ntrials, sizeof(*sorted), cmp_sort, &depth);
	for (size_t i = 0; i < r->ntrials; i++) {
		const jolt_trial_row *t = sorted[i];
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

/* Best first: perturbed pass rate, baseline pass rate (undefined rates
 * last), then model and scaffold. */
static double rate_or(double x)
{
	return isnan(x) ? -1.0 : x;
}

static int cmp_entry(const void *a, const void *b)
{
	const jolt_report_entry *x = a, *y = b;
	double dx = rate_or(x->m->perturbed.rate);
	double dy = rate_or(y->m->perturbed.rate);
	if (dx != dy)
		return dx > dy ? -1 : 1;
	dx = rate_or(x->m->baseline.rate);
	dy = rate_or(y->m->baseline.rate);
	if (dx != dy)
		return dx > dy ? -1 : 1;
	int c = strcmp(x->model, y->model);
	return c ? c : strcmp(x->scaffold, y->scaffold);
}

static void build_board(jolt_report *r)
{
	const jolt_robust *s = r->robust;
	free(r->board);
	r->nboard = s->nmodels;
	r->board = jolt_xcalloc(s->nmodels + 1, sizeof(*r->board));
	for (size_t i = 0; i < s->nmodels; i++) {
		jolt_report_entry *e = &r->board[i];
		e->model = s->models[i].model;
		e->scaffold = s->models[i].scaffold;
		e->m = &s->models[i];
		for (int a = 0; a < JOLT_AXIS_COUNT; a++)
			e->drop[a] = NAN;
		for (size_t j = 0; j < s->nby_axis; j++) {
			const jolt_robust_cmp *c = &s->by_axis[j];
			int a = jolt_axis_parse(c->axis);
			if (a < 0 || strcmp(c->model, e->model) ||
			    strcmp(c->scaffold, e->scaffold))
				continue;
			e->drop[a] = c->drop.est;
			e->significant[a] = c->significant;
		}
	}
	qsort(r->board, r->nboard, sizeof(*r->board), cmp_entry);
}

int jolt_report_finish(jolt_report *r)
{
	const jolt_trial_row **sorted = NULL;
	if (r->ntrials > 0) {
		sorted = jolt_xmalloc(r->ntrials * sizeof(*sorted));
		group(r, sorted, 2, &r->by_model, &r->nby_model);
		group(r, sorted, 3, &r->by_suite, &r->nby_suite);
		group(r, sorted, 4, &r->by_task, &r->nby_task);
	}
	free(sorted);
	int err = jolt_robust_build(&r->robust, r->trials, r->ntrials, NULL);
	if (!err)
		build_board(r);
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
	free(r->board);
	free(r->refused);
	free(r->inapplicable);
	jolt_robust_free(r->robust);
	if (r->traces.release)
		r->traces.release(r->traces.payload);
	arena_free(r->arena);
	free(r);
}

void jolt_report_set_traces(jolt_report *r, const jolt_report_traces *t)
{
	if (r->traces.release)
		r->traces.release(r->traces.payload);
	r->traces = *t;
}

int jolt_report_summarize(jolt_report *r, const jolt_robust_opts *opts)
{
	jolt_robust *s;
	int err = jolt_robust_build(&s, r->trials, r->ntrials, opts);
	if (err)
		return err;
	jolt_robust_free(r->robust);
	r->robust = s;
	build_board(r);
	return 0;
}

int jolt_report_cmp_instance(const jolt_trial_row *x, const jolt_trial_row *y)
{
	int c;
	if ((c = strcmp(x->model, y->model)) ||
	    (c = strcmp(x->scaffold, y->scaffold)) ||
	    (c = strcmp(x->suite, y->suite)) || (c = strcmp(x->task, y->task)))
		return c;
	return (x->repeat > y->repeat) - (x->repeat < y->repeat);
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
