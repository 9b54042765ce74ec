/*
 * driver.c - the trajectory driver (see driver.h for the call order).
 *
 * A trajectory owns its working copy, the full message history (thinking
 * included, exactly as the backend returned it), the list of calls made
 * (for the `calls` grader) and an event log with timings. The request it
 * hands out is built fresh for each turn, so the history-mode ablation
 * (strip-thinking) only changes what the model sees, never the trace.
 */
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/common.h"
#include "run/driver.h"
#include "world/env.h"
#include "world/grade.h"
#include "perturb/perturb.h"
#include "world/sandbox.h"
#include "world/tools.h"
#include "scaffolds/scaffold.h"


struct jolt_traj {
	const jolt_trial *trial;
	const jolt_variant *v; /* the trial's world */
	jolt_variant *own_v;   /* built here when the trial named none */
	char **env_vars;       /* "NAME=value" from v->env_vars, NULL-terminated */
	jolt_response_state *rstate; /* tool-response perturbation state */
	int ncalls;            /* tool calls executed, for response selection */
	jolt_driver_cfg cfg;
	int slot;
	int max_steps;
	char *workdir;
	bool released; /* workdir given back to the pool */
	bool wrote;    /* something may have written to the workdir */
	jolt_tool_ctx tctx;
	json_t *messages;   /* full history */
	json_t *tools;      /* declarations the model sees */
	json_t *calls;      /* [{name, arguments}] in order */
	json_t *events;     /* timings and classified happenings */
	json_t *view;       /* the history as last sent (strip-thinking,
			     * then presented through the scaffold) */
	json_t *view_tools; /* the tools field as last sent; NULL for text
			     * scaffolds */
	const jolt_scaffold *sc; /* how the task is presented */
	int64_t t0;
	int steps;
	long tokens_in, tokens_out;
	int malformed;
	bool done;
	bool infra;
	enum jolt_error_class ec;
	char *answer;
	char *infra_detail;
	jolt_model_req req;
	jolt_render_cache cache; /* the encoder's, kept between turns */
};

static void event(jolt_traj *tr, const char *kind, json_t *fields)
{
	json_t *e = fields ? fields : json_object();
	json_object_set_new(e, "kind", json_string(kind));
	json_object_set_new(e, "t_ms", json_integer(jolt_now_ms() - tr->t0));
	json_object_set_new(e, "step", json_integer(tr->steps));
	json_array_append_new(tr->events, e);
}

static void finish_with(jolt_traj *tr, enum jolt_error_class ec)
{
	tr->done = true;
	if (tr->ec == JOLT_EC_NONE)
		tr->ec = ec;
}

static char **env_strings(const json_t *vars)
{
	char **v = jolt_xcalloc(json_object_size(vars) + 1, sizeof(*v));
	size_t n = 0;
	const char *k;
	json_t *val;
	json_object_foreach((json_t *)vars, k, val) {
		if (json_is_string(val))
			v[n++] = jolt_xasprintf("%s=%s", k, json_string_value(val));
	}
	return v;
}

int jolt_traj_new(jolt_traj **out, const jolt_trial *t,
		  const jolt_driver_cfg *cfg, int slot)
{
	*out = NULL;
	jolt_traj *tr = jolt_xcalloc(1, sizeof(*tr));
	tr->trial = t;
	tr->cfg = *cfg;
	tr->slot = slot;
	tr->t0 = jolt_now_ms();
	tr->max_steps = cfg->max_steps ? cfg->max_steps
			: t->task->max_steps ? t->task->max_steps
			: t->suite->max_steps ? t->suite->max_steps : 20;
	tr->messages = json_array();
	tr->calls = json_array();
	tr->events = json_array();
	tr->sc = jolt_scaffold_find(t->scaffold ? t->scaffold
						: JOLT_SCAFFOLD_DEFAULT);
	if (!tr->sc) {
		jolt_traj_free(tr);
		return jolt_err_set(JOLT_EUSAGE, "unknown scaffold '%s' (known: %s)",
				    t->scaffold, jolt_scaffold_names());
	}

	tr->v = t->v;
	if (!tr->v) {
		int brc = jolt_variant_build(&tr->own_v, t->suite, t->task, NULL, 0, 0);
		if (brc) {
			jolt_traj_free(tr);
			return brc;
		}
		tr->v = tr->own_v;
	}
	const jolt_variant *v = tr->v;
	/* The suite's trees are shared across threads: each trial gets its
	 * own copy of what it may hand around. */
	tr->tools = json_deep_copy(v->tools);
	tr->env_vars = env_strings(v->env_vars);

	json_array_append_new(tr->messages,
			      json_pack("{s:s, s:s}", "role", "system", "content",
					v->system ? v->system : JOLT_DEFAULT_SYSTEM));
	size_t i;
	json_t *u;
	json_array_foreach(v->user, i, u)
		json_array_append_new(tr->messages,
				      json_pack("{s:s, s:s}", "role", "user",
						"content", json_string_value(u)));

	/* Kept copies are the user's to read afterwards: never pooled. */
	int rc = cfg->keep_workdirs
		     ? jolt_workdir_create(&tr->workdir, t->suite, t->task,
					   cfg->workdir_root, slot)
		     : jolt_workdir_acquire(&tr->workdir, t->suite, t->task,
					    cfg->workdir_root, slot);
	if (!rc && json_array_size(v->env_edits) > 0) {
		tr->wrote = true;
		rc = jolt_env_apply(v, tr->workdir);
		if (!rc)
			rc = jolt_sandbox_prepare_dir(tr->workdir, slot);
	}
	if (rc) {
		/* The environment is the harness's job: not the model's failure. */
		tr->infra = true;
		tr->infra_detail = jolt_xasprintf("working copy: %s", jolt_err_msg());
		finish_with(tr, JOLT_EC_INFRA_ENV);
	} else {
		event(tr, "workdir", json_pack("{s:s}", "path", tr->workdir));
	}
	tr->tctx.suite = t->suite;
	tr->tctx.workdir = tr->workdir;
	tr->tctx.slot = slot;
	tr->tctx.path_map = v->path_map;
	tr->tctx.env_vars = (const char *const *)tr->env_vars;
	tr->tctx.memo = cfg->memo;
	*out = tr;
	return 0;
}

/* The history with earlier thinking removed, for --history strip-thinking.
 * `raw` goes too: it carries the dialect's own copy of the thinking. */
static json_t *strip_thinking(const json_t *messages)
{
	json_t *v = json_deep_copy(messages);
	size_t i;
	json_t *m;
	json_array_foreach(v, i, m) {
		json_object_del(m, "thinking");
		json_object_del(m, "raw");
	}
	return v;
}

int jolt_traj_next(jolt_traj *tr, jolt_model_req *req)
{
	if (tr->done)
		return JOLT_TRAJ_DONE;
	if (tr->steps >= tr->max_steps) {
		finish_with(tr, JOLT_EC_MAX_STEPS);
		return JOLT_TRAJ_DONE;
	}
	if (tr->cfg.max_tokens &&
	    tr->tokens_in + tr->tokens_out >= tr->cfg.max_tokens) {
		finish_with(tr, JOLT_EC_MAX_TOKENS);
		return JOLT_TRAJ_DONE;
	}
	if (tr->cfg.timeout_s > 0 &&
	    jolt_now_ms() - tr->t0 >= (int64_t)(tr->cfg.timeout_s * 1000)) {
		finish_with(tr, JOLT_EC_WALL_CLOCK);
		return JOLT_TRAJ_DONE;
	}
	json_t *hist = tr->cfg.strip_thinking ? strip_thinking(tr->messages)
					      : json_incref(tr->messages);
	json_decref(tr->view);
	json_decref(tr->view_tools);
	tr->view = NULL;
	tr->view_tools = NULL;
	int rc = jolt_scaffold_present(&tr->view, &tr->view_tools, tr->sc, hist,
				       tr->tools);
	json_decref(hist);
	if (rc) {
		tr->infra = true;
		free(tr->infra_detail);
		tr->infra_detail = jolt_xasprintf("scaffold %s: %s", tr->sc->name,
						  jolt_err_msg());
		finish_with(tr, JOLT_EC_INFRA_MODEL);
		return JOLT_TRAJ_DONE;
	}
	tr->req.trial = tr->trial;
	tr->req.messages = tr->view;
	tr->req.tools = tr->view_tools;
	tr->req.step = tr->steps;
	tr->req.cache = &tr->cache;
	*req = tr->req;
	return JOLT_TRAJ_NEED_MODEL;
}

/* Whether the model was shown a tool of this name. */
static bool shown(const jolt_traj *tr, const char *name)
{
	size_t i;
	json_t *d;
	json_array_foreach(tr->tools, i, d) {
		const char *n = json_string_value(json_object_get(d, "name"));
		if (n && !strcmp(n, name))
			return true;
	}
	return false;
}

static char *unknown_tool_msg(const jolt_traj *tr, const char *name)
{
	jolt_buf b;
	jolt_buf_init(&b, 4096);
	jolt_buf_addf(&b, "error: there is no tool named '%s'; available tools: ",
		      name);
	size_t i;
	json_t *d;
	json_array_foreach(tr->tools, i, d)
		jolt_buf_addf(&b, "%s%s", i ? ", " : "",
			      json_string_value(json_object_get(d, "name")));
	if (json_array_size(tr->tools) == 0)
		jolt_buf_adds(&b, "none (answer in text)");
	return jolt_buf_detach(&b);
}

/* Whether `name` is a parameter the variant shows under another name. */
static bool renamed_from(const json_t *params, const char *name)
{
	const char *k;
	const json_t *orig;
	json_object_foreach((json_t *)params, k, orig) {
		const char *o = json_string_value(orig);
		if (o && !strcmp(o, name) && strcmp(k, name))
			return true;
	}
	return false;
}

/* Map a call as the model made it (shown tool and parameter names) to the
 * suite's tool and argument names. *args_out is new. NULL tool with
 * *distractor set: a decoy the operator added. */
static const jolt_tool *translate(const jolt_traj *tr, const char *name,
				  const json_t *args, json_t **args_out,
				  bool *distractor)
{
	*distractor = false;
	*args_out = json_deep_copy(args);
	const json_t *m = json_object_get(tr->v->tool_map, name);
	if (!m)
		return jolt_task_tool(tr->trial->suite, tr->trial->task, name);
	if (json_is_true(json_object_get(m, "distractor"))) {
		*distractor = true;
		return NULL;
	}
	const json_t *params = json_object_get(m, "params");
	if (json_object_size(params) > 0) {
		json_t *a = json_object();
		const char *k;
		json_t *val;
		json_object_foreach((json_t *)args, k, val) {
			const char *orig = json_string_value(json_object_get(params, k));
			/* An original name the variant renamed is not shown:
			 * the tool does not take it. */
			if (!orig && renamed_from(params, k))
				continue;
			json_object_set(a, orig ? orig : k, val);
		}
		json_decref(*args_out);
		*args_out = json_deep_copy(a);
		json_decref(a);
	}
	const char *orig = json_string_value(json_object_get(m, "tool"));
	const jolt_tool *tool = jolt_task_tool(tr->trial->suite, tr->trial->task,
					       orig ? orig : name);
	if (!tool)
		return NULL;
	/* Parameters the variant added to the shown schema (optional extras)
	 * do not exist on the real tool: accept them and leave them out. */
	const json_t *real = json_object_get(tool->parameters, "properties");
	const json_t *decl = NULL;
	size_t i;
	json_t *d;
	json_array_foreach(tr->tools, i, d)
		if (!strcmp(json_string_value(json_object_get(d, "name")), name))
			decl = json_object_get(json_object_get(d, "parameters"),
					       "properties");
	const char *k;
	json_t *val;
	void *tmp;
	json_object_foreach_safe(*args_out, tmp, k, val) {
		if (!json_object_get(real, k) && json_object_get(decl, k) &&
		    !json_object_get(params, k))
			json_object_del(*args_out, k);
	}
	return tool;
}

static void tool_result(jolt_traj *tr, const char *id, const char *name,
			const char *content, bool is_error)
{
	json_t *m = json_pack("{s:s, s:s, s:s, s:s}", "role", "tool",
			      "tool_call_id", id ? id : "", "name", name ? name : "",
			      "content", content ? content : "");
	if (is_error)
		json_object_set_new(m, "is_error", json_true());
	json_array_append_new(tr->messages, m);
}

/* Execute one call. A harness fault (the sandbox failed) is not the
 * agent's doing: it ends the trajectory as infra (tr->infra). */
static void run_call(jolt_traj *tr, const json_t *tc)
{
	const char *id = json_string_value(json_object_get(tc, "id"));
	const char *name = json_string_value(json_object_get(tc, "name"));
	const json_t *args = json_object_get(tc, "arguments");
	char *out = NULL;
	int rc = 0;
	int64_t t = jolt_now_ms();

	if (!name || !json_is_object(args)) {
		json_array_append_new(tr->calls,
				      json_pack("{s:s, s:O?}", "name", name ? name : "",
						"arguments", (json_t *)args));
		tr->malformed++;
		tool_result(tr, id, name,
			    "error: malformed tool call: a call needs a tool name "
			    "and an object of arguments",
			    true);
		event(tr, "malformed_call", NULL);
		return;
	}
	json_t *targs = NULL;
	bool decoy = false;
	const jolt_tool *tool = shown(tr, name) ? translate(tr, name, args, &targs, &decoy)
						: NULL;
	/* Calls are recorded under the suite's names, so `calls` graders
	 * judge what the agent did, whatever the tools were called. */
	json_array_append_new(tr->calls,
			      json_pack("{s:s, s:O}", "name", tool ? tool->name : name,
					"arguments", targs ? targs : (json_t *)args));
	if (decoy) {
		char *msg = jolt_xasprintf("error: the tool '%s' is not available "
					   "in this environment", name);
		tool_result(tr, id, name, msg, true);
		event(tr, "tool", json_pack("{s:s, s:b, s:s}", "name", name,
					    "error", 1, "note", "distractor"));
		free(msg);
		json_decref(targs);
		return;
	}
	if (!tool) {
		json_decref(targs);
		out = unknown_tool_msg(tr, name);
		tool_result(tr, id, name, out, true);
		event(tr, "tool", json_pack("{s:s, s:b, s:I}", "name", name,
					    "error", 1, "ms",
					    (json_int_t)(jolt_now_ms() - t)));
		free(out);
		return;
	}
	if (!jolt_tool_read_only(tool))
		tr->wrote = true;
	rc = jolt_tool_call(&out, &tr->tctx, tool, targs);
	bool is_err = rc != 0;
	if (rc && rc != JOLT_ETOOL) {
		json_decref(targs);
		/* The sandbox or the harness failed: not the agent's doing. */
		tr->infra = true;
		free(tr->infra_detail);
		tr->infra_detail = jolt_xasprintf("tool %s: %s", name, jolt_err_msg());
		finish_with(tr, JOLT_EC_INFRA_SANDBOX);
		free(out);
		return;
	}
	char *note = NULL;
	if (tr->v->response && !json_is_null(tr->v->response)) {
		int err = is_err;
		if (!out)
			out = jolt_xstrdup("");
		jolt_response_apply(tr->v, &tr->rstate, tr->ncalls, tool->name,
				    targs, &out, &err, &note);
		is_err = err != 0;
	}
	tr->ncalls++;
	json_decref(targs);
	tool_result(tr, id, name, out ? out : "", is_err);
	event(tr, "tool", json_pack("{s:s, s:b, s:I, s:s?}", "name", name, "error",
				    is_err, "ms", (json_int_t)(jolt_now_ms() - t),
				    "perturbed", note));
	free(note);
	free(out);
}

void jolt_traj_feed(jolt_traj *tr, jolt_model_reply *reply, int err)
{
	if (err) {
		tr->infra = true;
		free(tr->infra_detail);
		tr->infra_detail = jolt_xasprintf("model: %s", jolt_err_msg());
		event(tr, "model_error", json_pack("{s:s}", "error", jolt_err_msg()));
		finish_with(tr, JOLT_EC_INFRA_MODEL);
		jolt_model_reply_release(reply);
		return;
	}
	tr->steps++;
	tr->tokens_in += reply->tokens_in;
	tr->tokens_out += reply->tokens_out;
	json_t *msg = reply->message;
	reply->message = NULL;
	if (!json_is_object(msg)) {
		json_decref(msg);
		msg = json_pack("{s:s, s:s}", "role", "assistant", "content", "");
	}
	/* Read the reply the way the scaffold's framework would: under a
	 * text scaffold the calls are in the text. */
	json_t *read = NULL;
	int misread = 0;
	char *why = NULL;
	if (jolt_scaffold_interpret(&read, &misread, &why, tr->sc, msg,
				    tr->tools) == 0) {
		json_decref(msg);
		msg = read;
		if (misread) {
			reply->malformed += misread;
			char *d = reply->malformed_detail
					  ? jolt_xasprintf("%s\n%s",
							   reply->malformed_detail, why)
					  : jolt_xstrdup(why);
			free(reply->malformed_detail);
			reply->malformed_detail = d;
		}
		free(why);
	}
	json_array_append(tr->messages, msg);
	event(tr, "model", json_pack("{s:I, s:I, s:I}", "latency_ms",
				     (json_int_t)reply->latency_ms, "tokens_in",
				     (json_int_t)reply->tokens_in, "tokens_out",
				     (json_int_t)reply->tokens_out));


	const json_t *calls = json_object_get(msg, "tool_calls");
	size_t ncalls = json_array_size(calls);
	/* run_call marks a harness fault on the trajectory (tr->infra),
	 * which stops the loop and, at finish, makes the trial infra_error. */
	for (size_t i = 0; i < ncalls && !tr->infra; i++)
		run_call(tr, json_array_get(calls, i));
	if (reply->malformed > 0) {
		/* The model's failure: it sees the error as real scaffolds
		 * show it, and may try again. A malformed call that carries an
		 * id is answered under that id (the turn is sent back as it
		 * came, and strict servers require a result for every call id);
		 * the rest are reported in one user message. */
		tr->malformed += reply->malformed;
		const json_t *bad = json_object_get(msg, "malformed_calls");
		size_t i;
		json_t *b;
		json_array_foreach(bad, i, b)
			tool_result(tr, json_string_value(json_object_get(b, "id")),
				    json_string_value(json_object_get(b, "name")),
				    json_string_value(json_object_get(b, "error")), true);
		if ((size_t)reply->malformed > json_array_size(bad))
			json_array_append_new(
				tr->messages,
				json_pack("{s:s, s:s}", "role", "user", "content",
					  reply->malformed_detail ? reply->malformed_detail
								  : "error: malformed tool call"));
		event(tr, "malformed_call", NULL);
	}
	if (!tr->infra && tr->tctx.submitted) {
		free(tr->answer);
		tr->answer = jolt_xstrdup(tr->tctx.final_answer ? tr->tctx.final_answer : "");
		finish_with(tr, JOLT_EC_NONE);
	} else if (!tr->infra && ncalls == 0 && reply->malformed == 0) {
		const char *c = json_string_value(json_object_get(msg, "content"));
		free(tr->answer);
		tr->answer = jolt_xstrdup(c ? c : "");
		finish_with(tr, JOLT_EC_NONE);
	}
	json_decref(msg);
	jolt_model_reply_release(reply);
}

/* Whether a grader list runs anything in the working copy: only a
 * `command` grader does (grade.h); the others read. */
static bool runs_commands(const json_t *graders)
{
	size_t i;
	const json_t *g;
	json_array_foreach(graders, i, g)
		if (!json_is_object(g) || json_object_size(g) != 1 ||
		    json_object_get(g, "command"))
			return true;
	return false;
}

void jolt_traj_finish(jolt_traj *tr, jolt_trial_result *out)
{
	memset(out, 0, sizeof(*out));
	int rc = 0;
	out->steps = tr->steps;
	out->tokens_in = tr->tokens_in;
	out->tokens_out = tr->tokens_out;
	out->malformed_calls = tr->malformed;
	out->answer = tr->answer ? jolt_xstrdup(tr->answer) : NULL;

	if (!tr->infra) {
		bool pass = false;
		char *detail = NULL;
		jolt_grade_input in = {
			.suite = tr->trial->suite,
			.task = tr->trial->task,
			.graders = tr->v->grade,
			.path_map = tr->v->path_map,
			.env_vars = (const char *const *)tr->env_vars,
			.workdir = tr->workdir,
			.answer = tr->answer ? tr->answer : "",
			.calls = tr->calls,
			.slot = tr->slot,
			.memo = tr->cfg.memo,
		};
		rc = jolt_grade_run(&pass, &detail, &in);
		if (rc) {
			tr->infra = true;
			tr->infra_detail = jolt_xasprintf("grading: %s", jolt_err_msg());
			tr->ec = JOLT_EC_INFRA_SANDBOX;
			free(detail);
		} else {
			out->outcome = pass ? JOLT_OUTCOME_PASS : JOLT_OUTCOME_FAIL;
			out->reward = pass ? 1.0 : 0.0;
			if (pass)
				tr->ec = JOLT_EC_NONE;
			else if (tr->ec == JOLT_EC_NONE)
				tr->ec = tr->answer ? JOLT_EC_GRADED_FAIL
						    : JOLT_EC_NO_ANSWER;
			out->detail = detail;
		}
	}
	if (tr->infra) {
		out->outcome = JOLT_OUTCOME_INFRA;
		out->reward = 0.0;
		free(out->detail);
		out->detail = jolt_xstrdup(tr->infra_detail ? tr->infra_detail : "");
	}
	out->error_class = tr->ec;
	out->latency_ms = (long)(jolt_now_ms() - tr->t0);
	event(tr, "graded", json_pack("{s:s}", "outcome",
				      jolt_outcome_name(out->outcome)));
	out->trace = json_pack("{s:O, s:O, s:O, s:s?, s:s, s:s?}", "messages",
			       tr->messages, "tools", tr->tools, "events",
			       tr->events, "answer", tr->answer, "variant",
			       tr->v->name, "changed", tr->v->summary);

	if (tr->workdir && !tr->cfg.keep_workdirs && !tr->released) {
		const json_t *g = tr->v->grade ? tr->v->grade
					       : tr->trial->task->grade;
		jolt_workdir_give_back(tr->workdir, tr->slot,
				       !tr->wrote && !runs_commands(g));
		tr->released = true;
	}
}

void jolt_traj_free(jolt_traj *tr)
{
	if (!tr)
		return;
	json_decref(tr->messages);
	json_decref(tr->tools);
	json_decref(tr->calls);
	json_decref(tr->events);
	json_decref(tr->view);
	json_decref(tr->view_tools);
	jolt_render_cache_release(&tr->cache);
	/* A trial stopped before finishing gives its copy back too. */
	if (tr->workdir && !tr->cfg.keep_workdirs && !tr->released)
		jolt_workdir_give_back(tr->workdir, tr->slot, false);
	free(tr->workdir);
	free(tr->answer);
	free(tr->infra_detail);
	free(tr->tctx.final_answer);
	for (size_t i = 0; tr->env_vars && tr->env_vars[i]; i++)
		free(tr->env_vars[i]);
	free(tr->env_vars);
	jolt_response_state_free(tr->rstate);
	jolt_variant_free(tr->own_v);
	free(tr);
}

int jolt_trial_run(jolt_trial_result *out, const jolt_trial *t,
		   const jolt_backend *be, void *be_state,
		   const jolt_driver_cfg *cfg, int slot)
{
	jolt_traj *tr = NULL;
	int rc = jolt_traj_new(&tr, t, cfg, slot);
	if (rc)
		return rc;
	jolt_model_req req;
	while (jolt_traj_next(tr, &req) == JOLT_TRAJ_NEED_MODEL) {
		jolt_model_reply reply;
		memset(&reply, 0, sizeof(reply));
		int64_t t0 = jolt_now_ms();
		int err = be->complete(&reply, be_state, &req);
		if (!reply.latency_ms)
			reply.latency_ms = (long)(jolt_now_ms() - t0);
		jolt_traj_feed(tr, &reply, err);
	}
	jolt_traj_finish(tr, out);
	jolt_traj_free(tr);
	return 0;
}
