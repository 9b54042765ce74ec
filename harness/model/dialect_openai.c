/*
 * dialect_openai.c - the OpenAI-compatible /chat/completions wire format,
 * as spoken by the MiniMax API, vLLM, SGLang and others.
 *
 * Thinking arrives in one of four places depending on the server and its
 * flags: inline in `content` as <think>...</think> (MiniMax default, vLLM
 * append_think), `reasoning_details[].text` (MiniMax reasoning_split),
 * `reasoning` (new vLLM) or `reasoning_content` (old vLLM, SGLang). The
 * decoder reads all of them into the neutral `thinking`, and keeps the
 * message object itself as `raw`, which encode sends back unchanged, so
 * whichever form the server uses is the form it gets back.
 *
 * The classifier also reads MiniMax's base_resp codes, which arrive with
 * any HTTP status (including 200); the anthropic and m2 dialects reuse it.
 */
#include <stdbool.h>
#include <string.h>

#include "core/buf.h"
#include "core/common.h"
#include "model/dialect.h"

#define OAI_MAX_CALLS 1024 /* tool calls accepted in one streamed reply */
#define OAI_MSG_CAP 512	   /* bytes of a server error message kept */


static const char *str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* ---- encode ------------------------------------------------------------ */

static json_t *encode_assistant(const json_t *m)
{
	const char *rd = str(m, "raw_dialect");
	const json_t *raw = json_object_get(m, "raw");
	if (rd && !strcmp(rd, "openai") && json_is_object(raw))
		return json_deep_copy(raw);

	json_t *out = json_object();
	json_object_set_new(out, "role", json_string("assistant"));
	const char *content = str(m, "content");
	const char *thinking = str(m, "thinking");
	if (thinking && thinking[0])
		json_object_set_new(out, "content",
				    json_sprintf("<think>\n%s\n</think>\n\n%s",
						 thinking,
						 content ? content : ""));
	else
		json_object_set_new(out, "content",
				    json_string(content ? content : ""));
	const json_t *calls = json_object_get(m, "tool_calls");
	if (json_array_size(calls) > 0) {
		json_t *arr = json_array();
		size_t i;
		json_t *tc;
		json_array_foreach(calls, i, tc)
		{
			const json_t *args = json_object_get(tc, "arguments");
			char *a = json_is_object(args)
				      ? json_dumps(args, JSON_COMPACT)
				      : jolt_xstrdup("{}");
			json_array_append_new(
			    arr,
			    json_pack("{s:s, s:s, s:{s:s, s:s}}", "id",
				      str(tc, "id") ? str(tc, "id") : "",
				      "type", "function", "function", "name",
				      str(tc, "name") ? str(tc, "name") : "",
				      "arguments", a ? a : "{}"));
			free(a);
		}
		json_object_set_new(out, "tool_calls", arr);
	}
	return out;
}

static int oai_encode(char **out, const jolt_model_req *req,
		      const jolt_dialect_opts *o)
{
	*out = NULL;
	if (!json_is_array(req->messages))
		return jolt_err_set(JOLT_EINPUT,
				    "openai encode: messages is not a list");
	json_t *body = json_object();
	if (o && o->model)
		json_object_set_new(body, "model", json_string(o->model));
	json_t *msgs = json_array();
	size_t i;
	json_t *m;
	json_array_foreach(req->messages, i, m)
	{
		const char *role = str(m, "role");
		if (!role)
			continue;
		if (!strcmp(role, "assistant")) {
			json_array_append_new(msgs, encode_assistant(m));
		} else if (!strcmp(role, "tool")) {
			json_array_append_new(
			    msgs,
			    json_pack(
				"{s:s, s:s, s:s}", "role", "tool",
				"tool_call_id",
				str(m, "tool_call_id") ? str(m, "tool_call_id")
						       : "",
				"content",
				str(m, "content") ? str(m, "content") : ""));
		} else {
			json_array_append_new(
			    msgs,
			    json_pack("{s:s, s:s}", "role", role, "content",
				      str(m, "content") ? str(m, "content")
							: ""));
		}
	}
	json_object_set_new(body, "messages", msgs);
	if (json_array_size(req->tools) > 0) {
		json_t *tools = json_array();
		json_t *t;
		json_array_foreach(req->tools, i, t)
		{
			json_array_append_new(
			    tools,
			    json_pack("{s:s, s:o}", "type", "function", "function",
				      jolt_dialect_tool_decl(t, "parameters")));
		}
		json_object_set_new(body, "tools", tools);
	}
	json_object_set_new(body, "temperature", json_real(jolt_dialect_temperature(o)));
	json_object_set_new(body, "top_p", json_real(jolt_dialect_top_p(o)));
	if (jolt_dialect_top_k(o) > 0)
		json_object_set_new(body, "top_k", json_integer(jolt_dialect_top_k(o)));
	json_object_set_new(body, "max_tokens",
			    json_integer(jolt_dialect_max_tokens(o)));
	json_object_set_new(body, "stream", json_boolean(jolt_dialect_stream(o)));
	if (jolt_dialect_stream(o))
		json_object_set_new(body, "stream_options",
				    json_pack("{s:b}", "include_usage", 1));
	if (o && o->b && o->b->reasoning_split)
		json_object_set_new(body, "reasoning_split", json_true());
	*out = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	return *out ? 0
		    : jolt_err_set(JOLT_ENOMEM, "openai encode: out of memory");
}

/* ---- decode ------------------------------------------------------------ */

static void add_nl(jolt_buf *b, const char *s, size_t n)
{
	if (!n)
		return;
	if (b->len)
		jolt_buf_addc(b, '\n');
	jolt_buf_add(b, s, n);
}

/* Split inline <think>...</think> out of content: thinking into `th`,
 * the rest (leading newlines stripped) into `rest`. A missing opening tag
 * with a closing one (the prompt opened it) counts from the start. */
static void split_think(jolt_buf *th, jolt_buf *rest, const char *c, size_t n)
{
	const char *open = memmem(c, n, "<think>", 7);
	const char *from = c;
	const char *close;
	if (open) {
		jolt_buf_add(rest, c, (size_t)(open - c));
		from = open + 7;
	}
	close = memmem(from, n - (size_t)(from - c), "</think>", 8);
	if (!open && !close) {
		jolt_buf_add(rest, c, n);
		return;
	}
	const char *tend = close ? close : c + n;
	const char *t = from;
	while (t < tend && *t == '\n')
		t++;
	while (tend > t && tend[-1] == '\n')
		tend--;
	add_nl(th, t, (size_t)(tend - t));
	if (close) {
		const char *a = close + 8;
		size_t an = n - (size_t)(a - c);
		if (rest->len == 0)
			while (an && *a == '\n') {
				a++;
				an--;
			}
		jolt_buf_add(rest, a, an);
	}
}

/* The server's message object -> neutral assistant message. Malformed
 * calls are counted into *malformed with a description appended to
 * `detail`. `msg` is copied into raw. */
static json_t *neutral_from_message(const json_t *msg, int step, int *malformed,
				    jolt_buf *detail)
{
	jolt_buf th, content;
	jolt_buf_init(&th, 0);
	jolt_buf_init(&content, 0);
	const json_t *c = json_object_get(msg, "content");
	if (json_is_string(c)) {
		split_think(&th, &content, json_string_value(c),
			    json_string_length(c));
	} else if (json_is_array(c)) {
		size_t i;
		json_t *part;
		json_array_foreach(c, i, part)
		{
			const json_t *t = json_object_get(part, "text");
			if (json_is_string(t))
				jolt_buf_add(&content, json_string_value(t),
					     json_string_length(t));
		}
	}
	const json_t *rd = json_object_get(msg, "reasoning_details");
	size_t i;
	json_t *it;
	json_array_foreach(rd, i, it)
	{
		const json_t *t = json_object_get(it, "text");
		if (json_is_string(t))
			add_nl(&th, json_string_value(t),
			       json_string_length(t));
	}
	static const char *const fields[] = {"reasoning_content", "reasoning"};
	for (size_t f = 0; f < JOLT_ARRAY_LEN(fields); f++) {
		const json_t *t = json_object_get(msg, fields[f]);
		if (json_is_string(t)) {
			add_nl(&th, json_string_value(t),
			       json_string_length(t));
			break; /* servers send both names with the same text */
		}
	}

	json_t *out = json_object();
	json_object_set_new(out, "role", json_string("assistant"));
	json_object_set_new(out, "content",
			    json_stringn(jolt_buf_cstr(&content), content.len));
	if (th.len)
		json_object_set_new(out, "thinking",
				    json_stringn(th.s, th.len));
	jolt_buf_release(&th);
	jolt_buf_release(&content);

	json_t *bad = json_array(); /* malformed calls that carry an id */
	json_t *calls = json_array();
	json_t *tc;
	json_array_foreach(json_object_get(msg, "tool_calls"), i, tc)
	{
		const json_t *fn = json_object_get(tc, "function");
		const char *name = str(fn, "name");
		const json_t *args = json_object_get(fn, "arguments");
		json_t *parsed = NULL;
		json_error_t jerr;
		const char *why = NULL;
		if (!name || !name[0]) {
			why = "the call has no function name";
		} else if (json_is_object(args)) {
			parsed = json_deep_copy(args);
		} else if (json_is_string(args)) {
			const char *a = json_string_value(args);
			size_t an = json_string_length(args);
			size_t k = 0;
			while (k < an &&
			       (a[k] == ' ' || a[k] == '\n' || a[k] == '\t'))
				k++;
			if (k == an) /* no arguments at all: an empty object */
				parsed = json_object();
			else if (!(parsed = json_loadb(a, an, 0, &jerr)))
				why = jerr.text;
			else if (!json_is_object(parsed))
				why = "the arguments are not a JSON object";
		} else {
			why = "the call has no arguments string";
		}
		if (why) {
			(*malformed)++;
			if (!detail->truncated) {
				jolt_buf_adds(detail, detail->len ? "\n" : "");
				jolt_buf_addf(
				    detail,
				    "error: malformed tool call %zu (%s): the "
				    "arguments must be a JSON object: %s",
				    i, name ? name : "?", why);
			}
			const char *bid = str(tc, "id");
			if (bid && bid[0])
				json_array_append_new(
				    bad, json_pack("{s:s, s:s, s:s+}", "id", bid, "name",
						   name ? name : "", "error",
						   "error: malformed tool call: the arguments "
						   "must be a JSON object: ", why));
			json_decref(parsed);
			continue;
		}
		const char *id = str(tc, "id");
		json_t *call = json_object();
		json_object_set_new(call, "id",
				    id && id[0]
					? json_string(id)
					: json_sprintf("call_%d_%zu", step, i));
		json_object_set_new(call, "name", json_string(name));
		json_object_set_new(call, "arguments", parsed);
		json_array_append_new(calls, call);
	}
	if (json_array_size(calls))
		json_object_set_new(out, "tool_calls", calls);
	else
		json_decref(calls);
	if (json_array_size(bad))
		json_object_set_new(out, "malformed_calls", bad);
	else
		json_decref(bad);
	json_object_set_new(out, "raw", json_deep_copy(msg));
	json_object_set_new(out, "raw_dialect", json_string("openai"));
	return out;
}

static void reply_from_message(jolt_model_reply *out, const json_t *msg,
			       const json_t *usage, int step)
{
	jolt_buf detail;
	jolt_buf_init(&detail, 4096);
	out->message =
	    neutral_from_message(msg, step, &out->malformed, &detail);
	if (out->malformed)
		out->malformed_detail = jolt_buf_detach(&detail);
	jolt_buf_release(&detail);
	out->tokens_in =
	    (long)json_integer_value(json_object_get(usage, "prompt_tokens"));
	out->tokens_out = (long)json_integer_value(
	    json_object_get(usage, "completion_tokens"));
}

/* The server's own words for an error body, or NULL. */
static const char *server_message(const json_t *root)
{
	const json_t *e = json_object_get(root, "error");
	const char *m = str(e, "message");
	if (!m)
		m = json_string_value(e);
	if (!m)
		m = str(json_object_get(root, "base_resp"), "status_msg");
	if (!m)
		m = str(root, "message");
	return m;
}

static int body_error(const json_t *root, const char *what)
{
	const char *m = server_message(root);
	return jolt_err_set(JOLT_EINFRA, "openai: %s%s%.*s", what,
			    m ? ": " : "", OAI_MSG_CAP, m ? m : "");
}

static bool has_error(const json_t *root)
{
	const json_t *e = json_object_get(root, "error");
	return e && !json_is_null(e);
}

static int oai_decode(jolt_model_reply *out, const char *body, size_t len,
		      const jolt_model_req *req, const jolt_dialect_opts *o)
{
	memset(out, 0, sizeof(*out));
	if (len > JOLT_BODY_CAP)
		return jolt_err_set(JOLT_ETOOBIG,
				    "openai: the response is over %d bytes",
				    JOLT_BODY_CAP);
	json_error_t jerr;
	json_t *root = json_loadb(body ? body : "", len, 0, &jerr);
	if (!root)
		return jolt_err_set(
		    JOLT_EINFRA,
		    "openai: the response is not JSON (truncated?): %s",
		    jerr.text);
	int rc = 0;
	const json_t *msg = json_object_get(
	    json_array_get(json_object_get(root, "choices"), 0), "message");
	if (has_error(root))
		rc = body_error(root, "the server returned an error");
	else if (!json_is_object(msg))
		rc = body_error(root, "the response has no choices[0].message");
	else
		reply_from_message(out, msg, json_object_get(root, "usage"),
				   req->step);
	json_decref(root);
	return rc;
}

/* ---- streaming --------------------------------------------------------- */

typedef struct oai_call {
	json_int_t index; /* the server's index for this call */
	char *id;
	char *name;
	jolt_buf args;
} oai_call;

typedef struct oai_stream {
	int step;
	jolt_buf content;
	jolt_buf details; /* reasoning_details text */
	int details_mode; /* 0 unknown, 1 incremental, 2 cumulative */
	int details_pieces;
	json_t *details_item; /* first item, for its type/id/format fields */
	jolt_buf reasoning;   /* `reasoning` deltas */
	jolt_buf reasoning_content;
	bool saw_reasoning, saw_reasoning_content;
	oai_call *calls;
	size_t ncalls;
	json_t *usage;
	char *finish_reason;
	bool done;
	bool any; /* at least one chunk */
} oai_stream;

static int oai_stream_new(jolt_stream **out, const jolt_model_req *req,
			  const jolt_dialect_opts *o)
{
	oai_stream *st = jolt_xcalloc(1, sizeof(*st));
	st->step = req->step;
	jolt_buf_init(&st->content, JOLT_BODY_CAP);
	jolt_buf_init(&st->details, JOLT_BODY_CAP);
	jolt_buf_init(&st->reasoning, JOLT_BODY_CAP);
	jolt_buf_init(&st->reasoning_content, JOLT_BODY_CAP);
	*out = (jolt_stream *)st;
	return 0;
}

/* reasoning_details text is cumulative on some MiniMax sites and
 * incremental on others: a piece that starts with everything so far is a
 * cumulative snapshot. The first decision is kept, so an incremental
 * piece that happens to repeat the text so far is not mistaken later. */
static int add_details(oai_stream *st, const char *t, size_t n)
{
	st->details_pieces++;
	if (st->details_mode == 0 && st->details.len > 0)
		st->details_mode =
		    n >= st->details.len &&
			    !memcmp(t, st->details.s, st->details.len)
			? 2
			: 1;
	if (st->details_mode == 2 && n >= st->details.len &&
	    !memcmp(t, st->details.s, st->details.len))
		return jolt_buf_add(&st->details, t + st->details.len,
				    n - st->details.len);
	return jolt_buf_add(&st->details, t, n);
}

static oai_call *call_at(oai_stream *st, const json_t *d)
{
	const json_t *ix = json_object_get(d, "index");
	json_int_t index;
	if (json_is_integer(ix))
		index = json_integer_value(ix);
	else if (str(d, "id") || st->ncalls == 0)
		/* no index: a new id starts a new call */
		index = st->ncalls ? st->calls[st->ncalls - 1].index + 1 : 0;
	else
		index = st->calls[st->ncalls - 1].index;
	if (str(d, "id") && !json_is_integer(ix) && st->ncalls &&
	    st->calls[st->ncalls - 1].id &&
	    !strcmp(st->calls[st->ncalls - 1].id, str(d, "id")))
		index = st->calls[st->ncalls - 1].index;
	for (size_t i = 0; i < st->ncalls; i++)
		if (st->calls[i].index == index)
			return &st->calls[i];
	if (st->ncalls >= OAI_MAX_CALLS)
		return NULL;
	st->calls =
	    jolt_xrealloc(st->calls, (st->ncalls + 1) * sizeof(*st->calls));
	oai_call *c = &st->calls[st->ncalls++];
	memset(c, 0, sizeof(*c));
	c->index = index;
	jolt_buf_init(&c->args, JOLT_BODY_CAP);
	return c;
}

static int oai_stream_event(jolt_stream *sv, const char *event,
			    const char *data, size_t len)
{
	oai_stream *st = (oai_stream *)sv;
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
				    "openai stream: an event is not JSON: %s",
				    jerr.text);
	int rc = 0;
	st->any = true;
	if (has_error(j)) {
		rc = body_error(j, "the stream reported an error");
		goto done;
	}
	const json_t *ch = json_array_get(json_object_get(j, "choices"), 0);
	const json_t *d = json_object_get(ch, "delta");
	const json_t *v;
	size_t i;
	json_t *it;
	if (json_is_string(v = json_object_get(d, "content")))
		rc |= jolt_buf_add(&st->content, json_string_value(v),
				   json_string_length(v));
	json_array_foreach(json_object_get(d, "reasoning_details"), i, it)
	{
		if (!st->details_item && json_is_object(it))
			st->details_item = json_deep_copy(it);
		if (json_is_string(v = json_object_get(it, "text")))
			rc |= add_details(st, json_string_value(v),
					  json_string_length(v));
	}
	if (json_is_string(v = json_object_get(d, "reasoning"))) {
		st->saw_reasoning = true;
		rc |= jolt_buf_add(&st->reasoning, json_string_value(v),
				   json_string_length(v));
	}
	if (json_is_string(v = json_object_get(d, "reasoning_content"))) {
		st->saw_reasoning_content = true;
		rc |= jolt_buf_add(&st->reasoning_content, json_string_value(v),
				   json_string_length(v));
	}
	json_array_foreach(json_object_get(d, "tool_calls"), i, it)
	{
		oai_call *c = call_at(st, it);
		if (!c) {
			rc = jolt_err_set(
			    JOLT_EINFRA,
			    "openai stream: more than %d tool calls",
			    OAI_MAX_CALLS);
			goto done;
		}
		const json_t *fn = json_object_get(it, "function");
		if (str(it, "id") && !c->id)
			c->id = jolt_xstrdup(str(it, "id"));
		if (str(fn, "name")) {
			/* Some servers repeat the name in every piece. */
			if (!c->name)
				c->name = jolt_xstrdup(str(fn, "name"));
		}
		if (json_is_string(v = json_object_get(fn, "arguments")))
			rc |= jolt_buf_add(&c->args, json_string_value(v),
					   json_string_length(v));
	}
	if (rc) {
		rc = jolt_err_set(JOLT_ETOOBIG,
				  "openai stream: the reply is over %d bytes",
				  JOLT_BODY_CAP);
		goto done;
	}
	if (json_is_string(v = json_object_get(ch, "finish_reason"))) {
		free(st->finish_reason);
		st->finish_reason = jolt_xstrdup(json_string_value(v));
	}
	if (json_is_object(v = json_object_get(j, "usage"))) {
		json_decref(st->usage);
		st->usage = json_deep_copy(v);
	}
done:
	json_decref(j);
	return rc;
}

static int oai_stream_finish(jolt_model_reply *out, jolt_stream *sv)
{
	oai_stream *st = (oai_stream *)sv;
	memset(out, 0, sizeof(*out));
	if (!st->finish_reason && !st->done)
		return jolt_err_set(JOLT_EINFRA,
				    "openai stream: the stream ended before a "
				    "finish_reason or [DONE] (truncated)");
	/* The message a non-streamed response would have carried. */
	json_t *msg = json_object();
	json_object_set_new(msg, "role", json_string("assistant"));
	json_object_set_new(
	    msg, "content",
	    json_stringn(jolt_buf_cstr(&st->content), st->content.len));
	if (st->details_pieces) {
		json_t *item = st->details_item
				   ? json_deep_copy(st->details_item)
				   : json_object();
		json_object_del(item, "index");
		if (!json_object_get(item, "type"))
			json_object_set_new(item, "type",
					    json_string("reasoning.text"));
		json_object_set_new(
		    item, "text",
		    json_stringn(jolt_buf_cstr(&st->details), st->details.len));
		json_object_set_new(msg, "reasoning_details",
				    json_pack("[o]", item));
	}
	if (st->saw_reasoning_content)
		json_object_set_new(
		    msg, "reasoning_content",
		    json_stringn(jolt_buf_cstr(&st->reasoning_content),
				 st->reasoning_content.len));
	if (st->saw_reasoning)
		json_object_set_new(msg, "reasoning",
				    json_stringn(jolt_buf_cstr(&st->reasoning),
						 st->reasoning.len));
	if (st->ncalls) {
		json_t *arr = json_array();
		for (size_t i = 0; i < st->ncalls; i++) {
			oai_call *c = &st->calls[i];
			json_t *tc = json_object();
			if (c->id)
				json_object_set_new(tc, "id",
						    json_string(c->id));
			json_object_set_new(tc, "type",
					    json_string("function"));
			json_t *fn = json_object();
			if (c->name)
				json_object_set_new(fn, "name",
						    json_string(c->name));
			json_object_set_new(
			    fn, "arguments",
			    json_stringn(jolt_buf_cstr(&c->args), c->args.len));
			json_object_set_new(tc, "function", fn);
			json_array_append_new(arr, tc);
		}
		json_object_set_new(msg, "tool_calls", arr);
	}
	reply_from_message(out, msg, st->usage, st->step);
	json_decref(msg);
	return 0;
}

static void oai_stream_free(jolt_stream *sv)
{
	oai_stream *st = (oai_stream *)sv;
	if (!st)
		return;
	jolt_buf_release(&st->content);
	jolt_buf_release(&st->details);
	jolt_buf_release(&st->reasoning);
	jolt_buf_release(&st->reasoning_content);
	json_decref(st->details_item);
	for (size_t i = 0; i < st->ncalls; i++) {
		free(st->calls[i].id);
		free(st->calls[i].name);
		jolt_buf_release(&st->calls[i].args);
	}
	free(st->calls);
	json_decref(st->usage);
	free(st->finish_reason);
	free(st);
}

/* ---- classify ---------------------------------------------------------- */

static int oai_classify(int status, const char *body, size_t len)
{
	json_t *root = body ? json_loadb(body, len, 0, NULL) : NULL;
	const char *m = root ? server_message(root) : NULL;
	char msg[OAI_MSG_CAP + 1];
	if (m)
		snprintf(msg, sizeof(msg), "%s", m);
	else if (body && len && status != 200)
		snprintf(msg, sizeof(msg), "%.*s",
			 (int)(len < OAI_MSG_CAP ? len : OAI_MSG_CAP), body);
	else
		msg[0] = '\0';
	int rc = 0;
	const json_t *br =
	    json_object_get(json_object_get(root, "base_resp"), "status_code");
	json_int_t code = json_is_integer(br) ? json_integer_value(br) : 0;
	if (code) {
		switch (code) {
		case 1000:
		case 1001:
		case 1002:
		case 1024:
			rc = jolt_err_set(JOLT_EINFRA,
					  "MiniMax %s (%" JSON_INTEGER_FORMAT
					  "): %s",
					  code == 1002	 ? "rate limit"
					  : code == 1001 ? "timeout"
					  : code == 1024 ? "internal error"
							 : "unknown error",
					  code, msg);
			break;
		case 1004:
			rc = jolt_err_set(
			    JOLT_EDENIED,
			    "the API key was refused (MiniMax 1004): "
			    "check MINIMAX_API_KEY");
			break;
		case 1008:
			rc =
			    jolt_err_set(JOLT_EDENIED,
					 "insufficient balance (MiniMax 1008)");
			break;
		default:
			/* 2013 and codes not listed: the request itself. */
			rc = jolt_err_set(
			    JOLT_EINPUT,
			    "MiniMax refused the request (%" JSON_INTEGER_FORMAT
			    "): %s",
			    code, msg);
		}
		goto done;
	}
	if (status >= 200 && status < 300)
		goto done;
	switch (status) {
	case 401:
	case 403:
		rc = jolt_err_set(
		    JOLT_EDENIED,
		    "the API key was refused (HTTP %d): check "
		    "MINIMAX_API_KEY, OPENAI_API_KEY, ANTHROPIC_API_KEY "
		    "or JOLT_API_KEY: %s",
		    status, msg);
		break;
	case 400:
	case 404:
	case 422:
		rc = jolt_err_set(
		    JOLT_EINPUT, "the server refused the request (HTTP %d): %s",
		    status, msg);
		break;
	default:
		/* 408 409 429 5xx 529, and statuses nobody documents: retry. */
		if (status >= 400 && status < 500 && status != 408 &&
		    status != 409 && status != 429)
			rc = jolt_err_set(
			    JOLT_EINPUT,
			    "the server refused the request (HTTP %d): %s",
			    status, msg);
		else
			rc = jolt_err_set(JOLT_EINFRA,
					  "the server failed (HTTP %d): %s",
					  status, msg);
	}
done:
	json_decref(root);
	return rc;
}

const jolt_dialect jolt_dialect_openai = {
    .name = "openai",
    .path = "/chat/completions",
    .encode = oai_encode,
    .decode = oai_decode,
    .stream_new = oai_stream_new,
    .stream_event = oai_stream_event,
    .stream_finish = oai_stream_finish,
    .stream_free = oai_stream_free,
    .classify = oai_classify,
};
