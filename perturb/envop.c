/*
 * envop.c - helpers the env operators (env.c, env_data.c) share: recording
 * edits, seeded picks from lists, and the task's table files read and
 * rewritten. See envop.h.
 */
#include <strings.h>

#include "core/buf.h"
#include "core/common.h"
#include "perturb/envop.h"

void envop_edit_add(jolt_variant *v, json_t *edit)
{
	if (!json_is_array(v->env_edits)) {
		json_decref(v->env_edits);
		v->env_edits = json_array();
	}
	json_array_append_new(v->env_edits, edit);
}

int envop_add_write(jolt_variant *v, const char *path, const char *data,
		     size_t len)
{
	json_t *c = json_stringn(data, len);
	if (!c)
		return jolt_err_set(JOLT_EINTERNAL,
				    "env operator: content for %s is not "
				    "UTF-8",
				    path);
	envop_edit_add(v, json_pack("{s:s, s:s, s:o}", "op", "write", "path", path,
			       "content", c));
	return 0;
}

const char *envop_pick(const jolt_op_ctx *c, const char *what, uint64_t i,
			const char *const *list, size_t n)
{
	return list[jolt_op_pick(c, what, i, n)];
}

const jolt_tool *envop_task_tool(const jolt_op_ctx *c, size_t i)
{
	return &c->suite->tools[c->task->tools[i]];
}

const char *envop_builtin_of(const jolt_tool *t)
{
	if (t->kind != JOLT_TOOL_BUILTIN)
		return NULL;
	return json_string_value(json_object_get(t->run, "builtin"));
}

bool envop_is_key(const json_t *key, const char *col)
{
	size_t i;
	const json_t *k;
	json_array_foreach(
	    key, i, k) if (json_is_string(k) &&
			   !strcmp(json_string_value(k), col)) return true;
	return false;
}

/* The data files of the task's visible table tools: [{file, key}]. */
json_t *envop_table_files(const jolt_op_ctx *c, const char *ext)
{
	json_t *out = json_array();
	for (size_t i = 0; i < c->task->ntools; i++) {
		const jolt_tool *t = envop_task_tool(c, i);
		const char *bi = envop_builtin_of(t);
		const char *f =
		    json_string_value(json_object_get(t->run, "file"));
		const json_t *key = json_object_get(t->run, "key");
		if (!bi || strcmp(bi, "table") || !f || !json_is_array(key))
			continue;
		size_t fl = strlen(f), el = strlen(ext);
		if (fl < el || strcasecmp(f + fl - el, ext))
			continue;
		bool dup = false;
		size_t j;
		const json_t *e;
		json_array_foreach(
		    out, j,
		    e) if (!strcmp(json_string_value(json_object_get(e,
								     "file")),
				   f)) dup = true;
		if (!dup)
			json_array_append_new(
			    out,
			    json_pack("{s:s, s:O}", "file", f, "key", key));
	}
	return out;
}

/* Load a JSON table file: an array of objects. */
int envop_table_read(json_t **out, const jolt_op_ctx *c, const char *f)
{
	char *text = NULL;
	size_t len = 0;
	*out = NULL;
	int rc = jolt_env_read(&text, &len, c->suite, c->task, f);
	if (rc)
		return rc;
	json_error_t je;
	json_t *arr = json_loadb(text, len, 0, &je);
	free(text);
	if (!json_is_array(arr)) {
		json_decref(arr);
		return JOLT_ENOTFOUND; /* not a table we can rewrite */
	}
	*out = arr;
	return 0;
}

/* One record per line, as data files are usually written. */
char *envop_table_text(const json_t *arr, int indent)
{
	if (indent) {
		char *s = json_dumps(arr, JSON_INDENT(indent) |
					      JSON_REAL_PRECISION(15));
		char *t = jolt_xasprintf("%s\n", s ? s : "[]");
		free(s);
		return t;
	}
	jolt_buf b;
	jolt_buf_init(&b, 0);
	jolt_buf_adds(&b, "[\n");
	size_t i;
	const json_t *r;
	json_array_foreach(arr, i, r)
	{
		char *s =
		    json_dumps(r, JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
		jolt_buf_addf(&b, "  %s%s\n", s ? s : "null",
			      i + 1 < json_array_size(arr) ? "," : "");
		free(s);
	}
	jolt_buf_adds(&b, "]\n");
	char *t = jolt_buf_detach(&b);
	jolt_buf_release(&b);
	return t;
}
