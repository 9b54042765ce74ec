/*
 * serve_codec.c - the server side of the three dialects for `jolt serve`:
 * decode a request (OpenAI chat, Anthropic messages, M2 raw prompt) into
 * jolt's neutral history and tools, and encode the sim's turn back as the
 * response a real server of that dialect would send, streamed or not.
 *
 * Thinking must survive the round trip exactly: the sim decides whether
 * its own earlier thinking is still in the history, which is how
 * --history strip-thinking is measured over HTTP. So every place a client
 * may carry thinking is read (inline <think>, reasoning_details,
 * reasoning, reasoning_content, Anthropic thinking blocks, the M2 ai turn)
 * and nothing else is taken for it.
 */
#include <jansson.h>
#include <string.h>

#include "core/buf.h"
#include "core/common.h"
#include "model/dialect.h"
#include "serve/serve.h"

static const char *const dialect_names[] = {
#define JOLT_X_NAME(n, s) s,
	JOLT_SERVE_DIALECTS(JOLT_X_NAME)
#undef JOLT_X_NAME
};

const char *jolt_serve_dialect_name(enum jolt_serve_dialect d)
{
	return (unsigned)d < JOLT_ARRAY_LEN(dialect_names) ? dialect_names[d] : "?";
}

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

/* ---- decoding helpers ---- */

/* Text of a content value: a string, an array of {type: text, text}
 * parts, or null. 0, or JOLT_EINPUT for anything else. */
static int content_text(jolt_buf *out, const json_t *c, const char *where)
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

/* The name of the tool call `id` among the history's assistant turns. */
static const char *call_name(const json_t *messages, const char *id)
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

/* Split inline "<think>T</think>\n\nC" (or "T</think>C" when the client
 * dropped the opening tag, as append-think servers return it) into
 * thinking and content. *thinking is NULL when there is none. Both
 * caller-freed. */
static void split_inline_think(char **thinking, char **content, const char *s)
{
	*thinking = NULL;
	const char *open = strstr(s, "<think>");
	const char *close = strstr(open ? open : s, "</think>");
	if (!close) {
		*content = jolt_xstrdup(s);
		return;
	}
	const char *t0 = open ? open + strlen("<think>") : s;
	const char *t1 = close;
	if (t0 < t1 && *t0 == '\n')
		t0++;
	if (t1 > t0 && t1[-1] == '\n')
		t1--;
	*thinking = jolt_xstrndup(t0, (size_t)(t1 - t0));
	const char *after = close + strlen("</think>");
	while (*after == '\n')
		after++;
	jolt_buf b;
	jolt_buf_init(&b, 0);
	if (open)
		jolt_buf_add(&b, s, (size_t)(open - s));
	jolt_buf_adds(&b, after);
	*content = jolt_buf_detach(&b);
}

static json_t *parse_args_string(const char *s)
{
	json_t *a = s ? json_loads(s, JSON_DECODE_ANY, NULL) : NULL;
	if (!json_is_object(a)) {
		/* Not the client's to fix here: the policy never reads past
		 * arguments, so an unreadable one stays an empty object. */
		json_decref(a);
		a = json_object();
	}
	return a;
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

static json_t *neutral_tool(const json_t *name, const json_t *desc,
			    const json_t *params)
{
	return json_pack("{s:O, s:s, s:o}", "name", name, "description",
			 json_is_string(desc) ? json_string_value(desc) : "",
			 "parameters", params ? json_deep_copy(params) : json_object());
}

/* ---- OpenAI ---- */

static int decode_openai_assistant(json_t **out, const json_t *m, int idx)
{
	char where[64];
	snprintf(where, sizeof(where), "messages[%d]", idx);
	jolt_buf text;
	jolt_buf_init(&text, 0);
	int rc = content_text(&text, json_object_get(m, "content"), where);
	if (rc) {
		jolt_buf_release(&text);
		return rc;
	}
	char *thinking, *content;
	split_inline_think(&thinking, &content, jolt_buf_cstr(&text));
	jolt_buf_release(&text);

	/* A reasoning field wins over inline text: it is what the client
	 * chose to send back (MiniMax reasoning_split, vLLM reasoning). */
	const json_t *rd = json_object_get(m, "reasoning_details");
	const json_t *rf = json_object_get(m, "reasoning_content");
	if (!json_is_string(rf))
		rf = json_object_get(m, "reasoning");
	if (json_is_array(rd) && json_array_size(rd)) {
		jolt_buf b;
		jolt_buf_init(&b, 0);
		size_t i;
		json_t *d;
		json_array_foreach(rd, i, d) {
			const json_t *t = json_object_get(d, "text");
			if (json_is_string(t))
				jolt_buf_add(&b, json_string_value(t), json_string_length(t));
		}
		free(thinking);
		thinking = jolt_buf_detach(&b);
	} else if (json_is_string(rf)) {
		free(thinking);
		thinking = jolt_xstrdup(json_string_value(rf));
	}

	json_t *a = json_pack("{s:s, s:s}", "role", "assistant", "content", content);
	if (thinking && thinking[0])
		json_object_set_new(a, "thinking", json_string(thinking));
	free(thinking);
	free(content);
	const json_t *tcs = json_object_get(m, "tool_calls");
	if (json_is_array(tcs) && json_array_size(tcs)) {
		json_t *calls = json_array();
		size_t i;
		json_t *tc;
		json_array_foreach(tcs, i, tc) {
			const json_t *fn = json_object_get(tc, "function");
			const char *name = json_string_value(json_object_get(fn, "name"));
			const char *id = json_string_value(json_object_get(tc, "id"));
			if (!name) {
				json_decref(calls);
				json_decref(a);
				return jolt_err_set(JOLT_EINPUT,
						    "%s.tool_calls[%zu]: function.name is missing",
						    where, i);
			}
			const json_t *args = json_object_get(fn, "arguments");
			json_t *obj = json_is_object(args) ? json_deep_copy(args)
					: parse_args_string(json_string_value(args));
			json_array_append_new(calls,
					      json_pack("{s:s, s:s, s:o}", "id", id ? id : "",
							"name", name, "arguments", obj));
		}
		json_object_set_new(a, "tool_calls", calls);
	}
	*out = a;
	return 0;
}

static int decode_openai(jolt_serve_call *c, const json_t *root)
{
	const json_t *msgs = json_object_get(root, "messages");
	if (!json_is_array(msgs))
		return jolt_err_set(JOLT_EINPUT, "\"messages\" must be an array");
	size_t i;
	json_t *m;
	json_array_foreach(msgs, i, m) {
		const char *role = json_string_value(json_object_get(m, "role"));
		if (!role)
			return jolt_err_set(JOLT_EINPUT, "messages[%zu]: \"role\" is missing", i);
		char where[64];
		snprintf(where, sizeof(where), "messages[%zu]", i);
		if (!strcmp(role, "assistant")) {
			json_t *a = NULL;
			int rc = decode_openai_assistant(&a, m, (int)i);
			if (rc)
				return rc;
			json_array_append_new(c->messages, a);
			continue;
		}
		jolt_buf text;
		jolt_buf_init(&text, 0);
		int rc = content_text(&text, json_object_get(m, "content"), where);
		if (rc) {
			jolt_buf_release(&text);
			return rc;
		}
		if (!strcmp(role, "system") || !strcmp(role, "developer") ||
		    !strcmp(role, "user")) {
			json_array_append_new(c->messages,
					      json_pack("{s:s, s:s}", "role",
							strcmp(role, "user") ? "system" : "user",
							"content", jolt_buf_cstr(&text)));
		} else if (!strcmp(role, "tool")) {
			const char *id = json_string_value(json_object_get(m, "tool_call_id"));
			const char *name = json_string_value(json_object_get(m, "name"));
			json_array_append_new(
				c->messages,
				json_pack("{s:s, s:s, s:s, s:s}", "role", "tool",
					  "tool_call_id", id ? id : "", "name",
					  name ? name : call_name(c->messages, id),
					  "content", jolt_buf_cstr(&text)));
		} else {
			jolt_buf_release(&text);
			return jolt_err_set(JOLT_EINPUT, "%s: unknown role '%s'", where, role);
		}
		jolt_buf_release(&text);
	}
	const json_t *tools = json_object_get(root, "tools");
	json_t *t;
	json_array_foreach(tools, i, t) {
		const json_t *fn = json_object_get(t, "function");
		if (!fn)
			fn = t;
		const json_t *name = json_object_get(fn, "name");
		if (!json_is_string(name))
			return jolt_err_set(JOLT_EINPUT, "tools[%zu]: function.name is missing", i);
		json_array_append_new(c->tools,
				      neutral_tool(name, json_object_get(fn, "description"),
						   json_object_get(fn, "parameters")));
	}
	c->include_usage = json_is_true(
		json_object_get(json_object_get(root, "stream_options"), "include_usage"));
	c->reasoning_split = json_is_true(json_object_get(root, "reasoning_split"));
	return 0;
}

/* ---- Anthropic ---- */

static int decode_anthropic_user(jolt_serve_call *c, const json_t *content,
				 const char *where)
{
	if (!json_is_array(content)) {
		jolt_buf text;
		jolt_buf_init(&text, 0);
		int rc = content_text(&text, content, where);
		if (!rc)
			json_array_append_new(c->messages,
					      json_pack("{s:s, s:s}", "role", "user", "content",
							jolt_buf_cstr(&text)));
		jolt_buf_release(&text);
		return rc;
	}
	/* Tool results answer the previous assistant turn, so they come
	 * first; any text the client put alongside follows as a user turn. */
	jolt_buf text;
	jolt_buf_init(&text, 0);
	int has_text = 0;
	size_t i;
	json_t *b;
	json_array_foreach(content, i, b) {
		const char *type = json_string_value(json_object_get(b, "type"));
		if (!type)
			continue;
		if (!strcmp(type, "text")) {
			const json_t *t = json_object_get(b, "text");
			if (json_is_string(t))
				jolt_buf_add(&text, json_string_value(t), json_string_length(t));
			has_text = 1;
		} else if (!strcmp(type, "tool_result")) {
			const char *id = json_string_value(json_object_get(b, "tool_use_id"));
			jolt_buf r;
			jolt_buf_init(&r, 0);
			int rc = content_text(&r, json_object_get(b, "content"), where);
			if (rc) {
				jolt_buf_release(&r);
				jolt_buf_release(&text);
				return rc;
			}
			json_t *tm = json_pack("{s:s, s:s, s:s, s:s}", "role", "tool",
					       "tool_call_id", id ? id : "", "name",
					       call_name(c->messages, id), "content",
					       jolt_buf_cstr(&r));
			if (json_is_true(json_object_get(b, "is_error")))
				json_object_set_new(tm, "is_error", json_true());
			json_array_append_new(c->messages, tm);
			jolt_buf_release(&r);
		}
	}
	if (has_text)
		json_array_append_new(c->messages,
				      json_pack("{s:s, s:s}", "role", "user", "content",
						jolt_buf_cstr(&text)));
	jolt_buf_release(&text);
	return 0;
}

static int decode_anthropic_assistant(jolt_serve_call *c, const json_t *content,
				      const char *where)
{
	jolt_buf text, think;
	jolt_buf_init(&text, 0);
	jolt_buf_init(&think, 0);
	int has_think = 0;
	json_t *calls = json_array();
	int rc = 0;
	if (!json_is_array(content)) {
		rc = content_text(&text, content, where);
	} else {
		size_t i;
		json_t *b;
		json_array_foreach(content, i, b) {
			const char *type = json_string_value(json_object_get(b, "type"));
			if (!type)
				continue;
			if (!strcmp(type, "text")) {
				const json_t *t = json_object_get(b, "text");
				if (json_is_string(t))
					jolt_buf_add(&text, json_string_value(t),
						     json_string_length(t));
			} else if (!strcmp(type, "thinking")) {
				const json_t *t = json_object_get(b, "thinking");
				if (json_is_string(t)) {
					jolt_buf_add(&think, json_string_value(t),
						     json_string_length(t));
					has_think = 1;
				}
			} else if (!strcmp(type, "tool_use")) {
				const char *id = json_string_value(json_object_get(b, "id"));
				const char *name = json_string_value(json_object_get(b, "name"));
				const json_t *in = json_object_get(b, "input");
				if (!name) {
					rc = jolt_err_set(JOLT_EINPUT,
							  "%s: tool_use block without a name", where);
					goto done;
				}
				json_array_append_new(
					calls, json_pack("{s:s, s:s, s:o}", "id", id ? id : "",
							 "name", name, "arguments",
							 json_is_object(in) ? json_deep_copy(in)
									    : json_object()));
			}
		}
	}
	if (rc)
		goto done;
	json_t *a = json_pack("{s:s, s:s}", "role", "assistant", "content",
			      jolt_buf_cstr(&text));
	if (has_think && think.len)
		json_object_set_new(a, "thinking", json_string(jolt_buf_cstr(&think)));
	if (json_array_size(calls))
		json_object_set(a, "tool_calls", calls);
	json_array_append_new(c->messages, a);
done:
	json_decref(calls);
	jolt_buf_release(&text);
	jolt_buf_release(&think);
	return rc;
}

static int decode_anthropic(jolt_serve_call *c, const json_t *root)
{
	const json_t *sys = json_object_get(root, "system");
	if (sys && !json_is_null(sys)) {
		jolt_buf text;
		jolt_buf_init(&text, 0);
		int rc = content_text(&text, sys, "system");
		if (!rc)
			json_array_append_new(c->messages,
					      json_pack("{s:s, s:s}", "role", "system",
							"content", jolt_buf_cstr(&text)));
		jolt_buf_release(&text);
		if (rc)
			return rc;
	}
	const json_t *msgs = json_object_get(root, "messages");
	if (!json_is_array(msgs))
		return jolt_err_set(JOLT_EINPUT, "\"messages\" must be an array");
	size_t i;
	json_t *m;
	json_array_foreach(msgs, i, m) {
		const char *role = json_string_value(json_object_get(m, "role"));
		char where[64];
		snprintf(where, sizeof(where), "messages[%zu]", i);
		const json_t *content = json_object_get(m, "content");
		int rc;
		if (role && !strcmp(role, "user"))
			rc = decode_anthropic_user(c, content, where);
		else if (role && !strcmp(role, "assistant"))
			rc = decode_anthropic_assistant(c, content, where);
		else
			rc = jolt_err_set(JOLT_EINPUT,
					  "%s: role must be \"user\" or \"assistant\"", where);
		if (rc)
			return rc;
	}
	const json_t *tools = json_object_get(root, "tools");
	json_t *t;
	json_array_foreach(tools, i, t) {
		const json_t *name = json_object_get(t, "name");
		if (!json_is_string(name))
			return jolt_err_set(JOLT_EINPUT, "tools[%zu]: \"name\" is missing", i);
		json_array_append_new(c->tools,
				      neutral_tool(name, json_object_get(t, "description"),
						   json_object_get(t, "input_schema")));
	}
	return 0;
}

/* ---- M2 raw prompt ---- */

#define M2_BOS "]~!b["
#define M2_ROLE "]~b]"
#define M2_EOS "[e~["
#define M2_TOOLS_MARK "\n\n# Tools\n"

static int m2_system(jolt_serve_call *c, const char *body, size_t len)
{
	char *s = jolt_xstrndup(body, len);
	char *mark = strstr(s, M2_TOOLS_MARK);
	int rc = 0;
	if (mark) {
		char *p = strstr(mark, "<tools>\n");
		char *end = p ? strstr(p, "</tools>") : NULL;
		if (!p || !end) {
			rc = jolt_err_set(JOLT_EINPUT,
					  "m2 prompt: the system turn's tools block has no "
					  "<tools>...</tools>");
			goto done;
		}
		p += strlen("<tools>\n");
		while (p < end) {
			char *nl = memchr(p, '\n', (size_t)(end - p));
			char *line_end = nl ? nl : end;
			size_t ll = (size_t)(line_end - p);
			if (ll >= strlen("<tool></tool>") && !strncmp(p, "<tool>", 6) &&
			    !strncmp(line_end - 7, "</tool>", 7)) {
				json_error_t e;
				json_t *t = json_loadb(p + 6, ll - 13, 0, &e);
				const json_t *name = json_object_get(t, "name");
				if (!json_is_string(name)) {
					json_decref(t);
					rc = jolt_err_set(JOLT_EINPUT,
							  "m2 prompt: a <tool> line is not a JSON "
							  "object with a name");
					goto done;
				}
				json_array_append_new(
					c->tools, neutral_tool(name,
							       json_object_get(t, "description"),
							       json_object_get(t, "parameters")));
				json_decref(t);
			}
			p = line_end + 1;
		}
		*mark = '\0';
	}
	json_array_append_new(c->messages,
			      json_pack("{s:s, s:s}", "role", "system", "content", s));
done:
	free(s);
	return rc;
}

static int m2_ai(jolt_serve_call *c, const char *body, size_t len)
{
	char *s = jolt_xstrndup(body, len);
	char *thinking = NULL;
	const char *rest = s;
	if (!strncmp(s, "<think>\n", 8)) {
		char *close = strstr(s + 8, "</think>");
		if (close) {
			char *t1 = close;
			if (t1 > s + 8 && t1[-1] == '\n')
				t1--;
			thinking = jolt_xstrndup(s + 8, (size_t)(t1 - (s + 8)));
			rest = close + strlen("</think>");
		}
	}
	/* jolt_m2_parse reads text that starts inside <think>; an empty
	 * thinking in front makes the rest its content and calls. */
	char *text = jolt_xasprintf("</think>%s", rest);
	json_t *msg = NULL;
	int malformed = 0;
	char *detail = NULL;
	int rc = jolt_m2_parse(&msg, &malformed, &detail, text, strlen(text), c->tools);
	free(detail);
	free(text);
	if (rc)
		goto done;
	json_object_del(msg, "raw");
	json_object_del(msg, "thinking");
	json_object_set_new(msg, "role", json_string("assistant"));
	if (!json_is_string(json_object_get(msg, "content")))
		json_object_set_new(msg, "content", json_string(""));
	if (thinking && thinking[0])
		json_object_set_new(msg, "thinking", json_string(thinking));
	json_array_append_new(c->messages, msg);
done:
	free(thinking);
	free(s);
	return rc;
}

static int m2_tool(jolt_serve_call *c, const char *body, size_t len)
{
	/* Results match the previous ai turn's calls by order: the template
	 * renders neither ids nor names. */
	const json_t *calls = NULL;
	for (size_t i = json_array_size(c->messages); i-- > 0;) {
		const json_t *m = json_array_get(c->messages, i);
		const char *r = json_string_value(json_object_get(m, "role"));
		if (r && !strcmp(r, "assistant")) {
			calls = json_object_get(m, "tool_calls");
			break;
		}
	}
	static const char open[] = "<response>", close[] = "</response>",
			  sep[] = "</response>\n<response>";
	if (len < strlen(open) + strlen(close) || strncmp(body, open, strlen(open)) ||
	    memcmp(body + len - strlen(close), close, strlen(close)))
		return jolt_err_set(JOLT_EINPUT,
				    "m2 prompt: a tool turn must be <response>...</response> items");
	char *s = jolt_xstrndup(body + strlen(open), len - strlen(open) - strlen(close));
	char *p = s;
	for (size_t k = 0;; k++) {
		char *next = strstr(p, sep);
		if (next)
			*next = '\0';
		const json_t *tc = json_array_get(calls, k);
		const char *id = json_string_value(json_object_get(tc, "id"));
		const char *name = json_string_value(json_object_get(tc, "name"));
		json_array_append_new(c->messages,
				      json_pack("{s:s, s:s, s:s, s:s}", "role", "tool",
						"tool_call_id", id ? id : "", "name",
						name ? name : "", "content", p));
		if (!next)
			break;
		p = next + strlen(sep);
	}
	free(s);
	return 0;
}

static int decode_m2_prompt(jolt_serve_call *c, const char *prompt)
{
	const char *p = prompt;
	if (!strncmp(p, M2_BOS, strlen(M2_BOS)))
		p += strlen(M2_BOS);
	int generation = 0;
	while (*p) {
		if (strncmp(p, M2_ROLE, strlen(M2_ROLE)))
			return jolt_err_set(JOLT_EINPUT,
					    "m2 prompt: expected a ']~b]' role marker at byte %zu",
					    (size_t)(p - prompt));
		p += strlen(M2_ROLE);
		const char *nl = strchr(p, '\n');
		if (!nl)
			return jolt_err_set(JOLT_EINPUT, "m2 prompt: a role line has no newline");
		size_t rl = (size_t)(nl - p);
		const char *body = nl + 1;
		const char *end = strstr(body, M2_EOS);
		if (!end) {
			/* The generation prompt: "]~b]ai\n<think>\n", last. */
			if (rl != 2 || strncmp(p, "ai", 2))
				return jolt_err_set(JOLT_EINPUT,
						    "m2 prompt: a turn is not closed with '[e~['");
			generation = 1;
			break;
		}
		size_t bl = (size_t)(end - body);
		int rc;
		if (rl == 6 && !strncmp(p, "system", 6))
			rc = m2_system(c, body, bl);
		else if (rl == 4 && !strncmp(p, "user", 4))
			rc = json_array_append_new(
				c->messages, json_pack("{s:s, s:s%}", "role", "user",
						       "content", body, bl));
		else if (rl == 2 && !strncmp(p, "ai", 2))
			rc = m2_ai(c, body, bl);
		else if (rl == 4 && !strncmp(p, "tool", 4))
			rc = m2_tool(c, body, bl);
		else
			rc = jolt_err_set(JOLT_EINPUT, "m2 prompt: unknown role '%.*s'",
					  (int)(rl > 32 ? 32 : rl), p);
		if (rc)
			return rc < 0 ? rc : JOLT_EINPUT;
		p = end + strlen(M2_EOS);
		if (*p == '\n')
			p++;
	}
	if (!generation)
		return jolt_err_set(JOLT_EINPUT,
				    "m2 prompt: it must end with the generation prompt ']~b]ai\\n<think>\\n'");
	return 0;
}

static int decode_m2(jolt_serve_call *c, const json_t *root)
{
	const json_t *prompt = json_object_get(root, "prompt");
	if (json_is_array(prompt) && json_array_size(prompt) == 1)
		prompt = json_array_get(prompt, 0);
	if (!json_is_string(prompt))
		return jolt_err_set(JOLT_EINPUT, "\"prompt\" must be a string");
	return decode_m2_prompt(c, json_string_value(prompt));
}

int jolt_serve_decode(jolt_serve_call *out, enum jolt_serve_dialect d,
		      const char *body, size_t len)
{
	memset(out, 0, sizeof(*out));
	json_t *root = NULL;
	int rc = load_body(&root, body, len);
	if (rc)
		return rc;
	out->messages = json_array();
	out->tools = json_array();
	const char *model = json_string_value(json_object_get(root, "model"));
	out->model = model ? jolt_xstrdup(model) : NULL;
	out->stream = json_is_true(json_object_get(root, "stream"));
	switch (d) {
	case JOLT_SERVE_OPENAI:
		rc = decode_openai(out, root);
		break;
	case JOLT_SERVE_ANTHROPIC:
		rc = decode_anthropic(out, root);
		break;
	case JOLT_SERVE_M2:
		rc = decode_m2(out, root);
		break;
	default:
		rc = jolt_err_set(JOLT_EINTERNAL, "unknown dialect %d", (int)d);
	}
	json_decref(root);
	if (rc) {
		jolt_serve_call_release(out);
		return rc;
	}
	out->step = count_assistant(out->messages);
	return 0;
}

/* ---- encoding ---- */

static const char *msg_str(const json_t *m, const char *k)
{
	const char *s = json_string_value(json_object_get(m, k));
	return s ? s : "";
}

/* The arguments as the wire carries them; the malformed fault cuts the
 * closing brace so that they are not JSON. Caller frees. */
static char *args_text(const json_t *args, int malformed)
{
	char *s = json_dumps(args ? args : json_object(), JSON_COMPACT | JSON_ENCODE_ANY);
	if (!s)
		s = jolt_xstrdup("{}");
	if (malformed && s[0])
		s[strlen(s) - 1] = '\0';
	return s;
}

/* A deterministic stand-in for Anthropic's thinking signature. */
static char *fake_signature(const char *thinking)
{
	uint64_t a = jolt_hash_str(0x5167, thinking), b = jolt_hash_str(a, thinking);
	return jolt_xasprintf("%016llx%016llx", (unsigned long long)a,
			      (unsigned long long)b);
}

/* Up to n pieces of s, never splitting a UTF-8 sequence (JSON strings
 * must stay valid). Pieces are (offset, length) pairs in out[2*i]. */
static size_t split_pieces(size_t *out, const char *s, size_t n)
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

#define PIECES 3

static char *inline_content(const json_t *m)
{
	const char *th = json_string_value(json_object_get(m, "thinking"));
	if (!th)
		return jolt_xstrdup(msg_str(m, "content"));
	return jolt_xasprintf("<think>\n%s\n</think>\n\n%s", th, msg_str(m, "content"));
}

static json_t *usage_openai(const jolt_serve_reply *r)
{
	return json_pack("{s:I, s:I, s:I}", "prompt_tokens", (json_int_t)r->tokens_in,
			 "completion_tokens", (json_int_t)r->tokens_out, "total_tokens",
			 (json_int_t)(r->tokens_in + r->tokens_out));
}

/* The M2 completion text: the prompt ended inside <think>. */
static char *m2_text(const json_t *m, int malformed)
{
	jolt_buf b;
	jolt_buf_init(&b, 0);
	jolt_buf_addf(&b, "%s\n</think>\n\n%s", msg_str(m, "thinking"), msg_str(m, "content"));
	const json_t *tcs = json_object_get(m, "tool_calls");
	if (json_array_size(tcs)) {
		jolt_buf_adds(&b, "\n<minimax:tool_call>\n");
		size_t i;
		json_t *tc;
		json_array_foreach(tcs, i, tc) {
			jolt_buf_addf(&b, "<invoke name=\"%s\">\n", msg_str(tc, "name"));
			const char *k;
			json_t *v;
			json_object_foreach(json_object_get(tc, "arguments"), k, v) {
				jolt_buf_addf(&b, "<parameter name=\"%s\">", k);
				if (json_is_string(v)) {
					jolt_buf_adds(&b, json_string_value(v));
				} else {
					char *js = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
					jolt_buf_adds(&b, js ? js : "null");
					free(js);
				}
				jolt_buf_adds(&b, "</parameter>\n");
			}
			/* The malformed fault: the first invoke is never closed. */
			if (!(malformed && i == 0))
				jolt_buf_adds(&b, "</invoke>\n");
		}
		jolt_buf_adds(&b, "</minimax:tool_call>");
	}
	return jolt_buf_detach(&b);
}

static int dump_to(char **out, json_t *j)
{
	*out = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	return *out ? 0 : jolt_err_set(JOLT_EINTERNAL, "response could not be encoded");
}

int jolt_serve_encode(char **out, enum jolt_serve_dialect d,
		      const jolt_serve_call *c, const jolt_serve_reply *r)
{
	*out = NULL;
	const json_t *m = r->message;
	const json_t *tcs = json_object_get(m, "tool_calls");
	const char *th = json_string_value(json_object_get(m, "thinking"));
	size_t i;
	json_t *tc;
	if (d == JOLT_SERVE_OPENAI) {
		json_t *msg = json_pack("{s:s}", "role", "assistant");
		if (c->reasoning_split) {
			json_object_set_new(msg, "content", json_string(msg_str(m, "content")));
			if (th)
				json_object_set_new(msg, "reasoning_details",
						    json_pack("[{s:s, s:s}]", "type",
							      "reasoning.text", "text", th));
		} else {
			char *ct = inline_content(m);
			json_object_set_new(msg, "content", json_string(ct));
			free(ct);
		}
		if (json_array_size(tcs)) {
			json_t *calls = json_array();
			json_array_foreach(tcs, i, tc) {
				char *a = args_text(json_object_get(tc, "arguments"), r->malformed);
				json_array_append_new(
					calls, json_pack("{s:s, s:s, s:{s:s, s:s}}", "id",
							 msg_str(tc, "id"), "type", "function",
							 "function", "name", msg_str(tc, "name"),
							 "arguments", a));
				free(a);
			}
			json_object_set_new(msg, "tool_calls", calls);
		}
		return dump_to(out, json_pack("{s:s, s:s, s:I, s:s, s:[{s:i, s:o, s:s}], s:o}",
					      "id", r->id, "object", "chat.completion",
					      "created", (json_int_t)r->created, "model",
					      r->model, "choices", "index", 0, "message", msg,
					      "finish_reason",
					      json_array_size(tcs) ? "tool_calls" : "stop",
					      "usage", usage_openai(r)));
	}
	if (d == JOLT_SERVE_ANTHROPIC) {
		json_t *content = json_array();
		if (th) {
			char *sig = fake_signature(th);
			json_array_append_new(content,
					      json_pack("{s:s, s:s, s:s}", "type", "thinking",
							"thinking", th, "signature", sig));
			free(sig);
		}
		if (msg_str(m, "content")[0])
			json_array_append_new(content,
					      json_pack("{s:s, s:s}", "type", "text", "text",
							msg_str(m, "content")));
		json_array_foreach(tcs, i, tc) {
			json_t *in;
			if (r->malformed) {
				/* Anthropic's input is JSON on the wire; the
				 * nearest to a broken call is a non-object. */
				char *a = args_text(json_object_get(tc, "arguments"), 1);
				in = json_string(a);
				free(a);
			} else {
				in = json_deep_copy(json_object_get(tc, "arguments"));
			}
			json_array_append_new(content,
					      json_pack("{s:s, s:s, s:s, s:o}", "type", "tool_use",
							"id", msg_str(tc, "id"), "name",
							msg_str(tc, "name"), "input",
							in ? in : json_object()));
		}
		return dump_to(out,
			       json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:n, s:{s:I, s:I}}",
					 "id", r->id, "type", "message", "role", "assistant",
					 "model", r->model, "content", content, "stop_reason",
					 json_array_size(tcs) ? "tool_use" : "end_turn",
					 "stop_sequence", "usage", "input_tokens",
					 (json_int_t)r->tokens_in, "output_tokens",
					 (json_int_t)r->tokens_out));
	}
	char *text = m2_text(m, r->malformed);
	json_t *j = json_pack("{s:s, s:s, s:I, s:s, s:[{s:i, s:s, s:s}], s:o}", "id", r->id,
			      "object", "text_completion", "created", (json_int_t)r->created,
			      "model", r->model, "choices", "index", 0, "text", text,
			      "finish_reason", "stop", "usage", usage_openai(r));
	free(text);
	return dump_to(out, j);
}

/* ---- streams ---- */

typedef struct chunk_list {
	jolt_serve_chunks *c;
	size_t alloc;
} chunk_list;

static void push_raw(chunk_list *l, char *s)
{
	if (l->c->n == l->alloc) {
		l->alloc = l->alloc ? 2 * l->alloc : 16;
		l->c->v = jolt_xrealloc(l->c->v, l->alloc * sizeof(char *));
	}
	l->c->v[l->c->n++] = s;
}

/* Append one SSE event for `j` (stolen); event may be NULL. */
static void push(chunk_list *l, const char *event, json_t *j)
{
	char *d = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	if (event)
		push_raw(l, jolt_xasprintf("event: %s\ndata: %s\n\n", event, d ? d : "{}"));
	else
		push_raw(l, jolt_xasprintf("data: %s\n\n", d ? d : "{}"));
	free(d);
}

static json_t *openai_chunk(const jolt_serve_reply *r, json_t *delta,
			    const char *finish)
{
	return json_pack("{s:s, s:s, s:I, s:s, s:[{s:i, s:o, s:s?}]}", "id", r->id,
			 "object", "chat.completion.chunk", "created",
			 (json_int_t)r->created, "model", r->model, "choices", "index",
			 0, "delta", delta, "finish_reason", finish);
}

static void stream_openai(chunk_list *l, const jolt_serve_call *c,
			  const jolt_serve_reply *r)
{
	const json_t *m = r->message;
	const json_t *tcs = json_object_get(m, "tool_calls");
	const char *th = json_string_value(json_object_get(m, "thinking"));
	size_t pc[2 * (PIECES + 2)], n;
	push(l, NULL, openai_chunk(r, json_pack("{s:s, s:s}", "role", "assistant",
					       "content", ""), NULL));
	if (c->reasoning_split) {
		if (th) {
			n = split_pieces(pc, th, PIECES);
			for (size_t i = 0; i < n; i++)
				push(l, NULL, openai_chunk(r, json_pack("{s:[{s:s, s:s%}]}",
									"reasoning_details", "type",
									"reasoning.text", "text",
									th + pc[2 * i], pc[2 * i + 1]),
							   NULL));
		}
		const char *ct = msg_str(m, "content");
		n = split_pieces(pc, ct, PIECES);
		for (size_t i = 0; i < n; i++)
			push(l, NULL, openai_chunk(r, json_pack("{s:s%}", "content",
								ct + pc[2 * i], pc[2 * i + 1]),
						   NULL));
	} else {
		char *ct = inline_content(m);
		n = split_pieces(pc, ct, PIECES + 1);
		for (size_t i = 0; i < n; i++)
			push(l, NULL, openai_chunk(r, json_pack("{s:s%}", "content",
								ct + pc[2 * i], pc[2 * i + 1]),
						   NULL));
		free(ct);
	}
	size_t i;
	json_t *tc;
	json_array_foreach(tcs, i, tc) {
		push(l, NULL, openai_chunk(r, json_pack("{s:[{s:i, s:s, s:s, s:{s:s, s:s}}]}",
							"tool_calls", "index", (int)i, "id",
							msg_str(tc, "id"), "type", "function",
							"function", "name", msg_str(tc, "name"),
							"arguments", ""),
					   NULL));
		char *a = args_text(json_object_get(tc, "arguments"), r->malformed);
		n = split_pieces(pc, a, PIECES);
		for (size_t k = 0; k < n; k++)
			push(l, NULL, openai_chunk(r, json_pack("{s:[{s:i, s:{s:s%}}]}",
								"tool_calls", "index", (int)i,
								"function", "arguments",
								a + pc[2 * k], pc[2 * k + 1]),
						   NULL));
		free(a);
	}
	push(l, NULL, openai_chunk(r, json_object(),
				   json_array_size(tcs) ? "tool_calls" : "stop"));
	if (c->include_usage)
		push(l, NULL, json_pack("{s:s, s:s, s:I, s:s, s:[], s:o}", "id", r->id, "object",
					"chat.completion.chunk", "created",
					(json_int_t)r->created, "model", r->model, "choices",
					"usage", usage_openai(r)));
	push_raw(l, jolt_xstrdup("data: [DONE]\n\n"));
}

static void block_stop(chunk_list *l, int index)
{
	push(l, "content_block_stop",
	     json_pack("{s:s, s:i}", "type", "content_block_stop", "index", index));
}

static void block_delta(chunk_list *l, int index, json_t *delta)
{
	push(l, "content_block_delta",
	     json_pack("{s:s, s:i, s:o}", "type", "content_block_delta", "index", index,
		       "delta", delta));
}

static void stream_anthropic(chunk_list *l, const jolt_serve_reply *r)
{
	const json_t *m = r->message;
	const json_t *tcs = json_object_get(m, "tool_calls");
	const char *th = json_string_value(json_object_get(m, "thinking"));
	const char *ct = msg_str(m, "content");
	size_t pc[2 * (PIECES + 2)], n;
	int index = 0;
	push(l, "message_start",
	     json_pack("{s:s, s:{s:s, s:s, s:s, s:s, s:[], s:n, s:n, s:{s:I, s:i}}}",
		       "type", "message_start", "message", "id", r->id, "type", "message",
		       "role", "assistant", "model", r->model, "content", "stop_reason",
		       "stop_sequence", "usage", "input_tokens", (json_int_t)r->tokens_in,
		       "output_tokens", 1));
	push(l, "ping", json_pack("{s:s}", "type", "ping"));
	if (th) {
		push(l, "content_block_start",
		     json_pack("{s:s, s:i, s:{s:s, s:s, s:s}}", "type", "content_block_start",
			       "index", index, "content_block", "type", "thinking",
			       "thinking", "", "signature", ""));
		n = split_pieces(pc, th, PIECES);
		for (size_t i = 0; i < n; i++)
			block_delta(l, index, json_pack("{s:s, s:s%}", "type", "thinking_delta",
							"thinking", th + pc[2 * i],
							pc[2 * i + 1]));
		char *sig = fake_signature(th);
		block_delta(l, index, json_pack("{s:s, s:s}", "type", "signature_delta",
						"signature", sig));
		free(sig);
		block_stop(l, index++);
	}
	if (ct[0]) {
		push(l, "content_block_start",
		     json_pack("{s:s, s:i, s:{s:s, s:s}}", "type", "content_block_start",
			       "index", index, "content_block", "type", "text", "text", ""));
		n = split_pieces(pc, ct, PIECES);
		for (size_t i = 0; i < n; i++)
			block_delta(l, index, json_pack("{s:s, s:s%}", "type", "text_delta",
							"text", ct + pc[2 * i], pc[2 * i + 1]));
		block_stop(l, index++);
	}
	size_t i;
	json_t *tc;
	json_array_foreach(tcs, i, tc) {
		push(l, "content_block_start",
		     json_pack("{s:s, s:i, s:{s:s, s:s, s:s, s:{}}}", "type",
			       "content_block_start", "index", index, "content_block",
			       "type", "tool_use", "id", msg_str(tc, "id"), "name",
			       msg_str(tc, "name"), "input"));
		char *a = args_text(json_object_get(tc, "arguments"), r->malformed);
		n = split_pieces(pc, a, PIECES);
		for (size_t k = 0; k < n; k++)
			block_delta(l, index, json_pack("{s:s, s:s%}", "type", "input_json_delta",
							"partial_json", a + pc[2 * k],
							pc[2 * k + 1]));
		free(a);
		block_stop(l, index++);
	}
	push(l, "message_delta",
	     json_pack("{s:s, s:{s:s, s:n}, s:{s:I}}", "type", "message_delta", "delta",
		       "stop_reason", json_array_size(tcs) ? "tool_use" : "end_turn",
		       "stop_sequence", "usage", "output_tokens", (json_int_t)r->tokens_out));
	push(l, "message_stop", json_pack("{s:s}", "type", "message_stop"));
}

static void stream_m2(chunk_list *l, const jolt_serve_reply *r)
{
	char *text = m2_text(r->message, r->malformed);
	size_t pc[2 * (PIECES + 2)];
	size_t n = split_pieces(pc, text, PIECES + 2);
	for (size_t i = 0; i < n; i++)
		push(l, NULL, json_pack("{s:s, s:s, s:I, s:s, s:[{s:i, s:s%, s:n}]}", "id",
					r->id, "object", "text_completion", "created",
					(json_int_t)r->created, "model", r->model, "choices",
					"index", 0, "text", text + pc[2 * i], pc[2 * i + 1],
					"finish_reason"));
	push(l, NULL, json_pack("{s:s, s:s, s:I, s:s, s:[{s:i, s:s, s:s}], s:o}", "id", r->id,
				"object", "text_completion", "created",
				(json_int_t)r->created, "model", r->model, "choices", "index",
				0, "text", "", "finish_reason", "stop", "usage",
				usage_openai(r)));
	push_raw(l, jolt_xstrdup("data: [DONE]\n\n"));
	free(text);
}

int jolt_serve_encode_stream(jolt_serve_chunks *out, enum jolt_serve_dialect d,
			     const jolt_serve_call *c, const jolt_serve_reply *r)
{
	memset(out, 0, sizeof(*out));
	chunk_list l = {out, 0};
	if (d == JOLT_SERVE_OPENAI)
		stream_openai(&l, c, r);
	else if (d == JOLT_SERVE_ANTHROPIC)
		stream_anthropic(&l, r);
	else
		stream_m2(&l, r);
	return 0;
}

char *jolt_serve_error_body(enum jolt_serve_dialect d, const char *type,
			    const char *message)
{
	json_t *j;
	if (d == JOLT_SERVE_ANTHROPIC)
		j = json_pack("{s:s, s:{s:s, s:s}}", "type", "error", "error", "type", type,
			      "message", message);
	else
		j = json_pack("{s:{s:s, s:s, s:n}}", "error", "message", message, "type",
			      type, "code");
	char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	return s ? s : jolt_xstrdup("{\"error\":{\"message\":\"error\"}}");
}
