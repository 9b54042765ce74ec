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
#include "core/sha256.h"
#include "model/backend.h"
#include "perturb/perturb.h"
#include "run/checkcache.h"
#include "run/replay.h"
#include "world/execmemo.h"

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
	const volatile sig_atomic_t *stop;
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
	if (j->stop && *j->stop) {
		it->rc = JOLT_EINFRA;
		it->err = jolt_xstrdup("interrupted before this replay ran");
		goto done;
	}
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
	else if (j->keys[i][0]) {
		/* The trace first: a result without its trace is not taken
		 * for a replay that asks for the trace. */
		if (it->trace)
			jolt_checkcache_put_trace(j->cache, j->keys[i],
						  it->res.trace);
		jolt_checkcache_put(j->cache, j->keys[i], it->v, it->mistake,
				    &it->res);
	}
	/* Only what asked for its trace keeps it: a check holds tens of
	 * thousands of replays, and their traces with the files read and
	 * written would take gigabytes. */
	if (!it->trace) {
		json_decref(it->res.trace);
		it->res.trace = NULL;
	}
	free(t.key);
	if (policy)
		j->be->close(policy);
done:
	atomic_fetch_add(&j->done, 1);
	progress(j, false);
}

/* ---- identical variants ---- */

static void digest_json(jolt_sha256 *h, const char *name, const json_t *j)
{
	char *s = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS |
					JSON_ENCODE_ANY)
		    : NULL;
	jolt_sha256_update(h, name, strlen(name) + 1);
	if (s)
		jolt_sha256_update(h, s, strlen(s) + 1);
	else
		jolt_sha256_update(h, "", 1);
	free(s);
}

/* A hash of everything a replay of it reads: two items with the same
 * digest replay the same way. Operators that ignore their seed, or whose
 * seeds happen to agree, give identical variants at several seeds. The
 * replay's simulator never draws on the variant's name (its mistake and
 * noise probabilities are 0 or 1); the response axis draws on the seed,
 * so a perturbed response keeps it in the digest. */
static void item_digest(char out[65], const jolt_replay *it)
{
	const jolt_variant *v = it->v;
	jolt_sha256 h;
	char num[64];
	jolt_sha256_init(&h);
	jolt_sha256_update(&h, "jolt-replay-1", 14);
	jolt_sha256_update(&h, v->task->id, strlen(v->task->id) + 1);
	jolt_sha256_update(&h, it->policy ? it->policy : "",
			   it->policy ? strlen(it->policy) + 1 : 1);
	snprintf(num, sizeof(num), "%d|%d|%llu", it->mistake, v->op != NULL,
		 v->response && !json_is_null(v->response)
		     ? (unsigned long long)v->seed
		     : 0ULL);
	jolt_sha256_update(&h, num, strlen(num) + 1);
	jolt_sha256_update(&h, v->system ? v->system : "",
			   v->system ? strlen(v->system) + 1 : 1);
	digest_json(&h, "user", v->user);
	digest_json(&h, "tools", v->tools);
	digest_json(&h, "tool_map", v->tool_map);
	digest_json(&h, "env_edits", v->env_edits);
	digest_json(&h, "env_vars", v->env_vars);
	digest_json(&h, "path_map", v->path_map);
	digest_json(&h, "response", v->response);
	digest_json(&h, "oracle", v->oracle);
	digest_json(&h, "grade", v->grade);
	digest_json(&h, "mistake", v->mistake);
	jolt_sha256_final_hex(&h, out);
}

struct by_digest {
	char d[65];
	size_t i;
};

static int cmp_digest(const void *a, const void *b)
{
	const struct by_digest *x = a, *y = b;
	int c = strcmp(x->d, y->d);
	return c ? c : (x->i > y->i) - (x->i < y->i);
}

/* Keep in j->todo (in its order) the first item of each group of
 * identical ones; the others go to dup[] with, in rep[], the item whose
 * replay they take. Returns how many went. */
static size_t dedupe(struct replay_job *j, size_t *ntodo, size_t *dup,
		     size_t *rep)
{
	size_t n = *ntodo, ndup = 0, keep = 0;
	struct by_digest *d = jolt_xcalloc(n ? n : 1, sizeof(*d));
	bool *gone = jolt_xcalloc(j->total ? j->total : 1, sizeof(*gone));
	for (size_t k = 0; k < n; k++) {
		item_digest(d[k].d, &j->items[j->todo[k]]);
		d[k].i = j->todo[k];
		/* One that asked for its trace is run for it. */
		if (j->items[j->todo[k]].trace)
			snprintf(d[k].d, sizeof(d[k].d), "~%zu", d[k].i);
	}
	qsort(d, n, sizeof(*d), cmp_digest);
	for (size_t k = 1, first = 0; k < n; k++) {
		if (strcmp(d[k].d, d[first].d)) {
			first = k;
			continue;
		}
		gone[d[k].i] = true;
		dup[ndup] = d[k].i;
		rep[ndup++] = d[first].i;
	}
	for (size_t k = 0; k < n; k++)
		if (!gone[j->todo[k]])
			j->todo[keep++] = j->todo[k];
	free(gone);
	free(d);
	*ntodo = keep;
	return ndup;
}

void jolt_replay_take(jolt_replay *it, const jolt_replay *src)
{
	it->rc = src->rc;
	it->err = src->err ? jolt_xstrdup(src->err) : NULL;
	it->res = src->res;
	it->res.answer = src->res.answer ? jolt_xstrdup(src->res.answer) : NULL;
	it->res.detail = src->res.detail ? jolt_xstrdup(src->res.detail) : NULL;
	it->res.trace = json_incref(src->res.trace);
	it->cached = src->cached;
	it->given = true;
}

/* An identical item's outcome for item i; the cache learns it too. */
static void take_from(struct replay_job *j, size_t i, size_t from)
{
	jolt_replay *it = &j->items[i];
	jolt_replay_take(it, &j->items[from]);
	it->given = false;
	if (!it->rc && j->keys[i][0])
		jolt_checkcache_put(j->cache, j->keys[i], it->v, it->mistake,
				    &it->res);
	atomic_fetch_add(&j->done, 1);
}

/* What the cache remembers of item i under its key: the result, and the
 * trace too when the item asks for it. */
static bool cached(struct replay_job *j, size_t i)
{
	jolt_replay *it = &j->items[i];
	if (!jolt_checkcache_get(j->cache, &it->res, j->keys[i], j->d))
		return false;
	if (!it->trace ||
	    jolt_checkcache_get_trace(j->cache, &it->res.trace, j->keys[i]))
		return true;
	jolt_trial_result_release(&it->res);
	return false;
}

/* Take what the cache remembers; list the rest in j->todo. */
static size_t lookup(struct replay_job *j, size_t n)
{
	size_t ntodo = 0;
	for (size_t i = 0; i < n; i++) {
		jolt_replay *it = &j->items[i];
		j->keys[i][0] = '\0';
		if (it->given) { /* counted as it was had */
			j->cached += it->cached;
			continue;
		}
		const char *as = it->policy ? it->policy
				 : it->mistake ? "mistake" : "oracle";
		if (j->cache &&
		    jolt_checkcache_key_as(j->cache, j->keys[i], it->v, as,
					   j->d) &&
		    cached(j, i)) {
			it->cached = true;
			j->cached++;
			continue;
		}
		j->todo[ntodo++] = i;
	}
	atomic_store(&j->done, n - ntodo);
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
	    .stop = o->stop,
	    .label = o->progress,
	    .total = n,
	    .tty = isatty(2),
	};
	jolt_driver_cfg dd = *d;
	dd.memo = o->no_memo ? NULL : o->memo ? o->memo : jolt_execmemo_new();
	job.d = &dd;
	jolt_model_spec ospec = {.provider = "sim", .model = "oracle"};
	jolt_model_spec tspec = {.provider = "sim", .model = THROWN_PROFILE};
	int rc = 0;
	pthread_mutex_init(&job.plock, NULL);
	job.t0 = jolt_now_ms();
	job.todo = jolt_xcalloc(n ? n : 1, sizeof(*job.todo));
	job.keys = jolt_xcalloc(n ? n : 1, sizeof(*job.keys));
	size_t ntodo = lookup(&job, n);
	size_t *dup = jolt_xcalloc(ntodo ? ntodo : 1, sizeof(*dup));
	size_t *rep = jolt_xcalloc(ntodo ? ntodo : 1, sizeof(*rep));
	size_t ndup = o->no_memo ? 0 : dedupe(&job, &ntodo, dup, rep);
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
	for (size_t k = 0; k < ndup; k++)
		take_from(&job, dup[k], rep[k]);
	progress(&job, true);
	if (job.stop && *job.stop) {
		rc = jolt_err_set(JOLT_EINFRA,
				  "interrupted during the replays");
		goto done;
	}
	if (job.label && ndup)
		fprintf(stderr,
			"%s: %zu replays were of a variant identical to another "
			"(the same prompts, tools, files and solution): judged "
			"once\n",
			job.label, ndup);
	size_t hits = 0, runs = 0;
	if (dd.memo)
		jolt_execmemo_counts(dd.memo, &hits, &runs);
	if (job.label && hits)
		fprintf(stderr,
			"%s: %zu sandboxed commands run, %zu more answered by "
			"an identical one (same command on the same files)\n",
			job.label, runs, hits);
done:
	if (job.oracle)
		job.be->close(job.oracle);
	if (job.thrown)
		job.be->close(job.thrown);
	if (dd.memo != o->memo)
		jolt_execmemo_free(dd.memo);
	free(dup);
	free(rep);
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
