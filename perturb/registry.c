/*
 * registry.c - the operator registry and the variant life cycle: the
 * baseline built from a task, a variant built by one operator on top of
 * it, names parsed back into variants, and the canonical dump and line
 * diff that golden tests, `--diff` and traces read (perturb.h).
 */
#include "perturb/perturb.h"

#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>

#include "core/buf.h"
#include "core/common.h"

/* Axis order is the registry order (perturb.h). */
static const jolt_op *const tables[JOLT_AXIS_COUNT] = {
	jolt_ops_tool, jolt_ops_system, jolt_ops_user, jolt_ops_env,
	jolt_ops_response,
};


/* A variant name is short; anything longer is not one of ours. */
#define NAME_MAX_LEN 1024
/* Line diffs are quadratic in lines; past this many lines a side, the
 * field is shown as a whole replacement instead. */
#define DIFF_MAX_LINES 4000

size_t jolt_op_count(void)
{
	size_t n = 0;
	for (int a = 0; a < JOLT_AXIS_COUNT; a++)
		for (const jolt_op *o = tables[a]; o->name; o++)
			n++;
	return n;
}

const jolt_op *jolt_op_at(size_t i)
{
	for (int a = 0; a < JOLT_AXIS_COUNT; a++)
		for (const jolt_op *o = tables[a]; o->name; o++)
			if (i-- == 0)
				return o;
	return NULL;
}

const jolt_op *jolt_op_find(const char *name)
{
	if (!name)
		return NULL;
	for (int a = 0; a < JOLT_AXIS_COUNT; a++)
		for (const jolt_op *o = tables[a]; o->name; o++)
			if (!strcmp(o->name, name))
				return o;
	return NULL;
}

/* Every input that identifies the decision goes into the hash, each
 * separated by its own mixing step so ("ab", "c") and ("a", "bc") differ.
 * Operators put their own name in `what` (e.g. "typo.letter"). */
double jolt_op_rand(const jolt_op_ctx *c, const char *what, uint64_t i)
{
	uint64_t h = jolt_hash_u64(0x6a6f6c74ULL /* "jolt" */, c->seed);
	h = jolt_hash_str(h, c->task ? c->task->id : "");
	h = jolt_hash_u64(h, (uint64_t)c->level);
	h = jolt_hash_str(h, what ? what : "");
	h = jolt_hash_u64(h, i);
	return jolt_hash_unit(h);
}

size_t jolt_op_pick(const jolt_op_ctx *c, const char *what, uint64_t i,
		    size_t n)
{
	size_t k = (size_t)(jolt_op_rand(c, what, i) * (double)n);
	return k < n ? k : n - 1;
}

void jolt_op_shuffle(size_t *out, size_t n, const jolt_op_ctx *c,
		     const char *what, uint64_t base,
		     enum jolt_shuffle_unmoved unmoved)
{
	for (size_t i = 0; i < n; i++)
		out[i] = i;
	for (size_t i = n; i > 1; i--) {
		size_t j = jolt_op_pick(c, what, base + i - 1, i);
		size_t t = out[i - 1];
		out[i - 1] = out[j];
		out[j] = t;
	}
	bool identity = true;
	for (size_t i = 0; i < n; i++)
		identity = identity && out[i] == i;
	if (identity && n > 1)
		for (size_t i = 0; i < n; i++)
			out[i] = unmoved == JOLT_SHUFFLE_ROTATE ? (i + 1) % n
							       : n - 1 - i;
}

/* ---- building ---------------------------------------------------------- */

static json_t *baseline_tools(const jolt_suite *s, const jolt_task *t)
{
	json_t *arr = json_array();
	/* Suite order, whatever order the task listed them in. */
	for (size_t i = 0; i < s->ntools; i++) {
		if (!jolt_task_sees(t, i))
			continue;
		const jolt_tool *tl = &s->tools[i];
		json_t *parameters = tl->parameters
					     ? json_deep_copy(tl->parameters)
					     : json_pack("{s:s, s:{}}", "type",
							 "object", "properties");
		json_array_append_new(
			arr, json_pack("{s:s, s:s, s:o}", "name", tl->name,
				       "description",
				       tl->description ? tl->description : "",
				       "parameters", parameters));
	}
	return arr;
}

static jolt_variant *baseline(const jolt_suite *s, const jolt_task *t)
{
	jolt_variant *v = jolt_xcalloc(1, sizeof(*v));
	v->name = jolt_xasprintf("%s/baseline", t->id);
	v->suite = s;
	v->task = t;
	const char *sys = t->system ? t->system
				    : (s->system ? s->system : JOLT_DEFAULT_SYSTEM);
	v->system = jolt_xstrdup(sys);
	v->user = json_pack("[s]", t->user ? t->user : "");
	v->tools = baseline_tools(s, t);
	v->tool_map = json_object();
	v->env_edits = json_array();
	v->env_vars = json_object();
	v->path_map = json_object();
	v->response = json_null();
	v->oracle = t->oracle ? json_deep_copy(t->oracle) : json_array();
	v->grade = t->grade ? json_deep_copy(t->grade) : json_array();
	jolt_variant_give_up(v);
	v->summary = jolt_xstrdup(JOLT_BASELINE);
	return v;
}

int jolt_variant_build(jolt_variant **out, const jolt_suite *s,
		       const jolt_task *t, const jolt_op *op, int level,
		       uint64_t seed)
{
	*out = NULL;
	if (!s || !t)
		return jolt_err_set(JOLT_EUSAGE, "variant: no suite or task");
	if (op && (level < 1 || level > op->max_level))
		return jolt_err_set(JOLT_EUSAGE,
				    "operator %s has levels 1..%d, not %d",
				    op->name, op->max_level, level);
	/* A task that shows no tools (a plain question) has nothing for the
	 * tool axis to change. */
	if (op && op->axis == JOLT_AXIS_tool && t->ntools == 0)
		return jolt_err_set(JOLT_ENOTFOUND,
				    "%s does not apply to task %s: it shows no tools",
				    op->name, t->id);
	jolt_variant *v = baseline(s, t);
	if (!op) {
		*out = v;
		return 0;
	}
	v->op = op;
	v->level = level;
	v->seed = seed;
	free(v->name);
	v->name = jolt_xasprintf("%s/%s.%s@%d#%" PRIu64, t->id,
				 jolt_axis_name(op->axis), op->name, level,
				 seed);
	jolt_op_ctx ctx = {.suite = s, .task = t, .level = level, .seed = seed};
	/* A test hook: JOLT_TEST_NOOP_OP=NAME makes operator NAME build its
	 * variants without changing anything, which is the operator bug
	 * `jolt check`'s visible-change test must catch (its oracle passes
	 * and its planted give-up fails, so nothing else would). */
	const char *noop = getenv("JOLT_TEST_NOOP_OP");
	int rc = noop && !strcmp(noop, op->name) ? 0 : op->apply(v, &ctx);
	if (rc) {
		jolt_variant_free(v);
		if (rc == JOLT_ENOTFOUND && !jolt_err_msg()[0])
			jolt_err_set(rc, "%s does not apply to task %s",
				     op->name, t->id);
		return rc;
	}
	*out = v;
	return 0;
}

/* Parse a decimal number made only of digits into *out; false if empty,
 * signed, padded or out of range. */
static bool parse_u64(uint64_t *out, const char *s, uint64_t max)
{
	if (!*s)
		return false;
	uint64_t n = 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		uint64_t d = (uint64_t)(*s - '0');
		if (n > (max - d) / 10)
			return false;
		n = n * 10 + d;
	}
	*out = n;
	return true;
}

int jolt_variant_from_name(jolt_variant **out, const jolt_suite *s,
			   const char *name)
{
	*out = NULL;
	int rc = 0;
	char *buf = NULL;
	if (!name || !*name)
		return jolt_err_set(JOLT_EINPUT, "empty variant name");
	if (strlen(name) > NAME_MAX_LEN)
		return jolt_err_set(JOLT_EINPUT, "variant name longer than %d",
				    NAME_MAX_LEN);
	buf = jolt_xstrdup(name);
	/* Task ids have no '/', operator parts neither: the last one splits. */
	char *slash = strrchr(buf, '/');
	if (!slash || slash == buf) {
		rc = jolt_err_set(JOLT_EINPUT,
				  "variant name '%s': expected TASK/AXIS.OP@LEVEL#SEED "
				  "or TASK/baseline",
				  name);
		goto done;
	}
	*slash = '\0';
	const char *task_id = buf, *rest = slash + 1;
	const jolt_task *t = jolt_suite_task(s, task_id);
	if (!t) {
		rc = jolt_err_set(JOLT_ENOTFOUND,
				  "variant name '%s': no task '%s' in suite %s",
				  name, task_id, s->name);
		goto done;
	}
	if (!strcmp(rest, JOLT_BASELINE)) {
		rc = jolt_variant_build(out, s, t, NULL, 0, 0);
		goto done;
	}
	char *dot = strchr(slash + 1, '.');
	char *at = dot ? strchr(dot + 1, '@') : NULL;
	char *hash = at ? strchr(at + 1, '#') : NULL;
	if (!dot || !at || !hash) {
		rc = jolt_err_set(JOLT_EINPUT,
				  "variant name '%s': expected TASK/AXIS.OP@LEVEL#SEED",
				  name);
		goto done;
	}
	*dot = *at = *hash = '\0';
	int axis = jolt_axis_parse(rest);
	if (axis < 0) {
		rc = jolt_err_set(JOLT_EINPUT,
				  "variant name '%s': unknown axis '%s'", name,
				  rest);
		goto done;
	}
	uint64_t level = 0, seed = 0;
	if (!parse_u64(&level, at + 1, 1000)) {
		rc = jolt_err_set(JOLT_EINPUT,
				  "variant name '%s': level '%s' is not a number",
				  name, at + 1);
		goto done;
	}
	if (!parse_u64(&seed, hash + 1, UINT64_MAX)) {
		rc = jolt_err_set(JOLT_EINPUT,
				  "variant name '%s': seed '%s' is not a decimal "
				  "number",
				  name, hash + 1);
		goto done;
	}
	const jolt_op *op = jolt_op_find(dot + 1);
	if (!op) {
		rc = jolt_err_set(JOLT_ENOTFOUND,
				  "variant name '%s': no operator '%s'", name,
				  dot + 1);
		goto done;
	}
	if ((int)op->axis != axis) {
		rc = jolt_err_set(JOLT_EINPUT,
				  "variant name '%s': operator %s is on axis %s, "
				  "not %s",
				  name, op->name, jolt_axis_name(op->axis),
				  rest);
		goto done;
	}
	rc = jolt_variant_build(out, s, t, op, (int)level, seed);
done:
	free(buf);
	return rc;
}

void jolt_variant_free(jolt_variant *v)
{
	if (!v)
		return;
	free(v->name);
	free(v->system);
	json_decref(v->user);
	json_decref(v->tools);
	json_decref(v->tool_map);
	json_decref(v->env_edits);
	json_decref(v->env_vars);
	json_decref(v->path_map);
	json_decref(v->response);
	json_decref(v->oracle);
	json_decref(v->grade);
	json_decref(v->mistake);
	free(v->summary);
	free(v);
}

/* ---- dump and diff ----------------------------------------------------- */

static json_t *ref_or_null(json_t *j)
{
	return j ? json_incref(j) : json_null();
}

json_t *jolt_variant_dump(const jolt_variant *v)
{
	const jolt_op *op = v->op;
	json_t *seed = v->seed <= (uint64_t)INT64_MAX
			       ? json_integer((json_int_t)v->seed)
			       : json_sprintf("%" PRIu64, v->seed);
	json_t *o = json_object();
	json_object_set_new(o, "name", json_string(v->name));
	json_object_set_new(o, "task", json_string(v->task->id));
	json_object_set_new(o, "axis", json_string(op ? jolt_axis_name(op->axis)
						      : JOLT_BASELINE));
	json_object_set_new(o, "operator", op ? json_string(op->name)
					      : json_null());
	json_object_set_new(o, "level", json_integer(v->level));
	json_object_set_new(o, "seed", seed);
	json_object_set_new(o, "kind",
			    json_string(!op ? JOLT_BASELINE
				       : op->kind == JOLT_OP_DIRECTIONAL
					       ? "directional"
					       : "invariant"));
	json_object_set_new(o, "expect", op && op->expect
						 ? json_string(op->expect)
						 : json_null());
	json_object_set_new(o, "system", json_string(v->system ? v->system : ""));
	json_object_set_new(o, "user", ref_or_null(v->user));
	json_object_set_new(o, "tools", ref_or_null(v->tools));
	json_object_set_new(o, "tool_map", ref_or_null(v->tool_map));
	json_object_set_new(o, "env_edits", ref_or_null(v->env_edits));
	json_object_set_new(o, "env_vars", ref_or_null(v->env_vars));
	json_object_set_new(o, "path_map", ref_or_null(v->path_map));
	json_object_set_new(o, "response", ref_or_null(v->response));
	json_object_set_new(o, "oracle", ref_or_null(v->oracle));
	json_object_set_new(o, "grade", ref_or_null(v->grade));
	json_object_set_new(o, "mistake", ref_or_null(v->mistake));
	json_object_set_new(o, "summary",
			    json_string(v->summary ? v->summary : ""));
	return o;
}

/* Split text into lines (without their '\n'); *n gets the count. The
 * array points into `text`, which the caller keeps mutable and alive. */
static char **split_lines(char *text, size_t *n)
{
	size_t cap = 1;
	for (const char *p = text; *p; p++)
		cap += *p == '\n';
	char **lines = jolt_xcalloc(cap + 1, sizeof(*lines));
	size_t k = 0;
	char *p = text;
	while (*p) {
		lines[k++] = p;
		char *nl = strchr(p, '\n');
		if (!nl)
			break;
		*nl = '\0';
		p = nl + 1;
	}
	*n = k;
	return lines;
}

/* One edit-script entry: ' ' kept, '-' only in a, '+' only in b. */
struct edit {
	char op;
	size_t ai, bi; /* line indices (ai for ' ' and '-', bi for '+') */
};

/* Longest common subsequence by dynamic programming, then the edit
 * script read forwards. Quadratic, hence DIFF_MAX_LINES. */
static struct edit *lcs_script(char **a, size_t na, char **b, size_t nb,
			       size_t *nedit)
{
	struct edit *e = jolt_xcalloc(na + nb + 1, sizeof(*e));
	size_t k = 0;
	if (na > DIFF_MAX_LINES || nb > DIFF_MAX_LINES) {
		for (size_t i = 0; i < na; i++)
			e[k++] = (struct edit){'-', i, 0};
		for (size_t j = 0; j < nb; j++)
			e[k++] = (struct edit){'+', 0, j};
		*nedit = k;
		return e;
	}
	/* len[i][j] = LCS of a[i..] and b[j..]. */
	size_t w = nb + 1;
	uint32_t *len = jolt_xcalloc((na + 1) * w, sizeof(*len));
	for (size_t i = na; i-- > 0;)
		for (size_t j = nb; j-- > 0;)
			len[i * w + j] =
				!strcmp(a[i], b[j])
					? len[(i + 1) * w + j + 1] + 1
					: (len[(i + 1) * w + j] >=
							   len[i * w + j + 1]
						   ? len[(i + 1) * w + j]
						   : len[i * w + j + 1]);
	size_t i = 0, j = 0;
	while (i < na || j < nb) {
		if (i < na && j < nb && !strcmp(a[i], b[j])) {
			e[k++] = (struct edit){' ', i++, j++};
		} else if (i < na && (j == nb || len[(i + 1) * w + j] >=
							 len[i * w + j + 1])) {
			/* Removals before additions, as diff(1) shows them. */
			e[k++] = (struct edit){'-', i++, j};
		} else {
			e[k++] = (struct edit){'+', i, j++};
		}
	}
	free(len);
	*nedit = k;
	return e;
}

#define DIFF_CONTEXT 3

/* Append unified hunks of a -> b to `out`. */
static void unified(jolt_buf *out, char **a, size_t na, char **b, size_t nb)
{
	size_t ne = 0;
	struct edit *e = lcs_script(a, na, b, nb, &ne);
	size_t k = 0;
	while (k < ne) {
		/* Find the next change. */
		while (k < ne && e[k].op == ' ')
			k++;
		if (k >= ne)
			break;
		size_t start = k >= DIFF_CONTEXT ? k - DIFF_CONTEXT : 0;
		/* Extend while changes are within 2*context of each other. */
		size_t end = k, last_change = k;
		while (end < ne) {
			if (e[end].op != ' ')
				last_change = end;
			else if (end - last_change > 2 * DIFF_CONTEXT)
				break;
			end++;
		}
		size_t stop = last_change + 1 + DIFF_CONTEXT;
		if (stop > ne)
			stop = ne;
		/* Hunk header: 1-based starts and line counts of each side. */
		size_t a0 = 0, b0 = 0, ac = 0, bc = 0;
		int have_a = 0, have_b = 0;
		for (size_t q = start; q < stop; q++) {
			if (e[q].op != '+') {
				if (!have_a)
					a0 = e[q].ai, have_a = 1;
				ac++;
			}
			if (e[q].op != '-') {
				if (!have_b)
					b0 = e[q].bi, have_b = 1;
				bc++;
			}
		}
		if (!have_a)
			a0 = start < ne ? e[start].ai : na;
		if (!have_b)
			b0 = start < ne ? e[start].bi : nb;
		jolt_buf_addf(out, "@@ -%zu,%zu +%zu,%zu @@\n",
			      ac ? a0 + 1 : a0, ac, bc ? b0 + 1 : b0, bc);
		for (size_t q = start; q < stop; q++) {
			const char *line = e[q].op == '+' ? b[e[q].bi]
							  : a[e[q].ai];
			jolt_buf_addf(out, "%c%s\n", e[q].op, line);
		}
		k = stop;
	}
	free(e);
}

/* The text a field is compared as: strings as they are, the rest as
 * pretty JSON with sorted keys. Caller frees. */
static char *field_text(const json_t *j)
{
	if (json_is_string(j))
		return jolt_xstrdup(json_string_value(j));
	char *s = json_dumps(j, JSON_SORT_KEYS | JSON_INDENT(2) |
					JSON_ENCODE_ANY);
	return s ? s : jolt_xstrdup("");
}

int jolt_variant_diff(char **out, const jolt_variant *base,
		      const jolt_variant *v)
{
	static const char *const fields[] = {
		"system",   "user",      "tools",    "tool_map",
		"env_edits", "env_vars", "path_map", "response",
		"oracle",   "grade",     "mistake",
	};
	jolt_buf b = JOLT_BUF_INIT;
	jolt_buf_init(&b, 0);
	if (*out)
		jolt_buf_adds(&b, *out);
	json_t *da = jolt_variant_dump(base);
	json_t *db = jolt_variant_dump(v);
	const char *alabel = base->op ? base->name : JOLT_BASELINE;
	jolt_buf_addf(&b, "# %s: %s\n", v->name, v->summary ? v->summary : "");
	for (size_t f = 0; f < JOLT_ARRAY_LEN(fields); f++) {
		json_t *x = json_object_get(da, fields[f]);
		json_t *y = json_object_get(db, fields[f]);
		if (json_equal(x, y))
			continue;
		char *ta = field_text(x), *tb = field_text(y);
		size_t na = 0, nb = 0;
		char **la = split_lines(ta, &na), **lb = split_lines(tb, &nb);
		jolt_buf_addf(&b, "--- %s/%s\n+++ %s/%s\n", alabel, fields[f],
			      v->name, fields[f]);
		unified(&b, la, na, lb, nb);
		free(la);
		free(lb);
		free(ta);
		free(tb);
	}
	json_decref(da);
	json_decref(db);
	free(*out);
	*out = jolt_buf_detach(&b);
	return 0;
}

void jolt_variant_mistake(jolt_variant *v, int at, json_t *steps)
{
	json_decref(v->mistake);
	v->mistake = json_pack("{s:i, s:o}", "at", at, "steps", steps);
}

void jolt_variant_give_up(jolt_variant *v)
{
	jolt_variant_mistake(v, 0, json_pack("[{s:s}]", "answer", JOLT_GIVE_UP));
}

void jolt_variant_summary(jolt_variant *v, const char *fmt, ...)
{
	va_list ap;
	char *text = NULL;
	va_start(ap, fmt);
	int n = vasprintf(&text, fmt, ap);
	va_end(ap);
	free(v->summary);
	v->summary = n < 0 ? jolt_xstrdup("") : text;
}
