/*
 * run.c - the run scheduler (see run.h).
 *
 * Trials are expanded in a fixed order (suite, task, variant, repeat,
 * model) so a resumed run picks the same trials on every machine; a
 * shard is the trials whose key hashes to it (jolt_run_in_shard). Before
 * any trial runs, every variant's oracle is replayed on the in-process
 * simulator (or taken from the check cache): a variant whose reference
 * solution fails is a bug in an operator or a task, and is refused rather
 * than scored.
 *
 * Execution: up to `concurrency` trajectories are in flight. A trajectory
 * that waits on a network model holds no thread: the backend's start()
 * returns at once and its completion puts the trajectory back on the ready
 * queue. `workers` threads take ready trajectories, execute their tool
 * calls, grade finished ones and encode their traces; one writer thread
 * commits what they finish in batches, one transaction per batch, and only
 * then counts those trials done. No thread holds the scheduler lock across
 * encoding or a disk write, so the transport's completions never wait on
 * the disk. A killed run loses at most the trials not yet committed, none
 * of which was reported done. Synchronous backends (the
 * simulator) are called inline by the worker. SIGINT and SIGTERM stop the
 * admission of new trials; those in flight finish and are stored.
 */
#include <fnmatch.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/backend.h"
#include "model/http.h"
#include "model/sim.h"
#include "core/common.h"
#include "perturb/perturb.h"
#include "run/replay.h"
#include "run/visible.h"
#include "run/run.h"
#include "run/store.h"
#include "world/execmemo.h"

typedef struct model_slot {
	const jolt_backend *be;
	void *state;
	jolt_model_spec spec;
} model_slot;

typedef struct flight flight;

/* A finished trial waiting for the writer: its result (trace already
 * encoded, r.trace NULL) and the JSON text. */
typedef struct finished {
	size_t ti;
	jolt_trial_result r;
	char *trace;
	struct finished *next;
} finished;

/* Trials encoded but not committed, at most: past it workers wait, so a
 * slow disk slows the run instead of growing memory without bound. */
#define WRITE_QUEUE_MAX 1024
/* Trials per transaction, at most: bounds how long one commit takes. */
#define WRITE_BATCH_MAX 256

typedef struct sched {
	const jolt_run_cfg *cfg;
	jolt_trial *trials;
	size_t *trial_model;  /* model index of each trial */
	size_t ntrials;
	size_t *queue;         /* indices of trials to run */
	size_t nqueue;
	size_t admitted;      /* trials started so far (index into queue) */
	jolt_variant **variants; /* every variant of the run, owned */
	bool literal;         /* sim:literal was shown the baselines' forms */
	size_t nvariants;
	model_slot *models;
	jolt_store *store;
	int64_t run_id;

	pthread_mutex_t lock; /* everything below, the store and progress */
	pthread_cond_t cond;
	flight *ready;        /* trajectories with a reply to take in */
	flight *ready_tail;
	int inflight;
	int *free_slots;      /* sandbox slots not in use, a stack: one slot
			       * per trajectory in flight */
	int nfree;
	jolt_run_stats stats;
	int fatal;            /* stop the run: store failure, key refused */
	char *fatal_msg;
	/* The first infra error's class and detail: the cause named when
	 * every trial of the run is one. */
	char *first_infra;
	int64_t t0;
	int64_t last_print;
	bool tty;

	/* The writer's queue, under its own lock (never taken with `lock`
	 * held, and `lock` is taken under it only by the writer). */
	pthread_mutex_t wlock;
	pthread_cond_t wcond;  /* the writer: work or closing */
	pthread_cond_t wspace; /* workers: room in the queue */
	finished *whead;
	finished *wtail;
	size_t wlen;
	bool wclosing;
} sched;

struct flight {
	sched *s;
	size_t ti;            /* index into s->trials */
	int slot;
	jolt_traj *tr;
	jolt_model_reply reply;
	/* The turn being asked for: an async backend reads it until it calls
	 * back (and again on each retry), so it lives here, not on a stack. */
	jolt_model_req req;
	int err;
	char *errmsg;         /* the backend's message for err */
	flight *next;
};

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/* ---- variants ------------------------------------------------------------ */

static bool axis_selected(const jolt_run_cfg *cfg, enum jolt_axis a)
{
	if (!cfg->naxes)
		return true;
	for (size_t i = 0; i < cfg->naxes; i++)
		if (!strcmp(cfg->axes[i], jolt_axis_name(a)))
			return true;
	return false;
}

static bool op_selected(const jolt_run_cfg *cfg, const jolt_op *op)
{
	if (!axis_selected(cfg, op->axis))
		return false;
	if (!cfg->nops)
		return true;
	for (size_t i = 0; i < cfg->nops; i++)
		if (!strcmp(cfg->ops[i], op->name))
			return true;
	return false;
}

static int validate_selection(const jolt_run_cfg *cfg)
{
	for (size_t i = 0; i < cfg->naxes; i++) {
		if (!strcmp(cfg->axes[i], "none") && cfg->naxes == 1)
			return 0;
		if (jolt_axis_parse(cfg->axes[i]) < 0)
			return jolt_err_set(JOLT_EUSAGE,
					    "--axes: unknown axis '%s'; expected tool, system, "
					    "user, env, response, or none",
					    cfg->axes[i]);
	}
	for (size_t i = 0; i < cfg->nops; i++) {
		const jolt_op *op = jolt_op_find(cfg->ops[i]);
		if (!op)
			return jolt_err_set(JOLT_EUSAGE,
					    "--ops: unknown operator '%s'; 'jolt ops' lists them",
					    cfg->ops[i]);
		if (!axis_selected(cfg, op->axis))
			return jolt_err_set(JOLT_EUSAGE,
					    "--ops: operator '%s' is on axis %s, which --axes excludes",
					    op->name, jolt_axis_name(op->axis));
	}
	if (cfg->levels & ~0xeu)
		return jolt_err_set(JOLT_EUSAGE, "--levels: levels are 1, 2 and 3");
	return 0;
}

int jolt_run_variants(jolt_variant ***out, size_t *n, const jolt_run_cfg *cfg,
		      const jolt_suite *s, const jolt_task *t)
{
	*out = NULL;
	*n = 0;
	int rc = validate_selection(cfg);
	if (rc)
		return rc;
	if (cfg->naxes == 1 && !strcmp(cfg->axes[0], "none"))
		return 0;
	int nseeds = cfg->variants > 0 ? cfg->variants : 1;
	size_t cap = 16, k = 0;
	jolt_variant **v = jolt_xcalloc(cap, sizeof(*v));
	for (size_t i = 0; i < jolt_op_count(); i++) {
		const jolt_op *op = jolt_op_at(i);
		if (!op_selected(cfg, op))
			continue;
		for (int level = 1; level <= op->max_level; level++) {
			if (cfg->levels && !(cfg->levels & (1u << level)))
				continue;
			for (int si = 0; si < nseeds; si++) {
				jolt_variant *var = NULL;
				rc = jolt_variant_build(&var, s, t, op, level,
							cfg->seed + (uint64_t)si);
				if (rc == JOLT_ENOTFOUND) {
					rc = 0;
					continue;
				}
				if (rc) {
					rc = jolt_err_wrap(rc, "operator %s on %s/%s level %d",
							   op->name, s->name, t->id, level);
					goto fail;
				}
				if (k == cap) {
					cap *= 2;
					v = jolt_xrealloc(v, cap * sizeof(*v));
				}
				v[k++] = var;
			}
		}
	}
	*out = v;
	*n = k;
	return 0;
fail:
	for (size_t i = 0; i < k; i++)
		jolt_variant_free(v[i]);
	free(v);
	return rc;
}

/* ---- task selection ------------------------------------------------------ */

static bool task_selected(const jolt_run_cfg *cfg, const jolt_task *t,
			  bool *matched)
{
	bool keep = cfg->ntasks == 0;
	for (size_t i = 0; i < cfg->ntasks; i++)
		if (!fnmatch(cfg->tasks[i], t->id, 0)) {
			matched[i] = true;
			keep = true;
		}
	return keep;
}

int jolt_run_tasks(jolt_task_ref **out, size_t *n, const jolt_run_cfg *cfg)
{
	*out = NULL;
	*n = 0;
	size_t total = 0, k = 0;
	int rc = 0;
	for (size_t si = 0; si < cfg->nsuites; si++)
		total += cfg->suites[si]->ntasks;
	jolt_task_ref *v = jolt_xcalloc(total + 1, sizeof(*v));
	bool *matched = jolt_xcalloc(cfg->ntasks + 1, sizeof(*matched));
	/* Every pattern is matched against every task, past --limit too, so
	 * that a typo is named whatever the limit. */
	for (size_t si = 0; si < cfg->nsuites; si++) {
		const jolt_suite *su = cfg->suites[si];
		for (size_t ti = 0; ti < su->ntasks; ti++) {
			if (!task_selected(cfg, &su->tasks[ti], matched))
				continue;
			if (cfg->limit > 0 && (long)k >= cfg->limit)
				continue;
			v[k].suite = su;
			v[k].task = &su->tasks[ti];
			k++;
		}
	}
	for (size_t i = 0; i < cfg->ntasks; i++)
		if (!matched[i]) {
			rc = jolt_err_set(JOLT_EUSAGE,
					  "--tasks '%s' matches no task in the suites given; "
					  "task ids are the `id:` of tasks/*.yaml",
					  cfg->tasks[i]);
			break;
		}
	free(matched);
	if (rc) {
		free(v);
		return rc;
	}
	*out = v;
	*n = k;
	return 0;
}

/* ---- progress ------------------------------------------------------------ */

static void progress(sched *s, bool final)
{
	if (s->cfg->quiet)
		return;
	int64_t now = jolt_now_ms();
	if (!final && now - s->last_print < (s->tty ? 100 : 5000))
		return;
	s->last_print = now;
	long done = s->stats.done;
	long queue = (long)s->nqueue;
	long graded = s->stats.passed + s->stats.failed;
	double rate = graded ? 100.0 * (double)s->stats.passed / (double)graded : 0.0;
	double secs = (double)(now - s->t0) / 1000.0;
	double tps = secs > 0 ? (double)done / secs : 0.0;
	long eta = tps > 0 ? (long)((double)(queue - done) / tps) : 0;
	if (s->tty) {
		char bar[31];
		int fill = queue ? (int)(30 * done / queue) : 30;
		for (int i = 0; i < 30; i++)
			bar[i] = i < fill ? '#' : '.';
		bar[30] = '\0';
		fprintf(stderr, "\r[%s] %ld/%ld  pass %.1f%%  infra %ld  %.1f/s  eta %lds ",
			bar, done, queue, rate, s->stats.infra, tps, eta);
		if (final)
			fputc('\n', stderr);
	} else {
		fprintf(stderr, "jolt: %ld/%ld trials, pass %.1f%%, infra %ld, %.1f/s, eta %lds\n",
			done, queue, rate, s->stats.infra, tps, eta);
	}
	fflush(stderr);
}

/* ---- execution ------------------------------------------------------------ */

static void push_ready(sched *s, flight *f)
{
	f->next = NULL;
	if (s->ready_tail)
		s->ready_tail->next = f;
	else
		s->ready = f;
	s->ready_tail = f;
	pthread_cond_signal(&s->cond);
}

/* Backend completion: any thread. */
static void on_reply(void *payload, jolt_model_reply *reply, int err)
{
	flight *f = payload;
	sched *s = f->s;
	if (reply) {
		f->reply = *reply;
		memset(reply, 0, sizeof(*reply));
	}
	f->err = err;
	if (err)
		f->errmsg = jolt_xstrdup(jolt_err_msg());
	pthread_mutex_lock(&s->lock);
	push_ready(s, f);
	pthread_mutex_unlock(&s->lock);
}

static void set_fatal(sched *s, int rc)
{
	pthread_mutex_lock(&s->lock);
	if (!s->fatal) {
		s->fatal = rc;
		s->fatal_msg = jolt_xstrdup(jolt_err_msg());
	}
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

/* Hand a finished trial to the writer: encode its trace here, on the
 * worker, and take r's strings. */
static void store_result(sched *s, flight *f, jolt_trial_result *r)
{
	finished *p = jolt_xcalloc(1, sizeof(*p));
	p->ti = f->ti;
	int rc = jolt_store_encode_trace(&p->trace, &s->trials[f->ti], r);
	if (rc) {
		free(p);
		set_fatal(s, jolt_err_wrap(rc, "%s", s->cfg->out));
		return;
	}
	p->r = *r;
	p->r.trace = NULL;
	r->answer = r->detail = NULL;
	pthread_mutex_lock(&s->wlock);
	while (s->wlen >= WRITE_QUEUE_MAX && !s->wclosing)
		pthread_cond_wait(&s->wspace, &s->wlock);
	if (s->wtail)
		s->wtail->next = p;
	else
		s->whead = p;
	s->wtail = p;
	s->wlen++;
	pthread_cond_signal(&s->wcond);
	pthread_mutex_unlock(&s->wlock);
}

/* Commit one batch, then count its trials done. */
static void write_batch(sched *s, finished *batch, size_t n,
			jolt_store_item *items)
{
	size_t k = 0;
	for (finished *p = batch; p; p = p->next)
		items[k++] = (jolt_store_item){.t = &s->trials[p->ti],
					       .r = &p->r,
					       .trace = p->trace};
	pthread_mutex_lock(&s->lock);
	bool dead = s->fatal != 0;
	pthread_mutex_unlock(&s->lock);
	if (dead)
		return; /* not stored: --resume runs them again */
	int rc = jolt_store_put_batch(s->store, s->run_id, items, n);
	if (rc) {
		set_fatal(s, rc);
		return;
	}
	pthread_mutex_lock(&s->lock);
	for (finished *p = batch; p; p = p->next) {
		s->stats.done++;
		if (p->r.outcome == JOLT_OUTCOME_PASS)
			s->stats.passed++;
		else if (p->r.outcome == JOLT_OUTCOME_FAIL)
			s->stats.failed++;
		else
			s->stats.infra++;
		if (p->r.outcome == JOLT_OUTCOME_INFRA && !s->first_infra)
			s->first_infra = jolt_xasprintf(
			    "%s%s%s", jolt_error_class_name(p->r.error_class),
			    p->r.detail ? ": " : "", p->r.detail ? p->r.detail : "");
	}
	progress(s, false);
	pthread_mutex_unlock(&s->lock);
}

static void *writer(void *arg)
{
	sched *s = arg;
	jolt_store_item *items = jolt_xcalloc(WRITE_BATCH_MAX, sizeof(*items));
	pthread_mutex_lock(&s->wlock);
	for (;;) {
		while (!s->whead && !s->wclosing)
			pthread_cond_wait(&s->wcond, &s->wlock);
		if (!s->whead)
			break;
		finished *batch = s->whead, *last = batch;
		size_t n = 1;
		while (last->next && n < WRITE_BATCH_MAX) {
			last = last->next;
			n++;
		}
		s->whead = last->next;
		if (!s->whead)
			s->wtail = NULL;
		last->next = NULL;
		s->wlen -= n;
		pthread_cond_broadcast(&s->wspace);
		pthread_mutex_unlock(&s->wlock);
		write_batch(s, batch, n, items);
		while (batch) {
			finished *next = batch->next;
			jolt_trial_result_release(&batch->r);
			free(batch->trace);
			free(batch);
			batch = next;
		}
		pthread_mutex_lock(&s->wlock);
	}
	pthread_mutex_unlock(&s->wlock);
	free(items);
	return NULL;
}

static void retire(sched *s, flight *f)
{
	jolt_traj_free(f->tr);
	jolt_model_reply_release(&f->reply);
	free(f->errmsg);
	pthread_mutex_lock(&s->lock);
	s->free_slots[s->nfree++] = f->slot;
	s->inflight--;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
	free(f);
}

/* Drive one trajectory until it waits on the network or is finished. */
static void advance(sched *s, flight *f)
{
	jolt_trial *t = &s->trials[f->ti];
	model_slot *m = &s->models[s->trial_model[f->ti]];
	jolt_trial_result r;
	memset(&r, 0, sizeof(r));

	if (!f->tr) {
		int rc = jolt_traj_new(&f->tr, t, &s->cfg->driver, f->slot);
		if (rc) {
			r.outcome = JOLT_OUTCOME_INFRA;
			r.error_class = JOLT_EC_INFRA_ENV;
			r.detail = jolt_xstrdup(jolt_err_msg());
			store_result(s, f, &r);
			jolt_trial_result_release(&r);
			retire(s, f);
			return;
		}
	} else {
		if (f->err == JOLT_EDENIED) {
			/* The key or the account was refused: every other trial
			 * would be too. Stop the run; this trial is not stored, so
			 * --resume runs it again. */
			pthread_mutex_lock(&s->lock);
			if (!s->fatal) {
				s->fatal = JOLT_EDENIED;
				s->fatal_msg = jolt_xstrdup(f->errmsg ? f->errmsg : "refused");
			}
			pthread_mutex_unlock(&s->lock);
			retire(s, f);
			return;
		}
		if (f->err)
			jolt_err_set(f->err, "%s", f->errmsg ? f->errmsg : "");
		jolt_traj_feed(f->tr, &f->reply, f->err);
		free(f->errmsg);
		f->errmsg = NULL;
		f->err = 0;
	}
	for (;;) {
		jolt_model_req req;
		if (jolt_traj_next(f->tr, &req) == JOLT_TRAJ_DONE)
			break;
		if (m->be->start) {
			f->req = req;
			int rc = m->be->start(m->state, &f->req, on_reply, f);
			if (!rc)
				return; /* on_reply puts f back on the ready queue */
			jolt_traj_feed(f->tr, &f->reply, rc);
			continue;
		}
		jolt_model_reply reply;
		memset(&reply, 0, sizeof(reply));
		int64_t t0 = jolt_now_ms();
		int err = m->be->complete(&reply, m->state, &req);
		if (!reply.latency_ms)
			reply.latency_ms = (long)(jolt_now_ms() - t0);
		jolt_traj_feed(f->tr, &reply, err);
	}
	jolt_traj_finish(f->tr, &r);
	store_result(s, f, &r);
	jolt_trial_result_release(&r);
	retire(s, f);
}

static void *worker(void *arg)
{
	sched *s = arg;
	pthread_mutex_lock(&s->lock);
	for (;;) {
		flight *f = NULL;
		bool stopping = stop_requested || s->fatal;
		/* A free slot is filled before a reply is taken in: with the
		 * workers busy, replies would otherwise always come first and
		 * the trajectories at the model dwindle as trials end. */
		if (!stopping && s->admitted < s->nqueue &&
		    s->inflight < s->cfg->concurrency) {
			f = jolt_xcalloc(1, sizeof(*f));
			f->s = s;
			f->ti = s->queue[s->admitted++];
			f->slot = s->free_slots[--s->nfree];
			s->inflight++;
		} else if (s->ready) {
			f = s->ready;
			s->ready = f->next;
			if (!s->ready)
				s->ready_tail = NULL;
		} else if (s->inflight == 0 &&
			   (stopping || s->admitted >= s->nqueue)) {
			pthread_cond_broadcast(&s->cond);
			break;
		} else {
			/* Wake periodically so a signal is noticed. */
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += 200 * 1000000L;
			if (ts.tv_nsec >= 1000000000L) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000L;
			}
			pthread_cond_timedwait(&s->cond, &s->lock, &ts);
			continue;
		}
		pthread_mutex_unlock(&s->lock);
		advance(s, f);
		pthread_mutex_lock(&s->lock);
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

/* ---- the run -------------------------------------------------------------- */

static json_t *config_json(const jolt_run_cfg *cfg, const jolt_run_stats *st,
			   json_t *rejected, json_t *inapplicable)
{
	json_t *suites = json_array(), *models = json_array();
	json_t *axes = json_array(), *ops = json_array(), *tasks = json_array();
	json_t *scs = json_array();
	for (size_t i = 0; i < cfg->nscaffolds; i++)
		json_array_append_new(scs, json_string(cfg->scaffolds[i]));
	if (!cfg->nscaffolds)
		json_array_append_new(scs, json_string(JOLT_SCAFFOLD_DEFAULT));
	for (size_t i = 0; i < cfg->nsuites; i++)
		json_array_append_new(suites, json_string(cfg->suites[i]->dir));
	for (size_t i = 0; i < cfg->nmodels; i++)
		json_array_append_new(models, json_string(cfg->models[i]));
	for (size_t i = 0; i < cfg->naxes; i++)
		json_array_append_new(axes, json_string(cfg->axes[i]));
	for (size_t i = 0; i < cfg->nops; i++)
		json_array_append_new(ops, json_string(cfg->ops[i]));
	for (size_t i = 0; i < cfg->ntasks; i++)
		json_array_append_new(tasks, json_string(cfg->tasks[i]));
	json_t *o = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:I, s:i, s:i, s:i, s:I, s:i, s:i, s:s, s:i,"
			 " s:I, s:f, s:s, s:i, s:i, s:I, s:o}",
			 "suites", suites, "models", models, "scaffolds", scs,
			 "axes", axes, "ops", ops,
			 "tasks", tasks, "limit", (json_int_t)cfg->limit,
			 "levels", (int)cfg->levels, "variants", cfg->variants,
			 "repeats", cfg->repeats, "seed", (json_int_t)cfg->seed,
			 "concurrency", cfg->concurrency, "workers", cfg->workers,
			 "history", cfg->driver.strip_thinking ? "strip-thinking" : "full",
			 "max_steps", cfg->driver.max_steps, "max_tokens",
			 (json_int_t)cfg->driver.max_tokens, "timeout",
			 cfg->driver.timeout_s, "jolt_version", JOLT_VERSION,
			 "shard_index", cfg->shard_index, "shard_count",
			 cfg->shard_count, "variants_generated",
			 (json_int_t)st->variants, "rejected_variants", rejected);
	/* The variants not run because they change nothing the model is
	 * shown (run/visible.h), as `jolt check` lists them. */
	json_object_set_new(o, "inapplicable_variants", inapplicable);
	/* How network models' servers were verified: recorded so that a
	 * run with verification off says so in every report. */
	const jolt_backend_opts *b = cfg->backend;
	const char *ca = jolt_http_cacert(b ? b->cacert : NULL);
	json_object_set_new(o, "tls_insecure", json_boolean(b && b->insecure));
	json_object_set_new(o, "tls_cacert", ca ? json_string(ca) : json_null());
	return o;
}

static void add_trials(sched *s, size_t *k, const jolt_suite *su,
		       const jolt_task *task, const jolt_variant *v)
{
	const jolt_run_cfg *cfg = s->cfg;
	size_t nsc = cfg->nscaffolds ? cfg->nscaffolds : 1;
	for (int r = 0; r < cfg->repeats; r++)
		for (size_t mi = 0; mi < cfg->nmodels; mi++)
		for (size_t si = 0; si < nsc; si++) {
			jolt_trial *t = &s->trials[*k];
			s->trial_model[*k] = mi;
			(*k)++;
			t->model = cfg->models[mi];
			t->scaffold = cfg->nscaffolds ? cfg->scaffolds[si]
						      : JOLT_SCAFFOLD_DEFAULT;
			t->suite = su;
			t->task = task;
			t->v = v;
			t->variant = v->name;
			t->axis = v->op ? jolt_axis_name(v->op->axis) : JOLT_BASELINE;
			t->op = v->op ? v->op->name : "";
			t->level = v->level;
			t->vseed = v->seed;
			t->repeat = r;
			t->seed = cfg->seed;
			t->key = jolt_trial_key(t);
		}
}

int jolt_run_build(jolt_task_variants **out, const jolt_run_cfg *cfg,
		   const jolt_task_ref *tasks, size_t ntasks)
{
	jolt_task_variants *tv = jolt_xcalloc(ntasks ? ntasks : 1, sizeof(*tv));
	int *rcs = jolt_xcalloc(ntasks ? ntasks : 1, sizeof(*rcs));
	char **msgs = jolt_xcalloc(ntasks ? ntasks : 1, sizeof(*msgs));
	int rc = 0;
	*out = NULL;
#pragma omp parallel for schedule(dynamic) if(JOLT_OMP_PARALLEL)
	for (size_t i = 0; i < ntasks; i++) {
		jolt_variant *base = NULL;
		jolt_variant **vs = NULL;
		size_t nv = 0;
		rcs[i] = jolt_variant_build(&base, tasks[i].suite, tasks[i].task,
					    NULL, 0, 0);
		if (!rcs[i])
			rcs[i] = jolt_run_variants(&vs, &nv, cfg, tasks[i].suite,
						   tasks[i].task);
		if (rcs[i]) {
			msgs[i] = jolt_xstrdup(jolt_err_msg());
			jolt_variant_free(base);
			continue;
		}
		tv[i].v = jolt_xcalloc(nv + 1, sizeof(*tv[i].v));
		tv[i].v[0] = base;
		for (size_t j = 0; j < nv; j++)
			tv[i].v[j + 1] = vs[j];
		tv[i].n = nv + 1;
		free(vs);
	}
	for (size_t i = 0; i < ntasks; i++) {
		if (rcs[i] && !rc)
			rc = jolt_err_set(rcs[i], "%s", msgs[i]);
		free(msgs[i]);
	}
	free(rcs);
	free(msgs);
	if (rc)
		jolt_task_variants_free(tv, ntasks);
	else
		*out = tv;
	return rc;
}

void jolt_task_variants_free(jolt_task_variants *tv, size_t ntasks)
{
	for (size_t i = 0; tv && i < ntasks; i++) {
		for (size_t j = 0; j < tv[i].n; j++)
			jolt_variant_free(tv[i].v[j]);
		free(tv[i].v);
	}
	free(tv);
}

/* Whether a model of the run is the in-process sim:literal, which reads
 * the form of each task's baseline tool results (model/sim.h). */
static bool runs_literal(const sched *s)
{
	for (size_t i = 0; i < s->cfg->nmodels; i++)
		if (!strcmp(s->models[i].spec.provider, "sim") &&
		    s->models[i].spec.model &&
		    !strcmp(s->models[i].spec.model, "literal"))
			return true;
	return false;
}

/* Whether the variants of the task whose baseline is s->variants[b]
 * (it comes first, its variants after it) need its oracle's trace to be
 * judged visible (run/visible.h). */
static bool task_needs_trace(const sched *s, size_t b)
{
	for (size_t i = b + 1; i < s->nvariants && s->variants[i]->op; i++)
		if (jolt_visible_needs_trace(s->variants[i]))
			return true;
	return false;
}

/* Build every variant of the selected tasks, skip those that change
 * nothing the model is shown and refuse those whose oracle fails, expand
 * trials. */
static int expand(sched *s, jolt_run_stats *st, json_t *rejected,
		  json_t *inapplicable, const jolt_task_ref *tasks,
		  size_t ntasks)
{
	const jolt_run_cfg *cfg = s->cfg;
	jolt_task_variants *per = NULL;
	jolt_replay *checks = NULL;
	jolt_execmemo *memo = NULL;
	size_t nchecks = 0;
	size_t k = 0;
	int rc = jolt_run_build(&per, cfg, tasks, ntasks);
	if (rc)
		goto done;

	/* Own every variant in one flat array; replay the oracle of the
	 * non-baselines. */
	for (size_t i = 0; i < ntasks; i++)
		s->nvariants += per[i].n;
	s->variants = jolt_xcalloc(s->nvariants ? s->nvariants : 1, sizeof(*s->variants));
	size_t nv = 0;
	for (size_t i = 0; i < ntasks; i++) {
		for (size_t j = 0; j < per[i].n; j++)
			s->variants[nv++] = per[i].v[j];
		per[i].n = 0; /* taken */
	}
	st->variants = (long)(s->nvariants - ntasks);

	/* checks[i] is the replay of s->variants[i]. A baseline's oracle is
	 * replayed, for its trace, only when its tool results are needed:
	 * to judge whether a response variant changes one, or to show an
	 * in-process sim:literal their form; else it stays unset. Those
	 * replays (one per task) go first, apart and silent, as `jolt
	 * check` makes them. */
	bool literal = s->literal = runs_literal(s);
	/* One memo for both passes, as `jolt check` shares one: the
	 * variants' commands on the baselines' trees are answered. */
	memo = cfg->cache ? jolt_execmemo_new() : NULL;
	checks = jolt_xcalloc(s->nvariants ? s->nvariants : 1, sizeof(*checks));
	nchecks = s->nvariants;
	jolt_replay *pending = jolt_xcalloc(s->nvariants ? s->nvariants : 1, sizeof(*pending));
	size_t *where = jolt_xcalloc(s->nvariants ? s->nvariants : 1, sizeof(*where));
	size_t npending = 0;
	for (size_t i = 0; i < s->nvariants; i++)
		if (!s->variants[i]->op &&
		    (literal || task_needs_trace(s, i))) {
			pending[npending].v = s->variants[i];
			pending[npending].trace = true;
			where[npending++] = i;
		}
	if (npending > 0) {
		/* The cache keeps baselines' traces too: a warm pre-check
		 * replays nothing. */
		jolt_replay_opts bo = {.cache = cfg->cache,
				       .workers = cfg->workers,
				       .no_memo = !cfg->cache,
				       .memo = memo,
				       .stop = &stop_requested};
		rc = jolt_replay_run(pending, npending, &cfg->driver, &bo);
	}
	for (size_t j = 0; j < npending; j++)
		checks[where[j]] = pending[j]; /* taken */
	memset(pending, 0, npending * sizeof(*pending));
	npending = 0;
	for (size_t i = 0; i < s->nvariants && !rc; i++)
		if (s->variants[i]->op) {
			pending[npending].v = s->variants[i];
			where[npending++] = i;
		}
	if (npending > 0) {
		jolt_replay_opts ro = {
			.cache = cfg->cache,
			.workers = cfg->workers,
			.progress = cfg->quiet ? NULL : "pre-check",
			/* --no-cache: every command is run, too. */
			.no_memo = !cfg->cache,
			.memo = memo,
			.stop = &stop_requested,
		};
		rc = jolt_replay_run(pending, npending, &cfg->driver, &ro);
	}
	if (rc && stop_requested)
		rc = jolt_err_set(JOLT_EINFRA,
				  "interrupted during the pre-check: no trial "
				  "ran; the replays done are cached, so running "
				  "again starts from them");
	for (size_t j = 0; j < npending; j++)
		checks[where[j]] = pending[j];
	free(pending);
	free(where);
	if (rc)
		goto done;
	size_t ntr = 0;
	size_t bi = 0; /* the baseline of variant i: they come task by task */
	for (size_t i = 0; i < s->nvariants; i++) {
		const jolt_variant *v = s->variants[i];
		if (!v->op) {
			bi = i;
			if (literal)
				jolt_visible_expect_literal(v, checks[i].res.trace);
			ntr++;
			continue;
		}
		/* An invariant variant that changes nothing the model is
		 * shown is not applicable to the task: not run, not counted,
		 * judged as `jolt check` judges it. A response variant is
		 * judged on the baseline oracle's tool results (without them,
		 * after a harness fault, it counts as visible). */
		char *unseen = NULL;
		if (!jolt_visible(&unseen, s->variants[bi], v,
				  checks[bi].res.trace)) {
			st->inapplicable++;
			json_array_append_new(inapplicable,
					      json_pack("{s:s, s:s, s:s}", "suite",
							v->suite->name, "variant",
							v->name, "why", unseen));
			free(unseen);
			checks[i].rc = JOLT_ENOTFOUND; /* skipped below */
			continue;
		}
		if (!jolt_replay_passed(&checks[i])) {
			const char *why = jolt_replay_why(&checks[i]);
			st->rejected++;
			json_array_append_new(rejected,
					      json_pack("{s:s, s:s, s:s}", "suite",
							v->suite->name, "variant",
							v->name, "why", why));
			if (!cfg->quiet)
				fprintf(stderr, "jolt: refusing variant %s: its oracle fails: %s\n",
					v->name, why);
			continue;
		}
		ntr++;
	}
	size_t per_variant = (size_t)cfg->repeats * cfg->nmodels *
			     (cfg->nscaffolds ? cfg->nscaffolds : 1);
	s->trials = jolt_xcalloc(ntr * per_variant + 1, sizeof(*s->trials));
	s->trial_model = jolt_xcalloc(ntr * per_variant + 1,
				      sizeof(*s->trial_model));
	k = 0;
	for (size_t i = 0; i < s->nvariants; i++) {
		const jolt_variant *v = s->variants[i];
		if (v->op && (checks[i].rc == JOLT_ENOTFOUND ||
			      !jolt_replay_passed(&checks[i])))
			continue;
		add_trials(s, &k, v->suite, v->task, v);
	}
	s->ntrials = k;
done:
	jolt_execmemo_free(memo);
	jolt_replay_release(checks, nchecks);
	free(checks);
	jolt_task_variants_free(per, ntasks);
	return rc;
}

bool jolt_run_in_shard(const char *key, int index, int count)
{
	if (count <= 1)
		return true;
	/* By the trial's key, not its place in the expansion: a shard holds
	 * the same trials whatever else the run selects, and a trial key
	 * never moves between shards when the suite grows. */
	return jolt_hash_str(JOLT_SHARD_SEED, key) % (uint64_t)count ==
	       (uint64_t)index;
}

int jolt_run(jolt_run_stats *out, const jolt_run_cfg *cfg)
{
	sched s;
	memset(&s, 0, sizeof(s));
	s.cfg = cfg;
	pthread_mutex_init(&s.lock, NULL);
	pthread_cond_init(&s.cond, NULL);
	pthread_mutex_init(&s.wlock, NULL);
	pthread_cond_init(&s.wcond, NULL);
	pthread_cond_init(&s.wspace, NULL);
	pthread_t wth;
	int rc = 0;
	size_t nopen = 0;
	pthread_t *th = NULL;
	json_t *conf = NULL;
	json_t *rejected = json_array();
	json_t *inapplicable = json_array();
	jolt_task_ref *tasks = NULL;
	size_t ntasks = 0;
	memset(out, 0, sizeof(*out));
	/* From the start: a signal during a long pre-check stops the run
	 * (the replays done are cached) instead of being lost, as it would
	 * be in a shell's background job, which starts with SIGINT
	 * ignored. */
	stop_requested = 0;
	struct sigaction sa, old_int, old_term;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);

	rc = validate_selection(cfg);
	if (!rc)
		rc = jolt_run_tasks(&tasks, &ntasks, cfg);
	if (rc)
		goto done;
	/* Models first: a bad --model is a usage error before any work. */
	s.models = jolt_xcalloc(cfg->nmodels, sizeof(*s.models));
	for (size_t i = 0; i < cfg->nmodels; i++) {
		model_slot *m = &s.models[i];
		rc = jolt_model_spec_parse(&m->spec, cfg->models[i]);
		if (rc)
			goto done;
		m->spec.opts = cfg->backend;
		m->be = jolt_backend_find(m->spec.provider);
		if (!m->be) {
			rc = jolt_err_set(JOLT_EUSAGE,
					  "--model %s: unknown provider '%s'; known: sim, openai, "
					  "anthropic, m2",
					  cfg->models[i], m->spec.provider);
			goto done;
		}
		rc = m->be->open(&m->state, &m->spec);
		if (rc)
			goto done;
		nopen = i + 1;
	}

	rc = jolt_store_open(&s.store, cfg->out);
	if (rc)
		goto done;
	int64_t stored = 0;
	rc = jolt_store_count(s.store, &stored);
	if (rc)
		goto done;
	if (stored > 0 && !cfg->resume) {
		rc = jolt_err_set(JOLT_EUSAGE,
				  "%s already holds %lld trials: pass --resume to finish "
				  "that run, or choose another --out",
				  cfg->out, (long long)stored);
		goto done;
	}
	rc = expand(&s, out, rejected, inapplicable, tasks, ntasks);
	if (rc)
		goto done;
	s.queue = jolt_xcalloc(s.ntrials ? s.ntrials : 1, sizeof(*s.queue));
	for (size_t i = 0; i < s.ntrials; i++) {
		if (!jolt_run_in_shard(s.trials[i].key, cfg->shard_index,
				       cfg->shard_count))
			continue;
		out->total++;
		if (cfg->resume) {
			bool have = false;
			rc = jolt_store_has_trial(s.store, s.trials[i].key, &have);
			if (rc)
				goto done;
			if (have) {
				out->skipped++;
				continue;
			}
		}
		s.queue[s.nqueue++] = i;
	}
	conf = config_json(cfg, out, json_incref(rejected),
			   json_incref(inapplicable));
	rc = jolt_store_begin_run(s.store, conf, &s.run_id);
	if (rc)
		goto done;

	s.tty = isatty(2);
	s.t0 = jolt_now_ms();
	if (!cfg->quiet && out->skipped)
		fprintf(stderr, "jolt: resuming: %ld of %ld trials already stored\n",
			out->skipped, out->total);
	int conc = cfg->concurrency > 0 ? cfg->concurrency : 1;
	((jolt_run_cfg *)cfg)->concurrency = conc;
	s.free_slots = jolt_xcalloc((size_t)conc, sizeof(*s.free_slots));
	/* Popped from the end: slot 0 first. */
	for (int i = 0; i < conc; i++)
		s.free_slots[s.nfree++] = conc - 1 - i;
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	int nth = cfg->workers > 0 ? cfg->workers : cores > 0 ? (int)cores : 1;
	if (nth > conc)
		nth = conc;
	th = jolt_xcalloc((size_t)nth, sizeof(*th));
	if (pthread_create(&wth, NULL, writer, &s) != 0) {
		rc = jolt_err_set(JOLT_EINFRA, "cannot start the store's writer thread");
		goto done;
	}
	int started = 0;
	for (int i = 0; i < nth; i++) {
		if (pthread_create(&th[i], NULL, worker, &s) != 0)
			break;
		started++;
	}
	if (started == 0)
		worker(&s);
	for (int i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	pthread_mutex_lock(&s.wlock);
	s.wclosing = true;
	pthread_cond_signal(&s.wcond);
	pthread_mutex_unlock(&s.wlock);
	pthread_join(wth, NULL);
	progress(&s, true);

	out->done = s.stats.done;
	out->passed = s.stats.passed;
	out->failed = s.stats.failed;
	out->infra = s.stats.infra;
	if (s.fatal) {
		rc = jolt_err_set(s.fatal == JOLT_EDENIED ? JOLT_EINFRA : s.fatal,
				  "%s; %ld trials stored, rerun with --resume after fixing it",
				  s.fatal_msg, out->done + out->skipped);
	} else if (stop_requested) {
		rc = jolt_err_set(JOLT_EINFRA,
				  "interrupted: %ld trials stored; rerun with --resume to finish",
				  out->done + out->skipped);
	} else if (out->done > 0 && out->infra == out->done) {
		/* Nothing was graded: the run measured its endpoint, not its
		 * model, and a CI job must not read that as a pass. */
		rc = jolt_err_set(JOLT_EINFRA,
				  "every one of the %ld trials ended in an infra "
				  "error, the first with %s; check the --model "
				  "URL and that the endpoint is up, then run "
				  "again into a new --out",
				  out->done,
				  s.first_infra ? s.first_infra : "no detail");
	}
done:
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	for (size_t i = 0; i < cfg->nmodels && s.models; i++) {
		if (i < nopen)
			s.models[i].be->close(s.models[i].state);
		jolt_model_spec_release(&s.models[i].spec);
	}
	free(s.models);
	for (size_t i = 0; i < s.ntrials; i++)
		free(s.trials[i].key);
	free(s.trials);
	free(s.trial_model);
	for (size_t i = 0; i < s.nvariants; i++)
		jolt_variant_free(s.variants[i]);
	free(s.variants);
	free(s.queue);
	free(s.free_slots);
	free(th);
	free(s.fatal_msg);
	free(s.first_infra);
	free(tasks);
	json_decref(conf);
	json_decref(rejected);
	json_decref(inapplicable);
	if (s.literal)
		jolt_sim_literal_forget();
	jolt_store_close(s.store);
	pthread_cond_destroy(&s.wspace);
	pthread_cond_destroy(&s.wcond);
	pthread_mutex_destroy(&s.wlock);
	pthread_cond_destroy(&s.cond);
	pthread_mutex_destroy(&s.lock);
	return rc;
}
