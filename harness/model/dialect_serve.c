/*
 * dialect_serve.c - what the dialects' server halves share (declared in
 * dialect_serve.h), and the entry points `jolt serve` uses before it
 * knows anything dialect-specific: picking the dialect by route and
 * decoding the common request fields (model, stream, step) around the
 * dialect's own serve_decode hook.
 */
#include <jansson.h>
#include <string.h>

#include "core/buf.h"
#include "core/common.h"
#include "model/dialect.h"
#include "model/dialect_serve.h"

void jolt_serve_call_release(jolt_serve_call *c)
{
	json_decref(c->messages);
	json_decref(c->tools);
	free(c->model);
	memset(c, 0, sizeof(*c));
}

void jolt_serve_chunks_release(jolt_serve_chunks *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->v[i]);
	free(c->v);
	memset(c, 0, sizeof(*c));
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && !memcmp(s + n - k, suffix, k);
}

const jolt_dialect *jolt_dialect_for_route(const char *url)
{
	/* The longest suffix wins: ".../chat/completions" is also a
	 * ".../completions". */
	const jolt_dialect *best = NULL;
	for (size_t i = 0; url && jolt_dialects[i]; i++) {
		const char *r = jolt_dialects[i]->route;
		if (r && ends_with(url, r) && (!best || strlen(r) > strlen(best->route)))
			best = jolt_dialects[i];
	}
	return best;
}

static int count_assistant(const json_t *messages)
{
	int n = 0;
	size_t i;
	json_t *m;
	json_array_foreach(messages, i, m) {
		const char *r = json_string_value(json_object_get(m, "role"));
		n += r && !strcmp(r, "assistant");
	}
	return n;
}

static int load_body(json_t **out, const char *body, size_t len)
{
	json_error_t e;
	*out = json_loadb(body, len, 0, &e);
	if (!*out)
		return jolt_err_set(JOLT_EINPUT, "request body is not JSON: %s at line %d",
				    e.text, e.line);
	if (!json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		return jolt_err_set(JOLT_EINPUT, "request body must be a JSON object");
	}
	return 0;
}

int jolt_dialect_serve_decode(jolt_serve_call *out, const jolt_dialect *d,
			      const char *body, size_t len)
{
	memset(out, 0, sizeof(*out));
	if (!d || !d->serve_decode)
		return jolt_err_set(JOLT_EINTERNAL, "dialect %s has no server half",
				    d ? d->name : "(null)");
	json_t *root = NULL;
	int rc = load_body(&root, body, len);
	if (rc)
		return rc;
	out->messages = json_array();
	out->tools = json_array();
	const char *model = json_string_value(json_object_get(root, "model"));
	out->model = model ? jolt_xstrdup(model) : NULL;
	out->stream = json_is_true(json_object_get(root, "stream"));
	rc = d->serve_decode(out, root);
	json_decref(root);
	if (rc) {
		jolt_serve_call_release(out);
		return rc;
	}
	out->step = count_assistant(out->messages);
	return 0;
}

/* ---- helpers for the dialect files ---- */

int jolt_dsv_content_text(jolt_buf *out, const json_t *c, const char *where)
{
	if (!c || json_is_null(c))
		return 0;
	if (json_is_string(c))
		return jolt_buf_add(out, json_string_value(c), json_string_length(c));
	if (!json_is_array(c))
		return jolt_err_set(JOLT_EINPUT,
				    "%s: content must be a string or an array of parts",
				    where);
	size_t i;
	json_t *part;
	json_array_foreach(c, i, part) {
		const json_t *t = json_object_get(part, "text");
		if (json_is_string(t))
			jolt_buf_add(out, json_string_value(t), json_string_length(t));
	}
	return 0;
}

const char *jolt_dsv_call_name(const json_t *messages, const char *id)
{
	if (!id)
		return "";
	for (size_t i = json_array_size(messages); i-- > 0;) {
		const json_t *tcs = json_object_get(json_array_get(messages, i),
						    "tool_calls");
		size_t j;
		json_t *tc;
		json_array_foreach(tcs, j, tc) {
			const char *tid = json_string_value(json_object_get(tc, "id"));
			if (tid && !strcmp(tid, id)) {
				const char *n = json_string_value(json_object_get(tc, "name"));
				return n ? n : "";
			}
		}
	}
	return "";
}

json_t *jolt_dsv_neutral_tool(const json_t *name, const json_t *desc,
			      const json_t *params)
{
	return json_pack("{s:O, s:s, s:o}", "name", name, "description",
			 json_is_string(desc) ? json_string_value(desc) : "",
			 "parameters", params ? json_deep_copy(params) : json_object());
}

const char *jolt_dsv_str(const json_t *m, const char *k)
{
	const char *s = json_string_value(json_object_get(m, k));
	return s ? s : "";
}

char *jolt_dsv_args_text(const json_t *args, int malformed)
{
	char *s = json_dumps(args ? args : json_object(), JSON_COMPACT | JSON_ENCODE_ANY);
	if (!s)
		s = jolt_xstrdup("{}");
	if (malformed && s[0])
		s[strlen(s) - 1] = '\0';
	return s;
}

size_t jolt_dsv_split(size_t *out, const char *s, size_t n)
{
	size_t len = strlen(s), k = 0, start = 0;
	for (size_t i = 1; i <= n && start < len; i++) {
		size_t end = i == n ? len : len * i / n;
		while (end < len && ((unsigned char)s[end] & 0xC0) == 0x80)
			end++;
		if (end <= start)
			continue;
		out[2 * k] = start;
		out[2 * k + 1] = end - start;
		k++;
		start = end;
	}
	return k;
}

json_t *jolt_dsv_usage_openai(const jolt_serve_reply *r)
{
	return json_pack("{s:I, s:I, s:I}", "prompt_tokens", (json_int_t)r->tokens_in,
			 "completion_tokens", (json_int_t)r->tokens_out, "total_tokens",
			 (json_int_t)(r->tokens_in + r->tokens_out));
}

int jolt_dsv_dump(char **out, json_t *j)
{
	*out = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	return *out ? 0 : jolt_err_set(JOLT_EINTERNAL, "response could not be encoded");
}

void jolt_dsv_push_raw(jolt_serve_chunks *l, char *s)
{
	if (l->n == l->alloc) {
		l->alloc = l->alloc ? 2 * l->alloc : 16;
		l->v = jolt_xrealloc(l->v, l->alloc * sizeof(char *));
	}
	l->v[l->n++] = s;
}

void jolt_dsv_push(jolt_serve_chunks *l, const char *event, json_t *j)
{
	char *d = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	if (event)
		jolt_dsv_push_raw(l, jolt_xasprintf("event: %s\ndata: %s\n\n", event,
						    d ? d : "{}"));
	else
		jolt_dsv_push_raw(l, jolt_xasprintf("data: %s\n\n", d ? d : "{}"));
	free(d);
}

char *jolt_dsv_error_openai(const char *type, const char *message)
{
	json_t *j = json_pack("{s:{s:s, s:s, s:n}}", "error", "message", message, "type",
			      type, "code");
	char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	return s ? s : jolt_xstrdup("{\"error\":{\"message\":\"error\"}}");
}
