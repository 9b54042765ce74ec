/*
 * envsnap.c - the env operators' view of a suite's environment: a
 * directory, or a git repository's tree at a revision, listed and read
 * without a working copy, through a process-wide snapshot cache.
 *
 * Operators are pure functions of (suite, task, level, seed) and never
 * touch a working copy: they look at the files here and describe what to
 * change as edits that harness/world applies to each trial's copy.
 */
#include <dirent.h>
#include <errno.h>
#include <git2.h>
#include <pthread.h>
#include <sys/stat.h>

#include "core/buf.h"
#include "core/common.h"
#include "core/git.h"
#include "core/path.h"
#include "perturb/perturb.h"

#define ENV_READ_CAP (16 * 1024 * 1024) /* one environment file */
#define ENV_LIST_MAX 100000		/* files in an environment */
#define ENV_DEPTH_MAX 64

/* ---- reading the suite's environment ------------------------------------ */

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
		     const jolt_suite *s, const char *rev)
{
	git_object *obj = NULL;
	*repo = NULL;
	*tree = NULL;
	jolt_git_init();
	if (git_repository_open_ext(repo, s->env_repo,
				    GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) < 0)
		return jolt_err_set(JOLT_EINPUT, "%s: not a git repository: %s",
				    s->env_repo, jolt_git_msg());
	int rc = 0;
	if (git_revparse_single(&obj, *repo, rev) < 0 ||
	    git_object_peel((git_object **)tree, obj, GIT_OBJECT_TREE) < 0)
		rc =
		    jolt_err_set(JOLT_EINPUT, "%s: revision '%s' not found: %s",
				 s->env_repo, rev, jolt_git_msg());
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

static int env_list_uncached(json_t **out, const jolt_suite *s,
			     const char *rev)
{
	*out = NULL;
	int rc = 0;
	json_t *arr = json_array();
	if (s && s->env_dir) {
		rc = list_dir_rec(arr, s->env_dir, "", 0);
	} else if (s && s->env_repo) {
		git_repository *repo = NULL;
		git_tree *tree = NULL;
		rc = open_tree(&repo, &tree, s, rev);
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
			     const char *rev, const char *path)
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
	rc = open_tree(&repo, &tree, s, rev);
	if (rc)
		goto done;
	if (git_tree_entry_bypath(&ent, tree, path) < 0 ||
	    git_tree_entry_type(ent) != GIT_OBJECT_BLOB) {
		rc = jolt_err_set(JOLT_ENOTFOUND, "%s: no file '%s' at %s",
				  s->env_repo, path, rev);
		goto done;
	}
	if (git_blob_lookup(&blob, repo, git_tree_entry_id(ent)) < 0) {
		rc = jolt_err_set(JOLT_EIO, "%s: %s: %s", s->env_repo, path,
				  jolt_git_msg());
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
	char *id;            /* env_dir, or env_repo + "@" + revision */
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

/* The revision of s's repository that task t sees. */
static const char *env_rev(const jolt_suite *s, const jolt_task *t)
{
	const char *rev = jolt_task_env_rev(s, t);
	return rev ? rev : "HEAD";
}

/* Keyed by (repository, revision): tasks of one suite pinned to different
 * commits each see their own tree. */
static char *snap_id(const jolt_suite *s, const char *rev)
{
	if (s->env_dir)
		return jolt_xstrdup(s->env_dir);
	if (s->env_repo)
		return jolt_xasprintf("%s@%s", s->env_repo, rev);
	return NULL;
}

/* The snapshot of the environment task t of s sees (borrowed: immutable,
 * lives until exit), taken on first use. */
static int snapshot(const struct env_snap **out, const jolt_suite *s,
		    const char *rev)
{
	*out = NULL;
	char *id = snap_id(s, rev);
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
		rc = env_list_uncached(&list, s, rev);
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
			f->rc = env_read_uncached(&f->data, &f->len, s, rev, f->path);
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

int jolt_env_list(json_t **out, const jolt_suite *s, const jolt_task *t)
{
	*out = NULL;
	if (!s || (!s->env_dir && !s->env_repo)) {
		*out = json_array();
		return 0;
	}
	const struct env_snap *e = NULL;
	int rc = snapshot(&e, s, env_rev(s, t));
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
		  const jolt_task *t, const char *path)
{
	*out = NULL;
	*len = 0;
	const struct env_snap *e = NULL;
	const char *rev = s ? env_rev(s, t) : "HEAD";
	if (s && path && *path && path[0] != '/' && (s->env_dir || s->env_repo) &&
	    !snapshot(&e, s, rev) && e->cached) {
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
	return env_read_uncached(out, len, s, rev, path);
}
