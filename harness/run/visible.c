/*
 * visible.c - whether a variant changes what the model is shown (see
 * visible.h): the request for the tool, system and user axes, the working
 * copy for the env axis, the tool results along the oracle's path for the
 * response axis.
 */
#include <stdlib.h>
#include <string.h>

#include "core/common.h"
#include "model/sim.h"
#include "perturb/perturb.h"
#include "run/visible.h"

static bool same_json(const json_t *a, const json_t *b)
{
	if (!a || json_is_null(a))
		return !b || json_is_null(b) ||
		       (json_is_array(b) && !json_array_size(b)) ||
		       (json_is_object(b) && !json_object_size(b));
	if (!b || json_is_null(b))
		return same_json(b, a);
	return json_equal(a, b);
}

static bool same_str(const char *a, const char *b)
{
	return !strcmp(a ? a : "", b ? b : "");
}

/* The request: what every scaffold renders from (the system prompt, the
 * user turns, the tools as shown). Rendering is a function of these, so
 * equal inputs give an equal request under any scaffold. */
static bool same_request(const jolt_variant *a, const jolt_variant *b)
{
	return same_str(a->system, b->system) && same_json(a->user, b->user) &&
	       same_json(a->tools, b->tools);
}

static bool has_exec_tool(const jolt_variant *v)
{
	for (size_t i = 0; i < v->task->ntools; i++)
		if (v->suite->tools[v->task->tools[i]].kind == JOLT_TOOL_EXEC)
			return true;
	return false;
}

/* ---- the working copy ---------------------------------------------------- */

/* A working copy as {PATH: {"orig": P} | {"data": S}}: a file of the
 * environment (maybe moved) or one an edit wrote. */
static json_t *tree_of(const jolt_variant *v)
{
	json_t *tree = json_object();
	json_t *list = NULL;
	if (jolt_env_list(&list, v->suite, v->task) == 0) {
		size_t i;
		json_t *p;
		json_array_foreach(list, i, p)
			json_object_set_new(tree, json_string_value(p),
					    json_pack("{s:O}", "orig", p));
	}
	json_decref(list);
	return tree;
}

static bool under(const char *path, const char *dir, size_t n)
{
	return !strncmp(path, dir, n) && (path[n] == '\0' || path[n] == '/');
}

/* Apply v's edits to tree; *history set when one commits. */
static void apply_edits(json_t *tree, const jolt_variant *v, bool *history)
{
	size_t i;
	json_t *e;
	json_array_foreach(v->env_edits, i, e) {
		const char *op = json_string_value(json_object_get(e, "op"));
		const char *path = json_string_value(json_object_get(e, "path"));
		const char *from = json_string_value(json_object_get(e, "from"));
		const char *to = json_string_value(json_object_get(e, "to"));
		if (!op)
			continue;
		if (!strcmp(op, "git_commit")) {
			*history = true;
		} else if (!strcmp(op, "write") && path) {
			json_object_set_new(tree, path,
					    json_pack("{s:O}", "data",
						      json_object_get(e, "content")));
		} else if ((!strcmp(op, "delete") && path) ||
			   (!strcmp(op, "rename") && from && to)) {
			const char *at = path ? path : from;
			size_t n = strlen(at);
			json_t *moved = json_object();
			const char *k;
			json_t *val;
			void *tmp;
			json_object_foreach_safe(tree, tmp, k, val) {
				if (!under(k, at, n))
					continue;
				if (to) {
					char *nk = jolt_xasprintf("%s%s", to, k + n);
					json_object_set(moved, nk, val);
					free(nk);
				}
				json_object_del(tree, k);
			}
			json_object_update(tree, moved);
			json_decref(moved);
		}
	}
}

/* The bytes a tree entry holds (caller frees); NULL when unreadable. */
static char *entry_bytes(const jolt_variant *v, const json_t *entry,
			 size_t *len)
{
	const json_t *data = json_object_get(entry, "data");
	if (data) {
		*len = json_string_length(data);
		char *s = jolt_xmalloc(*len + 1);
		memcpy(s, json_string_value(data), *len);
		s[*len] = '\0';
		return s;
	}
	char *out = NULL;
	const char *orig = json_string_value(json_object_get(entry, "orig"));
	if (jolt_env_read(&out, len, v->suite, v->task, orig))
		return NULL;
	return out;
}

static bool same_tree(const jolt_variant *v, const json_t *a, const json_t *b)
{
	if (json_object_size(a) != json_object_size(b))
		return false;
	const char *k;
	json_t *ea;
	json_object_foreach((json_t *)a, k, ea) {
		const json_t *eb = json_object_get(b, k);
		if (!eb)
			return false;
		if (json_equal(ea, eb))
			continue;
		size_t la = 0, lb = 0;
		char *x = entry_bytes(v, ea, &la), *y = entry_bytes(v, eb, &lb);
		bool same = x && y && la == lb && !memcmp(x, y, la);
		free(x);
		free(y);
		if (!same)
			return false;
	}
	return true;
}

static bool same_env(const jolt_variant *base, const jolt_variant *v)
{
	bool hb = false, hv = false;
	json_t *tb = tree_of(base), *tv = tree_of(v);
	apply_edits(tb, base, &hb);
	apply_edits(tv, v, &hv);
	bool same = same_tree(v, tb, tv);
	json_decref(tb);
	json_decref(tv);
	/* Variables and history reach the model only through a command. */
	if (same && has_exec_tool(v))
		same = hb == hv && same_json(base->env_vars, v->env_vars);
	return same;
}

/* ---- the tool results ---------------------------------------------------- */

json_t *jolt_visible_results(const json_t *trace)
{
	json_t *out = json_array();
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(trace, "messages"), i, m) {
		const char *role = json_string_value(json_object_get(m, "role"));
		if (role && !strcmp(role, "tool"))
			json_array_append_new(out, json_pack("{s:s, s:b}",
				"content",
				json_string_value(json_object_get(m, "content"))
				    ? json_string_value(json_object_get(m, "content"))
				    : "",
				"error", json_is_true(json_object_get(m, "is_error"))));
	}
	return out;
}

void jolt_visible_expect_literal(const jolt_variant *base, const json_t *trace)
{
	if (!trace)
		return;
	json_t *res = jolt_visible_results(trace);
	json_t *texts = json_array();
	size_t i;
	json_t *r;
	json_array_foreach(res, i, r)
		json_array_append(texts, json_object_get(r, "content"));
	jolt_sim_literal_expect(base->suite->name, base->task->id, texts);
	json_decref(texts);
	json_decref(res);
}

/* Apply v's response perturbation to the baseline oracle's calls and
 * results in `trace`, in order; true when one result changes. */
static bool changes_a_result(const jolt_variant *v, const json_t *trace)
{
	json_t *results = jolt_visible_results(trace);
	jolt_response_state *st = NULL;
	size_t k = 0, i;
	bool changed = false;
	json_t *m;
	json_array_foreach(json_object_get(trace, "messages"), i, m) {
		size_t j;
		json_t *tc;
		json_array_foreach(json_object_get(m, "tool_calls"), j, tc) {
			const json_t *r = json_array_get(results, k);
			if (!r || changed)
				break;
			const char *was = json_string_value(json_object_get(r, "content"));
			int err = json_is_true(json_object_get(r, "error"));
			int err0 = err;
			char *out = jolt_xstrdup(was);
			jolt_response_apply(v, &st, (int)k,
					    json_string_value(json_object_get(tc, "name")),
					    json_object_get(tc, "arguments"), &out,
					    &err, NULL);
			changed = err != err0 || strcmp(out, was);
			free(out);
			k++;
		}
	}
	jolt_response_state_free(st);
	json_decref(results);
	return changed;
}

bool jolt_visible_needs_trace(const jolt_variant *v)
{
	return v->op && v->op->kind == JOLT_OP_INVARIANT &&
	       v->op->axis == JOLT_AXIS_response;
}

bool jolt_visible(char **why, const jolt_variant *base, const jolt_variant *v,
		  const json_t *base_trace)
{
	if (why)
		*why = NULL;
	if (!v->op || v->op->kind != JOLT_OP_INVARIANT)
		return true;
	const char *what = NULL;
	switch (v->op->axis) {
	case JOLT_AXIS_env:
		if (same_env(base, v))
			what = "the working copy is the same as the baseline's";
		break;
	case JOLT_AXIS_response:
		if (base_trace && !changes_a_result(v, base_trace))
			what = "no tool result along the oracle's path changes";
		break;
	default:
		if (same_request(base, v))
			what = "the request (tools, system prompt, user turns) "
			       "is the same as the baseline's";
		break;
	}
	if (what && why)
		*why = jolt_xstrdup(what);
	return !what;
}
