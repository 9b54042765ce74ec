/*
 * run.c - the run scheduler (see run.h).
 *
 * Trials are expanded in a fixed order (suite, task, model, repeat) so a
 * shard or a resumed run picks the same slice on every machine. Workers
 * pull the next index from a shared counter; each finished trial is
 * committed to the store under one mutex before the next is taken, so a
 * killed run loses at most the trials in flight. SIGINT and SIGTERM stop
 * the dispatch of new trials; those in flight finish and are stored.
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend.h"
#include "common.h"
#include "run.h"
#include "store.h"

typedef struct model_slot {
	const jolt_backend *be;
	void *state;
	jolt_model_spec spec;
} model_slot;

typedef struct sched {
	const jolt_run_cfg *cfg;
	jolt_trial *trials;
	size_t ntrials;
	size_t *todo;        /* indices of trials to run */
	size_t ntodo;
	atomic_size_t next;
	model_slot *models;
	jolt_store *store;
	int64_t run_id;
	pthread_mutex_t lock; /* store, stats, progress */
	jolt_run_stats stats;
	int store_error;
	char *store_error_msg;
	int64_t t0;
	int64_t last_print;
	bool tty;
} sched;

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void progress(sched *s, bool final)
{
	if (s->cfg->quiet)
		return;
	int64_t now = jolt_now_ms();
	if (!final && now - s->last_print < (s->tty ? 100 : 5000))
		return;
	s->last_print = now;
	long done = s->stats.done;
	long todo = (long)s->ntodo;
	long graded = s->stats.passed + s->stats.failed;
	double rate = graded ? 100.0 * (double)s->stats.passed / (double)graded : 0.0;
	double secs = (double)(now - s->t0) / 1000.0;
	double tps = secs > 0 ? (double)done / secs : 0.0;
	long eta = tps > 0 ? (long)((double)(todo - done) / tps) : 0;
	if (s->tty) {
		char bar[31];
		int fill = todo ? (int)(30 * done / todo) : 30;
		for (int i = 0; i < 30; i++)
			bar[i] = i < fill ? '#' : '.';
		bar[30] = '\0';
		fprintf(stderr, "\r[%s] %ld/%ld  pass %.1f%%  infra %ld  %.1f/s  eta %lds ",
			bar, done, todo, rate, s->stats.infra, tps, eta);
		if (final)
			fputc('\n', stderr);
	} else {
		fprintf(stderr, "jolt: %ld/%ld trials, pass %.1f%%, infra %ld, %.1f/s, eta %lds\n",
			done, todo, rate, s->stats.infra, tps, eta);
	}
	fflush(stderr);
}

static void *worker(void *arg)
{
	void **a = arg;
	sched *s = a[0];
	int slot = (int)(intptr_t)a[1];
	for (;;) {
		if (stop_requested)
			break;
		pthread_mutex_lock(&s->lock);
		bool failed = s->store_error != 0;
		pthread_mutex_unlock(&s->lock);
		if (failed)
			break;
		size_t i = atomic_fetch_add(&s->next, 1);
		if (i >= s->ntodo)
			break;
		size_t ti = s->todo[i];
		jolt_trial *t = &s->trials[ti];
		model_slot *m = &s->models[ti % s->cfg->nmodels];
		jolt_trial_result r;
		memset(&r, 0, sizeof(r));
		int rc = jolt_trial_run(&r, t, m->be, m->state, &s->cfg->driver, slot);
		if (rc) {
			/* The driver could not even start: record as infra. */
			jolt_trial_result_release(&r);
			r.outcome = JOLT_OUTCOME_INFRA;
			r.error_class = JOLT_EC_INFRA_ENV;
			r.detail = jolt_xstrdup(jolt_err_msg());
		}
		pthread_mutex_lock(&s->lock);
		rc = jolt_store_put_trial(s->store, s->run_id, t, &r);
		if (rc && !s->store_error) {
			s->store_error = rc;
			s->store_error_msg = jolt_xstrdup(jolt_err_msg());
		}
		if (!rc) {
			s->stats.done++;
			if (r.outcome == JOLT_OUTCOME_PASS)
				s->stats.passed++;
			else if (r.outcome == JOLT_OUTCOME_FAIL)
				s->stats.failed++;
			else
				s->stats.infra++;
			progress(s, false);
		}
		pthread_mutex_unlock(&s->lock);
		jolt_trial_result_release(&r);
	}
	return NULL;
}

static json_t *config_json(const jolt_run_cfg *cfg)
{
	json_t *suites = json_array(), *models = json_array();
	for (size_t i = 0; i < cfg->nsuites; i++)
		json_array_append_new(suites, json_string(cfg->suites[i]->dir));
	for (size_t i = 0; i < cfg->nmodels; i++)
		json_array_append_new(models, json_string(cfg->models[i]));
	return json_pack("{s:o, s:o, s:i, s:I, s:i, s:s, s:i, s:I, s:f, s:s, s:i, s:i}",
			 "suites", suites, "models", models, "repeats",
			 cfg->repeats, "seed", (json_int_t)cfg->seed,
			 "concurrency", cfg->concurrency, "history",
			 cfg->driver.strip_thinking ? "strip-thinking" : "full",
			 "max_steps", cfg->driver.max_steps, "max_tokens",
			 (json_int_t)cfg->driver.max_tokens, "timeout",
			 cfg->driver.timeout_s, "jolt_version", JOLT_VERSION,
			 "shard_index", cfg->shard_index, "shard_count",
			 cfg->shard_count);
}

static void expand(sched *s)
{
	const jolt_run_cfg *cfg = s->cfg;
	size_t n = 0;
	for (size_t si = 0; si < cfg->nsuites; si++)
		n += cfg->suites[si]->ntasks * cfg->nmodels * (size_t)cfg->repeats;
	s->trials = jolt_xcalloc(n, sizeof(*s->trials));
	size_t k = 0;
	for (size_t si = 0; si < cfg->nsuites; si++) {
		const jolt_suite *su = cfg->suites[si];
		for (size_t ti = 0; ti < su->ntasks; ti++)
			for (int r = 0; r < cfg->repeats; r++)
				for (size_t mi = 0; mi < cfg->nmodels; mi++) {
					jolt_trial *t = &s->trials[k++];
					t->model = cfg->models[mi];
					t->scaffold = "native";
					t->suite = su;
					t->task = &su->tasks[ti];
					t->variant = "baseline";
					t->axis = "baseline";
					t->op = "";
					t->repeat = r;
					t->seed = cfg->seed;
					t->key = jolt_trial_key(t);
				}
	}
	s->ntrials = k;
}

int jolt_run(jolt_run_stats *out, const jolt_run_cfg *cfg)
{
	sched s;
	memset(&s, 0, sizeof(s));
	s.cfg = cfg;
	pthread_mutex_init(&s.lock, NULL);
	int rc = 0;
	size_t nopen = 0;
	pthread_t *th = NULL;
	void **args = NULL;
	json_t *conf = NULL;
	memset(out, 0, sizeof(*out));

	/* Models first: a bad --model is a usage error before any work. */
	s.models = jolt_xcalloc(cfg->nmodels, sizeof(*s.models));
	for (size_t i = 0; i < cfg->nmodels; i++) {
		model_slot *m = &s.models[i];
		rc = jolt_model_spec_parse(&m->spec, cfg->models[i]);
		if (rc)
			goto done;
		m->be = jolt_backend_find(m->spec.provider);
		if (!m->be) {
			rc = jolt_err_set(JOLT_EUSAGE,
					  "--model %s: unknown provider '%s'; known: sim",
					  cfg->models[i], m->spec.provider);
			goto done;
		}
		rc = m->be->open(&m->state, &m->spec);
		if (rc)
			goto done;
		nopen = i + 1;
	}

	expand(&s);
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
	s.todo = jolt_xcalloc(s.ntrials ? s.ntrials : 1, sizeof(*s.todo));
	for (size_t i = 0; i < s.ntrials; i++) {
		if (cfg->shard_count > 1 && (int)(i % (size_t)cfg->shard_count) != cfg->shard_index)
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
		s.todo[s.ntodo++] = i;
	}
	conf = config_json(cfg);
	rc = jolt_store_begin_run(s.store, conf, &s.run_id);
	if (rc)
		goto done;

	s.tty = isatty(2);
	s.t0 = jolt_now_ms();
	if (!cfg->quiet && out->skipped)
		fprintf(stderr, "jolt: resuming: %ld of %ld trials already stored\n",
			out->skipped, out->total);
	stop_requested = 0;
	struct sigaction sa, old_int, old_term;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);

	int nth = cfg->concurrency > 0 ? cfg->concurrency : 1;
	if ((size_t)nth > s.ntodo)
		nth = s.ntodo ? (int)s.ntodo : 1;
	th = jolt_xcalloc((size_t)nth, sizeof(*th));
	args = jolt_xcalloc((size_t)nth * 2, sizeof(*args));
	int started = 0;
	for (int i = 0; i < nth; i++) {
		args[2 * i] = &s;
		args[2 * i + 1] = (void *)(intptr_t)i;
		if (pthread_create(&th[i], NULL, worker, &args[2 * i]) != 0)
			break;
		started++;
	}
	if (started == 0)
		worker((void *[]){&s, (void *)(intptr_t)0});
	for (int i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	progress(&s, true);

	out->done = s.stats.done;
	out->passed = s.stats.passed;
	out->failed = s.stats.failed;
	out->infra = s.stats.infra;
	if (s.store_error) {
		rc = jolt_err_set(s.store_error, "%s", s.store_error_msg);
	} else if (stop_requested) {
		rc = jolt_err_set(JOLT_EINFRA,
				  "interrupted: %ld trials stored; rerun with --resume to finish",
				  out->done + out->skipped);
	}
done:
	for (size_t i = 0; i < cfg->nmodels && s.models; i++) {
		if (i < nopen)
			s.models[i].be->close(s.models[i].state);
		jolt_model_spec_release(&s.models[i].spec);
	}
	free(s.models);
	for (size_t i = 0; i < s.ntrials; i++)
		free(s.trials[i].key);
	free(s.trials);
	free(s.todo);
	free(th);
	free(args);
	free(s.store_error_msg);
	json_decref(conf);
	jolt_store_close(s.store);
	pthread_mutex_destroy(&s.lock);
	return rc;
}
