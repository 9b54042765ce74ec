/*
 * registry.c - the scaffold registry, and the parts every scaffold shares:
 * presenting the neutral conversation through a text scaffold, reading a
 * reply back into neutral calls, and the checks a framework applies to a
 * parsed call (known tool, required arguments, types by the schema).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/common.h"
#include "scaffolds/scaffold.h"

/* A system prompt with its frame, or one tool result, never needs more. */
#define SCAFFOLD_TEXT_CAP (4 * 1024 * 1024)

const jolt_scaffold *const jolt_scaffolds[] = {
	&jolt_scaffold_native,
	&jolt_scaffold_xml,
	&jolt_scaffold_json,
	&jolt_scaffold_react,
	NULL,
};

const jolt_scaffold jolt_scaffold_native = {
	.name = "native",
	.description = "the API's own tools field and tool-call objects",
	.flags = 0,
};

const jolt_scaffold *jolt_scaffold_find(const char *name)
{
	for (size_t i = 0; name && jolt_scaffolds[i]; i++)
		if (!strcmp(jolt_scaffolds[i]->name, name))
			return jolt_scaffolds[i];
	return NULL;
}

const char *jolt_scaffold_names(void)
{
	static char names[256];
	if (!names[0]) {
		size_t off = 0;
		for (size_t i = 0; jolt_scaffolds[i]; i++)
			off += (size_t)snprintf(names + off, sizeof(names) - off,
						"%s%s", i ? ", " : "",
						jolt_scaffolds[i]->name);
	}
	return names;
}

void jolt_scaffold_parse_release(jolt_scaffold_parse *p)
{
	if (!p)
		return;
	json_decref(p->calls);
	free(p->content);
	free(p->detail);
	memset(p, 0, sizeof(*p));
}

const json_t *jolt_scaffold_tool(const json_t *tools, const char *name)
{
	size_t i;
	const json_t *t;
	if (!name)
		return NULL;
	json_array_foreach(tools, i, t) {
		const char *n = json_string_value(json_object_get(t, "name"));
		if (n && !strcmp(n, name))
			return t;
	}
	return NULL;
}

char *jolt_scaffold_check_call(const json_t *tools, const char *name,
			       const json_t *args)
{
	if (!name || !*name)
		return jolt_xstrdup("a tool call needs a tool name");
	const json_t *tool = jolt_scaffold_tool(tools, name);
	if (!tool)
		return jolt_xasprintf("unknown tool '%s'", name);
	if (!json_is_object(args))
		return jolt_xasprintf("the arguments of '%s' must be an object",
				      name);
	const json_t *req =
		json_object_get(json_object_get(tool, "parameters"), "required");
	size_t i;
	const json_t *r;
	json_array_foreach(req, i, r) {
		const char *k = json_string_value(r);
		if (k && !json_object_get(args, k))
			return jolt_xasprintf(
				"tool '%s' is missing required parameter '%s'",
				name, k);
	}
	return NULL;
}

json_t *jolt_scaffold_call_id(size_t turn_hash, size_t n)
{
	char id[48];
	snprintf(id, sizeof(id), "call_%012zx_%zu",
		 turn_hash & (size_t)0xffffffffffffULL, n);
	return json_string(id);
}

void jolt_scaffold_take(jolt_scaffold_parse *out, const json_t *tools,
			const char *name, json_t *args, char *bad,
			const char *prefix, size_t turn)
{
	if (!bad)
		bad = jolt_scaffold_check_call(tools, name, args);
	if (bad) {
		char *m = jolt_xasprintf("%s: %s", prefix, bad);
		jolt_scaffold_malformed(out, m);
		free(m);
		free(bad);
		json_decref(args);
		return;
	}
	json_array_append_new(
		out->calls,
		json_pack("{s:o, s:s, s:o}", "id",
			  jolt_scaffold_call_id(turn, json_array_size(out->calls)),
			  "name", name, "arguments", args));
}

char *jolt_scaffold_trim(const char *p, size_t n)
{
	while (n && strchr(" \t\r\n", *p))
		p++, n--;
	while (n && strchr(" \t\r\n", p[n - 1]))
		n--;
	return jolt_xstrndup(p, n);
}

void jolt_scaffold_malformed(jolt_scaffold_parse *p, const char *msg)
{
	p->malformed++;
	char *d = p->detail ? jolt_xasprintf("%s\n%s", p->detail, msg)
			    : jolt_xstrdup(msg);
	free(p->detail);
	p->detail = d;
}

json_t *jolt_scaffold_typed(const json_t *tool, const char *param,
			    const char *value, size_t len)
{
	const json_t *props =
		json_object_get(json_object_get(tool, "parameters"), "properties");
	const char *type =
		json_string_value(json_object_get(json_object_get(props, param), "type"));
	if (type && (!strcmp(type, "integer") || !strcmp(type, "number") ||
		     !strcmp(type, "boolean") || !strcmp(type, "array") ||
		     !strcmp(type, "object"))) {
		json_t *v = json_loadb(value, len, JSON_DECODE_ANY, NULL);
		if (v)
			return v;
	}
	return json_stringn(value, len);
}

/* Append `s` to the text of `msg` (a new string member), separated from
 * what is there by a blank line. */
static void append_text(json_t *msg, const char *s)
{
	const char *c = json_string_value(json_object_get(msg, "content"));
	char *t = (c && *c) ? jolt_xasprintf("%s\n\n%s", c, s) : jolt_xstrdup(s);
	json_object_set_new(msg, "content", json_string(t));
	free(t);
}

/* The system message with the frame after the task's own prompt. */
static int framed_system(json_t **out, const jolt_scaffold *sc,
			 const json_t *sys, const json_t *tools)
{
	jolt_buf b;
	jolt_buf_init(&b, SCAFFOLD_TEXT_CAP);
	int rc = sc->frame(&b, tools);
	if (rc)
		goto done;
	json_t *m = sys ? json_deep_copy(sys)
			: json_pack("{s:s, s:s}", "role", "system", "content", "");
	append_text(m, jolt_buf_cstr(&b));
	*out = m;
done:
	jolt_buf_release(&b);
	return rc;
}

/* An assistant turn with its calls written into its text. */
static int written_turn(json_t **out, const jolt_scaffold *sc,
			const json_t *msg)
{
	json_t *m = json_deep_copy(msg);
	const json_t *calls = json_object_get(msg, "tool_calls");
	if (json_array_size(calls) == 0) {
		json_object_del(m, "tool_calls");
		*out = m;
		return 0;
	}
	jolt_buf b;
	jolt_buf_init(&b, SCAFFOLD_TEXT_CAP);
	int rc = 0;
	size_t i;
	const json_t *c;
	json_array_foreach(calls, i, c) {
		if (i)
			jolt_buf_addc(&b, '\n');
		rc = sc->write_call(&b, c);
		if (rc)
			break;
	}
	if (!rc) {
		append_text(m, jolt_buf_cstr(&b));
		json_object_del(m, "tool_calls");
		json_object_del(m, "malformed_calls");
		*out = m;
	} else {
		json_decref(m);
	}
	jolt_buf_release(&b);
	return rc;
}

int jolt_scaffold_write_turn(json_t **out, const jolt_scaffold *sc,
			     const json_t *msg)
{
	if (!(sc->flags & JOLT_SCAFFOLD_TEXT)) {
		*out = json_incref((json_t *)msg);
		return 0;
	}
	return written_turn(out, sc, msg);
}

int jolt_scaffold_present(json_t **out_messages, json_t **out_tools,
			  const jolt_scaffold *sc, const json_t *messages,
			  const json_t *tools)
{
	*out_messages = NULL;
	*out_tools = NULL;
	if (!(sc->flags & JOLT_SCAFFOLD_TEXT)) {
		*out_messages = json_incref((json_t *)messages);
		*out_tools = tools ? json_incref((json_t *)tools) : NULL;
		return 0;
	}
	json_t *res = json_array();
	jolt_buf results; /* consecutive tool results, shown as one user turn */
	jolt_buf_init(&results, SCAFFOLD_TEXT_CAP);
	bool pending = false;
	int rc = 0;
	size_t i;
	const json_t *m;
	const json_t *first = json_array_get(messages, 0);
	const char *r0 = json_string_value(json_object_get(first, "role"));
	if (!r0 || strcmp(r0, "system")) {
		json_t *sys;
		rc = framed_system(&sys, sc, NULL, tools);
		if (rc)
			goto done;
		json_array_append_new(res, sys);
	}
	json_array_foreach(messages, i, m) {
		const char *role = json_string_value(json_object_get(m, "role"));
		if (role && !strcmp(role, "tool")) {
			if (pending)
				jolt_buf_addc(&results, '\n');
			rc = sc->write_result(
				&results,
				json_string_value(json_object_get(m, "name")),
				json_string_value(json_object_get(m, "content")),
				json_is_true(json_object_get(m, "is_error")));
			if (rc)
				goto done;
			pending = true;
			continue;
		}
		if (pending) {
			json_array_append_new(
				res, json_pack("{s:s, s:s}", "role", "user", "content",
					       jolt_buf_cstr(&results)));
			jolt_buf_reset(&results);
			pending = false;
		}
		json_t *shown = NULL;
		if (role && !strcmp(role, "system") && i == 0)
			rc = framed_system(&shown, sc, m, tools);
		else if (role && !strcmp(role, "assistant"))
			rc = written_turn(&shown, sc, m);
		else
			shown = json_incref((json_t *)m);
		if (rc)
			goto done;
		json_array_append_new(res, shown);
	}
	if (pending)
		json_array_append_new(res, json_pack("{s:s, s:s}", "role", "user",
						     "content",
						     jolt_buf_cstr(&results)));
	*out_messages = res;
	res = NULL;
done:
	json_decref(res);
	jolt_buf_release(&results);
	return rc;
}

int jolt_scaffold_interpret(json_t **out, int *malformed, char **detail,
			    const jolt_scaffold *sc, const json_t *msg,
			    const json_t *tools)
{
	*out = NULL;
	*malformed = 0;
	*detail = NULL;
	if (!(sc->flags & JOLT_SCAFFOLD_TEXT)) {
		*out = json_incref((json_t *)msg);
		return 0;
	}
	const char *text = json_string_value(json_object_get(msg, "content"));
	jolt_scaffold_parse p = {0};
	int rc = sc->parse(&p, text ? text : "", text ? strlen(text) : 0, tools);
	if (rc) {
		jolt_scaffold_parse_release(&p);
		return rc;
	}
	json_t *m = json_deep_copy(msg);
	json_object_set_new(m, "content", json_string(p.content ? p.content : ""));
	/* A server whose own tool parser took the calls out of the text (a
	 * vLLM tool parser left on) already reported them: keep those when
	 * the text holds none. */
	if (json_array_size(p.calls) > 0 || p.malformed > 0)
		json_object_set(m, "tool_calls", p.calls);
	if (json_array_size(json_object_get(m, "tool_calls")) == 0)
		json_object_del(m, "tool_calls");
	*malformed = p.malformed;
	*detail = p.detail;
	p.detail = NULL;
	*out = m;
	jolt_scaffold_parse_release(&p);
	return 0;
}
