/*
 * cmd_serve.c - `jolt serve`: the simulated models behind a local HTTP
 * server (serve/serve.c), for end-to-end tests and throughput benchmarks.
 */
#include <limits.h>
#include <stddef.h>
#include <stdio.h>

#include "cli/commands.h"
#include "core/common.h"
#include "perturb/perturb.h"
#include "run/replay.h"
#include "run/visible.h"
#include "serve/serve.h"

struct serve_opts {
	const char *listen;
	jolt_strlist suite;
	const char *policy;
	const char *latency;
	const char *faults;
	long stall_ms;
	long seed;
	int verbose;
	const char *tls_cert;
	const char *tls_key;
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
	{"tls-cert", 0, JOLT_OPT_STR, offsetof(struct serve_opts, tls_cert), "PEM",
	 "serve HTTPS with this certificate (with --tls-key)"},
	{"tls-key", 0, JOLT_OPT_STR, offsetof(struct serve_opts, tls_key), "PEM",
	 "the certificate's private key"},
	{NULL, 0, 0, 0, NULL, NULL},
};

static void serve_init(void *vo)
{
	struct serve_opts *o = vo;
	o->stall_ms = -1; /* not given: the server's default */
	o->seed = 1;
}

/* jolt_serve_opts.literal_forms: replay t's baseline oracle for the
 * form of its tool results, as `jolt check` and `jolt run` do. */
static void literal_forms(const jolt_suite *su, const jolt_task *t,
			  void *payload)
{
	(void)payload;
	jolt_variant *base = NULL;
	if (jolt_variant_build(&base, su, t, NULL, 0, 0))
		return;
	jolt_replay it = {.v = base, .trace = true};
	jolt_driver_cfg d = {.timeout_s = 600};
	jolt_replay_opts ro = {.workers = 1};
	if (!jolt_replay_run(&it, 1, &d, &ro))
		jolt_visible_expect_literal(base, it.res.trace);
	jolt_replay_release(&it, 1);
	jolt_variant_free(base);
}

int jolt_cmd_serve(void *vo, int argc, char **argv)
{
	struct serve_opts *o = vo;
	jolt_suite **suites = NULL;
	int rc = 0;
	rc = jolt_cli_range("--seed", o->seed, 1, LONG_MAX);
	if (!rc && o->stall_ms != -1)
		rc = jolt_cli_range("--stall-ms", o->stall_ms, 1,
				    JOLT_SERVE_STALL_MS_MAX);
	if (rc) {
		jolt_cli_fail("serve", rc);
		return rc;
	}
	rc = jolt_cli_load_suites(&suites, "serve", (int)o->suite.n, o->suite.v);
	if (rc)
		return rc;
	jolt_serve_opts so = {
		.listen = o->listen,
		.suites = (const jolt_suite *const *)suites,
		.nsuites = o->suite.n,
		.policy = o->policy,
		.latency = o->latency,
		.faults = o->faults,
		.stall_ms = o->stall_ms > 0 ? o->stall_ms : 0,
		.seed = (uint64_t)o->seed,
		.verbose = o->verbose,
		.tls_cert = o->tls_cert,
		.tls_key = o->tls_key,
		.literal_forms = literal_forms,
	};
	jolt_cli_raise_nofile();
	rc = jolt_serve(&so);
	if (rc)
		jolt_cli_fail("serve", rc);
	jolt_cli_free_suites(suites, (int)o->suite.n);
	return rc;
}

const jolt_cmd_syntax jolt_serve_syntax = {
	.usage = "[--listen ADDR:PORT] [--suite DIR]... [--policy PROFILE] [--latency MS] [--faults SPEC]",
	.help =
	 "Routes: POST .../chat/completions, .../v1/messages, .../completions;\n"
	 "GET /health. The harness names each trial in the X-Jolt-Trial header,\n"
	 "so the server rebuilds its variant from the --suite it was given. The\n"
	 "policy comes from the request's model when it is sim:PROFILE, e.g.\n"
	 "  jolt run suites/starter --model openai:sim:brittle@http://127.0.0.1:8080/v1\n"
	 "sim:literal reads the form of a task's baseline tool results, as in\n"
	 "process: the server replays the task's baseline oracle the first time\n"
	 "sim:literal plays it.\n"
	 "With JOLT_SERVE_API_KEY set, a request without that key (Authorization:\n"
	 "Bearer KEY or x-api-key: KEY) is refused with 401, as a real server would.\n"
	 "Stops on SIGINT or SIGTERM.",
	.opts = serve_options,
	.opts_size = sizeof(struct serve_opts),
	.init = serve_init,
	.min_args = 0,
	.max_args = 0,
};
