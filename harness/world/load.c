/*
 * load.c - load and validate a suite directory: suite.yaml (name, tools,
 * defaults, environment) and tasks/\*.yaml (one task per file), into the
 * read-only structs of core/suite.h that every worker thread shares.
 *
 * It lives in world/ rather than next to the structs in core/ because
 * validating a suite asks the world's own registries: each builtin tool
 * checks its `run:` options and grade.c checks every grader list.
 *
 * Validation happens here, once, so that the rest of the harness can trust
 * the structs: every key known, every type right, every tool a task or its
 * oracle names declared, every builtin's options checked by the builtin and
 * every grader list checked by grade.c. Each error names the file (the path
 * as the user gave it), the line and column of the offending node from the
 * YAML marks (yaml.c), and what was expected.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/buf.h"
#include "core/common.h"
#include "core/suite.h"
#include "world/grade.h"
#include "world/load.h"
#include "world/tools.h"

#define SUITE_FILE_CAP (1024 * 1024) /* bytes per YAML file */
#define SUITE_MAX_TASKS 100000	     /* task files per suite */
#define SUITE_NAME_MAX 64	     /* tool names */
#define SUITE_ID_MAX 128	     /* task ids */
#define SUITE_STEPS_MAX 1000
#define SUITE_TIMEOUT_MAX 86400.0 /* seconds */

/* ---- error helpers ---------------------------------------------------- */

/* Positions and messages come from yaml.c (jolt_mark_*, jolt_input_err);
 * these names keep the validation below short. */
typedef jolt_mark loc;
#define at_node jolt_mark_node
#define at_value jolt_mark_value
#define at_key jolt_mark_key
#define at_elem jolt_mark_elem
#define errf jolt_input_err

static const char *type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "a mapping";
	case JSON_ARRAY:
		return "a list";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an integer";
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	case JSON_NULL:
		return "null (an empty value)";
	}
	return "something else";
}

/* Append "a, b, c" from a NULL-terminated list. */
static void join_names(jolt_buf *b, const char *const *names)
{
	for (size_t i = 0; names[i]; i++)
		jolt_buf_addf(b, "%s%s", i ? ", " : "", names[i]);
}

static int check_keys(const char *file, const json_t *obj,
		      const char *const *allowed, const char *what)
{
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)obj, key, v)
	{
		bool ok = false;
		for (size_t i = 0; allowed[i] && !ok; i++)
			ok = strcmp(allowed[i], key) == 0;
		if (ok)
			continue;
		jolt_buf names = JOLT_BUF_INIT;
		jolt_buf_init(&names, 1024);
		join_names(&names, allowed);
		int rc = errf(file, at_key(obj, key),
			      "unknown key '%.100s' in %s; expected one of: %s",
			      key, what, jolt_buf_cstr(&names));
		jolt_buf_release(&names);
		return rc;
	}
	return 0;
}

/* Required keys are reported at the mapping that lacks them. */
static int missing(const char *file, const json_t *obj, const char *key,
		   const char *what)
{
	loc l = at_node(obj);
	if (l.line == 0)
		l = (loc){1, 1};
	return errf(file, l, "missing required key '%s' in %s", key, what);
}

/* A string member: *out borrowed from the tree, NULL when absent and not
 * required. */
static int get_string(const char **out, const char *file, const json_t *obj,
		      const char *key, bool required, bool nonempty,
		      const char *what)
{
	*out = NULL;
	json_t *v = json_object_get(obj, key);
	if (!v)
		return required ? missing(file, obj, key, what) : 0;
	if (!json_is_string(v))
		return errf(file, at_value(obj, key),
			    "expected a string for '%s' in %s, got %s", key,
			    what, type_name(v));
	if (nonempty && json_string_length(v) == 0)
		return errf(file, at_value(obj, key),
			    "'%s' in %s must not be empty", key, what);
	*out = json_string_value(v);
	return 0;
}

static char *dup_or_null(const char *s)
{
	return s ? jolt_xstrdup(s) : NULL;
}

static int get_int(int *out, const char *file, const json_t *obj,
		   const char *key, int lo, int hi, int dflt, const char *what)
{
	*out = dflt;
	json_t *v = json_object_get(obj, key);
	if (!v)
		return 0;
	if (!json_is_integer(v))
		return errf(file, at_value(obj, key),
			    "expected an integer for '%s' in %s, got %s", key,
			    what, type_name(v));
	json_int_t n = json_integer_value(v);
	if (n < lo || n > hi)
		return errf(file, at_value(obj, key),
			    "'%s' in %s must be between %d and %d, got "
			    "%" JSON_INTEGER_FORMAT,
			    key, what, lo, hi, n);
	*out = (int)n;
	return 0;
}

static int get_seconds(double *out, const char *file, const json_t *obj,
		       const char *key, double dflt, const char *what)
{
	*out = dflt;
	json_t *v = json_object_get(obj, key);
	if (!v)
		return 0;
	if (!json_is_number(v))
		return errf(file, at_value(obj, key),
			    "expected a number of seconds for '%s' in %s, "
			    "got %s",
			    key, what, type_name(v));
	double d = json_number_value(v);
	if (!(d > 0 && d <= SUITE_TIMEOUT_MAX))
		return errf(file, at_value(obj, key),
			    "'%s' in %s must be more than 0 and at most %.0f "
			    "seconds",
			    key, what, SUITE_TIMEOUT_MAX);
	*out = d;
	return 0;
}

/* ---- files ------------------------------------------------------------ */

static char *path_join(const char *dir, const char *rel)
{
	size_t n = strlen(dir);
	bool slash = n > 0 && dir[n - 1] == '/';
	return jolt_xasprintf("%s%s%s", dir, slash ? "" : "/", rel);
}

static int read_yaml(json_t **out, const char *file)
{
	jolt_buf b;
	jolt_buf_init(&b, SUITE_FILE_CAP);
	int rc = jolt_buf_read_file(&b, file);
	if (rc == JOLT_ETOOBIG)
		rc = jolt_err_set(rc,
				  "%s: larger than the %d KiB cap for a suite "
				  "file; split it or move data into env/",
				  file, SUITE_FILE_CAP / 1024);
	if (!rc)
		rc = jolt_yaml_parse(out, file, b.s, b.len);
	jolt_buf_release(&b);
	return rc;
}

static int root_mapping(const char *file, const json_t *doc, const char *what)
{
	if (json_is_object(doc))
		return 0;
	loc l = at_node(doc);
	if (l.line == 0)
		l = (loc){1, 1};
	return errf(file, l, "expected a mapping of %s keys, got %s", what,
		    json_is_null(doc) ? "an empty document" : type_name(doc));
}

/* Resolve `rel` (relative to the suite directory) to an existing
 * directory; *out absolute and canonical. */
static int suite_dir_path(char **out, const jolt_suite *s, const char *file,
			  const json_t *obj, const char *key, const char *rel)
{
	*out = NULL;
	if (rel[0] == '/')
		return errf(file, at_value(obj, key),
			    "'%s' must be a path relative to the suite "
			    "directory, not absolute",
			    key);
	char *joined = path_join(s->dir, rel);
	char *real = realpath(joined, NULL);
	struct stat st;
	int rc = 0;
	if (!real || stat(real, &st) != 0 || !S_ISDIR(st.st_mode)) {
		rc = errf(file, at_value(obj, key),
			  "'%s' names '%s', which is not a directory (looked "
			  "at %s)",
			  key, rel, joined);
		free(real);
		real = NULL;
	}
	free(joined);
	*out = real;
	return rc;
}

/* ---- suite.yaml ------------------------------------------------------- */

static const char *const suite_keys[] = {"name",  "description", "system",
					 "env",	  "max_steps",	 "exec_timeout",
					 "tools", NULL};
static const char *const tool_keys[] = {"name", "description", "parameters",
					"run", NULL};
static const char *const env_keys[] = {"repo", "rev", NULL};
static const char *const exec_keys[] = {"exec", "timeout", NULL};
static const char *const schema_types[] = {
    "string", "number", "integer", "boolean", "array", "object", "null", NULL};

static int load_env(jolt_suite *s, const char *file, const json_t *doc)
{
	json_t *env = json_object_get(doc, "env");
	const char *str;
	int rc;
	if (!env)
		return 0;
	if (json_is_string(env)) {
		str = json_string_value(env);
		if (!*str)
			return errf(file, at_value(doc, "env"),
				    "'env' must not be empty");
		return suite_dir_path(&s->env_dir, s, file, doc, "env", str);
	}
	if (!json_is_object(env))
		return errf(file, at_value(doc, "env"),
			    "expected a directory path or a mapping {repo: "
			    "PATH, rev: REVISION} for 'env', got %s",
			    type_name(env));
	rc = check_keys(file, env, env_keys, "env");
	if (rc)
		return rc;
	rc = get_string(&str, file, env, "repo", true, true, "env");
	if (rc)
		return rc;
	rc = suite_dir_path(&s->env_repo, s, file, env, "repo", str);
	if (rc)
		return rc;
	rc = get_string(&str, file, env, "rev", true, true, "env");
	if (rc)
		return rc;
	s->env_rev = jolt_xstrdup(str);
	return 0;
}

static bool valid_tool_name(const char *n)
{
	size_t len = strlen(n);
	if (len == 0 || len > SUITE_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = n[i];
		bool alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			     c == '_';
		bool more = (c >= '0' && c <= '9') || c == '.' || c == '-';
		if (!alpha && (i == 0 || !more))
			return false;
	}
	return true;
}

static bool in_list(const char *const *names, const char *s)
{
	for (size_t i = 0; names[i]; i++)
		if (strcmp(names[i], s) == 0)
			return true;
	return false;
}

static int check_schema(const char *file, const json_t *tool,
			const json_t *params, const char *what)
{
	if (!json_is_object(params))
		return errf(file, at_value(tool, "parameters"),
			    "expected a mapping (a JSON Schema object) for "
			    "'parameters' of %s, got %s",
			    what, type_name(params));
	json_t *type = json_object_get(params, "type");
	if (!json_is_string(type) ||
	    strcmp(json_string_value(type), "object") != 0)
		return errf(file,
			    type ? at_value(params, "type") : at_node(params),
			    "'parameters' of %s must have type: object", what);
	json_t *props = json_object_get(params, "properties");
	if (props && !json_is_object(props))
		return errf(file, at_value(params, "properties"),
			    "expected a mapping of parameter names to schemas "
			    "for 'properties' of %s, got %s",
			    what, type_name(props));
	const char *pname;
	json_t *p;
	json_object_foreach(props, pname, p)
	{
		if (!json_is_object(p))
			return errf(file, at_value(props, pname),
				    "expected a mapping for parameter '%s' of "
				    "%s, got %s",
				    pname, what, type_name(p));
		json_t *pt = json_object_get(p, "type");
		if (!json_is_string(pt) ||
		    !in_list(schema_types, json_string_value(pt)))
			return errf(file, pt ? at_value(p, "type") : at_node(p),
				    "parameter '%s' of %s needs a type, one "
				    "of: string, number, integer, boolean, "
				    "array, object, null",
				    pname, what);
	}
	json_t *req = json_object_get(params, "required");
	if (req && !json_is_array(req))
		return errf(file, at_value(params, "required"),
			    "expected a list of parameter names for "
			    "'required' of %s, got %s",
			    what, type_name(req));
	size_t i;
	json_t *r;
	json_array_foreach(req, i, r)
	{
		if (!json_is_string(r))
			return errf(file, at_elem(req, i),
				    "expected a parameter name in 'required' "
				    "of %s, got %s",
				    what, type_name(r));
		if (!json_object_get(props, json_string_value(r)))
			return errf(file, at_elem(req, i),
				    "required parameter '%s' of %s is not "
				    "among its properties",
				    json_string_value(r), what);
	}
	return 0;
}

static int load_run(jolt_tool *t, const jolt_suite *s, const char *file,
		    const json_t *tool, const char *what)
{
	json_t *run = json_object_get(tool, "run");
	const char *str;
	int rc;
	if (!run)
		return missing(file, tool, "run", what);
	if (!json_is_object(run))
		return errf(file, at_value(tool, "run"),
			    "expected a mapping {builtin: NAME} or {exec: "
			    "COMMAND} for 'run' of %s, got %s",
			    what, type_name(run));
	t->run = json_incref(run);
	t->timeout_s = s->exec_timeout_s;
	bool has_b = json_object_get(run, "builtin") != NULL;
	bool has_e = json_object_get(run, "exec") != NULL;
	if (has_b == has_e)
		return errf(file, at_value(tool, "run"),
			    "'run' of %s must have exactly one of 'builtin: "
			    "NAME' or 'exec: COMMAND'",
			    what);
	if (has_e) {
		t->kind = JOLT_TOOL_EXEC;
		rc = check_keys(file, run, exec_keys, "an exec run");
		if (!rc)
			rc = get_string(&str, file, run, "exec", true, true,
					what);
		if (!rc)
			t->exec = jolt_xstrdup(str);
		if (!rc)
			rc = get_seconds(&t->timeout_s, file, run, "timeout",
					 s->exec_timeout_s, what);
		return rc;
	}
	t->kind = JOLT_TOOL_BUILTIN;
	rc = get_string(&str, file, run, "builtin", true, true, what);
	if (rc)
		return rc;
	t->builtin = jolt_builtin_find(str);
	if (!t->builtin) {
		jolt_buf names = JOLT_BUF_INIT;
		jolt_buf_init(&names, 1024);
		for (size_t i = 0; jolt_builtins[i].name; i++)
			jolt_buf_addf(&names, "%s%s", i ? ", " : "",
				      jolt_builtins[i].name);
		rc = errf(file, at_value(run, "builtin"),
			  "unknown builtin '%.100s' in %s; available: %s", str,
			  what, jolt_buf_cstr(&names));
		jolt_buf_release(&names);
		return rc;
	}
	if (!t->builtin->check) {
		const char *const only[] = {"builtin", NULL};
		char ctx[200];
		snprintf(ctx, sizeof(ctx),
			 "the run of %s (builtin '%s' takes "
			 "no options)",
			 what, t->builtin->name);
		return check_keys(file, run, only, ctx);
	}
	rc = t->builtin->check(run, s);
	if (rc) {
		char detail[1024];
		snprintf(detail, sizeof(detail), "%s", jolt_err_msg());
		errf(file, at_value(tool, "run"), "%s: %s", what, detail);
		return rc < 0 ? rc : JOLT_EINPUT;
	}
	return 0;
}

static int load_tool(jolt_tool *t, jolt_suite *s, const char *file,
		     const json_t *tools, size_t idx)
{
	const json_t *tool = json_array_get(tools, idx);
	char what[128];
	const char *str;
	int rc;
	if (!json_is_object(tool))
		return errf(file, at_elem(tools, idx),
			    "expected a mapping for tool %zu, got %s", idx + 1,
			    type_name(tool));
	json_t *name = json_object_get(tool, "name");
	if (json_is_string(name))
		snprintf(what, sizeof(what), "tool '%.64s'",
			 json_string_value(name));
	else
		snprintf(what, sizeof(what), "tool %zu", idx + 1);
	rc = check_keys(file, tool, tool_keys, what);
	if (rc)
		return rc;
	rc = get_string(&str, file, tool, "name", true, false, what);
	if (rc)
		return rc;
	if (!valid_tool_name(str))
		return errf(file, at_value(tool, "name"),
			    "tool name '%.100s' must match "
			    "[A-Za-z_][A-Za-z0-9_.-]* and be at most %d "
			    "characters",
			    str, SUITE_NAME_MAX);
	for (size_t i = 0; i < idx; i++) {
		if (strcmp(s->tools[i].name, str) == 0) {
			loc first = at_value(json_array_get(tools, i), "name");
			return errf(file, at_value(tool, "name"),
				    "duplicate tool name '%s' (first declared "
				    "at line %d)",
				    str, first.line);
		}
	}
	t->name = jolt_xstrdup(str);
	rc = get_string(&str, file, tool, "description", true, false, what);
	if (rc)
		return rc;
	t->description = jolt_xstrdup(str);
	json_t *params = json_object_get(tool, "parameters");
	if (params) {
		rc = check_schema(file, tool, params, what);
		if (rc)
			return rc;
		t->parameters = json_incref(params);
	} else {
		t->parameters =
		    json_pack("{s:s, s:{}}", "type", "object", "properties");
	}
	return load_run(t, s, file, tool, what);
}

static int load_tools(jolt_suite *s, const char *file, const json_t *doc)
{
	json_t *tools = json_object_get(doc, "tools");
	if (!tools)
		return missing(file, doc, "tools", "suite");
	if (!json_is_array(tools))
		return errf(file, at_value(doc, "tools"),
			    "expected a list of tools for 'tools', got %s",
			    type_name(tools));
	if (json_array_size(tools) == 0)
		return errf(file, at_value(doc, "tools"),
			    "'tools' must declare at least one tool");
	s->tools = jolt_xcalloc(json_array_size(tools), sizeof(*s->tools));
	for (size_t i = 0; i < json_array_size(tools); i++) {
		s->ntools = i + 1; /* so a partial tool is freed */
		int rc = load_tool(&s->tools[i], s, file, tools, i);
		if (rc)
			return rc;
	}
	return 0;
}

/* ---- task files ----------------------------------------------------- */

static const char *const task_keys[] = {
    "id", "user", "system", "paraphrases", "tools", "grade", "oracle",
    "max_steps", "env", NULL};
static const char *const task_env_keys[] = {"rev", NULL};

static bool valid_task_id(const char *id)
{
	size_t n = strlen(id);
	if (n == 0 || n > SUITE_ID_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = id[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '.' ||
		      c == '-'))
			return false;
	}
	return true;
}

static bool is_full_sha(const char *s)
{
	size_t n = 0;
	for (; s[n]; n++)
		if (!((s[n] >= '0' && s[n] <= '9') ||
		      (s[n] >= 'a' && s[n] <= 'f') ||
		      (s[n] >= 'A' && s[n] <= 'F')))
			return false;
	return n == 40;
}

/* `env: {rev: SHA}`: the suite's repository at another commit for this
 * task. A full object id only: a branch name would move under the suite
 * and make two runs of the same task see different trees. */
static int load_task_env(jolt_task *t, const jolt_suite *s, const char *file,
			 const json_t *doc)
{
	const json_t *env = json_object_get(doc, "env");
	const char *str;
	if (!env)
		return 0;
	if (!json_is_object(env))
		return errf(file, at_value(doc, "env"),
			    "expected a mapping {rev: COMMIT} for a task's "
			    "'env', got %s",
			    type_name(env));
	int rc = check_keys(file, env, task_env_keys, "a task's env");
	if (!rc)
		rc = get_string(&str, file, env, "rev", true, true, "env");
	if (rc)
		return rc;
	if (!is_full_sha(str))
		return errf(file, at_value(env, "rev"),
			    "env rev '%.100s' must be a full commit id (40 hex "
			    "digits)",
			    str);
	if (!s->env_repo)
		return errf(file, at_key(doc, "env"),
			    "a task's env rev needs the suite's env to be a "
			    "git repository (env: {repo: PATH, rev: REV} in "
			    "suite.yaml)");
	t->env_rev = jolt_xstrdup(str);
	return 0;
}

static void task_tool_names(jolt_buf *b, const jolt_suite *s,
			    const jolt_task *t)
{
	for (size_t i = 0; i < t->ntools; i++)
		jolt_buf_addf(b, "%s%s", i ? ", " : "",
			      s->tools[t->tools[i]].name);
	if (t->ntools == 0)
		jolt_buf_adds(b, "none");
}

static int load_task_tools(jolt_task *t, const jolt_suite *s, const char *file,
			   const json_t *doc)
{
	json_t *list = json_object_get(doc, "tools");
	if (!list) {
		t->tools = jolt_xcalloc(s->ntools, sizeof(*t->tools));
		for (size_t i = 0; i < s->ntools; i++)
			t->tools[i] = i;
		t->ntools = s->ntools;
		return 0;
	}
	if (!json_is_array(list))
		return errf(file, at_value(doc, "tools"),
			    "expected a list of tool names for 'tools', got %s",
			    type_name(list));
	t->tools = jolt_xcalloc(json_array_size(list), sizeof(*t->tools));
	size_t i;
	json_t *v;
	json_array_foreach(list, i, v)
	{
		if (!json_is_string(v))
			return errf(file, at_elem(list, i),
				    "expected a tool name in 'tools', got %s",
				    type_name(v));
		const jolt_tool *found = jolt_suite_tool(s, json_string_value(v));
		long k = found ? (long)(found - s->tools) : -1;
		if (k < 0)
			return errf(file, at_elem(list, i),
				    "'tools' names '%.100s', which the suite "
				    "does not declare",
				    json_string_value(v));
		for (size_t j = 0; j < t->ntools; j++)
			if (t->tools[j] == (size_t)k)
				return errf(file, at_elem(list, i),
					    "'tools' lists '%s' twice",
					    json_string_value(v));
		t->tools[t->ntools++] = (size_t)k;
	}
	return 0;
}

static int load_call(json_t *call, const jolt_suite *s, const jolt_task *t,
		     const char *file, const json_t *step, size_t n)
{
	static const char *const call_keys[] = {"name", "args", NULL};
	char what[64];
	const char *name;
	snprintf(what, sizeof(what), "oracle step %zu", n);
	if (!json_is_object(call))
		return errf(file, at_value(step, "call"),
			    "expected a mapping {name: TOOL, args: {...}} for "
			    "'call' in %s, got %s",
			    what, type_name(call));
	int rc = check_keys(file, call, call_keys, what);
	if (!rc)
		rc = get_string(&name, file, call, "name", true, true, what);
	if (rc)
		return rc;
	const jolt_tool *tool = jolt_task_tool(s, t, name);
	if (!tool) {
		jolt_buf names = JOLT_BUF_INIT;
		jolt_buf_init(&names, 1024);
		task_tool_names(&names, s, t);
		rc = errf(file, at_value(call, "name"),
			  "%s calls undeclared tool '%.100s' (the task's "
			  "tools: %s)",
			  what, name, jolt_buf_cstr(&names));
		jolt_buf_release(&names);
		return rc;
	}
	json_t *args = json_object_get(call, "args");
	if (args && !json_is_object(args))
		return errf(file, at_value(call, "args"),
			    "expected a mapping of arguments for 'args' in %s, "
			    "got %s",
			    what, type_name(args));
	json_t *req = json_object_get(tool->parameters, "required");
	size_t i;
	json_t *r;
	json_array_foreach(req, i, r)
	{
		const char *pn = json_string_value(r);
		if (!json_object_get(args, pn))
			return errf(file,
				    args ? at_value(call, "args")
					 : at_value(call, "name"),
				    "%s: call to '%s' lacks required argument "
				    "'%s'",
				    what, name, pn);
	}
	if (!args) /* consumers may rely on args being an object */
		json_object_set_new(call, "args", json_object());
	return 0;
}

static int load_oracle(jolt_task *t, const jolt_suite *s, const char *file,
		       const json_t *doc)
{
	json_t *oracle = json_object_get(doc, "oracle");
	if (!oracle)
		return missing(file, doc, "oracle", "task");
	if (!json_is_array(oracle) || json_array_size(oracle) == 0)
		return errf(file, at_value(doc, "oracle"),
			    "expected a non-empty list of steps ({call: ...} "
			    "or {answer: ...}) for 'oracle', got %s",
			    json_is_array(oracle) ? "an empty list"
						  : type_name(oracle));
	size_t i;
	json_t *step;
	json_array_foreach(oracle, i, step)
	{
		size_t n = i + 1;
		if (!json_is_object(step) || json_object_size(step) != 1)
			return errf(file, at_elem(oracle, i),
				    "oracle step %zu must be a mapping with "
				    "exactly one key, 'call' or 'answer'",
				    n);
		const char *key =
		    json_object_iter_key(json_object_iter((json_t *)step));
		json_t *v = json_object_get(step, key);
		int rc;
		if (strcmp(key, "answer") == 0) {
			if (!json_is_string(v))
				return errf(file, at_value(step, "answer"),
					    "expected a string for 'answer' in "
					    "oracle step %zu, got %s",
					    n, type_name(v));
			continue;
		}
		if (strcmp(key, "call") != 0)
			return errf(file, at_key(step, key),
				    "unknown key '%.100s' in oracle step %zu; "
				    "expected one of: call, answer",
				    key, n);
		rc = load_call(v, s, t, file, step, n);
		if (rc)
			return rc;
	}
	t->oracle = json_incref(oracle);
	return 0;
}

static int load_task(jolt_task *t, const jolt_suite *s, const char *file)
{
	const char *str;
	int rc;
	t->file = jolt_xstrdup(file);
	rc = read_yaml(&t->doc, file);
	if (rc)
		return rc;
	const json_t *doc = t->doc;
	rc = root_mapping(file, doc, "task");
	if (!rc)
		rc = check_keys(file, doc, task_keys, "task");
	if (!rc)
		rc = get_string(&str, file, doc, "id", true, true, "task");
	if (rc)
		return rc;
	if (!valid_task_id(str))
		return errf(file, at_value(doc, "id"),
			    "task id '%.100s' must be 1 to %d characters from "
			    "[A-Za-z0-9_.-]",
			    str, SUITE_ID_MAX);
	t->id = jolt_xstrdup(str);
	rc = get_string(&str, file, doc, "user", true, true, "task");
	if (rc)
		return rc;
	t->user = jolt_xstrdup(str);
	rc = get_string(&str, file, doc, "system", false, false, "task");
	if (rc)
		return rc;
	t->system = dup_or_null(str);

	json_t *para = json_object_get(doc, "paraphrases");
	if (para) {
		if (!json_is_array(para))
			return errf(file, at_value(doc, "paraphrases"),
				    "expected a list of strings for "
				    "'paraphrases', got %s",
				    type_name(para));
		size_t i;
		json_t *p;
		json_array_foreach(para, i, p)
		{
			if (!json_is_string(p) || json_string_length(p) == 0)
				return errf(file, at_elem(para, i),
					    "expected a non-empty string for "
					    "paraphrase %zu, got %s",
					    i + 1,
					    json_is_string(p) ? "an empty one"
							      : type_name(p));
		}
		t->paraphrases = json_incref(para);
	} else {
		t->paraphrases = json_array();
	}

	rc = load_task_tools(t, s, file, doc);
	if (!rc)
		rc = load_task_env(t, s, file, doc);
	if (!rc)
		rc = get_int(&t->max_steps, file, doc, "max_steps", 1,
			     SUITE_STEPS_MAX, 0, "task");
	if (rc)
		return rc;

	json_t *grade = json_object_get(doc, "grade");
	if (!grade)
		return missing(file, doc, "grade", "task");
	if (!json_is_array(grade) || json_array_size(grade) == 0)
		return errf(file, at_value(doc, "grade"),
			    "expected a non-empty list of graders for 'grade', "
			    "got %s",
			    json_is_array(grade) ? "an empty list"
						 : type_name(grade));
	rc = jolt_grade_check(grade, file);
	if (rc)
		return rc;
	t->grade = json_incref(grade);
	return load_oracle(t, s, file, doc);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_task(const void *a, const void *b)
{
	const jolt_task *x = a, *y = b;
	int c = strcmp(x->id, y->id);
	return c ? c : strcmp(x->file, y->file);
}

static int load_tasks(jolt_suite *s, const char *dir)
{
	char *tdir = path_join(dir, "tasks");
	char **names = NULL;
	size_t n = 0, alloc = 0;
	int rc = 0;
	DIR *d = opendir(tdir);
	if (!d) {
		int e = errno;
		rc = jolt_err_set(e == ENOENT ? JOLT_EINPUT : JOLT_EIO,
				  "%s: %s; a suite keeps one task per file in "
				  "tasks/*.yaml",
				  tdir, strerror(e));
		goto done;
	}
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		if (e->d_name[0] == '.' || len <= 5 ||
		    strcmp(e->d_name + len - 5, ".yaml") != 0)
			continue;
		if (n == SUITE_MAX_TASKS) {
			rc = jolt_err_set(JOLT_ETOOBIG,
					  "%s: more than %d task files", tdir,
					  SUITE_MAX_TASKS);
			goto done;
		}
		if (n == alloc) {
			alloc = alloc ? alloc * 2 : 32;
			names = jolt_xrealloc(names, alloc * sizeof(*names));
		}
		names[n++] = jolt_xstrdup(e->d_name);
	}
	if (n == 0) {
		rc = jolt_err_set(JOLT_EINPUT,
				  "%s: no task files; a suite keeps one task "
				  "per file in tasks/*.yaml",
				  tdir);
		goto done;
	}
	qsort(names, n, sizeof(*names), cmp_str);
	s->tasks = jolt_xcalloc(n, sizeof(*s->tasks));
	for (size_t i = 0; i < n; i++) {
		char *file = path_join(tdir, names[i]);
		s->ntasks = i + 1; /* so a partial task is freed */
		rc = load_task(&s->tasks[i], s, file);
		free(file);
		if (rc)
			goto done;
	}
	qsort(s->tasks, s->ntasks, sizeof(*s->tasks), cmp_task);
	for (size_t i = 1; i < s->ntasks; i++) {
		const jolt_task *a = &s->tasks[i - 1], *b = &s->tasks[i];
		if (strcmp(a->id, b->id) == 0) {
			rc = errf(b->file, at_value(b->doc, "id"),
				  "duplicate task id '%s'; %s uses it too",
				  b->id, a->file);
			goto done;
		}
	}
done:
	if (d)
		closedir(d);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(tdir);
	return rc;
}

static int load_suite(jolt_suite *s, const char *dir)
{
	const char *str;
	char *file = NULL;
	struct stat st;
	int rc;
	s->dir = realpath(dir, NULL);
	if (!s->dir || stat(s->dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		int e = errno;
		return jolt_err_set(
		    (!s->dir && e == ENOENT) ? JOLT_ENOTFOUND : JOLT_EINPUT,
		    "%s: not a suite directory (%s); a suite is a "
		    "directory with suite.yaml and tasks/*.yaml",
		    dir, s->dir ? "not a directory" : strerror(e));
	}
	file = path_join(dir, "suite.yaml");
	rc = read_yaml(&s->doc, file);
	if (rc == JOLT_ENOTFOUND)
		rc = jolt_err_set(rc,
				  "%s: not found; is '%s' a suite directory? "
				  "It needs suite.yaml and tasks/*.yaml",
				  file, dir);
	if (rc)
		goto done;
	const json_t *doc = s->doc;
	rc = root_mapping(file, doc, "suite");
	if (!rc)
		rc = check_keys(file, doc, suite_keys, "suite");
	if (!rc)
		rc = get_string(&str, file, doc, "name", true, true, "suite");
	if (rc)
		goto done;
	s->name = jolt_xstrdup(str);
	rc = get_string(&str, file, doc, "description", false, false, "suite");
	if (rc)
		goto done;
	s->description = dup_or_null(str);
	rc = get_string(&str, file, doc, "system", false, false, "suite");
	if (rc)
		goto done;
	s->system = dup_or_null(str);
	rc = load_env(s, file, doc);
	if (!rc)
		rc = get_int(&s->max_steps, file, doc, "max_steps", 1,
			     SUITE_STEPS_MAX, 20, "suite");
	if (!rc)
		rc = get_seconds(&s->exec_timeout_s, file, doc, "exec_timeout",
				 30.0, "suite");
	if (!rc)
		rc = load_tools(s, file, doc);
	if (!rc)
		rc = load_tasks(s, dir);
done:
	free(file);
	return rc;
}

int jolt_suite_load(jolt_suite **out, const char *dir)
{
	*out = NULL;
	if (!dir || !*dir)
		return jolt_err_set(JOLT_EUSAGE, "no suite directory given");
	jolt_suite *s = jolt_xcalloc(1, sizeof(*s));
	int rc = load_suite(s, dir);
	if (rc) {
		jolt_suite_free(s);
		return rc;
	}
	*out = s;
	return 0;
}
