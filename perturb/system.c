/*
 * system.c - system-prompt axis operators: the framing the agent runs
 * under (persona, order, format, padding, date lines, examples, preamble).
 *
 * All are invariant: the task and its answer stay as they are, so the
 * oracle and graders are the baseline's and a thrown model gives up (the
 * baseline's mistake). Padding and examples are fixed text banks chosen
 * by jolt_op_rand, so a variant is reproducible from its name.
 */
#include "perturb/perturb.h"

#include <ctype.h>

#include "core/buf.h"
#include "core/common.h"

static void set_system(jolt_variant *v, char *s)
{
	free(v->system);
	v->system = s;
}

/* Split a prompt into sentences: a unit ends at a newline or after
 * '.', '!' or '?' followed by a space. Whitespace around units is dropped;
 * empty units are skipped. Returns an array of strings (caller decrefs). */
static json_t *sentences(const char *s)
{
	json_t *out = json_array();
	const char *p = s;
	while (*p) {
		while (*p == ' ' || *p == '\n' || *p == '\t')
			p++;
		if (!*p)
			break;
		const char *e = p;
		while (*e && *e != '\n' &&
		       !((*e == '.' || *e == '!' || *e == '?') &&
			 (e[1] == ' ' || e[1] == '\n' || !e[1])))
			e++;
		if (*e && *e != '\n')
			e++; /* keep the full stop */
		size_t n = (size_t)(e - p);
		while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (n)
			json_array_append_new(out, json_stringn(p, n));
		p = e;
	}
	return out;
}

static char *join(const json_t *parts, const char *sep)
{
	jolt_buf b = JOLT_BUF_INIT;
	jolt_buf_init(&b, 0);
	size_t i;
	json_t *x;
	json_array_foreach(parts, i, x)
	{
		jolt_buf_addf(&b, "%s%s", i ? sep : "", json_string_value(x));
	}
	return jolt_buf_detach(&b);
}

/* ---- persona ------------------------------------------------------------- */

static const char *const personas[3][3] = {
	{"You are a meticulous research assistant.",
	 "You are a friendly and precise helper.",
	 "You are an experienced software assistant."},
	{"You are Max, a senior operations engineer at a logistics company who "
	 "helps colleagues with their requests.",
	 "You are Iris, the support assistant of a small consultancy; you are "
	 "known for being thorough.",
	 "You are the on-call engineer of a data team, answering requests from "
	 "analysts."},
	{"You are Captain Reed, a cheerful sea captain who talks like a sailor "
	 "but does every job exactly right.",
	 "You are a Victorian-era butler who speaks formally and serves your "
	 "employer's every request with precision.",
	 "You are an enthusiastic game-show host who narrates everything, yet "
	 "gets every detail of the work right."},
};

static int sys_persona_apply(jolt_variant *v, const jolt_op_ctx *c)
{
	json_t *units = sentences(v->system);
	const char *persona =
		personas[c->level - 1][jolt_op_pick(c, "sys_persona.which", 0, 3)];
	const char *first = json_string_value(json_array_get(units, 0));
	if (first && !strncmp(first, "You are", 7))
		json_array_set_new(units, 0, json_string(persona));
	else
		json_array_insert_new(units, 0, json_string(persona));
	set_system(v, join(units, "\n"));
	json_decref(units);
	jolt_variant_summary(v, "persona: %s", persona);
	return 0;
}

/* ---- order --------------------------------------------------------------- */

static int sys_reorder_apply(jolt_variant *v, const jolt_op_ctx *c)
{
	json_t *units = sentences(v->system);
	size_t n = json_array_size(units);
	if (n < 2) {
		json_decref(units);
		return jolt_err_set(JOLT_ENOTFOUND,
				    "the system prompt of task %s has one "
				    "sentence",
				    c->task->id);
	}
	size_t *perm = jolt_xcalloc(n, sizeof(*perm));
	for (size_t i = 0; i < n; i++)
		perm[i] = i;
	if (c->level == 1) {
		size_t i = jolt_op_pick(c, "sys_reorder.swap", 0, n - 1);
		perm[i] = i + 1;
		perm[i + 1] = i;
	} else if (c->level == 2) {
		for (size_t i = 0; i < n; i++)
			perm[i] = n - 1 - i;
	} else {
		jolt_op_shuffle(perm, n, c, "sys_reorder.shuffle", 0,
				JOLT_SHUFFLE_ROTATE);
	}
	json_t *out = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append(out, json_array_get(units, perm[i]));
	set_system(v, join(out, "\n"));
	json_decref(out);
	json_decref(units);
	free(perm);
	static const char *const what[] = {"two adjacent sentences swapped",
					   "sentences reversed",
					   "sentences shuffled"};
	jolt_variant_summary(v, "%s", what[c->level - 1]);
	return 0;
}

/* ---- markdown vs plain ---------------------------------------------------- */

static bool is_markdown(const char *s)
{
	return s[0] == '#' || strstr(s, "\n#") || strstr(s, "\n- ") ||
	       !strncmp(s, "- ", 2) || strstr(s, "**");
}

/* Markdown to plain prose: drop heading marks, bullets and emphasis. */
static char *plain(const char *s)
{
	jolt_buf b = JOLT_BUF_INIT;
	jolt_buf_init(&b, 0);
	bool bol = true;
	for (const char *p = s; *p; p++) {
		if (bol) {
			while (*p == '#')
				p++;
			if ((*p == '-' || *p == '*') && p[1] == ' ')
				p++;
			while (*p == ' ')
				p++;
			if (!*p)
				break;
		}
		if (p[0] == '*' && p[1] == '*') {
			p++;
			bol = false;
			continue;
		}
		jolt_buf_addc(&b, *p);
		bol = *p == '\n';
	}
	return jolt_buf_detach(&b);
}

static int sys_format_apply(jolt_variant *v, const jolt_op_ctx *c)
{
	if (is_markdown(v->system)) {
		set_system(v, plain(v->system));
		jolt_variant_summary(v, "%s", "markdown turned into plain text");
		return 0;
	}
	json_t *units = sentences(v->system);
	jolt_buf b = JOLT_BUF_INIT;
	jolt_buf_init(&b, 0);
	size_t i;
	json_t *u;
	if (c->level == 2)
		jolt_buf_adds(&b, "# Instructions\n\n");
	json_array_foreach(units, i, u)
	{
		const char *s = json_string_value(u);
		if (c->level < 3) {
			jolt_buf_addf(&b, "- %s\n", s);
			continue;
		}
		if (i == 0) {
			jolt_buf_addf(&b, "## Role\n\n%s\n\n## Rules\n\n", s);
			continue;
		}
		/* Bold the first word of each rule. */
		size_t w = strcspn(s, " ");
		jolt_buf_addf(&b, "%zu. **%.*s**%s\n", i, (int)w, s, s + w);
	}
	set_system(v, jolt_buf_detach(&b));
	json_decref(units);
	static const char *const what[] = {"system prompt as a bullet list",
					   "system prompt as a headed list",
					   "system prompt in markdown sections"};
	jolt_variant_summary(v, "%s", what[c->level - 1]);
	return 0;
}

/* ---- padding ------------------------------------------------------------- */

static const char *const policies[] = {
	"Data retention: conversation logs are kept for thirty days and then "
	"deleted, unless a legal hold applies.",
	"Accessibility: when you produce documents for people, prefer clear "
	"headings and plain language.",
	"Travel policy: economy class is the default for flights under six "
	"hours; hotel bookings go through the approved agency.",
	"Brand voice: the company name is always written in full in external "
	"communication.",
	"Security: never paste passwords or access keys into chat messages, "
	"tickets or shared documents.",
	"Expenses: receipts must be submitted within sixty days of purchase "
	"through the expense portal.",
	"Office hours: the support desk is staffed on weekdays; urgent "
	"requests outside those hours go to the on-call rota.",
	"Procurement: software purchases above the team budget need approval "
	"from the finance partner.",
	"Inclusive language: avoid idioms that may not translate well for "
	"colleagues in other regions.",
	"Incident reviews are blameless; focus on what the system allowed, not "
	"on who made the change.",
	"Printing: double-sided printing is the default on every office "
	"printer to save paper.",
	"Meeting etiquette: share an agenda before any meeting longer than "
	"thirty minutes.",
};

static void add_policies(jolt_buf *b, const jolt_op_ctx *c, const char *what,
			 size_t n)
{
	size_t start = jolt_op_pick(c, what, 0, JOLT_ARRAY_LEN(policies));
	for (size_t k = 0; k < n; k++)
		jolt_buf_addf(b, "%s%s", k ? "\n" : "",
			      policies[(start + k) % JOLT_ARRAY_LEN(policies)]);
}

static int sys_padding_apply(jolt_variant *v, const jolt_op_ctx *c)
{
	static const size_t count[] = {1, 3, 8};
	size_t n = count[c->level - 1];
	bool before = jolt_op_rand(c, "sys_padding.where", 0) < 0.5;
	jolt_buf b = JOLT_BUF_INIT;
	jolt_buf_init(&b, 0);
	if (!before)
		jolt_buf_addf(&b, "%s\n\n", v->system);
	jolt_buf_adds(&b, "Company policies (for reference):\n");
	add_policies(&b, c, "sys_padding.start", n);
	if (before)
		jolt_buf_addf(&b, "\n\n%s", v->system);
	set_system(v, jolt_buf_detach(&b));
	jolt_variant_summary(v, "%zu irrelevant policy paragraph%s added "
				      "%s the prompt",
				      n, n == 1 ? "" : "s",
				      before ? "before" : "after");
	return 0;
}

/* ---- date and environment lines ------------------------------------------ */

static int sys_datetime_apply(jolt_variant *v, const jolt_op_ctx *c)
{
	static const char *const envs[] = {"Linux (x86_64), bash",
					   "macOS 14, zsh",
					   "Ubuntu 22.04 container, sh"};
	static const char *const zones[] = {"UTC", "America/New_York",
					    "Asia/Tokyo", "Europe/Berlin"};
	static const int mdays[] = {31, 28, 31, 30, 31, 30,
				    31, 31, 30, 31, 30, 31};
	int year = 2023 + (int)jolt_op_pick(c, "sys_datetime.year", 0, 3);
	int month = 1 + (int)jolt_op_pick(c, "sys_datetime.month", 0, 12);
	int day = 1 + (int)jolt_op_pick(c, "sys_datetime.day", 0,
				(size_t)mdays[month - 1]);
	jolt_buf b = JOLT_BUF_INIT;
	jolt_buf_init(&b, 0);
	jolt_buf_addf(&b, "%s\n\nCurrent date: %04d-%02d-%02d", v->system, year,
		      month, day);
	if (c->level >= 2)
		jolt_buf_addf(&b, "\nEnvironment: %s",
			      envs[jolt_op_pick(c, "sys_datetime.env", 0,
					JOLT_ARRAY_LEN(envs))]);
	if (c->level >= 3)
		jolt_buf_addf(&b,
			      "\nTime zone: %s\nKnowledge cutoff: %04d-%02d"
			      "\nSession id: %08llx",
			      zones[jolt_op_pick(c, "sys_datetime.tz", 0,
					 JOLT_ARRAY_LEN(zones))],
			      year - 1, month,
			      (unsigned long long)(jolt_op_rand(
							   c, "sys_datetime.id",
							   0) *
						   4294967296.0));
	set_system(v, jolt_buf_detach(&b));
	jolt_variant_summary(v, "date%s lines added (%04d-%02d-%02d)",
				      c->level >= 2 ? " and environment" : "",
				      year, month, day);
	return 0;
}

/* ---- examples ------------------------------------------------------------- */

static const char *const examples[] = {
	"User: How many lines does the changelog have?\n"
	"Assistant: (reads the file with a tool, counts the lines) The "
	"changelog has 42 lines.",
	"User: Which colour is the logo in the style guide?\n"
	"Assistant: (searches the style guide, reads the page) The logo is "
	"dark blue.",
	"User: Rename the draft to final.\n"
	"Assistant: (checks the file exists, writes the new file, removes the "
	"old one) Done: the draft is now called final.",
	"User: What is the capital of the region in the report?\n"
	"Assistant: (opens the report, finds the region, looks the capital up) "
	"The capital is Lindholm.",
};

static int sys_example_apply(jolt_variant *v, const jolt_op_ctx *c)
{
	size_t n = (size_t)c->level;
	size_t start = jolt_op_pick(c, "sys_example.start", 0, JOLT_ARRAY_LEN(examples));
	jolt_buf b = JOLT_BUF_INIT;
	jolt_buf_init(&b, 0);
	jolt_buf_addf(&b, "%s\n\n%s\n", v->system,
		      n == 1 ? "Example of how to work:"
			     : "Examples of how to work:");
	for (size_t k = 0; k < n; k++)
		jolt_buf_addf(&b, "\n%s\n",
			      examples[(start + k) % JOLT_ARRAY_LEN(examples)]);
	set_system(v, jolt_buf_detach(&b));
	jolt_variant_summary(v, "%zu worked example%s of an unrelated task "
				      "added",
				      n, n == 1 ? "" : "s");
	return 0;
}

/* ---- long preamble -------------------------------------------------------- */

static const char *const background[] = {
	"Our organisation was founded to make everyday work a little easier for "
	"the people who do it.",
	"Over the years the team has grown from a handful of volunteers to "
	"several departments across three offices.",
	"We value clear communication, careful work and honest reporting of "
	"mistakes.",
	"Most requests you will see come from colleagues in operations, "
	"finance, research and engineering.",
	"Some of them are experts in their field and some are new; treat both "
	"with the same respect.",
	"The tools you have access to were built in-house and are maintained by "
	"the platform group.",
	"Internal documentation is updated quarterly, so some pages may "
	"describe older processes.",
	"Questions about this assistant can be sent to the platform group's "
	"mailing list.",
	"The quarterly planning cycle starts in the first week of each quarter "
	"and ends with a review.",
	"Every department keeps its own glossary; terms may differ slightly "
	"between them.",
};

static int sys_preamble_apply(jolt_variant *v, const jolt_op_ctx *c)
{
	/* Roughly 100, 400 and 1500 words. */
	static const size_t sentences_by_level[] = {6, 24, 90};
	size_t n = sentences_by_level[c->level - 1];
	jolt_buf b = JOLT_BUF_INIT;
	jolt_buf_init(&b, 0);
	jolt_buf_adds(&b, "About us.\n");
	for (size_t k = 0; k < n; k++) {
		size_t s = jolt_op_pick(c, "sys_preamble.sentence", k,
				JOLT_ARRAY_LEN(background));
		jolt_buf_addf(&b, "%s%s", background[s],
			      (k + 1) % 6 == 0 ? "\n\n" : " ");
	}
	jolt_buf_addf(&b, "\n\n%s", v->system);
	set_system(v, jolt_buf_detach(&b));
	jolt_variant_summary(v, "%zu-sentence company preamble prepended",
				      n);
	return 0;
}

const jolt_op jolt_ops_system[] = {
	{"sys_persona", JOLT_AXIS_system,
	 "swap the persona: another assistant, a named role, a whimsical one", 3,
	 JOLT_OP_INVARIANT, NULL, sys_persona_apply},
	{"sys_reorder", JOLT_AXIS_system,
	 "reorder sentences: one swap, reversed, shuffled", 3,
	 JOLT_OP_INVARIANT, NULL, sys_reorder_apply},
	{"sys_format", JOLT_AXIS_system,
	 "markdown vs plain: bullets, heading and bullets, sections", 3,
	 JOLT_OP_INVARIANT, NULL, sys_format_apply},
	{"sys_padding", JOLT_AXIS_system,
	 "pad with irrelevant policy text: 1, 3, 8 paragraphs", 3,
	 JOLT_OP_INVARIANT, NULL, sys_padding_apply},
	{"sys_datetime", JOLT_AXIS_system,
	 "add date, environment, time zone and session lines", 3,
	 JOLT_OP_INVARIANT, NULL, sys_datetime_apply},
	{"sys_example", JOLT_AXIS_system,
	 "add 1, 2, 3 worked examples of unrelated tasks", 3,
	 JOLT_OP_INVARIANT, NULL, sys_example_apply},
	{"sys_preamble", JOLT_AXIS_system,
	 "prepend a long company preamble: ~100, ~400, ~1500 words", 3,
	 JOLT_OP_INVARIANT, NULL, sys_preamble_apply},
	{NULL, 0, NULL, 0, 0, NULL, NULL},
};
