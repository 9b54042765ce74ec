/*
 * workpool.c - a pool of per-slot working copies, each made identical to
 * its snapshot again by undoing only what the last trial changed.
 *
 * A pooled copy is ROOT/jolt-wd-XXXXXX, kept for the process's life for
 * one (root, slot). Whenever it is made identical to its snapshot, the
 * inode number and ctime of each of its entries are recorded beside the
 * snapshot's list of entries, with the coarse clock at that moment (the
 * stamp). Before the next trial, a walk of the copy compares each entry
 * with that record:
 *
 *  - an entry the snapshot does not have (or of another type) is deleted
 *    with its subtree;
 *  - a file or symlink is unchanged when its inode, ctime, mode, size,
 *    owner and link count all match. A write, truncate, chmod, chown,
 *    link, rename over it or xattr change sets ctime to the clock, and no
 *    call sets ctime from user space, so `touch -d` restoring an mtime
 *    hides nothing. A changed entry is deleted and copied again from the
 *    snapshot: a new inode, so nothing linked to the old one survives;
 *  - a directory gets its mode and owner back; one whose ctime moved and
 *    that now carries extended attributes or ACLs is made again.
 *
 * Entries then missing are restored in the snapshot's order, parents
 * first. An entry whose recorded ctime is within a clock tick of the
 * stamp might have been changed in that same tick with its ctime left
 * equal (git's "racily clean" entries): it is compared by content too,
 * and becomes trustworthy once a later stamp passes it. Any error, or a
 * copy last made from another snapshot, falls back to a fresh full copy
 * (made the same way: restoring every entry into an empty directory).
 *
 * A copy given back untouched (jolt_workdir_give_back: its trial ran no
 * command and wrote nothing through a builtin) is handed out again as it
 * is, without a walk: nothing could have changed it.
 *
 * The walk never follows a symlink (fstatat and openat with NOFOLLOW), so
 * a trial that plants a link to / cannot turn the reset against the host.
 * The snapshot is only read. A slot runs one trial at a time (the
 * scheduler's slots), and the sandbox's processes are gone when a
 * command returns, so nothing writes to a copy while it is reset.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "core/common.h"
#include "world/env.h"
#include "world/env_int.h"
#include "world/sandbox.h"

#define WALK_DEPTH_MAX 64 /* as deep as a snapshot may be */
#define RM_DEPTH_MAX 512  /* deeper trees a trial made are not undone */

/* What a copy's entry looked like when it was last known identical. */
struct rec {
	ino_t ino;
	struct timespec ctime;
};

struct pool_copy {
	char *root;
	int slot;
	char *path;		/* NULL until made */
	const jolt_snap *snap;	/* what it was last made identical to */
	struct rec *rec;	/* one per snapshot entry */
	struct rec top;		/* the copy's own directory */
	struct timespec stamp;	/* coarse clock once it was identical */
	bool in_use;		/* handed out, not yet released */
	bool untouched;		/* given back by a trial that wrote nothing:
				 * still identical, no walk needed */
	struct pool_copy *next;
	struct pool_copy *next_of_slot; /* the slot's other roots */
};

static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static struct pool_copy *pool;
/* The copies of each slot (usually one, a root each), so that finding a
 * slot's copy costs the same with a thousand slots as with one. */
static struct pool_copy **by_slot;
static size_t nby_slot;

enum { UNSEEN = 0, SAME = 1, RESTORED = 2 };

/* One reset of one copy. */
struct reset {
	struct pool_copy *pc;
	const jolt_snap *snap;
	unsigned char *state;	  /* per snapshot entry: UNSEEN, SAME... */
	bool as_root;		  /* then entries belong to uid:gid */
	size_t removed;		  /* entries removed so far */
	uid_t uid;
	gid_t gid;
	struct timespec racy;	  /* a ctime at or after this is racy */
	char rel[PATH_MAX];	  /* the entry being looked at */
	char buf[2][16384];	  /* comparing contents */
};

/* ---- small helpers ------------------------------------------------------ */

static bool ts_eq(struct timespec a, struct timespec b)
{
	return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

static bool ts_ge(struct timespec a, struct timespec b)
{
	return a.tv_sec > b.tv_sec ||
	       (a.tv_sec == b.tv_sec && a.tv_nsec >= b.tv_nsec);
}

static bool racy(const struct reset *r, struct timespec ctime)
{
	return ts_ge(ctime, r->racy);
}

static ssize_t lookup(const jolt_snap *snap, const char *rel)
{
	size_t lo = 0, hi = snap->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(rel, snap->e[mid].rel);
		if (!c)
			return (ssize_t)mid;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

static int io_err(const char *what, const char *name)
{
	return jolt_err_set(JOLT_EIO, "resetting a working copy: %s %s: %s",
			    what, name, strerror(errno));
}

static bool has_xattrs(int fd)
{
	return flistxattr(fd, NULL, 0) > 0;
}

static bool same_owner(const struct reset *r, const struct stat *st)
{
	return st->st_uid == r->uid && (!r->as_root || st->st_gid == r->gid);
}

/* Remove `name` under dirfd, a subtree if it is a directory. */
static int rm_tree_at(int dirfd, const char *name, int depth)
{
	if (unlinkat(dirfd, name, 0) == 0 || errno == ENOENT)
		return 0;
	if (errno != EISDIR && errno != EPERM && errno != EACCES)
		return io_err("unlink", name);
	if (depth > RM_DEPTH_MAX)
		return jolt_err_set(JOLT_EIO,
				    "resetting a working copy: %s: nested "
				    "deeper than %d",
				    name, RM_DEPTH_MAX);
	int fd = openat(dirfd, name,
			O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return io_err("open", name);
	/* A non-root owner needs write and search permission to empty it. */
	if (geteuid() != 0)
		fchmod(fd, 0700);
	DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return io_err("list", name);
	}
	int rc = 0;
	struct dirent *de;
	while (!rc && (de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			rc = rm_tree_at(fd, de->d_name, depth + 1);
	closedir(d);
	if (!rc && unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		rc = io_err("rmdir", name);
	return rc;
}

/* Do the copy's file (open as fd) and the snapshot's hold the same bytes?
 * Sizes are already known equal. */
static bool same_bytes(struct reset *r, int fd)
{
	char src[PATH_MAX];
	if (snprintf(src, sizeof(src), "%s/%s", r->snap->path, r->rel) >=
	    (int)sizeof(src))
		return false;
	int sfd = open(src, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (sfd < 0)
		return false;
	bool same = true;
	for (;;) {
		ssize_t a = read(fd, r->buf[0], sizeof(r->buf[0]));
		ssize_t b = a > 0 ? read(sfd, r->buf[1], (size_t)a) : a;
		if (a < 0 || a != b || memcmp(r->buf[0], r->buf[1], (size_t)a)) {
			same = a == 0 && b == 0;
			break;
		}
		if (a == 0)
			break;
	}
	close(sfd);
	return same;
}

/* Is the file or symlink `name` (under dirfd, stat st) still the entry i
 * the record says? */
static bool leaf_same(struct reset *r, int dirfd, const char *name,
		      size_t i, const struct stat *st)
{
	const struct jolt_snap_entry *e = &r->snap->e[i];
	const struct rec *c = &r->pc->rec[i];
	if (st->st_ino != c->ino || !ts_eq(st->st_ctim, c->ctime) ||
	    st->st_mode != e->mode || !same_owner(r, st) ||
	    st->st_nlink != 1)
		return false;
	if (S_ISREG(st->st_mode) && st->st_size != e->size)
		return false;
	if (!racy(r, c->ctime))
		return true;
	/* Racily clean: changed within the stamp's tick? Look. */
	if (S_ISLNK(st->st_mode)) {
		char target[PATH_MAX];
		ssize_t n = readlinkat(dirfd, name, target, sizeof(target) - 1);
		if (n < 0)
			return false;
		target[n] = '\0';
		return !strcmp(target, e->link);
	}
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return false;
	bool same = !has_xattrs(fd) && same_bytes(r, fd);
	close(fd);
	return same;
}

/* ---- the walk ------------------------------------------------------------ */

static int walk(struct reset *r, int fd, size_t len, int depth);

/* Directory entry i, `name` under dirfd: look inside, then put its mode
 * and owner back. A directory that gained xattrs or ACLs is removed (and
 * restored later with everything under it). */
static int walk_dir(struct reset *r, int dirfd, const char *name, size_t i,
		    const struct stat *st, size_t len, int depth)
{
	const struct jolt_snap_entry *e = &r->snap->e[i];
	struct rec *c = &r->pc->rec[i];
	if (depth >= WALK_DEPTH_MAX)
		return jolt_err_set(JOLT_EIO, "resetting a working copy: %s: "
				    "nested too deep", r->rel);
	int fd = openat(dirfd, name,
			O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return io_err("open", r->rel);
	bool moved = st->st_ino != c->ino || !ts_eq(st->st_ctim, c->ctime) ||
		     racy(r, c->ctime);
	if (moved && has_xattrs(fd)) {
		close(fd);
		r->removed++;
		return rm_tree_at(dirfd, name, 0);
	}
	/* Whether anything changed it since st was taken: if not, st is
	 * what it looks like now, and two fstat calls are saved. */
	bool touched = false;
	if (!r->as_root && (st->st_mode & 0700) != 0700) {
		if (fchmod(fd, (st->st_mode & 07777) | 0700) < 0) {
			close(fd);
			return io_err("chmod", r->rel);
		}
		touched = true;
	}
	size_t removed = r->removed;
	int rc = walk(r, fd, len, depth + 1);
	touched = touched || r->removed != removed;
	struct stat now = *st;
	if (!rc && r->as_root && !same_owner(r, st)) {
		if (fchown(fd, r->uid, r->gid) < 0)
			rc = io_err("chown", r->rel);
		touched = true;
	}
	if (!rc && touched && fstat(fd, &now) < 0)
		rc = io_err("chmod", r->rel);
	if (!rc && now.st_mode != e->mode &&
	    (fchmod(fd, e->mode & 07777) < 0 || fstat(fd, &now) < 0))
		rc = io_err("chmod", r->rel);
	if (!rc) {
		c->ino = now.st_ino;
		c->ctime = now.st_ctim;
		r->state[i] = SAME;
	}
	close(fd);
	return rc;
}

/* One entry `name` of the directory open as fd, r->rel[0..len) the
 * directory's path. */
static int walk_entry(struct reset *r, int fd, const char *name, size_t len,
		      int depth)
{
	struct stat st;
	if (fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : io_err("stat", name);
	size_t nl = strlen(name);
	size_t at = len ? len + 1 : 0;
	ssize_t i = -1;
	if (at + nl < sizeof(r->rel)) {
		if (len)
			r->rel[len] = '/';
		memcpy(r->rel + at, name, nl + 1);
		i = lookup(r->snap, r->rel);
	}
	if (i < 0 ||
	    (st.st_mode & S_IFMT) != (r->snap->e[i].mode & S_IFMT)) {
		r->removed++;
		return rm_tree_at(fd, name, 0);
	}
	if (S_ISDIR(st.st_mode))
		return walk_dir(r, fd, name, (size_t)i, &st, at + nl, depth);
	if (leaf_same(r, fd, name, (size_t)i, &st)) {
		r->state[i] = SAME;
		return 0;
	}
	r->removed++;
	if (unlinkat(fd, name, 0) < 0)
		return io_err("unlink", r->rel);
	return 0;
}

/* Walk the directory open as fd (the caller's), r->rel[0..len) its path:
 * getdents64 on fd itself, without the stdio stream (and the dup, fstat
 * and fcntl it costs) per directory. */
static int walk(struct reset *r, int fd, size_t len, int depth)
{
	char buf[4096] __attribute__((aligned(8)));
	for (;;) {
		ssize_t n = getdents64(fd, buf, sizeof(buf));
		if (n < 0)
			return io_err("list", len ? r->rel : ".");
		if (n == 0)
			return 0;
		for (ssize_t off = 0; off < n;) {
			struct dirent64 *de = (struct dirent64 *)(buf + off);
			off += de->d_reclen;
			const char *name = de->d_name;
			if (!strcmp(name, ".") || !strcmp(name, ".."))
				continue;
			int rc = walk_entry(r, fd, name, len, depth);
			if (rc)
				return rc;
		}
	}
}

/* ---- restoring ------------------------------------------------------------ */

static int restore(struct reset *r, size_t i)
{
	const struct jolt_snap_entry *e = &r->snap->e[i];
	struct pool_copy *pc = r->pc;
	char dst[PATH_MAX], src[PATH_MAX];
	if (snprintf(dst, sizeof(dst), "%s/%s", pc->path, e->rel) >=
		(int)sizeof(dst) ||
	    snprintf(src, sizeof(src), "%s/%s", r->snap->path, e->rel) >=
		(int)sizeof(src))
		return jolt_err_set(JOLT_EIO, "%s: path too long", e->rel);
	int rc = 0;
	if (S_ISDIR(e->mode)) {
		if (mkdir(dst, 0700) < 0)
			return io_err("mkdir", e->rel);
	} else if (S_ISREG(e->mode)) {
		rc = jolt_copy_file(src, dst, e->mode);
	} else if (symlink(e->link, dst) < 0) {
		return io_err("symlink", e->rel);
	}
	if (rc)
		return rc;
	if (r->as_root && lchown(dst, r->uid, r->gid) < 0)
		return io_err("chown", e->rel);
	/* chown clears set-id bits: set them again. */
	if (S_ISREG(e->mode) && (e->mode & 06000) &&
	    chmod(dst, e->mode & 07777) < 0)
		return io_err("chmod", e->rel);
	struct stat st;
	if (lstat(dst, &st) < 0)
		return io_err("stat", e->rel);
	pc->rec[i].ino = st.st_ino;
	pc->rec[i].ctime = st.st_ctim;
	r->state[i] = RESTORED;
	return 0;
}

/* Directories were made 0700 so their entries could be restored: give
 * them their mode, children first, and record them. */
static int restore_dir_modes(struct reset *r)
{
	for (size_t k = r->snap->n; k-- > 0;) {
		const struct jolt_snap_entry *e = &r->snap->e[k];
		if (r->state[k] != RESTORED || !S_ISDIR(e->mode))
			continue;
		char dst[PATH_MAX];
		snprintf(dst, sizeof(dst), "%s/%s", r->pc->path, e->rel);
		struct stat st;
		if (chmod(dst, e->mode & 07777) < 0 || lstat(dst, &st) < 0)
			return io_err("chmod", e->rel);
		r->pc->rec[k].ctime = st.st_ctim;
	}
	return 0;
}

/* Make pc->path identical to pc->snap again. */
static int reset(struct pool_copy *pc, int slot)
{
	struct reset *r = jolt_xcalloc(1, sizeof(*r));
	r->pc = pc;
	r->snap = pc->snap;
	r->state = jolt_xcalloc(r->snap->n + 1, 1);
	r->as_root = geteuid() == 0;
	r->uid = r->as_root ? (uid_t)jolt_sandbox_uid(slot) : geteuid();
	r->gid = r->as_root ? (gid_t)r->uid : getegid();
	/* A tick of margin below the stamp: entries changed in the tick the
	 * record was taken may keep their ctime. */
	struct timespec res = {0, 0};
	clock_getres(CLOCK_REALTIME_COARSE, &res);
	r->racy = pc->stamp;
	r->racy.tv_sec -= res.tv_sec;
	r->racy.tv_nsec -= res.tv_nsec;
	if (r->racy.tv_nsec < 0) {
		r->racy.tv_nsec += 1000000000L;
		r->racy.tv_sec--;
	}

	int rc = 0;
	int fd = open(pc->path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		rc = io_err("open", pc->path);
		goto done;
	}
	bool moved = st.st_ino != pc->top.ino ||
		     !ts_eq(st.st_ctim, pc->top.ctime) || racy(r, pc->top.ctime);
	if (moved && has_xattrs(fd)) {
		rc = jolt_err_set(JOLT_EIO, "%s: has extended attributes",
				  pc->path);
		goto done;
	}
	if (!r->as_root && (st.st_mode & 0700) != 0700)
		fchmod(fd, (st.st_mode & 07777) | 0700);
	rc = walk(r, fd, 0, 0);
	for (size_t i = 0; !rc && i < r->snap->n; i++)
		if (r->state[i] == UNSEEN)
			rc = restore(r, i);
	if (!rc)
		rc = restore_dir_modes(r);
	if (!rc && r->as_root && !same_owner(r, &st) &&
	    fchown(fd, r->uid, r->gid) < 0)
		rc = io_err("chown", pc->path);
	if (!rc && (fchmod(fd, r->snap->mode) < 0 || fstat(fd, &st) < 0))
		rc = io_err("chmod", pc->path);
	if (!rc) {
		pc->top.ino = st.st_ino;
		pc->top.ctime = st.st_ctim;
		clock_gettime(CLOCK_REALTIME_COARSE, &pc->stamp);
	}
done:
	if (fd >= 0)
		close(fd);
	free(r->state);
	free(r);
	return rc;
}

/* ---- the pool ------------------------------------------------------------- */

static void drop_copy(struct pool_copy *pc)
{
	if (pc->path)
		jolt_workdir_rm(pc->path);
	free(pc->path);
	free(pc->rec);
	pc->path = NULL;
	pc->rec = NULL;
	pc->snap = NULL;
}

static void pool_cleanup(void)
{
	pthread_mutex_lock(&pool_lock);
	for (struct pool_copy *pc = pool, *nx; pc; pc = nx) {
		nx = pc->next;
		drop_copy(pc);
		free(pc->root);
		free(pc);
	}
	pool = NULL;
	free(by_slot);
	by_slot = NULL;
	nby_slot = 0;
	pthread_mutex_unlock(&pool_lock);
}

/* Make pc (held by the caller) identical to snap. */
static int make_ready(struct pool_copy *pc, const jolt_snap *snap, int slot)
{
	if (pc->path && pc->snap == snap && (pc->untouched || !reset(pc, slot)))
		return 0;
	/* Another snapshot, or a copy that could not be put right. */
	drop_copy(pc);
	int rc = jolt_workdir_mkdir(&pc->path, pc->root);
	if (rc)
		return rc;
	pc->snap = snap;
	pc->rec = jolt_xcalloc(snap->n + 1, sizeof(*pc->rec));
	memset(&pc->top, 0, sizeof(pc->top));
	memset(&pc->stamp, 0, sizeof(pc->stamp));
	rc = reset(pc, slot);
	if (rc) {
		char *msg = jolt_xstrdup(jolt_err_msg());
		drop_copy(pc);
		jolt_err_set(rc, "%s", msg);
		free(msg);
	}
	return rc;
}

int jolt_workdir_acquire(char **out, const jolt_suite *s, const jolt_task *t,
			 const char *root, int slot)
{
	*out = NULL;
	root = jolt_workdir_root(root, s);
	const jolt_snap *snap = NULL;
	int rc = jolt_snap_get(&snap, s, t, root);
	if (rc)
		return rc;
	pthread_mutex_lock(&pool_lock);
	struct pool_copy *pc = NULL;
	if (slot >= 0 && (size_t)slot < nby_slot)
		for (pc = by_slot[slot]; pc; pc = pc->next_of_slot)
			if (!strcmp(pc->root, root))
				break;
	if (slot < 0)
		for (pc = pool; pc; pc = pc->next)
			if (pc->slot == slot && !strcmp(pc->root, root))
				break;
	if (pc && pc->in_use) {
		pthread_mutex_unlock(&pool_lock);
		return jolt_workdir_create(out, s, t, root, slot);
	}
	if (!pc) {
		pc = jolt_xcalloc(1, sizeof(*pc));
		pc->root = jolt_xstrdup(root);
		pc->slot = slot;
		if (!pool)
			atexit(pool_cleanup);
		pc->next = pool;
		pool = pc;
		if (slot >= 0) {
			if ((size_t)slot >= nby_slot) {
				size_t n = (size_t)slot * 2 + 16;
				by_slot = jolt_xrealloc(by_slot, n * sizeof(*by_slot));
				memset(by_slot + nby_slot, 0,
				       (n - nby_slot) * sizeof(*by_slot));
				nby_slot = n;
			}
			pc->next_of_slot = by_slot[slot];
			by_slot[slot] = pc;
		}
	}
	pc->in_use = true;
	pthread_mutex_unlock(&pool_lock);

	rc = make_ready(pc, snap, slot);
	pthread_mutex_lock(&pool_lock);
	pc->untouched = false;
	if (rc)
		pc->in_use = false;
	else
		*out = jolt_xstrdup(pc->path);
	pthread_mutex_unlock(&pool_lock);
	return rc;
}

/* The pooled copy at path, handed out (pool_lock held), or NULL: among
 * the slot's when slot is one, else among all. */
static struct pool_copy *find_out(const char *path, int slot)
{
	bool one = slot >= 0 && (size_t)slot < nby_slot;
	for (struct pool_copy *pc = one ? by_slot[slot] : pool; pc;
	     pc = one ? pc->next_of_slot : pc->next)
		if (pc->in_use && pc->path && !strcmp(pc->path, path))
			return pc;
	return NULL;
}

int jolt_workdir_give_back(const char *path, int slot, bool untouched)
{
	if (!path)
		return 0;
	pthread_mutex_lock(&pool_lock);
	struct pool_copy *pc = find_out(path, slot);
	if (pc) {
		pc->in_use = false;
		pc->untouched = untouched;
	}
	pthread_mutex_unlock(&pool_lock);
	return pc ? 0 : jolt_workdir_remove(path);
}

int jolt_workdir_release(const char *path)
{
	return jolt_workdir_give_back(path, -1, false);
}

void jolt_pool_forget(const char *path)
{
	pthread_mutex_lock(&pool_lock);
	struct pool_copy *pc;
	for (pc = pool; pc; pc = pc->next)
		if (pc->path && !strcmp(pc->path, path))
			break;
	if (pc) {
		free(pc->path);
		free(pc->rec);
		pc->path = NULL;
		pc->rec = NULL;
		pc->snap = NULL;
		pc->in_use = false;
	}
	pthread_mutex_unlock(&pool_lock);
}
