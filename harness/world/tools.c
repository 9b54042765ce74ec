/*
 * tools.c - the agent's tool calls: argument validation against the tool's
 * JSON Schema, the builtin tools written in C, and exec: tools run in the
 * sandbox with their arguments as environment variables.
 *
 * Everything the agent did wrong (bad arguments, missing file, refused
 * path, failing command) is JOLT_ETOOL with a message the agent reads in
 * *out; only harness faults (the sandbox would not start) return other
 * codes. Every text handed back is capped at JOLT_TOOL_OUTPUT_CAP, with a
 * note when it was cut.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "core/buf.h"
#include "core/common.h"
#include "core/csv.h"
#include "world/env.h"
#include "world/sandbox.h"
#include "world/tools.h"
#include "world/tools_int.h"

#define EXEC_ARG_MAX (100 * 1024) /* one ARG_ variable (kernel: 128 KiB) */
#define DUMP_FLAGS (JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15))

/* ---- helpers ------------------------------------------------------------ */

int tools_err(char **out, const char *fmt, ...)
{
	jolt_buf b;
	jolt_buf_init(&b, JOLT_TOOL_OUTPUT_CAP);
	va_list ap;
	va_start(ap, fmt);
	jolt_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	*out = jolt_buf_detach(&b);
	jolt_buf_release(&b);
	jolt_err_set(JOLT_ETOOL, "%s", *out);
	return JOLT_ETOOL;
}

/* Hand a capped buffer to the agent, noting a cut. */
int tools_finish(char **out, jolt_buf *b)
{
	int cut = b->truncated;
	size_t cap = b->cap;
	char *s = jolt_buf_detach(b);
	jolt_buf_release(b);
	if (cut) {
		*out = jolt_xasprintf("%s\n[output truncated at %zu bytes]", s,
				      cap);
		free(s);
	} else {
		*out = s;
	}
	return 0;
}

/* String form of a JSON value: strings raw, the rest as compact JSON. */
static char *value_text(const json_t *v)
{
	if (json_is_string(v))
		return jolt_xstrndup(json_string_value(v),
				     strlen(json_string_value(v)));
	if (json_is_real(v)) {
		double d = json_real_value(v);
		if (isfinite(d) && d == floor(d) && fabs(d) < 1e15)
			return jolt_xasprintf("%.0f", d);
		return jolt_xasprintf("%.15g", d);
	}
	char *s = json_dumps(v, DUMP_FLAGS);
	char *r = jolt_xstrdup(s ? s : "null");
	free(s);
	return r;
}

/* A required string argument; on failure *out holds the tool error. */
const char *tools_arg_string(char **out, const json_t *args, const char *name,
			     bool required, int *rc)
{
	const json_t *v = json_object_get(args, name);
	if (!v || json_is_null(v)) {
		if (required)
			*rc = tools_err(out, "missing required argument '%s'",
				       name);
		return NULL;
	}
	if (!json_is_string(v)) {
		*rc = tools_err(out, "argument '%s' must be a string", name);
		return NULL;
	}
	return json_string_value(v);
}

/* An optional integer argument (integral reals accepted, as the schema
 * check does); false when ill-typed. */
static bool opt_int(json_int_t *out, const json_t *v)
{
	if (!v || json_is_null(v))
		return true;
	if (json_is_integer(v)) {
		*out = json_integer_value(v);
		return true;
	}
	if (!json_is_real(v))
		return false;
	double d = json_real_value(v);
	if (!isfinite(d) || d != floor(d) || fabs(d) > 1e15)
		return false;
	*out = (json_int_t)d;
	return true;
}

/* Resolve an agent path inside the working copy; refusals become tool
 * errors the agent reads. */
int tools_resolve(char **out, char **path, const char *root, const char *rel)
{
	int rc = jolt_path_resolve(path, root, rel);
	if (rc == JOLT_EDENIED)
		return tools_err(out, "%s", jolt_err_msg());
	if (rc)
		return tools_err(out, "cannot use path '%s': %s", rel,
				jolt_err_msg());
	return 0;
}

const char *tools_run_string(const jolt_tool *t, const char *key)
{
	const json_t *v = json_object_get(t->run, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* Read a text file for the agent: not found, directory and binary are
 * tool errors. *text is NUL-terminated, caller frees. */
int tools_read_text(char **out, char **text, size_t *len, const char *path,
		     const char *rel, size_t cap)
{
	*text = NULL;
	struct stat st;
	if (stat(path, &st) < 0)
		return tools_err(out, "file '%s' not found", rel);
	if (S_ISDIR(st.st_mode))
		return tools_err(out, "'%s' is a directory, not a file", rel);
	if (!S_ISREG(st.st_mode))
		return tools_err(out, "'%s' is not a regular file", rel);
	jolt_buf b;
	jolt_buf_init(&b, cap);
	int rc = jolt_buf_read_file(&b, path);
	if (rc && rc != JOLT_ETOOBIG) {
		jolt_buf_release(&b);
		return tools_err(out, "cannot read '%s': %s", rel,
				jolt_err_msg());
	}
	if (memchr(b.s, '\0', b.len)) {
		jolt_buf_release(&b);
		return tools_err(out, "'%s' is a binary file", rel);
	}
	*len = b.len;
	*text = jolt_buf_detach(&b);
	jolt_buf_release(&b);
	return 0;
}

/* Files written by builtins belong to the sandbox uid like the rest of the
 * working copy, so later exec tools can change them. */
static void give_to_workdir_owner(const char *root, const char *path)
{
	struct stat st;
	if (geteuid() == 0 && stat(root, &st) == 0)
		if (lchown(path, st.st_uid, st.st_gid) < 0)
			return;
}

/* ---- check hooks -------------------------------------------------------- */

static int check_keys(const json_t *run, const char *tool,
		      const char *const *allowed)
{
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)run, k, v)
	{
		bool ok = !strcmp(k, "builtin");
		for (size_t i = 0; allowed && allowed[i] && !ok; i++)
			ok = !strcmp(k, allowed[i]);
		if (!ok)
			return jolt_err_set(JOLT_EINPUT,
					    "builtin '%s' takes no option '%s'",
					    tool, k);
	}
	return 0;
}

static int check_none(const json_t *run, const jolt_suite *s)
{
	const json_t *b = json_object_get(run, "builtin");
	return check_keys(run, json_is_string(b) ? json_string_value(b) : "?",
			  NULL);
}

static int check_corpus(const json_t *run, const jolt_suite *s)
{
	static const char *const allowed[] = {"dir", "top", NULL};
	const json_t *b = json_object_get(run, "builtin");
	const char *name = json_is_string(b) ? json_string_value(b) : "?";
	int rc = check_keys(run, name, allowed);
	if (rc)
		return rc;
	const json_t *dir = json_object_get(run, "dir");
	if (!json_is_string(dir) || !*json_string_value(dir))
		return jolt_err_set(JOLT_EINPUT,
				    "builtin '%s' needs option 'dir': the "
				    "corpus directory, relative to the "
				    "environment",
				    name);
	const json_t *top = json_object_get(run, "top");
	if (top && (!json_is_integer(top) || json_integer_value(top) < 1 ||
		    json_integer_value(top) > 100))
		return jolt_err_set(JOLT_EINPUT,
				    "builtin '%s': option 'top' must be an "
				    "integer from 1 to 100",
				    name);
	return 0;
}

static int check_table(const json_t *run, const jolt_suite *s)
{
	static const char *const allowed[] = {"file", "key", NULL};
	int rc = check_keys(run, "table", allowed);
	if (rc)
		return rc;
	const json_t *file = json_object_get(run, "file");
	if (!json_is_string(file) || !*json_string_value(file))
		return jolt_err_set(JOLT_EINPUT,
				    "builtin 'table' needs option 'file': a "
				    "CSV or JSON file relative to the "
				    "environment");
	const json_t *key = json_object_get(run, "key");
	if (!json_is_array(key) || json_array_size(key) == 0)
		return jolt_err_set(JOLT_EINPUT,
				    "builtin 'table' needs option 'key': a "
				    "non-empty list of column names");
	size_t i;
	json_t *k;
	json_array_foreach(key, i, k)
	{
		if (!json_is_string(k) || !*json_string_value(k))
			return jolt_err_set(JOLT_EINPUT,
					    "builtin 'table': 'key' entries "
					    "must be column names (strings)");
	}
	return 0;
}

/* ---- read_file, write_file, list_dir ------------------------------------ */

static int read_file_call(char **out, jolt_tool_ctx *ctx, const jolt_tool *t,
			  const json_t *args)
{
	int rc = 0;
	char *path = NULL, *text = NULL;
	size_t len = 0;
	const char *rel = tools_arg_string(out, args, "path", true, &rc);
	if (!rel)
		return rc;
	json_int_t offset = 0, limit = 0;
	if (!opt_int(&offset, json_object_get(args, "offset")) ||
	    !opt_int(&limit, json_object_get(args, "limit")))
		return tools_err(out, "'offset' and 'limit' must be integers "
				     "(line numbers)");
	if (offset < 0 || limit < 0)
		return tools_err(out, "'offset' and 'limit' must not be "
				     "negative");

	rc = tools_resolve(out, &path, ctx->workdir, rel);
	if (rc)
		goto done;
	rc = tools_read_text(out, &text, &len, path, rel, FILE_READ_CAP);
	if (rc)
		goto done;
	jolt_buf b;
	jolt_buf_init(&b, JOLT_TOOL_OUTPUT_CAP);
	if (offset <= 1 && limit == 0) {
		jolt_buf_add(&b, text, len);
	} else {
		/* offset: first line shown, 1-based; limit: lines shown. */
		json_int_t line = 1, shown = 0;
		const char *p = text, *end = text + len;
		while (p < end && (limit == 0 || shown < limit)) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			const char *e = nl ? nl + 1 : end;
			if (line >= offset) {
				jolt_buf_add(&b, p, (size_t)(e - p));
				shown++;
			}
			line++;
			p = e;
		}
	}
	rc = tools_finish(out, &b);
done:
	free(text);
	free(path);
	return rc;
}

static int mkdirs_inside(const char *root, const char *path)
{
	char *p = jolt_xstrdup(path);
	char *rroot = realpath(root, NULL);
	size_t start = rroot ? strlen(rroot) + 1 : 1;
	int rc = 0;
	for (size_t i = start; p[i] && i < strlen(path); i++) {
		if (p[i] != '/')
			continue;
		p[i] = '\0';
		if (mkdir(p, 0755) == 0)
			give_to_workdir_owner(root, p);
		else if (errno != EEXIST)
			rc = -1;
		p[i] = '/';
		if (rc)
			break;
	}
	free(rroot);
	free(p);
	return rc;
}

static int write_file_call(char **out, jolt_tool_ctx *ctx, const jolt_tool *t,
			   const json_t *args)
{
	int rc = 0;
	char *path = NULL;
	int fd = -1;
	const char *rel = tools_arg_string(out, args, "path", true, &rc);
	if (!rel)
		return rc;
	const char *content = tools_arg_string(out, args, "content", true, &rc);
	if (!content)
		return rc;
	size_t n = json_string_length(json_object_get(args, "content"));

	rc = tools_resolve(out, &path, ctx->workdir, rel);
	if (rc)
		goto done;
	struct stat st;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		rc = tools_err(out, "'%s' is a directory", rel);
		goto done;
	}
	if (mkdirs_inside(ctx->workdir, path) < 0) {
		rc = tools_err(out, "cannot create the directories for '%s': %s",
			      rel, strerror(errno));
		goto done;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
		  0644);
	if (fd < 0) {
		rc = tools_err(out, "cannot write '%s': %s", rel,
			      strerror(errno));
		goto done;
	}
	give_to_workdir_owner(ctx->workdir, path);
	for (size_t off = 0; off < n;) {
		ssize_t w = write(fd, content + off, n - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			rc = tools_err(out, "cannot write '%s': %s", rel,
				      strerror(errno));
			goto done;
		}
		off += (size_t)w;
	}
	*out = jolt_xasprintf("wrote %zu bytes to %s", n, rel);
done:
	if (fd >= 0)
		close(fd);
	free(path);
	return rc;
}

int tools_cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int list_dir_call(char **out, jolt_tool_ctx *ctx, const jolt_tool *t,
			 const json_t *args)
{
	int rc = 0;
	char *path = NULL;
	char **names = NULL;
	size_t n = 0, alloc = 0;
	DIR *d = NULL;
	const char *rel = tools_arg_string(out, args, "path", false, &rc);
	if (rc)
		return rc;
	if (!rel || !*rel)
		rel = ".";
	rc = tools_resolve(out, &path, ctx->workdir, rel);
	if (rc)
		goto done;
	d = opendir(path);
	if (!d) {
		rc = errno == ENOTDIR
			 ? tools_err(out, "'%s' is not a directory", rel)
			 : tools_err(out, "directory '%s' not found", rel);
		goto done;
	}
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		char *full = jolt_xasprintf("%s/%s", path, e->d_name);
		struct stat st;
		bool isdir = lstat(full, &st) == 0 && S_ISDIR(st.st_mode);
		free(full);
		if (n == alloc) {
			alloc = alloc ? alloc * 2 : 32;
			names = jolt_xrealloc(names, alloc * sizeof(*names));
		}
		names[n++] =
		    jolt_xasprintf("%s%s", e->d_name, isdir ? "/" : "");
	}
	qsort(names, n, sizeof(*names), tools_cmp_str);
	jolt_buf b;
	jolt_buf_init(&b, JOLT_TOOL_OUTPUT_CAP);
	for (size_t i = 0; i < n; i++)
		jolt_buf_addf(&b, "%s\n", names[i]);
	if (n == 0)
		jolt_buf_adds(&b, "(empty directory)\n");
	rc = tools_finish(out, &b);
done:
	if (d)
		closedir(d);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(path);
	return rc;
}

/* ---- table -------------------------------------------------------------- */

/* Rows as objects either way (CSV records keyed by the header, JSON as
 * written), keys in file order. */
static int load_table(char **out, json_t **rows, const char *path,
		      const char *rel)
{
	*rows = NULL;
	char *text = NULL;
	size_t len = 0;
	jolt_csv csv = {0};
	int rc = tools_read_text(out, &text, &len, path, rel, FILE_READ_CAP);
	if (rc)
		return rc;
	if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3)) {
		memmove(text, text + 3, len - 3 + 1); /* a UTF-8 BOM */
		len -= 3;
	}
	size_t rl = strlen(rel);
	if (rl >= 5 && !strcasecmp(rel + rl - 5, ".json")) {
		json_error_t je;
		json_t *arr = json_loadb(text, len, 0, &je);
		if (!json_is_array(arr)) {
			json_decref(arr);
			rc = tools_err(out,
				      "data file '%s' is not a JSON array "
				      "of objects",
				      rel);
			goto done;
		}
		*rows = arr;
		goto done;
	}
	if (jolt_csv_read(&csv, text, len)) {
		rc = tools_err(out, "data file '%s': %s", rel, jolt_err_msg());
		goto done;
	}
	const json_t *recs = csv.rows;
	json_t *hdr = json_array_get(recs, 0);
	json_t *objs = json_array();
	for (size_t r = 1; r < json_array_size(recs); r++) {
		json_t *rec = json_array_get(recs, r);
		json_t *o = json_object();
		for (size_t c = 0; c < json_array_size(hdr); c++) {
			json_t *v = json_array_get(rec, c);
			json_object_set_new(
			    o, json_string_value(json_array_get(hdr, c)),
			    v ? json_incref(v) : json_string(""));
		}
		json_array_append_new(objs, o);
	}
	*rows = objs;
done:
	jolt_csv_release(&csv);
	free(text);
	return rc;
}

static int table_call(char **out, jolt_tool_ctx *ctx, const jolt_tool *t,
		      const json_t *args)
{
	int rc = 0;
	char *path = NULL;
	json_t *rows = NULL;
	char **want = NULL;
	const json_t *key = json_object_get(t->run, "key");
	if (!tools_run_string(t, "file") || !json_is_array(key) ||
	    json_array_size(key) == 0)
		return tools_err(out,
				"tool '%s' has no data file and key "
				"configured",
				t->name);
	size_t nk = json_array_size(key);
	/* The data file may have been moved by an environment variant. */
	char *file = jolt_path_mapped(ctx->path_map, tools_run_string(t, "file"));
	want = jolt_xcalloc(nk, sizeof(*want));
	for (size_t i = 0; i < nk; i++) {
		const char *k = json_string_value(json_array_get(key, i));
		const json_t *v = k ? json_object_get(args, k) : NULL;
		if (!v) {
			rc = tools_err(out, "missing required argument '%s'",
				      k ? k : "?");
			goto done;
		}
		want[i] = value_text(v);
	}
	rc = tools_resolve(out, &path, ctx->workdir, file);
	if (rc)
		goto done;
	rc = load_table(out, &rows, path, file);
	if (rc)
		goto done;

	jolt_buf b;
	jolt_buf_init(&b, JOLT_TOOL_OUTPUT_CAP);
	size_t hits = 0, i;
	json_t *row;
	json_array_foreach(rows, i, row)
	{
		if (!json_is_object(row))
			continue;
		bool ok = true;
		for (size_t k = 0; k < nk && ok; k++) {
			const json_t *v = json_object_get(
			    row, json_string_value(json_array_get(key, k)));
			char *have = v ? value_text(v) : NULL;
			ok = have && !strcmp(have, want[k]);
			free(have);
		}
		if (!ok)
			continue;
		char *line = json_dumps(row, DUMP_FLAGS);
		jolt_buf_addf(&b, "%s\n", line ? line : "{}");
		free(line);
		hits++;
	}
	if (hits == 0) {
		jolt_buf_reset(&b);
		jolt_buf_adds(&b, "no row with ");
		for (size_t k = 0; k < nk; k++)
			jolt_buf_addf(&b, "%s%s=%s", k ? ", " : "",
				      json_string_value(json_array_get(key, k)),
				      want[k]);
		*out = jolt_buf_detach(&b);
		jolt_buf_release(&b);
		jolt_err_set(JOLT_ETOOL, "%s", *out);
		rc = JOLT_ETOOL;
		goto done;
	}
	rc = tools_finish(out, &b);
done:
	for (size_t k = 0; want && k < nk; k++)
		free(want[k]);
	free(want);
	json_decref(rows);
	free(path);
	free(file);
	return rc;
}

/* ---- submit ------------------------------------------------------------- */

static int submit_call(char **out, jolt_tool_ctx *ctx, const jolt_tool *t,
		       const json_t *args)
{
	const json_t *a = json_object_get(args, "answer");
	if (!a || json_is_null(a))
		return tools_err(out, "missing required argument 'answer'");
	char *text = value_text(a);
	if (strlen(text) > JOLT_TOOL_OUTPUT_CAP) {
		free(text);
		return tools_err(out, "answer is longer than %d bytes",
				JOLT_TOOL_OUTPUT_CAP);
	}
	free(ctx->final_answer);
	ctx->final_answer = text;
	ctx->submitted = true;
	*out = jolt_xstrdup("submitted");
	return 0;
}

/* ---- registry ----------------------------------------------------------- */

const jolt_builtin jolt_builtins[] = {
    {"read_file", "Read a text file of the working copy.", check_none,
     read_file_call, true},
    {"write_file",
     "Write a file in the working copy, creating "
     "directories.",
     check_none, write_file_call, false},
    {"list_dir", "List a directory of the working copy.", check_none,
     list_dir_call, true},
    {"grep", "Search files for a PCRE2 pattern.", check_none, tools_grep_call,
     true},
    {"search", "BM25 search over a document corpus (option dir).", check_corpus,
     tools_search_call, true},
    {"open", "Open a document of a corpus by id (option dir).", check_corpus,
     tools_open_call, true},
    {"table", "Look up rows of a CSV or JSON table (options file, key).",
     check_table, table_call, true},
    {"submit", "Give the final answer and end the trajectory.", check_none,
     submit_call, true},
    {NULL, NULL, NULL, NULL, false},
};

const jolt_builtin *jolt_builtin_find(const char *name)
{
	if (!name)
		return NULL;
	for (const jolt_builtin *b = jolt_builtins; b->name; b++)
		if (!strcmp(b->name, name))
			return b;
	return NULL;
}

/* ---- calls -------------------------------------------------------------- */

static bool type_ok(const json_t *v, const char *type)
{
	if (!strcmp(type, "string"))
		return json_is_string(v);
	if (!strcmp(type, "integer")) {
		if (json_is_integer(v))
			return true;
		if (!json_is_real(v))
			return false;
		double d = json_real_value(v);
		return isfinite(d) && d == floor(d);
	}
	if (!strcmp(type, "number"))
		return json_is_number(v);
	if (!strcmp(type, "boolean"))
		return json_is_boolean(v);
	if (!strcmp(type, "object"))
		return json_is_object(v);
	if (!strcmp(type, "array"))
		return json_is_array(v);
	if (!strcmp(type, "null"))
		return json_is_null(v);
	return true; /* unknown type names are not ours to enforce */
}

static const char *type_of(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an integer";
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	default:
		return "null";
	}
}

static int validate(char **out, const jolt_tool *t, const json_t *args)
{
	if (!json_is_object(args))
		return tools_err(out, "arguments to '%s' must be a JSON object",
				t->name);
	const json_t *props = json_object_get(t->parameters, "properties");
	const json_t *req = json_object_get(t->parameters, "required");
	size_t i;
	json_t *r;
	json_array_foreach(req, i, r)
	{
		if (json_is_string(r) &&
		    !json_object_get(args, json_string_value(r)))
			return tools_err(out,
					"missing required argument '%s' for "
					"'%s'",
					json_string_value(r), t->name);
	}
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)args, k, v)
	{
		const json_t *p = json_object_get(props, k);
		if (!p) {
			jolt_buf names;
			jolt_buf_init(&names, 4096);
			const char *pk;
			json_t *pv;
			json_object_foreach((json_t *)props, pk, pv)
			    jolt_buf_addf(&names, "%s%s", names.len ? ", " : "",
					  pk);
			int rc = tools_err(out,
					  "unknown argument '%s' for '%s' "
					  "(it takes: %s)",
					  k, t->name,
					  names.len ? names.s : "nothing");
			jolt_buf_release(&names);
			return rc;
		}
		const json_t *ty = json_object_get(p, "type");
		bool ok = true;
		if (json_is_string(ty)) {
			ok = type_ok(v, json_string_value(ty));
		} else if (json_is_array(ty)) {
			size_t j;
			json_t *tj;
			ok = json_array_size(ty) == 0;
			json_array_foreach(ty, j, tj)
			{
				if (json_is_string(tj) &&
				    type_ok(v, json_string_value(tj)))
					ok = true;
			}
		}
		if (!ok) {
			char *want = json_is_string(ty)
					 ? jolt_xstrdup(json_string_value(ty))
					 : json_dumps(ty, DUMP_FLAGS);
			int rc = tools_err(out,
					  "argument '%s' must be of type %s, "
					  "got %s",
					  k, want ? want : "?", type_of(v));
			free(want);
			return rc;
		}
	}
	return 0;
}

static int exec_call(char **out, jolt_tool_ctx *ctx, const jolt_tool *t,
		     const json_t *args)
{
	int rc = 0;
	size_t n = json_object_size(args);
	size_t nvars = 0;
	while (ctx->env_vars && ctx->env_vars[nvars])
		nvars++;
	char **env = jolt_xcalloc(n + nvars + 2, sizeof(*env));
	size_t ne = 0;
	for (size_t i = 0; i < nvars; i++)
		env[ne++] = jolt_xstrdup(ctx->env_vars[i]);
	jolt_sandbox_result res = {0};

	const char *k;
	json_t *v;
	json_object_foreach((json_t *)args, k, v)
	{
		char *val = value_text(v);
		if (strlen(val) > EXEC_ARG_MAX) {
			free(val);
			rc = tools_err(out,
				      "argument '%s' is longer than %d "
				      "bytes",
				      k, EXEC_ARG_MAX);
			goto done;
		}
		jolt_buf b;
		jolt_buf_init(&b, 0);
		jolt_buf_adds(&b, "ARG_");
		for (const char *c = k; *c; c++)
			jolt_buf_addc(&b, isalnum((unsigned char)*c)
					      ? (char)toupper((unsigned char)*c)
					      : '_');
		jolt_buf_addf(&b, "=%s", val);
		free(val);
		env[ne++] = jolt_buf_detach(&b);
		jolt_buf_release(&b);
	}
	char *all = json_dumps(args, DUMP_FLAGS);
	if (!all || strlen(all) > EXEC_ARG_MAX) {
		free(all);
		rc = tools_err(out, "arguments are longer than %d bytes",
			      EXEC_ARG_MAX);
		goto done;
	}
	env[ne++] = jolt_xasprintf("JOLT_ARGS=%s", all);
	free(all);

	double timeout = t->timeout_s > 0 ? t->timeout_s
			 : ctx->suite && ctx->suite->exec_timeout_s > 0
			     ? ctx->suite->exec_timeout_s
			     : 30;
	jolt_sandbox_opts o = {
	    .workdir = ctx->workdir,
	    .command = t->exec,
	    .env = (const char *const *)env,
	    .timeout_s = timeout,
	    .output_cap = JOLT_TOOL_OUTPUT_CAP,
	    .slot = ctx->slot,
	    .memo = ctx->memo,
	};
	rc = jolt_sandbox_run(&res, &o);
	if (rc)
		goto done;
	jolt_buf b;
	jolt_buf_init(&b, 0);
	if (res.timed_out)
		jolt_buf_addf(&b, "timed out after %g s%s", timeout,
			      res.output[0] ? "\n" : "");
	else if (res.exit_code != 0)
		jolt_buf_addf(&b, "exit status %d\n", res.exit_code);
	jolt_buf_adds(&b, res.output);
	if (res.truncated)
		jolt_buf_addf(&b, "\n[output truncated at %d bytes]",
			      JOLT_TOOL_OUTPUT_CAP);
	*out = jolt_buf_detach(&b);
	jolt_buf_release(&b);
	if (res.timed_out || res.exit_code != 0) {
		jolt_err_set(JOLT_ETOOL, "tool '%s' failed", t->name);
		rc = JOLT_ETOOL;
	}
done:
	jolt_sandbox_result_release(&res);
	for (size_t i = 0; i < ne; i++)
		free(env[i]);
	free(env);
	return rc;
}

int jolt_tool_call(char **out, jolt_tool_ctx *ctx, const jolt_tool *tool,
		   const json_t *args)
{
	*out = NULL;
	int rc = validate(out, tool, args);
	if (rc)
		return rc;
	if (tool->kind == JOLT_TOOL_EXEC) {
		if (!tool->exec)
			return jolt_err_set(JOLT_EINTERNAL,
					    "tool '%s' has no command",
					    tool->name);
		return exec_call(out, ctx, tool, args);
	}
	const jolt_builtin *b = tool->builtin;
	if (!b)
		b = jolt_builtin_find(tools_run_string(tool, "builtin"));
	if (!b)
		return jolt_err_set(JOLT_EINTERNAL, "tool '%s' has no builtin",
				    tool->name);
	return b->call(out, ctx, tool, args);
}

bool jolt_tool_read_only(const jolt_tool *tool)
{
	if (tool->kind != JOLT_TOOL_BUILTIN)
		return false;
	const jolt_builtin *b = tool->builtin;
	if (!b)
		b = jolt_builtin_find(tools_run_string(tool, "builtin"));
	return b && b->read_only;
}
