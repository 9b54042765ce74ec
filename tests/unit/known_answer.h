/*
 * known_answer.h - what the known-answer tests share: the starter suite
 * loaded once, a run of a planted simulator profile into a fresh database
 * through the real scheduler, driver, builtin tools and store, and its
 * robustness summary.
 */
#ifndef JOLT_KNOWN_ANSWER_H
#define JOLT_KNOWN_ANSWER_H

#include "test.h"

#include <fnmatch.h>
#include <math.h>

#include "core/common.h"
#include "reports/report.h"
#include "run/report_load.h"
#include "reports/robust.h"
#include "run/run.h"
#include "core/suite.h"
#include "world/load.h"
#include "perturb/perturb.h"

static jolt_suite *starter;

/* The starter tasks whose tools are builtins (look-ups, documents, file
 * work): the repair tasks run their repositories' tests in the sandbox,
 * which costs a sandbox start per call and adds nothing to what these
 * tests measure, the statistics on top of the runs. */
static const char *const ka_tasks[] = {"doc-*", "fin-*", "ops-*"};
static long ka_ntasks; /* how many starter tasks ka_tasks selects */

static int setup(void **st)
{
	(void)st;
	int rc = jolt_suite_load(&starter, "suites/starter");
	if (rc)
		return rc;
	ka_ntasks = 0;
	for (size_t i = 0; i < starter->ntasks; i++)
		for (size_t j = 0; j < JOLT_ARRAY_LEN(ka_tasks); j++)
			if (!fnmatch(ka_tasks[j], starter->tasks[i].id, 0)) {
				ka_ntasks++;
				break;
			}
	return ka_ntasks >= 10 ? 0 : -1;
}

static int teardown(void **st)
{
	(void)st;
	jolt_suite_free(starter);
	return 0;
}

/* Run `model` on the starter suite under `scaffolds` (NULL: the default)
 * into a fresh database; return its path. */
static char *run_in(const char *model, const char *axes, const char *history,
		    int repeats, const char *const *scaffolds, size_t nscaffolds)
{
	char *dir = test_tmpdir();
	assert_non_null(dir);
	char *db = jolt_xasprintf("%s/run.db", dir);
	free(dir);
	jolt_run_cfg cfg;
	memset(&cfg, 0, sizeof(cfg));
	jolt_suite *suites[] = {starter};
	const char *models[] = {model};
	char *axcopy = axes ? jolt_xstrdup(axes) : NULL;
	const char *axv[8];
	size_t nax = 0;
	char *save = NULL;
	for (char *tok = axcopy ? strtok_r(axcopy, ",", &save) : NULL; tok && nax < 8;
	     tok = strtok_r(NULL, ",", &save))
		axv[nax++] = tok;
	cfg.suites = suites;
	cfg.nsuites = 1;
	cfg.models = models;
	cfg.nmodels = 1;
	if (nax) {
		cfg.axes = axv;
		cfg.naxes = nax;
	}
	cfg.tasks = ka_tasks;
	cfg.ntasks = JOLT_ARRAY_LEN(ka_tasks);
	cfg.scaffolds = scaffolds;
	cfg.nscaffolds = nscaffolds;
	cfg.repeats = repeats;
	cfg.seed = 1;
	cfg.variants = 1;
	cfg.concurrency = (int)sysconf(_SC_NPROCESSORS_ONLN);
	cfg.out = db;
	cfg.quiet = 1;
	cfg.driver.timeout_s = 600;
	cfg.driver.strip_thinking = history && !strcmp(history, "strip-thinking");
	const char *root = getenv("JOLT_TEST_TMP");
	cfg.driver.workdir_root = root;
	jolt_run_stats st;
	int rc = jolt_run(&st, &cfg);
	if (rc)
		fprintf(stderr, "run: %s\n", jolt_err_msg());
	free(axcopy);
	assert_int_equal(rc, 0);
	assert_int_equal(st.infra, 0);
	assert_int_equal(st.rejected, 0);
	return db;
}

static inline char *run(const char *model, const char *axes, const char *history,
			int repeats)
{
	return run_in(model, axes, history, repeats, NULL, 0);
}

static void summary(jolt_report **r, jolt_robust **rb, const char *db)
{
	const char *dbs[] = {db};
	assert_int_equal(jolt_report_load(r, dbs, 1), 0);
	assert_int_equal(jolt_robust_build(rb, (*r)->trials, (*r)->ntrials, NULL), 0);
}

/* The rows of repeat `rep` (each repeat is an independent replication:
 * the simulator's draws depend on it, the variants do not) into out,
 * which has room for r->ntrials; returns how many. */
static inline size_t ka_repeat_rows(jolt_trial_row *out, const jolt_report *r,
				    int rep)
{
	size_t n = 0;
	for (size_t i = 0; i < r->ntrials; i++)
		if (r->trials[i].repeat == rep)
			out[n++] = r->trials[i];
	return n;
}

#endif
