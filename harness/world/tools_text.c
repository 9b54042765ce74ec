/*
 * tools_text.c - the builtins that read text across the working copy:
 * `grep` (PCRE2 over the files), and `search` and `open` over a document
 * corpus (BM25 over the terms docindex.c counts, snippets). The registry and
 * the helpers they share are in tools.c (tools_int.h).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "core/buf.h"
#include "core/common.h"
#include "world/docindex.h"
#include "world/env.h"
#include "world/tools.h"
#include "world/tools_int.h"

#define GREP_MAX_MATCHES 200
#define GREP_MAX_FILES 20000
#define GREP_LINE_MAX 400 /* characters of a matching line shown */
#define GREP_MATCH_LIMIT 1000000
#define SEARCH_MAX_DOCS 20000
#define SEARCH_DOC_CAP (1024 * 1024)
#define SEARCH_SNIPPET 160

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
		/* The entry's own type (a link is a link), as lstat would
		 * tell, without asking when the directory says it. */
		mode_t type = e->d_type == DT_DIR   ? S_IFDIR
			      : e->d_type == DT_REG ? S_IFREG
						    : 0;
		char *full = NULL;
		if (e->d_type == DT_UNKNOWN) {
			struct stat st;
			full = jolt_xasprintf("%s/%s", base, rel);
			if (lstat(full, &st) == 0)
				type = st.st_mode & S_IFMT;
		}
		if (S_ISDIR(type)) {
			walk(l, base, rel, skip_hidden, max, depth + 1);
			free(rel);
		} else if (S_ISREG(type)) {
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
	qsort(l->rel, l->n, sizeof(*l->rel), tools_cmp_str);
}

/* ---- grep --------------------------------------------------------------- */

int tools_grep_call(char **out, jolt_tool_ctx *ctx, const jolt_tool *t,
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

	const char *pat = tools_arg_string(out, args, "pattern", true, &rc);
	if (!pat)
		goto done;
	const char *rel = tools_arg_string(out, args, "path", false, &rc);
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
		rc = tools_err(out, "bad pattern: %s at offset %zu", (char *)msg,
			      (size_t)eoff);
		goto done;
	}
	md = pcre2_match_data_create_from_pattern(re, NULL);
	mc = pcre2_match_context_create(NULL);
	pcre2_set_match_limit(mc, GREP_MATCH_LIMIT);

	rc = tools_resolve(out, &path, ctx->workdir, rel);
	if (rc)
		goto done;
	rroot = realpath(ctx->workdir, NULL);
	struct stat st;
	if (!rroot || stat(path, &st) < 0) {
		rc = tools_err(out, "path '%s' not found", rel);
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
					    tools_err(out, "pattern too complex "
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
	rc = tools_finish(out, &b);
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

#define tok_char jolt_doc_tok_char

/* Lowercased alphanumeric tokens of a query. */
typedef struct tokens {
	char **t;
	size_t n, alloc;
} tokens;

static void tokenize(tokens *out, const char *s, size_t len)
{
	size_t at = 0, st, tl;
	while ((tl = jolt_doc_token(s, len, &at, &st)) > 0) {
		if (out->n == out->alloc) {
			out->alloc = out->alloc ? out->alloc * 2 : 64;
			out->t = jolt_xrealloc(out->t,
					       out->alloc * sizeof(*out->t));
		}
		char *w = jolt_xstrndup(s + st, tl);
		for (char *c = w; *c; c++)
			*c = (char)tolower((unsigned char)*c);
		out->t[out->n++] = w;
	}
}

static void tokens_free(tokens *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->t[i]);
	free(t->t);
	memset(t, 0, sizeof(*t));
}

/* A document of this call: its index entry and its score. */
typedef struct hit {
	const jolt_doc *d;
	double score;
} hit;

static int hit_cmp(const void *a, const void *b)
{
	const hit *x = a, *y = b;
	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	return strcmp(x->d->id, y->d->id);
}

/* The corpus directory of a search/open tool, resolved in the copy. */
static int corpus_dir(char **out, char **dir, jolt_tool_ctx *ctx,
		      const jolt_tool *t)
{
	char *rel = jolt_path_mapped(ctx->path_map, tools_run_string(t, "dir"));
	if (!rel)
		return tools_err(out, "tool '%s' has no corpus 'dir' configured",
				t->name);
	int rc = tools_resolve(out, dir, ctx->workdir, rel);
	struct stat st;
	if (!rc && (stat(*dir, &st) < 0 || !S_ISDIR(st.st_mode))) {
		free(*dir);
		*dir = NULL;
		rc = tools_err(out, "the document corpus '%s' is missing", rel);
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

int tools_search_call(char **out, jolt_tool_ctx *ctx, const jolt_tool *t,
		       const json_t *args)
{
	int rc = 0;
	char *dir = NULL;
	file_list files = {0};
	tokens q = {0};
	hit *docs = NULL;
	size_t nd = 0;
	const char *query = tools_arg_string(out, args, "query", true, &rc);
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

	/* Every file is read on every call, so the ranking is over this
	 * trial's own copy; only the tokenising is shared (docindex.h). */
	walk_sorted(&files, dir, true, SEARCH_MAX_DOCS);
	docs = jolt_xcalloc(files.n ? files.n : 1, sizeof(*docs));
	size_t *df = jolt_xcalloc(q.n, sizeof(*df));
	unsigned *tf = jolt_xcalloc(q.n * (files.n ? files.n : 1), sizeof(*tf));
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
		size_t len = fb.len;
		char *text = jolt_buf_detach(&fb);
		jolt_buf_release(&fb);
		hit *h = &docs[nd];
		h->d = jolt_docindex_get(files.rel[i], text, len);
		total += (double)h->d->dl;
		for (size_t j = 0; j < q.n; j++) {
			tf[nd * q.n + j] = jolt_doc_tf(h->d, q.t[j]);
			if (tf[nd * q.n + j])
				df[j]++;
		}
		nd++;
	}
	double avgdl = nd ? total / (double)nd : 1;
	if (avgdl <= 0)
		avgdl = 1;
	const double k1 = 1.2, bb = 0.75;
	for (size_t i = 0; i < nd; i++) {
		hit *h = &docs[i];
		for (size_t j = 0; j < q.n; j++) {
			if (!tf[i * q.n + j])
				continue;
			double idf =
			    log(1.0 + ((double)nd - (double)df[j] + 0.5) /
					  ((double)df[j] + 0.5));
			double f = (double)tf[i * q.n + j];
			h->score +=
			    idf * f * (k1 + 1) /
			    (f + k1 * (1 - bb + bb * (double)h->d->dl / avgdl));
		}
	}
	free(df);
	free(tf);
	qsort(docs, nd, sizeof(*docs), hit_cmp);

	jolt_buf b;
	jolt_buf_init(&b, JOLT_TOOL_OUTPUT_CAP);
	size_t shown = 0;
	for (size_t i = 0; i < nd && shown < top; i++) {
		const jolt_doc *d = docs[i].d;
		if (docs[i].score <= 0)
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
	rc = tools_finish(out, &b);
done:
	for (size_t i = 0; i < nd; i++)
		jolt_doc_put(docs[i].d);
	free(docs);
	tokens_free(&q);
	file_list_free(&files);
	free(dir);
	return rc;
}

int tools_open_call(char **out, jolt_tool_ctx *ctx, const jolt_tool *t,
		     const json_t *args)
{
	int rc = 0;
	char *dir = NULL, *path = NULL, *text = NULL;
	size_t len = 0;
	const char *id = tools_arg_string(out, args, "id", true, &rc);
	if (!id)
		return rc;
	rc = corpus_dir(out, &dir, ctx, t);
	if (rc)
		goto done;
	/* Resolving against the corpus keeps ids inside it. */
	rc = jolt_path_resolve(&path, dir, id);
	struct stat st;
	if (rc || stat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
		rc = tools_err(out, "no document with id '%s'", id);
		goto done;
	}
	rc = tools_read_text(out, &text, &len, path, id, FILE_READ_CAP);
	if (rc)
		goto done;
	jolt_buf b;
	jolt_buf_init(&b, JOLT_TOOL_OUTPUT_CAP);
	jolt_buf_add(&b, text, len);
	rc = tools_finish(out, &b);
done:
	free(text);
	free(path);
	free(dir);
	return rc;
}

