/*
 * cmd_run.c - `jolt run`: the run's options into a jolt_run_cfg, the run
 * itself (run/run.c), and the closing summary on stdout.
 */
#include <stddef.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "scaffolds/scaffold.h"
#include "core/common.h"
#include "model/backend.h"
#include "run/checkcache.h"

struct run_opts {
	jolt_strlist model;
	jolt_strlist axes;
	jolt_strlist ops;
	jolt_strlist levels;
	long variants;
	long repeats;
	long seed;
	long concurrency;
	long workers;
	long max_steps;
	long max_tokens;
	double timeout;
	jolt_strlist scaffold;
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
	const char *cacert;
	int insecure;
	jolt_strlist tasks;
	long limit;
	const char *cache;
	int no_cache;
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
	 "wall clock per trial (default 600; 0 = unlimited)"},
	{"scaffold", 0, JOLT_OPT_LIST, offsetof(struct run_opts, scaffold), "A,B",
	 "present tasks through these scaffolds: native, xml, json, react (default native)"},
	{"history", 0, JOLT_OPT_STR, offsetof(struct run_opts, history), "MODE",
	 "full (default) or strip-thinking: drop earlier thinking, as an ablation"},
	{"out", 'o', JOLT_OPT_STR, offsetof(struct run_opts, out), "DB",
	 "results database (default jolt-results.db)"},
	{"resume", 0, JOLT_OPT_FLAG, offsetof(struct run_opts, resume), NULL,
	 "skip trials already in --out and run the rest"},
	{"shard", 0, JOLT_OPT_STR, offsetof(struct run_opts, shard), "i/N",
	 "run only the trials whose key hashes to slice i of N (0-based); merge the shards with jolt merge"},
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
	{"cacert", 0, JOLT_OPT_STR, offsetof(struct run_opts, cacert), "PEM",
	 "CA bundle to verify the model server (default $CURL_CA_BUNDLE, "
	 "$SSL_CERT_FILE, else the system's)"},
	{"insecure", 0, JOLT_OPT_FLAG, offsetof(struct run_opts, insecure), NULL,
	 "do not verify the model server's certificate (recorded in the run and "
	 "shown in reports)"},
	{"workdir-root", 0, JOLT_OPT_STR, offsetof(struct run_opts, workdir_root), "DIR",
	 "where trial working copies go (default /dev/shm when it is a tmpfs with room, else $TMPDIR or /tmp)"},
	{"keep-workdirs", 0, JOLT_OPT_FLAG, offsetof(struct run_opts, keep_workdirs), NULL,
	 "keep each trial's working copy after grading, for debugging"},
	{"tasks", 0, JOLT_OPT_LIST, offsetof(struct run_opts, tasks), "ID,GLOB,...",
	 JOLT_TASKS_HELP},
	{"limit", 0, JOLT_OPT_INT, offsetof(struct run_opts, limit), "N",
	 JOLT_LIMIT_HELP},
	{"cache", 0, JOLT_OPT_STR, offsetof(struct run_opts, cache), "DIR",
	 JOLT_CACHE_HELP},
	{"no-cache", 0, JOLT_OPT_FLAG, offsetof(struct run_opts, no_cache), NULL,
	 JOLT_NO_CACHE_HELP},
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

static void run_init(void *vo)
{
	struct run_opts *o = vo;
	/* -1: not given, the backend's default applies. */
	o->temperature = -1;
	o->top_p = -1;
	o->top_k = -1;
	o->retries = -1;
	o->limit = -1;
	o->concurrency = -1;
	o->workers = -1;
	o->max_steps = -1;
	o->max_tokens = -1;
	o->timeout = -1;
	o->request_timeout = -1;
	o->variants = 1;
	o->repeats = 1;
	o->seed = 1;
}

static int backend_opts(jolt_backend_opts *b, const struct run_opts *o)
{
	memset(b, 0, sizeof(*b));
	if ((o->temperature != -1 && (o->temperature <= 0 || o->temperature > 2)))
		return jolt_err_set(JOLT_EUSAGE,
				    "--temperature must be in (0, 2]; MiniMax rejects 0");
	if (o->top_p != -1 && (o->top_p <= 0 || o->top_p > 1))
		return jolt_err_set(JOLT_EUSAGE, "--top-p must be in (0, 1]");
	if (o->request_timeout == 0)
		return jolt_err_set(JOLT_EUSAGE,
				    "--request-timeout must be more than 0 seconds");
	b->stream = o->stream;
	b->reasoning_split = o->reasoning_split;
	b->temperature = o->temperature;
	b->top_p = o->top_p;
	b->top_k = (int)o->top_k;
	b->max_retries = (int)o->retries;
	b->max_tokens = o->turn_tokens;
	b->rpm = o->rpm;
	b->tpm = o->tpm;
	b->request_timeout_s = o->request_timeout > 0 ? o->request_timeout : 0;
	b->cacert = o->cacert;
	b->insecure = o->insecure;
	return 0;
}

int jolt_cmd_run(void *vo, int argc, char **argv)
{
	struct run_opts *o = vo;
	jolt_run_cfg cfg;
	jolt_backend_opts bopts;
	memset(&cfg, 0, sizeof(cfg));
	jolt_suite **suites = NULL;
	const char *default_model = "sim:oracle";
	int rc = jolt_cli_driver_cfg(&cfg.driver, o->max_steps, o->max_tokens, o->timeout,
			    o->history, o->workdir_root, o->keep_workdirs);
	if (rc)
		goto usage;
	/* Refuse what is out of range; never rewrite it (-1: not given). */
	rc = jolt_cli_range("--repeats", o->repeats, 1, 10000);
	if (!rc)
		rc = jolt_cli_range("--variants", o->variants, 1, 1000);
	if (!rc)
		rc = jolt_cli_range("--seed", o->seed, 1, LONG_MAX);
	if (!rc && o->concurrency != -1)
		rc = jolt_cli_range("--concurrency", o->concurrency, 1, 4096);
	if (!rc && o->workers != -1)
		rc = jolt_cli_range("--workers", o->workers, 1, 256);
	if (rc)
		goto usage;
	rc = jolt_cli_parse_levels(&cfg.levels, &o->levels);
	if (!rc)
		rc = jolt_cli_select_tasks(&cfg, &o->tasks, o->limit);
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
	rc = jolt_cli_load_suites(&suites, "run", argc, argv);
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
	cfg.variants = (int)o->variants;
	cfg.repeats = (int)o->repeats;
	cfg.seed = (uint64_t)o->seed;
	cfg.concurrency = o->concurrency > 0 ? (int)o->concurrency
			  : network ? 32 : jolt_cli_ncores();
	cfg.workers = o->workers > 0 ? (int)o->workers : 0;
	bopts.max_inflight = cfg.concurrency;
	cfg.out = o->out ? o->out : "jolt-results.db";
	cfg.resume = o->resume;
	cfg.quiet = o->quiet;

	jolt_run_stats st;
	jolt_cli_raise_nofile();
	cfg.cache = jolt_cli_open_cache(o->cache, o->no_cache);
	rc = jolt_run(&st, &cfg);
	jolt_checkcache_close(cfg.cache);
	if (rc)
		jolt_cli_fail("run", rc);
	if (st.done || st.skipped) {
		long graded = st.passed + st.failed;
		printf("%ld trials run, %ld already stored; pass %ld, fail %ld, infra_error %ld",
		       st.done, st.skipped, st.passed, st.failed, st.infra);
		if (graded)
			printf(" (pass rate %.1f%% of this session's graded trials)",
			       100.0 * (double)st.passed / (double)graded);
		printf("\n");
		if (st.variants)
			printf("%ld variants, %ld refused because their oracle fails, "
			       "%ld not applicable (they change nothing the model "
			       "is shown)\n",
			       st.variants, st.rejected, st.inapplicable);
		printf("results: %s  (jolt report %s)\n", cfg.out, cfg.out);
	}
	jolt_cli_free_suites(suites, argc);
	return rc;
usage:
	jolt_cli_fail("run", rc);
	return rc;
}

const jolt_cmd_syntax jolt_run_syntax = {
	.usage = "SUITE... [options]",
	.help =
	 "Every task runs its baseline, plus one variant per operator, level and\n"
	 "seed selected by --axes, --ops, --levels and --variants. A variant whose\n"
	 "reference solution fails its graders is refused, not scored (that\n"
	 "pre-check shares jolt check's cache: see jolt check --help). Each trial\n"
	 "gets a working copy of its own, identical to the environment at its\n"
	 "revision, runs until the agent answers, calls submit or hits a limit,\n"
	 "and is graded on its final state. Working copies go under --workdir-root:\n"
	 "by default /dev/shm when it is a tmpfs with room (64 MiB plus 16 times\n"
	 "the environment's size free), else $TMPDIR or /tmp; each worker slot\n"
	 "reuses one copy, put back to the environment's state by undoing what its\n"
	 "previous trial changed (--keep-workdirs: a fresh copy per trial, kept).\n"
	 "Every finished trial is committed to --out before it counts as done,\n"
	 "so a killed run loses only the trials not yet committed; --resume runs\n"
	 "the rest. --tasks and\n"
	 "--limit run a part of the suites (a --tasks pattern that matches no\n"
	 "task is a usage error).\n\n"
	 "models:\n"
	 "  sim:PROFILE          in-process simulator: oracle, robust, brittle, or\n"
	 "                       tool=0.6,system=0.2,user=0.3,env=0.4,response=0.5,\n"
	 "                       thinking=0.5,noise=0.05 (planted sensitivities);\n"
	 "                       literal (the task's own oracle word for word,\n"
	 "                       whatever the variant shows) or null (answers\n"
	 "                       at once without a call): see jolt check --help\n"
	 "  openai:MODEL@URL     OpenAI-compatible /chat/completions (MiniMax API,\n"
	 "                       vLLM, SGLang); URL is the client's base, e.g.\n"
	 "                       https://api.minimax.io/v1\n"
	 "  anthropic:MODEL@URL  Anthropic-compatible /v1/messages, e.g.\n"
	 "                       https://api.minimax.io/anthropic\n"
	 "  m2:MODEL@URL         raw /completions with M2's chat template rendered\n"
	 "                       by jolt (engines run without a tool parser)\n"
	 "API keys come from MINIMAX_API_KEY, OPENAI_API_KEY, ANTHROPIC_API_KEY or\n"
	 "JOLT_API_KEY, never from the command line.",
	.opts = run_options,
	.opts_size = sizeof(struct run_opts),
	.min_args = 1,
	.max_args = -1,
	.init = run_init,
};
