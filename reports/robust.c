/*
 * robust.c - build the robustness summary (robust.h) from trial rows:
 * pair perturbed trials with their baselines, group them into comparisons
 * at three granularities, and compute the per-model figures.
 *
 * Everything works on arrays of pointers sorted by the grouping key and
 * swept once, so a report of a few hundred thousand trials costs a few
 * sorts plus the bootstraps.
 */
#include <math.h>
#include <string.h>

#include "core/common.h"
#include "reports/robust.h"

const char *jolt_robust_by_name(enum jolt_robust_by by)
{
	static const char *const names[] = {
#define JOLT_X_NAME(n, s) s,
	    JOLT_ROBUST_BY(JOLT_X_NAME)
#undef JOLT_X_NAME
	};
	return (size_t)by < JOLT_ARRAY_LEN(names) ? names[by] : "unknown";
}

static bool is_baseline(const jolt_trial_row *t)
{
	return strcmp(t->axis, JOLT_BASELINE) == 0;
}

static bool is_infra(const jolt_trial_row *t)
{
	return t->outcome == JOLT_OUTCOME_INFRA;
}

static bool is_pass(const jolt_trial_row *t)
{
	return t->outcome == JOLT_OUTCOME_PASS;
}

static jolt_rate make_rate(long pass, long n)
{
	jolt_rate r = {.pass = pass, .n = n, .rate = NAN, .lo = NAN, .hi = NAN};
	if (n > 0) {
		r.rate = (double)pass / (double)n;
		jolt_wilson(pass, n, JOLT_Z95, &r.lo, &r.hi);
	}
	return r;
}

/* ---- keys ---- */

/* Fields a sort or a group can key on, in their fixed order of
 * significance. */
enum key {
	K_MODEL,
	K_SCAFFOLD,
	K_AXIS,
	K_OP,
	K_LEVEL,
	K_SUITE,
	K_TASK,
	K_VARIANT,
	K_REPEAT,
};

static int cmp_field(const jolt_trial_row *x, const jolt_trial_row *y,
		     enum key k)
{
	switch (k) {
	case K_MODEL:
		return strcmp(x->model, y->model);
	case K_SCAFFOLD:
		return strcmp(x->scaffold, y->scaffold);
	case K_AXIS:
		return strcmp(x->axis, y->axis);
	case K_OP:
		return strcmp(x->op, y->op);
	case K_LEVEL:
		return (x->level > y->level) - (x->level < y->level);
	case K_SUITE:
		return strcmp(x->suite, y->suite);
	case K_TASK:
		return strcmp(x->task, y->task);
	case K_VARIANT:
		return strcmp(x->variant, y->variant);
	case K_REPEAT:
		return (x->repeat > y->repeat) - (x->repeat < y->repeat);
	}
	return 0;
}

/* A key: the fields compared, most significant first. */
typedef struct {
	const enum key *fields;
	size_t n;
} keyspec;

static int cmp_key(const jolt_trial_row *x, const jolt_trial_row *y,
		   const keyspec *ks)
{
	for (size_t i = 0; i < ks->n; i++) {
		int c = cmp_field(x, y, ks->fields[i]);
		if (c)
			return c;
	}
	return 0;
}

static int cmp_sort(const void *a, const void *b, void *payload)
{
	const jolt_trial_row *x = *(const jolt_trial_row *const *)a;
	const jolt_trial_row *y = *(const jolt_trial_row *const *)b;
	int c = cmp_key(x, y, payload);
	if (c)
		return c;
	/* Rows live in one array in load order: ties keep that order. */
	return (x > y) - (x < y);
}

/* ---- pairing ---- */

/* One perturbed trial and the baseline it is paired with (NULL when it
 * is unpaired). */
typedef struct {
	const jolt_trial_row *v;
	const jolt_trial_row *b;
} vpair;

static const enum key pair_key[] = {K_MODEL, K_SCAFFOLD, K_SUITE, K_TASK,
				    K_REPEAT};
static const keyspec pair_spec = {pair_key, JOLT_ARRAY_LEN(pair_key)};

/* The first graded baseline in `base` (sorted on pair_spec) matching v's
 * pair key, or NULL. */
static const jolt_trial_row *find_baseline(const jolt_trial_row *const *base,
					   size_t nbase,
					   const jolt_trial_row *v)
{
	size_t lo = 0, hi = nbase;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cmp_key(base[mid], v, &pair_spec) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < nbase && cmp_key(base[i], v, &pair_spec) == 0;
	     i++)
		if (!is_infra(base[i]))
			return base[i];
	return NULL;
}

/* ---- comparisons ---- */

static const enum key cmp_keys[] = {K_MODEL, K_SCAFFOLD, K_AXIS, K_OP,
				    K_LEVEL, K_SUITE,	 K_TASK};

static int cmp_vpair(const void *a, const void *b, void *payload)
{
	const vpair *x = a, *y = b;
	int c = cmp_key(x->v, y->v, payload);
	if (c)
		return c;
	return (x->v > y->v) - (x->v < y->v);
}

/* Group depth: fields of cmp_keys that define a comparison. */
static size_t by_depth(enum jolt_robust_by by)
{
	return by == JOLT_ROBUST_BY_AXIS ? 3 : by == JOLT_ROBUST_BY_OP ? 4 : 5;
}

/* Fill one comparison from its pairs ps[0..n) (sorted by task within). */
static int fill_cmp(jolt_robust_cmp *c, const vpair *ps, size_t n,
		    enum jolt_robust_by by, const jolt_robust_opts *o)
{
	const jolt_trial_row *v0 = ps[0].v;
	*c = (jolt_robust_cmp){
	    .by = by,
	    .model = v0->model,
	    .scaffold = v0->scaffold,
	    .axis = v0->axis,
	    .op = by == JOLT_ROBUST_BY_AXIS ? NULL : v0->op,
	    .level = by == JOLT_ROBUST_BY_LEVEL ? v0->level : -1,
	    .variant_trials = (long)n,
	};
	static const keyspec task_spec = {cmp_keys + 5, 2};
	double *b = jolt_xmalloc(n * sizeof(*b));
	double *p = jolt_xmalloc(n * sizeof(*p));
	size_t ntask = 0;
	long tb = 0, tp = 0, tn = 0;
	for (size_t i = 0; i < n; i++) {
		const vpair *x = &ps[i];
		if (x->b) {
			jolt_flips_add(&c->flips, is_pass(x->b), is_pass(x->v));
			tb += is_pass(x->b);
			tp += is_pass(x->v);
			tn++;
		} else {
			c->unpaired++;
		}
		bool last =
		    i + 1 == n || cmp_key(ps[i + 1].v, x->v, &task_spec) != 0;
		if (last && tn > 0) {
			b[ntask] = (double)tb / (double)tn;
			p[ntask] = (double)tp / (double)tn;
			ntask++;
		}
		if (last)
			tb = tp = tn = 0;
	}
	c->tasks = (long)ntask;
	const jolt_flips *f = &c->flips;
	long pairs = jolt_flips_total(f);
	c->clean = make_rate(f->n11 + f->n10, pairs);
	c->perturbed = make_rate(f->n11 + f->n01, pairs);
	c->flip_rate = jolt_flip_rate(f);
	c->break_rate = jolt_break_rate(f);
	c->net_drop = jolt_net_drop(f);
	c->pdr = jolt_flips_pdr(f);
	c->drop = (jolt_ci){NAN, NAN, NAN};
	c->p = c->p_holm = c->p_bh = NAN;
	int err = 0;
	if (pairs > 0) {
		c->p = jolt_mcnemar_exact(f->n10, f->n01);
		err = jolt_bootstrap_drop(&c->drop, b, p, ntask,
					  o->bootstrap_reps, o->seed);
	}
	free(b);
	free(p);
	return err;
}

/* Build the comparisons at one granularity from `ps` (re-sorted here). */
static int build_cmps(jolt_robust_cmp **out, size_t *nout, vpair *ps, size_t n,
		      enum jolt_robust_by by, const jolt_robust_opts *o)
{
	keyspec group = {cmp_keys, by_depth(by)};
	jolt_robust_cmp *cs = NULL;
	size_t nc = 0;
	int err = 0;
	/* Only the group fields and then the task: the remaining key
	 * fields are not part of this grouping. */
	enum key fields[7];
	size_t nf = 0;
	for (size_t i = 0; i < group.n; i++)
		fields[nf++] = cmp_keys[i];
	fields[nf++] = K_SUITE;
	fields[nf++] = K_TASK;
	keyspec full = {fields, nf};
	qsort_r(ps, n, sizeof(*ps), cmp_vpair, &full);
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		while (j < n && cmp_key(ps[j].v, ps[i].v, &group) == 0)
			j++;
		cs = jolt_xrealloc(cs, (nc + 1) * sizeof(*cs));
		if ((err = fill_cmp(&cs[nc++], ps + i, j - i, by, o)) != 0)
			break;
		i = j;
	}
	*out = cs;
	*nout = nc;
	return err;
}

/* The comparison in `parents` that `c` refines, or NULL. */
static const jolt_robust_cmp *find_parent(const jolt_robust_cmp *parents,
					  size_t n, const jolt_robust_cmp *c)
{
	for (size_t i = 0; i < n; i++) {
		const jolt_robust_cmp *p = &parents[i];
		if (strcmp(p->model, c->model) == 0 &&
		    strcmp(p->scaffold, c->scaffold) == 0 &&
		    strcmp(p->axis, c->axis) == 0 &&
		    (!p->op || strcmp(p->op, c->op) == 0))
			return p;
	}
	return NULL;
}

/* Mark refinements that hold the same pairs as their parent. */
static void mark_same(jolt_robust_cmp *cs, size_t n,
		      const jolt_robust_cmp *parents, size_t np)
{
	for (size_t i = 0; i < n; i++) {
		const jolt_robust_cmp *p = find_parent(parents, np, &cs[i]);
		cs[i].same_as_parent =
		    p && p->variant_trials == cs[i].variant_trials;
	}
}

/* Copy the adjusted figures of same-as-parent comparisons from their
 * parents (already adjusted). */
static void copy_adjusted(jolt_robust_cmp *cs, size_t n,
			  const jolt_robust_cmp *parents, size_t np)
{
	for (size_t i = 0; i < n; i++) {
		if (!cs[i].same_as_parent)
			continue;
		const jolt_robust_cmp *p = find_parent(parents, np, &cs[i]);
		cs[i].p_holm = p->p_holm;
		cs[i].p_bh = p->p_bh;
		cs[i].significant = p->significant;
	}
}

static void adjust(jolt_robust *s)
{
	jolt_robust_cmp *groups[] = {s->by_axis, s->by_op, s->by_level,
				     s->by_scaffold};
	size_t ns[] = {s->nby_axis, s->nby_op, s->nby_level, s->nby_scaffold};
	size_t total = s->nby_axis + s->nby_op + s->nby_level + s->nby_scaffold;
	jolt_robust_cmp **fam = jolt_xmalloc((total + 1) * sizeof(*fam));
	double *p = jolt_xmalloc((total + 1) * sizeof(*p));
	double *holm = jolt_xmalloc((total + 1) * sizeof(*holm));
	double *bh = jolt_xmalloc((total + 1) * sizeof(*bh));
	size_t nf = 0;
	for (size_t g = 0; g < JOLT_ARRAY_LEN(groups); g++)
		for (size_t i = 0; i < ns[g]; i++) {
			jolt_robust_cmp *c = &groups[g][i];
			if (c->same_as_parent || isnan(c->p))
				continue;
			fam[nf] = c;
			p[nf++] = c->p;
		}
	jolt_holm(p, nf, holm);
	jolt_bh(p, nf, bh);
	for (size_t i = 0; i < nf; i++) {
		fam[i]->p_holm = holm[i];
		fam[i]->p_bh = bh[i];
		/* McNemar treats pairs as independent, but every variant of
		 * a task is paired with the same few baseline trials: one
		 * noisy baseline becomes many "fixes" or "breaks". A
		 * difference counts only when the task-clustered bootstrap
		 * interval also excludes zero. */
		const jolt_ci *d = &fam[i]->drop;
		fam[i]->significant = holm[i] < s->opts.alpha &&
				      (d->lo > 0.0 || d->hi < 0.0);
	}
	s->family = nf;
	copy_adjusted(s->by_op, s->nby_op, s->by_axis, s->nby_axis);
	copy_adjusted(s->by_level, s->nby_level, s->by_op, s->nby_op);
	free(fam);
	free(p);
	free(holm);
	free(bh);
}

/* ---- the scaffold swap ---- */

/* Pair every baseline trial run under a scaffold other than the native
 * one with the same model's native baseline of the same suite, task and
 * repeat, and group the pairs by (model, scaffold) like an axis. */
static int build_scaffold_cmps(jolt_robust *s, const jolt_trial_row *const *base,
			       size_t nbase, const jolt_robust_opts *o)
{
	vpair *ps = jolt_xmalloc((nbase + 1) * sizeof(*ps));
	size_t n = 0;
	int err = 0;
	for (size_t i = 0; i < nbase; i++) {
		const jolt_trial_row *v = base[i];
		if (!strcmp(v->scaffold, JOLT_SCAFFOLD_DEFAULT))
			continue;
		jolt_trial_row ref = *v;
		ref.scaffold = JOLT_SCAFFOLD_DEFAULT;
		const jolt_trial_row *b =
		    is_infra(v) ? NULL : find_baseline(base, nbase, &ref);
		/* a model that never ran natively has nothing to compare */
		if (b || is_infra(v))
			ps[n++] = (vpair){v, b};
	}
	static const enum key fields[] = {K_MODEL, K_SCAFFOLD, K_SUITE, K_TASK};
	keyspec full = {fields, JOLT_ARRAY_LEN(fields)};
	keyspec group = {fields, 2};
	qsort_r(ps, n, sizeof(*ps), cmp_vpair, &full);
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		while (j < n && cmp_key(ps[j].v, ps[i].v, &group) == 0)
			j++;
		s->by_scaffold = jolt_xrealloc(
		    s->by_scaffold, (s->nby_scaffold + 1) * sizeof(*s->by_scaffold));
		jolt_robust_cmp *c = &s->by_scaffold[s->nby_scaffold++];
		if ((err = fill_cmp(c, ps + i, j - i, JOLT_ROBUST_BY_SCAFFOLD, o)) != 0)
			break;
		c->axis = "scaffold";
		c->op = NULL;
		c->level = -1;
		c->ref_scaffold = JOLT_SCAFFOLD_DEFAULT;
		i = j;
	}
	free(ps);
	return err;
}

/* One task's drop on one axis under one scaffold. */
typedef struct {
	const jolt_trial_row *t; /* any trial of the group, for its keys */
	double drop;
} task_drop;

/* The scaffold x axis interactions from the perturbed pairs. */
static int build_inter(jolt_robust *s, vpair *ps, size_t n,
		       const jolt_robust_opts *o)
{
	static const enum key fields[] = {K_MODEL, K_AXIS, K_SCAFFOLD, K_SUITE,
					  K_TASK};
	keyspec full = {fields, JOLT_ARRAY_LEN(fields)};
	qsort_r(ps, n, sizeof(*ps), cmp_vpair, &full);
	task_drop *td = jolt_xmalloc((n + 1) * sizeof(*td));
	size_t nt = 0;
	long tb = 0, tp = 0, tn = 0;
	for (size_t i = 0; i < n; i++) {
		if (ps[i].b) {
			tb += is_pass(ps[i].b);
			tp += is_pass(ps[i].v);
			tn++;
		}
		bool last = i + 1 == n || cmp_key(ps[i + 1].v, ps[i].v, &full) != 0;
		if (last && tn > 0)
			td[nt++] = (task_drop){ps[i].v, (double)(tb - tp) / (double)tn};
		if (last)
			tb = tp = tn = 0;
	}
	/* For each (model, axis): the native rows, then each other scaffold's
	 * rows matched to them by suite and task (both sorted that way). */
	keyspec ma = {fields, 2}, msa = {fields, 3};
	static const enum key st_fields[] = {K_SUITE, K_TASK};
	keyspec st = {st_fields, 2};
	double *x = jolt_xmalloc((nt + 1) * sizeof(*x));
	double *r = jolt_xmalloc((nt + 1) * sizeof(*r));
	int err = 0;
	for (size_t i = 0; i < nt && !err;) {
		size_t j = i + 1;
		while (j < nt && cmp_key(td[j].t, td[i].t, &ma) == 0)
			j++;
		/* the native block of [i, j) */
		size_t ni = i;
		while (ni < j && strcmp(td[ni].t->scaffold, JOLT_SCAFFOLD_DEFAULT))
			ni++;
		size_t nj = ni;
		while (nj < j && !strcmp(td[nj].t->scaffold, JOLT_SCAFFOLD_DEFAULT))
			nj++;
		for (size_t a = i; a < j && ni < nj && !err;) {
			size_t b = a + 1;
			while (b < j && cmp_key(td[b].t, td[a].t, &msa) == 0)
				b++;
			if (a != ni) {
				size_t m = 0, p = ni;
				double sx = 0, sr = 0;
				for (size_t q = a; q < b; q++) {
					while (p < nj && cmp_key(td[p].t, td[q].t, &st) < 0)
						p++;
					if (p < nj && cmp_key(td[p].t, td[q].t, &st) == 0) {
						x[m] = td[q].drop;
						r[m] = td[p].drop;
						sx += x[m];
						sr += r[m];
						m++;
					}
				}
				if (m > 0) {
					s->inter = jolt_xrealloc(s->inter, (s->ninter + 1) *
									       sizeof(*s->inter));
					jolt_robust_inter *in = &s->inter[s->ninter++];
					*in = (jolt_robust_inter){
					    .model = td[a].t->model,
					    .scaffold = td[a].t->scaffold,
					    .ref_scaffold = JOLT_SCAFFOLD_DEFAULT,
					    .axis = td[a].t->axis,
					    .tasks = (long)m,
					    .drop = sx / (double)m,
					    .ref_drop = sr / (double)m,
					};
					err = jolt_bootstrap_drop(&in->diff, x, r, m,
								  o->bootstrap_reps, o->seed);
				}
			}
			a = b;
		}
		i = j;
	}
	free(x);
	free(r);
	free(td);
	return err;
}

/* ---- per model ---- */

/* One instance: a task's baseline or one of its variants. */
typedef struct {
	long n; /* graded */
	long c; /* passed */
	bool baseline;
} instance;

static double mean_pass_k(const instance *in, size_t n, long k, bool hat,
			  bool base_only, long *count)
{
	double sum = 0.0;
	long m = 0;
	for (size_t i = 0; i < n; i++) {
		if ((base_only && !in[i].baseline) || in[i].n < k)
			continue;
		sum += hat ? jolt_pass_hat_k(in[i].n, in[i].c, k)
			   : jolt_pass_at_k(in[i].n, in[i].c, k);
		m++;
	}
	*count = m;
	return m ? sum / (double)m : NAN;
}

/* The noise floor from the baseline instances (robust.h). */
static void noise_floor(jolt_robust_model *m, const instance *in, size_t n)
{
	double disagree = 0.0, pairs = 0.0, from_pass = 0.0;
	m->noise_flip_rate = m->noise_break_rate = NAN;
	for (size_t i = 0; i < n; i++) {
		if (!in[i].baseline || in[i].n < 2)
			continue;
		double c = (double)in[i].c, k = (double)in[i].n;
		disagree += c * (k - c);
		pairs += k * (k - 1) / 2.0;
		from_pass += c * (k - 1);
		m->noise_tasks++;
	}
	m->noise_pairs = (long)pairs;
	if (pairs > 0)
		m->noise_flip_rate = disagree / pairs;
	if (from_pass > 0)
		m->noise_break_rate = disagree / from_pass;
}

/* Copy each model's noise floor into its comparisons. */
static void copy_noise(const jolt_robust *s, jolt_robust_cmp *cs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		cs[i].noise_flip_rate = cs[i].noise_break_rate = NAN;
		for (size_t j = 0; j < s->nmodels; j++) {
			const jolt_robust_model *m = &s->models[j];
			if (strcmp(m->model, cs[i].model) ||
			    strcmp(m->scaffold, cs[i].scaffold))
				continue;
			cs[i].noise_flip_rate = m->noise_flip_rate;
			cs[i].noise_break_rate = m->noise_break_rate;
			break;
		}
	}
}

/* Each model's plan noise, then each comparison's detectable drop
 * (robust.h, power.h); after adjust(), which sizes the family. */
static void plan_model(jolt_robust_model *m)
{
	m->plan_noise_from = jolt_power_measure(
	    &m->plan_noise, m->noise_flip_rate * (double)m->noise_pairs,
	    m->noise_pairs, m->flips.n01, jolt_flips_total(&m->flips));
}

double jolt_robust_mdd(const jolt_robust_model *m, double p0, long tasks,
		       long pairs, double alpha, size_t family)
{
	if (!m || tasks <= 0 || pairs <= 0 || isnan(m->plan_noise) ||
	    isnan(p0))
		return NAN;
	jolt_power_design d = {
	    .alpha = alpha,
	    .comparisons = (long)family,
	    .p0 = p0,
	    .noise = m->plan_noise,
	};
	/* Half the noise is the clean side's, averaged over the repeats
	 * only (a task's variants share its baseline trial of a repeat);
	 * half the perturbed side's, averaged over all of the task's
	 * pairs: K is their harmonic mean. */
	double per = (double)pairs / (double)tasks;
	double reps = m->repeats > 0 ? (double)m->repeats : 1.0;
	double k = 2.0 / (1.0 / fmin(reps, per) + 1.0 / per);
	return jolt_power_mdd(&d, (double)tasks, k);
}

const jolt_robust_model *jolt_robust_find_model(const jolt_robust *s,
						const char *model,
						const char *scaffold)
{
	for (size_t j = 0; j < s->nmodels; j++)
		if (!strcmp(s->models[j].model, model) &&
		    !strcmp(s->models[j].scaffold, scaffold))
			return &s->models[j];
	return NULL;
}

static void plan_cmps(const jolt_robust *s, jolt_robust_cmp *cs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		jolt_robust_cmp *c = &cs[i];
		c->mdd = jolt_robust_mdd(
		    jolt_robust_find_model(s, c->model, c->scaffold),
		    c->clean.rate, c->tasks, jolt_flips_total(&c->flips),
		    s->opts.alpha, s->family);
	}
}

const char *jolt_robust_verdict(const jolt_robust_cmp *c)
{
	if (c->significant)
		return "drop";
	if (!isnan(c->mdd) && !isnan(c->drop.hi) && c->drop.hi < c->mdd)
		return "no drop of the detectable size";
	return "too small a run to tell";
}

static const enum key model_keys[] = {K_MODEL, K_SCAFFOLD, K_SUITE,
				      K_TASK,  K_VARIANT,  K_REPEAT};

/* Fill m from rows[0..n), all of one model x scaffold, sorted by
 * model_keys; `pairs` holds every pair of the report. */
static void fill_model(jolt_robust_model *m, const jolt_trial_row **rows,
		       size_t n, const vpair *pairs, size_t npairs)
{
	static const keyspec task_spec = {model_keys, 4};
	static const keyspec inst_spec = {model_keys, 5};
	*m = (jolt_robust_model){.model = rows[0]->model,
				 .scaffold = rows[0]->scaffold};
	long bp = 0, bn = 0, pp = 0, pn = 0;
	double tin = 0, tout = 0, lat = 0;
	instance *ins = jolt_xmalloc(n * sizeof(*ins));
	size_t nins = 0;
	double worst_sum = 0.0, worst = INFINITY;
	long ic = 0, in = 0;
	for (size_t i = 0; i < n; i++) {
		const jolt_trial_row *t = rows[i];
		m->trials++;
		if (is_infra(t)) {
			m->infra++;
		} else if (is_baseline(t)) {
			bn++;
			bp += is_pass(t);
		} else {
			pn++;
			pp += is_pass(t);
		}
		if (!is_infra(t)) {
			in++;
			ic += is_pass(t);
		}
		m->malformed_calls += t->malformed_calls;
		m->steps += t->steps;
		tin += (double)t->tokens_in;
		tout += (double)t->tokens_out;
		lat += (double)t->latency_ms;
		if (t->repeat + 1 > m->repeats)
			m->repeats = t->repeat + 1;
		bool inst_end =
		    i + 1 == n || cmp_key(rows[i + 1], t, &inst_spec) != 0;
		bool task_end =
		    i + 1 == n || cmp_key(rows[i + 1], t, &task_spec) != 0;
		if (inst_end) {
			/* An instance ends with its last row; baseline-ness
			 * is a property of the variant, so any row tells. */
			ins[nins++] = (instance){in, ic, is_baseline(t)};
			if (in > 0 && (double)ic / (double)in < worst)
				worst = (double)ic / (double)in;
			ic = in = 0;
		}
		if (task_end) {
			if (worst != INFINITY) {
				worst_sum += worst;
				m->worst_case_tasks++;
			}
			worst = INFINITY;
		}
	}
	m->baseline = make_rate(bp, bn);
	m->perturbed = make_rate(pp, pn);
	double nt = (double)m->trials;
	m->mean_tokens_in = tin / nt;
	m->mean_tokens_out = tout / nt;
	m->mean_latency_ms = lat / nt;
	m->malformed_rate =
	    m->steps > 0 ? (double)m->malformed_calls / (double)m->steps : NAN;
	m->worst_case =
	    m->worst_case_tasks ? worst_sum / (double)m->worst_case_tasks : NAN;
	for (size_t i = 0; i < npairs; i++) {
		const vpair *x = &pairs[i];
		if (x->b && strcmp(x->v->model, m->model) == 0 &&
		    strcmp(x->v->scaffold, m->scaffold) == 0)
			jolt_flips_add(&m->flips, is_pass(x->b), is_pass(x->v));
	}
	m->pdr = jolt_flips_pdr(&m->flips);
	noise_floor(m, ins, nins);
	if (m->repeats > 1) {
		m->npassk = (size_t)m->repeats;
		m->passk = jolt_xcalloc(m->npassk, sizeof(*m->passk));
		for (int k = 1; k <= m->repeats; k++) {
			jolt_robust_k *r = &m->passk[k - 1];
			r->k = k;
			r->base_hat = mean_pass_k(ins, nins, k, true, true,
						  &r->base_tasks);
			r->base_at = mean_pass_k(ins, nins, k, false, true,
						 &r->base_tasks);
			r->all_hat = mean_pass_k(ins, nins, k, true, false,
						 &r->all_instances);
			r->all_at = mean_pass_k(ins, nins, k, false, false,
						&r->all_instances);
		}
	}
	free(ins);
}

/* ---- build ---- */

int jolt_robust_build(jolt_robust **out, const jolt_trial_row *rows, size_t n,
		      const jolt_robust_opts *opts)
{
	jolt_robust *s = NULL;
	const jolt_trial_row **sorted = NULL, **base = NULL;
	vpair *ps = NULL;
	size_t nbase = 0, nps = 0;
	int err = 0;

	*out = NULL;
	jolt_robust_opts o = opts ? *opts : (jolt_robust_opts){0};
	if (o.bootstrap_reps == 0)
		o.bootstrap_reps = JOLT_BOOTSTRAP_REPS;
	if (o.seed == 0)
		o.seed = JOLT_BOOTSTRAP_SEED;
	if (o.alpha == 0)
		o.alpha = 0.05;
	if (o.bootstrap_reps < 1 || o.bootstrap_reps > JOLT_BOOTSTRAP_MAX_REPS)
		return jolt_err_set(JOLT_EUSAGE,
				    "bootstrap replicates must be in [1, %ld], "
				    "not %ld",
				    JOLT_BOOTSTRAP_MAX_REPS, o.bootstrap_reps);
	if (!(o.alpha > 0 && o.alpha < 1))
		return jolt_err_set(JOLT_EUSAGE,
				    "alpha must be in (0, 1), not %g", o.alpha);

	s = jolt_xcalloc(1, sizeof(*s));
	s->opts = o;
	if (n == 0)
		goto done;

	sorted = jolt_xmalloc(n * sizeof(*sorted));
	base = jolt_xmalloc(n * sizeof(*base));
	ps = jolt_xmalloc(n * sizeof(*ps));
	for (size_t i = 0; i < n; i++)
		if (is_baseline(&rows[i]))
			base[nbase++] = &rows[i];
	qsort_r(base, nbase, sizeof(*base), cmp_sort, (void *)&pair_spec);
	for (size_t i = 0; i < n; i++) {
		const jolt_trial_row *v = &rows[i];
		if (is_baseline(v))
			continue;
		const jolt_trial_row *b =
		    is_infra(v) ? NULL : find_baseline(base, nbase, v);
		ps[nps++] = (vpair){v, b};
	}

	if ((err = build_cmps(&s->by_axis, &s->nby_axis, ps, nps,
			      JOLT_ROBUST_BY_AXIS, &o)) != 0)
		goto done;
	if ((err = build_cmps(&s->by_op, &s->nby_op, ps, nps, JOLT_ROBUST_BY_OP,
			      &o)) != 0)
		goto done;
	if ((err = build_cmps(&s->by_level, &s->nby_level, ps, nps,
			      JOLT_ROBUST_BY_LEVEL, &o)) != 0)
		goto done;
	if ((err = build_scaffold_cmps(s, base, nbase, &o)) != 0)
		goto done;
	mark_same(s->by_op, s->nby_op, s->by_axis, s->nby_axis);
	mark_same(s->by_level, s->nby_level, s->by_op, s->nby_op);
	adjust(s);

	keyspec mk = {model_keys, JOLT_ARRAY_LEN(model_keys)};
	static const keyspec ms_spec = {model_keys, 2};
	for (size_t i = 0; i < n; i++)
		sorted[i] = &rows[i];
	qsort_r(sorted, n, sizeof(*sorted), cmp_sort, &mk);
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		while (j < n && cmp_key(sorted[j], sorted[i], &ms_spec) == 0)
			j++;
		s->models = jolt_xrealloc(s->models, (s->nmodels + 1) *
							 sizeof(*s->models));
		fill_model(&s->models[s->nmodels++], sorted + i, j - i, ps,
			   nps);
		i = j;
	}
	copy_noise(s, s->by_axis, s->nby_axis);
	copy_noise(s, s->by_op, s->nby_op);
	copy_noise(s, s->by_level, s->nby_level);
	copy_noise(s, s->by_scaffold, s->nby_scaffold);
	for (size_t i = 0; i < s->nmodels; i++)
		plan_model(&s->models[i]);
	plan_cmps(s, s->by_axis, s->nby_axis);
	plan_cmps(s, s->by_op, s->nby_op);
	plan_cmps(s, s->by_level, s->nby_level);
	plan_cmps(s, s->by_scaffold, s->nby_scaffold);
	err = build_inter(s, ps, nps, &o);
done:
	free(sorted);
	free(base);
	free(ps);
	if (err) {
		jolt_robust_free(s);
		s = NULL;
	}
	*out = s;
	return err;
}

void jolt_robust_free(jolt_robust *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nmodels; i++)
		free(s->models[i].passk);
	free(s->models);
	free(s->by_axis);
	free(s->by_op);
	free(s->by_level);
	free(s->by_scaffold);
	free(s->inter);
	free(s);
}

/* ---- JSON ---- */

json_t *jolt_robust_json_str(const char *s)
{
	if (!s)
		return json_null();
	json_t *j = json_string(s);
	if (j)
		return j;
	/* Not UTF-8: keep the ASCII and mark every other byte, so the name
	 * stays recognisable and the document stays valid. */
	char *copy = jolt_xstrdup(s);
	for (char *p = copy; *p; p++)
		if ((unsigned char)*p >= 0x80)
			*p = '?';
	j = json_string(copy);
	free(copy);
	return j;
}

/* A number, or null when it is undefined (JSON has no NaN). */
static json_t *jnum(double x)
{
	return isfinite(x) ? json_real(x) : json_null();
}

static json_t *jrate(const jolt_rate *r)
{
	return json_pack("{s:I, s:I, s:o, s:[o, o]}", "pass",
			 (json_int_t)r->pass, "graded", (json_int_t)r->n,
			 "rate", jnum(r->rate), "ci", jnum(r->lo), jnum(r->hi));
}

static json_t *jflips(const jolt_flips *f)
{
	return json_pack("{s:I, s:I, s:I, s:I}", "n11", (json_int_t)f->n11,
			 "n10", (json_int_t)f->n10, "n01", (json_int_t)f->n01,
			 "n00", (json_int_t)f->n00);
}

static json_t *jcmp(const jolt_robust_cmp *c)
{
	json_t *o = json_pack(
	    "{s:s, s:o, s:o, s:o, s:I, s:I, s:I, s:I, s:o, s:o, s:o, "
	    "s:{s:o, s:[o, o]}, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:b, s:b}",
	    "by", jolt_robust_by_name(c->by), "model",
	    jolt_robust_json_str(c->model), "scaffold",
	    jolt_robust_json_str(c->scaffold), "axis",
	    jolt_robust_json_str(c->axis), "variant_trials",
	    (json_int_t)c->variant_trials, "unpaired", (json_int_t)c->unpaired,
	    "tasks", (json_int_t)c->tasks, "pairs",
	    (json_int_t)jolt_flips_total(&c->flips), "flips", jflips(&c->flips),
	    "baseline", jrate(&c->clean), "perturbed", jrate(&c->perturbed),
	    "drop", "est", jnum(c->drop.est), "ci", jnum(c->drop.lo),
	    jnum(c->drop.hi), "net_drop", jnum(c->net_drop), "flip_rate",
	    jnum(c->flip_rate), "break_rate", jnum(c->break_rate), "pdr",
	    jnum(c->pdr), "p", jnum(c->p), "p_holm", jnum(c->p_holm), "p_bh",
	    jnum(c->p_bh), "significant", c->significant, "same_as_parent",
	    c->same_as_parent);
	if (o) {
		json_object_set_new(o, "noise_flip_rate",
				    jnum(c->noise_flip_rate));
		json_object_set_new(o, "noise_break_rate",
				    jnum(c->noise_break_rate));
		json_object_set_new(o, "detectable_drop", jnum(c->mdd));
	}
	if (o && c->op)
		json_object_set_new(o, "operator", jolt_robust_json_str(c->op));
	if (o && c->ref_scaffold)
		json_object_set_new(o, "ref_scaffold",
				    jolt_robust_json_str(c->ref_scaffold));
	if (o && c->level >= 0)
		json_object_set_new(o, "level", json_integer(c->level));
	return o;
}

static json_t *jmodel(const jolt_robust_model *m)
{
	json_t *passk = json_array();
	for (size_t k = 0; k < m->npassk; k++) {
		const jolt_robust_k *r = &m->passk[k];
		json_array_append_new(
		    passk,
		    json_pack("{s:i, s:{s:o, s:o, s:I}, s:{s:o, s:o, s:I}}",
			      "k", r->k, "baseline", "pass_hat_k",
			      jnum(r->base_hat), "pass_at_k", jnum(r->base_at),
			      "tasks", (json_int_t)r->base_tasks, "all",
			      "pass_hat_k", jnum(r->all_hat), "pass_at_k",
			      jnum(r->all_at), "instances",
			      (json_int_t)r->all_instances));
	}
	json_t *o = json_pack(
	    "{s:o, s:o, s:I, s:I, s:o, s:o, s:o, s:o, s:I, s:I, s:o, s:o, "
	    "s:o, s:o, s:o, s:I, s:i, s:o}",
	    "model", jolt_robust_json_str(m->model), "scaffold",
	    jolt_robust_json_str(m->scaffold), "trials", (json_int_t)m->trials,
	    "infra", (json_int_t)m->infra, "baseline", jrate(&m->baseline),
	    "perturbed", jrate(&m->perturbed), "flips", jflips(&m->flips),
	    "pdr", jnum(m->pdr), "malformed_calls",
	    (json_int_t)m->malformed_calls, "steps", (json_int_t)m->steps,
	    "malformed_rate", jnum(m->malformed_rate), "mean_tokens_in",
	    jnum(m->mean_tokens_in), "mean_tokens_out",
	    jnum(m->mean_tokens_out), "mean_latency_ms",
	    jnum(m->mean_latency_ms), "worst_case", jnum(m->worst_case),
	    "worst_case_tasks", (json_int_t)m->worst_case_tasks, "repeats",
	    m->repeats, "pass_k", passk);
	if (o)
		json_object_set_new(
		    o, "noise",
		    json_pack("{s:o, s:o, s:I, s:I}", "flip_rate",
			      jnum(m->noise_flip_rate), "break_rate",
			      jnum(m->noise_break_rate), "pairs",
			      (json_int_t)m->noise_pairs, "baselines",
			      (json_int_t)m->noise_tasks));
	if (o)
		json_object_set_new(
		    o, "plan",
		    json_pack("{s:o, s:s}", "noise", jnum(m->plan_noise),
			      "noise_from",
			      jolt_power_src_name(m->plan_noise_from)));
	return o;
}

int jolt_robust_json(json_t **out, const jolt_robust *s)
{
	/* A seed past INT64_MAX does not fit a JSON integer here: it goes
	 * out as a decimal string. */
	char digits[24];
	snprintf(digits, sizeof(digits), "%llu",
		 (unsigned long long)s->opts.seed);
	json_t *seed = s->opts.seed <= INT64_MAX
			   ? json_integer((json_int_t)s->opts.seed)
			   : json_string(digits);
	json_t *o = json_pack(
	    "{s:{s:I, s:o, s:f, s:I}, s:[], s:[], s:[], s:[]}", "options",
	    "bootstrap_reps", (json_int_t)s->opts.bootstrap_reps, "seed", seed,
	    "alpha", s->opts.alpha, "tests", (json_int_t)s->family, "models",
	    "by_axis", "by_operator", "by_level");
	if (!o)
		return jolt_err_set(JOLT_EINTERNAL,
				    "robustness summary: JSON packing failed");
	json_object_set_new(o, "by_scaffold", json_array());
	json_t *inter = json_array();
	for (size_t i = 0; i < s->ninter; i++) {
		const jolt_robust_inter *in = &s->inter[i];
		json_array_append_new(
		    inter,
		    json_pack("{s:o, s:o, s:o, s:o, s:I, s:o, s:o, s:{s:o, s:[o, o]}}",
			      "model", jolt_robust_json_str(in->model), "scaffold",
			      jolt_robust_json_str(in->scaffold), "ref_scaffold",
			      jolt_robust_json_str(in->ref_scaffold), "axis",
			      jolt_robust_json_str(in->axis), "tasks",
			      (json_int_t)in->tasks, "drop", jnum(in->drop),
			      "ref_drop", jnum(in->ref_drop), "diff", "est",
			      jnum(in->diff.est), "ci", jnum(in->diff.lo),
			      jnum(in->diff.hi)));
	}
	json_object_set_new(o, "scaffold_x_axis", inter);
	json_t *models = json_object_get(o, "models");
	for (size_t i = 0; i < s->nmodels; i++)
		json_array_append_new(models, jmodel(&s->models[i]));
	const struct {
		const char *key;
		const jolt_robust_cmp *cs;
		size_t n;
	} lists[] = {{"by_axis", s->by_axis, s->nby_axis},
		     {"by_operator", s->by_op, s->nby_op},
		     {"by_level", s->by_level, s->nby_level},
		     {"by_scaffold", s->by_scaffold, s->nby_scaffold}};
	for (size_t l = 0; l < JOLT_ARRAY_LEN(lists); l++) {
		json_t *a = json_object_get(o, lists[l].key);
		for (size_t i = 0; i < lists[l].n; i++)
			json_array_append_new(a, jcmp(&lists[l].cs[i]));
	}
	*out = o;
	return 0;
}
