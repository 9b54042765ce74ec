/*
 * env.c - where working copies go, the per-process snapshots they are
 * made from, and fresh (unpooled) copies; workpool.c keeps and resets the
 * per-slot ones.
 *
 * A snapshot is ROOT/jolt-wd-XXXXXX, filled once per (environment,
 * revision, root) from the suite's env/ directory (copied, symlinks kept
 * as links) or from a git repository at a pinned revision. The git
 * snapshot is a fresh repository holding only the pinned commit and its
 * ancestors (packed from the source with libgit2), with HEAD detached at
 * that commit and its tree checked out, so `git diff` and `git log` work
 * in every copy of it but later commits (a bug's fix, say) are not
 * reachable. A copy is handed to the sandbox uid of the worker slot.
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
#include <linux/magic.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>
#include <dirent.h>

#include "core/buf.h"
#include "core/common.h"
#include "core/git.h"
#include "world/env.h"
#include "world/env_int.h"
#include "world/sandbox.h"

#define COPY_DEPTH_MAX 64

/* ---- copying ------------------------------------------------------------ */

int jolt_copy_file(const char *src, const char *dst, mode_t mode)
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
			rc = jolt_copy_file(s, t, st.st_mode);
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

/* ---- where working copies go -------------------------------------------- */

#define SHM_DIR "/dev/shm"
#define SHM_SLACK (64ull << 20) /* bytes /dev/shm must keep free beyond */
#define SHM_COPIES 16		/* this many environments' worth */
#define SIZE_WALK_MAX 200000	/* entries counted in an environment */

/* Bytes on disk of an environment's source (a directory or a repository),
 * counted once per path per process. */
struct src_size {
	char *path;
	unsigned long long bytes;
	struct src_size *next;
};
static pthread_mutex_t size_lock = PTHREAD_MUTEX_INITIALIZER;
static struct src_size *sizes;
static _Thread_local unsigned long long walk_bytes;
static _Thread_local long walk_count;

static int size_one(const char *p, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	walk_bytes += (unsigned long long)st->st_size;
	return ++walk_count > SIZE_WALK_MAX;
}

static unsigned long long src_bytes(const char *path)
{
	unsigned long long bytes;
	pthread_mutex_lock(&size_lock);
	struct src_size *z;
	for (z = sizes; z; z = z->next)
		if (!strcmp(z->path, path))
			break;
	if (!z) {
		walk_bytes = 0;
		walk_count = 0;
		nftw(path, size_one, 16, FTW_PHYS);
		z = jolt_xcalloc(1, sizeof(*z));
		z->path = jolt_xstrdup(path);
		z->bytes = walk_bytes;
		z->next = sizes;
		sizes = z;
	}
	bytes = z->bytes;
	pthread_mutex_unlock(&size_lock);
	return bytes;
}

/* /dev/shm, when it is a tmpfs every sandbox uid can reach, that we may
 * write, with room for this environment many times over. */
static bool shm_has_room(const jolt_suite *s)
{
	struct statfs fs;
	struct statvfs vfs;
	struct stat st;
	if (statfs(SHM_DIR, &fs) < 0 || fs.f_type != TMPFS_MAGIC ||
	    stat(SHM_DIR, &st) < 0 || !S_ISDIR(st.st_mode) ||
	    !(st.st_mode & S_IXOTH) || access(SHM_DIR, W_OK | X_OK) < 0 ||
	    statvfs(SHM_DIR, &vfs) < 0)
		return false;
	unsigned long long env = 0;
	if (s && s->env_dir)
		env = src_bytes(s->env_dir);
	else if (s && s->env_repo)
		env = src_bytes(s->env_repo);
	unsigned long long avail =
	    (unsigned long long)vfs.f_bavail * vfs.f_frsize;
	return avail >= SHM_SLACK + SHM_COPIES * env;
}

const char *jolt_workdir_root(const char *root, const jolt_suite *s)
{
	if (root && *root)
		return root;
	if (shm_has_room(s))
		return SHM_DIR;
	root = getenv("TMPDIR");
	return root && *root ? root : "/tmp";
}

/* ---- snapshots ---------------------------------------------------------- */

int jolt_workdir_mkdir(char **out, const char *root)
{
	*out = NULL;
	char *tmpl = jolt_xasprintf("%s/jolt-wd-XXXXXX", root);
	int rc = 0;
	if (!mkdtemp(tmpl)) {
		rc = jolt_err_set(JOLT_EIO,
				  "cannot create a working copy under %s: %s",
				  root, strerror(errno));
	} else if (!(*out = realpath(tmpl, NULL))) {
		rc = jolt_err_set(JOLT_EIO, "%s: %s", tmpl, strerror(errno));
		rmdir(tmpl);
	}
	free(tmpl);
	return rc;
}

#define SNAP_ENTRIES_MAX 1000000

/* One pristine tree per (environment, revision, root) per process: a
 * libgit2 checkout costs far more than copying its result, and every
 * trial of a suite starts from the same tree. Removed at exit. */
static pthread_mutex_t snap_lock = PTHREAD_MUTEX_INITIALIZER;
static jolt_snap *snaps;

static void snap_free(jolt_snap *p)
{
	if (p->path)
		jolt_workdir_rm(p->path);
	for (size_t i = 0; i < p->n; i++) {
		free(p->e[i].rel);
		free(p->e[i].link);
	}
	free(p->e);
	free(p->key);
	free(p->root);
	free(p->path);
	free(p);
}

static void snaps_cleanup(void)
{
	pthread_mutex_lock(&snap_lock);
	for (jolt_snap *p = snaps, *nx; p; p = nx) {
		nx = p->next;
		snap_free(p);
	}
	snaps = NULL;
	pthread_mutex_unlock(&snap_lock);
}

static int by_rel(const void *a, const void *b)
{
	return strcmp(((const struct jolt_snap_entry *)a)->rel,
		      ((const struct jolt_snap_entry *)b)->rel);
}

/* Record every entry under dir (rel: its path under the snapshot). */
static int scan(jolt_snap *p, size_t *cap, const char *rel, int depth)
{
	int rc = 0;
	char *dir = *rel ? jolt_xasprintf("%s/%s", p->path, rel)
			 : jolt_xstrdup(p->path);
	DIR *d = NULL;
	if (depth > COPY_DEPTH_MAX) {
		rc = jolt_err_set(JOLT_EINPUT, "%s: nested too deep", dir);
		goto done;
	}
	if (!(d = opendir(dir))) {
		rc = jolt_err_set(JOLT_EIO, "%s: %s", dir, strerror(errno));
		goto done;
	}
	struct dirent *de;
	while (!rc && (de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		struct stat st;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW)) {
			rc = jolt_err_set(JOLT_EIO, "%s/%s: %s", dir,
					  de->d_name, strerror(errno));
			break;
		}
		if (p->n >= SNAP_ENTRIES_MAX) {
			rc = jolt_err_set(JOLT_ETOOBIG,
					  "%s: more than %d entries", p->path,
					  SNAP_ENTRIES_MAX);
			break;
		}
		if (p->n == *cap) {
			*cap = *cap ? *cap * 2 : 256;
			p->e = jolt_xrealloc(p->e, *cap * sizeof(*p->e));
		}
		struct jolt_snap_entry *e = &p->e[p->n++];
		memset(e, 0, sizeof(*e));
		e->rel = *rel ? jolt_xasprintf("%s/%s", rel, de->d_name)
			      : jolt_xstrdup(de->d_name);
		e->mode = st.st_mode;
		e->size = st.st_size;
		if (S_ISLNK(st.st_mode)) {
			char target[PATH_MAX];
			ssize_t n = readlinkat(dirfd(d), de->d_name, target,
					       sizeof(target) - 1);
			if (n < 0) {
				rc = jolt_err_set(JOLT_EIO, "%s/%s: %s", dir,
						  de->d_name, strerror(errno));
				break;
			}
			target[n] = '\0';
			e->link = jolt_xstrdup(target);
		} else if (S_ISDIR(st.st_mode)) {
			rc = scan(p, cap, e->rel, depth + 1);
		} else if (!S_ISREG(st.st_mode)) {
			rc = jolt_err_set(JOLT_EINPUT,
					  "%s/%s: not a file, directory or "
					  "symlink; environments may hold only "
					  "those",
					  dir, de->d_name);
		}
	}
done:
	if (d)
		closedir(d);
	free(dir);
	return rc;
}

/* Fill p->path with the environment of s at rev and record it. */
static int snap_make(jolt_snap *p, const jolt_suite *s, const char *rev)
{
	char *dir = NULL;
	int mrc = jolt_workdir_mkdir(&dir, p->root);
	if (mrc)
		return mrc;
	p->path = dir;
	int rc = s->env_dir ? jolt_copy_tree(s->env_dir, dir)
			    : checkout_repo(dir, s->env_repo, rev);
	struct stat st;
	if (!rc && stat(dir, &st) < 0)
		rc = jolt_err_set(JOLT_EIO, "%s: %s", dir, strerror(errno));
	if (!rc) {
		p->mode = st.st_mode & 07777;
		size_t cap = 0;
		rc = scan(p, &cap, "", 0);
	}
	if (!rc)
		qsort(p->e, p->n, sizeof(*p->e), by_rel);
	return rc;
}

int jolt_snap_get(const jolt_snap **out, const jolt_suite *s,
		  const jolt_task *t, const char *root)
{
	*out = NULL;
	const char *rev = NULL;
	char *key;
	if (s && s->env_dir)
		key = jolt_xasprintf("dir:%s", s->env_dir);
	else if (s && s->env_repo) {
		rev = jolt_task_env_rev(s, t);
		key = jolt_xasprintf("git:%s@%s", s->env_repo,
				     rev ? rev : "HEAD");
	} else
		key = jolt_xstrdup("none");
	int rc = 0;
	pthread_mutex_lock(&snap_lock);
	jolt_snap *p;
	for (p = snaps; p; p = p->next)
		if (!strcmp(p->key, key) && !strcmp(p->root, root))
			break;
	if (!p) {
		p = jolt_xcalloc(1, sizeof(*p));
		p->key = key;
		key = NULL;
		p->root = jolt_xstrdup(root);
		p->mode = 0700;
		if (strcmp(p->key, "none") && (rc = snap_make(p, s, rev))) {
			snap_free(p);
			goto done;
		}
		if (!snaps)
			atexit(snaps_cleanup);
		p->next = snaps;
		snaps = p;
	}
	*out = p;
done:
	pthread_mutex_unlock(&snap_lock);
	free(key);
	return rc;
}

int jolt_workdir_snapshot(const char **out, const jolt_suite *s,
			  const jolt_task *t, const char *root)
{
	const jolt_snap *p = NULL;
	int rc = jolt_snap_get(&p, s, t, jolt_workdir_root(root, s));
	*out = rc ? NULL : p->path;
	return rc;
}

/* ---- working copies ----------------------------------------------------- */

int jolt_workdir_create(char **out, const jolt_suite *s, const jolt_task *t,
			const char *root, int slot)
{
	*out = NULL;
	int rc = 0;
	root = jolt_workdir_root(root, s);
	const jolt_snap *snap = NULL;
	rc = jolt_snap_get(&snap, s, t, root);
	if (rc)
		return rc;
	char *path = NULL;
	rc = jolt_workdir_mkdir(&path, root);
	if (rc)
		return rc;

	if (snap->path)
		rc = jolt_copy_tree(snap->path, path);
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
	if (path)
		jolt_pool_forget(path);
	return jolt_workdir_rm(path);
}

int jolt_workdir_rm(const char *path)
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
