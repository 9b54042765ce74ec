/*
 * main.c - the jolt command line: the command table and each command's
 * options, parsed and documented by cli.c from the same tables.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend.h"
#include "cli.h"
#include "common.h"
#include "driver.h"
#include "report.h"
#include "run.h"
#include "sim.h"
#include "suite.h"

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

/* ---- jolt run ---------------------------------------------------------- */

struct run_opts {
	jolt_strlist model;
	long repeats;
	long seed;
	long concurrency;
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
};

static const jolt_opt run_options[] = {
	{"model", 'm', JOLT_OPT_MULTI, offsetof(struct run_opts, model), "SPEC",
	 "model as PROVIDER:MODEL[@URL]; repeat for a comparison (default sim:oracle)"},
	{"repeats", 'k', JOLT_OPT_INT, offsetof(struct run_opts, repeats), "K",
	 "run each task K times, for pass^k and noise (default 1)"},
	{"seed", 0, JOLT_OPT_INT, offsetof(struct run_opts, seed), "S",
	 "seed for every reproducible decision (default 1)"},
	{"concurrency", 'j', JOLT_OPT_INT, offsetof(struct run_opts, concurrency), "C",
	 "trials in flight at once (default: number of cores)"},
	{"max-steps", 0, JOLT_OPT_INT, offsetof(struct run_opts, max_steps), "N",
	 "model turns per trial (default: the task's, else the suite's, else 20)"},
	{"max-tokens", 0, JOLT_OPT_INT, offsetof(struct run_opts, max_tokens), "N",
	 "token budget per trial, in+out (default unlimited)"},
	{"timeout", 0, JOLT_OPT_DOUBLE, offsetof(struct run_opts, timeout), "SEC",
	 "wall clock per trial (default 600)"},
	{"history", 0, JOLT_OPT_STR, offsetof(struct run_opts, history), "MODE",
	 "full (default) or strip-thinking: drop earlier thinking, as an ablation"},
	{"out", 'o', JOLT_OPT_STR, offsetof(struct run_opts, out), "DB",
	 "results database (default jolt-results.db)"},
	{"resume", 0, JOLT_OPT_FLAG, offsetof(struct run_opts, resume), NULL,
	 "skip trials already in --out and run the rest"},
	{"shard", 0, JOLT_OPT_STR, offsetof(struct run_opts, shard), "i/N",
	 "run only the i-th of N deterministic slices (0-based)"},
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
			    "--shard '%s': expected i/N with 0 <= i < N, e.g. 0/4", s);
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

static int cmd_run(void *vo, int argc, char **argv)
{
	struct run_opts *o = vo;
	jolt_run_cfg cfg;
	memset(&cfg, 0, sizeof(cfg));
	jolt_suite **suites = NULL;
	const char *default_model = "sim:oracle";
	int rc = driver_cfg(&cfg.driver, o->max_steps, o->max_tokens, o->timeout,
			    o->history, o->workdir_root, o->keep_workdirs);
	if (rc)
		goto usage;
	if (o->repeats < 0 || o->repeats > 10000 || o->concurrency < 0 ||
	    o->concurrency > 4096) {
		rc = jolt_err_set(JOLT_EUSAGE,
				  "--repeats must be 1..10000 and --concurrency 1..4096");
		goto usage;
	}
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
	if (o->model.n) {
		cfg.models = (const char **)o->model.v;
		cfg.nmodels = o->model.n;
	} else {
		cfg.models = &default_model;
		cfg.nmodels = 1;
	}
	cfg.repeats = o->repeats ? (int)o->repeats : 1;
	cfg.seed = o->seed ? (uint64_t)o->seed : 1;
	cfg.concurrency = o->concurrency ? (int)o->concurrency : ncores();
	cfg.out = o->out ? o->out : "jolt-results.db";
	cfg.resume = o->resume;
	cfg.quiet = o->quiet;

	jolt_run_stats st;
	rc = jolt_run(&st, &cfg);
	if (rc) {
		die_msg("run", rc);
	}
	if (st.done || st.skipped) {
		long graded = st.passed + st.failed;
		printf("%ld trials run, %ld already stored; pass %ld, fail %ld, infra_error %ld",
		       st.done, st.skipped, st.passed, st.failed, st.infra);
		if (graded)
			printf(" (pass rate %.1f%% of this session's graded trials)",
			       100.0 * (double)st.passed / (double)graded);
		printf("\nresults: %s  (jolt report %s)\n", cfg.out, cfg.out);
	}
	free_suites(suites, argc);
	return rc;
usage:
	die_msg("run", rc);
	return rc;
}

/* ---- jolt check -------------------------------------------------------- */

struct check_opts {
	int keep_workdirs;
	const char *workdir_root;
};

static const jolt_opt check_options[] = {
	{"workdir-root", 0, JOLT_OPT_STR, offsetof(struct check_opts, workdir_root), "DIR",
	 "where working copies go (default $TMPDIR or /tmp)"},
	{"keep-workdirs", 0, JOLT_OPT_FLAG, offsetof(struct check_opts, keep_workdirs), NULL,
	 "keep each working copy, for debugging an oracle"},
	{NULL, 0, 0, 0, NULL, NULL},
};

struct check_job {
	const jolt_suite *suite;
	const jolt_backend *be;
	void *state;
	const jolt_driver_cfg *d;
	jolt_trial_result *res;
	int *rcs;
	char **errs;
};

static void check_one(size_t ti, int worker, void *payload)
{
	struct check_job *j = payload;
	jolt_trial t = {
		.model = "sim:oracle", .scaffold = "native",
		.suite = j->suite, .task = &j->suite->tasks[ti],
		.variant = "baseline", .axis = "baseline", .op = "",
		.seed = 1,
	};
	t.key = jolt_trial_key(&t);
	j->rcs[ti] = jolt_trial_run(&j->res[ti], &t, j->be, j->state, j->d, worker);
	if (j->rcs[ti])
		j->errs[ti] = jolt_xstrdup(jolt_err_msg());
	free(t.key);
}

static int cmd_check(void *vo, int argc, char **argv)
{
	struct check_opts *o = vo;
	jolt_suite **suites = NULL;
	int rc = load_suites("check", &suites, argc, argv);
	if (rc)
		return rc;
	jolt_driver_cfg d;
	driver_cfg(&d, 0, 0, 600, "full", o->workdir_root, o->keep_workdirs);
	jolt_model_spec spec = {.provider = "sim", .model = "oracle", .url = NULL};
	const jolt_backend *be = jolt_backend_find("sim");
	void *state = NULL;
	rc = be->open(&state, &spec);
	if (rc) {
		free_suites(suites, argc);
		die_msg("check", rc);
		return rc;
	}
	long total = 0, failed = 0, infra = 0;
	for (int si = 0; si < argc; si++) {
		jolt_suite *su = suites[si];
		int n = (int)su->ntasks;
		struct check_job job = {
			.suite = su, .be = be, .state = state, .d = &d,
			.res = jolt_xcalloc((size_t)n, sizeof(*job.res)),
			.rcs = jolt_xcalloc((size_t)n, sizeof(*job.rcs)),
			.errs = jolt_xcalloc((size_t)n, sizeof(*job.errs)),
		};
		jolt_trial_result *res = job.res;
		int *rcs = job.rcs;
		char **errs = job.errs;
		/* Oracle replays are independent: one per core. */
		jolt_parallel_for((size_t)n, ncores(), check_one, &job);
		for (int ti = 0; ti < n; ti++) {
			const jolt_task *task = &su->tasks[ti];
			total++;
			if (rcs[ti]) {
				infra++;
				printf("ERROR %s/%s: %s\n", su->name, task->id, errs[ti]);
			} else if (res[ti].outcome == JOLT_OUTCOME_INFRA) {
				infra++;
				printf("ERROR %s/%s: %s\n", su->name, task->id,
				       res[ti].detail ? res[ti].detail : "");
			} else if (res[ti].outcome != JOLT_OUTCOME_PASS) {
				failed++;
				printf("FAIL  %s/%s (%s): the oracle does not pass its graders\n",
				       su->name, task->id, task->file);
				const char *why = res[ti].detail ? res[ti].detail : "";
				printf("      %s\n", why[0] ? why : jolt_error_class_name(res[ti].error_class));
			} else {
				printf("ok    %s/%s\n", su->name, task->id);
			}
			jolt_trial_result_release(&res[ti]);
			free(errs[ti]);
		}
		free(res);
		free(rcs);
		free(errs);
	}
	be->close(state);
	free_suites(suites, argc);
	printf("%ld tasks checked: %ld pass, %ld fail, %ld errors\n", total,
	       total - failed - infra, failed, infra);
	if (infra)
		return JOLT_EINFRA;
	return failed ? 1 : 0;
}

/* ---- jolt report ------------------------------------------------------- */

struct report_opts {
	const char *format;
	const char *output;
};

static const jolt_opt report_options[] = {
	{"format", 'f', JOLT_OPT_STR, offsetof(struct report_opts, format), "FMT",
	 "output format: md (default)"},
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
	 "Run the suites' tasks against one or more models and store every trial.",
	 "Each trial gets a fresh working copy, runs until the agent answers,\n"
	 "calls submit or hits a limit, and is graded on its final state. Every\n"
	 "finished trial is committed to --out at once, so a killed run loses\n"
	 "only the trials in flight; --resume runs the rest.\n\n"
	 "models: sim:oracle (replays each task's reference solution),\n"
	 "sim:robust, sim:brittle, or sim:tool=0.6,system=0.2,user=0.3,env=0.4,\n"
	 "response=0.5,thinking=0.5,noise=0.05 (planted sensitivities).",
	 run_options, sizeof(struct run_opts), 1, -1, cmd_run},
	{"check", "SUITE...",
	 "Replay every task's oracle and require it to pass its own graders.",
	 "Exits 0 when every oracle passes, 1 when any fails (each is listed\n"
	 "with the reason), 2 when a suite file is invalid.",
	 check_options, sizeof(struct check_opts), 1, -1, cmd_check},
	{"report", "DB... [--format md] [-o FILE]",
	 "Summarise stored runs: pass rate per model with a Wilson 95% interval.",
	 "Infrastructure errors are counted in their own column and never\n"
	 "enter the pass rate.",
	 report_options, sizeof(struct report_opts), 1, -1, cmd_report},
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
		void *opts = jolt_xcalloc(1, c->opts_size);
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
