/*
 * dialect_anthropic.c - the Anthropic-compatible /v1/messages wire format
 * (Anthropic itself, and MiniMax's /anthropic endpoint).
 *
 * An assistant turn is a list of content blocks: thinking (with a
 * signature the server checks when it comes back), text and tool_use.
 * decode keeps that list as `raw` and encode sends it back exactly, so
 * signatures survive; a turn without raw is rendered from the neutral
 * fields the way MiniMax's own Mini-Agent does (thinking without a
 * signature). Tool results travel as tool_result blocks in a user
 * message, and the API insists on strict user/assistant alternation, so
 * neighbouring messages of one role are merged into one. Errors are
 * classified by error.type first, then by the shared
 * jolt_dialect_classify (status and MiniMax base_resp).
 *
 * The server half (`jolt serve`) reads a messages request back into the
 * neutral history (thinking only from thinking blocks) and answers with
 * thinking, text and tool_use blocks; the thinking signature is a
 * deterministic stand-in, since only the server ever checks it.
 */
#include <stdbool.h>
#include <string.h>

#include "core/buf.h"
#include "core/common.h"
#include "model/dialect.h"
#include "model/dialect_serve.h"

#define ANT_MAX_BLOCKS 1024 /* content blocks accepted in one streamed reply   \
			     */
#define ANT_MSG_CAP 512	    /* bytes of a server error message kept */



static const char *str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static bool type_is(const json_t *o, const char *type)
{
	const char *t = str(o, "type");
	return t && !strcmp(t, type);
}

/* ---- encode ------------------------------------------------------------ */

static json_t *assistant_blocks(const json_t *m)
{
	const char *rd = str(m, "raw_dialect");
	const json_t *raw = json_object_get(m, "raw");
	if (rd && !strcmp(rd, "anthropic") && json_is_array(raw))
		return json_deep_copy(raw);
	json_t *blocks = json_array();
	const char *thinking = str(m, "thinking");
	const char *content = str(m, "content");
	if (thinking && thinking[0])
		json_array_append_new(blocks, json_pack("{s:s, s:s}", "type",
							"thinking", "thinking",
							thinking));
	if (content && content[0])
		json_array_append_new(
		    blocks,
		    json_pack("{s:s, s:s}", "type", "text", "text", content));
	size_t i;
	json_t *tc;
	json_array_foreach(json_object_get(m, "tool_calls"), i, tc)
	{
		const json_t *args = json_object_get(tc, "arguments");
		json_array_append_new(
		    blocks,
		    json_pack("{s:s, s:s, s:s, s:o}", "type", "tool_use", "id",
			      str(tc, "id") ? str(tc, "id") : "", "name",
			      str(tc, "name") ? str(tc, "name") : "", "input",
			      json_is_object(args) ? json_deep_copy(args)
						   : json_object()));
	}
	return blocks;
}

/* Whose texts a render cache holds (model/backend.h), and the role each
 * message's blocks went to. */
static const char ant_cache_owner;
enum { ANT_NONE, ANT_USER, ANT_ASSISTANT };

/* Compact JSON text of j, taking j (NULL gives NULL). */
static char *dump_new(json_t *j)
{
	char *t = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	return t;
}

/* The content blocks neutral message m contributes, as the compact JSON
 * of the list without its brackets (*text NULL: none; a system message
 * goes to the body's "system" instead), and the role of the message they
 * go to. Returns 0, or -1 out of memory. */
static int message_blocks(char **text, int *role, const json_t *m)
{
	*text = NULL;
	*role = ANT_NONE;
	const char *r = str(m, "role");
	const char *content = str(m, "content");
	json_t *blocks = NULL;
	if (!r) {
		return 0;
	} else if (!strcmp(r, "user")) {
		blocks = json_pack("[{s:s, s:s}]", "type", "text", "text",
				   content ? content : "");
		*role = ANT_USER;
	} else if (!strcmp(r, "tool")) {
		json_t *b = json_pack(
		    "{s:s, s:s, s:s}", "type", "tool_result", "tool_use_id",
		    str(m, "tool_call_id") ? str(m, "tool_call_id") : "",
		    "content", content ? content : "");
		if (b && json_is_true(json_object_get(m, "is_error")))
			json_object_set_new(b, "is_error", json_true());
		blocks = json_pack("[o]", b);
		*role = ANT_USER;
	} else if (!strcmp(r, "assistant")) {
		blocks = assistant_blocks(m);
		*role = ANT_ASSISTANT;
	} else {
		return 0;
	}
	if (json_array_size(blocks) == 0) {
		/* An empty turn makes no message and splits no run. */
		json_decref(blocks);
		*role = ANT_NONE;
		return 0;
	}
	char *t = dump_new(blocks);
	if (!t)
		return -1;
	size_t n = strlen(t);
	memmove(t, t + 1, n - 2); /* "[...]" -> "..." */
	t[n - 2] = '\0';
	*text = t;
	return 0;
}

/* The body is spelled piece by piece, exactly as json_dumps would spell
 * the whole object (compact, keys in this order), so that with the
 * trajectory's render cache each turn encodes only its new messages.
 * Messages of the same role in a row become one message (the API wants
 * the roles to alternate): the runs are joined here, from each message's
 * cached blocks. System messages are joined into "system". */
static int ant_encode(char **out, const jolt_model_req *req,
		      const jolt_dialect_opts *o)
{
	*out = NULL;
	if (!json_is_array(req->messages))
		return jolt_err_set(JOLT_EINPUT,
				    "anthropic encode: messages is not a list");
	jolt_render_cache local = {0};
	jolt_render_cache *c = req->cache ? req->cache : &local;
	size_t nm = json_array_size(req->messages), keep = 0;
	jolt_render_cache_cut(c, c->n, &ant_cache_owner);
	while (keep < c->n && keep < nm &&
	       c->msg[keep] == json_array_get(req->messages, keep))
		keep++;
	jolt_render_cache_cut(c, keep, &ant_cache_owner);

	jolt_buf system, b;
	jolt_buf_init(&system, 0);
	jolt_buf_init(&b, 0);
	char *head = NULL, *rest = NULL;
	int rc = 0;
	for (size_t i = 0; i < nm; i++) {
		json_t *m = json_array_get(req->messages, i);
		const char *role = str(m, "role");
		if (role && !strcmp(role, "system")) {
			const char *content = str(m, "content");
			if (system.len)
				jolt_buf_adds(&system, "\n\n");
			jolt_buf_adds(&system, content ? content : "");
		}
		if (i < c->n)
			continue;
		char *text;
		int to;
		if (message_blocks(&text, &to, m))
			goto oom;
		jolt_render_cache_push_tag(c, m, text, to);
	}

	json_t *hj = json_object();
	if (o && o->model)
		json_object_set_new(hj, "model", json_string(o->model));
	json_object_set_new(hj, "max_tokens",
			    json_integer(jolt_dialect_max_tokens(o)));
	if (system.len)
		json_object_set_new(hj, "system",
				    json_stringn(system.s, system.len));
	if (!(head = dump_new(hj)))
		goto oom;
	jolt_buf_add(&b, head, strlen(head) - 1); /* without its '}' */
	jolt_buf_adds(&b, ",\"messages\":[");
	int open = ANT_NONE;
	for (size_t i = 0; i < nm; i++) {
		if (!c->text[i])
			continue;
		if (c->tag[i] == open) {
			jolt_buf_addc(&b, ',');
		} else {
			if (open != ANT_NONE)
				jolt_buf_adds(&b, "]},");
			jolt_buf_adds(&b, c->tag[i] == ANT_USER
					      ? "{\"role\":\"user\",\"content\":["
					      : "{\"role\":\"assistant\","
						"\"content\":[");
			open = c->tag[i];
		}
		jolt_buf_adds(&b, c->text[i]);
	}
	if (open != ANT_NONE)
		jolt_buf_adds(&b, "]}");
	jolt_buf_addc(&b, ']');
	if (json_array_size(req->tools) > 0) {
		if (c->tools != req->tools || !c->tools_text) {
			json_t *tools = json_array();
			size_t i;
			json_t *t;
			json_array_foreach(req->tools, i, t)
				json_array_append_new(
				    tools, jolt_dialect_tool_decl(t, "input_schema"));
			char *text = dump_new(tools);
			if (!text)
				goto oom;
			json_decref(c->tools);
			free(c->tools_text);
			c->tools = json_incref((json_t *)req->tools);
			c->tools_text = text;
		}
		jolt_buf_adds(&b, ",\"tools\":");
		jolt_buf_adds(&b, c->tools_text);
	}
	json_t *tail = json_object();
	json_object_set_new(tail, "temperature", json_real(jolt_dialect_temperature(o)));
	json_object_set_new(tail, "top_p", json_real(jolt_dialect_top_p(o)));
	json_object_set_new(tail, "stream", json_boolean(jolt_dialect_stream(o)));
	if (!(rest = dump_new(tail)))
		goto oom;
	jolt_buf_addc(&b, ',');
	jolt_buf_adds(&b, rest + 1); /* its members and its '}' */
	*out = jolt_buf_detach(&b);
	goto done;
oom:
	rc = jolt_err_set(JOLT_ENOMEM, "anthropic encode: out of memory");
	jolt_render_cache_cut(c, 0, NULL);
done:
	free(head);
	free(rest);
	jolt_buf_release(&system);
	jolt_buf_release(&b);
	jolt_render_cache_release(&local);
	return rc;
}

/* ---- decode ------------------------------------------------------------ */

static void join(jolt_buf *b, const json_t *s)
{
	if (!json_is_string(s) || json_string_length(s) == 0)
		return;
	if (b->len)
		jolt_buf_addc(b, '\n');
	jolt_buf_add(b, json_string_value(s), json_string_length(s));
}

static long usage_in(const json_t *u)
{
	/* Cached prompt tokens are prompt tokens too. */
	return (long)(json_integer_value(json_object_get(u, "input_tokens")) +
		      json_integer_value(
			  json_object_get(u, "cache_creation_input_tokens")) +
		      json_integer_value(
			  json_object_get(u, "cache_read_input_tokens")));
}

/* A content list -> reply (the list is copied into raw). */
static void reply_from_content(jolt_model_reply *out, const json_t *content,
			       int step)
{
	jolt_buf th, text, detail;
	jolt_buf_init(&th, 0);
	jolt_buf_init(&text, 0);
	jolt_buf_init(&detail, 4096);
	json_t *calls = json_array();
	json_t *bad = json_array(); /* malformed calls that carry an id */
	size_t i;
	json_t *b;
	json_array_foreach(content, i, b)
	{
		if (type_is(b, "thinking")) {
			join(&th, json_object_get(b, "thinking"));
		} else if (type_is(b, "text")) {
			join(&text, json_object_get(b, "text"));
		} else if (type_is(b, "tool_use")) {
			const char *name = str(b, "name");
			const json_t *input = json_object_get(b, "input");
			if (!name || !name[0] || !json_is_object(input)) {
				out->malformed++;
				if (!detail.truncated) {
					jolt_buf_adds(&detail,
						      detail.len ? "\n" : "");
					jolt_buf_addf(
					    &detail,
					    "error: malformed tool call %zu "
					    "(%s): %s",
					    i, name ? name : "?",
					    !name || !name[0]
						? "the call has no tool name"
						: "the input must be a JSON "
						  "object");
				}
				const char *bid = str(b, "id");
				if (bid && bid[0])
					json_array_append_new(
					    bad, json_pack("{s:s, s:s, s:s}", "id", bid,
							   "name", name ? name : "",
							   "error", "error: malformed tool call: "
							   "the input must be a JSON object"));
				continue;
			}
			const char *id = str(b, "id");
			json_array_append_new(
			    calls,
			    json_pack("{s:o, s:s, s:o}", "id",
				      id && id[0] ? json_string(id)
						  : json_sprintf("call_%d_%zu",
								 step, i),
				      "name", name, "arguments",
				      json_deep_copy(input)));
		}
		/* redacted_thinking and others: kept in raw only */
	}
	json_t *msg = json_object();
	json_object_set_new(msg, "role", json_string("assistant"));
	json_object_set_new(msg, "content",
			    json_stringn(jolt_buf_cstr(&text), text.len));
	if (th.len)
		json_object_set_new(msg, "thinking",
				    json_stringn(th.s, th.len));
	if (json_array_size(calls))
		json_object_set_new(msg, "tool_calls", calls);
	else
		json_decref(calls);
	if (json_array_size(bad))
		json_object_set_new(msg, "malformed_calls", bad);
	else
		json_decref(bad);
	json_object_set_new(msg, "raw", json_deep_copy(content));
	json_object_set_new(msg, "raw_dialect", json_string("anthropic"));
	out->message = msg;
	if (out->malformed)
		out->malformed_detail = jolt_buf_detach(&detail);
	jolt_buf_release(&th);
	jolt_buf_release(&text);
	jolt_buf_release(&detail);
}

static int body_error(const json_t *root, const char *what)
{
	const json_t *e = json_object_get(root, "error");
	const char *m = str(e, "message");
	if (!m)
		m = json_string_value(e);
	if (!m)
		m = str(json_object_get(root, "base_resp"), "status_msg");
	const char *type = str(e, "type");
	return jolt_err_set(JOLT_EINFRA, "anthropic: %s%s%s%s%s%.*s", what,
			    type ? " (" : "", type ? type : "", type ? ")" : "",
			    m ? ": " : "", ANT_MSG_CAP, m ? m : "");
}

static bool is_error(const json_t *root)
{
	const json_t *e = json_object_get(root, "error");
	return type_is(root, "error") || (e && !json_is_null(e));
}

static int ant_decode(jolt_model_reply *out, const char *body, size_t len,
		      const jolt_model_req *req, const jolt_dialect_opts *o)
{
	memset(out, 0, sizeof(*out));
	if (len > JOLT_BODY_CAP)
		return jolt_err_set(JOLT_ETOOBIG,
				    "anthropic: the response is over %d bytes",
				    JOLT_BODY_CAP);
	json_error_t jerr;
	json_t *root = json_loadb(body ? body : "", len, 0, &jerr);
	if (!root)
		return jolt_err_set(
		    JOLT_EINFRA,
		    "anthropic: the response is not JSON (truncated?): %s",
		    jerr.text);
	int rc = 0;
	const json_t *content = json_object_get(root, "content");
	if (is_error(root)) {
		rc = body_error(root, "the server returned an error");
	} else if (!json_is_array(content)) {
		rc = body_error(root, "the response has no content list");
	} else {
		reply_from_content(out, content, req->step);
		const json_t *u = json_object_get(root, "usage");
		out->tokens_in = usage_in(u);
		out->tokens_out = (long)json_integer_value(
		    json_object_get(u, "output_tokens"));
	}
	json_decref(root);
	return rc;
}

/* ---- streaming --------------------------------------------------------- */

typedef struct ant_block {
	json_int_t index; /* the server's block index */
	json_t *block;	  /* content_block from content_block_start, grown */
	jolt_buf text;	  /* text, thinking or partial_json pieces */
	jolt_buf sig;	  /* signature pieces */
	bool has_sig;
	bool stopped;
} ant_block;

typedef struct ant_stream {
	int step;
	ant_block *blocks;
	size_t nblocks;
	long tokens_in, tokens_out;
	bool started, stopped;
} ant_stream;

static int ant_stream_new(jolt_stream **out, const jolt_model_req *req,
			  const jolt_dialect_opts *o)
{
	ant_stream *st = jolt_xcalloc(1, sizeof(*st));
	st->step = req->step;
	*out = (jolt_stream *)st;
	return 0;
}

static ant_block *block_at(ant_stream *st, const json_t *j)
{
	json_int_t index = json_integer_value(json_object_get(j, "index"));
	for (size_t i = 0; i < st->nblocks; i++)
		if (st->blocks[i].index == index)
			return &st->blocks[i];
	return NULL;
}

/* Fold the accumulated pieces into the block object. */
static void finish_block(ant_block *b)
{
	if (b->stopped)
		return;
	b->stopped = true;
	const char *s = jolt_buf_cstr(&b->text);
	if (type_is(b->block, "text")) {
		json_object_set_new(b->block, "text",
				    json_stringn(s, b->text.len));
	} else if (type_is(b->block, "thinking")) {
		json_object_set_new(b->block, "thinking",
				    json_stringn(s, b->text.len));
		if (b->has_sig)
			json_object_set_new(
			    b->block, "signature",
			    json_stringn(jolt_buf_cstr(&b->sig), b->sig.len));
	} else if (type_is(b->block, "tool_use") && b->text.len) {
		json_t *input = json_loadb(s, b->text.len, 0, NULL);
		/* Unparseable input stays a string: decode reports the call
		 * malformed. */
		json_object_set_new(b->block, "input",
				    input ? input
					  : json_stringn(s, b->text.len));
	}
}

static int ant_stream_event(jolt_stream *sv, const char *event,
			    const char *data, size_t len)
{
	ant_stream *st = (ant_stream *)sv;
	if (len == 0)
		return 0;
	json_error_t jerr;
	json_t *j = json_loadb(data, len, 0, &jerr);
	if (!j)
		return jolt_err_set(
		    JOLT_EINFRA, "anthropic stream: an event is not JSON: %s",
		    jerr.text);
	int rc = 0;
	const char *type = str(j, "type");
	if (!type)
		type = event ? event : "";
	if (is_error(j)) {
		rc = body_error(j, "the stream reported an error");
	} else if (!strcmp(type, "message_start")) {
		st->started = true;
		const json_t *u =
		    json_object_get(json_object_get(j, "message"), "usage");
		st->tokens_in = usage_in(u);
		st->tokens_out = (long)json_integer_value(
		    json_object_get(u, "output_tokens"));
	} else if (!strcmp(type, "content_block_start")) {
		const json_t *cb = json_object_get(j, "content_block");
		if (!json_is_object(cb) || block_at(st, j)) {
			rc = jolt_err_set(
			    JOLT_EINFRA,
			    "anthropic stream: a bad content_block_start");
		} else if (st->nblocks >= ANT_MAX_BLOCKS) {
			rc = jolt_err_set(
			    JOLT_EINFRA,
			    "anthropic stream: more than %d blocks",
			    ANT_MAX_BLOCKS);
		} else {
			st->blocks =
			    jolt_xrealloc(st->blocks, (st->nblocks + 1) *
							  sizeof(*st->blocks));
			ant_block *b = &st->blocks[st->nblocks++];
			memset(b, 0, sizeof(*b));
			b->index =
			    json_integer_value(json_object_get(j, "index"));
			b->block = json_deep_copy(cb);
			jolt_buf_init(&b->text, JOLT_BODY_CAP);
			jolt_buf_init(&b->sig, JOLT_BODY_CAP);
			/* Starting text (usually ""), so deltas extend it. */
			const json_t *t = json_object_get(
			    cb, type_is(cb, "text") ? "text" : "thinking");
			if (json_is_string(t))
				jolt_buf_add(&b->text, json_string_value(t),
					     json_string_length(t));
			const json_t *sg = json_object_get(cb, "signature");
			if (json_is_string(sg)) {
				b->has_sig = true;
				jolt_buf_add(&b->sig, json_string_value(sg),
					     json_string_length(sg));
			}
		}
	} else if (!strcmp(type, "content_block_delta")) {
		ant_block *b = block_at(st, j);
		const json_t *d = json_object_get(j, "delta");
		const json_t *v = NULL;
		jolt_buf *into = NULL;
		if (!b || b->stopped) {
			rc = jolt_err_set(JOLT_EINFRA,
					  "anthropic stream: a delta for a "
					  "block that is not open");
		} else if (type_is(d, "text_delta")) {
			v = json_object_get(d, "text");
			into = &b->text;
		} else if (type_is(d, "thinking_delta")) {
			v = json_object_get(d, "thinking");
			into = &b->text;
		} else if (type_is(d, "input_json_delta")) {
			v = json_object_get(d, "partial_json");
			into = &b->text;
		} else if (type_is(d, "signature_delta")) {
			v = json_object_get(d, "signature");
			into = &b->sig;
			b->has_sig = true;
		}
		if (into && json_is_string(v) &&
		    jolt_buf_add(into, json_string_value(v),
				 json_string_length(v)))
			rc = jolt_err_set(
			    JOLT_ETOOBIG,
			    "anthropic stream: a block is over %d bytes",
			    JOLT_BODY_CAP);
	} else if (!strcmp(type, "content_block_stop")) {
		ant_block *b = block_at(st, j);
		if (b)
			finish_block(b);
	} else if (!strcmp(type, "message_delta")) {
		const json_t *u = json_object_get(j, "usage");
		if (json_is_integer(json_object_get(u, "output_tokens")))
			st->tokens_out = (long)json_integer_value(
			    json_object_get(u, "output_tokens"));
		if (json_is_integer(json_object_get(u, "input_tokens")))
			st->tokens_in = usage_in(u);
	} else if (!strcmp(type, "message_stop")) {
		st->stopped = true;
	}
	/* ping and unknown events: nothing to do */
	json_decref(j);
	return rc;
}

static int ant_stream_finish(jolt_model_reply *out, jolt_stream *sv)
{
	ant_stream *st = (ant_stream *)sv;
	memset(out, 0, sizeof(*out));
	if (!st->stopped)
		return jolt_err_set(JOLT_EINFRA,
				    "anthropic stream: the stream ended before "
				    "message_stop (truncated)");
	json_t *content = json_array();
	for (size_t i = 0; i < st->nblocks; i++) {
		finish_block(&st->blocks[i]);
		json_array_append(content, st->blocks[i].block);
	}
	reply_from_content(out, content, st->step);
	json_decref(content);
	out->tokens_in = st->tokens_in;
	out->tokens_out = st->tokens_out;
	return 0;
}

static void ant_stream_free(jolt_stream *sv)
{
	ant_stream *st = (ant_stream *)sv;
	if (!st)
		return;
	for (size_t i = 0; i < st->nblocks; i++) {
		json_decref(st->blocks[i].block);
		jolt_buf_release(&st->blocks[i].text);
		jolt_buf_release(&st->blocks[i].sig);
	}
	free(st->blocks);
	free(st);
}

/* ---- classify ---------------------------------------------------------- */

static int ant_classify(int status, const char *body, size_t len)
{
	json_t *root = body ? json_loadb(body, len, 0, NULL) : NULL;
	const json_t *e = json_object_get(root, "error");
	const char *type = str(e, "type");
	const char *m = str(e, "message");
	int rc = 1; /* not decided by error.type */
	if (type && (!json_object_get(root, "base_resp") ||
		     !json_integer_value(json_object_get(
			 json_object_get(root, "base_resp"), "status_code")))) {
		if (!strcmp(type, "overloaded_error") ||
		    !strcmp(type, "rate_limit_error") ||
		    !strcmp(type, "api_error") ||
		    !strcmp(type, "timeout_error"))
			rc = jolt_err_set(JOLT_EINFRA,
					  "anthropic %s (HTTP %d): %.*s", type,
					  status, ANT_MSG_CAP, m ? m : "");
		else if (!strcmp(type, "authentication_error") ||
			 !strcmp(type, "permission_error"))
			rc = jolt_err_set(
			    JOLT_EDENIED,
			    "the API key was refused (%s, HTTP %d): check "
			    "ANTHROPIC_API_KEY, MINIMAX_API_KEY or "
			    "JOLT_API_KEY: %.*s",
			    type, status, ANT_MSG_CAP, m ? m : "");
		else if (!strcmp(type, "invalid_request_error") ||
			 !strcmp(type, "not_found_error") ||
			 !strcmp(type, "request_too_large"))
			rc = jolt_err_set(JOLT_EINPUT,
					  "anthropic %s (HTTP %d): %.*s", type,
					  status, ANT_MSG_CAP, m ? m : "");
	}
	json_decref(root);
	return rc != 1 ? rc : jolt_dialect_classify(status, body, len);
}

/* ---- server half ------------------------------------------------------- */

static int decode_anthropic_user(jolt_serve_call *c, const json_t *content,
				 const char *where)
{
	if (!json_is_array(content)) {
		jolt_buf text;
		jolt_buf_init(&text, 0);
		int rc = jolt_dsv_content_text(&text, content, where);
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
			int rc = jolt_dsv_content_text(&r, json_object_get(b, "content"), where);
			if (rc) {
				jolt_buf_release(&r);
				jolt_buf_release(&text);
				return rc;
			}
			json_t *tm = json_pack("{s:s, s:s, s:s, s:s}", "role", "tool",
					       "tool_call_id", id ? id : "", "name",
					       jolt_dsv_call_name(c->messages, id), "content",
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
		rc = jolt_dsv_content_text(&text, content, where);
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

static int ant_serve_decode(jolt_serve_call *c, const json_t *root)
{
	const json_t *sys = json_object_get(root, "system");
	if (sys && !json_is_null(sys)) {
		jolt_buf text;
		jolt_buf_init(&text, 0);
		int rc = jolt_dsv_content_text(&text, sys, "system");
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
				      jolt_dsv_neutral_tool(name, json_object_get(t, "description"),
						   json_object_get(t, "input_schema")));
	}
	return 0;
}

/* A deterministic stand-in for Anthropic's thinking signature. */
static char *fake_signature(const char *thinking)
{
	uint64_t a = jolt_hash_str(0x5167, thinking), b = jolt_hash_str(a, thinking);
	return jolt_xasprintf("%016llx%016llx", (unsigned long long)a,
			      (unsigned long long)b);
}

static int ant_serve_encode(char **out, const jolt_serve_call *c,
			    const jolt_serve_reply *r)
{
	*out = NULL;
	const json_t *m = r->message;
	const json_t *tcs = json_object_get(m, "tool_calls");
	const char *th = json_string_value(json_object_get(m, "thinking"));
	size_t i;
	json_t *tc;
	json_t *content = json_array();
	if (th) {
		char *sig = fake_signature(th);
		json_array_append_new(content,
				      json_pack("{s:s, s:s, s:s}", "type", "thinking",
						"thinking", th, "signature", sig));
		free(sig);
	}
	if (jolt_dsv_str(m, "content")[0])
		json_array_append_new(content,
				      json_pack("{s:s, s:s}", "type", "text", "text",
						jolt_dsv_str(m, "content")));
	json_array_foreach(tcs, i, tc) {
		json_t *in;
		if (r->malformed) {
			/* Anthropic's input is JSON on the wire; the
			 * nearest to a broken call is a non-object. */
			char *a = jolt_dsv_args_text(json_object_get(tc, "arguments"), 1);
			in = json_string(a);
			free(a);
		} else {
			in = json_deep_copy(json_object_get(tc, "arguments"));
		}
		json_array_append_new(content,
				      json_pack("{s:s, s:s, s:s, s:o}", "type", "tool_use",
						"id", jolt_dsv_str(tc, "id"), "name",
						jolt_dsv_str(tc, "name"), "input",
						in ? in : json_object()));
	}
	return jolt_dsv_dump(out,
		       json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:n, s:{s:I, s:I}}",
				 "id", r->id, "type", "message", "role", "assistant",
				 "model", r->model, "content", content, "stop_reason",
				 json_array_size(tcs) ? "tool_use" : "end_turn",
				 "stop_sequence", "usage", "input_tokens",
				 (json_int_t)r->tokens_in, "output_tokens",
				 (json_int_t)r->tokens_out));
}

static void block_stop(jolt_serve_chunks *l, int index)
{
	jolt_dsv_push(l, "content_block_stop",
	     json_pack("{s:s, s:i}", "type", "content_block_stop", "index", index));
}

static void block_delta(jolt_serve_chunks *l, int index, json_t *delta)
{
	jolt_dsv_push(l, "content_block_delta",
	     json_pack("{s:s, s:i, s:o}", "type", "content_block_delta", "index", index,
		       "delta", delta));
}

static int ant_serve_stream(jolt_serve_chunks *l, const jolt_serve_call *c,
			    const jolt_serve_reply *r)
{
	const json_t *m = r->message;
	const json_t *tcs = json_object_get(m, "tool_calls");
	const char *th = json_string_value(json_object_get(m, "thinking"));
	const char *ct = jolt_dsv_str(m, "content");
	size_t pc[2 * (JOLT_DSV_PIECES + 2)], n;
	int index = 0;
	jolt_dsv_push(l, "message_start",
	     json_pack("{s:s, s:{s:s, s:s, s:s, s:s, s:[], s:n, s:n, s:{s:I, s:i}}}",
		       "type", "message_start", "message", "id", r->id, "type", "message",
		       "role", "assistant", "model", r->model, "content", "stop_reason",
		       "stop_sequence", "usage", "input_tokens", (json_int_t)r->tokens_in,
		       "output_tokens", 1));
	jolt_dsv_push(l, "ping", json_pack("{s:s}", "type", "ping"));
	if (th) {
		jolt_dsv_push(l, "content_block_start",
		     json_pack("{s:s, s:i, s:{s:s, s:s, s:s}}", "type", "content_block_start",
			       "index", index, "content_block", "type", "thinking",
			       "thinking", "", "signature", ""));
		n = jolt_dsv_split(pc, th, JOLT_DSV_PIECES);
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
		jolt_dsv_push(l, "content_block_start",
		     json_pack("{s:s, s:i, s:{s:s, s:s}}", "type", "content_block_start",
			       "index", index, "content_block", "type", "text", "text", ""));
		n = jolt_dsv_split(pc, ct, JOLT_DSV_PIECES);
		for (size_t i = 0; i < n; i++)
			block_delta(l, index, json_pack("{s:s, s:s%}", "type", "text_delta",
							"text", ct + pc[2 * i], pc[2 * i + 1]));
		block_stop(l, index++);
	}
	size_t i;
	json_t *tc;
	json_array_foreach(tcs, i, tc) {
		jolt_dsv_push(l, "content_block_start",
		     json_pack("{s:s, s:i, s:{s:s, s:s, s:s, s:{}}}", "type",
			       "content_block_start", "index", index, "content_block",
			       "type", "tool_use", "id", jolt_dsv_str(tc, "id"), "name",
			       jolt_dsv_str(tc, "name"), "input"));
		char *a = jolt_dsv_args_text(json_object_get(tc, "arguments"), r->malformed);
		n = jolt_dsv_split(pc, a, JOLT_DSV_PIECES);
		for (size_t k = 0; k < n; k++)
			block_delta(l, index, json_pack("{s:s, s:s%}", "type", "input_json_delta",
							"partial_json", a + pc[2 * k],
							pc[2 * k + 1]));
		free(a);
		block_stop(l, index++);
	}
	jolt_dsv_push(l, "message_delta",
	     json_pack("{s:s, s:{s:s, s:n}, s:{s:I}}", "type", "message_delta", "delta",
		       "stop_reason", json_array_size(tcs) ? "tool_use" : "end_turn",
		       "stop_sequence", "usage", "output_tokens", (json_int_t)r->tokens_out));
	jolt_dsv_push(l, "message_stop", json_pack("{s:s}", "type", "message_stop"));
	return 0;
}

static char *ant_serve_error(const char *type, const char *message)
{
	json_t *j = json_pack("{s:s, s:{s:s, s:s}}", "type", "error", "error", "type", type,
			      "message", message);
	char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	return s ? s : jolt_xstrdup("{\"error\":{\"message\":\"error\"}}");
}

const jolt_dialect jolt_dialect_anthropic = {
    .name = "anthropic",
    .path = "/v1/messages",
    .encode = ant_encode,
    .decode = ant_decode,
    .stream_new = ant_stream_new,
    .stream_event = ant_stream_event,
    .stream_finish = ant_stream_finish,
    .stream_free = ant_stream_free,
    .classify = ant_classify,
    .route = "/messages",
    .id_prefix = "msg_",
    .rate_error = "rate_limit_error",
    .server_error = "api_error",
    .serve_decode = ant_serve_decode,
    .serve_encode = ant_serve_encode,
    .serve_stream = ant_serve_stream,
    .serve_error = ant_serve_error,
};
