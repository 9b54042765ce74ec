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
 * Errors are classified by the shared jolt_dialect_classify (HTTP status
 * and MiniMax base_resp, which arrives with any status, 200 included).
 *
 * The server half (`jolt serve`) reads a chat request back into the
 * neutral history, thinking from any of the four places above, and
 * answers the way MiniMax does: inline <think> in content, or
 * reasoning_details when the request asked for reasoning_split.
 */
#include <stdbool.h>
#include <string.h>

#include "core/buf.h"
#include "core/common.h"
#include "model/dialect.h"
#include "model/dialect_serve.h"

#define OAI_MAX_CALLS 1024 /* tool calls accepted in one streamed reply */


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

/* One message of the history in the wire form; NULL for one without a
 * role (skipped). */
static json_t *encode_message(const json_t *m)
{
	const char *role = str(m, "role");
	if (!role)
		return NULL;
	if (!strcmp(role, "assistant"))
		return encode_assistant(m);
	if (!strcmp(role, "tool"))
		return json_pack("{s:s, s:s, s:s}", "role", "tool", "tool_call_id",
				 str(m, "tool_call_id") ? str(m, "tool_call_id") : "",
				 "content", str(m, "content") ? str(m, "content") : "");
	return json_pack("{s:s, s:s}", "role", role, "content",
			 str(m, "content") ? str(m, "content") : "");
}

static json_t *encode_tools(const json_t *decls)
{
	json_t *tools = json_array();
	size_t i;
	json_t *t;
	json_array_foreach(decls, i, t)
	{
		json_array_append_new(
		    tools, json_pack("{s:s, s:o}", "type", "function", "function",
				     jolt_dialect_tool_decl(t, "parameters")));
	}
	return tools;
}

/* Compact JSON text of j, taking j (NULL gives NULL). */
static char *dump_new(json_t *j)
{
	char *t = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	return t;
}

/* Whose texts a render cache holds (model/backend.h). */
static const char oai_cache_owner;

/* The body is spelled piece by piece, exactly as json_dumps would spell
 * the whole object (compact, keys in this order), so that with the
 * trajectory's render cache each turn encodes only its new messages: the
 * history is not encoded again on every turn. */
static int oai_encode(char **out, const jolt_model_req *req,
		      const jolt_dialect_opts *o)
{
	*out = NULL;
	if (!json_is_array(req->messages))
		return jolt_err_set(JOLT_EINPUT,
				    "openai encode: messages is not a list");
	jolt_render_cache *c = req->cache;
	size_t nm = json_array_size(req->messages), keep = 0;
	if (c) {
		jolt_render_cache_cut(c, c->n, &oai_cache_owner);
		while (keep < c->n && keep < nm &&
		       c->msg[keep] == json_array_get(req->messages, keep))
			keep++;
		jolt_render_cache_cut(c, keep, &oai_cache_owner);
	}
	jolt_buf b;
	jolt_buf_init(&b, 0);
	int rc = 0;
	if (o && o->model) {
		char *head = dump_new(json_pack("{s:s}", "model", o->model));
		if (!head)
			goto oom;
		jolt_buf_add(&b, head, strlen(head) - 1); /* without its '}' */
		jolt_buf_addc(&b, ',');
		free(head);
	} else {
		jolt_buf_addc(&b, '{');
	}
	jolt_buf_adds(&b, "\"messages\":[");
	bool first = true;
	for (size_t i = 0; i < nm; i++) {
		json_t *m = json_array_get(req->messages, i);
		char *own = NULL;
		const char *text;
		if (c && i < c->n) {
			text = c->text[i];
		} else {
			json_t *e = encode_message(m);
			own = dump_new(e);
			if (e && !own)
				goto oom;
			text = own;
			if (c) {
				jolt_render_cache_push(c, m, own);
				own = NULL;
			}
		}
		if (text) {
			if (!first)
				jolt_buf_addc(&b, ',');
			jolt_buf_adds(&b, text);
			first = false;
		}
		free(own);
	}
	jolt_buf_addc(&b, ']');
	if (json_array_size(req->tools) > 0) {
		char *own = NULL;
		const char *text;
		if (c && c->tools == req->tools && c->tools_text) {
			text = c->tools_text;
		} else {
			own = dump_new(encode_tools(req->tools));
			if (!own)
				goto oom;
			text = own;
			if (c) {
				json_decref(c->tools);
				free(c->tools_text);
				c->tools = json_incref((json_t *)req->tools);
				c->tools_text = own;
				own = NULL;
			}
		}
		jolt_buf_adds(&b, ",\"tools\":");
		jolt_buf_adds(&b, text);
		free(own);
	}
	json_t *tail = json_object();
	json_object_set_new(tail, "temperature", json_real(jolt_dialect_temperature(o)));
	json_object_set_new(tail, "top_p", json_real(jolt_dialect_top_p(o)));
	if (jolt_dialect_top_k(o) > 0)
		json_object_set_new(tail, "top_k", json_integer(jolt_dialect_top_k(o)));
	json_object_set_new(tail, "max_tokens",
			    json_integer(jolt_dialect_max_tokens(o)));
	json_object_set_new(tail, "stream", json_boolean(jolt_dialect_stream(o)));
	if (jolt_dialect_stream(o))
		json_object_set_new(tail, "stream_options",
				    json_pack("{s:b}", "include_usage", 1));
	if (o && o->b && o->b->reasoning_split)
		json_object_set_new(tail, "reasoning_split", json_true());
	char *rest = dump_new(tail);
	if (!rest)
		goto oom;
	jolt_buf_addc(&b, ',');
	jolt_buf_adds(&b, rest + 1); /* its members and its '}' */
	free(rest);
	*out = jolt_buf_detach(&b);
	jolt_buf_release(&b);
	return 0;
oom:
	rc = jolt_err_set(JOLT_ENOMEM, "openai encode: out of memory");
	jolt_buf_release(&b);
	if (c)
		jolt_render_cache_cut(c, 0, NULL);
	return rc;
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
static int body_error(const json_t *root, const char *what)
{
	const char *m = jolt_dialect_server_message(root);
	return jolt_err_set(JOLT_EINFRA, "openai: %s%s%.*s", what,
			    m ? ": " : "", JOLT_DIALECT_MSG_CAP, m ? m : "");
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

/* ---- server half ------------------------------------------------------- */

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

static int decode_openai_assistant(json_t **out, const json_t *m, int idx)
{
	char where[64];
	snprintf(where, sizeof(where), "messages[%d]", idx);
	jolt_buf text;
	jolt_buf_init(&text, 0);
	int rc = jolt_dsv_content_text(&text, json_object_get(m, "content"), where);
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

static int oai_serve_decode(jolt_serve_call *c, const json_t *root)
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
		int rc = jolt_dsv_content_text(&text, json_object_get(m, "content"), where);
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
					  name ? name : jolt_dsv_call_name(c->messages, id),
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
				      jolt_dsv_neutral_tool(name, json_object_get(fn, "description"),
						   json_object_get(fn, "parameters")));
	}
	c->include_usage = json_is_true(
		json_object_get(json_object_get(root, "stream_options"), "include_usage"));
	c->reasoning_split = json_is_true(json_object_get(root, "reasoning_split"));
	return 0;
}

static char *inline_content(const json_t *m)
{
	const char *th = json_string_value(json_object_get(m, "thinking"));
	if (!th)
		return jolt_xstrdup(jolt_dsv_str(m, "content"));
	return jolt_xasprintf("<think>\n%s\n</think>\n\n%s", th, jolt_dsv_str(m, "content"));
}

static int oai_serve_encode(char **out, const jolt_serve_call *c,
			    const jolt_serve_reply *r)
{
	*out = NULL;
	const json_t *m = r->message;
	const json_t *tcs = json_object_get(m, "tool_calls");
	const char *th = json_string_value(json_object_get(m, "thinking"));
	size_t i;
	json_t *tc;
	json_t *msg = json_pack("{s:s}", "role", "assistant");
	if (c->reasoning_split) {
		json_object_set_new(msg, "content", json_string(jolt_dsv_str(m, "content")));
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
			char *a = jolt_dsv_args_text(json_object_get(tc, "arguments"), r->malformed);
			json_array_append_new(
				calls, json_pack("{s:s, s:s, s:{s:s, s:s}}", "id",
						 jolt_dsv_str(tc, "id"), "type", "function",
						 "function", "name", jolt_dsv_str(tc, "name"),
						 "arguments", a));
			free(a);
		}
		json_object_set_new(msg, "tool_calls", calls);
	}
	return jolt_dsv_dump(out, json_pack("{s:s, s:s, s:I, s:s, s:[{s:i, s:o, s:s}], s:o}",
				      "id", r->id, "object", "chat.completion",
				      "created", (json_int_t)r->created, "model",
				      r->model, "choices", "index", 0, "message", msg,
				      "finish_reason",
				      json_array_size(tcs) ? "tool_calls" : "stop",
				      "usage", jolt_dsv_usage_openai(r)));
}

static json_t *openai_chunk(const jolt_serve_reply *r, json_t *delta,
			    const char *finish)
{
	return json_pack("{s:s, s:s, s:I, s:s, s:[{s:i, s:o, s:s?}]}", "id", r->id,
			 "object", "chat.completion.chunk", "created",
			 (json_int_t)r->created, "model", r->model, "choices", "index",
			 0, "delta", delta, "finish_reason", finish);
}

static int oai_serve_stream(jolt_serve_chunks *l, const jolt_serve_call *c,
			    const jolt_serve_reply *r)
{
	const json_t *m = r->message;
	const json_t *tcs = json_object_get(m, "tool_calls");
	const char *th = json_string_value(json_object_get(m, "thinking"));
	size_t pc[2 * (JOLT_DSV_PIECES + 2)], n;
	jolt_dsv_push(l, NULL, openai_chunk(r, json_pack("{s:s, s:s}", "role", "assistant",
					       "content", ""), NULL));
	if (c->reasoning_split) {
		if (th) {
			n = jolt_dsv_split(pc, th, JOLT_DSV_PIECES);
			for (size_t i = 0; i < n; i++)
				jolt_dsv_push(l, NULL, openai_chunk(r, json_pack("{s:[{s:s, s:s%}]}",
									"reasoning_details", "type",
									"reasoning.text", "text",
									th + pc[2 * i], pc[2 * i + 1]),
							   NULL));
		}
		const char *ct = jolt_dsv_str(m, "content");
		n = jolt_dsv_split(pc, ct, JOLT_DSV_PIECES);
		for (size_t i = 0; i < n; i++)
			jolt_dsv_push(l, NULL, openai_chunk(r, json_pack("{s:s%}", "content",
								ct + pc[2 * i], pc[2 * i + 1]),
						   NULL));
	} else {
		char *ct = inline_content(m);
		n = jolt_dsv_split(pc, ct, JOLT_DSV_PIECES + 1);
		for (size_t i = 0; i < n; i++)
			jolt_dsv_push(l, NULL, openai_chunk(r, json_pack("{s:s%}", "content",
								ct + pc[2 * i], pc[2 * i + 1]),
						   NULL));
		free(ct);
	}
	size_t i;
	json_t *tc;
	json_array_foreach(tcs, i, tc) {
		jolt_dsv_push(l, NULL, openai_chunk(r, json_pack("{s:[{s:i, s:s, s:s, s:{s:s, s:s}}]}",
							"tool_calls", "index", (int)i, "id",
							jolt_dsv_str(tc, "id"), "type", "function",
							"function", "name", jolt_dsv_str(tc, "name"),
							"arguments", ""),
					   NULL));
		char *a = jolt_dsv_args_text(json_object_get(tc, "arguments"), r->malformed);
		n = jolt_dsv_split(pc, a, JOLT_DSV_PIECES);
		for (size_t k = 0; k < n; k++)
			jolt_dsv_push(l, NULL, openai_chunk(r, json_pack("{s:[{s:i, s:{s:s%}}]}",
								"tool_calls", "index", (int)i,
								"function", "arguments",
								a + pc[2 * k], pc[2 * k + 1]),
						   NULL));
		free(a);
	}
	jolt_dsv_push(l, NULL, openai_chunk(r, json_object(),
				   json_array_size(tcs) ? "tool_calls" : "stop"));
	if (c->include_usage)
		jolt_dsv_push(l, NULL, json_pack("{s:s, s:s, s:I, s:s, s:[], s:o}", "id", r->id, "object",
					"chat.completion.chunk", "created",
					(json_int_t)r->created, "model", r->model, "choices",
					"usage", jolt_dsv_usage_openai(r)));
	jolt_dsv_push_raw(l, jolt_xstrdup("data: [DONE]\n\n"));
	return 0;
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
    .classify = jolt_dialect_classify,
    .route = "/chat/completions",
    .id_prefix = "chatcmpl-",
    .rate_error = "rate_limit_exceeded",
    .server_error = "server_error",
    .base_resp_limits = true,
    .serve_decode = oai_serve_decode,
    .serve_encode = oai_serve_encode,
    .serve_stream = oai_serve_stream,
    .serve_error = jolt_dsv_error_openai,
};
