/*
 * env.c - the environment axis: reading a suite's environment (a directory
 * or the git tree at the pinned revision) for operators, applying a
 * variant's env_edits to a fresh working copy, and the env operators.
 *
 * Operators never touch the working copy themselves: they look at the
 * suite's files through jolt_env_list/jolt_env_read and describe what to
 * change as a list of edits (rename, write, delete, git_commit) that
 * jolt_env_apply replays on every trial's copy. That keeps them pure
 * functions of (suite, task, level, seed).
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
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <git2.h>
#include <pthread.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/common.h"
#include "world/env.h"
#include "perturb/perturb.h"

#define ENV_READ_CAP (16 * 1024 * 1024) /* one environment file */
#define ENV_LIST_MAX 100000		/* files in an environment */
#define ENV_DEPTH_MAX 64
#define SCAN_FILE_CAP (1024 * 1024) /* files operators look inside */
#define COMMIT_TIME 1711929600	    /* 2024-04-01T00:00:00Z */

/* ---- reading the suite's environment ------------------------------------ */

static pthread_once_t git_once = PTHREAD_ONCE_INIT;

static void git_init_once(void)
{
	git_libgit2_init();
	/* Suites and working copies are often owned by another user (the
	 * sandbox uid); we only read the former and own the latter. */
	git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, 0);
}

static const char *git_msg(void)
{
	const git_error *e = git_error_last();
	return e && e->message ? e->message : "unknown libgit2 error";
}

static int list_dir_rec(json_t *arr, const char *root, const char *sub,
			int depth)
{
	int rc = 0;
	char *dir =
	    *sub ? jolt_xasprintf("%s/%s", root, sub) : jolt_xstrdup(root);
	DIR *d = NULL;
	if (depth > ENV_DEPTH_MAX) {
		rc = jolt_err_set(JOLT_EINPUT, "%s: nested too deep", dir);
		goto done;
	}
	d = opendir(dir);
	if (!d) {
		rc = jolt_err_set(errno == ENOENT ? JOLT_ENOTFOUND : JOLT_EIO,
				  "%s: %s", dir, strerror(errno));
		goto done;
	}
	struct dirent *e;
	while (!rc && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		char *rel = *sub ? jolt_xasprintf("%s/%s", sub, e->d_name)
				 : jolt_xstrdup(e->d_name);
		char *abs = jolt_xasprintf("%s/%s", root, rel);
		struct stat st;
		if (lstat(abs, &st) == 0 && S_ISDIR(st.st_mode))
			rc = list_dir_rec(arr, root, rel, depth + 1);
		else if (lstat(abs, &st) == 0 && S_ISREG(st.st_mode)) {
			if (json_array_size(arr) >= ENV_LIST_MAX)
				rc = jolt_err_set(JOLT_ETOOBIG,
						  "%s: more than %d files",
						  root, ENV_LIST_MAX);
			else
				json_array_append_new(arr, json_string(rel));
		}
		free(rel);
		free(abs);
	}
done:
	if (d)
		closedir(d);
	free(dir);
	return rc;
}

static int open_tree(git_repository **repo, git_tree **tree,
		     const jolt_suite *s)
{
	git_object *obj = NULL;
	*repo = NULL;
	*tree = NULL;
	pthread_once(&git_once, git_init_once);
	const char *rev = s->env_rev ? s->env_rev : "HEAD";
	if (git_repository_open_ext(repo, s->env_repo,
				    GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) < 0)
		return jolt_err_set(JOLT_EINPUT, "%s: not a git repository: %s",
				    s->env_repo, git_msg());
	int rc = 0;
	if (git_revparse_single(&obj, *repo, rev) < 0 ||
	    git_object_peel((git_object **)tree, obj, GIT_OBJECT_TREE) < 0)
		rc =
		    jolt_err_set(JOLT_EINPUT, "%s: revision '%s' not found: %s",
				 s->env_repo, rev, git_msg());
	git_object_free(obj);
	if (rc) {
		git_repository_free(*repo);
		*repo = NULL;
	}
	return rc;
}

static int tree_cb(const char *root, const git_tree_entry *e, void *payload)
{
	json_t *arr = payload;
	if (git_tree_entry_type(e) != GIT_OBJECT_BLOB ||
	    git_tree_entry_filemode(e) == GIT_FILEMODE_LINK)
		return 0;
	if (json_array_size(arr) >= ENV_LIST_MAX)
		return -1;
	char *p = jolt_xasprintf("%s%s", root, git_tree_entry_name(e));
	json_array_append_new(arr, json_string(p));
	free(p);
	return 0;
}

static int cmp_json_str(const void *a, const void *b)
{
	return strcmp(json_string_value(*(json_t *const *)a),
		      json_string_value(*(json_t *const *)b));
}

static void sort_strings(json_t *arr)
{
	size_t n = json_array_size(arr);
	json_t **v = jolt_xcalloc(n + 1, sizeof(*v));
	for (size_t i = 0; i < n; i++)
		v[i] = json_incref(json_array_get(arr, i));
	qsort(v, n, sizeof(*v), cmp_json_str);
	json_array_clear(arr);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, v[i]);
	free(v);
}

static int env_list_uncached(json_t **out, const jolt_suite *s)
{
	*out = NULL;
	int rc = 0;
	json_t *arr = json_array();
	if (s && s->env_dir) {
		rc = list_dir_rec(arr, s->env_dir, "", 0);
	} else if (s && s->env_repo) {
		git_repository *repo = NULL;
		git_tree *tree = NULL;
		rc = open_tree(&repo, &tree, s);
		if (!rc &&
		    git_tree_walk(tree, GIT_TREEWALK_PRE, tree_cb, arr) < 0)
			rc = jolt_err_set(JOLT_ETOOBIG,
					  "%s: more than %d files or an "
					  "unreadable tree",
					  s->env_repo, ENV_LIST_MAX);
		git_tree_free(tree);
		git_repository_free(repo);
	}
	if (rc) {
		json_decref(arr);
		return rc;
	}
	sort_strings(arr);
	*out = arr;
	return 0;
}

static int env_read_uncached(char **out, size_t *len, const jolt_suite *s,
			     const char *path)
{
	*out = NULL;
	*len = 0;
	int rc = 0;
	if (!s || !path || !*path || path[0] == '/')
		return jolt_err_set(JOLT_EUSAGE,
				    "environment path '%s' is not "
				    "relative",
				    path ? path : "");
	if (s->env_dir) {
		char *abs = NULL;
		rc = jolt_path_resolve(&abs, s->env_dir, path);
		if (rc)
			return rc;
		jolt_buf b;
		jolt_buf_init(&b, ENV_READ_CAP);
		rc = jolt_buf_read_file(&b, abs);
		free(abs);
		if (rc) {
			jolt_buf_release(&b);
			return rc;
		}
		*len = b.len;
		*out = jolt_buf_detach(&b);
		jolt_buf_release(&b);
		return 0;
	}
	if (!s->env_repo)
		return jolt_err_set(JOLT_ENOTFOUND,
				    "suite '%s' has no environment",
				    s->name ? s->name : "?");
	git_repository *repo = NULL;
	git_tree *tree = NULL;
	git_tree_entry *ent = NULL;
	git_blob *blob = NULL;
	rc = open_tree(&repo, &tree, s);
	if (rc)
		goto done;
	if (git_tree_entry_bypath(&ent, tree, path) < 0 ||
	    git_tree_entry_type(ent) != GIT_OBJECT_BLOB) {
		rc = jolt_err_set(JOLT_ENOTFOUND, "%s: no file '%s' at %s",
				  s->env_repo, path,
				  s->env_rev ? s->env_rev : "HEAD");
		goto done;
	}
	if (git_blob_lookup(&blob, repo, git_tree_entry_id(ent)) < 0) {
		rc = jolt_err_set(JOLT_EIO, "%s: %s: %s", s->env_repo, path,
				  git_msg());
		goto done;
	}
	git_object_size_t n = git_blob_rawsize(blob);
	if (n > ENV_READ_CAP) {
		rc = jolt_err_set(JOLT_ETOOBIG, "%s: larger than %d bytes",
				  path, ENV_READ_CAP);
		goto done;
	}
	*out = jolt_xmalloc((size_t)n + 1);
	memcpy(*out, git_blob_rawcontent(blob), (size_t)n);
	(*out)[n] = '\0';
	*len = (size_t)n;
done:
	git_blob_free(blob);
	git_tree_entry_free(ent);
	git_tree_free(tree);
	git_repository_free(repo);
	return rc;
}

/* A snapshot of each suite's environment, taken once per process:
 * operators read the same few files for every variant, and reopening the
 * git repository each time costs more than the operators themselves (and
 * serialises threads on the process's memory map). Environments larger
 * than the cap are read directly each time. */
#define ENV_CACHE_CAP (64 * 1024 * 1024)

struct env_file {
	char *path;
	char *data; /* NULL when the file could not be read: read directly */
	size_t len;
	int rc;
};

struct env_snap {
	char *id;            /* env_dir, or env_repo + "@" + env_rev */
	json_t *list;        /* sorted relative paths */
	struct env_file *files; /* in list order */
	size_t nfiles;
	int cached;          /* contents held (under the cap) */
	struct env_snap *next;
};

static pthread_mutex_t snap_lock = PTHREAD_MUTEX_INITIALIZER;
static struct env_snap *snaps;

static void snaps_free(void)
{
	pthread_mutex_lock(&snap_lock);
	for (struct env_snap *e = snaps, *nx; e; e = nx) {
		nx = e->next;
		for (size_t i = 0; i < e->nfiles; i++) {
			free(e->files[i].path);
			free(e->files[i].data);
		}
		free(e->files);
		json_decref(e->list);
		free(e->id);
		free(e);
	}
	snaps = NULL;
	pthread_mutex_unlock(&snap_lock);
}

static char *snap_id(const jolt_suite *s)
{
	if (s->env_dir)
		return jolt_xstrdup(s->env_dir);
	if (s->env_repo)
		return jolt_xasprintf("%s@%s", s->env_repo, s->env_rev ? s->env_rev : "HEAD");
	return NULL;
}

/* The snapshot of s's environment (borrowed: immutable, lives until exit),
 * taken on first use. */
static int snapshot(const struct env_snap **out, const jolt_suite *s)
{
	*out = NULL;
	char *id = snap_id(s);
	if (!id)
		return jolt_err_set(JOLT_ENOTFOUND, "suite '%s' has no environment",
				    s->name ? s->name : "?");
	int rc = 0;
	pthread_mutex_lock(&snap_lock);
	struct env_snap *e;
	for (e = snaps; e; e = e->next)
		if (!strcmp(e->id, id))
			break;
	if (!e) {
		json_t *list = NULL;
		rc = env_list_uncached(&list, s);
		if (rc)
			goto done;
		e = jolt_xcalloc(1, sizeof(*e));
		e->id = id;
		id = NULL;
		e->list = list;
		e->nfiles = json_array_size(list);
		e->files = jolt_xcalloc(e->nfiles ? e->nfiles : 1, sizeof(*e->files));
		size_t total = 0;
		e->cached = 1;
		for (size_t i = 0; i < e->nfiles; i++) {
			struct env_file *f = &e->files[i];
			f->path = jolt_xstrdup(json_string_value(json_array_get(list, i)));
			if (!e->cached)
				continue;
			f->rc = env_read_uncached(&f->data, &f->len, s, f->path);
			total += f->len;
			if (total > ENV_CACHE_CAP)
				e->cached = 0;
		}
		if (!e->cached)
			for (size_t i = 0; i < e->nfiles; i++) {
				free(e->files[i].data);
				e->files[i].data = NULL;
			}
		if (!snaps)
			atexit(snaps_free);
		e->next = snaps;
		snaps = e;
	}
	*out = e;
done:
	pthread_mutex_unlock(&snap_lock);
	free(id);
	return rc;
}

int jolt_env_list(json_t **out, const jolt_suite *s)
{
	*out = NULL;
	if (!s || (!s->env_dir && !s->env_repo)) {
		*out = json_array();
		return 0;
	}
	const struct env_snap *e = NULL;
	int rc = snapshot(&e, s);
	if (rc)
		return rc;
	*out = json_deep_copy(e->list);
	return 0;
}

static int by_path(const void *key, const void *elem)
{
	return strcmp(key, ((const struct env_file *)elem)->path);
}

int jolt_env_read(char **out, size_t *len, const jolt_suite *s,
		  const char *path)
{
	*out = NULL;
	*len = 0;
	const struct env_snap *e = NULL;
	if (s && path && *path && path[0] != '/' && (s->env_dir || s->env_repo) &&
	    !snapshot(&e, s) && e->cached) {
		const struct env_file *f =
			bsearch(path, e->files, e->nfiles, sizeof(*e->files), by_path);
		if (f && !f->rc && f->data) {
			*out = jolt_xmalloc(f->len + 1);
			memcpy(*out, f->data, f->len);
			(*out)[f->len] = '\0';
			*len = f->len;
			return 0;
		}
	}
	/* Not in the snapshot (or not cached): the direct read gives the
	 * precise error. */
	return env_read_uncached(out, len, s, path);
}

/* ---- applying edits to a working copy ----------------------------------- */

/* Edits never reach into the repository's own metadata. */
static bool touches_git_dir(const char *rel)
{
	const char *p = rel;
	while (*p) {
		size_t n = strcspn(p, "/");
		if (n == 4 && !strncmp(p, ".git", 4))
			return true;
		p += n;
		while (*p == '/')
			p++;
	}
	return false;
}

static int resolve_edit(char **out, const char *root, const char *rroot,
			const char *rel)
{
	if (rel && touches_git_dir(rel))
		return jolt_err_set(JOLT_EDENIED,
				    "env edit path '%s' is inside .git", rel);
	int rc = jolt_path_resolve(out, root, rel);
	if (rc)
		return rc;
	if (!strcmp(*out, rroot)) {
		free(*out);
		*out = NULL;
		return jolt_err_set(JOLT_EDENIED,
				    "env edit path '%s' is the working copy "
				    "itself",
				    rel);
	}
	return 0;
}

/* Create the missing directories between rroot and abs's parent. */
static int make_parents(const char *rroot, const char *abs)
{
	size_t n = strlen(rroot);
	char *p = jolt_xstrdup(abs);
	int rc = 0;
	for (char *s = p + n + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			rc = jolt_err_set(JOLT_EIO, "%s: %s", p,
					  strerror(errno));
		*s = '/';
		if (rc)
			break;
	}
	free(p);
	return rc;
}

static int write_all(const char *abs, const char *data, size_t len)
{
	int fd = open(
	    abs, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return jolt_err_set(JOLT_EIO, "%s: %s", abs, strerror(errno));
	int rc = 0;
	for (size_t off = 0; off < len;) {
		ssize_t w = write(fd, data + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			rc = jolt_err_set(JOLT_EIO, "%s: %s", abs,
					  strerror(errno));
			break;
		}
		off += (size_t)w;
	}
	if (close(fd) < 0 && !rc)
		rc = jolt_err_set(JOLT_EIO, "%s: %s", abs, strerror(errno));
	return rc;
}

static _Thread_local int rm_errno;

static int rm_one(const char *p, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	if (remove(p) < 0 && errno != ENOENT && !rm_errno)
		rm_errno = errno;
	return 0;
}

static int remove_path(const char *abs)
{
	struct stat st;
	if (lstat(abs, &st) < 0)
		return jolt_err_set(errno == ENOENT ? JOLT_ENOTFOUND : JOLT_EIO,
				    "%s: %s", abs, strerror(errno));
	rm_errno = 0;
	if (S_ISDIR(st.st_mode)) {
		if (nftw(abs, rm_one, 32, FTW_DEPTH | FTW_PHYS) < 0)
			rm_errno = errno;
	} else if (unlink(abs) < 0) {
		rm_errno = errno;
	}
	if (rm_errno)
		return jolt_err_set(JOLT_EIO, "removing %s: %s", abs,
				    strerror(rm_errno));
	return 0;
}

static int git_commit_all(const char *workdir, const char *message,
			  int64_t when)
{
	int rc = 0;
	git_repository *repo = NULL;
	git_index *idx = NULL;
	git_tree *tree = NULL;
	git_signature *sig = NULL;
	git_object *head = NULL;
	git_oid tree_oid, oid;
	char *pattern = "*";
	git_strarray ps = {&pattern, 1};

	pthread_once(&git_once, git_init_once);
	if (git_repository_open_ext(&repo, workdir,
				    GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) < 0) {
		rc = jolt_err_set(JOLT_EINPUT,
				  "env edit git_commit: %s is not a git "
				  "repository (the suite's environment is a "
				  "directory)",
				  workdir);
		goto done;
	}
	if (git_repository_index(&idx, repo) < 0 ||
	    git_index_add_all(idx, &ps, GIT_INDEX_ADD_DEFAULT, NULL, NULL) <
		0 ||
	    git_index_update_all(idx, &ps, NULL, NULL) < 0 ||
	    git_index_write(idx) < 0 ||
	    git_index_write_tree(&tree_oid, idx) < 0 ||
	    git_tree_lookup(&tree, repo, &tree_oid) < 0 ||
	    git_signature_new(&sig, "jolt", "jolt@localhost", when, 0) < 0) {
		rc = jolt_err_set(JOLT_EIO, "%s: git_commit: %s", workdir,
				  git_msg());
		goto done;
	}
	const git_commit *parents[1];
	size_t np = 0;
	if (git_revparse_single(&head, repo, "HEAD^{commit}") == 0)
		parents[np++] = (const git_commit *)head;
	if (git_commit_create(&oid, repo, "HEAD", sig, sig, NULL,
			      message ? message : "update", tree, np,
			      parents) < 0)
		rc = jolt_err_set(JOLT_EIO, "%s: git_commit: %s", workdir,
				  git_msg());
done:
	git_object_free(head);
	git_signature_free(sig);
	git_tree_free(tree);
	git_index_free(idx);
	git_repository_free(repo);
	return rc;
}

static const char *edit_str(const json_t *e, const char *key, size_t i, int *rc)
{
	const char *s = json_string_value(json_object_get(e, key));
	if (!s && !*rc)
		*rc = jolt_err_set(
		    JOLT_EINPUT, "env edit %zu: '%s' must be a string", i, key);
	return s;
}

int jolt_env_apply(const jolt_variant *v, const char *workdir)
{
	int rc = 0;
	char *rroot = NULL, *a = NULL, *b = NULL;
	if (!v || !workdir)
		return jolt_err_set(JOLT_EUSAGE, "no variant or working copy");
	if (!v->env_edits || json_array_size(v->env_edits) == 0)
		return 0;
	if (!json_is_array(v->env_edits))
		return jolt_err_set(JOLT_EINPUT, "env_edits is not an array");
	rroot = realpath(workdir, NULL);
	if (!rroot)
		return jolt_err_set(JOLT_EIO, "working copy %s: %s", workdir,
				    strerror(errno));
	int commits = 0;
	size_t i;
	const json_t *e;
	json_array_foreach(v->env_edits, i, e)
	{
		const char *op = json_string_value(json_object_get(e, "op"));
		free(a);
		free(b);
		a = b = NULL;
		if (!op) {
			rc = jolt_err_set(JOLT_EINPUT, "env edit %zu has no op",
					  i);
		} else if (!strcmp(op, "rename")) {
			const char *from = edit_str(e, "from", i, &rc);
			const char *to = edit_str(e, "to", i, &rc);
			struct stat st;
			if (!rc)
				rc = resolve_edit(&a, workdir, rroot, from);
			if (!rc)
				rc = resolve_edit(&b, workdir, rroot, to);
			if (!rc && lstat(a, &st) < 0)
				rc = jolt_err_set(JOLT_ENOTFOUND,
						  "env edit rename: '%s' does "
						  "not exist",
						  from);
			if (!rc && lstat(b, &st) == 0)
				rc = jolt_err_set(JOLT_EINPUT,
						  "env edit rename: '%s' "
						  "already exists",
						  to);
			if (!rc)
				rc = make_parents(rroot, b);
			if (!rc && rename(a, b) < 0)
				rc = jolt_err_set(
				    JOLT_EIO, "env edit rename %s -> %s: %s",
				    from, to, strerror(errno));
		} else if (!strcmp(op, "write")) {
			const char *path = edit_str(e, "path", i, &rc);
			const json_t *c = json_object_get(e, "content");
			if (!rc && !json_is_string(c))
				rc = jolt_err_set(JOLT_EINPUT,
						  "env edit %zu: 'content' "
						  "must be a string",
						  i);
			if (!rc)
				rc = resolve_edit(&a, workdir, rroot, path);
			if (!rc)
				rc = make_parents(rroot, a);
			if (!rc)
				rc = write_all(a, json_string_value(c),
					       json_string_length(c));
		} else if (!strcmp(op, "delete")) {
			const char *path = edit_str(e, "path", i, &rc);
			if (!rc)
				rc = resolve_edit(&a, workdir, rroot, path);
			if (!rc)
				rc = remove_path(a);
		} else if (!strcmp(op, "git_commit")) {
			const char *msg =
			    json_string_value(json_object_get(e, "message"));
			/* One minute apart: a readable, reproducible log. */
			rc = git_commit_all(rroot, msg,
					    COMMIT_TIME + 60 * commits++);
		} else {
			rc = jolt_err_set(JOLT_EINPUT,
					  "env edit %zu: unknown op '%s' "
					  "(expected rename, write, delete or "
					  "git_commit)",
					  i, op);
		}
		if (rc)
			break;
	}
	free(a);
	free(b);
	free(rroot);
	return rc;
}

/* ---- helpers for operators ---------------------------------------------- */


static void give_up_at_start(jolt_variant *v)
{
	json_decref(v->mistake);
	v->mistake =
	    json_pack("{s:i, s:[{s:s}]}", "at", 0, "steps", "answer", JOLT_GIVE_UP);
}

static void edits_add(jolt_variant *v, json_t *edit)
{
	if (!json_is_array(v->env_edits)) {
		json_decref(v->env_edits);
		v->env_edits = json_array();
	}
	json_array_append_new(v->env_edits, edit);
}

static int add_write(jolt_variant *v, const char *path, const char *data,
		     size_t len)
{
	json_t *c = json_stringn(data, len);
	if (!c)
		return jolt_err_set(JOLT_EINTERNAL,
				    "env operator: content for %s is not "
				    "UTF-8",
				    path);
	edits_add(v, json_pack("{s:s, s:s, s:o}", "op", "write", "path", path,
			       "content", c));
	return 0;
}

static const char *pick(const jolt_op_ctx *c, const char *what, uint64_t i,
			const char *const *list, size_t n)
{
	size_t k = (size_t)(jolt_op_rand(c, what, i) * (double)n);
	return list[k < n ? k : n - 1];
}

static size_t pick_index(const jolt_op_ctx *c, const char *what, uint64_t i,
			 size_t n)
{
	size_t k = (size_t)(jolt_op_rand(c, what, i) * (double)n);
	return k < n ? k : n - 1;
}

static const jolt_tool *task_tool(const jolt_op_ctx *c, size_t i)
{
	return &c->suite->tools[c->task->tools[i]];
}

static const char *builtin_of(const jolt_tool *t)
{
	if (t->kind != JOLT_TOOL_BUILTIN)
		return NULL;
	return json_string_value(json_object_get(t->run, "builtin"));
}

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
		const jolt_tool *t = task_tool(c, i);
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
		const jolt_tool *t = task_tool(c, i);
		if (!builtin_of(t))
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
		const char *bi = t ? builtin_of(t) : NULL;
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
		if (task_tool(c, i)->kind == JOLT_TOOL_EXEC)
			return true;
	size_t i;
	const json_t *g;
	json_array_foreach(c->task->grade, i,
			   g) if (json_object_get(g, "command")) return true;
	return false;
}

/* ---- CSV, as the table builtin reads it --------------------------------- */

typedef struct csv_doc {
	json_t *rows; /* array of arrays of strings; row 0 is the header */
	char delim;
	const char *eol;
} csv_doc;

static char csv_detect(const char *s, size_t n)
{
	const char cand[] = {',', ';', '\t', '|'};
	size_t count[4] = {0};
	bool q = false;
	for (size_t i = 0; i < n && (q || (s[i] != '\n' && s[i] != '\r'));
	     i++) {
		if (s[i] == '"')
			q = !q;
		for (int k = 0; k < 4 && !q; k++)
			if (s[i] == cand[k])
				count[k]++;
	}
	int best = 0;
	for (int k = 1; k < 4; k++)
		if (count[k] > count[best])
			best = k;
	return cand[best];
}

static int csv_read(csv_doc *d, const char *s, size_t n)
{
	d->delim = csv_detect(s, n);
	d->eol = memchr(s, '\r', n) ? "\r\n" : "\n";
	d->rows = json_array();
	json_t *rec = json_array();
	jolt_buf f;
	jolt_buf_init(&f, 0);
	size_t i = 0;
	bool any = false;
	int rc = 0;
	while (i <= n) {
		bool quoted = false;
		jolt_buf_reset(&f);
		if (i < n && s[i] == '"') {
			quoted = true;
			for (i++;; i++) {
				if (i >= n) {
					rc = jolt_err_set(JOLT_EINPUT,
							  "unterminated quoted "
							  "field");
					goto done;
				}
				if (s[i] == '"') {
					if (i + 1 < n && s[i + 1] == '"') {
						jolt_buf_addc(&f, '"');
						i++;
						continue;
					}
					i++;
					break;
				}
				jolt_buf_addc(&f, s[i]);
			}
		}
		while (i < n && s[i] != d->delim && s[i] != '\n' &&
		       s[i] != '\r')
			jolt_buf_addc(&f, s[i++]);
		if (quoted || f.len || (i < n && s[i] == d->delim))
			any = true;
		json_t *fs = json_stringn(jolt_buf_cstr(&f), f.len);
		if (!fs) {
			rc = jolt_err_set(JOLT_EINPUT, "field is not UTF-8");
			goto done;
		}
		json_array_append_new(rec, fs);
		if (i < n && s[i] == d->delim) {
			i++;
			continue;
		}
		if (i < n && s[i] == '\r')
			i++;
		if (i < n && s[i] == '\n')
			i++;
		if (any)
			json_array_append(d->rows, rec);
		json_decref(rec);
		rec = json_array();
		any = false;
		if (i >= n)
			break;
	}
done:
	json_decref(rec);
	jolt_buf_release(&f);
	if (rc) {
		json_decref(d->rows);
		d->rows = NULL;
	}
	return rc;
}

static char *csv_write(const csv_doc *d, bool quote_all, size_t *len)
{
	jolt_buf b;
	jolt_buf_init(&b, 0);
	size_t r, k;
	const json_t *row, *f;
	json_array_foreach(d->rows, r, row)
	{
		json_array_foreach(row, k, f)
		{
			const char *s = json_string_value(f);
			if (k)
				jolt_buf_addc(&b, d->delim);
			bool q = quote_all || strchr(s, d->delim) ||
				 strchr(s, '"') || strchr(s, '\n') ||
				 strchr(s, '\r');
			if (!q) {
				jolt_buf_adds(&b, s);
				continue;
			}
			jolt_buf_addc(&b, '"');
			for (const char *p = s; *p; p++) {
				if (*p == '"')
					jolt_buf_addc(&b, '"');
				jolt_buf_addc(&b, *p);
			}
			jolt_buf_addc(&b, '"');
		}
		jolt_buf_adds(&b, d->eol);
	}
	*len = b.len;
	char *s = jolt_buf_detach(&b);
	jolt_buf_release(&b);
	return s;
}

static int col_index(const json_t *hdr, const char *name)
{
	size_t i;
	const json_t *h;
	json_array_foreach(
	    hdr, i, h) if (!strcmp(json_string_value(h), name)) return (int)i;
	return -1;
}

static bool is_key(const json_t *key, const char *col)
{
	size_t i;
	const json_t *k;
	json_array_foreach(
	    key, i, k) if (json_is_string(k) &&
			   !strcmp(json_string_value(k), col)) return true;
	return false;
}

/* The data files of the task's visible table tools: [{file, key}]. */
static json_t *table_files(const jolt_op_ctx *c, const char *ext)
{
	json_t *out = json_array();
	for (size_t i = 0; i < c->task->ntools; i++) {
		const jolt_tool *t = task_tool(c, i);
		const char *bi = builtin_of(t);
		const char *f =
		    json_string_value(json_object_get(t->run, "file"));
		const json_t *key = json_object_get(t->run, "key");
		if (!bi || strcmp(bi, "table") || !f || !json_is_array(key))
			continue;
		size_t fl = strlen(f), el = strlen(ext);
		if (fl < el || strcasecmp(f + fl - el, ext))
			continue;
		bool dup = false;
		size_t j;
		const json_t *e;
		json_array_foreach(
		    out, j,
		    e) if (!strcmp(json_string_value(json_object_get(e,
								     "file")),
				   f)) dup = true;
		if (!dup)
			json_array_append_new(
			    out,
			    json_pack("{s:s, s:O}", "file", f, "key", key));
	}
	return out;
}

/* Load a JSON table file: an array of objects. */
static int json_table_read(json_t **out, const jolt_suite *s, const char *f)
{
	char *text = NULL;
	size_t len = 0;
	*out = NULL;
	int rc = jolt_env_read(&text, &len, s, f);
	if (rc)
		return rc;
	json_error_t je;
	json_t *arr = json_loadb(text, len, 0, &je);
	free(text);
	if (!json_is_array(arr)) {
		json_decref(arr);
		return JOLT_ENOTFOUND; /* not a table we can rewrite */
	}
	*out = arr;
	return 0;
}

/* One record per line, as data files are usually written. */
static char *json_table_text(const json_t *arr, int indent)
{
	if (indent) {
		char *s = json_dumps(arr, JSON_INDENT(indent) |
					      JSON_REAL_PRECISION(15));
		char *t = jolt_xasprintf("%s\n", s ? s : "[]");
		free(s);
		return t;
	}
	jolt_buf b;
	jolt_buf_init(&b, 0);
	jolt_buf_adds(&b, "[\n");
	size_t i;
	const json_t *r;
	json_array_foreach(arr, i, r)
	{
		char *s =
		    json_dumps(r, JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
		jolt_buf_addf(&b, "  %s%s\n", s ? s : "null",
			      i + 1 < json_array_size(arr) ? "," : "");
		free(s);
	}
	jolt_buf_adds(&b, "]\n");
	char *t = jolt_buf_detach(&b);
	jolt_buf_release(&b);
	return t;
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
			    ? jolt_xstrdup(pick(c, "mv.dirname", n, mv_dirname,
						JOLT_ARRAY_LEN(mv_dirname)))
			    : jolt_xasprintf("%s%s%s", stem,
					     pick(c, "mv.suffix", n, mv_suffix,
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
		    pick(c, "mv.sub", n, mv_sub, JOLT_ARRAY_LEN(mv_sub)),
		    newbase);
	else if (c->level <= 1)
		t = jolt_xasprintf("%s%s", dir, newbase);
	else if (c->level == 2)
		t = jolt_xasprintf(
		    "%s%s/%s", dir,
		    pick(c, "mv.sub", n, mv_sub, JOLT_ARRAY_LEN(mv_sub)), b);
	else
		t = jolt_xasprintf(
		    "%s/%s%s",
		    pick(c, "mv.top", n, mv_top, JOLT_ARRAY_LEN(mv_top)), dir,
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
	rc = jolt_env_list(&files, c->suite);
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
		if (jolt_env_read(&text, &len, c->suite, p) == 0 &&
		    len <= SCAN_FILE_CAP && valid_text(text, len) &&
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
		    touches_git_dir(p))
			continue;
		/* Files named by an oracle argument, or whatever a builtin's
		 * run options point at (a data file or a corpus dir). */
		bool is_file = in_list(files, p);
		bool from_run = false;
		for (size_t t = 0; t < c->task->ntools; t++) {
			const jolt_tool *tl = task_tool(c, t);
			const char *rf =
			    json_string_value(json_object_get(tl->run, "file"));
			const char *rd =
			    json_string_value(json_object_get(tl->run, "dir"));
			if (((rf && !strcmp(rf, p)) ||
			     (rd && !strcmp(rd, p))) &&
			    builtin_of(tl) && oracle_calls(c, tl->name))
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
	size_t first = c->level >= 3 ? 0 : pick_index(c, "mv.which", 0, nc);
	size_t last = c->level >= 3 ? nc : first + 1;
	json_t *map = json_object();
	jolt_buf sum;
	jolt_buf_init(&sum, 0);
	jolt_buf_adds(&sum, "moved ");
	for (size_t k = first; k < last; k++) {
		const char *p = json_string_value(json_array_get(cands, k));
		char *t =
		    move_target(c, p, !in_list(files, p), k, files, texts);
		edits_add(v, json_pack("{s:s, s:s, s:s}", "op", "rename",
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
	json_decref(v->mistake);
	if (first_old)
		v->mistake =
		    json_pack("{s:i, s:[{s:o}, {s:s}]}", "at", 0, "steps",
			      "call", first_old, "answer", JOLT_GIVE_UP);
	else
		v->mistake = json_pack("{s:i, s:[{s:s}]}", "at", 0, "steps",
				       "answer", JOLT_GIVE_UP);
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
	int rc = jolt_env_list(&files, c->suite);
	if (rc)
		return rc;
	static const int counts[] = {0, 3, 8, 20};
	static const int ndirs[] = {0, 1, 3, 6};
	int n = counts[c->level], nd = ndirs[c->level];
	/* New directories only: a directory the task reads as a whole (its
	 * listing, its grep, its corpus) must keep its contents. */
	json_t *dirs = json_array();
	for (int d = 0; d < nd; d++) {
		const char *base = pick(c, "noise.dir", (uint64_t)d, noise_dir,
					JOLT_ARRAY_LEN(noise_dir));
		char *dir =
		    d >= 2 && json_array_size(dirs)
			? jolt_xasprintf(
			      "%s/%s",
			      json_string_value(json_array_get(
				  dirs,
				  pick_index(c, "noise.parent", (uint64_t)d,
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
		    json_array_get(dirs, pick_index(c, "noise.in", (uint64_t)i,
						    json_array_size(dirs))));
		char *p = jolt_xasprintf("%s/%s", dir,
					 pick(c, "noise.file", (uint64_t)i,
					      noise_file,
					      JOLT_ARRAY_LEN(noise_file)));
		for (int k = 2; in_list(made, p); k++) {
			char *u = jolt_xasprintf(
			    "%s/%d-%s", dir, k,
			    pick(c, "noise.file", (uint64_t)i, noise_file,
				 JOLT_ARRAY_LEN(noise_file)));
			free(p);
			p = u;
		}
		char *content = jolt_xasprintf(
		    "%s\nid: %016llx\n",
		    pick(c, "noise.line", (uint64_t)i, noise_line,
			 JOLT_ARRAY_LEN(noise_line)),
		    (unsigned long long)(jolt_op_rand(c, "noise.id",
						      (uint64_t)i) *
					 (double)(1ULL << 52)));
		rc = add_write(v, p, content, strlen(content));
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
		give_up_at_start(v);
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
	int rc = jolt_env_list(&files, c->suite);
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
	size_t start = nc ? pick_index(c, "fmt.start", 0, nc) : 0;
	for (size_t k = 0; k < nc && done_n < want[c->level]; k++) {
		const char *p =
		    json_string_value(json_array_get(cands, (start + k) % nc));
		char *text = NULL, *nt = NULL;
		size_t len = 0, nl = 0;
		if (jolt_env_read(&text, &len, c->suite, p) == 0 &&
		    len <= SCAN_FILE_CAP && valid_text(text, len) &&
		    !is_code(p, text)) {
			nt = reformat_text(p, text, len, c->level, &nl);
			if (nl != len || memcmp(nt, text, len)) {
				rc = add_write(v, p, nt, nl);
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
	give_up_at_start(v);
done:
	json_decref(cands);
	json_decref(refs);
	json_decref(texts);
	json_decref(files);
	return rc;
}

/* ---- operator: csv_delimiter -------------------------------------------- */

static int csv_delimiter_apply(jolt_variant *v, const jolt_op_ctx *c)
{
	json_t *tabs = table_files(c, ".csv");
	int rc = 0;
	size_t changed = 0;
	/* Mild: semicolons; medium: tabs; heavy: pipes with every field
	 * quoted. The table builtin detects all of them from the header. */
	static const char delims[] = {0, ';', '\t', '|'};
	size_t i;
	const json_t *t;
	json_array_foreach(tabs, i, t)
	{
		const char *f = json_string_value(json_object_get(t, "file"));
		char *text = NULL, *nt = NULL;
		size_t len = 0, nl = 0;
		csv_doc d = {0};
		if (jolt_env_read(&text, &len, c->suite, f) == 0 &&
		    csv_read(&d, text, len) == 0 &&
		    json_array_size(d.rows) > 1) {
			char want = delims[c->level];
			if (d.delim == want)
				want = want == ';' ? ',' : ';';
			d.delim = want;
			nt = csv_write(&d, c->level >= 3, &nl);
			rc = add_write(v, f, nt, nl);
			changed++;
		}
		json_decref(d.rows);
		free(nt);
		free(text);
		if (rc)
			break;
	}
	json_decref(tabs);
	if (rc)
		return rc;
	if (!changed)
		return jolt_err_set(JOLT_ENOTFOUND,
				    "csv_delimiter: the task has no CSV table");
	jolt_variant_summary(v, "CSV delimiter changed to %s in %zu table file(s)",
		    c->level == 1   ? "';'"
		    : c->level == 2 ? "tab"
				    : "'|' (quoted)",
		    changed);
	give_up_at_start(v);
	return 0;
}

/* ---- operators: number_format, date_format ------------------------------ */

/* Plain decimal: -?digits(.digits)? */
static bool plain_number(const char *s)
{
	const char *p = s;
	if (*p == '-')
		p++;
	if (!isdigit((unsigned char)*p))
		return false;
	while (isdigit((unsigned char)*p))
		p++;
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return false;
		while (isdigit((unsigned char)*p))
			p++;
	}
	return *p == '\0';
}

static char *with_thousands(const char *s)
{
	jolt_buf b;
	jolt_buf_init(&b, 0);
	if (*s == '-')
		jolt_buf_addc(&b, *s++);
	size_t il = strcspn(s, ".");
	for (size_t i = 0; i < il; i++) {
		if (i && (il - i) % 3 == 0)
			jolt_buf_addc(&b, ',');
		jolt_buf_addc(&b, s[i]);
	}
	jolt_buf_adds(&b, s + il);
	char *r = jolt_buf_detach(&b);
	jolt_buf_release(&b);
	return r;
}

/* Exact scientific notation from the decimal text: 41.10 -> 4.110e+01. */
static char *scientific(const char *s)
{
	bool neg = *s == '-';
	if (neg)
		s++;
	char digits[128];
	size_t nd = 0;
	int point = -1;
	for (const char *p = s; *p && nd + 1 < sizeof(digits); p++) {
		if (*p == '.')
			point = (int)nd;
		else
			digits[nd++] = *p;
	}
	if (point < 0) {
		/* An integer's trailing zeros carry no precision. */
		point = (int)nd;
		while (nd > 1 && digits[nd - 1] == '0')
			nd--;
	}
	size_t lead = 0;
	while (lead + 1 < nd && digits[lead] == '0')
		lead++;
	int exp = point - (int)lead - 1;
	jolt_buf b;
	jolt_buf_init(&b, 0);
	if (neg)
		jolt_buf_addc(&b, '-');
	jolt_buf_addc(&b, digits[lead]);
	if (lead + 1 < nd) {
		jolt_buf_addc(&b, '.');
		jolt_buf_add(&b, digits + lead + 1, nd - lead - 1);
	}
	jolt_buf_addf(&b, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
	char *r = jolt_buf_detach(&b);
	jolt_buf_release(&b);
	return r;
}

/* Mild: thousands separators on integers, a trailing zero on decimals;
 * medium: thousands separators everywhere plus a space-padded field;
 * heavy: exact scientific notation. Every form states the same value. */
static char *format_number(const char *s, int level)
{
	if (level <= 1)
		return strchr(s, '.') ? jolt_xasprintf("%s0", s)
				      : with_thousands(s);
	if (level == 2) {
		char *t = with_thousands(s);
		char *r = jolt_xasprintf(" %s", t);
		free(t);
		return r;
	}
	return scientific(s);
}

static bool iso_date(const char *s, int *y, int *m, int *d)
{
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
			return false;
	*y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
	     (s[3] - '0');
	*m = (s[5] - '0') * 10 + (s[6] - '0');
	*d = (s[8] - '0') * 10 + (s[9] - '0');
	return *m >= 1 && *m <= 12 && *d >= 1 && *d <= 31;
}

/* Mild: 15 Mar 2024; medium: March 15, 2024; heavy: 2024-03-15T00:00:00Z
 * written as 20240315 (basic ISO 8601). None is ambiguous. */
static char *format_date(const char *s, int level)
{
	static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr",
					  "May", "Jun", "Jul", "Aug",
					  "Sep", "Oct", "Nov", "Dec"};
	static const char *const month[] = {"January", "February", "March",
					    "April",   "May",	   "June",
					    "July",    "August",   "September",
					    "October", "November", "December"};
	int y, m, d;
	if (!iso_date(s, &y, &m, &d))
		return NULL;
	if (level <= 1)
		return jolt_xasprintf("%d %s %04d", d, mon[m - 1], y);
	if (level == 2)
		return jolt_xasprintf("%s %d, %04d", month[m - 1], d, y);
	return jolt_xasprintf("%04d%02d%02d", y, m, d);
}

typedef char *(*cell_fmt)(const char *s, int level);

static char *number_cell(const char *s, int level)
{
	return plain_number(s) ? format_number(s, level) : NULL;
}

/* Rewrite the non-key cells `fmt` recognises in the task's table files
 * (CSV and JSON). A column changes only when every non-empty value in it
 * is recognised, so a column never mixes formats. */
static int data_format_apply(jolt_variant *v, const jolt_op_ctx *c,
			     cell_fmt fmt, const char *what)
{
	json_t *tabs = table_files(c, "");
	int rc = 0;
	jolt_buf cols;
	jolt_buf_init(&cols, 0);
	size_t i;
	const json_t *t;
	json_array_foreach(tabs, i, t)
	{
		const char *f = json_string_value(json_object_get(t, "file"));
		const json_t *key = json_object_get(t, "key");
		size_t fl = strlen(f);
		bool is_json = fl >= 5 && !strcasecmp(f + fl - 5, ".json");
		char *text = NULL, *nt = NULL;
		size_t len = 0, nl = 0;
		csv_doc d = {0};
		json_t *arr = NULL;
		bool any = false;
		if (is_json) {
			if (json_table_read(&arr, c->suite, f))
				goto next;
			/* Column names from the records, in first-seen order.
			 */
			json_t *names = json_object();
			size_t r;
			json_t *rec;
			json_array_foreach(arr, r, rec)
			{
				const char *k;
				json_t *val;
				json_object_foreach(rec, k, val)
				{
					if (is_key(key, k))
						continue;
					char *s =
					    json_is_string(val)
						? jolt_xstrdup(
						      json_string_value(val))
					    : json_is_integer(val)
						? jolt_xasprintf(
						      "%" JSON_INTEGER_FORMAT,
						      json_integer_value(val))
						: NULL;
					char *o = s ? fmt(s, c->level) : NULL;
					if (!json_object_get(names, k))
						json_object_set_new(
						    names, k, json_true());
					if (!o && !json_is_null(val) &&
					    !(s && !*s))
						json_object_set_new(
						    names, k, json_false());
					free(o);
					free(s);
				}
			}
			const char *k;
			json_t *okv;
			json_object_foreach(names, k, okv)
			{
				if (!json_is_true(okv))
					continue;
				json_array_foreach(arr, r, rec)
				{
					json_t *val = json_object_get(rec, k);
					char *s =
					    json_is_string(val)
						? jolt_xstrdup(
						      json_string_value(val))
					    : json_is_integer(val)
						? jolt_xasprintf(
						      "%" JSON_INTEGER_FORMAT,
						      json_integer_value(val))
						: NULL;
					char *o =
					    s && *s ? fmt(s, c->level) : NULL;
					if (o)
						json_object_set_new(
						    rec, k, json_string(o));
					free(o);
					free(s);
				}
				jolt_buf_addf(&cols, "%s%s:%s",
					      cols.len ? ", " : "", f, k);
				any = true;
			}
			json_decref(names);
			if (any) {
				nt = json_table_text(arr, 0);
				nl = strlen(nt);
			}
		} else {
			if (jolt_env_read(&text, &len, c->suite, f) ||
			    csv_read(&d, text, len) ||
			    json_array_size(d.rows) < 2)
				goto next;
			const json_t *hdr = json_array_get(d.rows, 0);
			for (size_t col = 0; col < json_array_size(hdr);
			     col++) {
				const char *name =
				    json_string_value(json_array_get(hdr, col));
				if (is_key(key, name))
					continue;
				bool all = true;
				for (size_t r = 1; r < json_array_size(d.rows);
				     r++) {
					const char *s =
					    json_string_value(json_array_get(
						json_array_get(d.rows, r),
						col));
					char *o =
					    s && *s ? fmt(s, c->level) : NULL;
					if (s && *s && !o)
						all = false;
					free(o);
				}
				if (!all)
					continue;
				for (size_t r = 1; r < json_array_size(d.rows);
				     r++) {
					json_t *row = json_array_get(d.rows, r);
					const char *s = json_string_value(
					    json_array_get(row, col));
					char *o =
					    s && *s ? fmt(s, c->level) : NULL;
					if (o)
						json_array_set_new(
						    row, col, json_string(o));
					free(o);
				}
				jolt_buf_addf(&cols, "%s%s:%s",
					      cols.len ? ", " : "", f, name);
				any = true;
			}
			if (any)
				nt = csv_write(&d, false, &nl);
		}
		if (any)
			rc = add_write(v, f, nt, nl);
	next:
		json_decref(arr);
		json_decref(d.rows);
		free(nt);
		free(text);
		if (rc)
			break;
	}
	json_decref(tabs);
	if (!rc && cols.len == 0)
		rc = jolt_err_set(
		    JOLT_ENOTFOUND,
		    "%s: no non-key %s column in the task's tables", what,
		    what);
	if (!rc) {
		jolt_variant_summary(v, "%s changed in %s", what, jolt_buf_cstr(&cols));
		give_up_at_start(v);
	}
	jolt_buf_release(&cols);
	return rc;
}

static int number_format_apply(jolt_variant *v, const jolt_op_ctx *c)
{
	return data_format_apply(v, c, number_cell, "number format");
}

static int date_format_apply(jolt_variant *v, const jolt_op_ctx *c)
{
	return data_format_apply(v, c, format_date, "date format");
}

/* ---- operator: json_key_order ------------------------------------------- */

static void permute(const jolt_op_ctx *c, const char *what, uint64_t salt,
		    size_t *idx, size_t n)
{
	for (size_t i = 0; i < n; i++)
		idx[i] = i;
	for (size_t i = n; i > 1; i--) {
		size_t j = pick_index(c, what, salt * 1000 + i, i);
		size_t t = idx[i - 1];
		idx[i - 1] = idx[j];
		idx[j] = t;
	}
	bool ident = true;
	for (size_t i = 0; i < n; i++)
		ident = ident && idx[i] == i;
	if (ident) /* a reorder that reorders */
		for (size_t i = 0; i < n; i++)
			idx[i] = n - 1 - i;
}

static json_t *reorder(const json_t *rec, const size_t *idx)
{
	size_t n = json_object_size(rec);
	const char **keys = jolt_xcalloc(n + 1, sizeof(*keys));
	size_t k = 0;
	const char *key;
	json_t *val;
	json_object_foreach((json_t *)rec, key, val) keys[k++] = key;
	json_t *o = json_object();
	for (size_t i = 0; i < n; i++)
		json_object_set(o, keys[idx[i]],
				json_object_get(rec, keys[idx[i]]));
	free(keys);
	return o;
}

static int json_key_order_apply(jolt_variant *v, const jolt_op_ctx *c)
{
	json_t *tabs = table_files(c, ".json");
	int rc = 0;
	size_t changed = 0, i;
	const json_t *t;
	json_array_foreach(tabs, i, t)
	{
		const char *f = json_string_value(json_object_get(t, "file"));
		json_t *arr = NULL;
		if (json_table_read(&arr, c->suite, f))
			continue;
		json_t *out = json_array();
		size_t r;
		json_t *rec;
		size_t *idx = NULL;
		json_array_foreach(arr, r, rec)
		{
			size_t n = json_object_size(rec);
			if (!json_is_object(rec) || n < 2) {
				json_array_append(out, rec);
				continue;
			}
			idx = jolt_xrealloc(idx, n * sizeof(*idx));
			/* Mild: reversed; medium: one shuffle for the file;
			 * heavy: a shuffle per record. */
			if (c->level <= 1)
				for (size_t k = 0; k < n; k++)
					idx[k] = n - 1 - k;
			else
				permute(c, f, c->level >= 3 ? r + 1 : n, idx,
					n);
			json_array_append_new(out, reorder(rec, idx));
		}
		free(idx);
		char *nt = json_table_text(out, c->level >= 3 ? 4 : 0);
		rc = add_write(v, f, nt, strlen(nt));
		changed++;
		free(nt);
		json_decref(out);
		json_decref(arr);
		if (rc)
			break;
	}
	json_decref(tabs);
	if (rc)
		return rc;
	if (!changed)
		return jolt_err_set(
		    JOLT_ENOTFOUND,
		    "json_key_order: the task has no JSON table");
	jolt_variant_summary(v, "key order changed in %zu JSON table file(s)", changed);
	give_up_at_start(v);
	return 0;
}

/* ---- operator: extra_records -------------------------------------------- */

static const char *const fake_a[] = {
    "Northwind", "Harbor",   "Summit",	"Granite", "Lumen",
    "Cobalt",	 "Meridian", "Pioneer", "Vertex",  "Juniper"};
static const char *const fake_b[] = {"Holdings", "Labs",    "Group",
				     "Partners", "Systems", "Works"};

static bool all_upper(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isupper((unsigned char)*s))
			return false;
	return true;
}

/* A value for the first key column that no record and no text of the
 * task uses. */
static char *new_key(const jolt_op_ctx *c, const json_t *taken,
		     const char *like, uint64_t n)
{
	for (uint64_t attempt = 0;; attempt++) {
		char *s;
		if (all_upper(like)) {
			size_t l = strlen(like);
			s = jolt_xmalloc(l + 1);
			for (size_t i = 0; i < l; i++)
				s[i] =
				    (char)('A' + pick_index(
						     c, "rec.key",
						     n * 977 + attempt * 31 + i,
						     26));
			s[l] = '\0';
		} else {
			s = jolt_xasprintf(
			    "%s-%c%c", like,
			    (char)('a' +
				   pick_index(c, "rec.k1", n + attempt, 26)),
			    (char)('a' +
				   pick_index(c, "rec.k2", n + attempt, 26)));
		}
		if (!json_object_get(taken, s) &&
		    !(c->task->user && strstr(c->task->user, s)))
			return s;
		free(s);
	}
}

/* A number like `s` (same decimals), scaled by a seeded factor. */
static char *scaled(const jolt_op_ctx *c, const char *s, uint64_t n)
{
	double f = 0.6 + 0.8 * jolt_op_rand(c, "rec.scale", n);
	const char *dot = strchr(s, '.');
	int dec = dot ? (int)strlen(dot + 1) : 0;
	return jolt_xasprintf("%.*f", dec, strtod(s, NULL) * f);
}

static int extra_records_apply(jolt_variant *v, const jolt_op_ctx *c)
{
	static const int entities[] = {0, 1, 3, 8};
	json_t *tabs = table_files(c, "");
	int rc = 0;
	size_t changed = 0, i;
	const json_t *t;
	jolt_buf sum;
	jolt_buf_init(&sum, 0);
	json_array_foreach(tabs, i, t)
	{
		const char *f = json_string_value(json_object_get(t, "file"));
		const char *k0 = json_string_value(
		    json_array_get(json_object_get(t, "key"), 0));
		size_t fl = strlen(f);
		bool is_json = fl >= 5 && !strcasecmp(f + fl - 5, ".json");
		char *text = NULL, *nt = NULL;
		size_t len = 0;
		csv_doc d = {0};
		json_t *recs = NULL; /* records as objects of strings/values */
		if (!k0)
			continue;
		if (is_json) {
			if (json_table_read(&recs, c->suite, f))
				continue;
		} else {
			if (jolt_env_read(&text, &len, c->suite, f) ||
			    csv_read(&d, text, len) ||
			    json_array_size(d.rows) < 2 ||
			    col_index(json_array_get(d.rows, 0), k0) < 0) {
				free(text);
				json_decref(d.rows);
				continue;
			}
			recs = json_array();
			const json_t *hdr = json_array_get(d.rows, 0);
			for (size_t r = 1; r < json_array_size(d.rows); r++) {
				json_t *o = json_object();
				for (size_t col = 0; col < json_array_size(hdr);
				     col++) {
					json_t *cell = json_array_get(
					    json_array_get(d.rows, r), col);
					json_object_set_new(
					    o,
					    json_string_value(
						json_array_get(hdr, col)),
					    cell ? json_incref(cell)
						 : json_string(""));
				}
				json_array_append_new(recs, o);
			}
		}
		/* The distinct values of the first key column, in order. */
		json_t *taken = json_object(), *order = json_array();
		size_t r;
		json_t *rec;
		json_array_foreach(recs, r, rec)
		{
			json_t *kv = json_object_get(rec, k0);
			const char *s = json_string_value(kv);
			if (s && !json_object_get(taken, s)) {
				json_object_set_new(taken, s, json_true());
				json_array_append_new(order, json_string(s));
			}
		}
		size_t ne = (size_t)entities[c->level];
		json_t *added = json_array();
		for (size_t e = 0; e < ne && json_array_size(order); e++) {
			const char *src = json_string_value(json_array_get(
			    order, pick_index(c, "rec.src", e,
					      json_array_size(order))));
			char *nk = new_key(c, taken, src, e);
			json_object_set_new(taken, nk, json_true());
			char *fake = jolt_xasprintf(
			    "%s %s",
			    pick(c, "rec.a", e, fake_a, JOLT_ARRAY_LEN(fake_a)),
			    pick(c, "rec.b", e, fake_b,
				 JOLT_ARRAY_LEN(fake_b)));
			size_t rr;
			json_t *sr;
			json_array_foreach(recs, rr, sr)
			{
				const char *sk =
				    json_string_value(json_object_get(sr, k0));
				if (!sk || strcmp(sk, src))
					continue;
				json_t *o = json_deep_copy(sr);
				json_object_set_new(o, k0, json_string(nk));
				const char *ck;
				json_t *cv;
				json_object_foreach(o, ck, cv)
				{
					if (is_key(json_object_get(t, "key"),
						   ck))
						continue;
					const char *s = json_string_value(cv);
					if (json_is_integer(cv)) {
						double fct =
						    0.6 +
						    0.8 * jolt_op_rand(
							      c, "rec.scale",
							      e * 131 + rr);
						json_object_set_new(
						    o, ck,
						    json_integer((
							json_int_t)((double)
									json_integer_value(
									    cv) *
								    fct)));
					} else if (s && plain_number(s)) {
						char *sc =
						    scaled(c, s, e * 131 + rr);
						json_object_set_new(
						    o, ck, json_string(sc));
						free(sc);
					} else if (s && strlen(s) > 8 &&
						   strchr(s, ' ')) {
						/* A name-like field: a made-up
						 * one, so that no two records
						 * share a name. */
						json_object_set_new(
						    o, ck, json_string(fake));
					}
				}
				json_array_append_new(added, o);
			}
			jolt_buf_addf(&sum, "%s%s %s=%s", sum.len ? ", " : "",
				      f, k0, nk);
			free(fake);
			free(nk);
		}
		/* Mild appends; heavier levels scatter the new records. */
		size_t na;
		json_t *a;
		json_array_foreach(added, na, a)
		{
			if (c->level <= 1)
				json_array_append(recs, a);
			else
				json_array_insert(
				    recs,
				    pick_index(c, "rec.pos", na,
					       json_array_size(recs) + 1),
				    a);
		}
		if (json_array_size(added)) {
			size_t nl = 0;
			if (is_json) {
				nt = json_table_text(recs, 0);
				nl = strlen(nt);
			} else {
				const json_t *hdr = json_array_get(d.rows, 0);
				json_t *rows = json_array();
				json_array_append(rows, (json_t *)hdr);
				json_array_foreach(recs, r, rec)
				{
					json_t *row = json_array();
					for (size_t col = 0;
					     col < json_array_size(hdr); col++)
						json_array_append(
						    row,
						    json_object_get(
							rec,
							json_string_value(
							    json_array_get(
								hdr, col))));
					json_array_append_new(rows, row);
				}
				json_decref(d.rows);
				d.rows = rows;
				nt = csv_write(&d, false, &nl);
			}
			rc = add_write(v, f, nt, nl);
			changed++;
		}
		json_decref(added);
		json_decref(order);
		json_decref(taken);
		json_decref(recs);
		json_decref(d.rows);
		free(nt);
		free(text);
		if (rc)
			break;
	}
	json_decref(tabs);
	if (!rc && !changed)
		rc = jolt_err_set(JOLT_ENOTFOUND,
				  "extra_records: the task has no table");
	if (!rc) {
		jolt_variant_summary(v, "added records for %s", jolt_buf_cstr(&sum));
		give_up_at_start(v);
	}
	jolt_buf_release(&sum);
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
	int rc = jolt_env_list(&files, c->suite);
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
			      pick(c, "git.entry", (uint64_t)i, commit_msgs,
				   JOLT_ARRAY_LEN(commit_msgs)),
			      i + 1);
		rc = add_write(v, log, b.s, b.len);
		edits_add(v,
			  json_pack("{s:s, s:s}", "op", "git_commit", "message",
				    pick(c, "git.msg", (uint64_t)i, commit_msgs,
					 JOLT_ARRAY_LEN(commit_msgs))));
	}
	jolt_buf_release(&b);
	if (rc)
		return rc;
	jolt_variant_summary(v, "%d extra commit(s) touching %s", commits[c->level],
		    log);
	give_up_at_start(v);
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
	const char *tz = pick(c, "tz", 0, tz_names, JOLT_ARRAY_LEN(tz_names));
	const char *lang =
	    pick(c, "lang", 0, lang_names, JOLT_ARRAY_LEN(lang_names));
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
	give_up_at_start(v);
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
     JOLT_OP_INVARIANT, NULL, csv_delimiter_apply},
    {"number_format", JOLT_AXIS_env,
     "write numbers in non-key table columns differently (separators, "
     "padding, scientific), same values",
     3, JOLT_OP_INVARIANT, NULL, number_format_apply},
    {"date_format", JOLT_AXIS_env,
     "write dates in non-key table columns differently (15 Mar 2024, "
     "March 15, 2024, 20240315)",
     3, JOLT_OP_INVARIANT, NULL, date_format_apply},
    {"json_key_order", JOLT_AXIS_env,
     "reorder the keys of records in the task's JSON tables", 3,
     JOLT_OP_INVARIANT, NULL, json_key_order_apply},
    {"extra_records", JOLT_AXIS_env,
     "add records with new keys to the task's tables (1, 3, 8 entities)", 3,
     JOLT_OP_INVARIANT, NULL, extra_records_apply},
    {"git_history", JOLT_AXIS_env,
     "add commits touching an unrelated file to the repository (1, 3, 6)", 3,
     JOLT_OP_INVARIANT, NULL, git_history_apply},
    {"locale_tz", JOLT_AXIS_env,
     "run commands under another time zone and locale (TZ, LANG, LC_*)", 3,
     JOLT_OP_INVARIANT, NULL, locale_tz_apply},
    {NULL, 0, NULL, 0, 0, NULL, NULL},
};
