/*
 * tool.c - tool-info axis operators: how the toolset is named, described,
 * ordered and shaped (DESIGN.md, "The five perturbation axes"; RoTBench
 * and RobustBench-TC in PERTURBATION-LITERATURE.md).
 *
 * Renames record {SHOWN: {"tool": ORIGINAL, "params": {SHOWN_P:
 * ORIGINAL_P}}} in v->tool_map and rewrite the oracle's calls to the shown
 * names; graders keep the original names because the driver records calls
 * after translating them back. A thrown model keeps calling the old names.
 */
#include "perturb/perturb.h"

#include <ctype.h>

#include "core/buf.h"
#include "core/common.h"

/* Shown names are short identifiers; the cap keeps random names sane. */
#define NAME_CAP 64

/* ---- shared helpers ---------------------------------------------------- */

static json_t *give_up_step(void)
{
	return json_pack("{s:s}", "answer", JOLT_GIVE_UP);
}

/* The first {call: {...}} of the oracle, or NULL. Borrowed. */
static json_t *first_call(const json_t *oracle)
{
	size_t i;
	json_t *step;
	json_array_foreach(oracle, i, step)
	{
		json_t *call = json_object_get(step, "call");
		if (call)
			return call;
	}
	return NULL;
}

/* Mistake of a model that still uses the baseline's names: the first
 * baseline call as written, which the variant no longer accepts, then it
 * gives up. */
static void mistake_old_call(jolt_variant *v, const json_t *base_oracle)
{
	json_t *steps = json_array();
	json_t *call = first_call(base_oracle);
	if (call)
		json_array_append_new(
			steps, json_pack("{s:O}", "call", call));
	json_array_append_new(steps, give_up_step());
	jolt_variant_mistake(v, 0, steps);
}

static json_t *find_tool(json_t *tools, const char *name)
{
	size_t i;
	json_t *t;
	json_array_foreach(tools, i, t)
	{
		if (!strcmp(json_string_value(json_object_get(t, "name")),
			    name))
			return t;
	}
	return NULL;
}

/* Is `name` the name of any shown tool, or of any original tool of the
 * task (so a new name never reuses an old one)? */
static bool name_taken(const jolt_variant *v, const char *name)
{
	return find_tool(v->tools, name) ||
	       jolt_task_tool(v->suite, v->task, name);
}

/* ---- name styles ------------------------------------------------------- */

enum style { ST_CAMEL, ST_KEBAB, ST_PASCAL, ST_SYNONYM, ST_EDIT, ST_RANDOM };

static const struct {
	const char *from, *to;
} synonyms[] = {
	/* tools */
	{"read_file", "load_file"},       {"write_file", "save_file"},
	{"list_dir", "list_directory"},   {"grep", "search_files"},
	{"run_tests", "execute_tests"},   {"get_price", "fetch_price"},
	{"get_company", "lookup_company"}, {"search", "find_documents"},
	{"open", "read_document"},        {"submit", "finish"},
	/* parameters */
	{"path", "file_path"},   {"content", "text"},
	{"pattern", "regex"},    {"project", "project_name"},
	{"ticker", "symbol"},    {"date", "day"},
	{"query", "keywords"},   {"id", "doc_id"},
	{"answer", "final_answer"},
};

static void random_letters(jolt_buf *b, const jolt_op_ctx *c,
			   const char *what, uint64_t i)
{
	size_t n = 5 + (size_t)(jolt_op_rand(c, what, i * 64) * 6);
	for (size_t k = 0; k < n; k++)
		jolt_buf_addc(b, (char)('a' + (int)(jolt_op_rand(c, what,
								 i * 64 + 1 + k) *
						   26)));
}

/* RoTBench "slight": k = max(1, ceil(len/3) - 1) random single-letter
 * insertions, deletions or substitutions. */
static void letter_edits(jolt_buf *b, const char *name, const jolt_op_ctx *c,
			 const char *what, uint64_t i)
{
	char s[NAME_CAP + 16];
	snprintf(s, sizeof(s), "%s", name);
	size_t len = strlen(s);
	size_t k = (len + 2) / 3;
	k = k > 1 ? k - 1 : 1;
	for (size_t e = 0; e < k; e++) {
		double r = jolt_op_rand(c, what, i * 64 + 3 * e);
		size_t pos = (size_t)(jolt_op_rand(c, what, i * 64 + 3 * e + 1) *
				      (double)len);
		char letter = (char)('a' + (int)(jolt_op_rand(c, what,
							     i * 64 + 3 * e +
								     2) *
						 26));
		if (r < 1.0 / 3 && len + 1 < sizeof(s)) {
			memmove(s + pos + 1, s + pos, len - pos + 1);
			s[pos] = letter;
			len++;
		} else if (r < 2.0 / 3 && len > 2) {
			memmove(s + pos, s + pos + 1, len - pos);
			len--;
		} else if (pos < len) {
			s[pos] = s[pos] == letter ? (char)('a' + (letter - 'a' + 1) % 26)
						  : letter;
		}
	}
	jolt_buf_adds(b, s);
}

/* The name `name` in `style`; attempt > 0 asks for another choice after a
 * collision. Caller frees. */
static char *restyle(const char *name, enum style st, const jolt_op_ctx *c,
		     const char *what, uint64_t i, int attempt)
{
	jolt_buf b = JOLT_BUF_INIT;
	jolt_buf_init(&b, 0);
	switch (st) {
	case ST_CAMEL:
	case ST_PASCAL: {
		bool up = st == ST_PASCAL;
		for (const char *p = name; *p; p++) {
			if (*p == '_' || *p == '-') {
				up = true;
				continue;
			}
			jolt_buf_addc(&b, up ? (char)toupper((unsigned char)*p)
					     : *p);
			up = false;
		}
		break;
	}
	case ST_KEBAB:
		for (const char *p = name; *p; p++)
			jolt_buf_addc(&b, *p == '_' ? '-' : *p);
		break;
	case ST_SYNONYM: {
		const char *to = NULL;
		for (size_t k = 0; k < JOLT_ARRAY_LEN(synonyms); k++)
			if (!strcmp(synonyms[k].from, name))
				to = synonyms[k].to;
		if (to)
			jolt_buf_adds(&b, to);
		else
			jolt_buf_addf(&b, "%s_value", name);
		break;
	}
	case ST_EDIT:
		letter_edits(&b, name, c, what, i + (uint64_t)attempt * 1000);
		break;
	case ST_RANDOM:
		random_letters(&b, c, what, i + (uint64_t)attempt * 1000);
		break;
	}
	/* Deterministic styles resolve collisions with a suffix. */
	if (attempt > 0 && st != ST_EDIT && st != ST_RANDOM)
		jolt_buf_addf(&b, "_%d", attempt + 1);
	return jolt_buf_detach(&b);
}

static const char *style_name(enum style st)
{
	static const char *const n[] = {"camelCase", "kebab-case", "PascalCase",
					"synonyms", "letter edits",
					"random strings"};
	return n[st];
}

/* ---- renaming tools and parameters -------------------------------------- */

/* Rewrite the oracle's calls: tool names via `tnames` {ORIG: SHOWN} and
 * argument names via `pnames` {ORIG_TOOL: {ORIG_P: SHOWN_P}}. */
static void map_oracle(jolt_variant *v, const json_t *tnames,
		       const json_t *pnames)
{
	size_t i;
	json_t *step;
	json_array_foreach(v->oracle, i, step)
	{
		json_t *call = json_object_get(step, "call");
		if (!call)
			continue;
		const char *orig =
			json_string_value(json_object_get(call, "name"));
		if (!orig)
			continue;
		json_t *pm = json_object_get(pnames, orig);
		json_t *args = json_object_get(call, "args");
		if (pm && json_is_object(args)) {
			json_t *na = json_object();
			const char *k;
			json_t *val;
			json_object_foreach(args, k, val)
			{
				json_t *sp = json_object_get(pm, k);
				json_object_set(na, sp ? json_string_value(sp)
						       : k,
						val);
			}
			json_object_set_new(call, "args", na);
		}
		json_t *shown = json_object_get(tnames, orig);
		if (shown)
			json_object_set(call, "name", shown);
	}
}

/* Rename every shown tool in style `st`. */
static int rename_tools(jolt_variant *v, const jolt_op_ctx *c, enum style st)
{
	json_t *base_oracle = json_deep_copy(v->oracle);
	json_t *tnames = json_object();
	jolt_buf sum = JOLT_BUF_INIT;
	jolt_buf_init(&sum, 0);
	jolt_buf_addf(&sum, "renamed tools (%s):", style_name(st));
	size_t i;
	json_t *t;
	int changed = 0;
	json_array_foreach(v->tools, i, t)
	{
		const char *orig = json_string_value(json_object_get(t, "name"));
		char *shown = NULL;
		for (int attempt = 0; attempt < 50; attempt++) {
			free(shown);
			shown = restyle(orig, st, c, "tool_rename.name", i,
					attempt);
			if (strcmp(shown, orig) && !name_taken(v, shown) &&
			    !json_object_get(v->tool_map, shown))
				break;
			if (!strcmp(shown, orig) && st != ST_EDIT &&
			    st != ST_RANDOM) {
				/* This style leaves the name as it is. */
				free(shown);
				shown = NULL;
				break;
			}
		}
		if (!shown)
			continue;
		json_object_set_new(tnames, orig, json_string(shown));
		json_object_set_new(v->tool_map, shown,
				    json_pack("{s:s, s:{}}", "tool", orig,
					      "params"));
		jolt_buf_addf(&sum, "%s %s->%s", changed ? "," : "", orig,
			      shown);
		changed++;
		free(shown);
	}
	int rc = 0;
	if (!changed) {
		rc = jolt_err_set(JOLT_ENOTFOUND,
				  "no tool of task %s changes under %s",
				  c->task->id, style_name(st));
		goto done;
	}
	json_array_foreach(v->tools, i, t)
	{
		json_t *shown = json_object_get(
			tnames, json_string_value(json_object_get(t, "name")));
		if (shown)
			json_object_set(t, "name", shown);
	}
	map_oracle(v, tnames, NULL);
	mistake_old_call(v, base_oracle);
	jolt_variant_summary(v, "%s", jolt_buf_cstr(&sum));
done:
	jolt_buf_release(&sum);
	json_decref(tnames);
	json_decref(base_oracle);
	return rc;
}

static int tool_rename_apply(jolt_variant *v, const jolt_op_ctx *c)
{
	static const enum style by_level[] = {ST_SYNONYM, ST_EDIT, ST_RANDOM};
	return rename_tools(v, c, by_level[c->level - 1]);
}

static int tool_case_apply(jolt_variant *v, const jolt_op_ctx *c)
{
	static const enum style by_level[] = {ST_CAMEL, ST_KEBAB, ST_PASCAL};
	return rename_tools(v, c, by_level[c->level - 1]);
}

/* Rename every parameter of every shown tool in a style chosen by level. */
static int param_rename_apply(jolt_variant *v, const jolt_op_ctx *c)
{
	static const enum style by_level[] = {ST_SYNONYM, ST_PASCAL, ST_RANDOM};
	enum style st = by_level[c->level - 1];
	json_t *base_oracle = json_deep_copy(v->oracle);
	json_t *pnames = json_object();
	jolt_buf sum = JOLT_BUF_INIT;
	jolt_buf_init(&sum, 0);
	jolt_buf_addf(&sum, "renamed parameters (%s):", style_name(st));
	int changed = 0, rc = 0;
	size_t i;
	json_t *t;
	json_array_foreach(v->tools, i, t)
	{
		const char *tname = json_string_value(json_object_get(t, "name"));
		json_t *params = json_object_get(t, "parameters");
		json_t *props = json_object_get(params, "properties");
		if (!json_is_object(props) || !json_object_size(props))
			continue;
		json_t *map = json_object();  /* ORIG_P -> SHOWN_P */
		json_t *back = json_object(); /* SHOWN_P -> ORIG_P */
		json_t *nprops = json_object();
		const char *p;
		json_t *schema;
		size_t pi = 0;
		json_object_foreach(props, p, schema)
		{
			char *shown = NULL;
			for (int attempt = 0; attempt < 50; attempt++) {
				free(shown);
				shown = restyle(p, st, c, "param_rename.name",
						i * 100 + pi, attempt);
				if (strcmp(shown, p) &&
				    !json_object_get(props, shown) &&
				    !json_object_get(back, shown))
					break;
				if (!strcmp(shown, p) && st != ST_RANDOM) {
					free(shown);
					shown = jolt_xstrdup(p);
					break;
				}
			}
			json_object_set(nprops, shown, schema);
			if (strcmp(shown, p)) {
				json_object_set_new(map, p, json_string(shown));
				json_object_set_new(back, shown, json_string(p));
				jolt_buf_addf(&sum, "%s %s.%s->%s",
					      changed ? "," : "", tname, p,
					      shown);
				changed++;
			}
			free(shown);
			pi++;
		}
		if (json_object_size(map)) {
			json_object_set(params, "properties", nprops);
			json_t *req = json_object_get(params, "required");
			size_t ri;
			json_t *r;
			json_array_foreach(req, ri, r)
			{
				json_t *s = json_object_get(
					map, json_string_value(r));
				if (s)
					json_array_set(req, ri, s);
			}
			json_object_set(pnames, tname, map);
			json_object_set_new(v->tool_map, tname,
					    json_pack("{s:s, s:O}", "tool",
						      tname, "params", back));
		}
		json_decref(nprops);
		json_decref(map);
		json_decref(back);
	}
	if (!changed) {
		rc = jolt_err_set(JOLT_ENOTFOUND,
				  "no parameter of task %s changes under %s",
				  c->task->id, style_name(st));
		goto done;
	}
	map_oracle(v, NULL, pnames);
	mistake_old_call(v, base_oracle);
	jolt_variant_summary(v, "%s", jolt_buf_cstr(&sum));
done:
	jolt_buf_release(&sum);
	json_decref(pnames);
	json_decref(base_oracle);
	return rc;
}

/* ---- descriptions -------------------------------------------------------- */

/* Length of the first sentence of s (through its '.'), or of the first
 * clause when `clause` (cut before ',', ';', ':', '(' or " and "). */
static size_t cut_len(const char *s, bool clause)
{
	for (size_t i = 0; s[i]; i++) {
		if (s[i] == '.' && (s[i + 1] == ' ' || s[i + 1] == '\n' ||
				    !s[i + 1]))
			return clause ? i : i + 1;
		if (clause && (s[i] == ',' || s[i] == ';' || s[i] == ':' ||
			       s[i] == '(' || !strncmp(s + i, " and ", 5)))
			return i;
	}
	return strlen(s);
}

static json_t *shortened(const char *s, int level)
{
	if (level >= 3)
		return json_string("");
	size_t n = cut_len(s, level == 2);
	while (n > 0 && s[n - 1] == ' ')
		n--;
	return json_stringn(s, n);
}

static int tool_desc_apply(jolt_variant *v, const jolt_op_ctx *c)
{
	json_t *before = json_deep_copy(v->tools);
	size_t i;
	json_t *t;
	json_array_foreach(v->tools, i, t)
	{
		const char *d =
			json_string_value(json_object_get(t, "description"));
		json_object_set_new(t, "description",
				    shortened(d ? d : "", c->level));
		if (c->level < 2)
			continue;
		json_t *props = json_object_get(
			json_object_get(t, "parameters"), "properties");
		const char *p;
		json_t *schema;
		json_object_foreach(props, p, schema)
		{
			const char *pd = json_string_value(
				json_object_get(schema, "description"));
			if (!pd)
				continue;
			if (c->level >= 3)
				json_object_del(schema, "description");
			else
				json_object_set_new(schema, "description",
						    shortened(pd, 2));
		}
	}
	bool same = json_equal(before, v->tools);
	json_decref(before);
	if (same)
		return jolt_err_set(JOLT_ENOTFOUND,
				    "no description of task %s changes",
				    c->task->id);
	static const char *const what[] = {
		"tool descriptions cut to their first sentence",
		"tool and parameter descriptions cut to their first clause",
		"tool and parameter descriptions removed",
	};
	jolt_variant_summary(v, "%s", what[c->level - 1]);
	return 0;
}

/* ---- order --------------------------------------------------------------- */

static int tool_reorder_apply(jolt_variant *v, const jolt_op_ctx *c)
{
	size_t n = json_array_size(v->tools);
	if (n < 2)
		return jolt_err_set(JOLT_ENOTFOUND, "task %s shows one tool",
				    c->task->id);
	size_t *perm = jolt_xcalloc(n, sizeof(*perm));
	for (size_t i = 0; i < n; i++)
		perm[i] = i;
	if (c->level == 1) {
		/* The first tool the oracle needs moves to the end. */
		json_t *call = first_call(v->oracle);
		const char *name =
			call ? json_string_value(json_object_get(call, "name"))
			     : NULL;
		size_t at = 0;
		for (size_t i = 0; name && i < n; i++)
			if (!strcmp(json_string_value(json_object_get(
					    json_array_get(v->tools, i), "name")),
				    name))
				at = i;
		if (at == n - 1)
			at = 0;
		for (size_t i = at; i + 1 < n; i++)
			perm[i] = perm[i + 1];
		perm[n - 1] = at;
	} else if (c->level == 2) {
		for (size_t i = 0; i < n; i++)
			perm[i] = n - 1 - i;
	} else {
		jolt_op_shuffle(perm, n, c, "tool_reorder.swap", 0,
				JOLT_SHUFFLE_ROTATE);
	}
	json_t *nt = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append(nt, json_array_get(v->tools, perm[i]));
	json_decref(v->tools);
	v->tools = nt;
	free(perm);
	static const char *const what[] = {
		"the first tool the task needs moved to the end of the list",
		"tool list reversed",
		"tool list shuffled",
	};
	jolt_variant_summary(v, "%s", what[c->level - 1]);
	return 0;
}

/* ---- distractors --------------------------------------------------------- */

/* Distractor templates: a name pattern and a description that makes the
 * tool plausible but wrong for the task. %s is the real tool's name. */
static const struct {
	const char *name, *desc;
} distractors[] = {
	{"%s_legacy", "Legacy version of %s, kept for old integrations. "
		      "It reads from a frozen snapshot that is no longer updated."},
	{"%s_archive", "Like %s, but works on the archive from before 2020 "
		       "instead of the current data."},
	{"%s_v2", "New version of %s (beta): same inputs, results may be "
		  "incomplete while the migration runs."},
	{"%s_batch", "Batch form of %s for many inputs at once; queued, "
		     "results arrive by email within a day."},
};

static int tool_distractor_apply(jolt_variant *v, const jolt_op_ctx *c)
{
	/* The tools the oracle uses, in order of first use. */
	json_t *used = json_array();
	size_t i;
	json_t *step;
	json_array_foreach(v->oracle, i, step)
	{
		const char *n = json_string_value(json_object_get(
			json_object_get(step, "call"), "name"));
		if (!n)
			continue;
		bool seen = false;
		size_t k;
		json_t *u;
		json_array_foreach(used, k, u)
		{
			seen = seen || !strcmp(json_string_value(u), n);
		}
		if (!seen && find_tool(v->tools, n))
			json_array_append_new(used, json_string(n));
	}
	int rc = 0;
	jolt_buf sum = JOLT_BUF_INIT;
	jolt_buf_init(&sum, 0);
	if (!json_array_size(used)) {
		rc = jolt_err_set(JOLT_ENOTFOUND,
				  "the oracle of task %s calls no tool",
				  c->task->id);
		goto done;
	}
	/* Level 1: one distractor for the first tool; 2: one per tool used;
	 * 3: two per tool used. */
	size_t ntargets = c->level == 1 ? 1 : json_array_size(used);
	size_t per = c->level == 3 ? 2 : 1;
	char *first_distractor = NULL;
	jolt_buf_adds(&sum, "added distractor tools:");
	for (size_t k = 0; k < ntargets; k++) {
		const char *orig = json_string_value(json_array_get(used, k));
		for (size_t d = 0; d < per; d++) {
			size_t tpl = (size_t)(jolt_op_rand(c,
							   "tool_distractor.tpl",
							   k * 8 + d) *
					      JOLT_ARRAY_LEN(distractors));
			char *name = NULL;
			for (size_t a = 0; a < JOLT_ARRAY_LEN(distractors); a++) {
				free(name);
				name = jolt_xasprintf(
					distractors[(tpl + a) %
						    JOLT_ARRAY_LEN(distractors)]
						.name,
					orig);
				if (!name_taken(v, name)) {
					tpl = (tpl + a) %
					      JOLT_ARRAY_LEN(distractors);
					break;
				}
			}
			json_t *real = find_tool(v->tools, orig);
			json_t *dt = json_pack(
				"{s:s, s:s, s:O}", "name", name, "description",
				"", "parameters",
				json_object_get(real, "parameters"));
			char *desc = jolt_xasprintf(distractors[tpl].desc, orig);
			json_object_set_new(dt, "description", json_string(desc));
			free(desc);
			/* Right before or after the real tool. */
			size_t pos = 0;
			json_t *x;
			json_array_foreach(v->tools, pos, x)
			{
				if (x == real)
					break;
			}
			if (jolt_op_rand(c, "tool_distractor.pos", k * 8 + d) >= 0.5)
				pos++;
			json_array_insert_new(v->tools, pos, dt);
			json_object_set_new(v->tool_map, name,
					    json_pack("{s:b}", "distractor", 1));
			jolt_buf_addf(&sum, "%s %s (like %s)",
				      first_distractor ? "," : "", name, orig);
			if (!first_distractor)
				first_distractor = jolt_xstrdup(name);
			free(name);
		}
	}
	/* The thrown model calls the first distractor with the arguments the
	 * real tool needed; the driver answers it with an error. */
	json_t *call = first_call(v->oracle);
	json_t *steps = json_array();
	json_array_append_new(
		steps, json_pack("{s:{s:s, s:O}}", "call", "name",
				 first_distractor, "args",
				 json_object_get(call, "args")));
	json_array_append_new(steps, give_up_step());
	jolt_variant_mistake(v, 0, steps);
	free(first_distractor);
	jolt_variant_summary(v, "%s", jolt_buf_cstr(&sum));
done:
	jolt_buf_release(&sum);
	json_decref(used);
	return rc;
}

/* ---- schema style -------------------------------------------------------- */

static int param_schema_apply(jolt_variant *v, const jolt_op_ctx *c)
{
	size_t i;
	json_t *t;
	json_array_foreach(v->tools, i, t)
	{
		json_t *params = json_object_get(t, "parameters");
		json_t *props = json_object_get(params, "properties");
		if (!json_is_object(props))
			continue;
		if (c->level >= 2) {
			/* enum -> free string with the values in prose */
			const char *p;
			json_t *schema;
			json_object_foreach(props, p, schema)
			{
				json_t *en = json_object_get(schema, "enum");
				if (!json_is_array(en))
					continue;
				jolt_buf b = JOLT_BUF_INIT;
				jolt_buf_init(&b, 0);
				const char *d = json_string_value(
					json_object_get(schema, "description"));
				jolt_buf_addf(&b, "%s%sOne of:", d ? d : "",
					      d ? ". " : "");
				size_t k;
				json_t *e;
				json_array_foreach(en, k, e)
				{
					char *s = json_dumps(e, JSON_ENCODE_ANY);
					jolt_buf_addf(&b, "%s %s", k ? "," : "",
						      s ? s : "");
					free(s);
				}
				jolt_buf_addc(&b, '.');
				json_object_del(schema, "enum");
				json_object_set_new(schema, "description",
						    json_string(jolt_buf_cstr(&b)));
				jolt_buf_release(&b);
			}
		}
		if (c->level >= 3) {
			/* Types spelled out in every description. */
			const char *p;
			json_t *schema;
			json_object_foreach(props, p, schema)
			{
				const char *ty = json_string_value(
					json_object_get(schema, "type"));
				const char *d = json_string_value(
					json_object_get(schema, "description"));
				char *nd = jolt_xasprintf("(%s, %s) %s",
							  ty ? ty : "any", p,
							  d ? d : "");
				json_object_set_new(schema, "description",
						    json_string(nd));
				free(nd);
			}
		}
		/* Optional extras the task never needs. */
		if (!json_object_get(props, "verbose"))
			json_object_set_new(
				props, "verbose",
				json_pack("{s:s, s:s}", "type", "boolean",
					  "description",
					  "Optional. Include extra detail in the "
					  "result. Default false."));
		if (c->level >= 2 && !json_object_get(props, "timeout_ms"))
			json_object_set_new(
				props, "timeout_ms",
				json_pack("{s:s, s:s}", "type", "integer",
					  "description",
					  "Optional. Give up after this many "
					  "milliseconds. Default 30000."));
	}
	static const char *const what[] = {
		"an optional parameter added to every tool",
		"optional parameters added, enums turned into free strings",
		"optional parameters added, enums turned into free strings, "
		"types spelled out in descriptions",
	};
	jolt_variant_summary(v, "%s", what[c->level - 1]);
	return 0;
}

/* ---- directional: the needed tool is gone --------------------------------- */

static bool says_cannot(const char *s)
{
	static const char *const words[] = {"cannot", "can't", "unable",
					    "not able", "no tool",
					    "no available tool"};
	for (size_t i = 0; i < JOLT_ARRAY_LEN(words); i++)
		if (strcasestr(s, words[i]))
			return true;
	return false;
}

static int tool_removed_apply(jolt_variant *v, const jolt_op_ctx *c)
{
	json_t *call = first_call(v->oracle);
	if (!call)
		return jolt_err_set(JOLT_ENOTFOUND,
				    "the oracle of task %s calls no tool",
				    c->task->id);
	const char *removed = json_string_value(json_object_get(call, "name"));
	size_t i;
	json_t *t;
	size_t at = (size_t)-1;
	json_array_foreach(v->tools, i, t)
	{
		if (!strcmp(json_string_value(json_object_get(t, "name")),
			    removed))
			at = i;
	}
	if (at == (size_t)-1)
		return jolt_err_set(JOLT_ENOTFOUND,
				    "task %s does not show tool %s", c->task->id,
				    removed);
	char *name = jolt_xstrdup(removed);
	json_t *args = json_incref(json_object_get(call, "args"));
	const char *d = json_string_value(
		json_object_get(json_array_get(v->tools, at), "description"));
	size_t dn = d ? cut_len(d, false) : 0;
	while (dn > 0 && (d[dn - 1] == '.' || d[dn - 1] == ' '))
		dn--;
	char *need = jolt_xstrndup(d ? d : "", dn);
	if (need[0])
		need[0] = (char)tolower((unsigned char)need[0]);
	/* The baseline's last answer, for the thrown model to parrot. */
	const char *final = NULL;
	json_t *step;
	json_array_foreach(v->oracle, i, step)
	{
		const char *a = json_string_value(json_object_get(step, "answer"));
		if (a)
			final = a;
	}
	char *mistake_answer = jolt_xstrdup(
		final && !says_cannot(final) && !strchr(final, '?') ? final
								    : "Done.");
	json_array_remove(v->tools, at);

	char *ans = jolt_xasprintf("I cannot do this: no available tool "
				   "provides what is needed (%s).",
				   need[0] ? need : name);
	json_decref(v->oracle);
	v->oracle = json_pack("[{s:s}]", "answer", ans);
	json_decref(v->grade);
	v->grade = json_pack(
		"[{s:{s:[{s:s}]}}, {s:{s:s}}]", "calls", "must_not", "name",
		name, "answer", "regex",
		"(?i)(cannot|can't|unable|not able|no (available )?tool)");
	json_t *steps = json_pack("[{s:{s:s, s:O}}, {s:s}]", "call", "name",
				  name, "args", args ? args : json_null(),
				  "answer", mistake_answer);
	jolt_variant_mistake(v, 0, steps);
	jolt_variant_summary(v, "removed tool %s, which the task needs",
				      name);
	free(ans);
	free(mistake_answer);
	free(need);
	free(name);
	json_decref(args);
	return 0;
}

const jolt_op jolt_ops_tool[] = {
	{"tool_rename", JOLT_AXIS_tool,
	 "rename every tool: synonyms, letter edits, random strings", 3,
	 JOLT_OP_INVARIANT, NULL, tool_rename_apply},
	{"tool_case", JOLT_AXIS_tool,
	 "change tool names' case style: camelCase, kebab-case, PascalCase", 3,
	 JOLT_OP_INVARIANT, NULL, tool_case_apply},
	{"param_rename", JOLT_AXIS_tool,
	 "rename every parameter: synonyms, PascalCase, random strings", 3,
	 JOLT_OP_INVARIANT, NULL, param_rename_apply},
	{"tool_desc", JOLT_AXIS_tool,
	 "shorten descriptions: first sentence, first clause, none", 3,
	 JOLT_OP_INVARIANT, NULL, tool_desc_apply},
	{"tool_reorder", JOLT_AXIS_tool,
	 "reorder the tool list: needed tool last, reversed, shuffled", 3,
	 JOLT_OP_INVARIANT, NULL, tool_reorder_apply},
	{"tool_distractor", JOLT_AXIS_tool,
	 "add look-alike tools next to the needed ones (1, 1 each, 2 each)", 3,
	 JOLT_OP_INVARIANT, NULL, tool_distractor_apply},
	{"param_schema", JOLT_AXIS_tool,
	 "change schema style: extra optional params, enum to free string, "
	 "typed descriptions",
	 3, JOLT_OP_INVARIANT, NULL, param_schema_apply},
	{"tool_removed", JOLT_AXIS_tool,
	 "remove the tool the oracle calls first", 1, JOLT_OP_DIRECTIONAL,
	 "says the task cannot be done and calls no tool that is not offered",
	 tool_removed_apply},
	{NULL, 0, NULL, 0, 0, NULL, NULL},
};
