/*
 * env.c - per-trial working copies and path containment for builtin tools.
 *
 * A working copy is ROOT/jolt-wd-XXXXXX, filled from the suite's env/
 * directory (copied, symlinks kept as links) or from a git repository at a
 * pinned revision. The git copy is a fresh repository holding only the
 * pinned commit and its ancestors (packed from the source with libgit2), with
 * HEAD detached at that commit and its tree checked out, so `git diff` and
 * `git log` work but later commits (a bug's fix, say) are not reachable.
 * The copy is then handed to the sandbox uid of the worker slot.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <git2.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>

#include "core/buf.h"
#include "core/common.h"
#include "core/git.h"
#include "world/env.h"
#include "world/sandbox.h"

#define COPY_DEPTH_MAX 64

/* ---- copying ------------------------------------------------------------ */

static int copy_file(const char *src, const char *dst, mode_t mode)
{
	int rc = 0;
	int in = open(src, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	int out = -1;
	if (in < 0) {
		rc = jolt_err_set(JOLT_EIO, "%s: %s", src, strerror(errno));
		goto done;
	}
	out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		   0600);
	if (out < 0) {
		rc = jolt_err_set(JOLT_EIO, "%s: %s", dst, strerror(errno));
		goto done;
	}
	char chunk[65536];
	for (;;) {
		ssize_t n = read(in, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = jolt_err_set(JOLT_EIO, "%s: %s", src,
					  strerror(errno));
			goto done;
		}
		if (n == 0)
			break;
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(out, chunk + off, (size_t)(n - off));
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				rc = jolt_err_set(JOLT_EIO, "%s: %s", dst,
						  strerror(errno));
				goto done;
			}
			off += w;
		}
	}
	if (fchmod(out, mode & 07777) < 0)
		rc = jolt_err_set(JOLT_EIO, "%s: %s", dst, strerror(errno));
done:
	if (in >= 0)
		close(in);
	if (out >= 0 && close(out) < 0 && !rc)
		rc = jolt_err_set(JOLT_EIO, "%s: %s", dst, strerror(errno));
	return rc;
}

static int copy_dir(const char *src, const char *dst, int depth)
{
	int rc = 0;
	DIR *d = NULL;
	char *s = NULL, *t = NULL;
	if (depth > COPY_DEPTH_MAX)
		return jolt_err_set(JOLT_EINPUT, "%s: nested too deep", src);
	d = opendir(src);
	if (!d)
		return jolt_err_set(errno == ENOENT ? JOLT_ENOTFOUND : JOLT_EIO,
				    "%s: %s", src, strerror(errno));
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		free(s);
		free(t);
		s = jolt_xasprintf("%s/%s", src, e->d_name);
		t = jolt_xasprintf("%s/%s", dst, e->d_name);
		struct stat st;
		if (lstat(s, &st) < 0) {
			rc = jolt_err_set(JOLT_EIO, "%s: %s", s,
					  strerror(errno));
			goto done;
		}
		if (S_ISDIR(st.st_mode)) {
			if (mkdir(t, 0700) < 0 && errno != EEXIST) {
				rc = jolt_err_set(JOLT_EIO, "%s: %s", t,
						  strerror(errno));
				goto done;
			}
			rc = copy_dir(s, t, depth + 1);
			if (rc)
				goto done;
			if (chmod(t, st.st_mode & 07777) < 0) {
				rc = jolt_err_set(JOLT_EIO, "%s: %s", t,
						  strerror(errno));
				goto done;
			}
		} else if (S_ISREG(st.st_mode)) {
			rc = copy_file(s, t, st.st_mode);
			if (rc)
				goto done;
		} else if (S_ISLNK(st.st_mode)) {
			char target[PATH_MAX];
			ssize_t n = readlink(s, target, sizeof(target) - 1);
			if (n < 0) {
				rc = jolt_err_set(JOLT_EIO, "%s: %s", s,
						  strerror(errno));
				goto done;
			}
			target[n] = '\0';
			if (symlink(target, t) < 0) {
				rc = jolt_err_set(JOLT_EIO, "%s: %s", t,
						  strerror(errno));
				goto done;
			}
		} else {
			rc = jolt_err_set(JOLT_EINPUT,
					  "%s: not a file, directory or "
					  "symlink; environments may hold "
					  "only those",
					  s);
			goto done;
		}
	}
done:
	free(s);
	free(t);
	closedir(d);
	return rc;
}

int jolt_copy_tree(const char *src, const char *dst)
{
	struct stat st;
	if (stat(src, &st) < 0)
		return jolt_err_set(errno == ENOENT ? JOLT_ENOTFOUND : JOLT_EIO,
				    "%s: %s", src, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return jolt_err_set(JOLT_EINPUT, "%s: not a directory", src);
	if (mkdir(dst, 0700) < 0 && errno != EEXIST)
		return jolt_err_set(JOLT_EIO, "%s: %s", dst, strerror(errno));
	int rc = copy_dir(src, dst, 0);
	if (!rc && chmod(dst, st.st_mode & 07777) < 0)
		rc = jolt_err_set(JOLT_EIO, "%s: %s", dst, strerror(errno));
	return rc;
}

/* ---- git ---------------------------------------------------------------- */

static int checkout_repo(const char *wd, const char *repo_path, const char *rev)
{
	int rc = 0;
	git_repository *src = NULL, *dst = NULL;
	git_object *obj = NULL, *commit = NULL;
	git_revwalk *walk = NULL;
	git_packbuilder *pb = NULL;
	char *pack_dir = NULL;

	jolt_git_init();
	if (git_repository_open_ext(&src, repo_path,
				    GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) < 0) {
		rc = jolt_err_set(JOLT_EINPUT, "%s: not a git repository: %s",
				  repo_path, jolt_git_msg());
		goto done;
	}
	if (git_revparse_single(&obj, src, rev ? rev : "HEAD") < 0 ||
	    git_object_peel(&commit, obj, GIT_OBJECT_COMMIT) < 0) {
		rc =
		    jolt_err_set(JOLT_EINPUT, "%s: revision '%s' not found: %s",
				 repo_path, rev ? rev : "HEAD", jolt_git_msg());
		goto done;
	}
	const git_oid *oid = git_object_id(commit);

	if (git_repository_init(&dst, wd, 0) < 0) {
		rc = jolt_err_set(JOLT_EIO, "%s: git init: %s", wd, jolt_git_msg());
		goto done;
	}
	pack_dir = jolt_xasprintf("%s/objects/pack", git_repository_path(dst));
	if (git_packbuilder_new(&pb, src) < 0 ||
	    git_revwalk_new(&walk, src) < 0 ||
	    git_revwalk_push(walk, oid) < 0) {
		rc = jolt_err_set(JOLT_EIO, "%s: %s", repo_path, jolt_git_msg());
		goto done;
	}
	git_packbuilder_set_threads(pb, 1);
	if (git_packbuilder_insert_walk(pb, walk) < 0 ||
	    git_packbuilder_write(pb, pack_dir, 0, NULL, NULL) < 0) {
		rc = jolt_err_set(JOLT_EIO, "%s: packing history of %s: %s",
				  repo_path, rev, jolt_git_msg());
		goto done;
	}
	/* Reopen so the new pack is seen. */
	git_repository_free(dst);
	dst = NULL;
	git_checkout_options co;
	git_checkout_options_init(&co, GIT_CHECKOUT_OPTIONS_VERSION);
	co.checkout_strategy = GIT_CHECKOUT_FORCE;
	if (git_repository_open(&dst, wd) < 0 ||
	    git_repository_set_head_detached(dst, oid) < 0 ||
	    git_checkout_head(dst, &co) < 0) {
		rc = jolt_err_set(JOLT_EIO, "%s: checking out %s: %s", wd, rev,
				  jolt_git_msg());
		goto done;
	}
done:
	free(pack_dir);
	git_packbuilder_free(pb);
	git_revwalk_free(walk);
	git_object_free(commit);
	git_object_free(obj);
	git_repository_free(dst);
	git_repository_free(src);
	return rc;
}

/* ---- working copies ----------------------------------------------------- */

/* One pristine checkout per (repository, revision, root) per process:
 * a libgit2 checkout costs far more than copying its result, and every
 * trial of a suite starts from the same tree. Removed at exit. */
struct template {
	char *repo, *rev, *root, *path;
	struct template *next;
};
static pthread_mutex_t tpl_lock = PTHREAD_MUTEX_INITIALIZER;
static struct template *templates;

static void templates_cleanup(void)
{
	pthread_mutex_lock(&tpl_lock);
	for (struct template *t = templates, *nx; t; t = nx) {
		nx = t->next;
		jolt_workdir_remove(t->path);
		free(t->repo);
		free(t->rev);
		free(t->root);
		free(t->path);
		free(t);
	}
	templates = NULL;
	pthread_mutex_unlock(&tpl_lock);
}

/* The template for s at rev under root (borrowed, lives until exit). */
static int repo_template(const char **out, const jolt_suite *s,
			 const char *rev, const char *root)
{
	int rc = 0;
	pthread_mutex_lock(&tpl_lock);
	struct template *t;
	for (t = templates; t; t = t->next)
		if (!strcmp(t->repo, s->env_repo) && !strcmp(t->rev, rev) &&
		    !strcmp(t->root, root))
			break;
	if (!t) {
		char *dir = jolt_xasprintf("%s/jolt-wd-tpl-XXXXXX", root);
		if (!mkdtemp(dir)) {
			rc = jolt_err_set(JOLT_EIO, "cannot create a working copy under %s: %s",
					  root, strerror(errno));
			free(dir);
			goto done;
		}
		rc = checkout_repo(dir, s->env_repo, rev);
		if (rc) {
			jolt_workdir_remove(dir);
			free(dir);
			goto done;
		}
		if (!templates)
			atexit(templates_cleanup);
		t = jolt_xcalloc(1, sizeof(*t));
		t->repo = jolt_xstrdup(s->env_repo);
		t->rev = jolt_xstrdup(rev);
		t->root = jolt_xstrdup(root);
		t->path = dir;
		t->next = templates;
		templates = t;
	}
	*out = t->path;
done:
	pthread_mutex_unlock(&tpl_lock);
	return rc;
}

int jolt_workdir_create(char **out, const jolt_suite *s, const jolt_task *t,
			const char *root, int slot)
{
	*out = NULL;
	int rc = 0;
	if (!root)
		root = getenv("TMPDIR");
	if (!root || !*root)
		root = "/tmp";
	char *tmpl = jolt_xasprintf("%s/jolt-wd-XXXXXX", root);
	char *path = NULL;
	if (!mkdtemp(tmpl)) {
		rc = jolt_err_set(JOLT_EIO,
				  "cannot create a working copy "
				  "under %s: %s",
				  root, strerror(errno));
		free(tmpl);
		return rc;
	}
	path = realpath(tmpl, NULL);
	if (!path) {
		rc = jolt_err_set(JOLT_EIO, "%s: %s", tmpl, strerror(errno));
		rmdir(tmpl);
		free(tmpl);
		return rc;
	}
	free(tmpl);

	if (s && s->env_dir)
		rc = jolt_copy_tree(s->env_dir, path);
	if (!rc && s && s->env_repo) {
		const char *tpl = NULL;
		rc = repo_template(&tpl, s, jolt_task_env_rev(s, t), root);
		if (!rc)
			rc = jolt_copy_tree(tpl, path);
	}
	if (!rc)
		rc = jolt_sandbox_prepare_dir(path, slot);
	if (rc) {
		char *msg = jolt_xstrdup(jolt_err_msg());
		jolt_workdir_remove(path);
		jolt_err_set(rc, "%s", msg);
		free(msg);
		free(path);
		return rc;
	}
	*out = path;
	return 0;
}

static _Thread_local int rm_err;

static int rm_one(const char *p, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	if (remove(p) < 0 && errno != ENOENT && !rm_err)
		rm_err = errno;
	return 0;
}

static int unlock_one(const char *p, const struct stat *st, int flag,
		      struct FTW *ftw)
{
	if (flag == FTW_D && (st->st_mode & 0700) != 0700)
		chmod(p, (st->st_mode & 07777) | 0700);
	return 0;
}

int jolt_workdir_remove(const char *path)
{
	if (!path || !*path)
		return jolt_err_set(JOLT_EINTERNAL,
				    "no working copy to remove");
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	if (strncmp(base, "jolt-wd-", 8) != 0 && !strstr(path, "/jolt-wd-"))
		return jolt_err_set(JOLT_EDENIED,
				    "refusing to remove %s: not a working copy "
				    "(no jolt-wd- component)",
				    path);
	struct stat st;
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0
				       : jolt_err_set(JOLT_EIO, "%s: %s", path,
						      strerror(errno));
	/* The sandbox may have left directories without write permission,
	 * which stops a non-root owner from emptying them. */
	if (geteuid() != 0)
		nftw(path, unlock_one, 32, FTW_PHYS);
	rm_err = 0;
	if (nftw(path, rm_one, 32, FTW_DEPTH | FTW_PHYS) < 0)
		return jolt_err_set(JOLT_EIO, "%s: %s", path, strerror(errno));
	if (rm_err)
		return jolt_err_set(JOLT_EIO, "removing %s: %s", path,
				    strerror(rm_err));
	return 0;
}
