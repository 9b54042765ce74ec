/*
 * dialect.c - the registry of wire formats, the request options every
 * dialect sends, and the error classification they share. Each dialect
 * lives in its own file (dialect_openai.c, dialect_anthropic.c,
 * dialect_m2.c) and exports one const descriptor; this table is how the
 * HTTP backend and `jolt serve` find them. HTTP statuses and MiniMax
 * base_resp codes mean the same whichever dialect carried them, so they
 * are classified here, once.
 */
#include <string.h>

#include "core/common.h"
#include "model/dialect.h"

extern const jolt_dialect jolt_dialect_openai;
extern const jolt_dialect jolt_dialect_anthropic;
extern const jolt_dialect jolt_dialect_m2;

const jolt_dialect *const jolt_dialects[] = {
    &jolt_dialect_openai,
    &jolt_dialect_anthropic,
    &jolt_dialect_m2,
    NULL,
};

const jolt_dialect *jolt_dialect_find(const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; jolt_dialects[i]; i++)
		if (!strcmp(jolt_dialects[i]->name, name))
			return jolt_dialects[i];
	return NULL;
}

double jolt_dialect_temperature(const jolt_dialect_opts *o)
{
	return o && o->b && o->b->temperature >= 0 ? o->b->temperature : 1.0;
}

double jolt_dialect_top_p(const jolt_dialect_opts *o)
{
	return o && o->b && o->b->top_p > 0 ? o->b->top_p : 0.95;
}

int jolt_dialect_top_k(const jolt_dialect_opts *o)
{
	return o && o->b && o->b->top_k >= 0 ? o->b->top_k : 40;
}

long jolt_dialect_max_tokens(const jolt_dialect_opts *o)
{
	return o && o->b && o->b->max_tokens > 0 ? o->b->max_tokens : 8192;
}

bool jolt_dialect_stream(const jolt_dialect_opts *o)
{
	return o && o->b && o->b->stream;
}

json_t *jolt_dialect_tool_decl(const json_t *tool, const char *schema_key)
{
	const char *name = json_string_value(json_object_get(tool, "name"));
	const json_t *desc = json_object_get(tool, "description");
	const json_t *params = json_object_get(tool, "parameters");
	json_t *d = json_object();
	json_object_set_new(d, "name", json_string(name ? name : ""));
	if (desc)
		json_object_set_new(d, "description", json_deep_copy(desc));
	json_object_set_new(d, schema_key,
			    params ? json_deep_copy(params)
				   : json_pack("{s:s}", "type", "object"));
	return d;
}

/* ---- classification ---------------------------------------------------- */

const char *jolt_dialect_server_message(const json_t *root)
{
	const json_t *e = json_object_get(root, "error");
	const char *m = json_string_value(json_object_get(e, "message"));
	if (!m)
		m = json_string_value(e);
	if (!m)
		m = json_string_value(json_object_get(json_object_get(root, "base_resp"),
						      "status_msg"));
	if (!m)
		m = json_string_value(json_object_get(root, "message"));
	return m;
}

int jolt_dialect_classify_base_resp(const json_t *root, const char *msg)
{
	const json_t *br =
	    json_object_get(json_object_get(root, "base_resp"), "status_code");
	json_int_t code = json_is_integer(br) ? json_integer_value(br) : 0;
	if (!msg)
		msg = "";
	switch (code) {
	case 0:
		return 0;
	case 1000:
	case 1001:
	case 1002:
	case 1024:
		return jolt_err_set(JOLT_EINFRA,
				    "MiniMax %s (%" JSON_INTEGER_FORMAT "): %s",
				    code == 1002   ? "rate limit"
				    : code == 1001 ? "timeout"
				    : code == 1024 ? "internal error"
						   : "unknown error",
				    code, msg);
	case 1004:
		return jolt_err_set(JOLT_EDENIED,
				    "the API key was refused (MiniMax 1004): "
				    "check MINIMAX_API_KEY");
	case 1008:
		return jolt_err_set(JOLT_EDENIED,
				    "insufficient balance (MiniMax 1008)");
	default:
		/* 2013 and codes not listed: the request itself. */
		return jolt_err_set(JOLT_EINPUT,
				    "MiniMax refused the request (%" JSON_INTEGER_FORMAT
				    "): %s",
				    code, msg);
	}
}

int jolt_dialect_classify_status(int status, const char *msg)
{
	if (!msg)
		msg = "";
	if (status >= 200 && status < 300)
		return 0;
	switch (status) {
	case 401:
	case 403:
		return jolt_err_set(JOLT_EDENIED,
				    "the API key was refused (HTTP %d): check "
				    "MINIMAX_API_KEY, OPENAI_API_KEY, ANTHROPIC_API_KEY "
				    "or JOLT_API_KEY: %s",
				    status, msg);
	case 400:
	case 404:
	case 422:
		return jolt_err_set(JOLT_EINPUT,
				    "the server refused the request (HTTP %d): %s",
				    status, msg);
	default:
		/* 408 409 429 5xx 529, and statuses nobody documents: retry. */
		if (status >= 400 && status < 500 && status != 408 && status != 409 &&
		    status != 429)
			return jolt_err_set(JOLT_EINPUT,
					    "the server refused the request (HTTP %d): %s",
					    status, msg);
		return jolt_err_set(JOLT_EINFRA, "the server failed (HTTP %d): %s",
				    status, msg);
	}
}

int jolt_dialect_classify(int status, const char *body, size_t len)
{
	/* A success whose bytes cannot hold a base_resp key (not even
	 * spelled with \u escapes) is one: no need to parse it here, the
	 * decoder does. */
	if (status >= 200 && status < 300 &&
	    (!body || (!memmem(body, len, "base_resp", 9) &&
		       !memmem(body, len, "\\u", 2))))
		return 0;
	json_t *root = body ? json_loadb(body, len, 0, NULL) : NULL;
	const char *m = root ? jolt_dialect_server_message(root) : NULL;
	char msg[JOLT_DIALECT_MSG_CAP + 1];
	if (m)
		snprintf(msg, sizeof(msg), "%s", m);
	else if (body && len && status != 200)
		snprintf(msg, sizeof(msg), "%.*s",
			 (int)(len < JOLT_DIALECT_MSG_CAP ? len : JOLT_DIALECT_MSG_CAP),
			 body);
	else
		msg[0] = '\0';
	int rc = jolt_dialect_classify_base_resp(root, msg);
	if (!rc) /* a base_resp code decides whatever the status says */
		rc = jolt_dialect_classify_status(status, msg);
	json_decref(root);
	return rc;
}
