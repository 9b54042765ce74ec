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

#define FILE_READ_CAP (16 * 1024 * 1024) /* a file a builtin reads */
#define GREP_MAX_MATCHES 200
#define GREP_MAX_FILES 20000
#define GREP_LINE_MAX 400 /* characters of a matching line shown */
#define GREP_MATCH_LIMIT 1000000
#define SEARCH_MAX_DOCS 20000
#define SEARCH_DOC_CAP (1024 * 1024)
#define SEARCH_SNIPPET 160
#define EXEC_ARG_MAX (100 * 1024) /* one ARG_ variable (kernel: 128 KiB) */
#define DUMP_FLAGS (JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15))

/* ---- helpers ------------------------------------------------------------ */

static int tool_err(char **out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int tool_err(char **out, const char *fmt, ...)
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
static int finish(char **out, jolt_buf *b)
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
static const char *arg_string(char **out, const json_t *args, const char *name,
			      bool required, int *rc)
{
	const json_t *v = json_object_get(args, name);
	if (!v || json_is_null(v)) {
		if (required)
			*rc = tool_err(out, "missing required argument '%s'",
				       name);
		return NULL;
	}
	if (!json_is_string(v)) {
		*rc = tool_err(out, "argument '%s' must be a string", name);
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
static int resolve(char **out, char **path, const char *root, const char *rel)
{
	int rc = jolt_path_resolve(path, root, rel);
	if (rc == JOLT_EDENIED)
		return tool_err(out, "%s", jolt_err_msg());
	if (rc)
		return tool_err(out, "cannot use path '%s': %s", rel,
				jolt_err_msg());
	return 0;
}

static const char *run_string(const jolt_tool *t, const char *key)
{
	const json_t *v = json_object_get(t->run, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* Read a text file for the agent: not found, directory and binary are
 * tool errors. *text is NUL-terminated, caller frees. */
static int read_text(char **out, char **text, size_t *len, const char *path,
		     const char *rel, size_t cap)
{
	*text = NULL;
	struct stat st;
	if (stat(path, &st) < 0)
		return tool_err(out, "file '%s' not found", rel);
	if (S_ISDIR(st.st_mode))
		return tool_err(out, "'%s' is a directory, not a file", rel);
	if (!S_ISREG(st.st_mode))
		return tool_err(out, "'%s' is not a regular file", rel);
	jolt_buf b;
	jolt_buf_init(&b, cap);
	int rc = jolt_buf_read_file(&b, path);
	if (rc && rc != JOLT_ETOOBIG) {
		jolt_buf_release(&b);
		return tool_err(out, "cannot read '%s': %s", rel,
				jolt_err_msg());
	}
	if (memchr(b.s, '\0', b.len)) {
		jolt_buf_release(&b);
		return tool_err(out, "'%s' is a binary file", rel);
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
	const char *rel = arg_string(out, args, "path", true, &rc);
	if (!rel)
		return rc;
	json_int_t offset = 0, limit = 0;
	if (!opt_int(&offset, json_object_get(args, "offset")) ||
	    !opt_int(&limit, json_object_get(args, "limit")))
		return tool_err(out, "'offset' and 'limit' must be integers "
				     "(line numbers)");
	if (offset < 0 || limit < 0)
		return tool_err(out, "'offset' and 'limit' must not be "
				     "negative");

	rc = resolve(out, &path, ctx->workdir, rel);
	if (rc)
		goto done;
	rc = read_text(out, &text, &len, path, rel, FILE_READ_CAP);
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
	rc = finish(out, &b);
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
	const char *rel = arg_string(out, args, "path", true, &rc);
	if (!rel)
		return rc;
	const char *content = arg_string(out, args, "content", true, &rc);
	if (!content)
		return rc;
	size_t n = json_string_length(json_object_get(args, "content"));

	rc = resolve(out, &path, ctx->workdir, rel);
	if (rc)
		goto done;
	struct stat st;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		rc = tool_err(out, "'%s' is a directory", rel);
		goto done;
	}
	if (mkdirs_inside(ctx->workdir, path) < 0) {
		rc = tool_err(out, "cannot create the directories for '%s': %s",
			      rel, strerror(errno));
		goto done;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
		  0644);
	if (fd < 0) {
		rc = tool_err(out, "cannot write '%s': %s", rel,
			      strerror(errno));
		goto done;
	}
	give_to_workdir_owner(ctx->workdir, path);
	for (size_t off = 0; off < n;) {
		ssize_t w = write(fd, content + off, n - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			rc = tool_err(out, "cannot write '%s': %s", rel,
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

static int cmp_str(const void *a, const void *b)
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
	const char *rel = arg_string(out, args, "path", false, &rc);
	if (rc)
		return rc;
	if (!rel || !*rel)
		rel = ".";
	rc = resolve(out, &path, ctx->workdir, rel);
	if (rc)
		goto done;
	d = opendir(path);
	if (!d) {
		rc = errno == ENOTDIR
			 ? tool_err(out, "'%s' is not a directory", rel)
			 : tool_err(out, "directory '%s' not found", rel);
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
	qsort(names, n, sizeof(*names), cmp_str);
	jolt_buf b;
	jolt_buf_init(&b, JOLT_TOOL_OUTPUT_CAP);
	for (size_t i = 0; i < n; i++)
		jolt_buf_addf(&b, "%s\n", names[i]);
	if (n == 0)
		jolt_buf_adds(&b, "(empty directory)\n");
	rc = finish(out, &b);
done:
	if (d)
		closedir(d);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(path);
	return rc;
}

/* ---- file walking (grep, search) ---------------------------------------- */

typedef struct file_list {
	char **rel; /* paths relative to the walk's base, sorted */
	size_t n, alloc;
	bool capped;
} file_list;

static void file_list_free(file_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->rel[i]);
	free(l->rel);
	memset(l, 0, sizeof(*l));
}

/* Regular files under base/sub, recursively; no symlinks followed, .git
 * skipped, hidden files skipped when skip_hidden. */
static void walk(file_list *l, const char *base, const char *sub,
		 bool skip_hidden, size_t max, int depth)
{
	if (depth > 64)
		return;
	char *dir =
	    *sub ? jolt_xasprintf("%s/%s", base, sub) : jolt_xstrdup(base);
	DIR *d = opendir(dir);
	free(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		const char *nm = e->d_name;
		if (!strcmp(nm, ".") || !strcmp(nm, "..") ||
		    !strcmp(nm, ".git") || (skip_hidden && nm[0] == '.'))
			continue;
		if (l->n >= max) {
			l->capped = true;
			break;
		}
		char *rel =
		    *sub ? jolt_xasprintf("%s/%s", sub, nm) : jolt_xstrdup(nm);
		char *full = jolt_xasprintf("%s/%s", base, rel);
		struct stat st;
		if (lstat(full, &st) == 0 && S_ISDIR(st.st_mode)) {
			walk(l, base, rel, skip_hidden, max, depth + 1);
			free(rel);
		} else if (S_ISREG(st.st_mode)) {
			if (l->n == l->alloc) {
				l->alloc = l->alloc ? l->alloc * 2 : 64;
				l->rel = jolt_xrealloc(
				    l->rel, l->alloc * sizeof(*l->rel));
			}
			l->rel[l->n++] = rel;
		} else {
			free(rel);
		}
		free(full);
	}
	closedir(d);
}

static void walk_sorted(file_list *l, const char *base, bool skip_hidden,
			size_t max)
{
	walk(l, base, "", skip_hidden, max, 0);
	qsort(l->rel, l->n, sizeof(*l->rel), cmp_str);
}

/* ---- grep --------------------------------------------------------------- */

static int grep_call(char **out, jolt_tool_ctx *ctx, const jolt_tool *t,
		     const json_t *args)
{
	int rc = 0;
	char *path = NULL, *rroot = NULL;
	pcre2_code *re = NULL;
	pcre2_match_data *md = NULL;
	pcre2_match_context *mc = NULL;
	file_list files = {0};
	jolt_buf b;
	jolt_buf_init(&b, JOLT_TOOL_OUTPUT_CAP);

	const char *pat = arg_string(out, args, "pattern", true, &rc);
	if (!pat)
		goto done;
	const char *rel = arg_string(out, args, "path", false, &rc);
	if (rc)
		goto done;
	if (!rel || !*rel)
		rel = ".";

	int err;
	PCRE2_SIZE eoff;
	re = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED,
			   PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &err, &eoff,
			   NULL);
	if (!re) {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(err, msg, sizeof(msg));
		rc = tool_err(out, "bad pattern: %s at offset %zu", (char *)msg,
			      (size_t)eoff);
		goto done;
	}
	md = pcre2_match_data_create_from_pattern(re, NULL);
	mc = pcre2_match_context_create(NULL);
	pcre2_set_match_limit(mc, GREP_MATCH_LIMIT);

	rc = resolve(out, &path, ctx->workdir, rel);
	if (rc)
		goto done;
	rroot = realpath(ctx->workdir, NULL);
	struct stat st;
	if (!rroot || stat(path, &st) < 0) {
		rc = tool_err(out, "path '%s' not found", rel);
		goto done;
	}
	/* Names shown relative to the working copy. */
	const char *shown = path + strlen(rroot);
	while (*shown == '/')
		shown++;
	if (S_ISDIR(st.st_mode)) {
		walk_sorted(&files, path, false, GREP_MAX_FILES);
	} else {
		files.rel = jolt_xcalloc(1, sizeof(*files.rel));
		files.rel[files.n++] = jolt_xstrdup("");
	}

	size_t matches = 0;
	bool more = false;
	for (size_t i = 0; i < files.n && !more; i++) {
		char *full = *files.rel[i]
				 ? jolt_xasprintf("%s/%s", path, files.rel[i])
				 : jolt_xstrdup(path);
		char *name = !*files.rel[i] ? jolt_xstrdup(shown)
			     : *shown
				 ? jolt_xasprintf("%s/%s", shown, files.rel[i])
				 : jolt_xstrdup(files.rel[i]);
		jolt_buf fb;
		jolt_buf_init(&fb, FILE_READ_CAP);
		int frc = jolt_buf_read_file(&fb, full);
		if ((!frc || frc == JOLT_ETOOBIG) &&
		    !memchr(fb.s, '\0', fb.len)) {
			const char *p = fb.s, *end = fb.s + fb.len;
			size_t lineno = 0;
			while (p < end) {
				const char *nl =
				    memchr(p, '\n', (size_t)(end - p));
				const char *e = nl ? nl : end;
				lineno++;
				int m =
				    pcre2_match(re, (PCRE2_SPTR)p,
						(size_t)(e - p), 0, 0, md, mc);
				if (m == PCRE2_ERROR_MATCHLIMIT) {
					free(full);
					free(name);
					jolt_buf_release(&fb);
					rc =
					    tool_err(out, "pattern too complex "
							  "(backtracking limit "
							  "hit); simplify it");
					goto done;
				}
				if (m >= 0) {
					if (matches == GREP_MAX_MATCHES) {
						more = true;
						break;
					}
					size_t ll = (size_t)(e - p);
					if (ll > GREP_LINE_MAX)
						ll = GREP_LINE_MAX;
					if (ll && p[ll - 1] == '\r')
						ll--;
					jolt_buf_addf(&b, "%s:%zu:%.*s\n", name,
						      lineno, (int)ll, p);
					matches++;
				}
				p = e + 1;
			}
		}
		jolt_buf_release(&fb);
		free(full);
		free(name);
	}
	if (matches == 0)
		jolt_buf_adds(&b, "no matches\n");
	if (more)
		jolt_buf_addf(&b,
			      "[more than %d matches; showing the first %d, "
			      "narrow the pattern or the path]\n",
			      GREP_MAX_MATCHES, GREP_MAX_MATCHES);
	if (files.capped)
		jolt_buf_addf(&b, "[searched the first %d files only]\n",
			      GREP_MAX_FILES);
	rc = finish(out, &b);
done:
	jolt_buf_release(&b);
	file_list_free(&files);
	pcre2_match_context_free(mc);
	pcre2_match_data_free(md);
	pcre2_code_free(re);
	free(rroot);
	free(path);
	return rc;
}

/* ---- search, open ------------------------------------------------------- */

static bool tok_char(unsigned char c)
{
	return isalnum(c) || c >= 0x80;
}

/* Lowercased alphanumeric tokens of `s`, appended to a NUL-separated list. */
typedef struct tokens {
	char **t;
	size_t n, alloc;
} tokens;

static void tokenize(tokens *out, const char *s, size_t len)
{
	size_t i = 0;
	while (i < len) {
		while (i < len && !tok_char((unsigned char)s[i]))
			i++;
		size_t st = i;
		while (i < len && tok_char((unsigned char)s[i]))
			i++;
		if (i > st) {
			if (out->n == out->alloc) {
				out->alloc = out->alloc ? out->alloc * 2 : 64;
				out->t = jolt_xrealloc(
				    out->t, out->alloc * sizeof(*out->t));
			}
			char *w = jolt_xstrndup(s + st, i - st);
			for (char *c = w; *c; c++)
				*c = (char)tolower((unsigned char)*c);
			out->t[out->n++] = w;
		}
	}
}

static void tokens_free(tokens *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->t[i]);
	free(t->t);
	memset(t, 0, sizeof(*t));
}

typedef struct doc {
	char *id;
	char *text;
	size_t len;
	size_t dl;  /* tokens */
	size_t *tf; /* per query term */
	double score;
} doc;

static int doc_cmp(const void *a, const void *b)
{
	const doc *x = a, *y = b;
	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	return strcmp(x->id, y->id);
}

/* The corpus directory of a search/open tool, resolved in the copy. */
static int corpus_dir(char **out, char **dir, jolt_tool_ctx *ctx,
		      const jolt_tool *t)
{
	char *rel = jolt_path_mapped(ctx->path_map, run_string(t, "dir"));
	if (!rel)
		return tool_err(out, "tool '%s' has no corpus 'dir' configured",
				t->name);
	int rc = resolve(out, dir, ctx->workdir, rel);
	struct stat st;
	if (!rc && (stat(*dir, &st) < 0 || !S_ISDIR(st.st_mode))) {
		free(*dir);
		*dir = NULL;
		rc = tool_err(out, "the document corpus '%s' is missing", rel);
	}
	free(rel);
	return rc;
}

static void add_flat(jolt_buf *b, const char *s, size_t n)
{
	bool space = false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
			space = b->len > 0;
			continue;
		}
		if (space)
			jolt_buf_addc(b, ' ');
		space = false;
		jolt_buf_addc(b, c);
	}
}

static int search_call(char **out, jolt_tool_ctx *ctx, const jolt_tool *t,
		       const json_t *args)
{
	int rc = 0;
	char *dir = NULL;
	file_list files = {0};
	tokens q = {0};
	doc *docs = NULL;
	size_t nd = 0;
	const char *query = arg_string(out, args, "query", true, &rc);
	if (!query)
		return rc;
	const json_t *jt = json_object_get(t->run, "top");
	size_t top = json_is_integer(jt) && json_integer_value(jt) > 0
			 ? (size_t)json_integer_value(jt)
			 : 5;
	rc = corpus_dir(out, &dir, ctx, t);
	if (rc)
		goto done;

	/* Query terms, de-duplicated. */
	tokens raw = {0};
	tokenize(&raw, query, strlen(query));
	for (size_t i = 0; i < raw.n; i++) {
		bool dup = false;
		for (size_t j = 0; j < q.n && !dup; j++)
			dup = !strcmp(q.t[j], raw.t[i]);
		if (dup)
			continue;
		if (q.n == q.alloc) {
			q.alloc = q.alloc ? q.alloc * 2 : 16;
			q.t = jolt_xrealloc(q.t, q.alloc * sizeof(*q.t));
		}
		q.t[q.n++] = jolt_xstrdup(raw.t[i]);
	}
	tokens_free(&raw);
	if (q.n == 0) {
		*out = jolt_xstrdup("no results");
		goto done;
	}

	walk_sorted(&files, dir, true, SEARCH_MAX_DOCS);
	docs = jolt_xcalloc(files.n ? files.n : 1, sizeof(*docs));
	size_t *df = jolt_xcalloc(q.n, sizeof(*df));
	double total = 0;
	for (size_t i = 0; i < files.n; i++) {
		char *full = jolt_xasprintf("%s/%s", dir, files.rel[i]);
		jolt_buf fb;
		jolt_buf_init(&fb, SEARCH_DOC_CAP);
		int frc = jolt_buf_read_file(&fb, full);
		free(full);
		if ((frc && frc != JOLT_ETOOBIG) ||
		    memchr(fb.s, '\0', fb.len)) {
			jolt_buf_release(&fb);
			continue;
		}
		doc *d = &docs[nd++];
		d->id = jolt_xstrdup(files.rel[i]);
		d->len = fb.len;
		d->text = jolt_buf_detach(&fb);
		jolt_buf_release(&fb);
		d->tf = jolt_xcalloc(q.n, sizeof(*d->tf));
		tokens dt = {0};
		tokenize(&dt, d->text, d->len);
		d->dl = dt.n;
		total += (double)dt.n;
		for (size_t k = 0; k < dt.n; k++)
			for (size_t j = 0; j < q.n; j++)
				if (!strcmp(dt.t[k], q.t[j]))
					d->tf[j]++;
		tokens_free(&dt);
		for (size_t j = 0; j < q.n; j++)
			if (d->tf[j])
				df[j]++;
	}
	double avgdl = nd ? total / (double)nd : 1;
	if (avgdl <= 0)
		avgdl = 1;
	const double k1 = 1.2, bb = 0.75;
	for (size_t i = 0; i < nd; i++) {
		doc *d = &docs[i];
		for (size_t j = 0; j < q.n; j++) {
			if (!d->tf[j])
				continue;
			double idf =
			    log(1.0 + ((double)nd - (double)df[j] + 0.5) /
					  ((double)df[j] + 0.5));
			double tf = (double)d->tf[j];
			d->score +=
			    idf * tf * (k1 + 1) /
			    (tf + k1 * (1 - bb + bb * (double)d->dl / avgdl));
		}
	}
	free(df);
	qsort(docs, nd, sizeof(*docs), doc_cmp);

	jolt_buf b;
	jolt_buf_init(&b, JOLT_TOOL_OUTPUT_CAP);
	size_t shown = 0;
	for (size_t i = 0; i < nd && shown < top; i++) {
		doc *d = &docs[i];
		if (d->score <= 0)
			break;
		const char *nl = memchr(d->text, '\n', d->len);
		size_t tl = nl ? (size_t)(nl - d->text) : d->len;
		const char *body = nl ? nl + 1 : d->text + d->len;
		size_t bl = (size_t)(d->text + d->len - body);
		/* Snippet: around the first query term in the body. */
		size_t at = 0;
		bool found = false;
		for (size_t p = 0; p < bl && !found; p++) {
			if (p > 0 && tok_char((unsigned char)body[p - 1]))
				continue;
			for (size_t j = 0; j < q.n && !found; j++) {
				size_t ql = strlen(q.t[j]);
				if (p + ql <= bl &&
				    !strncasecmp(body + p, q.t[j], ql) &&
				    (p + ql == bl ||
				     !tok_char((unsigned char)body[p + ql]))) {
					found = true;
					at = p;
				}
			}
		}
		size_t from = at > 40 ? at - 40 : 0;
		while (from > 0 && from < at &&
		       tok_char((unsigned char)body[from - 1]))
			from++;
		size_t sl =
		    bl - from > SEARCH_SNIPPET ? SEARCH_SNIPPET : bl - from;
		jolt_buf_addf(&b, "%s\t", d->id);
		add_flat(&b, d->text, tl);
		jolt_buf_addc(&b, '\t');
		jolt_buf snip;
		jolt_buf_init(&snip, 0);
		add_flat(&snip, body + from, sl);
		jolt_buf_addf(&b, "%s%s\n", from > 0 ? "..." : "", snip.s);
		jolt_buf_release(&snip);
		shown++;
	}
	if (shown == 0)
		jolt_buf_adds(&b, "no results");
	rc = finish(out, &b);
done:
	for (size_t i = 0; i < nd; i++) {
		free(docs[i].id);
		free(docs[i].text);
		free(docs[i].tf);
	}
	free(docs);
	tokens_free(&q);
	file_list_free(&files);
	free(dir);
	return rc;
}

static int open_call(char **out, jolt_tool_ctx *ctx, const jolt_tool *t,
		     const json_t *args)
{
	int rc = 0;
	char *dir = NULL, *path = NULL, *text = NULL;
	size_t len = 0;
	const char *id = arg_string(out, args, "id", true, &rc);
	if (!id)
		return rc;
	rc = corpus_dir(out, &dir, ctx, t);
	if (rc)
		goto done;
	/* Resolving against the corpus keeps ids inside it. */
	rc = jolt_path_resolve(&path, dir, id);
	struct stat st;
	if (rc || stat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
		rc = tool_err(out, "no document with id '%s'", id);
		goto done;
	}
	rc = read_text(out, &text, &len, path, id, FILE_READ_CAP);
	if (rc)
		goto done;
	jolt_buf b;
	jolt_buf_init(&b, JOLT_TOOL_OUTPUT_CAP);
	jolt_buf_add(&b, text, len);
	rc = finish(out, &b);
done:
	free(text);
	free(path);
	free(dir);
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
	int rc = read_text(out, &text, &len, path, rel, FILE_READ_CAP);
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
			rc = tool_err(out,
				      "data file '%s' is not a JSON array "
				      "of objects",
				      rel);
			goto done;
		}
		*rows = arr;
		goto done;
	}
	if (jolt_csv_read(&csv, text, len)) {
		rc = tool_err(out, "data file '%s': %s", rel, jolt_err_msg());
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
	if (!run_string(t, "file") || !json_is_array(key) ||
	    json_array_size(key) == 0)
		return tool_err(out,
				"tool '%s' has no data file and key "
				"configured",
				t->name);
	size_t nk = json_array_size(key);
	/* The data file may have been moved by an environment variant. */
	char *file = jolt_path_mapped(ctx->path_map, run_string(t, "file"));
	want = jolt_xcalloc(nk, sizeof(*want));
	for (size_t i = 0; i < nk; i++) {
		const char *k = json_string_value(json_array_get(key, i));
		const json_t *v = k ? json_object_get(args, k) : NULL;
		if (!v) {
			rc = tool_err(out, "missing required argument '%s'",
				      k ? k : "?");
			goto done;
		}
		want[i] = value_text(v);
	}
	rc = resolve(out, &path, ctx->workdir, file);
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
	rc = finish(out, &b);
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
		return tool_err(out, "missing required argument 'answer'");
	char *text = value_text(a);
	if (strlen(text) > JOLT_TOOL_OUTPUT_CAP) {
		free(text);
		return tool_err(out, "answer is longer than %d bytes",
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
     read_file_call},
    {"write_file",
     "Write a file in the working copy, creating "
     "directories.",
     check_none, write_file_call},
    {"list_dir", "List a directory of the working copy.", check_none,
     list_dir_call},
    {"grep", "Search files for a PCRE2 pattern.", check_none, grep_call},
    {"search", "BM25 search over a document corpus (option dir).", check_corpus,
     search_call},
    {"open", "Open a document of a corpus by id (option dir).", check_corpus,
     open_call},
    {"table", "Look up rows of a CSV or JSON table (options file, key).",
     check_table, table_call},
    {"submit", "Give the final answer and end the trajectory.", check_none,
     submit_call},
    {NULL, NULL, NULL, NULL},
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
		return tool_err(out, "arguments to '%s' must be a JSON object",
				t->name);
	const json_t *props = json_object_get(t->parameters, "properties");
	const json_t *req = json_object_get(t->parameters, "required");
	size_t i;
	json_t *r;
	json_array_foreach(req, i, r)
	{
		if (json_is_string(r) &&
		    !json_object_get(args, json_string_value(r)))
			return tool_err(out,
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
			int rc = tool_err(out,
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
			int rc = tool_err(out,
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
			rc = tool_err(out,
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
		rc = tool_err(out, "arguments are longer than %d bytes",
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
		b = jolt_builtin_find(run_string(tool, "builtin"));
	if (!b)
		return jolt_err_set(JOLT_EINTERNAL, "tool '%s' has no builtin",
				    tool->name);
	return b->call(out, ctx, tool, args);
}
