/*
 * stats.c - Wilson intervals, exact McNemar, flip tables, Holm and BH,
 * the paired cluster bootstrap and pass@k / pass^k (see stats.h).
 */
#include <math.h>
#include <omp.h>

#include "core/common.h"
#include "reports/stats.h"

void jolt_wilson(long k, long n, double z, double *lo, double *hi)
{
	if (n <= 0) {
		*lo = 0.0;
		*hi = 1.0;
		return;
	}
	if (k < 0)
		k = 0;
	if (k > n)
		k = n;
	double nn = (double)n;
	double p = (double)k / nn;
	double z2 = z * z;
	double denom = 1.0 + z2 / nn;
	double centre = (p + z2 / (2.0 * nn)) / denom;
	double half =
	    z / denom * sqrt(p * (1.0 - p) / nn + z2 / (4.0 * nn * nn));
	/* At the edges the interval touches 0 or 1 exactly; rounding must not
	 * make 0/n look like a small positive rate. */
	*lo = k == 0 ? 0.0 : fmax(0.0, centre - half);
	*hi = k == n ? 1.0 : fmin(1.0, centre + half);
}

/* log C(n, k) via lgamma_r (thread-safe, unlike lgamma's signgam). */
static double log_choose(long n, long k)
{
	int sign;
	return lgamma_r((double)n + 1.0, &sign) -
	       lgamma_r((double)k + 1.0, &sign) -
	       lgamma_r((double)(n - k) + 1.0, &sign);
}

double jolt_mcnemar_exact(long n10, long n01)
{
	if (n10 < 0 || n01 < 0)
		return 1.0;
	long n = n10 + n01;
	long k = n10 < n01 ? n10 : n01;
	if (n == 0)
		return 1.0;
	/* P(X <= k) for k <= n/2: the largest term is C(n, k); sum the
	 * terms relative to it walking down, using
	 * C(n, i-1) = C(n, i) * i / (n - i + 1), and stop once they no
	 * longer change the sum. */
	double sum = 1.0, term = 1.0;
	for (long i = k; i > 0; i--) {
		term *= (double)i / (double)(n - i + 1);
		sum += term;
		if (term < sum * 1e-17)
			break;
	}
	double log_tail = log_choose(n, k) - (double)n * M_LN2 + log(sum);
	double p = 2.0 * exp(log_tail);
	return p > 1.0 ? 1.0 : p;
}

/* ---- flip table ---- */

void jolt_flips_add(jolt_flips *f, int clean_pass, int perturbed_pass)
{
	if (clean_pass)
		perturbed_pass ? f->n11++ : f->n10++;
	else
		perturbed_pass ? f->n01++ : f->n00++;
}

long jolt_flips_total(const jolt_flips *f)
{
	return f->n11 + f->n10 + f->n01 + f->n00;
}

double jolt_flip_rate(const jolt_flips *f)
{
	long n = jolt_flips_total(f);
	return n > 0 ? (double)(f->n10 + f->n01) / (double)n : NAN;
}

double jolt_break_rate(const jolt_flips *f)
{
	long clean = f->n11 + f->n10;
	return clean > 0 ? (double)f->n10 / (double)clean : NAN;
}

double jolt_net_drop(const jolt_flips *f)
{
	long n = jolt_flips_total(f);
	return n > 0 ? (double)(f->n10 - f->n01) / (double)n : NAN;
}

double jolt_flips_pdr(const jolt_flips *f)
{
	long clean = f->n11 + f->n10;
	return clean > 0 ? 1.0 - (double)(f->n11 + f->n01) / (double)clean
			 : NAN;
}

/* ---- Holm and Benjamini-Hochberg ---- */

typedef struct {
	double p;
	size_t i;
} ranked_p;

static int cmp_ranked(const void *a, const void *b)
{
	const ranked_p *x = a, *y = b;
	if (x->p != y->p)
		return x->p < y->p ? -1 : 1;
	/* Ties keep their input order, so the result is deterministic. */
	return x->i < y->i ? -1 : x->i > y->i;
}

/* Sort the p-values ascending (NAN and out-of-range clamped), caller
 * frees. */
static ranked_p *rank_p(const double *p, size_t n)
{
	ranked_p *r = jolt_xmalloc(n * sizeof(*r));
	for (size_t i = 0; i < n; i++) {
		double v = p[i];
		if (isnan(v) || v > 1.0)
			v = 1.0;
		if (v < 0.0)
			v = 0.0;
		r[i] = (ranked_p){v, i};
	}
	qsort(r, n, sizeof(*r), cmp_ranked);
	return r;
}

void jolt_holm(const double *p, size_t n, double *adj)
{
	if (n == 0)
		return;
	ranked_p *r = rank_p(p, n);
	double run = 0.0;
	/* adj_(j) = max over i <= j of (n - i) p_(i), 0-based, capped at 1:
	 * the running maximum keeps the adjusted values monotone. */
	for (size_t j = 0; j < n; j++) {
		double v = (double)(n - j) * r[j].p;
		if (v > run)
			run = v;
		if (run > 1.0)
			run = 1.0;
		adj[r[j].i] = run;
	}
	free(r);
}

void jolt_bh(const double *p, size_t n, double *adj)
{
	if (n == 0)
		return;
	ranked_p *r = rank_p(p, n);
	double run = 1.0;
	/* adj_(j) = min over i >= j of n p_(i) / (i + 1), walking down. */
	for (size_t j = n; j-- > 0;) {
		double v = (double)n * r[j].p / (double)(j + 1);
		if (v < run)
			run = v;
		adj[r[j].i] = run;
	}
	free(r);
}

/* ---- paired cluster bootstrap ---- */

/* The replicates are independent and the result does not depend on the
 * thread count, so a TSan build runs them on one thread (common.h). */
#define BOOT_THREADS (JOLT_OMP_PARALLEL ? omp_get_max_threads() : 1)

static uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform index in [0, n) by Lemire's multiply-shift; the bias is below
 * n / 2^64, far under anything a percentile interval can show. */
static size_t draw_index(uint64_t *state, size_t n)
{
	return (size_t)(((unsigned __int128)splitmix64(state) * n) >> 64);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Quantile q of sorted x[0..n), linear between order statistics. */
static double quantile_sorted(const double *x, size_t n, double q)
{
	double h = (double)(n - 1) * q;
	size_t lo = (size_t)floor(h);
	if (lo + 1 >= n)
		return x[n - 1];
	return x[lo] + (h - (double)lo) * (x[lo + 1] - x[lo]);
}

int jolt_bootstrap_drop(jolt_ci *out, const double *b, const double *p,
			size_t n, long reps, uint64_t seed)
{
	if (n == 0)
		return jolt_err_set(JOLT_EINPUT,
				    "bootstrap: no tasks to resample");
	if (reps < 1 || reps > JOLT_BOOTSTRAP_MAX_REPS)
		return jolt_err_set(JOLT_EUSAGE,
				    "bootstrap: %ld replicates is outside "
				    "[1, %ld]",
				    reps, JOLT_BOOTSTRAP_MAX_REPS);
	double sum = 0.0;
	for (size_t i = 0; i < n; i++)
		sum += b[i] - p[i];
	double est = sum / (double)n;

	double *rep = jolt_xmalloc((size_t)reps * sizeof(*rep));
#pragma omp parallel for schedule(static) num_threads(BOOT_THREADS)
	for (long r = 0; r < reps; r++) {
		uint64_t state = jolt_hash_u64(seed, (uint64_t)r);
		double s = 0.0;
		for (size_t i = 0; i < n; i++) {
			size_t k = draw_index(&state, n);
			s += b[k] - p[k];
		}
		rep[r] = s / (double)n;
	}
	qsort(rep, (size_t)reps, sizeof(*rep), cmp_double);
	out->est = est;
	out->lo = quantile_sorted(rep, (size_t)reps, 0.025);
	out->hi = quantile_sorted(rep, (size_t)reps, 0.975);
	free(rep);
	return 0;
}

/* ---- pass@k and pass^k ---- */

static bool pass_k_valid(long n, long c, long k)
{
	return k >= 1 && k <= n && c >= 0 && c <= n;
}

double jolt_pass_at_k(long n, long c, long k)
{
	if (!pass_k_valid(n, c, k))
		return NAN;
	if (n - c < k)
		return 1.0;
	/* C(n-c, k) / C(n, k) = prod_{i<k} (n-c-i) / (n-i). */
	double q = 1.0;
	for (long i = 0; i < k; i++)
		q *= (double)(n - c - i) / (double)(n - i);
	return 1.0 - q;
}

double jolt_pass_hat_k(long n, long c, long k)
{
	if (!pass_k_valid(n, c, k))
		return NAN;
	if (c < k)
		return 0.0;
	double q = 1.0;
	for (long i = 0; i < k; i++)
		q *= (double)(c - i) / (double)(n - i);
	return q;
}
