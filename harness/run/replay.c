/*
 * replay.c - the oracle and planted-mistake replays (see replay.h), one
 * trial each on the simulator under the default scaffold, taken from the
 * check cache (run/checkcache.h) when it remembers them.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/common.h"
#include "model/backend.h"
#include "perturb/perturb.h"
#include "run/checkcache.h"
#include "run/replay.h"

/* The simulator with every axis sensitivity at 1 makes each variant's
 * characteristic mistake with certainty. */
#define THROWN_PROFILE "tool=1,system=1,user=1,env=1,response=1"

struct replay_job {
	jolt_replay *items;
	size_t *todo;	  /* indices of the items to run */
	char (*keys)[65]; /* per item; "" when it cannot be cached */
	const jolt_backend *be;
	void *oracle;
	void *thrown;
	const jolt_driver_cfg *d;
	jolt_checkcache *cache;
	/* Progress. */
	const char *label; /* NULL: silent */
	size_t total;
	size_t cached;
	atomic_size_t done;    /* cached ones included */
	pthread_mutex_t plock; /* last, and stderr's line */
	int64_t t0;
	int64_t last;
	bool tty;
};

/* "LABEL: 412/1290 replays (cached 300)" in place on a terminal, a line
 * every PROGRESS_PLAIN_MS otherwise; the final line says what was run. */
#define PROGRESS_TTY_MS 200
#define PROGRESS_PLAIN_MS 5000

static void progress(struct replay_job *j, bool final)
{
	if (!j->label)
		return;
	int64_t now = jolt_now_ms();
	pthread_mutex_lock(&j->plock);
	size_t done = atomic_load(&j->done);
	if (final) {
		fprintf(stderr,
			"%s%s: %zu replays in %.1f s (cached %zu, run %zu)%s\n",
			j->tty ? "\r" : "", j->label, j->total,
			(double)(now - j->t0) / 1000.0, j->cached,
			j->total - j->cached, j->tty ? "\033[K" : "");
	} else if (now - j->last >=
		   (j->tty ? PROGRESS_TTY_MS : PROGRESS_PLAIN_MS)) {
		j->last = now;
		fprintf(stderr, "%s%s: %zu/%zu replays (cached %zu)%s",
			j->tty ? "\r" : "", j->label, done, j->total, j->cached,
			j->tty ? "\033[K" : "\n");
	}
	fflush(stderr);
	pthread_mutex_unlock(&j->plock);
}

static void replay_one(size_t k, int worker, void *payload)
{
	struct replay_job *j = payload;
	size_t i = j->todo[k];
	jolt_replay *it = &j->items[i];
	void *policy = NULL;
	char model[64];
	snprintf(model, sizeof(model), "sim:%s",
		 it->policy ? it->policy : it->mistake ? "thrown" : "oracle");
	jolt_model_spec pspec = {.provider = "sim",
				 .model = (char *)it->policy};
	if (it->policy && (it->rc = j->be->open(&policy, &pspec))) {
		it->err = jolt_xstrdup(jolt_err_msg());
		goto done;
	}
	jolt_trial t = {
	    .model = model,
	    .scaffold = JOLT_SCAFFOLD_DEFAULT,
	    .suite = it->v->suite,
	    .task = it->v->task,
	    .variant = it->v->name,
	    .axis = "check",
	    .op = "",
	    .seed = 1,
	    .v = it->v,
	};
	t.key = jolt_trial_key(&t);
	it->rc =
	    jolt_trial_run(&it->res, &t, j->be,
			   policy ? policy : it->mistake ? j->thrown : j->oracle,
			   j->d, worker);
	if (it->rc)
		it->err = jolt_xstrdup(jolt_err_msg());
	else if (j->keys[i][0])
		jolt_checkcache_put(j->cache, j->keys[i], it->v, it->mistake,
				    &it->res);
	free(t.key);
	if (policy)
		j->be->close(policy);
done:
	atomic_fetch_add(&j->done, 1);
	progress(j, false);
}

/* Take what the cache remembers; list the rest in j->todo. */
static size_t lookup(struct replay_job *j, size_t n)
{
	size_t ntodo = 0;
	for (size_t i = 0; i < n; i++) {
		jolt_replay *it = &j->items[i];
		j->keys[i][0] = '\0';
		const char *as = it->policy ? it->policy
				 : it->mistake ? "mistake" : "oracle";
		if (j->cache && !it->trace &&
		    jolt_checkcache_key_as(j->cache, j->keys[i], it->v, as,
					   j->d) &&
		    jolt_checkcache_get(j->cache, &it->res, j->keys[i], j->d)) {
			it->cached = true;
			j->cached++;
			continue;
		}
		j->todo[ntodo++] = i;
	}
	atomic_store(&j->done, j->cached);
	return ntodo;
}

int jolt_replay_run(jolt_replay *items, size_t n, const jolt_driver_cfg *d,
		    const jolt_replay_opts *o)
{
	static const jolt_replay_opts none;
	if (!o)
		o = &none;
	struct replay_job job = {
	    .items = items,
	    .d = d,
	    .cache = o->cache,
	    .label = o->progress,
	    .total = n,
	    .tty = isatty(2),
	};
	jolt_model_spec ospec = {.provider = "sim", .model = "oracle"};
	jolt_model_spec tspec = {.provider = "sim", .model = THROWN_PROFILE};
	int rc = 0;
	pthread_mutex_init(&job.plock, NULL);
	job.t0 = jolt_now_ms();
	job.todo = jolt_xcalloc(n ? n : 1, sizeof(*job.todo));
	job.keys = jolt_xcalloc(n ? n : 1, sizeof(*job.keys));
	size_t ntodo = lookup(&job, n);
	bool any_oracle = false, any_mistake = false;
	for (size_t k = 0; k < ntodo; k++) {
		if (items[job.todo[k]].policy)
			continue; /* opened per replay */
		any_mistake = any_mistake || items[job.todo[k]].mistake;
		any_oracle = any_oracle || !items[job.todo[k]].mistake;
	}
	job.be = jolt_backend_find("sim");
	if (any_oracle)
		rc = job.be->open(&job.oracle, &ospec);
	if (!rc && any_mistake)
		rc = job.be->open(&job.thrown, &tspec);
	if (rc)
		goto done;
	if (ntodo)
		progress(&job, false); /* the first line says what is to come */
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	int workers = o->workers > 0 ? o->workers : cores > 0 ? (int)cores : 1;
	jolt_parallel_for(ntodo, workers, replay_one, &job);
	progress(&job, true);
done:
	if (job.oracle)
		job.be->close(job.oracle);
	if (job.thrown)
		job.be->close(job.thrown);
	free(job.todo);
	free(job.keys);
	pthread_mutex_destroy(&job.plock);
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
