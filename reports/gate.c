/*
 * gate.c - judge a report for CI (gate.h has the rules): the checks of
 * one run from its robustness summary, the regression against a baseline
 * run from paired trials, and the Markdown and JUnit renderings.
 */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/common.h"
#include "reports/gate.h"
#include "reports/robust.h"

const char *jolt_gate_check_name(enum jolt_gate_check c)
{
	static const char *const names[] = {
#define JOLT_X_NAME(n, s) s,
	    JOLT_GATE_CHECKS(JOLT_X_NAME)
#undef JOLT_X_NAME
	};
	return (size_t)c < JOLT_ARRAY_LEN(names) ? names[c] : "unknown";
}

static jolt_gate_case *add_case(jolt_gate *g, enum jolt_gate_check check,
				const char *model, const char *scaffold)
{
	g->cases = jolt_xrealloc(g->cases, (g->ncases + 1) * sizeof(*g->cases));
	jolt_gate_case *c = &g->cases[g->ncases++];
	*c = (jolt_gate_case){
	    .check = check,
	    .model = model,
	    .scaffold = scaffold,
	    .value = NAN,
	    .lo = NAN,
	    .hi = NAN,
	    .p_holm = NAN,
	    .noise = NAN,
	    .mdd = NAN,
	    .clean = NAN,
	};
	return c;
}

static void set_message(jolt_gate_case *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = NULL;
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	free(c->message);
	c->message = s ? s : jolt_xstrdup("(no message)");
}

/* x in hundredths followed by `unit`, "n/a" when undefined. */
static const char *hundredths(char *buf, size_t n, double x,
			      const char *unit)
{
	if (!isfinite(x))
		snprintf(buf, n, "n/a");
	else
		snprintf(buf, n, "%.1f%s", fabs(x) < 0.0005 ? 0.0 : x * 100.0,
			 unit);
	return buf;
}

/* A percentage for a message, "n/a" when undefined. */
static const char *pct(char *buf, size_t n, double x)
{
	return hundredths(buf, n, x, "%");
}

/* A difference of two rates in percentage points, "n/a" when undefined. */
static const char *pts(char *buf, size_t n, double x)
{
	return hundredths(buf, n, x, " pts");
}

static bool axis_selected(const jolt_gate_opts *o, const char *axis)
{
	if (!o->axes)
		return true;
	for (size_t i = 0; i < o->naxes; i++)
		if (!strcmp(o->axes[i], axis))
			return true;
	return false;
}

/* The report's significance rule (robust.c adjust()) at our alpha. */
static bool significant(double p_holm, const jolt_ci *d, double alpha)
{
	return isfinite(p_holm) && p_holm < alpha &&
	       (d->lo > 0.0 || d->hi < 0.0);
}

/* Judge a drop (from a comparison or a regression) into `c`, whose mdd
 * is set. */
static void judge_drop(jolt_gate_case *c, const jolt_ci *d, double p_holm,
		       long pairs, double break_rate, const jolt_gate_opts *o)
{
	char a[16], b[16], e[16], m[16], n[16], br[16], dd[16];
	c->value = d->est;
	c->lo = d->lo;
	c->hi = d->hi;
	c->limit = o->max_drop;
	c->p_holm = p_holm;
	c->pairs = pairs;
	c->significant = significant(p_holm, d, o->alpha);
	if (pairs == 0) {
		c->status = JOLT_GATE_SKIPPED;
		set_message(c, "no pairs: every trial was an infra error or "
			       "had nothing to pair with");
		return;
	}
	bool over = isfinite(d->est) && d->est > o->max_drop;
	c->status = over && c->significant ? JOLT_GATE_FAILED : JOLT_GATE_OK;
	c->undetectable = !(c->mdd <= o->max_drop);
	set_message(c,
		    "drop %s [%s, %s] %s max %s; Holm p %.4g %s %g%s; break "
		    "rate %s, noise floor %s; %ld pairs; detectable drop %s%s",
		    pct(a, sizeof(a), d->est), pct(b, sizeof(b), d->lo),
		    pct(e, sizeof(e), d->hi), over ? ">" : "<=",
		    pct(m, sizeof(m), o->max_drop), p_holm,
		    p_holm < o->alpha ? "<" : ">=", o->alpha,
		    c->significant ? ", significant"
				   : ", not significant",
		    pct(br, sizeof(br), break_rate),
		    pct(n, sizeof(n), c->noise), pairs,
		    pct(dd, sizeof(dd), c->mdd),
		    !c->undetectable	? ""
		    : isnan(c->mdd) ? " (none up to the clean pass rate: "
				      "the limit cannot be enforced)"
				    : " (above the limit: the limit cannot be "
				      "enforced)");
}

char *jolt_gate_undetectable_text(const jolt_gate_case *c)
{
	char m[16], l[16], p0[16];
	if (!c->undetectable)
		return NULL;
	if (isnan(c->mdd))
		return jolt_xasprintf(
		    "this run cannot reliably detect (at 80%% power) a drop of "
		    "any size up to the clean pass rate of %s; the gate's "
		    "threshold of %s is below that",
		    pct(p0, sizeof(p0), c->clean), pts(l, sizeof(l), c->limit));
	return jolt_xasprintf("this run can detect drops of %s; the gate's "
			      "threshold of %s is below that",
			      pts(m, sizeof(m), c->mdd),
			      pts(l, sizeof(l), c->limit));
}

/* ---- one run ---- */

static void model_checks(jolt_gate *g, const jolt_robust_model *m)
{
	const jolt_gate_opts *o = &g->opts;
	char a[16], b[16], e[16], l[16];
	jolt_gate_case *c = add_case(g, JOLT_GATE_CHECK_INFRA, m->model, m->scaffold);
	c->pairs = m->trials;
	c->limit = o->max_infra;
	c->value = m->trials ? (double)m->infra / (double)m->trials : NAN;
	c->status = m->trials && c->value > o->max_infra ? JOLT_GATE_FAILED
							 : JOLT_GATE_OK;
	set_message(c, "%ld infra errors in %ld trials: %s %s max %s",
		    m->infra, m->trials, pct(a, sizeof(a), c->value),
		    c->status == JOLT_GATE_FAILED ? ">" : "<=",
		    pct(l, sizeof(l), o->max_infra));

	c = add_case(g, JOLT_GATE_CHECK_MIN_PASS, m->model, m->scaffold);
	c->value = m->baseline.rate;
	c->lo = m->baseline.lo;
	c->hi = m->baseline.hi;
	c->limit = o->min_pass;
	c->pairs = m->baseline.n;
	c->noise = m->noise_break_rate;
	if (m->baseline.n == 0) {
		c->status = JOLT_GATE_SKIPPED;
		set_message(c, "no graded baseline trial");
		return;
	}
	c->status = c->value < o->min_pass ? JOLT_GATE_FAILED : JOLT_GATE_OK;
	set_message(c, "baseline pass rate %s [%s, %s] over %ld trials %s min %s",
		    pct(a, sizeof(a), c->value), pct(b, sizeof(b), c->lo),
		    pct(e, sizeof(e), c->hi), m->baseline.n,
		    c->status == JOLT_GATE_FAILED ? "<" : ">=",
		    pct(l, sizeof(l), o->min_pass));
}

static void cmp_checks(jolt_gate *g, const jolt_robust_cmp *cs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const jolt_robust_cmp *x = &cs[i];
		if (!axis_selected(&g->opts, x->axis))
			continue;
		jolt_gate_case *c =
		    add_case(g, JOLT_GATE_CHECK_DROP, x->model, x->scaffold);
		c->axis = x->axis;
		c->op = x->op;
		c->ref_model = x->ref_scaffold;
		c->noise = x->noise_break_rate;
		c->clean = x->clean.rate;
		c->mdd = jolt_robust_mdd(
		    jolt_robust_find_model(g->report->robust, x->model,
					   x->scaffold),
		    x->clean.rate, x->tasks, jolt_flips_total(&x->flips),
		    g->opts.alpha, g->report->robust->family);
		judge_drop(c, &x->drop, x->p_holm, jolt_flips_total(&x->flips),
			   x->break_rate, &g->opts);
	}
}

/* ---- regression against a baseline run ---- */

/* Instance key of a trial without its model: scaffold, suite, task,
 * variant, repeat. */
static int cmp_inst(const jolt_trial_row *x, const jolt_trial_row *y)
{
	int c;
	if ((c = strcmp(x->scaffold, y->scaffold)) ||
	    (c = strcmp(x->suite, y->suite)) ||
	    (c = strcmp(x->task, y->task)) ||
	    (c = strcmp(x->variant, y->variant)))
		return c;
	return (x->repeat > y->repeat) - (x->repeat < y->repeat);
}

static int cmp_ref(const void *a, const void *b)
{
	const jolt_trial_row *x = *(const jolt_trial_row *const *)a;
	const jolt_trial_row *y = *(const jolt_trial_row *const *)b;
	int c = strcmp(x->model, y->model);
	return c ? c : cmp_inst(x, y);
}

/* The first graded baseline-run trial of `model` matching t's instance. */
static const jolt_trial_row *find_ref(const jolt_trial_row **ref, size_t n,
				      const char *model,
				      const jolt_trial_row *t)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(ref[mid]->model, model);
		if (!c)
			c = cmp_inst(ref[mid], t);
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && !strcmp(ref[lo]->model, model) &&
		       !cmp_inst(ref[lo], t)
		   ? ref[lo]
		   : NULL;
}

/* One regression comparison: which candidate trials it takes. */
typedef struct {
	const char *model, *scaffold, *ref_model;
	const char *axis; /* "all", JOLT_BASELINE or an axis */
	const char *op;	  /* NULL: every operator */
} reg_key;

static bool reg_takes(const reg_key *k, const jolt_trial_row *t)
{
	if (strcmp(t->model, k->model) || strcmp(t->scaffold, k->scaffold))
		return false;
	if (!strcmp(k->axis, "all"))
		return true;
	return !strcmp(t->axis, k->axis) && (!k->op || !strcmp(t->op, k->op));
}

typedef struct {
	const jolt_trial_row *c;
	const jolt_trial_row *b;
} rpair;

static int cmp_rpair(const void *a, const void *b)
{
	const rpair *x = a, *y = b;
	int c;
	if ((c = strcmp(x->c->suite, y->c->suite)) ||
	    (c = strcmp(x->c->task, y->c->task)))
		return c;
	return strcmp(x->c->key, y->c->key);
}

/* Figures of one regression comparison, before the Holm adjustment. */
typedef struct {
	reg_key k;
	jolt_flips flips;
	jolt_ci drop;
	double p;
	double noise;
	double clean; /* the baseline run's pass rate over the pairs */
	long tasks;
} reg_cmp;

static int reg_fill(reg_cmp *out, const jolt_gate *g, const reg_key *k,
		    const jolt_trial_row **ref, size_t nref, rpair *ps)
{
	const jolt_report *r = g->report;
	size_t n = 0;
	*out = (reg_cmp){.k = *k, .p = NAN, .drop = {NAN, NAN, NAN},
			 .clean = NAN};
	for (size_t i = 0; i < r->ntrials; i++) {
		const jolt_trial_row *t = &r->trials[i];
		if (t->outcome == JOLT_OUTCOME_INFRA || !reg_takes(k, t))
			continue;
		const jolt_trial_row *b = find_ref(ref, nref, k->ref_model, t);
		if (b)
			ps[n++] = (rpair){t, b};
	}
	if (n == 0)
		return 0;
	qsort(ps, n, sizeof(*ps), cmp_rpair);
	double *bf = jolt_xmalloc(n * sizeof(*bf));
	double *cf = jolt_xmalloc(n * sizeof(*cf));
	size_t nt = 0;
	long tb = 0, tc = 0, tn = 0, all_bp = 0;
	for (size_t i = 0; i < n; i++) {
		bool bp = ps[i].b->outcome == JOLT_OUTCOME_PASS;
		bool cp = ps[i].c->outcome == JOLT_OUTCOME_PASS;
		all_bp += bp;
		jolt_flips_add(&out->flips, bp, cp);
		tb += bp;
		tc += cp;
		tn++;
		if (i + 1 == n || strcmp(ps[i + 1].c->suite, ps[i].c->suite) ||
		    strcmp(ps[i + 1].c->task, ps[i].c->task)) {
			bf[nt] = (double)tb / (double)tn;
			cf[nt] = (double)tc / (double)tn;
			nt++;
			tb = tc = tn = 0;
		}
	}
	out->clean = (double)all_bp / (double)n;
	out->tasks = (long)nt;
	out->p = jolt_mcnemar_exact(out->flips.n10, out->flips.n01);
	const jolt_robust_opts *ro = &r->robust->opts;
	int err = jolt_bootstrap_drop(&out->drop, bf, cf, nt,
				      ro->bootstrap_reps, ro->seed);
	free(bf);
	free(cf);
	return err;
}

/* The baseline run's model a candidate model is compared with. */
static int pick_ref(const char **out, const jolt_report *base,
		    const char *model)
{
	const jolt_robust *s = base->robust;
	const char *only = NULL;
	bool several = false;
	for (size_t i = 0; i < s->nmodels; i++) {
		if (!strcmp(s->models[i].model, model)) {
			*out = s->models[i].model;
			return 0;
		}
		if (only && strcmp(only, s->models[i].model))
			several = true;
		only = s->models[i].model;
	}
	if (!only)
		return jolt_err_set(JOLT_EINPUT,
				    "gate: the baseline run holds no trial");
	if (several)
		return jolt_err_set(JOLT_EINPUT,
				    "gate: the baseline run holds several "
				    "models and none is named '%s'; compare "
				    "runs of the same models, or a baseline "
				    "run of one model",
				    model);
	*out = only;
	return 0;
}

static void add_key(reg_key **ks, size_t *n, reg_key k)
{
	for (size_t i = 0; i < *n; i++) {
		const reg_key *x = &(*ks)[i];
		if (!strcmp(x->model, k.model) &&
		    !strcmp(x->scaffold, k.scaffold) &&
		    !strcmp(x->axis, k.axis) &&
		    ((!x->op && !k.op) || (x->op && k.op && !strcmp(x->op, k.op))))
			return;
	}
	*ks = jolt_xrealloc(*ks, (*n + 1) * sizeof(**ks));
	(*ks)[(*n)++] = k;
}

static int regression(jolt_gate *g)
{
	const jolt_report *r = g->report, *base = g->baseline;
	const jolt_trial_row **ref =
	    jolt_xmalloc((base->ntrials + 1) * sizeof(*ref));
	rpair *ps = jolt_xmalloc((r->ntrials + 1) * sizeof(*ps));
	reg_key *ks = NULL;
	reg_cmp *rc = NULL;
	size_t nref = 0, nk = 0;
	int err = 0;
	for (size_t i = 0; i < base->ntrials; i++)
		if (base->trials[i].outcome != JOLT_OUTCOME_INFRA)
			ref[nref++] = &base->trials[i];
	qsort(ref, nref, sizeof(*ref), cmp_ref);
	/* Which comparisons: every model x scaffold's whole run, its
	 * baselines, and each axis and operator it ran. */
	const jolt_robust *s = r->robust;
	for (size_t i = 0; i < s->nmodels; i++) {
		const jolt_robust_model *m = &s->models[i];
		const char *rm = NULL;
		if ((err = pick_ref(&rm, base, m->model)) != 0)
			goto done;
		if (!g->opts.axes)
			add_key(&ks, &nk, (reg_key){m->model, m->scaffold, rm,
						    "all", NULL});
		if (axis_selected(&g->opts, JOLT_BASELINE))
			add_key(&ks, &nk, (reg_key){m->model, m->scaffold, rm,
						    JOLT_BASELINE, NULL});
		/* The axes, then the operators, the run compared. */
		const jolt_robust_cmp *lists[] = {s->by_axis, s->by_op};
		size_t lens[] = {s->nby_axis, s->nby_op};
		for (size_t l = 0; l < 2; l++)
			for (size_t j = 0; j < lens[l]; j++) {
				const jolt_robust_cmp *c = &lists[l][j];
				if (!strcmp(c->model, m->model) &&
				    !strcmp(c->scaffold, m->scaffold) &&
				    axis_selected(&g->opts, c->axis))
					add_key(&ks, &nk,
						(reg_key){m->model, m->scaffold,
							  rm, c->axis, c->op});
			}
	}
	rc = jolt_xcalloc(nk + 1, sizeof(*rc));
	double *p = jolt_xmalloc((nk + 1) * sizeof(*p));
	double *holm = jolt_xmalloc((nk + 1) * sizeof(*holm));
	size_t nfam = 0;
	for (size_t i = 0; i < nk && !err; i++) {
		err = reg_fill(&rc[i], g, &ks[i], ref, nref, ps);
		if (!isnan(rc[i].p))
			p[nfam++] = rc[i].p;
	}
	if (!err) {
		jolt_holm(p, nfam, holm);
		g->family = nfam;
		for (size_t i = 0, f = 0; i < nk; i++) {
			const reg_cmp *x = &rc[i];
			double ph = isnan(x->p) ? NAN : holm[f++];
			jolt_gate_case *c = add_case(g, JOLT_GATE_CHECK_REGRESSION,
						     x->k.model, x->k.scaffold);
			c->axis = x->k.axis;
			c->op = x->k.op;
			c->ref_model = x->k.ref_model;
			const jolt_robust_model *m = jolt_robust_find_model(
			    s, x->k.model, x->k.scaffold);
			if (m)
				c->noise = m->noise_break_rate;
			/* Both runs' noise is the candidate model's, as
			 * measured in this run. */
			c->clean = x->clean;
			c->mdd = jolt_robust_mdd(m, x->clean, x->tasks,
						 jolt_flips_total(&x->flips),
						 g->opts.alpha, nfam);
			judge_drop(c, &x->drop, ph, jolt_flips_total(&x->flips),
				   jolt_break_rate(&x->flips), &g->opts);
		}
	}
	free(p);
	free(holm);
done:
	free(ref);
	free(ps);
	free(ks);
	free(rc);
	return err;
}

/* ---- build ---- */

static int check_opts(jolt_gate_opts *o)
{
	if (o->max_drop < 0)
		o->max_drop = JOLT_GATE_MAX_DROP;
	if (o->alpha == 0)
		o->alpha = JOLT_GATE_ALPHA;
	if (o->max_infra < 0)
		o->max_infra = JOLT_GATE_MAX_INFRA;
	if (!(o->min_pass >= 0 && o->min_pass <= 1) ||
	    !(o->max_drop >= 0 && o->max_drop <= 1) ||
	    !(o->max_infra >= 0 && o->max_infra <= 1))
		return jolt_err_set(JOLT_EUSAGE,
				    "--min-pass, --max-drop and --max-infra "
				    "are fractions in [0, 1], e.g. 0.1 for "
				    "10%%");
	if (!(o->alpha > 0 && o->alpha < 1))
		return jolt_err_set(JOLT_EUSAGE,
				    "--alpha must be in (0, 1), e.g. 0.05");
	for (size_t i = 0; o->axes && i < o->naxes; i++)
		if (jolt_axis_parse(o->axes[i]) < 0 &&
		    strcmp(o->axes[i], "scaffold") &&
		    strcmp(o->axes[i], JOLT_BASELINE))
			return jolt_err_set(JOLT_EUSAGE,
					    "--axis '%s': not an axis (tool, "
					    "system, user, env, response, "
					    "scaffold, baseline)",
					    o->axes[i]);
	return 0;
}

int jolt_gate_build(jolt_gate **out, const jolt_report *r,
		    const jolt_report *baseline, const jolt_gate_opts *opts)
{
	jolt_gate_opts o = opts ? *opts
				: (jolt_gate_opts){.max_drop = -1, .max_infra = -1};
	int err;
	*out = NULL;
	if ((err = check_opts(&o)) != 0)
		return err;
	jolt_gate *g = jolt_xcalloc(1, sizeof(*g));
	g->opts = o;
	g->report = r;
	g->baseline = baseline;
	const jolt_robust *s = r->robust;
	for (size_t i = 0; i < s->nmodels; i++)
		model_checks(g, &s->models[i]);
	cmp_checks(g, s->by_axis, s->nby_axis);
	cmp_checks(g, s->by_op, s->nby_op);
	cmp_checks(g, s->by_scaffold, s->nby_scaffold);
	if (baseline && (err = regression(g)) != 0) {
		jolt_gate_free(g);
		return err;
	}
	bool infra = false;
	for (size_t i = 0; i < g->ncases; i++) {
		g->nundetectable += g->cases[i].undetectable;
		if (g->cases[i].status != JOLT_GATE_FAILED)
			continue;
		g->nfailed++;
		infra |= g->cases[i].check == JOLT_GATE_CHECK_INFRA;
	}
	g->verdict = infra	    ? JOLT_GATE_INFRA
		     : g->nfailed ? JOLT_GATE_FAIL
				  : JOLT_GATE_PASS;
	*out = g;
	return 0;
}

void jolt_gate_free(jolt_gate *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->ncases; i++)
		free(g->cases[i].message);
	free(g->cases);
	free(g);
}
