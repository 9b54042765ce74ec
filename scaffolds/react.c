/*
 * react.c - the `react` scaffold (Thought / Action / Action Input /
 * Observation), as ReAct-style agent frameworks prompt and parse it:
 *
 *   Thought: I need the config file.
 *   Action: read_file
 *   Action Input: {"path": "config/app.ini"}
 *
 * and the result comes back as "Observation: ...". The final reply is
 * "Final Answer: ...". One action per step.
 *
 * Tolerant where those frameworks are: case and spacing of the labels, a
 * code fence around the Action Input, text the model invents after it (a
 * hallucinated "Observation:" is cut off), a reply with neither label
 * taken as the final answer. Strict where they are: two actions in one
 * step, an Action without an Action Input, an Action Input that is not a
 * JSON object, an action together with a final answer, an unknown tool, a
 * missing required argument.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "core/common.h"
#include "scaffolds/scaffold.h"

static int react_frame(jolt_buf *out, const json_t *tools)
{
	jolt_buf_adds(out, "# Tools\n\nYou have access to the following tools:\n\n");
	size_t i;
	const json_t *t;
	json_array_foreach(tools, i, t) {
		const char *n = json_string_value(json_object_get(t, "name"));
		const char *d = json_string_value(json_object_get(t, "description"));
		char *p = json_dumps(json_object_get(t, "parameters"),
				     JSON_COMPACT | JSON_PRESERVE_ORDER);
		jolt_buf_addf(out, "%s: %s\n    parameters: %s\n", n ? n : "",
			      d ? d : "", p ? p : "{}");
		free(p);
	}
	return jolt_buf_adds(
		out,
		"\nUse the following format:\n\n"
		"Thought: think about what to do next\n"
		"Action: the tool to use, one of the tools above\n"
		"Action Input: the tool's arguments as a JSON object\n"
		"Observation: the result of the action\n"
		"... (Thought/Action/Action Input/Observation can repeat; one "
		"Action per reply, then wait for its Observation)\n"
		"Thought: I now know the final answer\n"
		"Final Answer: the final answer to the task");
}

static int react_write_call(jolt_buf *out, const json_t *call)
{
	const char *n = json_string_value(json_object_get(call, "name"));
	const json_t *a = json_object_get(call, "arguments");
	char *j = a ? json_dumps(a, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	int rc = jolt_buf_addf(out, "Action: %s\nAction Input: %s", n ? n : "",
			       j ? j : "{}");
	free(j);
	return rc;
}

static int react_write_result(jolt_buf *out, const char *name,
			      const char *content, bool is_error)
{
	return jolt_buf_addf(out, "Observation: %s%s", is_error ? "error: " : "",
			     content ? content : "");
}

/* The start of the first line (from p) that begins with `label` (case and
 * leading spaces ignored), NULL when none; *value points after the label
 * and its colon. */
static const char *label_line(const char *p, const char *end,
			      const char *label, const char **value)
{
	size_t n = strlen(label);
	while (p < end) {
		const char *line = p, *q = p;
		while (q < end && (*q == ' ' || *q == '\t' || *q == '*'))
			q++;
		if ((size_t)(end - q) > n && !strncasecmp(q, label, n)) {
			const char *r = q + n;
			while (r < end && (*r == ' ' || *r == '\t' || *r == '*'))
				r++;
			if (r < end && *r == ':') {
				r++;
				while (r < end && (*r == ' ' || *r == '\t' || *r == '*'))
					r++;
				*value = r;
				return line;
			}
		}
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		p = nl ? nl + 1 : end;
	}
	return NULL;
}

/* The rest of the line at p, trimmed (owned). */
static char *line_value(const char *p, const char *end)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	return jolt_scaffold_trim(p, (size_t)((nl ? nl : end) - p));
}

/* The JSON object of an Action Input at p: fences and trailing text
 * tolerated. NULL when there is none. */
static json_t *action_input(const char *p, const char *end)
{
	while (p < end && isspace((unsigned char)*p))
		p++;
	if (end - p >= 3 && !memcmp(p, "```", 3)) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		p = nl ? nl + 1 : end;
	}
	while (p < end && isspace((unsigned char)*p))
		p++;
	if (p >= end || *p != '{')
		return NULL;
	json_t *o = json_loadb(p, (size_t)(end - p), JSON_DISABLE_EOF_CHECK, NULL);
	if (o && !json_is_object(o)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static int react_parse(jolt_scaffold_parse *out, const char *text, size_t len,
		       const json_t *tools)
{
	memset(out, 0, sizeof(*out));
	out->calls = json_array();
	const char *end = text + len;
	/* anything from a hallucinated Observation on is not the model's */
	const char *v;
	const char *obs = label_line(text, end, "Observation", &v);
	if (obs)
		end = obs;
	const char *fin_v = NULL, *act_v = NULL, *in_v = NULL;
	const char *fin = label_line(text, end, "Final Answer", &fin_v);
	const char *act = label_line(text, end, "Action", &act_v);
	if (!act) {
		out->content = fin ? jolt_scaffold_trim(fin_v, (size_t)(end - fin_v))
				   : jolt_scaffold_trim(text, (size_t)(end - text));
		return 0;
	}
	out->content = jolt_scaffold_trim(text, (size_t)(act - text));
	if (fin) {
		jolt_scaffold_malformed(out, "Parsing LLM output produced both a "
					     "final answer and a parse-able "
					     "action: give one Action or a "
					     "Final Answer, not both");
		return 0;
	}
	const char *act_end = memchr(act_v, '\n', (size_t)(end - act_v));
	act_end = act_end ? act_end + 1 : end;
	const char *v2;
	if (label_line(act_end, end, "Action", &v2)) {
		jolt_scaffold_malformed(out, "Invalid Format: only one Action per "
					     "step; wait for its Observation");
		return 0;
	}
	char *name = line_value(act_v, end);
	const char *in = label_line(act_end, end, "Action Input", &in_v);
	if (!in) {
		jolt_scaffold_malformed(out, "Invalid Format: Missing 'Action "
					     "Input:' after 'Action:'");
		free(name);
		return 0;
	}
	json_t *args = action_input(in_v, end);
	jolt_scaffold_take(out, tools, name, args,
			   args ? NULL
				: jolt_xstrdup("the Action Input must be a JSON object"),
			   "Invalid Format", (size_t)jolt_hash_str(0, text));
	free(name);
	return 0;
}

const jolt_scaffold jolt_scaffold_react = {
	.name = "react",
	.description = "Thought / Action / Action Input / Observation, one action "
		       "per step",
	.flags = JOLT_SCAFFOLD_TEXT | JOLT_SCAFFOLD_ONE_CALL,
	.frame = react_frame,
	.write_call = react_write_call,
	.write_result = react_write_result,
	.parse = react_parse,
};
