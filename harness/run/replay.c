/*
 * replay.c - the oracle and planted-mistake replays (see replay.h), one
 * trial each on the simulator under the default scaffold.
 */
#include <string.h>
#include <unistd.h>

#include "core/common.h"
#include "model/backend.h"
#include "perturb/perturb.h"
#include "run/replay.h"

/* The simulator with every axis sensitivity at 1 makes each variant's
 * characteristic mistake with certainty. */
#define THROWN_PROFILE "tool=1,system=1,user=1,env=1,response=1"

struct replay_job {
	jolt_replay *items;
	const jolt_backend *be;
	void *oracle;
	void *thrown;
	const jolt_driver_cfg *d;
};

static void replay_one(size_t i, int worker, void *payload)
{
	struct replay_job *j = payload;
	jolt_replay *it = &j->items[i];
	jolt_trial t = {
		.model = it->mistake ? "sim:thrown" : "sim:oracle",
		.scaffold = JOLT_SCAFFOLD_DEFAULT, .suite = it->v->suite,
		.task = it->v->task, .variant = it->v->name, .axis = "check",
		.op = "", .seed = 1, .v = it->v,
	};
	t.key = jolt_trial_key(&t);
	it->rc = jolt_trial_run(&it->res, &t, j->be,
				it->mistake ? j->thrown : j->oracle, j->d, worker);
	if (it->rc)
		it->err = jolt_xstrdup(jolt_err_msg());
	free(t.key);
}

int jolt_replay_run(jolt_replay *items, size_t n, const jolt_driver_cfg *d)
{
	struct replay_job job = {.items = items, .d = d};
	jolt_model_spec ospec = {.provider = "sim", .model = "oracle"};
	jolt_model_spec tspec = {.provider = "sim", .model = THROWN_PROFILE};
	bool any_mistake = false;
	for (size_t i = 0; i < n; i++)
		any_mistake = any_mistake || items[i].mistake;
	job.be = jolt_backend_find("sim");
	int rc = job.be->open(&job.oracle, &ospec);
	if (!rc && any_mistake)
		rc = job.be->open(&job.thrown, &tspec);
	if (rc)
		goto done;
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	jolt_parallel_for(n, cores > 0 ? (int)cores : 1, replay_one, &job);
done:
	if (job.oracle)
		job.be->close(job.oracle);
	if (job.thrown)
		job.be->close(job.thrown);
	return rc;
}

bool jolt_replay_passed(const jolt_replay *it)
{
	return !it->rc && it->res.outcome == JOLT_OUTCOME_PASS;
}

bool jolt_replay_infra(const jolt_replay *it)
{
	return it->rc || it->res.outcome == JOLT_OUTCOME_INFRA;
}

const char *jolt_replay_why(const jolt_replay *it)
{
	if (it->rc)
		return it->err ? it->err : jolt_err_name(it->rc);
	if (it->res.detail && it->res.detail[0])
		return it->res.detail;
	return jolt_error_class_name(it->res.error_class);
}

void jolt_replay_release(jolt_replay *items, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		jolt_trial_result_release(&items[i].res);
		free(items[i].err);
		items[i].err = NULL;
	}
}
