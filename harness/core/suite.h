/*
 * suite.h - the suite and task model, loaded from suite.yaml and
 * tasks/NAME.yaml (the README's "Suites") by world/load.c.
 *
 * Loading converts YAML to a jansson tree while remembering where every
 * node came from, validates it, and fills the structs below. Errors name
 * the file, line and column and what was expected, and return JOLT_EINPUT.
 *
 * Ownership: a jolt_suite owns everything reachable from it, the json_t
 * trees included (one reference each). Free it with jolt_suite_free().
 * The structs are read-only after loading and shared by all worker threads.
 */
#ifndef JOLT_SUITE_H
#define JOLT_SUITE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* How a tool runs: a builtin written in C, or a command in the sandbox. */
enum jolt_tool_kind { JOLT_TOOL_BUILTIN, JOLT_TOOL_EXEC };

typedef struct jolt_tool {
	char *name;
	char *description;
	json_t *parameters; /* JSON Schema object, {type: object, ...} */
	json_t *run;        /* the `run:` mapping as written */
	enum jolt_tool_kind kind;
	const struct jolt_builtin *builtin; /* for JOLT_TOOL_BUILTIN */
	char *exec;          /* for JOLT_TOOL_EXEC: the command line */
	double timeout_s;    /* exec wall clock; default from the suite */
} jolt_tool;

typedef struct jolt_task {
	char *id;
	char *file;       /* path of the task's YAML file, for messages */
	char *user;       /* the user prompt */
	char *system;     /* task override of the suite's system prompt, or NULL */
	json_t *paraphrases; /* array of strings, may be empty */
	size_t *tools;    /* indices into suite->tools visible to this task */
	size_t ntools;
	json_t *grade;    /* array of grader objects (see grade.h) */
	json_t *oracle;   /* array of {call: {name, args}} | {answer: str} */
	int max_steps;    /* 0 = the suite's */
	/* `env: {rev: SHA}`: the suite's env repository at this commit for
	 * this task's working copies and env operators (40 hex digits), or
	 * NULL for the suite's env_rev. Use jolt_task_env_rev(). */
	char *env_rev;
	json_t *doc;      /* the whole task document */
} jolt_task;

typedef struct jolt_suite {
	char *name;
	char *description;
	char *dir;        /* absolute path of the suite directory */
	char *system;     /* default system prompt */
	char *env_dir;    /* absolute path of env/ directory, or NULL */
	char *env_repo;   /* absolute path of a git repository, or NULL */
	char *env_rev;    /* revision to check out in env_repo */
	int max_steps;    /* default 20 */
	double exec_timeout_s; /* default wall clock for exec tools, 30 */
	jolt_tool *tools;
	size_t ntools;
	jolt_task *tasks;
	size_t ntasks;
	json_t *doc;      /* suite.yaml as loaded */
} jolt_suite;

/* Loading and validating a suite directory is world/load.h. */
void jolt_suite_free(jolt_suite *s);

/* Tool by name among all suite tools; NULL if none. */
const jolt_tool *jolt_suite_tool(const jolt_suite *s, const char *name);
const jolt_task *jolt_suite_task(const jolt_suite *s, const char *id);
/* Whether the suite's tool number `index` is one the task may use (its
 * `tools:` list, or every suite tool when it gives none). */
bool jolt_task_sees(const jolt_task *t, size_t index);
/* The tool named `name` if the task may use it; NULL otherwise. */
const jolt_tool *jolt_task_tool(const jolt_suite *s, const jolt_task *t,
				const char *name);
/* The revision of s's env repository that task t works on: the task's
 * `env: {rev}` when set, else the suite's env rev. NULL when the suite's
 * env is not a repository. t may be NULL. */
const char *jolt_task_env_rev(const jolt_suite *s, const jolt_task *t);

/* Parse YAML text into a jansson tree (for the loader, tests and fuzzing).
 * Scalars: plain `null`/`~`/empty -> null, true/false, integers, floats;
 * quoted scalars are always strings. Duplicate keys are an error.
 * `name` is used in error messages. The caller owns *out and frees it
 * with jolt_yaml_free() (which also drops its marks). Anchors, aliases,
 * tags other than !!str and multiple documents are errors. */
int jolt_yaml_parse(json_t **out, const char *name, const char *text,
		    size_t len);

/* Where a node of a tree returned by jolt_yaml_parse came from: 1-based
 * line and column, or 0/0 when unknown (e.g. trees built in code). null,
 * true and false are shared singletons in jansson and have no mark of their
 * own: ask for them through their container with the functions below. */
void jolt_yaml_mark(const json_t *node, int *line, int *col);

/* Marks of a member of a parsed mapping: where its key is written, and
 * where its value starts; and of element `index` of a parsed list. These
 * work for every value, null/true/false included. 0/0 when unknown. */
void jolt_yaml_mark_key(const json_t *obj, const char *key, int *line,
			int *col);
void jolt_yaml_mark_value(const json_t *obj, const char *key, int *line,
			  int *col);
void jolt_yaml_mark_elem(const json_t *arr, size_t index, int *line,
			 int *col);

/* The same marks as a value, for error messages, falling back to the
 * nearest known container: a value's mark to its mapping's, a key's to its
 * value's, an element's to its list's. {0, 0} when nothing is known (trees
 * built in code). */
typedef struct jolt_mark {
	int line, col;
} jolt_mark;
jolt_mark jolt_mark_node(const json_t *node);
jolt_mark jolt_mark_value(const json_t *obj, const char *key);
jolt_mark jolt_mark_key(const json_t *obj, const char *key);
jolt_mark jolt_mark_elem(const json_t *arr, size_t index);

/* The one form of an error in a suite file: returns JOLT_EINPUT with
 * "FILE:LINE:COL: message" in jolt_err_msg(), or "FILE: message" when the
 * mark is unknown. */
int jolt_input_err(const char *file, jolt_mark at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Marks live in a side table per parsed tree (jansson has no free hook).
 * Drop the table of the tree `root` returned by jolt_yaml_parse: call it
 * before the tree's last json_decref, since a freed node's address may be
 * reused. jolt_yaml_free() does both. NULL-safe; jolt_suite_free() does
 * this for the trees it owns. */
void jolt_yaml_forget(const json_t *root);
void jolt_yaml_free(json_t *root);

#endif
