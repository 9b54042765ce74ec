/*
 * bench_perturb.c - variant generation throughput: every operator at every
 * level for every task of a suite, on one thread and then on all cores
 * (OpenMP), in the same run. Prints variants per second and the speed-up
 * ratio; absolute times on a shared machine mean little.
 *
 *   bench_perturb SUITE_DIR
 */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/common.h"
#include "perturb/perturb.h"
#include "run/run.h"
#include "core/suite.h"
#include "world/load.h"

static long generate(const jolt_suite *s, const jolt_run_cfg *sel, int threads,
		     double *secs)
{
	long total = 0;
	int failed = 0;
	int64_t t0 = jolt_now_ms();
	omp_set_num_threads(threads);
#pragma omp parallel for schedule(dynamic) reduction(+ : total, failed)
	for (size_t i = 0; i < s->ntasks; i++) {
		jolt_variant **v = NULL;
		size_t n = 0;
		if (jolt_run_variants(&v, &n, sel, s, &s->tasks[i])) {
			failed++;
			continue;
		}
		total += (long)n;
		for (size_t k = 0; k < n; k++)
			jolt_variant_free(v[k]);
		free(v);
	}
	*secs = (double)(jolt_now_ms() - t0) / 1000.0;
	return failed ? -1 : total;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: bench_perturb SUITE_DIR\n");
		return 2;
	}
	jolt_suite *s = NULL;
	if (jolt_suite_load(&s, argv[1])) {
		fprintf(stderr, "bench_perturb: %s\n", jolt_err_msg());
		return 2;
	}
	jolt_run_cfg sel;
	memset(&sel, 0, sizeof(sel));
	sel.seed = 1;
	sel.variants = 1;
	int cores = omp_get_num_procs();
	double t1, tn;
	long n1 = generate(s, &sel, 1, &t1);
	long nn = generate(s, &sel, cores, &tn);
	if (n1 < 0 || nn < 0 || n1 != nn) {
		fprintf(stderr, "bench_perturb: generation failed: %s\n", jolt_err_msg());
		jolt_suite_free(s);
		return 1;
	}
	printf("perturb: %zu tasks, %ld variants (levels 1-3, all operators)\n",
	       s->ntasks, n1);
	printf("perturb: 1 thread   %8.0f variants/s\n", t1 > 0 ? n1 / t1 : 0.0);
	printf("perturb: %d threads  %8.0f variants/s\n", cores, tn > 0 ? nn / tn : 0.0);
	printf("perturb: speed-up on %d cores: %.2fx (baseline: 1 thread, same run)\n",
	       cores, tn > 0 ? t1 / tn : 0.0);
	jolt_suite_free(s);
	return 0;
}
