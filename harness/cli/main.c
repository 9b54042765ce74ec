/*
 * main.c - the jolt command line: the command table and each command's
 * options, parsed and documented by cli.c from the same tables.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/backend.h"
#include "cli/cli.h"
#include "core/common.h"
#include "run/driver.h"
#include "perturb/perturb.h"
#include "reports/report.h"
#include "run/run.h"
#include "scaffolds/scaffold.h"
#include "serve/serve.h"
#include "model/sim.h"
#include "core/suite.h"

static int ncores(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (int)n : 1;
}

static void die_msg(const char *cmd, int rc)
{
	const char *m = jolt_err_msg();
	fprintf(stderr, "jolt %s: %s\n", cmd, m[0] ? m : jolt_err_name(rc));
}

/* Load every suite named; on failure print the error and return it. */
static int load_suites(const char *cmd, jolt_suite ***out, int n, char **dirs)
{
	jolt_suite **v = jolt_xcalloc((size_t)n + 1, sizeof(*v));
	for (int i = 0; i < n; i++) {
		int rc = jolt_suite_load(&v[i], dirs[i]);
		if (rc) {
			die_msg(cmd, rc);
			for (int j = 0; j < i; j++)
				jolt_suite_free(v[j]);
			free(v);
			return rc;
		}
	}
	*out = v;
	return 0;
}

static void free_suites(jolt_suite **v, int n)
{
	for (int i = 0; v && i < n; i++)
		jolt_suite_free(v[i]);
	free(v);
}

/* ---- shared option handling ------------------------------------------- */

/* --levels 1,3 -> bit mask; --seeds A..B -> seed and count. */
static int parse_levels(unsigned *out, const jolt_strlist *l)
{
	*out = 0;
	for (size_t i = 0; i < l->n; i++) {
		const char *v = l->v[i];
		if (strlen(v) != 1 || v[0] < '1' || v[0] > '3')
			return jolt_err_set(JOLT_EUSAGE,
					    "--levels '%s': levels are 1, 2 and 3", v);
		*out |= 1u << (v[0] - '0');
	}
	return 0;
}

static int parse_seeds(long *seed, long *count, const char *spec)
{
	char *end;
	long a = strtol(spec, &end, 10);
	if (end == spec || a < 0)
		goto bad;
	if (!*end) {
		*seed = a;
		*count = 1;
		return 0;
	}
	if (strncmp(end, "..", 2))
		goto bad;
	const char *p = end + 2;
	long b = strtol(p, &end, 10);
	if (end == p || *end || b < a || b - a >= 10000)
		goto bad;
	*seed = a;
	*count = b - a + 1;
	return 0;
bad:
	return jolt_err_set(JOLT_EUSAGE,
			    "--seeds '%s': expected S or A..B, e.g. 1..5", spec);
}

/* ---- jolt run ---------------------------------------------------------- */

struct run_opts {
	jolt_strlist model;
	jolt_strlist axes;
	jolt_strlist ops;
	jolt_strlist levels;
	jolt_strlist scaffold;
	long variants;
	long repeats;
	long seed;
	long concurrency;
	long workers;
	long max_steps;
	long max_tokens;
	double timeout;
	const char *history;
	const char *out;
	const char *shard;
	const char *workdir_root;
	int resume;
	int keep_workdirs;
	int quiet;
	int stream;
	int reasoning_split;
	double temperature;
	double top_p;
	long top_k;
	long turn_tokens;
	long retries;
	double rpm;
	double tpm;
	double request_timeout;
};

static const jolt_opt run_options[] = {
	{"model", 'm', JOLT_OPT_MULTI, offsetof(struct run_opts, model), "SPEC",
	 "model as PROVIDER:MODEL[@URL]; repeat for a comparison (default sim:oracle)"},
	{"axes", 0, JOLT_OPT_LIST, offsetof(struct run_opts, axes), "A,B",
	 "axes to perturb: tool,system,user,env,response (default all); none = baselines only"},
	{"ops", 0, JOLT_OPT_LIST, offsetof(struct run_opts, ops), "NAME,...",
	 "only these operators (default: every operator of the axes; see 'jolt ops')"},
	{"levels", 0, JOLT_OPT_LIST, offsetof(struct run_opts, levels), "1,2,3",
	 "perturbation levels: 1 mild, 2 medium, 3 heavy (default all)"},
	{"variants", 0, JOLT_OPT_INT, offsetof(struct run_opts, variants), "N",
	 "seeds per operator and level: --seed, --seed+1, ... (default 1)"},
	{"repeats", 'k', JOLT_OPT_INT, offsetof(struct run_opts, repeats), "K",
	 "run each (task, variant) K times, for pass^k and noise (default 1)"},
	{"seed", 0, JOLT_OPT_INT, offsetof(struct run_opts, seed), "S",
	 "seed for variants and every reproducible decision (default 1)"},
	{"concurrency", 'j', JOLT_OPT_INT, offsetof(struct run_opts, concurrency), "C",
	 "trials in flight at once (default: cores for sim, 32 for network models)"},
	{"workers", 0, JOLT_OPT_INT, offsetof(struct run_opts, workers), "W",
	 "threads executing tools and grading (default: number of cores)"},
	{"max-steps", 0, JOLT_OPT_INT, offsetof(struct run_opts, max_steps), "N",
	 "model turns per trial (default: the task's, else the suite's, else 20)"},
	{"max-tokens", 0, JOLT_OPT_INT, offsetof(struct run_opts, max_tokens), "N",
	 "token budget per trial, in+out (default unlimited)"},
	{"timeout", 0, JOLT_OPT_DOUBLE, offsetof(struct run_opts, timeout), "SEC",
	 "wall clock per trial (default 600)"},
	{"scaffold", 0, JOLT_OPT_LIST, offsetof(struct run_opts, scaffold), "A,B",
	 "present tasks through these scaffolds: native, xml, json, react (default native)"},
	{"history", 0, JOLT_OPT_STR, offsetof(struct run_opts, history), "MODE",
	 "full (default) or strip-thinking: drop earlier thinking, as an ablation"},
	{"out", 'o', JOLT_OPT_STR, offsetof(struct run_opts, out), "DB",
	 "results database (default jolt-results.db)"},
	{"resume", 0, JOLT_OPT_FLAG, offsetof(struct run_opts, resume), NULL,
	 "skip trials already in --out and run the rest"},
	{"shard", 0, JOLT_OPT_STR, offsetof(struct run_opts, shard), "i/N",
	 "run only the i-th of N deterministic slices (0-based)"},
	{"stream", 0, JOLT_OPT_FLAG, offsetof(struct run_opts, stream), NULL,
	 "network models: stream responses (SSE)"},
	{"reasoning-split", 0, JOLT_OPT_FLAG, offsetof(struct run_opts, reasoning_split), NULL,
	 "openai dialect: ask MiniMax for thinking in reasoning_details"},
	{"temperature", 0, JOLT_OPT_DOUBLE, offsetof(struct run_opts, temperature), "T",
	 "sampling temperature (default 1.0, M2's recommendation)"},
	{"top-p", 0, JOLT_OPT_DOUBLE, offsetof(struct run_opts, top_p), "P",
	 "nucleus sampling (default 0.95)"},
	{"top-k", 0, JOLT_OPT_INT, offsetof(struct run_opts, top_k), "K",
	 "top-k sampling (default 40; 0 = not sent)"},
	{"turn-tokens", 0, JOLT_OPT_INT, offsetof(struct run_opts, turn_tokens), "N",
	 "max tokens the model may generate per turn (default 8192)"},
	{"retries", 0, JOLT_OPT_INT, offsetof(struct run_opts, retries), "N",
	 "retries of a failed model request before infra_error (default 6)"},
	{"rpm", 0, JOLT_OPT_DOUBLE, offsetof(struct run_opts, rpm), "N",
	 "at most N model requests per minute across the run"},
	{"tpm", 0, JOLT_OPT_DOUBLE, offsetof(struct run_opts, tpm), "N",
	 "at most N tokens per minute across the run"},
	{"request-timeout", 0, JOLT_OPT_DOUBLE, offsetof(struct run_opts, request_timeout), "SEC",
	 "one model request, connect to last byte (default 300)"},
	{"workdir-root", 0, JOLT_OPT_STR, offsetof(struct run_opts, workdir_root), "DIR",
	 "where trial working copies go (default $TMPDIR or /tmp)"},
	{"keep-workdirs", 0, JOLT_OPT_FLAG, offsetof(struct run_opts, keep_workdirs), NULL,
	 "keep each trial's working copy after grading, for debugging"},
	{"quiet", 'q', JOLT_OPT_FLAG, offsetof(struct run_opts, quiet), NULL,
	 "no progress on stderr"},
	{NULL, 0, 0, 0, NULL, NULL},
};

static int parse_shard(const char *s, int *idx, int *count)
{
	char *end;
	if (!strcmp(s, "auto")) {
		const char *i = getenv("SLURM_ARRAY_TASK_ID");
		const char *n = getenv("SLURM_ARRAY_TASK_COUNT");
		if (!i || !n) {
			i = getenv("JOB_COMPLETION_INDEX");
			n = getenv("JOLT_SHARD_COUNT");
		}
		if (!i || !n)
			return jolt_err_set(JOLT_EUSAGE,
					    "--shard auto: set SLURM_ARRAY_TASK_ID and "
					    "SLURM_ARRAY_TASK_COUNT, or JOB_COMPLETION_INDEX and "
					    "JOLT_SHARD_COUNT");
		char buf[64];
		snprintf(buf, sizeof(buf), "%s/%s", i, n);
		return parse_shard(buf, idx, count);
	}
	long i = strtol(s, &end, 10);
	if (end == s || *end != '/')
		goto bad;
	const char *p = end + 1;
	long n = strtol(p, &end, 10);
	if (end == p || *end || n < 1 || i < 0 || i >= n)
		goto bad;
	*idx = (int)i;
	*count = (int)n;
	return 0;
bad:
	return jolt_err_set(JOLT_EUSAGE,
			    "--shard '%s': expected i/N with 0 <= i < N, e.g. 0/4, or auto", s);
}

static int driver_cfg(jolt_driver_cfg *d, long max_steps, long max_tokens,
		      double timeout, const char *history, const char *root,
		      int keep)
{
	memset(d, 0, sizeof(*d));
	if (max_steps < 0 || max_steps > 100000 || max_tokens < 0 || timeout < 0)
		return jolt_err_set(JOLT_EUSAGE,
				    "--max-steps, --max-tokens and --timeout must not be negative");
	d->max_steps = (int)max_steps;
	d->max_tokens = max_tokens;
	d->timeout_s = timeout > 0 ? timeout : 600;
	if (!history || !strcmp(history, "full"))
		d->strip_thinking = 0;
	else if (!strcmp(history, "strip-thinking"))
		d->strip_thinking = 1;
	else
		return jolt_err_set(JOLT_EUSAGE,
				    "--history '%s': expected full or strip-thinking",
				    history);
	d->workdir_root = root;
	d->keep_workdirs = keep;
	return 0;
}

static void run_init(void *vo)
{
	struct run_opts *o = vo;
	/* -1: not given, the backend's default applies. */
	o->temperature = -1;
	o->top_p = -1;
	o->top_k = -1;
	o->retries = -1;
}

static int backend_opts(jolt_backend_opts *b, const struct run_opts *o)
{
	memset(b, 0, sizeof(*b));
	if ((o->temperature != -1 && (o->temperature <= 0 || o->temperature > 2)))
		return jolt_err_set(JOLT_EUSAGE,
				    "--temperature must be in (0, 2]; MiniMax rejects 0");
	if (o->top_p != -1 && (o->top_p <= 0 || o->top_p > 1))
		return jolt_err_set(JOLT_EUSAGE, "--top-p must be in (0, 1]");
	if (o->turn_tokens < 0 || o->rpm < 0 || o->tpm < 0 || o->retries < -1 ||
	    o->request_timeout < 0 || o->top_k < -1)
		return jolt_err_set(JOLT_EUSAGE,
				    "--turn-tokens, --rpm, --tpm, --retries, --top-k and "
				    "--request-timeout must not be negative");
	b->stream = o->stream;
	b->reasoning_split = o->reasoning_split;
	b->temperature = o->temperature;
	b->top_p = o->top_p;
	b->top_k = (int)o->top_k;
	b->max_retries = (int)o->retries;
	b->max_tokens = o->turn_tokens;
	b->rpm = o->rpm;
	b->tpm = o->tpm;
	b->request_timeout_s = o->request_timeout;
	return 0;
}

static int cmd_run(void *vo, int argc, char **argv)
{
	struct run_opts *o = vo;
	jolt_run_cfg cfg;
	jolt_backend_opts bopts;
	memset(&cfg, 0, sizeof(cfg));
	jolt_suite **suites = NULL;
	const char *default_model = "sim:oracle";
	int rc = driver_cfg(&cfg.driver, o->max_steps, o->max_tokens, o->timeout,
			    o->history, o->workdir_root, o->keep_workdirs);
	if (rc)
		goto usage;
	if (o->repeats < 0 || o->repeats > 10000 || o->concurrency < 0 ||
	    o->concurrency > 4096 || o->workers < 0 || o->workers > 256 ||
	    o->variants < 0 || o->variants > 1000) {
		rc = jolt_err_set(JOLT_EUSAGE,
				  "--repeats must be 1..10000, --concurrency 1..4096, "
				  "--workers 1..256 and --variants 1..1000");
		goto usage;
	}
	rc = parse_levels(&cfg.levels, &o->levels);
	if (rc)
		goto usage;
	rc = backend_opts(&bopts, o);
	if (rc)
		goto usage;
	cfg.backend = &bopts;
	for (size_t i = 0; i < o->scaffold.n; i++)
		if (!jolt_scaffold_find(o->scaffold.v[i])) {
			rc = jolt_err_set(JOLT_EUSAGE,
					  "--scaffold '%s': unknown scaffold (known: %s)",
					  o->scaffold.v[i], jolt_scaffold_names());
			goto usage;
		}
	cfg.scaffolds = (const char *const *)o->scaffold.v;
	cfg.nscaffolds = o->scaffold.n;
	cfg.shard_count = 1;
	if (o->shard) {
		rc = parse_shard(o->shard, &cfg.shard_index, &cfg.shard_count);
		if (rc)
			goto usage;
	}
	rc = load_suites("run", &suites, argc, argv);
	if (rc)
		return rc;
	cfg.suites = suites;
	cfg.nsuites = (size_t)argc;
	bool network = false;
	if (o->model.n) {
		cfg.models = (const char **)o->model.v;
		cfg.nmodels = o->model.n;
		for (size_t i = 0; i < o->model.n; i++)
			if (strncmp(o->model.v[i], "sim:", 4))
				network = true;
	} else {
		cfg.models = &default_model;
		cfg.nmodels = 1;
	}
	cfg.axes = (const char *const *)o->axes.v;
	cfg.naxes = o->axes.n;
	cfg.ops = (const char *const *)o->ops.v;
	cfg.nops = o->ops.n;
	cfg.variants = o->variants ? (int)o->variants : 1;
	cfg.repeats = o->repeats ? (int)o->repeats : 1;
	cfg.seed = o->seed ? (uint64_t)o->seed : 1;
	cfg.concurrency = o->concurrency ? (int)o->concurrency
			  : network ? 32 : ncores();
	cfg.workers = (int)o->workers;
	cfg.out = o->out ? o->out : "jolt-results.db";
	cfg.resume = o->resume;
	cfg.quiet = o->quiet;

	jolt_run_stats st;
	rc = jolt_run(&st, &cfg);
	if (rc)
		die_msg("run", rc);
	if (st.done || st.skipped) {
		long graded = st.passed + st.failed;
		printf("%ld trials run, %ld already stored; pass %ld, fail %ld, infra_error %ld",
		       st.done, st.skipped, st.passed, st.failed, st.infra);
		if (graded)
			printf(" (pass rate %.1f%% of this session's graded trials)",
			       100.0 * (double)st.passed / (double)graded);
		printf("\n");
		if (st.variants)
			printf("%ld variants, %ld refused because their oracle fails\n",
			       st.variants, st.rejected);
		printf("results: %s  (jolt report %s)\n", cfg.out, cfg.out);
	}
	free_suites(suites, argc);
	return rc;
usage:
	die_msg("run", rc);
	return rc;
}

/* ---- jolt check -------------------------------------------------------- */

struct check_opts {
	jolt_strlist axes;
	jolt_strlist ops;
	jolt_strlist levels;
	const char *seeds;
	int baseline_only;
	int keep_workdirs;
	int quiet_ok;
	const char *workdir_root;
};

static const jolt_opt check_options[] = {
	{"axes", 0, JOLT_OPT_LIST, offsetof(struct check_opts, axes), "A,B",
	 "axes whose variants to check (default all; none = baselines only)"},
	{"ops", 0, JOLT_OPT_LIST, offsetof(struct check_opts, ops), "NAME,...",
	 "only these operators"},
	{"levels", 0, JOLT_OPT_LIST, offsetof(struct check_opts, levels), "1,2,3",
	 "levels to check (default all)"},
	{"seeds", 0, JOLT_OPT_STR, offsetof(struct check_opts, seeds), "A..B",
	 "variant seeds to check (default 1)"},
	{"failures-only", 0, JOLT_OPT_FLAG, offsetof(struct check_opts, quiet_ok), NULL,
	 "print only what fails"},
	{"workdir-root", 0, JOLT_OPT_STR, offsetof(struct check_opts, workdir_root), "DIR",
	 "where working copies go (default $TMPDIR or /tmp)"},
	{"keep-workdirs", 0, JOLT_OPT_FLAG, offsetof(struct check_opts, keep_workdirs), NULL,
	 "keep each working copy, for debugging an oracle"},
	{NULL, 0, 0, 0, NULL, NULL},
};

/* One unit of checking: a variant replayed by one policy. */
struct check_item {
	const jolt_variant *v;
	const jolt_variant *base;
	bool mistake;         /* replay the planted mistake: it must fail */
	int rc;
	jolt_trial_result res;
	char *err;
};

struct check_job {
	struct check_item *items;
	const jolt_backend *be;
	void *oracle;         /* sim:oracle */
	void *thrown;         /* every axis at 1: always the mistake */
	const jolt_driver_cfg *d;
};

static void check_one(size_t i, int worker, void *payload)
{
	struct check_job *j = payload;
	struct check_item *it = &j->items[i];
	jolt_trial t = {
		.model = it->mistake ? "sim:thrown" : "sim:oracle",
		.scaffold = JOLT_SCAFFOLD_DEFAULT, .suite = it->v->suite, .task = it->v->task,
		.variant = it->v->name, .axis = "check", .op = "", .seed = 1,
		.v = it->v,
	};
	t.key = jolt_trial_key(&t);
	it->rc = jolt_trial_run(&it->res, &t, j->be, it->mistake ? j->thrown : j->oracle,
				j->d, worker);
	if (it->rc)
		it->err = jolt_xstrdup(jolt_err_msg());
	free(t.key);
}

static void print_diff(const struct check_item *it)
{
	char *diff = NULL;
	if (!it->base || jolt_variant_diff(&diff, it->base, it->v))
		return;
	for (char *line = diff, *nl; line && *line; line = nl ? nl + 1 : NULL) {
		nl = strchr(line, '\n');
		printf("      | %.*s\n", (int)(nl ? nl - line : (long)strlen(line)), line);
	}
	free(diff);
}

static int cmd_check(void *vo, int argc, char **argv)
{
	struct check_opts *o = vo;
	jolt_suite **suites = NULL;
	jolt_run_cfg sel;
	memset(&sel, 0, sizeof(sel));
	long seed = 1, nseeds = 1;
	int rc = parse_levels(&sel.levels, &o->levels);
	if (!rc && o->seeds)
		rc = parse_seeds(&seed, &nseeds, o->seeds);
	if (rc) {
		die_msg("check", rc);
		return rc;
	}
	sel.axes = (const char *const *)o->axes.v;
	sel.naxes = o->axes.n;
	sel.ops = (const char *const *)o->ops.v;
	sel.nops = o->ops.n;
	sel.seed = (uint64_t)seed;
	sel.variants = (int)nseeds;
	rc = load_suites("check", &suites, argc, argv);
	if (rc)
		return rc;
	jolt_driver_cfg d;
	driver_cfg(&d, 0, 0, 600, "full", o->workdir_root, o->keep_workdirs);
	const jolt_backend *be = jolt_backend_find("sim");
	jolt_model_spec ospec = {.provider = "sim", .model = "oracle"};
	jolt_model_spec tspec = {.provider = "sim",
				 .model = "tool=1,system=1,user=1,env=1,response=1"};
	struct check_job job = {.be = be, .d = &d};
	struct check_item *items = NULL;
	jolt_variant **all = NULL;
	size_t nall = 0, nitems = 0;
	long fails = 0, errors = 0, variants = 0;

	rc = be->open(&job.oracle, &ospec);
	if (!rc)
		rc = be->open(&job.thrown, &tspec);
	if (rc)
		goto done;
	/* Every task's baseline, then its variants. */
	for (int si = 0; si < argc; si++) {
		jolt_suite *su = suites[si];
		for (size_t ti = 0; ti < su->ntasks; ti++) {
			jolt_variant *base = NULL;
			jolt_variant **vs = NULL;
			size_t nv = 0;
			rc = jolt_variant_build(&base, su, &su->tasks[ti], NULL, 0, 0);
			if (!rc)
				rc = jolt_run_variants(&vs, &nv, &sel, su, &su->tasks[ti]);
			if (rc) {
				jolt_variant_free(base);
				goto done;
			}
			all = jolt_xrealloc(all, (nall + nv + 1) * sizeof(*all));
			items = jolt_xrealloc(items, (nitems + 2 * nv + 1) * sizeof(*items));
			all[nall++] = base;
			memset(&items[nitems], 0, sizeof(*items));
			items[nitems].v = base;
			nitems++;
			for (size_t k = 0; k < nv; k++) {
				all[nall++] = vs[k];
				for (int m = 0; m < 2; m++) {
					memset(&items[nitems], 0, sizeof(*items));
					items[nitems].v = vs[k];
					items[nitems].base = base;
					items[nitems].mistake = m == 1;
					nitems++;
				}
			}
			variants += (long)nv;
			free(vs);
		}
	}
	job.items = items;
	/* Replays are independent and mostly wait on sandboxes. */
	jolt_parallel_for(nitems, ncores(), check_one, &job);

	for (size_t i = 0; i < nitems; i++) {
		struct check_item *it = &items[i];
		const char *what = !it->base ? "baseline oracle"
				   : it->mistake ? "planted mistake" : "variant oracle";
		bool passed = !it->rc && it->res.outcome == JOLT_OUTCOME_PASS;
		bool infra = it->rc || it->res.outcome == JOLT_OUTCOME_INFRA;
		/* The oracle must pass; the planted mistake must fail, or a
		 * simulated model's sensitivity would not be what it measures. */
		bool good = !infra && (it->mistake ? !passed : passed);
		if (infra) {
			errors++;
			printf("ERROR %s/%s (%s): %s\n", it->v->suite->name, it->v->name, what,
			       it->err ? it->err : it->res.detail ? it->res.detail : "");
		} else if (!good) {
			fails++;
			printf("FAIL  %s/%s: the %s %s\n", it->v->suite->name, it->v->name,
			       what, it->mistake ? "passes its graders (it must fail them)"
						 : "does not pass its graders");
			const char *why = it->res.detail ? it->res.detail : "";
			if (!it->mistake)
				printf("      %s\n", why[0] ? why
					      : jolt_error_class_name(it->res.error_class));
			if (it->v->op)
				printf("      operator %s, level %d, seed %llu: %s\n",
				       it->v->op->name, it->v->level,
				       (unsigned long long)it->v->seed,
				       it->v->summary ? it->v->summary : "");
			print_diff(it);
		} else if (!o->quiet_ok) {
			printf("ok    %s/%s%s\n", it->v->suite->name, it->v->name,
			       it->mistake ? " (mistake fails)" : "");
		}
	}
	printf("%ld tasks and %ld variants checked: %ld failures, %ld errors\n",
	       (long)(nall - (size_t)variants), variants, fails, errors);
done:
	if (rc)
		die_msg("check", rc);
	for (size_t i = 0; i < nitems; i++) {
		jolt_trial_result_release(&items[i].res);
		free(items[i].err);
	}
	free(items);
	for (size_t i = 0; i < nall; i++)
		jolt_variant_free(all[i]);
	free(all);
	if (job.oracle)
		be->close(job.oracle);
	if (job.thrown)
		be->close(job.thrown);
	free_suites(suites, argc);
	if (rc)
		return rc;
	if (errors)
		return JOLT_EINFRA;
	return fails ? 1 : 0;
}

/* ---- jolt ops and jolt perturb ------------------------------------------ */

static int cmd_ops(void *vo, int argc, char **argv)
{
	for (size_t i = 0; i < jolt_op_count(); i++) {
		const jolt_op *op = jolt_op_at(i);
		printf("%s\t%s\t1-%d\t%s\t%s%s%s\n", jolt_axis_name(op->axis), op->name,
		       op->max_level,
		       op->kind == JOLT_OP_DIRECTIONAL ? "directional" : "invariant",
		       op->description, op->expect ? "; correct: " : "",
		       op->expect ? op->expect : "");
	}
	return 0;
}

struct perturb_opts {
	const char *task;
	jolt_strlist axes;
	jolt_strlist ops;
	jolt_strlist levels;
	long seed;
	long variants;
	int diff;
	int dump;
};

static const jolt_opt perturb_options[] = {
	{"task", 't', JOLT_OPT_STR, offsetof(struct perturb_opts, task), "ID",
	 "only this task (default every task)"},
	{"axes", 0, JOLT_OPT_LIST, offsetof(struct perturb_opts, axes), "A,B",
	 "axes (default all)"},
	{"ops", 0, JOLT_OPT_LIST, offsetof(struct perturb_opts, ops), "NAME,...",
	 "only these operators"},
	{"levels", 0, JOLT_OPT_LIST, offsetof(struct perturb_opts, levels), "1,2,3",
	 "levels (default all)"},
	{"seed", 0, JOLT_OPT_INT, offsetof(struct perturb_opts, seed), "S",
	 "first variant seed (default 1)"},
	{"variants", 0, JOLT_OPT_INT, offsetof(struct perturb_opts, variants), "N",
	 "seeds per operator and level (default 1)"},
	{"diff", 'd', JOLT_OPT_FLAG, offsetof(struct perturb_opts, diff), NULL,
	 "show each variant as a diff against the baseline"},
	{"json", 0, JOLT_OPT_FLAG, offsetof(struct perturb_opts, dump), NULL,
	 "print each variant in full as canonical JSON"},
	{NULL, 0, 0, 0, NULL, NULL},
};

static int cmd_perturb(void *vo, int argc, char **argv)
{
	struct perturb_opts *o = vo;
	jolt_suite *su = NULL;
	jolt_run_cfg sel;
	memset(&sel, 0, sizeof(sel));
	int rc = parse_levels(&sel.levels, &o->levels);
	if (rc)
		goto done;
	if (o->variants < 0 || o->variants > 1000 || o->seed < 0) {
		rc = jolt_err_set(JOLT_EUSAGE, "--variants must be 1..1000 and --seed >= 0");
		goto done;
	}
	sel.axes = (const char *const *)o->axes.v;
	sel.naxes = o->axes.n;
	sel.ops = (const char *const *)o->ops.v;
	sel.nops = o->ops.n;
	sel.seed = o->seed ? (uint64_t)o->seed : 1;
	sel.variants = o->variants ? (int)o->variants : 1;
	rc = jolt_suite_load(&su, argv[0]);
	if (rc)
		goto done;
	if (o->task && !jolt_suite_task(su, o->task)) {
		rc = jolt_err_set(JOLT_EUSAGE, "--task '%s': no such task in %s", o->task,
				  su->name);
		goto done;
	}
	for (size_t ti = 0; ti < su->ntasks && !rc; ti++) {
		const jolt_task *t = &su->tasks[ti];
		if (o->task && strcmp(o->task, t->id))
			continue;
		jolt_variant *base = NULL;
		jolt_variant **vs = NULL;
		size_t nv = 0;
		rc = jolt_variant_build(&base, su, t, NULL, 0, 0);
		if (!rc)
			rc = jolt_run_variants(&vs, &nv, &sel, su, t);
		for (size_t k = 0; !rc && k < nv; k++) {
			const jolt_variant *v = vs[k];
			if (o->dump) {
				json_t *j = jolt_variant_dump(v);
				char *txt = json_dumps(j, JSON_SORT_KEYS | JSON_INDENT(2));
				printf("%s\n", txt ? txt : "");
				free(txt);
				json_decref(j);
			} else if (o->diff) {
				char *diff = NULL;
				printf("=== %s  (%s, %s)\n", v->name, v->summary ? v->summary : "",
				       v->op->kind == JOLT_OP_DIRECTIONAL ? "directional"
									  : "invariant");
				if (!jolt_variant_diff(&diff, base, v))
					fputs(diff, stdout);
				free(diff);
			} else {
				printf("%s\t%s\n", v->name, v->summary ? v->summary : "");
			}
		}
		for (size_t k = 0; k < nv; k++)
			jolt_variant_free(vs[k]);
		free(vs);
		jolt_variant_free(base);
	}
done:
	if (rc)
		die_msg("perturb", rc);
	jolt_suite_free(su);
	return rc;
}

/* ---- jolt serve ---------------------------------------------------------- */

struct serve_opts {
	const char *listen;
	jolt_strlist suite;
	const char *policy;
	const char *latency;
	const char *faults;
	long stall_ms;
	long seed;
	int verbose;
};

static const jolt_opt serve_options[] = {
	{"listen", 'l', JOLT_OPT_STR, offsetof(struct serve_opts, listen), "ADDR:PORT",
	 "where to listen (default 127.0.0.1:8080; port 0 picks a free one)"},
	{"suite", 's', JOLT_OPT_MULTI, offsetof(struct serve_opts, suite), "DIR",
	 "a suite whose trials the server can rebuild (repeatable)"},
	{"policy", 'p', JOLT_OPT_STR, offsetof(struct serve_opts, policy), "PROFILE",
	 "sim profile when the request's model is not sim:... (default oracle)"},
	{"latency", 0, JOLT_OPT_STR, offsetof(struct serve_opts, latency), "SPEC",
	 "delay per response: MS, MIN-MAX, or lognormal:MEDIAN,SIGMA"},
	{"faults", 0, JOLT_OPT_STR, offsetof(struct serve_opts, faults), "SPEC",
	 "injected faults, e.g. 429:0.05,500:0.02,reset:0.01,stall:0.01,truncate:0.01,malformed:0.01"},
	{"stall-ms", 0, JOLT_OPT_INT, offsetof(struct serve_opts, stall_ms), "MS",
	 "how long a stall fault holds the response (default 60000)"},
	{"seed", 0, JOLT_OPT_INT, offsetof(struct serve_opts, seed), "S",
	 "seed for latency and fault draws (default 1)"},
	{"verbose", 'v', JOLT_OPT_FLAG, offsetof(struct serve_opts, verbose), NULL,
	 "one line per request on stderr"},
	{NULL, 0, 0, 0, NULL, NULL},
};

static int cmd_serve(void *vo, int argc, char **argv)
{
	struct serve_opts *o = vo;
	jolt_suite **suites = NULL;
	int rc = 0;
	if (o->stall_ms < 0 || o->seed < 0) {
		rc = jolt_err_set(JOLT_EUSAGE, "--stall-ms and --seed must not be negative");
		die_msg("serve", rc);
		return rc;
	}
	rc = load_suites("serve", &suites, (int)o->suite.n, o->suite.v);
	if (rc)
		return rc;
	jolt_serve_opts so = {
		.listen = o->listen,
		.suites = (const jolt_suite *const *)suites,
		.nsuites = o->suite.n,
		.policy = o->policy,
		.latency = o->latency,
		.faults = o->faults,
		.stall_ms = o->stall_ms,
		.seed = o->seed ? (uint64_t)o->seed : 1,
		.verbose = o->verbose,
	};
	rc = jolt_serve(&so);
	if (rc)
		die_msg("serve", rc);
	free_suites(suites, (int)o->suite.n);
	return rc;
}

/* ---- jolt report ------------------------------------------------------- */

struct report_opts {
	const char *format;
	const char *output;
};

static const jolt_opt report_options[] = {
	{"format", 'f', JOLT_OPT_STR, offsetof(struct report_opts, format), "FMT",
	 "output format: md (default), json (trials and every computed figure), csv (one row per trial)"},
	{"output", 'o', JOLT_OPT_STR, offsetof(struct report_opts, output), "FILE",
	 "write to FILE instead of stdout"},
	{NULL, 0, 0, 0, NULL, NULL},
};

static int cmd_report(void *vo, int argc, char **argv)
{
	struct report_opts *o = vo;
	jolt_report *r = NULL;
	FILE *f = stdout;
	int rc = jolt_report_load(&r, (const char *const *)argv, (size_t)argc);
	if (rc)
		goto done;
	if (o->output) {
		f = fopen(o->output, "w");
		if (!f) {
			rc = jolt_err_set(JOLT_EIO, "cannot write %s", o->output);
			goto done;
		}
	}
	rc = jolt_report_write(r, o->format ? o->format : "md", f);
done:
	if (f && f != stdout && fclose(f) && !rc)
		rc = jolt_err_set(JOLT_EIO, "cannot write %s", o->output);
	if (rc)
		die_msg("report", rc);
	jolt_report_free(r);
	return rc;
}

/* ---- the command table ------------------------------------------------- */

static const jolt_cmd commands[] = {
	{"run", "SUITE... [options]",
	 "Run the suites' tasks and their perturbed variants against models; store every trial.",
	 "Every task runs its baseline, plus one variant per operator, level and\n"
	 "seed selected by --axes, --ops, --levels and --variants. A variant whose\n"
	 "reference solution fails its graders is refused, not scored. Each trial\n"
	 "gets a fresh working copy, runs until the agent answers, calls submit or\n"
	 "hits a limit, and is graded on its final state. Every finished trial is\n"
	 "committed to --out at once, so a killed run loses only the trials in\n"
	 "flight; --resume runs the rest.\n\n"
	 "models:\n"
	 "  sim:PROFILE          in-process simulator: oracle, robust, brittle, or\n"
	 "                       tool=0.6,system=0.2,user=0.3,env=0.4,response=0.5,\n"
	 "                       thinking=0.5,noise=0.05 (planted sensitivities)\n"
	 "  openai:MODEL@URL     OpenAI-compatible /chat/completions (MiniMax API,\n"
	 "                       vLLM, SGLang); URL is the client's base, e.g.\n"
	 "                       https://api.minimax.io/v1\n"
	 "  anthropic:MODEL@URL  Anthropic-compatible /v1/messages, e.g.\n"
	 "                       https://api.minimax.io/anthropic\n"
	 "  m2:MODEL@URL         raw /completions with M2's chat template rendered\n"
	 "                       by jolt (engines run without a tool parser)\n"
	 "API keys come from MINIMAX_API_KEY, OPENAI_API_KEY, ANTHROPIC_API_KEY or\n"
	 "JOLT_API_KEY, never from the command line.",
	 run_options, sizeof(struct run_opts), 1, -1, cmd_run, run_init},
	{"check", "SUITE... [--axes ...] [--ops ...] [--levels ...] [--seeds A..B]",
	 "Replay the oracle on every baseline and variant; it must pass.",
	 "Also replays each variant's planted mistake (what a model thrown by it\n"
	 "does), which must fail: that is what makes a simulated sensitivity\n"
	 "measure exactly. Failures are listed with operator, level, seed and a\n"
	 "diff of the variant. Exits 0 when all hold, 1 when any fails, 2 when a\n"
	 "suite file is invalid, 3 when a sandbox or working copy cannot be made.",
	 check_options, sizeof(struct check_opts), 1, -1, cmd_check, NULL},
	{"ops", "",
	 "List the perturbation operators: axis, name, levels, kind, description.",
	 NULL, NULL, 0, 0, 0, cmd_ops, NULL},
	{"perturb", "SUITE [--task ID] [--ops ...] [--levels ...] [--seed S] [--diff]",
	 "Show the variants the operators make of a suite's tasks.",
	 "Without --diff, one line per variant: its name and what changed.\n"
	 "Variants are named TASK/AXIS.OPERATOR@LEVEL#SEED and rebuilt\n"
	 "identically from that name on any machine.",
	 perturb_options, sizeof(struct perturb_opts), 1, 1, cmd_perturb, NULL},
	{"serve", "[--listen ADDR:PORT] [--suite DIR]... [--policy PROFILE] [--latency MS] [--faults SPEC]",
	 "Serve the simulated models over HTTP in the OpenAI, Anthropic and M2 dialects.",
	 "Routes: POST .../chat/completions, .../v1/messages, .../completions;\n"
	 "GET /health. The harness names each trial in the X-Jolt-Trial header,\n"
	 "so the server rebuilds its variant from the --suite it was given. The\n"
	 "policy comes from the request's model when it is sim:PROFILE, e.g.\n"
	 "  jolt run suites/starter --model openai:sim:brittle@http://127.0.0.1:8080/v1\n"
	 "Stops on SIGINT or SIGTERM.",
	 serve_options, sizeof(struct serve_opts), 0, 0, cmd_serve, NULL},
	{"report", "DB... [--format md] [-o FILE]",
	 "Summarise stored runs: pass rates, drops per axis and operator, with intervals.",
	 "Infrastructure errors are counted in their own column and never\n"
	 "enter a pass rate.",
	 report_options, sizeof(struct report_opts), 1, -1, cmd_report, NULL},
};

static void usage(FILE *f)
{
	fprintf(f, "usage: jolt COMMAND [options]\n\n"
		   "jolt measures how robust a tool-using LLM agent is.\n\ncommands:\n");
	for (size_t i = 0; i < JOLT_ARRAY_LEN(commands); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\n'jolt COMMAND --help' explains a command.\n"
		   "exit status: 0 ok, 1 check failed, 2 usage or input error, "
		   "3 infrastructure failure\n");
}

int main(int argc, char **argv)
{
	/* Read the timezone once, before any worker thread: libgit2 calls
	 * localtime_r from every worker, and glibc initialises its zone
	 * state lazily on the first call. */
	tzset();
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		if (argc > 2) {
			for (size_t i = 0; i < JOLT_ARRAY_LEN(commands); i++)
				if (!strcmp(commands[i].name, argv[2])) {
					jolt_cli_help(&commands[i], stdout);
					return 0;
				}
		}
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("jolt %s\n", JOLT_VERSION);
		return 0;
	}
	for (size_t i = 0; i < JOLT_ARRAY_LEN(commands); i++) {
		const jolt_cmd *c = &commands[i];
		if (strcmp(c->name, argv[1]))
			continue;
		void *opts = jolt_xcalloc(1, c->opts_size ? c->opts_size : 1);
		if (c->init)
			c->init(opts);
		char **pos = NULL;
		int npos = 0;
		int rc = jolt_cli_parse(c, opts, argc - 2, argv + 2, &pos, &npos);
		if (rc == 1) {
			rc = 0;
		} else if (rc == 0) {
			rc = c->fn(opts, npos, pos);
		}
		jolt_cli_release(c, opts);
		free(opts);
		free(pos);
		/* cmd_check returns 1 for "check failed" directly. */
		return rc == 1 ? 1 : jolt_exit_code(rc);
	}
	fprintf(stderr, "jolt: unknown command '%s'; see 'jolt --help'\n", argv[1]);
	return 2;
}
