/*
 * cmd_util.c - what several commands share (see commands.h): loading the
 * suites named on the command line, the option values that mean the same
 * on every command (--levels, --seeds, --tasks, --limit, --cache, the
 * trajectory limits) and how a failed command reports itself.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cli/commands.h"
#include "core/common.h"
#include "run/checkcache.h"
#include "world/load.h"

int jolt_cli_ncores(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (int)n : 1;
}

void jolt_cli_raise_nofile(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

void jolt_cli_fail(const char *cmd, int rc)
{
	const char *m = jolt_err_msg();
	fprintf(stderr, "jolt %s: %s\n", cmd, m[0] ? m : jolt_err_name(rc));
}

int jolt_cli_load_suites(jolt_suite ***out, const char *cmd, int n,
			 char **dirs)
{
	jolt_suite **v = jolt_xcalloc((size_t)n + 1, sizeof(*v));
	for (int i = 0; i < n; i++) {
		int rc = jolt_suite_load(&v[i], dirs[i]);
		if (rc) {
			jolt_cli_fail(cmd, rc);
			jolt_cli_free_suites(v, i);
			return rc;
		}
	}
	*out = v;
	return 0;
}

void jolt_cli_free_suites(jolt_suite **v, int n)
{
	for (int i = 0; v && i < n; i++)
		jolt_suite_free(v[i]);
	free(v);
}

int jolt_cli_parse_levels(unsigned *out, const jolt_strlist *l)
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

int jolt_cli_parse_seeds(long *out, long *count, const char *spec)
{
	char *end;
	long a = strtol(spec, &end, 10);
	if (end == spec || a < 0)
		goto bad;
	if (!*end) {
		*out = a;
		*count = 1;
		return 0;
	}
	if (strncmp(end, "..", 2))
		goto bad;
	const char *p = end + 2;
	long b = strtol(p, &end, 10);
	if (end == p || *end || b < a || b - a >= 10000)
		goto bad;
	*out = a;
	*count = b - a + 1;
	return 0;
bad:
	return jolt_err_set(JOLT_EUSAGE,
			    "--seeds '%s': expected S or A..B, e.g. 1..5", spec);
}

int jolt_cli_range(const char *flag, long v, long lo, long hi)
{
	if (v >= lo && v <= hi)
		return 0;
	if (hi == LONG_MAX)
		return jolt_err_set(JOLT_EUSAGE, "%s %ld: expected %ld or more",
				    flag, v, lo);
	return jolt_err_set(JOLT_EUSAGE, "%s %ld: expected %ld..%ld", flag, v,
			    lo, hi);
}

int jolt_cli_select_tasks(jolt_run_cfg *out, const jolt_strlist *tasks,
			  long limit)
{
	if (limit == 0 || limit < -1)
		return jolt_err_set(JOLT_EUSAGE,
				    "--limit %ld: expected a number of tasks, 1 or more",
				    limit);
	out->tasks = (const char *const *)tasks->v;
	out->ntasks = tasks->n;
	out->limit = limit > 0 ? limit : 0;
	return 0;
}

struct jolt_checkcache *jolt_cli_open_cache(const char *dir, int no_cache)
{
	return no_cache ? NULL : jolt_checkcache_open(dir);
}

int jolt_cli_driver_cfg(jolt_driver_cfg *out, long max_steps, long max_tokens,
			double timeout, const char *history, const char *root,
			int keep)
{
	memset(out, 0, sizeof(*out));
	int rc = 0;
	if (max_steps != -1)
		rc = jolt_cli_range("--max-steps", max_steps, 1, 100000);
	if (!rc && max_tokens != -1)
		rc = jolt_cli_range("--max-tokens", max_tokens, 1, LONG_MAX);
	if (rc)
		return rc;
	out->max_steps = max_steps > 0 ? (int)max_steps : 0;
	out->max_tokens = max_tokens > 0 ? max_tokens : 0;
	/* -1: not given; 0 is honoured as unlimited, as the driver says. */
	out->timeout_s = timeout < 0 ? 600 : timeout;
	if (!history || !strcmp(history, "full"))
		out->strip_thinking = 0;
	else if (!strcmp(history, "strip-thinking"))
		out->strip_thinking = 1;
	else
		return jolt_err_set(JOLT_EUSAGE,
				    "--history '%s': expected full or strip-thinking",
				    history);
	out->workdir_root = root;
	out->keep_workdirs = keep;
	return 0;
}
