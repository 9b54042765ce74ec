/*
 * dialect_m2.c - the m2 dialect: MiniMax-M2 over a raw /completions
 * endpoint, with jolt rendering the chat template itself
 * (dialect_m2_template.c) so that the prompt is byte for byte what the
 * model was trained on.
 *
 * Client half: the request is {prompt, sampling, stop: [e~[}; the reply's
 * text starts inside <think> and is parsed by jolt_m2_parse, with the
 * tool-call ids renamed "call_<step>_<i>" so that they are unique in the
 * trajectory. Errors are classified by the shared jolt_dialect_classify.
 *
 * Server half (`jolt serve`): the prompt is split back into turns at the
 * template's role markers (tools from the system turn's <tools> block,
 * thinking from the ai turns' <think>, tool results matched to the
 * previous ai turn's calls by order, since the template renders neither
 * ids nor names) and the sim's turn is rendered as the completion text an
 * M2 server would produce.
 */
#include <stdbool.h>
#include <string.h>

#include "core/buf.h"
#include "core/common.h"
#include "model/dialect.h"
#include "model/dialect_serve.h"

/* ---- client half -------------------------------------------------------- */

/* The body's members after the prompt, as compact JSON text with its
 * '{' (caller frees; NULL out of memory). */
static char *m2_tail(const jolt_dialect_opts *o)
{
	json_t *body = json_object();
	json_object_set_new(body, "max_tokens",
			    json_integer(jolt_dialect_max_tokens(o)));
	json_object_set_new(body, "temperature", json_real(jolt_dialect_temperature(o)));
	json_object_set_new(body, "top_p", json_real(jolt_dialect_top_p(o)));
	if (jolt_dialect_top_k(o) > 0)
		json_object_set_new(body, "top_k", json_integer(jolt_dialect_top_k(o)));
	json_object_set_new(body, "stream", json_boolean(jolt_dialect_stream(o)));
	if (jolt_dialect_stream(o))
		json_object_set_new(body, "stream_options",
				    json_pack("{s:b}", "include_usage", 1));
	json_object_set_new(body, "stop", json_pack("[s]", JOLT_M2_EOS));
	/* vLLM and SGLang extension: keep </think> and the tool-call tags in
	 * the text even where the tokenizer marks them special. */
	json_object_set_new(body, "skip_special_tokens", json_false());
	char *t = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	return t;
}

/* The whole body around `prompt` (escaped, without quotes). */
static int m2_body(char **out, const char *prompt, size_t len,
		   const jolt_dialect_opts *o)
{
	char *tail = m2_tail(o);
	if (!tail)
		return jolt_err_set(JOLT_ENOMEM, "m2 encode: out of memory");
	jolt_buf b;
	jolt_buf_init(&b, 0);
	if (o && o->model) {
		json_t *h = json_pack("{s:s}", "model", o->model);
		char *head = h ? json_dumps(h, JSON_COMPACT) : NULL;
		json_decref(h);
		if (!head) {
			free(tail);
			jolt_buf_release(&b);
			return jolt_err_set(JOLT_ENOMEM, "m2 encode: out of memory");
		}
		jolt_buf_add(&b, head, strlen(head) - 1); /* without its '}' */
		jolt_buf_addc(&b, ',');
		free(head);
	} else {
		jolt_buf_addc(&b, '{');
	}
	jolt_buf_adds(&b, "\"prompt\":\"");
	jolt_buf_add(&b, prompt, len);
	jolt_buf_adds(&b, "\",");
	jolt_buf_adds(&b, tail + 1); /* its members and its '}' */
	free(tail);
	*out = jolt_buf_detach(&b);
	jolt_buf_release(&b);
	return 0;
}

/* s[0..n) as the inside of a JSON string, exactly as json_dumps spells
 * it (caller frees); NULL when it is not valid UTF-8 or holds a NUL
 * (the whole-prompt path decides those). */
static char *escape(const char *s, size_t n)
{
	if (memchr(s, '\0', n))
		return NULL;
	json_t *j = json_stringn(s, n);
	char *t = j ? json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
	json_decref(j);
	if (!t)
		return NULL;
	size_t len = strlen(t);
	memmove(t, t + 1, len - 2);
	t[len - 2] = '\0';
	return t;
}

/* Whose texts a render cache holds (model/backend.h). */
static const char m2_cache_owner;

/* Turn by turn with the trajectory's render cache: each message's turn
 * is rendered and escaped once (tagged with whether its reasoning was
 * rendered, which a later user message can change), the head once per
 * tools list. The bytes are those of the whole-prompt path below, which
 * is taken without a cache, or when a piece cannot be escaped alone. */
static int m2_encode_cached(char **out, const jolt_model_req *req,
			    const jolt_dialect_opts *o)
{
	jolt_render_cache *c = req->cache;
	const json_t *msgs = req->messages;
	size_t nm = json_array_size(msgs), keep = 0;
	size_t last_user = jolt_m2_last_user(msgs);
	jolt_render_cache_cut(c, c->n, &m2_cache_owner);
	while (keep < c->n && keep < nm &&
	       c->msg[keep] == json_array_get(msgs, keep) &&
	       c->tag[keep] == (int)jolt_m2_turn_think(keep, last_user, nm))
		keep++;
	jolt_render_cache_cut(c, keep, &m2_cache_owner);
	if (keep == 0 || c->tools != req->tools || !c->tools_text) {
		jolt_buf h;
		jolt_buf_init(&h, 0);
		jolt_m2_render_head(&h, msgs, req->tools);
		char *text = escape(h.s ? h.s : "", h.len);
		jolt_buf_release(&h);
		if (!text)
			return 1;
		json_decref(c->tools);
		free(c->tools_text);
		c->tools = json_incref((json_t *)req->tools);
		c->tools_text = text;
	}
	for (size_t i = c->n; i < nm; i++) {
		jolt_buf t;
		jolt_buf_init(&t, 0);
		bool think = jolt_m2_turn_think(i, last_user, nm);
		int rc = jolt_m2_render_turn(&t, msgs, i, think);
		char *text = rc ? NULL : escape(t.s ? t.s : "", t.len);
		jolt_buf_release(&t);
		if (!text)
			return rc ? rc : 1;
		jolt_render_cache_push_tag(c, json_array_get(msgs, i), text,
					   think);
	}
	jolt_buf p;
	jolt_buf_init(&p, 0);
	jolt_buf_adds(&p, c->tools_text);
	for (size_t i = 0; i < nm; i++) {
		jolt_buf_adds(&p, c->text[i]);
		if (jolt_m2_turn_ends_run(msgs, i))
			jolt_buf_adds(&p, JOLT_M2_EOS "\\n");
	}
	jolt_buf_adds(&p, JOLT_M2_ROLE "ai\\n<think>\\n");
	int rc = m2_body(out, p.s, p.len, o);
	jolt_buf_release(&p);
	return rc;
}

static int m2_encode(char **out, const jolt_model_req *req,
		     const jolt_dialect_opts *o)
{
	*out = NULL;
	if (req->cache && json_is_array(req->messages)) {
		int rc = m2_encode_cached(out, req, o);
		if (rc <= 0)
			return rc;
		/* A piece that cannot stand alone: the whole prompt decides. */
		jolt_render_cache_cut(req->cache, 0, NULL);
	}
	char *prompt = NULL;
	int rc = jolt_m2_render(&prompt, req->messages, req->tools);
	if (rc)
		return rc;
	char *esc = NULL;
	json_t *pj = json_string(prompt);
	free(prompt);
	if (pj)
		esc = json_dumps(pj, JSON_COMPACT | JSON_ENCODE_ANY);
	json_decref(pj);
	if (!pj)
		return jolt_err_set(JOLT_EINPUT,
				    "m2 encode: the prompt is not valid UTF-8");
	if (!esc)
		return jolt_err_set(JOLT_ENOMEM, "m2 encode: out of memory");
	size_t len = strlen(esc);
	esc[len - 1] = '\0';
	rc = m2_body(out, esc + 1, len - 2, o);
	free(esc);
	return rc;
}

/* Common tail of decode and stream_finish: text -> reply. */
static int m2_reply(jolt_model_reply *out, const char *text, size_t len,
		    const json_t *tools, int step, const json_t *usage)
{
	json_t *msg = NULL;
	int rc = jolt_m2_parse(&msg, &out->malformed, &out->malformed_detail,
			       text, len, tools);
	if (rc)
		return rc;
	size_t i;
	json_t *tc;
	json_array_foreach(json_object_get(msg, "tool_calls"), i, tc)
	{
		char id[48];
		snprintf(id, sizeof(id), "call_%d_%zu", step, i);
		json_object_set_new(tc, "id", json_string(id));
	}
	out->message = msg;
	out->tokens_in =
	    (long)json_integer_value(json_object_get(usage, "prompt_tokens"));
	out->tokens_out = (long)json_integer_value(
	    json_object_get(usage, "completion_tokens"));
	return 0;
}

static int error_message(const json_t *root, const char *what)
{
	const json_t *e = json_object_get(root, "error");
	const char *msg = json_string_value(json_object_get(e, "message"));
	if (!msg)
		msg = json_string_value(e);
	if (!msg)
		msg = json_string_value(json_object_get(
		    json_object_get(root, "base_resp"), "status_msg"));
	return jolt_err_set(JOLT_EINFRA, "m2: %s%s%s", what, msg ? ": " : "",
			    msg ? msg : "");
}

static int m2_decode(jolt_model_reply *out, const char *body, size_t len,
		     const jolt_model_req *req, const jolt_dialect_opts *o)
{
	memset(out, 0, sizeof(*out));
	if (len > JOLT_BODY_CAP)
		return jolt_err_set(JOLT_ETOOBIG,
				    "m2: the response is over %d bytes",
				    JOLT_BODY_CAP);
	json_error_t jerr;
	json_t *root = json_loadb(body ? body : "", len, 0, &jerr);
	if (!root)
		return jolt_err_set(JOLT_EINFRA,
				    "m2: the response is not JSON (%s)",
				    jerr.text);
	int rc;
	const json_t *text = json_object_get(
	    json_array_get(json_object_get(root, "choices"), 0), "text");
	if (json_object_get(root, "error") &&
	    !json_is_null(json_object_get(root, "error")))
		rc = error_message(root, "the server returned an error");
	else if (!json_is_string(text))
		rc = error_message(root, "the response has no choices[0].text");
	else
		rc = m2_reply(out, json_string_value(text),
			      json_string_length(text), req->tools, req->step,
			      json_object_get(root, "usage"));
	json_decref(root);
	return rc;
}

typedef struct m2_stream {
	const json_t *tools;
	int step;
	jolt_buf text;
	json_t *usage;
	bool finished; /* a finish_reason arrived */
	bool done;     /* [DONE] arrived */
} m2_stream;

static int m2_stream_new(jolt_stream **out, const jolt_model_req *req,
			 const jolt_dialect_opts *o)
{
	m2_stream *st = jolt_xcalloc(1, sizeof(*st));
	st->tools = req->tools;
	st->step = req->step;
	jolt_buf_init(&st->text, JOLT_BODY_CAP);
	*out = (jolt_stream *)st;
	return 0;
}

static int m2_stream_event(jolt_stream *sv, const char *event, const char *data,
			   size_t len)
{
	m2_stream *st = (m2_stream *)sv;
	if (len == 6 && !memcmp(data, "[DONE]", 6)) {
		st->done = true;
		return 0;
	}
	if (len == 0)
		return 0;
	json_error_t jerr;
	json_t *j = json_loadb(data, len, 0, &jerr);
	if (!j)
		return jolt_err_set(JOLT_EINFRA,
				    "m2 stream: an event is not JSON (%s)",
				    jerr.text);
	int rc = 0;
	if (json_object_get(j, "error") &&
	    !json_is_null(json_object_get(j, "error"))) {
		rc = error_message(j, "the stream reported an error");
		goto done;
	}
	const json_t *ch = json_array_get(json_object_get(j, "choices"), 0);
	const json_t *t = json_object_get(ch, "text");
	if (json_is_string(t) && jolt_buf_add(&st->text, json_string_value(t),
					      json_string_length(t))) {
		rc = jolt_err_set(JOLT_ETOOBIG,
				  "m2 stream: the completion is over %d bytes",
				  JOLT_BODY_CAP);
		goto done;
	}
	if (json_is_string(json_object_get(ch, "finish_reason")))
		st->finished = true;
	if (json_is_object(json_object_get(j, "usage"))) {
		json_decref(st->usage);
		st->usage = json_incref(json_object_get(j, "usage"));
	}
done:
	json_decref(j);
	return rc;
}

static int m2_stream_finish(jolt_model_reply *out, jolt_stream *sv)
{
	m2_stream *st = (m2_stream *)sv;
	memset(out, 0, sizeof(*out));
	if (!st->finished && !st->done)
		return jolt_err_set(JOLT_EINFRA,
				    "m2 stream: the stream ended before a "
				    "finish_reason or [DONE] (truncated)");
	return m2_reply(out, jolt_buf_cstr(&st->text), st->text.len, st->tools,
			st->step, st->usage);
}

static void m2_stream_free(jolt_stream *sv)
{
	m2_stream *st = (m2_stream *)sv;
	if (!st)
		return;
	jolt_buf_release(&st->text);
	json_decref(st->usage);
	free(st);
}

/* ---- server half ------------------------------------------------------- */

/* The whole first line of the template's tools section: a text scaffold's own
 * "# Tools" heading in the system prompt is not it. */
#define M2_TOOLS_MARK "\n\n# Tools\nYou may call one or more tools to assist with the user query.\n"

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
					c->tools, jolt_dsv_neutral_tool(name,
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
	if (!strncmp(p, JOLT_M2_BOS, strlen(JOLT_M2_BOS)))
		p += strlen(JOLT_M2_BOS);
	int generation = 0;
	while (*p) {
		if (strncmp(p, JOLT_M2_ROLE, strlen(JOLT_M2_ROLE)))
			return jolt_err_set(JOLT_EINPUT,
					    "m2 prompt: expected a ']~b]' role marker at byte %zu",
					    (size_t)(p - prompt));
		p += strlen(JOLT_M2_ROLE);
		const char *nl = strchr(p, '\n');
		if (!nl)
			return jolt_err_set(JOLT_EINPUT, "m2 prompt: a role line has no newline");
		size_t rl = (size_t)(nl - p);
		const char *body = nl + 1;
		const char *end = strstr(body, JOLT_M2_EOS);
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
		p = end + strlen(JOLT_M2_EOS);
		if (*p == '\n')
			p++;
	}
	if (!generation)
		return jolt_err_set(JOLT_EINPUT,
				    "m2 prompt: it must end with the generation prompt ']~b]ai\\n<think>\\n'");
	return 0;
}

static int m2_serve_decode(jolt_serve_call *c, const json_t *root)
{
	const json_t *prompt = json_object_get(root, "prompt");
	if (json_is_array(prompt) && json_array_size(prompt) == 1)
		prompt = json_array_get(prompt, 0);
	if (!json_is_string(prompt))
		return jolt_err_set(JOLT_EINPUT, "\"prompt\" must be a string");
	return decode_m2_prompt(c, json_string_value(prompt));
}

/* The M2 completion text: the prompt ended inside <think>. */
static char *m2_text(const json_t *m, int malformed)
{
	jolt_buf b;
	jolt_buf_init(&b, 0);
	jolt_buf_addf(&b, "%s\n</think>\n\n%s", jolt_dsv_str(m, "thinking"), jolt_dsv_str(m, "content"));
	const json_t *tcs = json_object_get(m, "tool_calls");
	if (json_array_size(tcs)) {
		jolt_buf_adds(&b, "\n<minimax:tool_call>\n");
		size_t i;
		json_t *tc;
		json_array_foreach(tcs, i, tc) {
			jolt_buf_addf(&b, "<invoke name=\"%s\">\n", jolt_dsv_str(tc, "name"));
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

static int m2_serve_encode(char **out, const jolt_serve_call *c,
			   const jolt_serve_reply *r)
{
	*out = NULL;
	char *text = m2_text(r->message, r->malformed);
	json_t *j = json_pack("{s:s, s:s, s:I, s:s, s:[{s:i, s:s, s:s}], s:o}", "id", r->id,
			      "object", "text_completion", "created", (json_int_t)r->created,
			      "model", r->model, "choices", "index", 0, "text", text,
			      "finish_reason", "stop", "usage", jolt_dsv_usage_openai(r));
	free(text);
	return jolt_dsv_dump(out, j);
}

static int m2_serve_stream(jolt_serve_chunks *l, const jolt_serve_call *c,
			   const jolt_serve_reply *r)
{
	char *text = m2_text(r->message, r->malformed);
	size_t pc[2 * (JOLT_DSV_PIECES + 2)];
	size_t n = jolt_dsv_split(pc, text, JOLT_DSV_PIECES + 2);
	for (size_t i = 0; i < n; i++)
		jolt_dsv_push(l, NULL, json_pack("{s:s, s:s, s:I, s:s, s:[{s:i, s:s%, s:n}]}", "id",
					r->id, "object", "text_completion", "created",
					(json_int_t)r->created, "model", r->model, "choices",
					"index", 0, "text", text + pc[2 * i], pc[2 * i + 1],
					"finish_reason"));
	jolt_dsv_push(l, NULL, json_pack("{s:s, s:s, s:I, s:s, s:[{s:i, s:s, s:s}], s:o}", "id", r->id,
				"object", "text_completion", "created",
				(json_int_t)r->created, "model", r->model, "choices", "index",
				0, "text", "", "finish_reason", "stop", "usage",
				jolt_dsv_usage_openai(r)));
	jolt_dsv_push_raw(l, jolt_xstrdup("data: [DONE]\n\n"));
	free(text);
	return 0;
}

const jolt_dialect jolt_dialect_m2 = {
    .name = "m2",
    .path = "/completions",
    .encode = m2_encode,
    .decode = m2_decode,
    .stream_new = m2_stream_new,
    .stream_event = m2_stream_event,
    .stream_finish = m2_stream_finish,
    .stream_free = m2_stream_free,
    /* Status and base_resp are all a completions server says about
     * errors. */
    .classify = jolt_dialect_classify,
    .route = "/completions",
    .id_prefix = "cmpl-",
    .rate_error = "rate_limit_exceeded",
    .server_error = "server_error",
    .serve_decode = m2_serve_decode,
    .serve_encode = m2_serve_encode,
    .serve_stream = m2_serve_stream,
    .serve_error = jolt_dsv_error_openai,
};
