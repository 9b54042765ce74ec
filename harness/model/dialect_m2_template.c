/*
 * dialect_m2_template.c - MiniMax-M2's native chat template (M2-PROTOCOL.md
 * section 1): rendering a conversation to a prompt and parsing one raw
 * completion back. The m2 dialect (dialect_m2.c) is built on these, both
 * its client and its `jolt serve` half.
 *
 * jolt_m2_render() reproduces the HF chat template byte for byte as
 * transformers renders it (trim_blocks, lstrip_blocks, tojson as Python's
 * json.dumps with ensure_ascii=False), including the last-user rule: the
 * reasoning of an assistant turn is rendered only when no user message
 * follows it. jolt_m2_parse() is the inverse for one completion: reasoning
 * up to </think>, content up to the first <minimax:tool_call>, then the
 * XML invokes, typed by the tools' JSON Schema the way vLLM's minimax_m2
 * tool parser types them.
 *
 * Parser decisions that differ from vLLM, on purpose:
 *  - a literal "</parameter>" inside a string value ends the value at its
 *    first occurrence (as in vLLM), but the leftover text is then stray
 *    inside the invoke, so the invoke is reported malformed instead of
 *    running with a silently truncated argument;
 *  - an invoke without </invoke>, or a block without
 *    </minimax:tool_call>, is malformed (vLLM silently finds no call);
 *  - text after the last tool-call block is dropped from `content`
 *    (it stays in `raw`).
 * Tool-call ids are "call_<i>" (0-based within the reply); the m2 decoder
 * renames them "call_<step>_<i>".
 */
#include <ctype.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/common.h"
#include "model/dialect.h"

#define M2_PROMPT_CAP (64u * 1024 * 1024) /* largest rendered prompt */
#define M2_DETAIL_CAP 4096		  /* malformed-call description */
#define M2_MAX_CALLS 256		  /* invokes parsed per reply */

#define M2_DEFAULT_SYSTEM "You are a helpful assistant."
#define M2_CALL_OPEN "<minimax:tool_call>"
#define M2_CALL_CLOSE "</minimax:tool_call>"

/* Both text pieces of the template's TOOLS section, around the tools. */
static const char m2_tools_head[] =
    "\n\n# Tools\nYou may call one or more tools to assist with the user "
    "query.\nHere are the tools available in JSONSchema format:\n"
    "\n<tools>\n";
static const char m2_tools_tail[] =
    "</tools>\n\n"
    "When making tool calls, use XML format to invoke tools and pass "
    "parameters:\n"
    "\n<minimax:tool_call>\n"
    "<invoke name=\"tool-name-1\">\n"
    "<parameter name=\"param-key-1\">param-value-1</parameter>\n"
    "<parameter name=\"param-key-2\">param-value-2</parameter>\n"
    "...\n"
    "</invoke>\n"
    "</minimax:tool_call>";

/* ---- small byte-string helpers ---------------------------------------- */

/* memmem over [s, s+n) for a C-string needle. */
static const char *find(const char *s, size_t n, const char *needle)
{
	size_t k = strlen(needle);
	if (k == 0 || k > n)
		return k == 0 ? s : NULL;
	return memmem(s, n, needle, k);
}

static bool starts(const char *s, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);
	return n >= k && memcmp(s, prefix, k) == 0;
}

/* Python's str.strip('\n'). */
static void strip_nl(const char **s, size_t *n)
{
	while (*n && (*s)[0] == '\n') {
		(*s)++;
		(*n)--;
	}
	while (*n && (*s)[*n - 1] == '\n')
		(*n)--;
}

/* A jansson string from arbitrary bytes: invalid UTF-8 (possible in raw
 * completion text handed to the parser) becomes U+FFFD. */
static json_t *jstr(const char *s, size_t n)
{
	json_t *v = json_stringn(s, n);
	if (v)
		return v;
	jolt_buf b;
	jolt_buf_init(&b, 0);
	size_t i = 0;
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		size_t k = c < 0x80	    ? 1
			   : (c >> 5) == 6  ? 2
			   : (c >> 4) == 14 ? 3
			   : (c >> 3) == 30 ? 4
					    : 0;
		bool ok = k > 0 && i + k <= n && !(k == 1 && c == 0);
		for (size_t j = 1; ok && j < k; j++)
			ok = ((unsigned char)s[i + j] >> 6) == 2;
		if (ok && k > 1) {
			/* Reject overlong forms and surrogates the cheap way:
			 * jansson itself is the final judge. */
			json_t *t = json_stringn(s + i, k);
			ok = t != NULL;
			json_decref(t);
		}
		if (ok) {
			jolt_buf_add(&b, s + i, k);
			i += k;
		} else {
			jolt_buf_adds(&b, c == 0 ? "" : "\xef\xbf\xbd");
			i++;
		}
	}
	v = json_stringn(b.s ? b.s : "", b.len);
	jolt_buf_release(&b);
	return v ? v : json_string("");
}

/* ---- Python json.dumps(ensure_ascii=False) ----------------------------- */

static void py_str(jolt_buf *b, const char *s, size_t n)
{
	jolt_buf_addc(b, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		switch (c) {
		case '"':
			jolt_buf_adds(b, "\\\"");
			break;
		case '\\':
			jolt_buf_adds(b, "\\\\");
			break;
		case '\n':
			jolt_buf_adds(b, "\\n");
			break;
		case '\r':
			jolt_buf_adds(b, "\\r");
			break;
		case '\t':
			jolt_buf_adds(b, "\\t");
			break;
		case '\b':
			jolt_buf_adds(b, "\\b");
			break;
		case '\f':
			jolt_buf_adds(b, "\\f");
			break;
		default:
			if (c < 0x20)
				jolt_buf_addf(b, "\\u%04x", c);
			else
				jolt_buf_addc(b, (char)c);
		}
	}
	jolt_buf_addc(b, '"');
}

/* float.__repr__: the shortest digits that round-trip, fixed notation for
 * decimal exponents in [-4, 16), else d.ddde+XX. */
static void py_float(jolt_buf *b, double v)
{
	char tmp[64];
	int prec = 1;
	for (; prec <= 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, v);
		if (strtod(tmp, NULL) == v)
			break;
	}
	/* tmp = [-]d[.ddd]e[+-]XX */
	const char *p = tmp;
	bool neg = *p == '-';
	if (neg)
		p++;
	char digits[32];
	size_t nd = 0;
	for (; *p && *p != 'e'; p++)
		if (isdigit((unsigned char)*p) && nd < sizeof(digits) - 1)
			digits[nd++] = *p;
	digits[nd] = '\0';
	int exp = *p == 'e' ? (int)strtol(p + 1, NULL, 10) : 0;
	while (nd > 1 && digits[nd - 1] == '0')
		digits[--nd] = '\0';
	if (neg)
		jolt_buf_addc(b, '-');
	if (exp >= -4 && exp < 16) {
		if (exp < 0) {
			jolt_buf_adds(b, "0.");
			for (int i = -1; i > exp; i--)
				jolt_buf_addc(b, '0');
			jolt_buf_adds(b, digits);
		} else {
			for (int i = 0; i <= exp; i++)
				jolt_buf_addc(b,
					      (size_t)i < nd ? digits[i] : '0');
			jolt_buf_addc(b, '.');
			if ((size_t)exp + 1 < nd)
				jolt_buf_adds(b, digits + exp + 1);
			else
				jolt_buf_addc(b, '0');
		}
	} else {
		jolt_buf_addc(b, digits[0]);
		if (nd > 1) {
			jolt_buf_addc(b, '.');
			jolt_buf_adds(b, digits + 1);
		}
		jolt_buf_addf(b, "e%c%02d", exp < 0 ? '-' : '+',
			      exp < 0 ? -exp : exp);
	}
}

static void py_dump(jolt_buf *b, const json_t *v)
{
	const char *key;
	size_t klen, i;
	json_t *x;
	bool first = true;
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		jolt_buf_addc(b, '{');
		/* jansson iterates objects in insertion order. */
		json_object_keylen_foreach((json_t *)v, key, klen, x)
		{
			if (!first)
				jolt_buf_adds(b, ", ");
			first = false;
			py_str(b, key, klen);
			jolt_buf_adds(b, ": ");
			py_dump(b, x);
		}
		jolt_buf_addc(b, '}');
		break;
	case JSON_ARRAY:
		jolt_buf_addc(b, '[');
		json_array_foreach(v, i, x)
		{
			if (i)
				jolt_buf_adds(b, ", ");
			py_dump(b, x);
		}
		jolt_buf_addc(b, ']');
		break;
	case JSON_STRING:
		py_str(b, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		jolt_buf_addf(b, "%" JSON_INTEGER_FORMAT,
			      json_integer_value(v));
		break;
	case JSON_REAL:
		py_float(b, json_real_value(v));
		break;
	case JSON_TRUE:
		jolt_buf_adds(b, "true");
		break;
	case JSON_FALSE:
		jolt_buf_adds(b, "false");
		break;
	case JSON_NULL:
		jolt_buf_adds(b, "null");
		break;
	}
}

/* ---- render ----------------------------------------------------------- */

static const char *role_of(const json_t *m)
{
	const char *r = json_string_value(json_object_get(m, "role"));
	return r ? r : "";
}

static bool type_is(const json_t *o, const char *type)
{
	const char *t = json_string_value(json_object_get(o, "type"));
	return t && !strcmp(t, type);
}

/* The template's visible_text(): a string, or the text parts of a list. */
static void add_visible(jolt_buf *b, const json_t *content)
{
	if (json_is_string(content)) {
		jolt_buf_add(b, json_string_value(content),
			     json_string_length(content));
	} else if (json_is_array(content)) {
		size_t i;
		json_t *it;
		json_array_foreach(content, i, it)
		{
			if (json_is_string(it))
				jolt_buf_add(b, json_string_value(it),
					     json_string_length(it));
			else if (json_is_object(it) && type_is(it, "text") &&
				 json_is_string(json_object_get(it, "text"))) {
				const json_t *t = json_object_get(it, "text");
				jolt_buf_add(b, json_string_value(t),
					     json_string_length(t));
			}
		}
	}
}

static void add_tool_json(jolt_buf *b, const json_t *tool)
{
	/* Tools may arrive OpenAI-shaped ({type, function}) from `serve`. */
	const json_t *f = json_object_get(tool, "function");
	if (json_is_object(f))
		tool = f;
	static const char *const keys[] = {"name", "description", "parameters"};
	bool first = true;
	jolt_buf_addc(b, '{');
	for (size_t k = 0; k < JOLT_ARRAY_LEN(keys); k++) {
		const json_t *v = json_object_get(tool, keys[k]);
		if (!v)
			continue;
		if (!first)
			jolt_buf_adds(b, ", ");
		first = false;
		py_str(b, keys[k], strlen(keys[k]));
		jolt_buf_adds(b, ": ");
		py_dump(b, v);
	}
	jolt_buf_addc(b, '}');
}

static void add_calls(jolt_buf *b, const json_t *calls)
{
	size_t i;
	json_t *tc;
	jolt_buf_adds(b, "\n" M2_CALL_OPEN "\n");
	json_array_foreach(calls, i, tc)
	{
		const json_t *f = json_object_get(tc, "function");
		if (json_is_object(f))
			tc = (json_t *)f;
		const char *name =
		    json_string_value(json_object_get(tc, "name"));
		jolt_buf_addf(b, "<invoke name=\"%s\">\n", name ? name : "");
		const json_t *args = json_object_get(tc, "arguments");
		json_t *parsed = NULL;
		if (json_is_string(args)) /* OpenAI-shaped: a JSON string */
			args = parsed =
			    json_loads(json_string_value(args), 0, NULL);
		if (json_is_object(args)) {
			const char *k;
			size_t klen;
			json_t *v;
			json_object_keylen_foreach((json_t *)args, k, klen, v)
			{
				jolt_buf_adds(b, "<parameter name=\"");
				jolt_buf_add(b, k, klen);
				jolt_buf_adds(b, "\">");
				if (json_is_string(v))
					jolt_buf_add(b, json_string_value(v),
						     json_string_length(v));
				else
					py_dump(b, v);
				jolt_buf_adds(b, "</parameter>\n");
			}
		}
		json_decref(parsed);
		jolt_buf_adds(b, "</invoke>\n");
	}
	jolt_buf_adds(b, M2_CALL_CLOSE);
}

/* One assistant turn; `think` is the last-user rule's verdict. */
static void add_assistant(jolt_buf *b, const json_t *m, bool think)
{
	jolt_buf_adds(b, JOLT_M2_ROLE "ai\n");
	const char *rd = json_string_value(json_object_get(m, "raw_dialect"));
	const json_t *raw = json_object_get(m, "raw");
	if (rd && !strcmp(rd, "m2") && json_is_string(raw)) {
		/* The completion exactly as the model wrote it. */
		const char *s = json_string_value(raw);
		size_t n = json_string_length(raw);
		const char *eos = find(s, n, JOLT_M2_EOS);
		if (eos)
			n = (size_t)(eos - s);
		const char *end = find(s, n, "</think>");
		if (end && think) {
			jolt_buf_adds(b, "<think>\n");
			jolt_buf_add(b, s, n);
		} else {
			if (end) {
				n -= (size_t)(end + 8 - s);
				s = end + 8;
			}
			while (n && *s == '\n') {
				s++;
				n--;
			}
			/* As the template would: the block follows a newline.
			 */
			if (starts(s, n, M2_CALL_OPEN))
				jolt_buf_addc(b, '\n');
			jolt_buf_add(b, s, n);
		}
		jolt_buf_adds(b, JOLT_M2_EOS "\n");
		return;
	}

	jolt_buf content, reasoning;
	jolt_buf_init(&content, 0);
	jolt_buf_init(&reasoning, 0);
	add_visible(&content, json_object_get(m, "content"));
	const json_t *th = json_object_get(m, "thinking");
	if (!json_is_string(th))
		th = json_object_get(m, "reasoning_content");
	if (json_is_string(th)) {
		jolt_buf_add(&reasoning, json_string_value(th),
			     json_string_length(th));
	} else if (find(jolt_buf_cstr(&content), content.len, "</think>")) {
		/* The template's content.split('</think>'): reasoning from the
		 * first part after its last <think>, content the last part. */
		const char *s = jolt_buf_cstr(&content);
		size_t n = content.len;
		const char *end = find(s, n, "</think>");
		const char *r = s;
		size_t rn = (size_t)(end - s);
		strip_nl(&r, &rn);
		const char *open;
		while ((open = find(r, rn, "<think>"))) {
			rn -= (size_t)(open + 7 - r);
			r = open + 7;
		}
		strip_nl(&r, &rn);
		jolt_buf_add(&reasoning, r, rn);
		const char *last = end + 8, *nx;
		while ((nx = find(last, n - (size_t)(last - s), "</think>")))
			last = nx + 8;
		const char *c = last;
		size_t cn = n - (size_t)(last - s);
		strip_nl(&c, &cn);
		char *copy = jolt_xstrndup(c, cn);
		jolt_buf_reset(&content);
		jolt_buf_add(&content, copy, cn);
		free(copy);
	}
	if (reasoning.len && think) {
		jolt_buf_adds(b, "<think>\n");
		jolt_buf_add(b, reasoning.s, reasoning.len);
		jolt_buf_adds(b, "\n</think>\n\n");
	}
	if (content.len)
		jolt_buf_add(b, content.s, content.len);
	const json_t *calls = json_object_get(m, "tool_calls");
	if (json_array_size(calls) > 0)
		add_calls(b, calls);
	jolt_buf_adds(b, JOLT_M2_EOS "\n");
	jolt_buf_release(&content);
	jolt_buf_release(&reasoning);
}

/* The first message when it is a system message, else NULL. */
static const json_t *system_of(const json_t *messages)
{
	const json_t *m = json_array_get(messages, 0);
	return m && !strcmp(role_of(m), "system") ? m : NULL;
}

void jolt_m2_render_head(jolt_buf *b, const json_t *messages,
			 const json_t *tools)
{
	const json_t *sys = system_of(messages);
	jolt_buf_adds(b, JOLT_M2_BOS JOLT_M2_ROLE "system\n");
	size_t before = b->len;
	if (sys)
		add_visible(b, json_object_get(sys, "content"));
	if (b->len == before)
		jolt_buf_adds(b, M2_DEFAULT_SYSTEM);
	if (json_array_size(tools) > 0) {
		size_t i;
		json_t *t;
		jolt_buf_adds(b, m2_tools_head);
		json_array_foreach(tools, i, t)
		{
			jolt_buf_adds(b, "<tool>");
			add_tool_json(b, t);
			jolt_buf_adds(b, "</tool>\n");
		}
		jolt_buf_adds(b, m2_tools_tail);
	}
	jolt_buf_adds(b, JOLT_M2_EOS "\n");
}

size_t jolt_m2_last_user(const json_t *messages)
{
	size_t n = json_array_size(messages), last = n;
	for (size_t i = system_of(messages) ? 1 : 0; i < n; i++)
		if (!strcmp(role_of(json_array_get(messages, i)), "user"))
			last = i;
	return last;
}

bool jolt_m2_turn_think(size_t i, size_t last_user, size_t n)
{
	return last_user == n || i > last_user;
}

static bool is_tool(const json_t *messages, size_t i)
{
	const json_t *m = json_array_get(messages, i);
	return m && !strcmp(role_of(m), "tool");
}

int jolt_m2_render_turn(jolt_buf *b, const json_t *messages, size_t i,
			bool think)
{
	const json_t *m = json_array_get(messages, i);
	const char *role = role_of(m);
	size_t start = system_of(messages) ? 1 : 0;
	if (i < start)
		return 0; /* the system message is the head's */
	if (!strcmp(role, "assistant")) {
		add_assistant(b, m, think);
	} else if (!strcmp(role, "tool")) {
		/* The template's last_tool_call.name: the latest assistant
		 * message before it has a call. */
		size_t k = i;
		while (k > start &&
		       strcmp(role_of(json_array_get(messages, k - 1)),
			      "assistant"))
			k--;
		if (k == start ||
		    json_array_size(json_object_get(
			json_array_get(messages, k - 1), "tool_calls")) == 0)
			return jolt_err_set(JOLT_EINPUT,
					    "m2 render: message %zu has role "
					    "tool, but no earlier assistant "
					    "message has a tool call",
					    i);
		if (i == start || !is_tool(messages, i - 1))
			jolt_buf_adds(b, JOLT_M2_ROLE "tool");
		jolt_buf_adds(b, "\n<response>");
		add_visible(b, json_object_get(m, "content"));
		jolt_buf_adds(b, "</response>");
	} else if (!strcmp(role, "user")) {
		jolt_buf_adds(b, JOLT_M2_ROLE "user\n");
		add_visible(b, json_object_get(m, "content"));
		jolt_buf_adds(b, JOLT_M2_EOS "\n");
	}
	/* Later system messages: the template drops them silently. */
	return 0;
}

bool jolt_m2_turn_ends_run(const json_t *messages, size_t i)
{
	return is_tool(messages, i) && !is_tool(messages, i + 1);
}

int jolt_m2_render(char **out, const json_t *messages, const json_t *tools)
{
	*out = NULL;
	if (!json_is_array(messages))
		return jolt_err_set(JOLT_EINPUT,
				    "m2 render: messages is not a list");
	size_t n = json_array_size(messages);
	size_t last_user = jolt_m2_last_user(messages);
	jolt_buf b;
	jolt_buf_init(&b, M2_PROMPT_CAP);
	jolt_m2_render_head(&b, messages, tools);
	for (size_t i = 0; i < n; i++) {
		int rc = jolt_m2_render_turn(&b, messages, i,
					     jolt_m2_turn_think(i, last_user, n));
		if (rc) {
			jolt_buf_release(&b);
			return rc;
		}
		if (jolt_m2_turn_ends_run(messages, i))
			jolt_buf_adds(&b, JOLT_M2_EOS "\n");
	}
	jolt_buf_adds(&b, JOLT_M2_GEN);
	if (b.truncated) {
		jolt_buf_release(&b);
		return jolt_err_set(JOLT_ETOOBIG,
				    "m2 render: the prompt is over %u bytes",
				    M2_PROMPT_CAP);
	}
	*out = jolt_buf_detach(&b);
	return 0;
}

/* ---- parse ------------------------------------------------------------ */

typedef struct m2_parser {
	const json_t *tools;
	json_t *calls;
	int malformed;
	jolt_buf detail;
} m2_parser;

static void bad(m2_parser *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void bad(m2_parser *p, const char *fmt, ...)
{
	p->malformed++;
	if (p->detail.truncated)
		return;
	if (p->detail.len == 0)
		jolt_buf_adds(&p->detail, "error: malformed tool call: ");
	else
		jolt_buf_adds(&p->detail, "\nerror: malformed tool call: ");
	va_list ap;
	va_start(ap, fmt);
	jolt_buf_vaddf(&p->detail, fmt, ap);
	va_end(ap);
}

/* A short printable excerpt for a description. */
static char *excerpt(const char *s, size_t n)
{
	size_t k = n > 60 ? 60 : n;
	while (k < n && k > 0 && ((unsigned char)s[k] >> 6) == 2)
		k--; /* do not cut a UTF-8 character */
	char *e = jolt_xmalloc(k + 4);
	for (size_t i = 0; i < k; i++)
		e[i] = (unsigned char)s[i] < 0x20 ? ' ' : s[i];
	memcpy(e + k, k < n ? "..." : "", k < n ? 4 : 1);
	return e;
}

/* `name=VALUE>` after "<invoke" or "<parameter": VALUE quoted with " or '
 * or bare. On success *name and *nlen point into s and the return is the byte
 * after '>'; NULL when the tag is not well formed. */
static const char *tag_name(const char *s, const char *end, const char **name,
			    size_t *nlen)
{
	while (s < end && isspace((unsigned char)*s))
		s++;
	if (end - s < 4 || memcmp(s, "name", 4))
		return NULL;
	s += 4;
	while (s < end && isspace((unsigned char)*s))
		s++;
	if (s >= end || *s != '=')
		return NULL;
	s++;
	while (s < end && isspace((unsigned char)*s))
		s++;
	if (s >= end)
		return NULL;
	if (*s == '"' || *s == '\'') {
		char q = *s++;
		const char *e = memchr(s, q, (size_t)(end - s));
		if (!e)
			return NULL;
		*name = s;
		*nlen = (size_t)(e - s);
		s = e + 1;
		while (s < end && isspace((unsigned char)*s))
			s++;
		if (s >= end || *s != '>')
			return NULL;
		return s + 1;
	}
	const char *e = memchr(s, '>', (size_t)(end - s));
	if (!e || memchr(s, '<', (size_t)(e - s)))
		return NULL;
	*name = s;
	*nlen = (size_t)(e - s);
	while (*nlen && isspace((unsigned char)(*name)[*nlen - 1]))
		(*nlen)--;
	return e + 1;
}

/* The JSON Schema types allowed for parameter `key` of tool `tool`:
 * `type` as a string or list, or the types of anyOf/oneOf branches.
 * Returns an array (owned) or NULL when the schema says nothing. */
static json_t *schema_types(const json_t *tools, const char *tool,
			    const char *key)
{
	size_t i;
	json_t *t;
	json_array_foreach(tools, i, t)
	{
		const json_t *f = json_object_get(t, "function");
		if (json_is_object(f))
			t = (json_t *)f;
		const char *nm = json_string_value(json_object_get(t, "name"));
		if (!nm || strcmp(nm, tool))
			continue;
		const json_t *prop = json_object_get(
		    json_object_get(json_object_get(t, "parameters"),
				    "properties"),
		    key);
		if (!json_is_object(prop))
			return NULL;
		json_t *out = json_array();
		const json_t *ty = json_object_get(prop, "type");
		size_t j;
		json_t *x;
		if (json_is_string(ty))
			json_array_append(out, (json_t *)ty);
		json_array_foreach(ty, j, x) if (json_is_string(x))
		    json_array_append(out, x);
		static const char *const alts[] = {"anyOf", "oneOf"};
		for (size_t a = 0; a < JOLT_ARRAY_LEN(alts); a++) {
			json_t *br;
			json_array_foreach(json_object_get(prop, alts[a]), j,
					   br)
			{
				const json_t *bt = json_object_get(br, "type");
				if (json_is_string(bt))
					json_array_append(out, (json_t *)bt);
			}
		}
		if (json_array_size(out) == 0) {
			json_decref(out);
			return NULL;
		}
		return out;
	}
	return NULL;
}

/* The value as type `ty`, or NULL when it does not fit. */
static json_t *as_type(const char *ty, const char *v, size_t n)
{
	if (!strcmp(ty, "string"))
		return jstr(v, n);
	if (!strcmp(ty, "boolean")) {
		const char *s = v;
		size_t k = n;
		while (k && isspace((unsigned char)*s)) {
			s++;
			k--;
		}
		while (k && isspace((unsigned char)s[k - 1]))
			k--;
		if (k == 4 && !strncasecmp(s, "true", 4))
			return json_true();
		if (k == 5 && !strncasecmp(s, "false", 5))
			return json_false();
		return NULL;
	}
	json_t *j = json_loadb(v, n, JSON_DECODE_ANY, NULL);
	if (!j)
		return NULL;
	bool ok = (!strcmp(ty, "integer") &&
		   (json_is_integer(j) ||
		    (json_is_real(j) &&
		     json_real_value(j) ==
			 (double)(json_int_t)json_real_value(j)))) ||
		  (!strcmp(ty, "number") && json_is_number(j)) ||
		  (!strcmp(ty, "object") && json_is_object(j)) ||
		  (!strcmp(ty, "array") && json_is_array(j)) ||
		  (!strcmp(ty, "null") && json_is_null(j));
	if (ok && !strcmp(ty, "integer") && json_is_real(j)) {
		json_t *iv = json_integer((json_int_t)json_real_value(j));
		json_decref(j);
		return iv;
	}
	if (!ok) {
		json_decref(j);
		return NULL;
	}
	return j;
}

/* Type one parameter value. NULL (with *why set) when it fails its
 * schema type. */
static json_t *typed_value(const json_t *types, const char *v, size_t n,
			   const char **why)
{
	if (!types)
		return jstr(v, n); /* not in the schema: stays a string */
	bool has_string = false;
	size_t i;
	json_t *t;
	json_array_foreach(types, i,
			   t) if (!strcmp(json_string_value(t), "string"))
	    has_string = true;
	/* "null" is None for any non-string parameter (as vLLM does). */
	if (n == 4 && !memcmp(v, "null", 4) && !has_string)
		return json_null();
	json_array_foreach(types, i, t)
	{
		const char *ty = json_string_value(t);
		if (!strcmp(ty, "string"))
			continue; /* the fallback, after the stricter types */
		json_t *j = as_type(ty, v, n);
		if (j)
			return j;
	}
	if (has_string)
		return jstr(v, n);
	*why = json_string_value(json_array_get(types, 0));
	return NULL;
}

/* One <invoke ...>BODY</invoke>; `name` already read. */
static void parse_invoke(m2_parser *p, const char *name, size_t nlen,
			 const char *s, const char *end)
{
	char *fname = jolt_xstrndup(name, nlen);
	json_t *args = json_object();
	const char *problem = NULL;
	char *ex = NULL;
	if (nlen == 0 || memchr(name, '\0', nlen)) {
		problem = "the invoke has no tool name";
		goto done;
	}
	for (;;) {
		while (s < end && isspace((unsigned char)*s))
			s++;
		if (s >= end)
			break;
		if (!starts(s, (size_t)(end - s), "<parameter")) {
			const char *nl = memchr(s, '\n', (size_t)(end - s));
			ex = excerpt(s, (size_t)((nl ? nl : end) - s));
			problem = "stray text in the invoke";
			goto done;
		}
		const char *pn;
		size_t pnl;
		const char *v = tag_name(s + 10, end, &pn, &pnl);
		if (!v || pnl == 0) {
			ex = excerpt(s, (size_t)(end - s));
			problem = "a <parameter> tag without a name";
			goto done;
		}
		const char *close = find(v, (size_t)(end - v), "</parameter>");
		const char *next = find(v, (size_t)(end - v), "<parameter");
		if (!close || (next && next < close)) {
			ex = jolt_xstrndup(pn, pnl > 60 ? 60 : pnl);
			problem = "unclosed <parameter> (no </parameter>)";
			goto done;
		}
		size_t vn = (size_t)(close - v);
		/* One leading and one trailing newline belong to the layout. */
		if (vn && v[0] == '\n') {
			v++;
			vn--;
		}
		if (vn && v[vn - 1] == '\n')
			vn--;
		char *key = jolt_xstrndup(pn, pnl);
		json_t *types = schema_types(p->tools, fname, key);
		const char *why = NULL;
		json_t *val = typed_value(types, v, vn, &why);
		json_decref(types);
		if (!val) {
			char *vx = excerpt(v, vn);
			ex = jolt_xasprintf(
			    "parameter \"%s\" should be %s, got \"%s\"", key,
			    why, vx);
			free(vx);
			free(key);
			problem = "a value does not fit its type";
			goto done;
		}
		json_t *kj = jstr(key, strlen(key));
		json_object_set_new(args, json_string_value(kj), val);
		json_decref(kj);
		free(key);
		s = close + 12;
	}
done:
	if (problem) {
		char *nx = excerpt(fname, strlen(fname));
		bad(p, "invoke \"%s\": %s%s%s", nx, problem, ex ? ": " : "",
		    ex ? ex : "");
		free(nx);
		json_decref(args);
	} else if (json_array_size(p->calls) >= M2_MAX_CALLS) {
		bad(p, "more than %d tool calls in one reply", M2_MAX_CALLS);
		json_decref(args);
	} else {
		json_t *call = json_object();
		char id[32];
		snprintf(id, sizeof(id), "call_%zu", json_array_size(p->calls));
		json_object_set_new(call, "id", json_string(id));
		json_object_set_new(call, "name", jstr(fname, nlen));
		json_object_set_new(call, "arguments", args);
		json_array_append_new(p->calls, call);
	}
	free(ex);
	free(fname);
}

/* The inside of one <minimax:tool_call> block. `closed` says whether the
 * block had its closing tag; invokes of an unclosed block are malformed. */
static void parse_block(m2_parser *p, const char *s, const char *end,
			bool closed)
{
	int invokes = 0;
	for (;;) {
		while (s < end && isspace((unsigned char)*s))
			s++;
		if (s >= end)
			break;
		if (!starts(s, (size_t)(end - s), "<invoke")) {
			const char *nl = memchr(s, '\n', (size_t)(end - s));
			char *ex = excerpt(s, (size_t)((nl ? nl : end) - s));
			bad(p, "stray text in the tool-call block: %s", ex);
			free(ex);
			invokes++;
			/* Resynchronise on the next invoke. */
			const char *nx =
			    find(s + 1, (size_t)(end - s - 1), "<invoke");
			if (!nx)
				break;
			s = nx;
			continue;
		}
		invokes++;
		const char *name = NULL;
		size_t nlen = 0;
		const char *body = tag_name(s + 7, end, &name, &nlen);
		const char *next =
		    find(s + 7, (size_t)(end - s - 7), "<invoke");
		if (!body) {
			bad(p, "an <invoke> tag without a well-formed "
			       "name=\"...\"");
		} else {
			const char *close =
			    find(body, (size_t)(end - body), "</invoke>");
			if (!close || (next && next < close)) {
				char *nx = excerpt(name, nlen);
				bad(p,
				    "invoke \"%s\": unclosed <invoke> (no "
				    "</invoke>)",
				    nx);
				free(nx);
			} else if (!closed) {
				char *nx = excerpt(name, nlen);
				bad(p,
				    "invoke \"%s\": unclosed "
				    "<minimax:tool_call> "
				    "(no </minimax:tool_call>)",
				    nx);
				free(nx);
				s = close + 9;
				continue;
			} else {
				parse_invoke(p, name, nlen, body, close);
				s = close + 9;
				continue;
			}
		}
		if (!next)
			break;
		s = next;
	}
	if (invokes == 0)
		bad(p, closed
			   ? "a <minimax:tool_call> block with no <invoke>"
			   : "unclosed <minimax:tool_call> with no <invoke>");
}

int jolt_m2_parse(json_t **out, int *malformed, char **detail, const char *text,
		  size_t len, const json_t *tools)
{
	*out = NULL;
	*malformed = 0;
	*detail = NULL;
	if (len > JOLT_BODY_CAP)
		return jolt_err_set(JOLT_ETOOBIG,
				    "m2 parse: the completion is over %d bytes",
				    JOLT_BODY_CAP);
	if (!text)
		text = "";
	size_t n = len;
	const char *eos = find(text, n, JOLT_M2_EOS);
	if (eos)
		n = (size_t)(eos - text);

	json_t *msg = json_object();
	json_object_set_new(msg, "role", json_string("assistant"));
	const char *rest = text;
	size_t rn = n;
	const char *end = find(text, n, "</think>");
	if (end) {
		const char *r = text;
		size_t k = (size_t)(end - text);
		strip_nl(&r, &k);
		/* Some servers hand back the opening tag too. */
		if (starts(r, k, "<think>")) {
			r += 7;
			k -= 7;
			strip_nl(&r, &k);
		}
		if (k)
			json_object_set_new(msg, "thinking", jstr(r, k));
		rest = end + 8;
		rn = n - (size_t)(rest - text);
	}

	const char *blk = find(rest, rn, M2_CALL_OPEN);
	const char *c = rest;
	size_t cn = blk ? (size_t)(blk - rest) : rn;
	strip_nl(&c, &cn);
	json_object_set_new(msg, "content", jstr(c, cn));

	m2_parser p = {.tools = tools, .calls = json_array()};
	jolt_buf_init(&p.detail, M2_DETAIL_CAP);
	const char *lim = rest + rn;
	while (blk) {
		const char *body = blk + strlen(M2_CALL_OPEN);
		const char *close =
		    find(body, (size_t)(lim - body), M2_CALL_CLOSE);
		const char *next =
		    find(body, (size_t)(lim - body), M2_CALL_OPEN);
		if (close && (!next || close < next)) {
			parse_block(&p, body, close, true);
			const char *after = close + strlen(M2_CALL_CLOSE);
			blk = find(after, (size_t)(lim - after), M2_CALL_OPEN);
		} else {
			parse_block(&p, body, next ? next : lim, false);
			blk = next;
		}
	}
	if (json_array_size(p.calls))
		json_object_set_new(msg, "tool_calls", p.calls);
	else
		json_decref(p.calls);
	json_object_set_new(msg, "raw", jstr(text, len));
	json_object_set_new(msg, "raw_dialect", json_string("m2"));
	*malformed = p.malformed;
	if (p.malformed)
		*detail = jolt_buf_detach(&p.detail);
	jolt_buf_release(&p.detail);
	*out = msg;
	return 0;
}
