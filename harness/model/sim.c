/*
 * sim.c - the simulated model's policy.
 *
 * The policy replays the task's oracle one step per model turn: a `call`
 * step becomes a tool call, an `answer` step becomes the final answer.
 * Where the profile says so it makes a mistake instead. Every decision is
 * a hash of (run seed, trial key, what is being decided), so the same
 * trial behaves identically on every machine and in every process, which
 * is what lets `jolt serve` and the in-process backend agree, and lets a
 * test assert that the harness measures exactly what was planted.
 *
 * Mistakes:
 *  - axis: on a variant that perturbs axis A, with probability axis[A] per
 *    trial, make the variant's characteristic mistake (perturb.h: call
 *    the old tool name, open the old path, give up after the tool error,
 *    obey the injected text, guess instead of asking). `jolt check`
 *    verifies that every variant's mistake fails its graders, so the
 *    planted probability is exactly the expected drop;
 *  - noise: with probability `noise` per trial, give up at the first turn
 *    with a non-answer (nothing done, so every grader fails);
 *  - difficulty: a share of the tasks, picked by a hash of the task id,
 *    is too hard: the policy gives up on them at once, on the baseline
 *    and every variant and repeat (a 70% baseline whose failures are
 *    the same tasks every time, so pairing matters);
 *  - thinking: when the history lacks the policy's own earlier thinking
 *    (--history strip-thinking), lose track with probability `thinking`
 *    per trial: answer without finishing the work.
 *
 * Two profiles read no label at all (see sim.h), so `jolt check` can use
 * them to check the perturbations rather than the harness's bookkeeping:
 *  - literal replays the task's own (baseline) oracle word for word,
 *    whatever the variant shows: the original tool and parameter names,
 *    the original paths, the original answer. Like a script run with
 *    `set -e`, it cannot recover from an error: the first tool result
 *    that comes back as an error ends it with a give-up. Where it fails
 *    a variant, the perturbation changed the mechanics of the task (its
 *    "teeth"), not merely its looks;
 *  - null answers JOLT_SIM_NULL_ANSWER at once without a call: no task
 *    should pass that.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/common.h"
#include "perturb/perturb.h"
#include "model/sim.h"
#include "scaffolds/scaffold.h"

/* Named profiles. brittle is what `make demo` shows: visibly imperfect. */
static const struct {
	const char *name;
	jolt_sim_profile p;
} named[] = {
	{"oracle", {JOLT_SIM_SCRIPTED, {0, 0, 0, 0, 0}, 0, 0, {0}, 0}},
	/* robust: never thrown by a perturbation, but noisy and somewhat
	 * dependent on its thinking: measured drops must be ~0. */
	{"robust", {JOLT_SIM_SCRIPTED, {0, 0, 0, 0, 0}, 0.1, 0.05, {0}, 0}},
	/* brittle also struggles outside its home scaffold: xml, json and
	 * react in registry order after native. */
	{"brittle", {JOLT_SIM_SCRIPTED, {0.6, 0.3, 0.4, 0.5, 0.6}, 0.5, 0.15,
		     {0, 0.2, 0.3, 0.4}, 0}},
	{"literal", {JOLT_SIM_LITERAL, {0}, 0, 0, {0}, 0}},
	{"null", {JOLT_SIM_NULL, {0}, 0, 0, {0}, 0}},
};

static int parse_unit(double *out, const char *key, const char *val)
{
	char *end;
	double v = strtod(val, &end);
	if (end == val || *end || !(v >= 0.0 && v <= 1.0))
		return jolt_err_set(JOLT_EUSAGE,
				    "sim profile: '%s=%s': expected a number from 0 to 1",
				    key, val);
	*out = v;
	return 0;
}

/* The sensitivity slot of text scaffold `name`. */
static int scaffold_slot(double **out, jolt_sim_profile *p, const char *name)
{
	for (size_t i = 0; jolt_scaffolds[i] && i < JOLT_SIM_SCAFFOLDS; i++) {
		if (strcmp(jolt_scaffolds[i]->name, name))
			continue;
		if (!(jolt_scaffolds[i]->flags & JOLT_SCAFFOLD_TEXT))
			return jolt_err_set(JOLT_EUSAGE,
					    "sim profile: scaffold.%s: the simulator's "
					    "home scaffold has no sensitivity", name);
		*out = &p->scaffold[i];
		return 0;
	}
	return jolt_err_set(JOLT_EUSAGE, "sim profile: scaffold.%s: unknown "
			    "scaffold (known: %s)", name, jolt_scaffold_names());
}

int jolt_sim_profile_parse(jolt_sim_profile *out, const char *spec)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < JOLT_ARRAY_LEN(named); i++) {
		if (!strcmp(spec, named[i].name)) {
			*out = named[i].p;
			return 0;
		}
	}
	if (!strchr(spec, '='))
		return jolt_err_set(JOLT_EUSAGE,
				    "unknown sim profile '%s': use oracle, robust, brittle, "
				    "literal, null, or key=value pairs such as tool=0.6,noise=0.05",
				    spec);
	char *copy = jolt_xstrdup(spec);
	int rc = 0;
	char *save = NULL;
	for (char *tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');
		if (!eq) {
			rc = jolt_err_set(JOLT_EUSAGE,
					  "sim profile: '%s': expected key=value", tok);
			goto done;
		}
		*eq = '\0';
		const char *key = tok, *val = eq + 1;
		int axis = jolt_axis_parse(key);
		double *slot = NULL;
		if (axis >= 0)
			slot = &out->axis[axis];
		else if (!strncmp(key, "scaffold.", 9)) {
			rc = scaffold_slot(&slot, out, key + 9);
			if (rc)
				goto done;
		}
		else if (!strcmp(key, "thinking"))
			slot = &out->thinking;
		else if (!strcmp(key, "noise"))
			slot = &out->noise;
		else if (!strcmp(key, "difficulty"))
			slot = &out->difficulty;
		else {
			rc = jolt_err_set(JOLT_EUSAGE,
					  "sim profile: unknown key '%s'; expected tool, system, "
					  "user, env, response, thinking, noise, difficulty or "
					  "scaffold.NAME",
					  key);
			goto done;
		}
		rc = parse_unit(slot, key, val);
		if (rc)
			goto done;
	}
done:
	free(copy);
	return rc;
}

/* A reproducible draw in [0,1) for one named decision of one trial. The
 * trial is identified without its model and scaffold (the first two
 * fields of the key), so the same policy decides the same way whether it
 * runs in process as sim:P or behind `jolt serve` as openai:sim:P@URL. */
static double draw(const jolt_model_req *req, const char *what)
{
	const char *id = req->trial->key;
	for (int i = 0; i < 2 && id; i++) {
		const char *bar = strchr(id, '|');
		id = bar ? bar + 1 : id;
	}
	uint64_t h = jolt_hash_str(req->trial->seed, id ? id : "");
	return jolt_hash_unit(jolt_hash_str(h, what));
}

/* Seed of the task-difficulty hash: fixed, so a task is hard or easy
 * for a profile in every run. */
#define SIM_DIFFICULTY_SEED 0x6a6f6c7468617264ULL /* "jolthard" */

bool jolt_sim_task_hard(const jolt_sim_profile *p, const char *task_id)
{
	return p->difficulty > 0.0 &&
	       jolt_hash_unit(jolt_hash_str(SIM_DIFFICULTY_SEED,
					    task_id ? task_id : "")) <
		   p->difficulty;
}

/* Whether the history still holds this policy's thinking for every earlier
 * assistant turn. */
static bool thinking_intact(const json_t *messages)
{
	size_t i;
	json_t *m;
	json_array_foreach(messages, i, m) {
		const char *role = json_string_value(json_object_get(m, "role"));
		if (!role || strcmp(role, "assistant"))
			continue;
		const char *th = json_string_value(json_object_get(m, "thinking"));
		if (!th || !strstr(th, "plan:"))
			return false;
	}
	return true;
}

static json_t *assistant(const char *thinking, const char *content)
{
	return json_pack("{s:s, s:s, s:s}", "role", "assistant", "content",
			 content, "thinking", thinking);
}

static long approx_tokens(const json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT);
	long n = s ? (long)(strlen(s) / 4) + 1 : 1;
	free(s);
	return n;
}

/* The turn `msg` (taken) as the policy writes it under the trial's
 * scaffold: calls in the scaffold's syntax, or, thrown by an unfamiliar
 * scaffold with its planted probability, in the next text scaffold's
 * syntax, which the framework does not recognise as a call and takes as
 * the final answer: the trial fails, so the planted probability is the
 * expected drop against native on tasks that need a call. */
static json_t *in_scaffold(const jolt_sim_profile *p, const jolt_model_req *req,
			   json_t *msg)
{
	const char *name = req->trial->scaffold ? req->trial->scaffold
						: JOLT_SCAFFOLD_DEFAULT;
	size_t i = 0;
	while (jolt_scaffolds[i] && strcmp(jolt_scaffolds[i]->name, name))
		i++;
	const jolt_scaffold *sc = jolt_scaffolds[i];
	if (!sc || !(sc->flags & JOLT_SCAFFOLD_TEXT))
		return msg;
	const jolt_scaffold *as = sc;
	if (i < JOLT_SIM_SCAFFOLDS && json_array_size(json_object_get(msg, "tool_calls")) &&
	    draw(req, "scaffold") < p->scaffold[i]) {
		do {
			as = jolt_scaffolds[++i] ? jolt_scaffolds[i] : jolt_scaffolds[i = 0];
		} while (!(as->flags & JOLT_SCAFFOLD_TEXT));
	}
	json_t *written = NULL;
	if (jolt_scaffold_write_turn(&written, as, msg) != 0)
		return msg;
	json_decref(msg);
	return written;
}

/* sim:literal's expectations: {"SUITE/TASK": [form, ...]}. `jolt serve`
 * adds a task's while other requests read others': the lock guards the
 * table, and a reader keeps a reference to the array it reads. */
static json_t *literal_forms;
static pthread_mutex_t literal_lock = PTHREAD_MUTEX_INITIALIZER;

char *jolt_sim_form(const char *text)
{
	jolt_buf b;
	jolt_buf_init(&b, 0);
	for (const unsigned char *p = (const unsigned char *)text; p && *p;) {
		if (isalnum(*p)) {
			jolt_buf_addc(&b, 'a');
			while (isalnum(*p))
				p++;
		} else if (isspace(*p)) {
			jolt_buf_addc(&b, ' ');
			while (isspace(*p))
				p++;
		} else {
			jolt_buf_addc(&b, (char)*p++);
		}
	}
	return jolt_buf_detach(&b);
}

static char *literal_key(const char *suite, const char *task)
{
	return jolt_xasprintf("%s/%s", suite ? suite : "", task ? task : "");
}

void jolt_sim_literal_expect(const char *suite, const char *task,
			     const json_t *results)
{
	json_t *forms = json_array();
	size_t i;
	json_t *r;
	json_array_foreach(results, i, r) {
		char *f = jolt_sim_form(json_string_value(r));
		json_array_append_new(forms, json_string(f));
		free(f);
	}
	char *key = literal_key(suite, task);
	pthread_mutex_lock(&literal_lock);
	if (!literal_forms)
		literal_forms = json_object();
	json_object_set_new(literal_forms, key, forms);
	pthread_mutex_unlock(&literal_lock);
	free(key);
}

bool jolt_sim_literal_knows(const char *suite, const char *task)
{
	char *key = literal_key(suite, task);
	pthread_mutex_lock(&literal_lock);
	bool known = json_object_get(literal_forms, key) != NULL;
	pthread_mutex_unlock(&literal_lock);
	free(key);
	return known;
}

void jolt_sim_literal_forget(void)
{
	pthread_mutex_lock(&literal_lock);
	json_decref(literal_forms);
	literal_forms = NULL;
	pthread_mutex_unlock(&literal_lock);
}

/* Why a literal replay cannot go on from the results in the history:
 * one came back as an error, or not in the form the baseline's did; NULL
 * when it can. */
static const char *literal_stuck(const json_t *messages, const jolt_trial *t)
{
	char *key = literal_key(t->suite ? t->suite->name : "", t->task->id);
	pthread_mutex_lock(&literal_lock);
	json_t *forms = json_incref(json_object_get(literal_forms, key));
	pthread_mutex_unlock(&literal_lock);
	free(key);
	const char *why = NULL;
	size_t i, k = 0;
	json_t *m;
	json_array_foreach(messages, i, m) {
		const char *role = json_string_value(json_object_get(m, "role"));
		if (!role || strcmp(role, "tool"))
			continue;
		if (json_is_true(json_object_get(m, "is_error"))) {
			why = "A step of my procedure failed; I stop.";
			break;
		}
		const char *want = json_string_value(json_array_get(forms, k++));
		if (!want)
			continue;
		char *got = jolt_sim_form(
		    json_string_value(json_object_get(m, "content")));
		bool same = !strcmp(got, want);
		free(got);
		if (!same) {
			why = "A result is not in the form my procedure "
			      "reads; I stop.";
			break;
		}
	}
	json_decref(forms);
	return why;
}

/* The label-free policies: the steps the turn follows (the task's own
 * oracle, never the variant's), or a reply already decided in *msg. */
static const json_t *label_free(json_t **msg, const jolt_sim_profile *p,
				const jolt_model_req *req)
{
	*msg = NULL;
	if (p->policy == JOLT_SIM_NULL)
		*msg = assistant("I will not look anything up.",
				 JOLT_SIM_NULL_ANSWER);
	else if (req->step > 0) {
		const char *why = literal_stuck(req->messages, req->trial);
		if (why)
			*msg = assistant(why, JOLT_GIVE_UP);
	}
	return req->trial->task->oracle;
}

int jolt_sim_decide(jolt_model_reply *out, const jolt_sim_profile *p,
		    const jolt_model_req *req)
{
	memset(out, 0, sizeof(*out));
	const jolt_variant *v = req->trial->v;
	const json_t *oracle = v ? v->oracle : req->trial->task->oracle;
	size_t nsteps = json_array_size(oracle);
	int step = req->step;
	int first = 0; /* index of `oracle`'s step 0 in the trajectory */
	char thinking[256];
	json_t *msg = NULL;

	snprintf(thinking, sizeof(thinking),
		 "plan: follow the %zu-step procedure for task %s; now at step %d.",
		 nsteps, req->trial->task->id, step + 1);

	if (p->policy != JOLT_SIM_SCRIPTED) {
		oracle = label_free(&msg, p, req);
		nsteps = json_array_size(oracle);
		if (msg)
			goto done;
	} else if (step == 0 && jolt_sim_task_hard(p, req->trial->task->id)) {
		msg = assistant("This task is beyond me.", JOLT_GIVE_UP);
		goto done;
	} else if (step == 0 && draw(req, "noise") < p->noise) {
		msg = assistant("I am not sure how to approach this.",
				JOLT_GIVE_UP);
		goto done;
	}
	if (step > 0 && !thinking_intact(req->messages) &&
	    draw(req, "thinking") < p->thinking) {
		msg = assistant("I no longer remember what I was doing.",
				"I lost track of the task and will stop here.");
		goto done;
	}
	/* Thrown by the perturbation: from step `at` on, follow the
	 * variant's mistake instead of its oracle. */
	if (p->policy == JOLT_SIM_SCRIPTED && v && v->op && v->mistake &&
	    draw(req, "mistake") < p->axis[v->op->axis]) {
		json_int_t at = json_integer_value(json_object_get(v->mistake, "at"));
		if (step >= at) {
			oracle = json_object_get(v->mistake, "steps");
			nsteps = json_array_size(oracle);
			first = (int)at;
		}
	}
	if ((size_t)(step - first) >= nsteps) {
		msg = assistant(thinking, "Done.");
		goto done;
	}
	const json_t *st = json_array_get(oracle, (size_t)(step - first));
	const json_t *call = json_object_get(st, "call");
	if (!call) {
		const char *ans = json_string_value(json_object_get(st, "answer"));
		msg = assistant(thinking, ans ? ans : "");
		goto done;
	}
	msg = assistant(thinking, "");
	const json_t *args = json_object_get(call, "args");
	char id[32];
	snprintf(id, sizeof(id), "call_%d_0", step);
	/* A deep copy: the suite's trees are shared by every worker thread
	 * and must not be referenced from a trial's messages. */
	json_t *tc = json_pack("{s:s, s:s, s:o}", "id", id, "name",
			       json_string_value(json_object_get(call, "name")),
			       "arguments",
			       args ? json_deep_copy(args) : json_object());
	json_object_set_new(msg, "tool_calls", json_pack("[o]", tc));
done:
	msg = in_scaffold(p, req, msg);
	out->message = msg;
	out->tokens_in = approx_tokens(req->messages);
	out->tokens_out = approx_tokens(msg);
	return 0;
}
