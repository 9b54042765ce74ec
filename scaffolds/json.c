/*
 * json.c - the `json` scaffold: tools described in the system prompt, each
 * call written in the reply as one JSON object {"tool": NAME, "arguments":
 * {...}}, fenced in a ```json block or on a line of its own; results come
 * back as a JSON object in a user turn. This is how agents without native
 * function calling are most often wired (prompted JSON tool use).
 *
 * Tolerant where frameworks are: a fence with or without the json tag,
 * white space, "name" for "tool" and "args" or "parameters" for
 * "arguments", several calls in one reply. Strict where they are: a fenced
 * block that is not valid JSON, a call object with no tool name, an
 * unknown tool, a missing required argument.
 */
#include <string.h>

#include "core/common.h"
#include "scaffolds/scaffold.h"

static int json_frame(jolt_buf *out, const json_t *tools)
{
	jolt_buf_adds(out, "# Tools\n\nYou can use these tools (JSON Schema):\n\n");
	size_t i;
	const json_t *t;
	json_array_foreach(tools, i, t) {
		char *j = json_dumps(t, JSON_COMPACT | JSON_PRESERVE_ORDER);
		jolt_buf_addf(out, "- %s\n", j ? j : "{}");
		free(j);
	}
	return jolt_buf_adds(
		out,
		"\nTo use a tool, reply with a JSON object in a fenced code "
		"block, one block per call:\n\n"
		"```json\n{\"tool\": \"TOOL_NAME\", \"arguments\": {\"PARAMETER\": "
		"\"value\"}}\n```\n\n"
		"Each result comes back as a JSON object with the tool's output. "
		"When the task is done, reply with your final answer and no tool "
		"call.");
}

static int json_write_call(jolt_buf *out, const json_t *call)
{
	json_t *o = json_pack("{s:O?, s:O?}", "tool", json_object_get(call, "name"),
			      "arguments", json_object_get(call, "arguments"));
	char *j = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	int rc = jolt_buf_addf(out, "```json\n%s\n```", j ? j : "{}");
	free(j);
	json_decref(o);
	return rc;
}

static int json_write_result(jolt_buf *out, const char *name,
			     const char *content, bool is_error)
{
	json_t *o = json_pack("{s:s?, s:b, s:s?}", "tool", name, "ok", !is_error,
			      "output", content);
	char *j = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	int rc = jolt_buf_addf(out, "```json\n%s\n```", j ? j : "{}");
	free(j);
	json_decref(o);
	return rc;
}

/* The first member of `o` among `keys`. */
static json_t *member(const json_t *o, const char *const *keys, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		json_t *v = json_object_get(o, keys[i]);
		if (v)
			return v;
	}
	return NULL;
}

/* Take the call object `o` (or say why it is not one). `fenced`: it was in
 * a code block, so an object without a tool name is a malformed call
 * rather than prose that happens to contain braces. */
static void take(jolt_scaffold_parse *out, const json_t *o, bool fenced,
		 const json_t *tools, size_t turn)
{
	static const char *const tool_keys[] = {"tool", "name"};
	static const char *const arg_keys[] = {"arguments", "args", "parameters"};
	const json_t *name = member(o, tool_keys, 2);
	if (!json_is_string(name)) {
		if (fenced)
			jolt_scaffold_malformed(
				out, "error: invalid tool call: the JSON object "
				     "needs a \"tool\" name and \"arguments\"");
		return;
	}
	json_t *args = member(o, arg_keys, 3);
	jolt_scaffold_take(out, tools, json_string_value(name),
			   args ? json_incref(args) : json_object(), NULL,
			   "error: invalid tool call", turn);
}

/* Where a line starts at or after p, or end. */
static const char *next_line(const char *p, const char *end)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	return nl ? nl + 1 : end;
}

static int json_parse(jolt_scaffold_parse *out, const char *text, size_t len,
		      const json_t *tools)
{
	memset(out, 0, sizeof(*out));
	out->calls = json_array();
	jolt_buf content;
	jolt_buf_init(&content, 0);
	size_t turn = (size_t)jolt_hash_str(0, text);
	const char *p = text, *end = text + len;
	const char *keep = p; /* start of text not yet copied to content */
	while (p < end) {
		const char *line = p;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (end - p >= 3 && !memcmp(p, "```", 3)) {
			/* a fence: ```, ```json or ```JSON up to the line end */
			const char *body = next_line(p, end);
			const char *close = memmem(body, (size_t)(end - body),
						   "```", 3);
			const char *stop = close ? close : end;
			const char *b = body;
			while (b < stop && strchr(" \t\r\n", *b))
				b++;
			if (b < stop && *b == '{') {
				json_error_t err;
				json_t *o = json_loadb(b, (size_t)(stop - b), 0, &err);
				jolt_buf_add(&content, keep, (size_t)(line - keep));
				if (!o) {
					char *m = jolt_xasprintf(
						"error: invalid tool call: the code block "
						"is not valid JSON (%s)", err.text);
					jolt_scaffold_malformed(out, m);
					free(m);
				} else {
					take(out, o, true, tools, turn);
					json_decref(o);
				}
				p = close ? next_line(close, end) : end;
				keep = p;
				continue;
			}
			p = close ? next_line(close, end) : end;
			continue;
		}
		if (p < end && *p == '{') {
			/* a bare object on a line of its own: a call only when
			 * it parses and names a tool */
			json_error_t e;
			json_t *o = json_loadb(p, (size_t)(end - p),
					       JSON_DISABLE_EOF_CHECK, &e);
			/* on success e.position counts the bytes read */
			size_t used = o ? (size_t)e.position : 0;
			if (o && json_is_string(json_object_get(o, "tool"))) {
				jolt_buf_add(&content, keep, (size_t)(line - keep));
				take(out, o, false, tools, turn);
				json_decref(o);
				p = next_line(p + used - 1, end);
				keep = p;
				continue;
			}
			json_decref(o);
		}
		p = next_line(line, end);
	}
	if (keep < end)
		jolt_buf_add(&content, keep, (size_t)(end - keep));
	out->content = jolt_scaffold_trim(jolt_buf_cstr(&content), content.len);
	jolt_buf_release(&content);
	return 0;
}

const jolt_scaffold jolt_scaffold_json = {
	.name = "json",
	.description = "tools in the system prompt, each call a JSON object in a "
		       "fenced block",
	.flags = JOLT_SCAFFOLD_TEXT,
	.frame = json_frame,
	.write_call = json_write_call,
	.write_result = json_write_result,
	.parse = json_parse,
};
