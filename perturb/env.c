/*
 * env.c - the environment axis's operators that move, add, reformat or
 * commit files (move_files, noise_files, reformat_unrelated, git_history,
 * locale_tz) and the axis's table of all ten; the ones that rewrite data
 * tables are in env_data.c.
 *
 * Operators never touch a working copy: they look at the suite's files
 * through jolt_env_list/jolt_env_read (envsnap.c) and describe what to
 * change as a list of edits (rename, write, delete, git_commit) that
 * jolt_env_apply (world/envedit.c) replays on every trial's copy. That
 * keeps them pure functions of (suite, task, level, seed).
 *
 * What an operator may change is decided from the task itself: a file is
 * "related" when an oracle call names it (or a directory above it), a
 * visible builtin tool reads it through its run options, or its path or
 * base name appears in text that the harness does not map (exec commands,
 * graders, the user prompt). Related files are only ever moved with a
 * path_map; unrelated ones may be reformatted; data files may change format
 * only where the answer stays derivable and the table keys still match.
 */
#include <ctype.h>
#include <strings.h>

#include "core/buf.h"
#include "core/common.h"
#include "core/path.h"
#include "perturb/envop.h"

#define SCAN_CAP (1024 * 1024) /* files operators look inside */

/* ---- helpers: which files a task depends on ----------------------------- */

static bool has_prefix_path(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	if (n == 0)
		return true;
	return !strncmp(path, dir, n) && (path[n] == '\0' || path[n] == '/');
}

static bool in_list(const json_t *files, const char *p)
{
	size_t i;
	const json_t *f;
	json_array_foreach(files, i,
			   f) if (!strcmp(json_string_value(f), p)) return true;
	return false;
}

/* A path that exists in the environment: a file, or a directory (a
 * prefix of some file). */
static bool env_has(const json_t *files, const char *p)
{
	size_t i;
	const json_t *f;
	json_array_foreach(
	    files, i,
	    f) if (has_prefix_path(json_string_value(f), p)) return true;
	return false;
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

/* Text the harness does not rewrite through path_map: a path named
 * there must not move, and a file named there is related. */
static void unmapped_texts(json_t *out, const jolt_op_ctx *c)
{
	for (size_t i = 0; i < c->task->ntools; i++) {
		const jolt_tool *t = envop_task_tool(c, i);
		if (t->exec)
			json_array_append_new(out, json_string(t->exec));
	}
	if (c->task->user)
		json_array_append_new(out, json_string(c->task->user));
	size_t i;
	const json_t *g;
	json_array_foreach(c->task->grade, i, g)
	{
		const char *kind;
		const json_t *body;
		json_object_foreach((json_t *)g, kind, body)
		{
			if (!strcmp(kind, "file"))
				continue; /* the path is mapped; see below */
			char *s = json_dumps(body, JSON_ENCODE_ANY);
			if (s)
				json_array_append_new(out, json_string(s));
			free(s);
		}
		const json_t *f = json_object_get(g, "file");
		const char *k2;
		const json_t *v2;
		json_object_foreach((json_t *)f, k2,
				    v2) if (strcmp(k2, "path") &&
					    json_is_string(v2))
		    json_array_append(out, (json_t *)v2);
	}
}

/* Whether `p` or its base name without extension (when distinctive)
 * appears in any of `texts`. */
static bool mentioned(const json_t *texts, const char *p)
{
	const char *b = base_name(p);
	char *stem = jolt_xstrdup(b);
	char *dot = strrchr(stem, '.');
	if (dot && dot != stem)
		*dot = '\0';
	bool hit = false;
	size_t i;
	const json_t *t;
	json_array_foreach(texts, i, t)
	{
		const char *s = json_string_value(t);
		if (strstr(s, p) || strstr(s, b) ||
		    (strlen(stem) >= 3 && strstr(s, stem)))
			hit = true;
	}
	free(stem);
	return hit;
}

static bool mentioned_path(const json_t *texts, const char *p)
{
	size_t i;
	const json_t *t;
	json_array_foreach(texts, i,
			   t) if (strstr(json_string_value(t), p)) return true;
	return false;
}

static bool oracle_calls(const jolt_op_ctx *c, const char *tool)
{
	size_t i;
	const json_t *step;
	json_array_foreach(c->task->oracle, i, step)
	{
		const char *n = json_string_value(
		    json_object_get(json_object_get(step, "call"), "name"));
		if (n && !strcmp(n, tool))
			return true;
	}
	return false;
}

static bool is_code_path(const char *p)
{
	static const char *const ext[] = {".sh", ".py", ".js", ".mk",	".c",
					  ".h",	 ".rb", ".pl", ".bash", ".ts"};
	const char *b = base_name(p);
	if (!strcmp(b, "Makefile") || !strcmp(b, "makefile"))
		return true;
	const char *dot = strrchr(b, '.');
	for (size_t i = 0; dot && i < JOLT_ARRAY_LEN(ext); i++)
		if (!strcmp(dot, ext[i]))
			return true;
	return false;
}

static bool is_code(const char *p, const char *text)
{
	return is_code_path(p) || !strncmp(text, "#!", 2);
}

static bool valid_text(const char *s, size_t n)
{
	if (memchr(s, '\0', n))
		return false;
	json_t *j = json_stringn(s, n);
	json_decref(j);
	return j != NULL;
}

/* Paths the task's oracle or its visible builtin tools read or write:
 * string arguments of oracle calls that name something in the
 * environment (or the root, for a grep with no path), and the `file` and
 * `dir` run options of visible builtin tools. */
static json_t *referenced_paths(const jolt_op_ctx *c, const json_t *files)
{
	json_t *out = json_array();
	for (size_t i = 0; i < c->task->ntools; i++) {
		const jolt_tool *t = envop_task_tool(c, i);
		if (!envop_builtin_of(t))
			continue;
		const char *f =
		    json_string_value(json_object_get(t->run, "file"));
		const char *d =
		    json_string_value(json_object_get(t->run, "dir"));
		if (f)
			json_array_append_new(out, json_string(f));
		if (d)
			json_array_append_new(out, json_string(d));
	}
	size_t i;
	const json_t *step;
	json_array_foreach(c->task->oracle, i, step)
	{
		const json_t *call = json_object_get(step, "call");
		if (!call)
			continue;
		const char *name =
		    json_string_value(json_object_get(call, "name"));
		const json_t *args = json_object_get(call, "args");
		const jolt_tool *t = jolt_task_tool(c->suite, c->task, name);
		const char *bi = t ? envop_builtin_of(t) : NULL;
		if (bi && !strcmp(bi, "grep") && !json_object_get(args, "path"))
			json_array_append_new(out, json_string(""));
		const char *k;
		const json_t *a;
		json_object_foreach((json_t *)args, k, a)
		{
			const char *s = json_string_value(a);
			if (s && *s && env_has(files, s))
				json_array_append_new(out, json_string(s));
		}
	}
	return out;
}

static bool related(const json_t *refs, const json_t *texts, const char *p)
{
	size_t i;
	const json_t *r;
	json_array_foreach(
	    refs, i,
	    r) if (has_prefix_path(p, json_string_value(r))) return true;
	return mentioned(texts, p);
}

static bool has_exec_or_command(const jolt_op_ctx *c)
{
	for (size_t i = 0; i < c->task->ntools; i++)
		if (envop_task_tool(c, i)->kind == JOLT_TOOL_EXEC)
			return true;
	size_t i;
	const json_t *g;
	json_array_foreach(c->task->grade, i,
			   g) if (json_object_get(g, "command")) return true;
	return false;
}

/* ---- operator: move_files ----------------------------------------------- */

static const char *const mv_suffix[] = {"-v2",	    "_2024", "-export",
					"-current", "_main", "-latest"};
static const char *const mv_sub[] = {"archive",	 "v2",	   "current",
				     "imported", "shared", "legacy"};
static const char *const mv_top[] = {"var",	  "srv",   "store",
				     "workspace", "share", "assets"};
static const char *const mv_dirname[] = {"library",  "documents", "corpus",
					 "articles", "content",	  "texts"};

static char *move_target(const jolt_op_ctx *c, const char *p, bool is_dir,
			 uint64_t n, const json_t *files, const json_t *texts)
{
	const char *b = base_name(p);
	char *dir = jolt_xstrndup(p, (size_t)(b - p)); /* "" or "x/y/" */
	char *stem = jolt_xstrdup(b);
	char *dot = is_dir ? NULL : strrchr(stem, '.');
	const char *ext = "";
	if (dot && dot != stem) {
		ext = b + (dot - stem);
		*dot = '\0';
	}
	char *newbase = is_dir
			    ? jolt_xstrdup(envop_pick(c, "mv.dirname", n, mv_dirname,
						JOLT_ARRAY_LEN(mv_dirname)))
			    : jolt_xasprintf("%s%s%s", stem,
					     envop_pick(c, "mv.suffix", n, mv_suffix,
						  JOLT_ARRAY_LEN(mv_suffix)),
					     ext);
	/* A directory the prompt or a grader names keeps what it holds:
	 * the heavy move then goes one level down inside it. */
	char *dname = jolt_xstrndup(dir, *dir ? strlen(dir) - 1 : 0);
	bool pinned = *dname && mentioned_path(texts, dname);
	free(dname);
	char *t;
	if (c->level >= 3 && pinned)
		t = jolt_xasprintf(
		    "%s%s/%s", dir,
		    envop_pick(c, "mv.sub", n, mv_sub, JOLT_ARRAY_LEN(mv_sub)),
		    newbase);
	else if (c->level <= 1)
		t = jolt_xasprintf("%s%s", dir, newbase);
	else if (c->level == 2)
		t = jolt_xasprintf(
		    "%s%s/%s", dir,
		    envop_pick(c, "mv.sub", n, mv_sub, JOLT_ARRAY_LEN(mv_sub)), b);
	else
		t = jolt_xasprintf(
		    "%s/%s%s",
		    envop_pick(c, "mv.top", n, mv_top, JOLT_ARRAY_LEN(mv_top)), dir,
		    newbase);
	/* Never onto something that exists. */
	for (int k = 2; env_has(files, t); k++) {
		char *u = jolt_xasprintf("%s-%d", t, k);
		free(t);
		t = u;
	}
	free(newbase);
	free(stem);
	free(dir);
	return t;
}

static json_t *map_value(const json_t *a, const json_t *path_map)
{
	const char *s = json_string_value(a);
	const char *old;
	const json_t *nw;
	json_object_foreach((json_t *)path_map, old, nw)
	{
		if (s && has_prefix_path(s, old))
			return json_sprintf("%s%s", json_string_value(nw),
					    s + strlen(old));
	}
	return json_deep_copy(a);
}

static int move_files_apply(jolt_variant *v, const jolt_op_ctx *c)
{
	int rc = 0;
	json_t *files = NULL, *texts = json_array(), *cands = json_array();
	json_t *refs = NULL;
	rc = jolt_env_list(&files, c->suite, c->task);
	if (rc)
		goto done;
	unmapped_texts(texts, c);
	/* Also keep files that code in the environment names (a test script
	 * that sources its neighbour). */
	size_t i;
	const json_t *f;
	json_array_foreach(files, i, f)
	{
		const char *p = json_string_value(f);
		char *text = NULL;
		size_t len = 0;
		if (jolt_env_read(&text, &len, c->suite, c->task, p) == 0 &&
		    len <= SCAN_CAP && valid_text(text, len) &&
		    is_code(p, text))
			json_array_append_new(texts, json_stringn(text, len));
		free(text);
	}
	refs = referenced_paths(c, files);
	const json_t *r;
	json_array_foreach(refs, i, r)
	{
		const char *p = json_string_value(r);
		if (!*p || !strcmp(p, ".") || mentioned(texts, p) ||
		    jolt_path_in_git_dir(p))
			continue;
		/* Files named by an oracle argument, or whatever a builtin's
		 * run options point at (a data file or a corpus dir). */
		bool is_file = in_list(files, p);
		bool from_run = false;
		for (size_t t = 0; t < c->task->ntools; t++) {
			const jolt_tool *tl = envop_task_tool(c, t);
			const char *rf =
			    json_string_value(json_object_get(tl->run, "file"));
			const char *rd =
			    json_string_value(json_object_get(tl->run, "dir"));
			if (((rf && !strcmp(rf, p)) ||
			     (rd && !strcmp(rd, p))) &&
			    envop_builtin_of(tl) && oracle_calls(c, tl->name))
				from_run = true;
		}
		bool from_arg = false;
		const json_t *step;
		size_t si;
		json_array_foreach(c->task->oracle, si, step)
		{
			const char *k;
			const json_t *a;
			json_object_foreach(
			    json_object_get(json_object_get(step, "call"),
					    "args"),
			    k, a) if (json_is_string(a) &&
				      !strcmp(json_string_value(a), p))
			    from_arg = true;
		}
		if (!(is_file && from_arg) && !from_run)
			continue;
		/* No file under a moved directory may be named elsewhere. */
		bool named = false;
		size_t j;
		const json_t *g;
		json_array_foreach(files, j, g)
		{
			const char *q = json_string_value(g);
			if (!is_file && has_prefix_path(q, p) &&
			    mentioned_path(texts, q))
				named = true;
		}
		if (!named && !in_list(cands, p))
			json_array_append_new(cands, json_string(p));
	}
	size_t nc = json_array_size(cands);
	if (nc == 0) {
		rc = jolt_err_set(JOLT_ENOTFOUND,
				  "move_files: nothing the task uses can move "
				  "without changing what it asks");
		goto done;
	}
	/* Mild and medium move one thing; heavy moves all of them. */
	size_t first = c->level >= 3 ? 0 : jolt_op_pick(c, "mv.which", 0, nc);
	size_t last = c->level >= 3 ? nc : first + 1;
	json_t *map = json_object();
	jolt_buf sum;
	jolt_buf_init(&sum, 0);
	jolt_buf_adds(&sum, "moved ");
	for (size_t k = first; k < last; k++) {
		const char *p = json_string_value(json_array_get(cands, k));
		char *t =
		    move_target(c, p, !in_list(files, p), k, files, texts);
		envop_edit_add(v, json_pack("{s:s, s:s, s:s}", "op", "rename",
				       "from", p, "to", t));
		json_object_set_new(map, p, json_string(t));
		jolt_buf_addf(&sum, "%s%s to %s", k > first ? ", " : "", p, t);
		free(t);
	}
	json_decref(v->path_map);
	v->path_map = map;
	free(v->summary);
	v->summary = jolt_buf_detach(&sum);
	jolt_buf_release(&sum);

	/* The oracle follows the move; the thrown model uses the old path
	 * once, gets an error and gives up. */
	json_t *first_old = NULL;
	const json_t *step;
	json_array_foreach(v->oracle, i, step)
	{
		json_t *call = json_object_get(step, "call");
		json_t *args = json_object_get(call, "args");
		if (!json_is_object(args))
			continue;
		json_t *nargs = json_object();
		bool changed = false;
		const char *k;
		json_t *a;
		json_object_foreach(args, k, a)
		{
			json_t *m = map_value(a, map);
			if (!json_equal(m, a))
				changed = true;
			json_object_set_new(nargs, k, m);
		}
		if (changed && !first_old)
			first_old = json_deep_copy(call);
		json_object_set_new(call, "args", nargs);
	}
	if (first_old)
		jolt_variant_mistake(v, 0,
				     json_pack("[{s:o}, {s:s}]", "call",
					       first_old, "answer",
					       JOLT_GIVE_UP));
	else
		jolt_variant_give_up(v);
done:
	json_decref(refs);
	json_decref(cands);
	json_decref(texts);
	json_decref(files);
	return rc;
}

/* ---- operator: noise_files ---------------------------------------------- */

static const char *const noise_dir[] = {
    "scratch", "old",  "tmp-cache", "vendor",  "drafts",
    "backup",  "misc", "attic",	    "exports", "logs"};
static const char *const noise_file[] = {
    "notes-old.txt",   "cache.dat",   "draft.md",	 "output.log",
    "backup.txt",      "index.old",   "readme-2019.txt", "scratch.txt",
    "report-draft.md", "session.log", "todo-old.txt",	 "snapshot.csv"};
static const char *const noise_line[] = {
    "This file is not used by any project in this workspace.",
    "Kept for reference; safe to ignore.",
    "Generated by an old export job. Superseded.",
    "Lorem ipsum dolor sit amet, consectetur adipiscing elit.",
    "Placeholder content left over from a migration.",
    "Archived material. Nothing here is current."};

static int noise_files_apply(jolt_variant *v, const jolt_op_ctx *c)
{
	json_t *files = NULL;
	int rc = jolt_env_list(&files, c->suite, c->task);
	if (rc)
		return rc;
	static const int counts[] = {0, 3, 8, 20};
	static const int ndirs[] = {0, 1, 3, 6};
	int n = counts[c->level], nd = ndirs[c->level];
	/* New directories only: a directory the task reads as a whole (its
	 * listing, its grep, its corpus) must keep its contents. */
	json_t *dirs = json_array();
	for (int d = 0; d < nd; d++) {
		const char *base = envop_pick(c, "noise.dir", (uint64_t)d, noise_dir,
					JOLT_ARRAY_LEN(noise_dir));
		char *dir =
		    d >= 2 && json_array_size(dirs)
			? jolt_xasprintf(
			      "%s/%s",
			      json_string_value(json_array_get(
				  dirs,
				  jolt_op_pick(c, "noise.parent", (uint64_t)d,
					     json_array_size(dirs)))),
			      base)
			: jolt_xstrdup(base);
		for (int k = 2; env_has(files, dir) || in_list(dirs, dir);
		     k++) {
			char *u = jolt_xasprintf("%s%d", dir, k);
			free(dir);
			dir = u;
		}
		json_array_append_new(dirs, json_string(dir));
		free(dir);
	}
	json_t *made = json_array();
	for (int i = 0; i < n; i++) {
		const char *dir = json_string_value(
		    json_array_get(dirs, jolt_op_pick(c, "noise.in", (uint64_t)i,
						    json_array_size(dirs))));
		char *p = jolt_xasprintf("%s/%s", dir,
					 envop_pick(c, "noise.file", (uint64_t)i,
					      noise_file,
					      JOLT_ARRAY_LEN(noise_file)));
		for (int k = 2; in_list(made, p); k++) {
			char *u = jolt_xasprintf(
			    "%s/%d-%s", dir, k,
			    envop_pick(c, "noise.file", (uint64_t)i, noise_file,
				 JOLT_ARRAY_LEN(noise_file)));
			free(p);
			p = u;
		}
		char *content = jolt_xasprintf(
		    "%s\nid: %016llx\n",
		    envop_pick(c, "noise.line", (uint64_t)i, noise_line,
			 JOLT_ARRAY_LEN(noise_line)),
		    (unsigned long long)(jolt_op_rand(c, "noise.id",
						      (uint64_t)i) *
					 (double)(1ULL << 52)));
		rc = envop_add_write(v, p, content, strlen(content));
		json_array_append_new(made, json_string(p));
		free(content);
		free(p);
		if (rc)
			break;
	}
	if (!rc) {
		jolt_variant_summary(v,
			    "added %d irrelevant files in %d new directories",
			    n, nd);
		jolt_variant_give_up(v);
	}
	json_decref(made);
	json_decref(dirs);
	json_decref(files);
	return rc;
}

/* ---- operator: reformat_unrelated --------------------------------------- */

static bool has_ext(const char *p, const char *const *ext, size_t n)
{
	const char *dot = strrchr(base_name(p), '.');
	for (size_t i = 0; dot && i < n; i++)
		if (!strcasecmp(dot, ext[i]))
			return true;
	return false;
}

static char *reformat_text(const char *p, const char *s, size_t n, int level,
			   size_t *out_len)
{
	static const char *const plain[] = {".md", ".txt", ".json", ".yaml",
					    ".yml"};
	/* Trailing or leading blanks would change a CSV field's value. */
	bool blanks = has_ext(p, plain, JOLT_ARRAY_LEN(plain));
	jolt_buf b;
	jolt_buf_init(&b, 0);
	size_t i = 0;
	while (i < n) {
		size_t e = i;
		while (e < n && s[e] != '\n')
			e++;
		size_t le = e;
		if (le > i && s[le - 1] == '\r')
			le--;
		size_t st = i;
		if (level >= 3 && blanks) {
			/* Indentation in spaces becomes tabs, two per tab. */
			while (st + 1 < le && s[st] == ' ' &&
			       s[st + 1] == ' ') {
				jolt_buf_addc(&b, '\t');
				st += 2;
			}
		}
		jolt_buf_add(&b, s + st, le - st);
		if (level >= 2 && blanks && le > i)
			jolt_buf_adds(&b, "  ");
		if (e < n)
			jolt_buf_adds(&b, "\r\n");
		i = e < n ? e + 1 : e;
	}
	if (level >= 3 && blanks)
		jolt_buf_adds(&b, "\r\n\r\n");
	*out_len = b.len;
	char *r = jolt_buf_detach(&b);
	jolt_buf_release(&b);
	return r;
}

static int reformat_unrelated_apply(jolt_variant *v, const jolt_op_ctx *c)
{
	static const char *const ok_ext[] = {".md",   ".txt", ".json",
					     ".yaml", ".yml", ".csv"};
	json_t *files = NULL, *texts = json_array(), *refs = NULL;
	json_t *cands = json_array();
	int rc = jolt_env_list(&files, c->suite, c->task);
	if (rc)
		goto done;
	unmapped_texts(texts, c);
	refs = referenced_paths(c, files);
	size_t i;
	const json_t *f;
	json_array_foreach(files, i, f)
	{
		const char *p = json_string_value(f);
		if (!has_ext(p, ok_ext, JOLT_ARRAY_LEN(ok_ext)) ||
		    related(refs, texts, p))
			continue;
		json_array_append(cands, (json_t *)f);
	}
	static const size_t want[] = {0, 1, 3, 50};
	size_t nc = json_array_size(cands), done_n = 0;
	/* A seeded rotation of the candidates picks which ones. */
	size_t start = nc ? jolt_op_pick(c, "fmt.start", 0, nc) : 0;
	for (size_t k = 0; k < nc && done_n < want[c->level]; k++) {
		const char *p =
		    json_string_value(json_array_get(cands, (start + k) % nc));
		char *text = NULL, *nt = NULL;
		size_t len = 0, nl = 0;
		if (jolt_env_read(&text, &len, c->suite, c->task, p) == 0 &&
		    len <= SCAN_CAP && valid_text(text, len) &&
		    !is_code(p, text)) {
			nt = reformat_text(p, text, len, c->level, &nl);
			if (nl != len || memcmp(nt, text, len)) {
				rc = envop_add_write(v, p, nt, nl);
				done_n++;
			}
		}
		free(nt);
		free(text);
		if (rc)
			goto done;
	}
	if (done_n == 0) {
		rc = jolt_err_set(JOLT_ENOTFOUND,
				  "reformat_unrelated: no text file is "
				  "unrelated to the task");
		goto done;
	}
	jolt_variant_summary(v, "reformatted %zu unrelated files (%s)", done_n,
		    c->level == 1   ? "CRLF line endings"
		    : c->level == 2 ? "CRLF, trailing blanks"
				    : "CRLF, trailing blanks, tab indents");
	jolt_variant_give_up(v);
done:
	json_decref(cands);
	json_decref(refs);
	json_decref(texts);
	json_decref(files);
	return rc;
}

/* ---- operator: git_history ---------------------------------------------- */

static const char *const commit_msgs[] = {"Update changelog",
					  "Tidy up wording in the changelog",
					  "Note the release date",
					  "Record the infrastructure change",
					  "Add an entry for the data refresh",
					  "Fix a typo",
					  "Mention the new contributors",
					  "Prepare for the next release"};

static int git_history_apply(jolt_variant *v, const jolt_op_ctx *c)
{
	if (!c->suite->env_repo)
		return jolt_err_set(JOLT_ENOTFOUND,
				    "git_history: the environment is not a git "
				    "repository");
	json_t *files = NULL;
	int rc = jolt_env_list(&files, c->suite, c->task);
	if (rc)
		return rc;
	static const char *const names[] = {
	    "CHANGELOG.md", "HISTORY.md", "CHANGES.txt", "changelog/NOTES.md"};
	const char *log = NULL;
	for (size_t i = 0; i < JOLT_ARRAY_LEN(names) && !log; i++)
		if (!env_has(files, names[i]))
			log = names[i];
	json_decref(files);
	if (!log)
		return jolt_err_set(
		    JOLT_ENOTFOUND,
		    "git_history: no free name for a changelog");
	static const int commits[] = {0, 1, 3, 6};
	jolt_buf b;
	jolt_buf_init(&b, 0);
	jolt_buf_adds(&b, "# Changelog\n");
	for (int i = 0; i < commits[c->level] && !rc; i++) {
		jolt_buf_addf(&b, "\n- %s (entry %d)\n",
			      envop_pick(c, "git.entry", (uint64_t)i, commit_msgs,
				   JOLT_ARRAY_LEN(commit_msgs)),
			      i + 1);
		rc = envop_add_write(v, log, b.s, b.len);
		envop_edit_add(v,
			  json_pack("{s:s, s:s}", "op", "git_commit", "message",
				    envop_pick(c, "git.msg", (uint64_t)i, commit_msgs,
					 JOLT_ARRAY_LEN(commit_msgs))));
	}
	jolt_buf_release(&b);
	if (rc)
		return rc;
	jolt_variant_summary(v, "%d extra commit(s) touching %s", commits[c->level],
		    log);
	jolt_variant_give_up(v);
	return 0;
}

/* ---- operator: locale_tz ------------------------------------------------ */

static const char *const tz_names[] = {
    "Pacific/Chatham",	   "Asia/Kathmandu",	 "America/St_Johns",
    "Australia/Lord_Howe", "Pacific/Kiritimati", "America/Caracas"};
static const char *const lang_names[] = {"de_DE.UTF-8", "fr_FR.UTF-8",
					 "tr_TR.UTF-8", "pt_BR.UTF-8",
					 "ru_RU.UTF-8", "ja_JP.UTF-8"};

static int locale_tz_apply(jolt_variant *v, const jolt_op_ctx *c)
{
	/* Only exec tools and command graders see the variables. */
	if (!has_exec_or_command(c))
		return jolt_err_set(JOLT_ENOTFOUND,
				    "locale_tz: nothing in the task runs a "
				    "command");
	json_t *vars = json_object();
	const char *tz = envop_pick(c, "tz", 0, tz_names, JOLT_ARRAY_LEN(tz_names));
	const char *lang =
	    envop_pick(c, "lang", 0, lang_names, JOLT_ARRAY_LEN(lang_names));
	json_object_set_new(vars, "TZ", json_string(tz));
	if (c->level >= 2)
		json_object_set_new(vars, "LANG", json_string(lang));
	if (c->level >= 3) {
		json_object_set_new(vars, "LC_ALL", json_string(lang));
		json_object_set_new(vars, "LC_NUMERIC", json_string(lang));
		json_object_set_new(vars, "LC_TIME", json_string(lang));
	}
	json_decref(v->env_vars);
	v->env_vars = vars;
	if (c->level >= 2)
		jolt_variant_summary(v, "TZ=%s, %s=%s", tz,
			    c->level >= 3 ? "LANG/LC_ALL" : "LANG", lang);
	else
		jolt_variant_summary(v, "TZ=%s", tz);
	jolt_variant_give_up(v);
	return 0;
}

/* ---- the table ---------------------------------------------------------- */

const jolt_op jolt_ops_env[] = {
    {"move_files", JOLT_AXIS_env,
     "move or rename files and directories the task uses (harness paths "
     "follow; the model is not told)",
     3, JOLT_OP_INVARIANT, NULL, move_files_apply},
    {"noise_files", JOLT_AXIS_env,
     "add irrelevant files in new directories (3, 8, 20 files)", 3,
     JOLT_OP_INVARIANT, NULL, noise_files_apply},
    {"reformat_unrelated", JOLT_AXIS_env,
     "reformat text files the task does not use: line endings, trailing "
     "blanks, indentation",
     3, JOLT_OP_INVARIANT, NULL, reformat_unrelated_apply},
    {"csv_delimiter", JOLT_AXIS_env,
     "change the delimiter of the task's CSV tables (; tab |)", 3,
     JOLT_OP_INVARIANT, NULL, envop_csv_delimiter},
    {"number_format", JOLT_AXIS_env,
     "write numbers in non-key table columns differently (separators, "
     "padding, scientific), same values",
     3, JOLT_OP_INVARIANT, NULL, envop_number_format},
    {"date_format", JOLT_AXIS_env,
     "write dates in non-key table columns differently (15 Mar 2024, "
     "March 15, 2024, 20240315)",
     3, JOLT_OP_INVARIANT, NULL, envop_date_format},
    {"json_key_order", JOLT_AXIS_env,
     "reorder the keys of records in the task's JSON tables", 3,
     JOLT_OP_INVARIANT, NULL, envop_json_key_order},
    {"extra_records", JOLT_AXIS_env,
     "add records with new keys to the task's tables (1, 3, 8 entities)", 3,
     JOLT_OP_INVARIANT, NULL, envop_extra_records},
    {"git_history", JOLT_AXIS_env,
     "add commits touching an unrelated file to the repository (1, 3, 6)", 3,
     JOLT_OP_INVARIANT, NULL, git_history_apply},
    {"locale_tz", JOLT_AXIS_env,
     "run commands under another time zone and locale (TZ, LANG, LC_*)", 3,
     JOLT_OP_INVARIANT, NULL, locale_tz_apply},
    {NULL, 0, NULL, 0, 0, NULL, NULL},
};
