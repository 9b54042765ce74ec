/*
 * test_perturb.c - the operator registry and variants: lookups, names
 * that round-trip, determinism, every operator at every level on every
 * starter task (valid variant or "does not apply"), the oracle passing
 * and the mistake failing the variant's answer and call graders, typo
 * protection, rename maps, the line diff, and the golden dumps under
 * tests/golden/perturb/ (regenerate with scripts/golden.sh).
 *
 * Runs from the repository root (tests/run.sh does), where suites/starter
 * is.
 */
#include "test.h"

#include <ctype.h>
#include <dirent.h>
#include <jansson.h>

#include "core/common.h"
#include "world/grade.h"
#include "perturb/perturb.h"
#include "core/suite.h"
#include "world/load.h"

#define STARTER "suites/starter"
#define GOLDEN_DIR "tests/golden/perturb"

static jolt_suite *starter;

static int setup(void **state)
{
	(void)state;
	if (!starter && jolt_suite_load(&starter, STARTER)) {
		fprintf(stderr, "cannot load %s: %s (run from the repo root)\n",
			STARTER, jolt_err_msg());
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	jolt_suite_free(starter);
	starter = NULL;
	return 0;
}

static const jolt_task *task(const char *id)
{
	const jolt_task *t = jolt_suite_task(starter, id);
	assert_non_null(t);
	return t;
}

static jolt_variant *build(const char *task_id, const char *op, int level,
			   uint64_t seed)
{
	jolt_variant *v = NULL;
	const jolt_op *o = op ? jolt_op_find(op) : NULL;
	if (op)
		assert_non_null(o);
	int rc = jolt_variant_build(&v, starter, task(task_id), o, level, seed);
	if (rc)
		fprintf(stderr, "build %s %s@%d#%llu: %s\n", task_id, op, level,
			(unsigned long long)seed, jolt_err_msg());
	assert_int_equal(rc, 0);
	return v;
}

static char *dump_text(const jolt_variant *v)
{
	json_t *d = jolt_variant_dump(v);
	char *s = json_dumps(d, JSON_SORT_KEYS | JSON_INDENT(2));
	json_decref(d);
	assert_non_null(s);
	return s;
}

static const char *tool_name_at(const jolt_variant *v, size_t i)
{
	return json_string_value(
		json_object_get(json_array_get(v->tools, i), "name"));
}

static json_t *shown_tool(const jolt_variant *v, const char *name)
{
	size_t i;
	json_t *t;
	json_array_foreach(v->tools, i, t)
	{
		if (!strcmp(json_string_value(json_object_get(t, "name")), name))
			return t;
	}
	return NULL;
}

/* ---- registry ------------------------------------------------------------ */

static void test_registry(void **state)
{
	(void)state;
	size_t n = jolt_op_count();
	assert_true(n >= 21);
	size_t per_axis[JOLT_AXIS_COUNT] = {0};
	for (size_t i = 0; i < n; i++) {
		const jolt_op *o = jolt_op_at(i);
		assert_non_null(o);
		assert_non_null(o->apply);
		assert_non_null(o->description);
		assert_true(o->max_level >= 1 && o->max_level <= 3);
		assert_ptr_equal(jolt_op_find(o->name), o);
		assert_true((o->kind == JOLT_OP_DIRECTIONAL) ==
			    (o->expect != NULL));
		per_axis[o->axis]++;
		/* Axis order: tool, system, user, env, response. */
		if (i)
			assert_true(jolt_op_at(i - 1)->axis <= o->axis);
	}
	assert_null(jolt_op_at(n));
	assert_null(jolt_op_find("no_such_operator"));
	assert_null(jolt_op_find(NULL));
	assert_true(per_axis[JOLT_AXIS_tool] >= 6);
	assert_true(per_axis[JOLT_AXIS_system] >= 6);
	assert_true(per_axis[JOLT_AXIS_user] >= 6);
	assert_int_equal(jolt_op_find("tool_rename")->axis, JOLT_AXIS_tool);
	assert_int_equal(jolt_op_find("sys_padding")->axis, JOLT_AXIS_system);
	assert_int_equal(jolt_op_find("user_typo")->axis, JOLT_AXIS_user);
}

static void test_baseline(void **state)
{
	(void)state;
	jolt_variant *v = build("fin-lookup-close", NULL, 0, 0);
	assert_string_equal(v->name, "fin-lookup-close/baseline");
	assert_null(v->op);
	assert_string_equal(v->system, starter->system);
	assert_int_equal(json_array_size(v->user), 1);
	assert_string_equal(json_string_value(json_array_get(v->user, 0)),
			    task("fin-lookup-close")->user);
	/* Suite order, not the task's listing order. */
	assert_int_equal(json_array_size(v->tools), 3);
	assert_string_equal(tool_name_at(v, 0), "get_price");
	assert_string_equal(tool_name_at(v, 1), "get_company");
	assert_string_equal(tool_name_at(v, 2), "submit");
	assert_true(json_equal(v->oracle, task("fin-lookup-close")->oracle));
	assert_true(json_equal(v->grade, task("fin-lookup-close")->grade));
	assert_int_equal(json_object_size(v->tool_map), 0);
	assert_true(json_is_null(v->response));
	assert_string_equal(
		json_string_value(json_object_get(
			json_array_get(json_object_get(v->mistake, "steps"), 0),
			"answer")),
		"I could not complete this task.");
	char *d = dump_text(v);
	assert_non_null(strstr(d, "\"kind\": \"baseline\""));
	free(d);
	jolt_variant_free(v);
}

/* ---- names ------------------------------------------------------------------ */

static void expect_name_error(const char *name, int code)
{
	jolt_variant *v = (jolt_variant *)0x1;
	int rc = jolt_variant_from_name(&v, starter, name);
	if (rc != code)
		fprintf(stderr, "%s: got %d (%s)\n", name, rc, jolt_err_msg());
	assert_int_equal(rc, code);
	assert_null(v);
	assert_true(strlen(jolt_err_msg()) > 0);
}

static void test_names(void **state)
{
	(void)state;
	jolt_variant *v = build("fin-pct-change", "tool_rename", 2, 42);
	assert_string_equal(v->name, "fin-pct-change/tool.tool_rename@2#42");
	jolt_variant *w = NULL;
	assert_int_equal(jolt_variant_from_name(&w, starter, v->name), 0);
	char *a = dump_text(v), *b = dump_text(w);
	assert_string_equal(a, b);
	free(a);
	free(b);
	jolt_variant_free(w);
	jolt_variant_free(v);

	assert_int_equal(jolt_variant_from_name(&w, starter,
						"fin-pct-change/baseline"),
			 0);
	assert_null(w->op);
	jolt_variant_free(w);

	/* The largest seed round-trips too. */
	assert_int_equal(jolt_variant_from_name(
				 &w, starter,
				 "fin-pct-change/user.user_typo@1#18446744073709551615"),
			 0);
	assert_true(w->seed == UINT64_MAX);
	a = dump_text(w);
	assert_non_null(strstr(a, "\"seed\": \"18446744073709551615\""));
	free(a);
	jolt_variant_free(w);

	expect_name_error("", JOLT_EINPUT);
	expect_name_error("fin-pct-change", JOLT_EINPUT);
	expect_name_error("/baseline", JOLT_EINPUT);
	expect_name_error("fin-pct-change/tool.tool_rename", JOLT_EINPUT);
	expect_name_error("fin-pct-change/tool.tool_rename@1", JOLT_EINPUT);
	expect_name_error("fin-pct-change/tool.tool_rename@x#1", JOLT_EINPUT);
	expect_name_error("fin-pct-change/tool.tool_rename@1#-1", JOLT_EINPUT);
	expect_name_error("fin-pct-change/tool.tool_rename@1#", JOLT_EINPUT);
	expect_name_error("fin-pct-change/tool.tool_rename@1#18446744073709551616",
			  JOLT_EINPUT);
	expect_name_error("fin-pct-change/bogus.tool_rename@1#1", JOLT_EINPUT);
	expect_name_error("fin-pct-change/user.tool_rename@1#1", JOLT_EINPUT);
	expect_name_error("fin-pct-change/tool.no_such_op@1#1", JOLT_ENOTFOUND);
	expect_name_error("no-such-task/tool.tool_rename@1#1", JOLT_ENOTFOUND);
	expect_name_error("no-such-task/baseline", JOLT_ENOTFOUND);
	expect_name_error("fin-pct-change/tool.tool_rename@0#1", JOLT_EUSAGE);
	expect_name_error("fin-pct-change/tool.tool_rename@4#1", JOLT_EUSAGE);
	expect_name_error("fin-pct-change/user.paraphrase@2#1", JOLT_EUSAGE);
	expect_name_error("doc-bridge-year/tool.tool_case@1#1", JOLT_ENOTFOUND);
}

static void test_level_range(void **state)
{
	(void)state;
	jolt_variant *v = (jolt_variant *)0x1;
	const jolt_op *o = jolt_op_find("user_typo");
	assert_int_equal(jolt_variant_build(&v, starter, task("fin-lookup-close"),
					    o, 0, 1),
			 JOLT_EUSAGE);
	assert_null(v);
	assert_int_equal(jolt_variant_build(&v, starter, task("fin-lookup-close"),
					    o, o->max_level + 1, 1),
			 JOLT_EUSAGE);
}

/* ---- determinism ---------------------------------------------------------------- */

static void test_determinism(void **state)
{
	(void)state;
	for (size_t i = 0; i < jolt_op_count(); i++) {
		const jolt_op *o = jolt_op_at(i);
		for (int level = 1; level <= o->max_level; level++) {
			jolt_variant *a = NULL, *b = NULL;
			int rc = jolt_variant_build(&a, starter,
						    task("fin-pct-change"), o,
						    level, 7);
			if (rc == JOLT_ENOTFOUND)
				continue;
			assert_int_equal(rc, 0);
			assert_int_equal(jolt_variant_build(&b, starter,
							    task("fin-pct-change"),
							    o, level, 7),
					 0);
			char *da = dump_text(a), *db = dump_text(b);
			assert_string_equal(da, db);
			free(da);
			free(db);
			jolt_variant_free(a);
			jolt_variant_free(b);
		}
	}
	/* Random operators depend on the seed. */
	static const struct {
		const char *task, *op;
		int level;
	} randomised[] = {
		{"fin-pct-change", "tool_rename", 3},
		{"fin-pct-change", "tool_rename", 2},
		{"fin-pct-change", "param_rename", 3},
		{"fix-calc-sum", "tool_reorder", 3},
		{"fin-market-cap", "user_typo", 2},
		{"fin-market-cap", "user_whitespace", 2},
		{"fin-market-cap", "user_case", 3},
		{"fin-market-cap", "sys_datetime", 3},
		{"fin-market-cap", "sys_reorder", 3},
	};
	for (size_t k = 0; k < JOLT_ARRAY_LEN(randomised); k++) {
		jolt_variant *a = build(randomised[k].task, randomised[k].op,
					randomised[k].level, 1);
		jolt_variant *b = build(randomised[k].task, randomised[k].op,
					randomised[k].level, 2);
		json_t *da = jolt_variant_dump(a), *db = jolt_variant_dump(b);
		json_object_del(da, "name");
		json_object_del(db, "name");
		json_object_del(da, "seed");
		json_object_del(db, "seed");
		if (json_equal(da, db))
			fprintf(stderr, "%s@%d: seeds 1 and 2 agree\n",
				randomised[k].op, randomised[k].level);
		assert_false(json_equal(da, db));
		json_decref(da);
		json_decref(db);
		jolt_variant_free(a);
		jolt_variant_free(b);
	}
}

/* ---- every operator, every level, every starter task ---------------------------- */

/* The calls a step list makes, as the driver records them: shown names
 * translated back through the tool map (distractors and unknown names
 * are recorded as called). */
static void record_calls(json_t *calls, const json_t *steps, size_t upto,
			 const jolt_variant *v)
{
	size_t i;
	json_t *step;
	json_array_foreach(steps, i, step)
	{
		if (i >= upto)
			break;
		json_t *call = json_object_get(step, "call");
		if (!call)
			continue;
		const char *name = json_string_value(json_object_get(call, "name"));
		json_t *args = json_object_get(call, "args");
		json_t *m = json_object_get(v->tool_map, name);
		json_t *orig = json_object_get(m, "tool");
		json_t *pm = json_object_get(m, "params");
		json_t *targs = json_object();
		const char *k;
		json_t *val;
		json_object_foreach(args, k, val)
		{
			json_t *op = json_object_get(pm, k);
			json_object_set(targs, op ? json_string_value(op) : k, val);
		}
		json_array_append_new(calls,
				      json_pack("{s:s, s:o}", "name",
						orig ? json_string_value(orig) : name,
						"arguments", targs));
	}
}

static const char *last_answer(const json_t *steps)
{
	const char *a = "";
	size_t i;
	json_t *step;
	json_array_foreach(steps, i, step)
	{
		const char *s = json_string_value(json_object_get(step, "answer"));
		if (s)
			a = s;
	}
	return a;
}

/* Grade steps against the variant's graders that need no working copy.
 * *complete is false when some graders needed one (and were skipped). */
static bool grade_steps(const jolt_variant *v, const json_t *prefix,
			size_t at, const json_t *steps, bool *complete)
{
	json_t *graders = json_array();
	*complete = true;
	size_t i;
	json_t *g;
	json_array_foreach(v->grade, i, g)
	{
		if (json_object_get(g, "answer") || json_object_get(g, "calls") ||
		    json_object_get(g, "no_calls"))
			json_array_append(graders, g);
		else
			*complete = false;
	}
	if (!json_array_size(graders)) {
		json_decref(graders);
		return !prefix; /* nothing to say: "passes", and not checked */
	}
	json_t *calls = json_array();
	if (prefix)
		record_calls(calls, prefix, at, v);
	record_calls(calls, steps, (size_t)-1, v);
	jolt_grade_input in = {
		.suite = v->suite, .task = v->task, .graders = graders,
		.workdir = NULL, .answer = last_answer(steps), .calls = calls,
	};
	bool pass = false;
	char *detail = NULL;
	int rc = jolt_grade_run(&pass, &detail, &in);
	if (rc)
		fprintf(stderr, "%s: grading: %s\n", v->name, jolt_err_msg());
	assert_int_equal(rc, 0);
	free(detail);
	json_decref(graders);
	json_decref(calls);
	return pass;
}

static void check_variant(const jolt_variant *v)
{
	const jolt_op *o = v->op;
	/* Shape. */
	assert_true(json_is_array(v->user) && json_array_size(v->user) >= 1);
	size_t i;
	json_t *x;
	json_array_foreach(v->user, i, x)
	{
		assert_true(json_is_string(x));
		assert_true(strlen(json_string_value(x)) > 0);
	}
	assert_non_null(v->system);
	assert_non_null(v->summary);
	assert_true(strlen(v->summary) > 0);
	assert_string_not_equal(v->summary, "baseline");
	json_array_foreach(v->tools, i, x)
	{
		const char *n = json_string_value(json_object_get(x, "name"));
		assert_non_null(n);
		assert_true(json_is_string(json_object_get(x, "description")));
		assert_true(json_is_object(json_object_get(x, "parameters")));
		for (size_t k = 0; k < i; k++)
			assert_string_not_equal(tool_name_at(v, k), n);
	}
	assert_true(json_is_object(v->tool_map));
	assert_true(json_is_integer(json_object_get(v->mistake, "at")));
	json_t *msteps = json_object_get(v->mistake, "steps");
	assert_true(json_array_size(msteps) >= 1);
	assert_non_null(json_object_get(
		json_array_get(msteps, json_array_size(msteps) - 1), "answer"));
	assert_true(json_array_size(v->oracle) >= 1);
	assert_non_null(json_object_get(
		json_array_get(v->oracle, json_array_size(v->oracle) - 1),
		"answer"));

	/* The oracle only calls shown tools, with shown parameter names. */
	json_array_foreach(v->oracle, i, x)
	{
		json_t *call = json_object_get(x, "call");
		if (!call)
			continue;
		const char *n = json_string_value(json_object_get(call, "name"));
		json_t *t = shown_tool(v, n);
		if (!t)
			fprintf(stderr, "%s: oracle calls %s, not shown\n",
				v->name, n);
		assert_non_null(t);
		assert_false(json_is_true(json_object_get(
			json_object_get(v->tool_map, n), "distractor")));
		json_t *props = json_object_get(
			json_object_get(t, "parameters"), "properties");
		const char *k;
		json_t *val;
		json_object_foreach(json_object_get(call, "args"), k, val)
		{
			if (!json_object_get(props, k))
				fprintf(stderr, "%s: oracle arg %s.%s not shown\n",
					v->name, n, k);
			assert_non_null(json_object_get(props, k));
		}
	}

	/* Semantics, as far as graders without a working copy go: the
	 * oracle passes; the mistake fails (for tasks graded only so). */
	bool complete = false;
	if (!grade_steps(v, NULL, 0, v->oracle, &complete))
		fprintf(stderr, "%s: the oracle fails\n", v->name);
	assert_true(grade_steps(v, NULL, 0, v->oracle, &complete));
	size_t at = (size_t)json_integer_value(json_object_get(v->mistake, "at"));
	bool mpass = grade_steps(v, v->oracle, at, msteps, &complete);
	if (complete) {
		if (mpass)
			fprintf(stderr, "%s: the mistake passes\n", v->name);
		assert_false(mpass);
	}
	/* On the prompt and tool axes a thrown model never answers what the
	 * oracle answers (env and response mistakes may fail on the files
	 * instead). */
	if (o->axis <= JOLT_AXIS_user)
		assert_string_not_equal(last_answer(msteps),
					last_answer(v->oracle));
}

static void test_all_operators(void **state)
{
	(void)state;
	for (size_t i = 0; i < jolt_op_count(); i++) {
		const jolt_op *o = jolt_op_at(i);
		size_t made = 0;
		for (size_t ti = 0; ti < starter->ntasks; ti++) {
			const jolt_task *t = &starter->tasks[ti];
			for (int level = 1; level <= o->max_level; level++) {
				for (uint64_t seed = 1; seed <= 3; seed++) {
					jolt_variant *v = NULL;
					int rc = jolt_variant_build(
						&v, starter, t, o, level, seed);
					if (rc == JOLT_ENOTFOUND) {
						assert_null(v);
						continue;
					}
					if (rc)
						fprintf(stderr, "%s %s@%d: %s\n",
							t->id, o->name, level,
							jolt_err_msg());
					assert_int_equal(rc, 0);
					assert_ptr_equal(v->op, o);
					check_variant(v);
					made++;
					jolt_variant_free(v);
				}
			}
		}
		/* This file's axes must be exercised by the starter suite;
		 * env and response operators may need data it lacks. */
		if (!made)
			fprintf(stderr, "note: %s applies to no starter task\n",
				o->name);
		if (o->axis <= JOLT_AXIS_user)
			assert_true(made > 0);
	}
}

/* ---- specific operators --------------------------------------------------------- */

/* Every word of the baseline prompt with a digit or two capitals, and
 * every quoted span, survives the typo operator at every level. */
static void test_typo_protected(void **state)
{
	(void)state;
	static const char *const ops[] = {"user_typo", "user_misspell",
					  "user_case"};
	for (size_t oi = 0; oi < JOLT_ARRAY_LEN(ops); oi++)
		for (size_t ti = 0; ti < starter->ntasks; ti++) {
			const jolt_task *t = &starter->tasks[ti];
			for (int level = 1; level <= 3; level++)
				for (uint64_t seed = 1; seed <= 5; seed++) {
					jolt_variant *v = NULL;
					int rc = jolt_variant_build(
						&v, starter, t,
						jolt_op_find(ops[oi]), level, seed);
					if (rc == JOLT_ENOTFOUND)
						continue;
					assert_int_equal(rc, 0);
					const char *u = json_string_value(
						json_array_get(v->user, 0));
					assert_string_not_equal(u, t->user);
					char *copy = strdup(t->user);
					char *save = NULL;
					for (char *w = strtok_r(copy, " \n", &save);
					     w; w = strtok_r(NULL, " \n", &save)) {
						size_t up = 0, dig = 0;
						for (char *p = w; *p; p++) {
							up += isupper((unsigned char)*p) != 0;
							dig += isdigit((unsigned char)*p) != 0;
						}
						if ((up >= 2 || dig) && !strstr(u, w)) {
							fprintf(stderr, "%s lost '%s': %s\n",
								v->name, w, u);
							fail();
						}
					}
					free(copy);
					jolt_variant_free(v);
				}
		}
	/* Task-specific values: the ticker, the date, search terms. */
	jolt_variant *v = build("fin-lookup-close", "user_typo", 3, 1);
	const char *u = json_string_value(json_array_get(v->user, 0));
	assert_non_null(strstr(u, "BOLT's"));
	assert_non_null(strstr(u, "2024-03-08"));
	assert_string_equal(
		json_string_value(json_object_get(
			json_array_get(json_object_get(v->mistake, "steps"), 0),
			"answer")),
		"I am not sure what you are asking.");
	jolt_variant_free(v);
	v = build("doc-bridge-year", "user_typo", 3, 2);
	u = json_string_value(json_array_get(v->user, 0));
	assert_non_null(strstr(u, "Tallow Bridge"));
	assert_non_null(strstr(u, "completed"));
	jolt_variant_free(v);
}

static void test_tool_rename_map(void **state)
{
	(void)state;
	jolt_variant *v = build("fin-lookup-close", "tool_rename", 1, 1);
	json_t *m = json_object_get(v->tool_map, "fetch_price");
	assert_non_null(m);
	assert_string_equal(json_string_value(json_object_get(m, "tool")),
			    "get_price");
	assert_null(shown_tool(v, "get_price"));
	json_t *call = json_object_get(json_array_get(v->oracle, 0), "call");
	assert_string_equal(json_string_value(json_object_get(call, "name")),
			    "fetch_price");
	/* The graders keep the original names; the mistake uses them. */
	assert_true(json_equal(v->grade, task("fin-lookup-close")->grade));
	json_t *mcall = json_object_get(
		json_array_get(json_object_get(v->mistake, "steps"), 0), "call");
	assert_string_equal(json_string_value(json_object_get(mcall, "name")),
			    "get_price");
	jolt_variant_free(v);

	v = build("fin-lookup-close", "param_rename", 1, 1);
	m = json_object_get(v->tool_map, "get_price");
	assert_string_equal(json_string_value(json_object_get(
				    json_object_get(m, "params"), "symbol")),
			    "ticker");
	call = json_object_get(json_array_get(v->oracle, 0), "call");
	assert_string_equal(json_string_value(json_object_get(
				    json_object_get(call, "args"), "symbol")),
			    "BOLT");
	json_t *req = json_object_get(
		json_object_get(shown_tool(v, "get_price"), "parameters"),
		"required");
	assert_string_equal(json_string_value(json_array_get(req, 0)), "symbol");
	jolt_variant_free(v);

	/* Every renaming variant: oracle calls map back to the baseline's. */
	static const char *const ops[] = {"tool_rename", "tool_case",
					  "param_rename"};
	for (size_t oi = 0; oi < JOLT_ARRAY_LEN(ops); oi++)
		for (size_t ti = 0; ti < starter->ntasks; ti++)
			for (int level = 1; level <= 3; level++) {
				const jolt_task *t = &starter->tasks[ti];
				jolt_variant *w = NULL;
				if (jolt_variant_build(&w, starter, t,
						       jolt_op_find(ops[oi]),
						       level, 3))
					continue;
				json_t *calls = json_array(),
				       *base = json_array();
				record_calls(calls, w->oracle, (size_t)-1, w);
				jolt_variant *b = build(t->id, NULL, 0, 0);
				record_calls(base, b->oracle, (size_t)-1, b);
				assert_true(json_equal(calls, base));
				assert_true(json_object_size(w->tool_map) > 0);
				json_decref(calls);
				json_decref(base);
				jolt_variant_free(b);
				jolt_variant_free(w);
			}
}

static void test_distractor(void **state)
{
	(void)state;
	jolt_variant *v = build("fin-market-cap", "tool_distractor", 3, 1);
	/* Two per tool used (get_price, get_company). */
	assert_int_equal(json_array_size(v->tools), 3 + 4);
	assert_int_equal(json_object_size(v->tool_map), 4);
	json_t *mcall = json_object_get(
		json_array_get(json_object_get(v->mistake, "steps"), 0), "call");
	const char *d = json_string_value(json_object_get(mcall, "name"));
	assert_true(json_is_true(json_object_get(
		json_object_get(v->tool_map, d), "distractor")));
	assert_non_null(shown_tool(v, d));
	assert_int_equal(strncmp(d, "get_price", 9), 0);
	jolt_variant_free(v);
}

static void test_tool_removed(void **state)
{
	(void)state;
	jolt_variant *v = build("fin-market-cap", "tool_removed", 1, 1);
	assert_null(shown_tool(v, "get_price"));
	assert_non_null(shown_tool(v, "get_company"));
	assert_int_equal(json_array_size(v->oracle), 1);
	assert_non_null(strstr(last_answer(v->oracle), "cannot"));
	json_t *mcall = json_object_get(
		json_array_get(json_object_get(v->mistake, "steps"), 0), "call");
	assert_string_equal(json_string_value(json_object_get(mcall, "name")),
			    "get_price");
	char *d = dump_text(v);
	assert_non_null(strstr(d, "\"kind\": \"directional\""));
	free(d);
	jolt_variant_free(v);
}

static void test_missing_detail(void **state)
{
	(void)state;
	jolt_variant *v = build("fin-lookup-close", "missing_detail", 1, 1);
	const char *u = json_string_value(json_array_get(v->user, 0));
	bool no_ticker = !strstr(u, "BOLT"), no_date = !strstr(u, "2024-03-08");
	assert_true(no_ticker != no_date);
	assert_non_null(strstr(last_answer(v->oracle), "?"));
	assert_true(json_equal(json_object_get(v->mistake, "steps"),
			       task("fin-lookup-close")->oracle));
	jolt_variant_free(v);
	/* Nothing of the first call (a search query) is in the prompt. */
	jolt_variant *w = (jolt_variant *)0x1;
	assert_int_equal(jolt_variant_build(&w, starter, task("doc-bridge-year"),
					    jolt_op_find("missing_detail"), 1, 1),
			 JOLT_ENOTFOUND);
	assert_null(w);
}

static void test_user_split_and_paraphrase(void **state)
{
	(void)state;
	jolt_variant *v = build("fin-pct-change", "user_split", 1, 1);
	assert_int_equal(json_array_size(v->user), 2);
	assert_string_equal(json_string_value(json_array_get(v->user, 1)),
			    "Give the change in percent with two decimals.");
	jolt_variant_free(v);
	v = build("fin-pct-change", "paraphrase", 1, 1);
	assert_string_equal(
		json_string_value(json_array_get(v->user, 0)),
		json_string_value(json_array_get(
			task("fin-pct-change")->paraphrases, 0)));
	jolt_variant_free(v);
}

static void test_diff(void **state)
{
	(void)state;
	jolt_variant *b = build("fin-lookup-close", NULL, 0, 0);
	jolt_variant *v = build("fin-lookup-close", "tool_rename", 1, 1);
	char *out = NULL;
	assert_int_equal(jolt_variant_diff(&out, b, v), 0);
	assert_non_null(out);
	assert_non_null(strstr(out, "--- baseline/tools\n"
				    "+++ fin-lookup-close/tool.tool_rename@1#1/tools\n"));
	assert_non_null(strstr(out, "\n-    \"name\": \"get_price\",\n"));
	assert_non_null(strstr(out, "\n+    \"name\": \"fetch_price\",\n"));
	assert_non_null(strstr(out, "--- baseline/oracle\n"));
	assert_non_null(strstr(out, "@@ -"));
	/* Unchanged fields are not shown. */
	assert_null(strstr(out, "/system\n"));
	assert_null(strstr(out, "/grade\n"));
	free(out);

	/* A diff against itself is only the header; text is appended. */
	out = jolt_xstrdup("before\n");
	assert_int_equal(jolt_variant_diff(&out, b, b), 0);
	assert_string_equal(out, "before\n# fin-lookup-close/baseline: baseline\n");
	free(out);

	/* A text field diffs line by line. */
	jolt_variant *s = build("fin-lookup-close", "sys_padding", 1, 1);
	out = NULL;
	assert_int_equal(jolt_variant_diff(&out, b, s), 0);
	assert_non_null(strstr(out, "--- baseline/system\n"));
	assert_non_null(strstr(out, "\n+Company policies (for reference):\n"));
	assert_null(strstr(out, "\n-You are a careful assistant"));
	free(out);
	jolt_variant_free(s);
	jolt_variant_free(v);
	jolt_variant_free(b);
}

/* ---- golden dumps ------------------------------------------------------------------ */

/* Tasks tried, in order, for a new golden case: small ones first. */
static const char *const golden_tasks[] = {
	"fin-lookup-close", "fin-pct-change", "fin-market-cap",
	"doc-bridge-year",  "ops-reassign-actions", "fix-calc-sum",
};

static char *read_all(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		fwrite(chunk, 1, n, m);
	fclose(f);
	fclose(m);
	return buf;
}

static void write_all(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static bool applies_to_golden_task(const jolt_op *o)
{
	for (size_t k = 0; k < JOLT_ARRAY_LEN(golden_tasks); k++) {
		jolt_variant *v = NULL;
		if (!jolt_variant_build(&v, starter, task(golden_tasks[k]), o,
					o->max_level >= 2 ? 2 : 1, 1)) {
			jolt_variant_free(v);
			return true;
		}
	}
	fprintf(stderr, "golden: note: %s applies to none of the golden tasks\n",
		o->name);
	return false;
}

/* Create the case of an operator that has none (update mode). */
static void golden_add_case(const jolt_op *o)
{
	int level = o->max_level >= 2 ? 2 : 1;
	for (size_t k = 0; k < JOLT_ARRAY_LEN(golden_tasks); k++) {
		jolt_variant *v = NULL;
		if (jolt_variant_build(&v, starter, task(golden_tasks[k]), o,
				       level, 1))
			continue;
		char dir[512], path[600], input[1024];
		snprintf(dir, sizeof(dir), GOLDEN_DIR "/%s-L%d-S1", o->name,
			 level);
		mkdir(dir, 0755);
		snprintf(path, sizeof(path), "%s/input", dir);
		snprintf(input, sizeof(input), "suite: %s\nvariant: %s\n", STARTER,
			 v->name);
		write_all(path, input);
		jolt_variant_free(v);
		return;
	}
	fprintf(stderr, "golden: %s applies to none of the golden tasks\n",
		o->name);
}

static void test_golden(void **state)
{
	(void)state;
	bool update = getenv("JOLT_GOLDEN_UPDATE") != NULL;
	if (update) {
		mkdir("tests/golden", 0755);
		mkdir(GOLDEN_DIR, 0755);
	}
	DIR *d = opendir(GOLDEN_DIR);
	assert_non_null(d);
	size_t nops = jolt_op_count();
	bool *covered = calloc(nops, sizeof(*covered));
	struct dirent *e;
	json_t *dirs = json_array();
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			json_array_append_new(dirs, json_string(e->d_name));
	closedir(d);
	/* Operators with no case get one in update mode. */
	for (size_t i = 0; update && i < nops; i++) {
		const jolt_op *o = jolt_op_at(i);
		size_t n = strlen(o->name);
		bool have = false;
		size_t k;
		json_t *x;
		json_array_foreach(dirs, k, x)
		{
			const char *dn = json_string_value(x);
			have = have || (!strncmp(dn, o->name, n) &&
					!strncmp(dn + n, "-L", 2));
		}
		if (!have) {
			golden_add_case(o);
			char name[256];
			snprintf(name, sizeof(name), "%s-L%d-S1", o->name,
				 o->max_level >= 2 ? 2 : 1);
			json_array_append_new(dirs, json_string(name));
		}
	}
	size_t i, checked = 0, failed = 0;
	json_t *x;
	json_array_foreach(dirs, i, x)
	{
		const char *dn = json_string_value(x);
		char path[600];
		snprintf(path, sizeof(path), GOLDEN_DIR "/%s/input", dn);
		char *input = read_all(path);
		if (!input)
			continue; /* golden_add_case found no task */
		char *vline = strstr(input, "variant: ");
		assert_non_null(vline);
		vline += strlen("variant: ");
		vline[strcspn(vline, "\n")] = '\0';
		assert_non_null(strstr(input, "suite: " STARTER "\n"));
		jolt_variant *v = NULL;
		int rc = jolt_variant_from_name(&v, starter, vline);
		if (rc)
			fprintf(stderr, "golden %s: %s\n", dn, jolt_err_msg());
		assert_int_equal(rc, 0);
		for (size_t k = 0; k < nops; k++)
			if (jolt_op_at(k) == v->op)
				covered[k] = true;
		char *got = dump_text(v);
		size_t glen = strlen(got);
		got = realloc(got, glen + 2);
		memcpy(got + glen, "\n", 2);
		snprintf(path, sizeof(path), GOLDEN_DIR "/%s/expected.json", dn);
		if (update)
			write_all(path, got);
		char *want = read_all(path);
		if (!want || strcmp(want, got)) {
			fprintf(stderr,
				"golden %s: the dump differs from %s "
				"(if the change is intended, regenerate with "
				"scripts/golden.sh and review the diff)\n",
				dn, path);
			failed++;
		}
		checked++;
		free(want);
		free(got);
		free(input);
		jolt_variant_free(v);
	}
	for (size_t k = 0; k < nops; k++)
		if (!covered[k] && applies_to_golden_task(jolt_op_at(k))) {
			fprintf(stderr,
				"golden: operator %s has no case under %s "
				"(scripts/golden.sh adds one)\n",
				jolt_op_at(k)->name, GOLDEN_DIR);
			failed++;
		}
	free(covered);
	json_decref(dirs);
	assert_true(checked > 0);
	assert_int_equal(failed, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registry),
		cmocka_unit_test(test_baseline),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_level_range),
		cmocka_unit_test(test_determinism),
		cmocka_unit_test(test_all_operators),
		cmocka_unit_test(test_typo_protected),
		cmocka_unit_test(test_tool_rename_map),
		cmocka_unit_test(test_distractor),
		cmocka_unit_test(test_tool_removed),
		cmocka_unit_test(test_missing_detail),
		cmocka_unit_test(test_user_split_and_paraphrase),
		cmocka_unit_test(test_diff),
		cmocka_unit_test(test_golden),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
