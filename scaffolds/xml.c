/*
 * xml.c - the `xml` scaffold: tools described in the system prompt as JSON
 * Schema inside <tools>, calls written in the reply as XML invoke blocks
 * (the shape of M2's own template, without its special wrapper tokens, as
 * Cline-like agents write calls in plain text), results shown back in
 * <tool_result> blocks in a user turn.
 *
 *   <invoke name="read_file">
 *   <parameter name="path">src/a.py</parameter>
 *   </invoke>
 *
 * Tolerant where frameworks are: whitespace, quote style and attribute
 * order in the tags, one newline around a value, a <minimax:tool_call> or
 * <tool_call> wrapper. Strict where they are: an unclosed invoke or
 * parameter, an unknown tool, a missing required argument.
 */
#include <string.h>

#include "core/common.h"
#include "scaffolds/scaffold.h"

static int xml_frame(jolt_buf *out, const json_t *tools)
{
	jolt_buf_adds(out, "# Tools\n\nYou can use the tools below, given in "
			   "JSON Schema format:\n\n<tools>\n");
	size_t i;
	const json_t *t;
	json_array_foreach(tools, i, t) {
		char *j = json_dumps(t, JSON_COMPACT | JSON_PRESERVE_ORDER);
		jolt_buf_addf(out, "<tool>%s</tool>\n", j ? j : "{}");
		free(j);
	}
	return jolt_buf_adds(
		out,
		"</tools>\n\n"
		"To use a tool, write an invoke block in your reply. Write "
		"string values as they are and other values as JSON. Several "
		"blocks may follow each other:\n\n"
		"<invoke name=\"TOOL_NAME\">\n"
		"<parameter name=\"PARAMETER_NAME\">value</parameter>\n"
		"</invoke>\n\n"
		"Each result comes back in a <tool_result> block. When the task "
		"is done, reply with your final answer and no invoke block.");
}

static int xml_write_call(jolt_buf *out, const json_t *call)
{
	const char *name = json_string_value(json_object_get(call, "name"));
	jolt_buf_addf(out, "<invoke name=\"%s\">\n", name ? name : "");
	const char *k;
	const json_t *v;
	json_object_foreach((json_t *)json_object_get(call, "arguments"), k, v) {
		jolt_buf_addf(out, "<parameter name=\"%s\">", k);
		if (json_is_string(v)) {
			jolt_buf_adds(out, json_string_value(v));
		} else {
			char *j = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY |
							JSON_PRESERVE_ORDER);
			jolt_buf_adds(out, j ? j : "null");
			free(j);
		}
		jolt_buf_adds(out, "</parameter>\n");
	}
	return jolt_buf_adds(out, "</invoke>");
}

static int xml_write_result(jolt_buf *out, const char *name,
			    const char *content, bool is_error)
{
	return jolt_buf_addf(out, "<tool_result name=\"%s\"%s>\n%s\n</tool_result>",
			     name ? name : "", is_error ? " error=\"true\"" : "",
			     content ? content : "");
}

/* The value of attribute `attr` in the tag text [p, end): quoted with " or
 * ', or bare up to whitespace. NULL when absent. */
static char *attr_value(const char *p, const char *end, const char *attr)
{
	size_t alen = strlen(attr);
	for (const char *q = p; q + alen < end; q++) {
		if (strncmp(q, attr, alen) || (q > p && !strchr(" \t\r\n<", q[-1])))
			continue;
		const char *r = q + alen;
		while (r < end && strchr(" \t", *r))
			r++;
		if (r >= end || *r != '=')
			continue;
		r++;
		while (r < end && strchr(" \t", *r))
			r++;
		if (r < end && (*r == '"' || *r == '\'')) {
			const char *c = memchr(r + 1, *r, (size_t)(end - r - 1));
			return c ? jolt_xstrndup(r + 1, (size_t)(c - r - 1)) : NULL;
		}
		const char *s = r;
		while (r < end && !strchr(" \t\r\n/>", *r))
			r++;
		return r > s ? jolt_xstrndup(s, (size_t)(r - s)) : NULL;
	}
	return NULL;
}

/* First occurrence of `needle` in [p, end), NULL when none. */
static const char *find(const char *p, const char *end, const char *needle)
{
	return memmem(p, (size_t)(end - p), needle, strlen(needle));
}

/* Parse the parameters of one invoke body [p, end) into *args. Returns a
 * message (owned) when malformed. */
static char *parse_params(json_t *args, const json_t *tool, const char *p,
			  const char *end)
{
	const char *q;
	while ((q = find(p, end, "<parameter")) != NULL) {
		const char *gt = memchr(q, '>', (size_t)(end - q));
		if (!gt)
			return jolt_xstrdup("unclosed <parameter> tag");
		char *key = attr_value(q + 10, gt, "name");
		if (!key)
			return jolt_xstrdup("a <parameter> without a name");
		const char *vs = gt + 1;
		const char *ve = find(vs, end, "</parameter>");
		if (!ve) {
			char *m = jolt_xasprintf("parameter '%s' is not closed "
						 "with </parameter>", key);
			free(key);
			return m;
		}
		p = ve + 12;
		if (vs < ve && *vs == '\n')
			vs++;
		if (ve > vs && ve[-1] == '\n')
			ve--;
		json_t *v = jolt_scaffold_typed(tool, key, vs, (size_t)(ve - vs));
		if (!v) {
			char *m = jolt_xasprintf("parameter '%s' is not text", key);
			free(key);
			return m;
		}
		json_object_set_new(args, key, v);
		free(key);
	}
	return NULL;
}

/* Drop the optional wrapper tags from the content. */
static void drop_wrappers(jolt_buf *content)
{
	static const char *const tags[] = {"<minimax:tool_call>",
					   "</minimax:tool_call>", "<tool_call>",
					   "</tool_call>"};
	for (size_t i = 0; i < JOLT_ARRAY_LEN(tags); i++) {
		char *s;
		size_t n = strlen(tags[i]);
		while ((s = strstr(content->s, tags[i])) != NULL) {
			memmove(s, s + n, strlen(s + n) + 1);
			content->len -= n;
		}
	}
}

static int xml_parse(jolt_scaffold_parse *out, const char *text, size_t len,
		     const json_t *tools)
{
	memset(out, 0, sizeof(*out));
	out->calls = json_array();
	jolt_buf content;
	jolt_buf_init(&content, 0);
	const char *p = text, *end = text + len;
	size_t turn = (size_t)jolt_hash_str(0, text);
	const char *q;
	while ((q = find(p, end, "<invoke")) != NULL) {
		jolt_buf_add(&content, p, (size_t)(q - p));
		const char *gt = memchr(q, '>', (size_t)(end - q));
		const char *close = gt ? find(gt, end, "</invoke>") : NULL;
		if (!gt || !close) {
			jolt_scaffold_malformed(
				out, "error: the tool call is not closed: write "
				     "<invoke name=\"TOOL_NAME\"> ... </invoke>");
			p = end;
			break;
		}
		p = close + 9;
		char *name = attr_value(q + 7, gt, "name");
		json_t *args = json_object();
		const json_t *tool = jolt_scaffold_tool(tools, name);
		char *bad = parse_params(args, tool, gt + 1, close);
		jolt_scaffold_take(out, tools, name, args, bad,
				   "error: invalid tool call", turn);
		free(name);
	}
	if (p < end)
		jolt_buf_add(&content, p, (size_t)(end - p));
	drop_wrappers(&content);
	out->content = jolt_scaffold_trim(jolt_buf_cstr(&content), content.len);
	jolt_buf_release(&content);
	return 0;
}

const jolt_scaffold jolt_scaffold_xml = {
	.name = "xml",
	.description = "tools in the system prompt, calls as XML invoke blocks in "
		       "the text (M2 and Cline style)",
	.flags = JOLT_SCAFFOLD_TEXT,
	.frame = xml_frame,
	.write_call = xml_write_call,
	.write_result = xml_write_result,
	.parse = xml_parse,
};
