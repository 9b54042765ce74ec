/*
 * execmemo.c - the memo of sandboxed commands (see execmemo.h): a tree
 * hash, a key over it and the command, and a chained hash table of
 * results behind one mutex.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/common.h"
#include "core/sha256.h"
#include "world/execmemo.h"
#include "world/sandbox.h"

/* Trees beyond these are not hashed: a command in them is just run. */
#define MEMO_TREE_BYTES (256L << 20)
#define MEMO_TREE_ENTRIES 100000
/* Remembered output beyond this in total is not kept. */
#define MEMO_BYTES (512L << 20)
#define MEMO_BUCKETS 4096
/* A command that changed more than this is not remembered. */
#define MEMO_DELTA_BYTES (4L << 20)
/* Stands for the working copy's path in remembered output. */
#define MEMO_WD "\x01jolt-workdir\x01"

/* ---- the tree ---- */

/* One entry of a tree: its path relative to the root, its mode (type and
 * permission bits) and what it holds: a file's SHA-256, a link's target,
 * "" for anything else. */
struct tree_ent {
	char *path;
	unsigned mode;
	char *what;
};

struct tree {
	struct tree_ent *e;
	size_t n, cap;
	long bytes;
};

static void tree_release(struct tree *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->e[i].path);
		free(t->e[i].what);
	}
	free(t->e);
	memset(t, 0, sizeof(*t));
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int by_path(const void *a, const void *b)
{
	return strcmp(((const struct tree_ent *)a)->path,
		      ((const struct tree_ent *)b)->path);
}

static char *file_digest(struct tree *t, int dfd, const char *name)
{
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	jolt_sha256 c;
	jolt_sha256_init(&c);
	char chunk[65536];
	ssize_t n;
	while ((n = read(fd, chunk, sizeof(chunk))) > 0) {
		t->bytes += n;
		if (t->bytes > MEMO_TREE_BYTES)
			break;
		jolt_sha256_update(&c, chunk, (size_t)n);
	}
	close(fd);
	if (n != 0)
		return NULL;
	char hex[65];
	jolt_sha256_final_hex(&c, hex);
	return jolt_xstrdup(hex);
}

/* Add the directory open on dfd (taken), whose path is `rel` ("" for the
 * root), and everything under it. */
static int walk_dir(struct tree *t, int dfd, const char *rel)
{
	DIR *d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return 0;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	int ok = 1;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (t->n + n >= MEMO_TREE_ENTRIES) {
			ok = 0;
			break;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			names = jolt_xrealloc(names, cap * sizeof(*names));
		}
		names[n++] = jolt_xstrdup(de->d_name);
	}
	if (ok && n) /* qsort may not be given a NULL array */
		qsort(names, n, sizeof(*names), by_name);
	for (size_t i = 0; ok && i < n; i++) {
		struct stat st;
		if (fstatat(dirfd(d), names[i], &st, AT_SYMLINK_NOFOLLOW) < 0) {
			ok = 0;
			break;
		}
		if (t->n == t->cap) {
			t->cap = t->cap ? t->cap * 2 : 64;
			t->e = jolt_xrealloc(t->e, t->cap * sizeof(*t->e));
		}
		struct tree_ent *e = &t->e[t->n++];
		e->path = jolt_xasprintf("%s%s%s", rel, *rel ? "/" : "",
					 names[i]);
		e->mode = (unsigned)st.st_mode & (S_IFMT | 07777);
		e->what = NULL;
		if (S_ISREG(st.st_mode)) {
			e->what = file_digest(t, dirfd(d), names[i]);
			ok = e->what != NULL;
		} else if (S_ISLNK(st.st_mode)) {
			char target[4096];
			ssize_t tl = readlinkat(dirfd(d), names[i], target,
						sizeof(target) - 1);
			ok = tl >= 0;
			target[ok ? tl : 0] = '\0';
			e->what = jolt_xstrdup(target);
		} else if (S_ISDIR(st.st_mode)) {
			e->what = jolt_xstrdup("");
			int sub = openat(dirfd(d), names[i],
					 O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
					     O_CLOEXEC);
			/* e may move as the array grows: pass a copy. */
			char *path = jolt_xstrdup(e->path);
			ok = sub >= 0 && walk_dir(t, sub, path);
			free(path);
		} else {
			e->what = jolt_xstrdup(""); /* fifos, sockets: by mode */
		}
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(d);
	return ok && t->bytes <= MEMO_TREE_BYTES;
}

/* Read the tree under dir, sorted by path, and its hash. */
static int tree_read(struct tree *t, char hash[65], const char *dir)
{
	memset(t, 0, sizeof(*t));
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || !walk_dir(t, fd, "")) {
		tree_release(t);
		return 0;
	}
	if (t->n)
		qsort(t->e, t->n, sizeof(*t->e), by_path);
	jolt_sha256 c;
	jolt_sha256_init(&c);
	for (size_t i = 0; i < t->n; i++) {
		char mode[16];
		snprintf(mode, sizeof(mode), "%o", t->e[i].mode);
		/* NUL-separated fields: no two trees feed the same bytes. */
		jolt_sha256_update(&c, t->e[i].path, strlen(t->e[i].path) + 1);
		jolt_sha256_update(&c, mode, strlen(mode) + 1);
		jolt_sha256_update(&c, t->e[i].what, strlen(t->e[i].what) + 1);
	}
	jolt_sha256_final_hex(&c, hash);
	return 1;
}

int jolt_execmemo_tree_hash(char out[65], const char *dir)
{
	struct tree t;
	int ok = tree_read(&t, out, dir);
	tree_release(&t);
	return ok;
}

/* ---- what a command changed ---- */

/* A change: `path` removed (gone), or set to `mode` with `data` (a file's
 * content, a link's target; nothing for a directory). */
struct change {
	char *path;
	bool gone;
	unsigned mode;
	char *data;
	size_t len;
};

struct delta {
	struct change *c;
	size_t n;
	size_t bytes;
};

static void delta_release(struct delta *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->c[i].path);
		free(d->c[i].data);
	}
	free(d->c);
	memset(d, 0, sizeof(*d));
}

static void delta_add(struct delta *d, const char *path, bool gone,
		      unsigned mode, char *data, size_t len)
{
	d->c = jolt_xrealloc(d->c, (d->n + 1) * sizeof(*d->c));
	d->c[d->n++] = (struct change){jolt_xstrdup(path), gone, mode, data,
				       len};
	d->bytes += strlen(path) + len + sizeof(struct change);
}

/* The entry `e` of the tree under dir as a change (false when it cannot
 * be read, or makes the delta too big). */
static bool delta_set(struct delta *d, const char *dir,
		      const struct tree_ent *e)
{
	char *data = NULL;
	size_t len = 0;
	if (S_ISREG(e->mode)) {
		char *p = jolt_xasprintf("%s/%s", dir, e->path);
		jolt_buf b;
		jolt_buf_init(&b, MEMO_DELTA_BYTES);
		int rc = jolt_buf_read_file(&b, p);
		free(p);
		len = b.len;
		data = jolt_buf_detach(&b);
		jolt_buf_release(&b);
		if (rc) {
			free(data);
			return false;
		}
	} else if (S_ISLNK(e->mode)) {
		data = jolt_xstrdup(e->what);
		len = strlen(data);
	}
	delta_add(d, e->path, false, e->mode, data, len);
	return d->bytes <= MEMO_DELTA_BYTES;
}

/* From tree a to tree b (both sorted by path), b read from dir. */
static bool delta_make(struct delta *d, const struct tree *a,
		       const struct tree *b, const char *dir)
{
	size_t i = 0, j = 0;
	memset(d, 0, sizeof(*d));
	while (i < a->n || j < b->n) {
		int c = i == a->n   ? 1
			: j == b->n ? -1
				    : strcmp(a->e[i].path, b->e[j].path);
		if (c < 0) {
			delta_add(d, a->e[i++].path, true, 0, NULL, 0);
			continue;
		}
		if (c == 0 && a->e[i].mode == b->e[j].mode &&
		    !strcmp(a->e[i].what, b->e[j].what)) {
			i++, j++;
			continue;
		}
		if (c == 0 && (a->e[i].mode & S_IFMT) != (b->e[j].mode & S_IFMT))
			delta_add(d, a->e[i].path, true, 0, NULL, 0);
		if (c == 0)
			i++;
		if (!delta_set(d, dir, &b->e[j++]))
			return false;
	}
	return true;
}

static bool write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		p += w;
		n -= (size_t)w;
	}
	return true;
}

static int remove_path(const char *p)
{
	struct stat st;
	if (lstat(p, &st) < 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode))
		return unlink(p);
	/* Children are removed first: they come later in path order. */
	return rmdir(p);
}

/* Make the tree under dir what the delta says; new entries belong to the
 * sandbox uid of `slot`, as the command's own would. */
static int delta_apply(const struct delta *d, const char *dir, int slot)
{
	bool root = geteuid() == 0;
	uid_t uid = root ? (uid_t)jolt_sandbox_uid(slot) : 0;
	int rc = 0;
	/* Removals deepest first (a child's path sorts after its parent's). */
	for (size_t k = d->n; k-- > 0 && !rc;) {
		if (!d->c[k].gone)
			continue;
		char *p = jolt_xasprintf("%s/%s", dir, d->c[k].path);
		if (remove_path(p) < 0)
			rc = jolt_err_set(JOLT_EIO, "memo: removing %s: %s", p,
					  strerror(errno));
		free(p);
	}
	for (size_t k = 0; k < d->n && !rc; k++) {
		const struct change *c = &d->c[k];
		if (c->gone)
			continue;
		char *p = jolt_xasprintf("%s/%s", dir, c->path);
		int ok;
		if (S_ISDIR(c->mode)) {
			ok = (mkdir(p, 0700) == 0 || errno == EEXIST) &&
			     chmod(p, c->mode & 07777) == 0;
		} else if (S_ISLNK(c->mode)) {
			ok = (unlink(p) == 0 || errno == ENOENT) &&
			     symlink(c->data, p) == 0;
		} else {
			int fd = open(p,
				      O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
					  O_CLOEXEC,
				      c->mode & 07777);
			ok = fd >= 0 && write_all(fd, c->data, c->len);
			if (fd >= 0)
				close(fd);
			ok = ok && chmod(p, c->mode & 07777) == 0;
		}
		if (ok && root)
			ok = lchown(p, uid, (gid_t)uid) == 0;
		if (!ok)
			rc = jolt_err_set(JOLT_EIO, "memo: writing %s: %s", p,
					  strerror(errno));
		free(p);
	}
	return rc;
}

/* ---- the memo ---- */

struct memo_entry {
	struct memo_entry *next;
	char key[65];
	struct delta delta; /* what the command changed in the tree */
	int exit_code;
	int truncated;
	char *output; /* the workdir replaced by MEMO_WD */
};

/* A key whose command is being run: the others wait for its result. */
struct running {
	struct running *next;
	char key[65];
};

struct jolt_execmemo {
	pthread_mutex_t lock;
	pthread_cond_t ran; /* a running key is done (kept or not) */
	struct running *running;
	struct memo_entry *bucket[MEMO_BUCKETS];
	size_t bytes;
	size_t hits, runs;
};

jolt_execmemo *jolt_execmemo_new(void)
{
	jolt_execmemo *m = jolt_xcalloc(1, sizeof(*m));
	pthread_mutex_init(&m->lock, NULL);
	pthread_cond_init(&m->ran, NULL);
	return m;
}

void jolt_execmemo_free(jolt_execmemo *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < MEMO_BUCKETS; i++) {
		struct memo_entry *e = m->bucket[i], *next;
		for (; e; e = next) {
			next = e->next;
			delta_release(&e->delta);
			free(e->output);
			free(e);
		}
	}
	pthread_mutex_destroy(&m->lock);
	pthread_cond_destroy(&m->ran);
	free(m);
}

void jolt_execmemo_counts(const jolt_execmemo *m, size_t *hits, size_t *runs)
{
	jolt_execmemo *mm = (jolt_execmemo *)m;
	pthread_mutex_lock(&mm->lock);
	*hits = m->hits;
	*runs = m->runs;
	pthread_mutex_unlock(&mm->lock);
}

static void command_key(char out[65], const char *tree,
			const jolt_sandbox_opts *o)
{
	jolt_sha256 c;
	char num[160];
	jolt_sha256_init(&c);
	jolt_sha256_update(&c, "jolt-execmemo-1", 16);
	jolt_sha256_update(&c, tree, 65);
	jolt_sha256_update(&c, o->command, strlen(o->command) + 1);
	for (size_t i = 0; o->env && o->env[i]; i++)
		jolt_sha256_update(&c, o->env[i], strlen(o->env[i]) + 1);
	snprintf(num, sizeof(num), "|%.17g|%zu|%ld|%ld|%ld|%ld", o->timeout_s,
		 o->output_cap, o->cpu_s, o->mem_mb, o->nproc, o->fsize_mb);
	jolt_sha256_update(&c, num, strlen(num) + 1);
	jolt_sha256_final_hex(&c, out);
}

static size_t bucket_of(const char *key)
{
	size_t h = 0;
	for (int i = 0; i < 8; i++)
		h = h * 16 + (size_t)(key[i] <= '9' ? key[i] - '0'
						    : key[i] - 'a' + 10);
	return h % MEMO_BUCKETS;
}

/* s with every `from` replaced by `to` (new string). */
static char *replace_all(const char *s, const char *from, const char *to)
{
	jolt_buf b;
	size_t fl = strlen(from);
	jolt_buf_init(&b, 0);
	for (const char *p; fl && (p = strstr(s, from)); s = p + fl) {
		jolt_buf_add(&b, s, (size_t)(p - s));
		jolt_buf_adds(&b, to);
	}
	jolt_buf_adds(&b, s);
	char *r = jolt_buf_detach(&b);
	jolt_buf_release(&b);
	return r;
}

/* A copy of the remembered result into *out, its changes made in the
 * working copy: 1; 0 when none is kept (then the caller runs the command
 * and calls ran() after); a negative error code when the changes could
 * not be made. A run of the same key under way is waited for. */
static int memo_get(jolt_execmemo *m, jolt_sandbox_result *out,
		    const char *key, const jolt_sandbox_opts *o)
{
	pthread_mutex_lock(&m->lock);
	struct memo_entry *e;
	for (;;) {
		e = m->bucket[bucket_of(key)];
		while (e && strcmp(e->key, key))
			e = e->next;
		if (e)
			break;
		/* The same command on the same tree being run by another
		 * replay: its result, once it is in, rather than a second
		 * run of it. */
		struct running *r = m->running;
		while (r && strcmp(r->key, key))
			r = r->next;
		if (!r)
			break;
		pthread_cond_wait(&m->ran, &m->lock);
	}
	/* Entries are never removed or changed once in: safe to read after
	 * the lock. */
	if (e)
		m->hits++;
	if (!e) { /* this caller runs it */
		struct running *r = jolt_xcalloc(1, sizeof(*r));
		memcpy(r->key, key, sizeof(r->key));
		r->next = m->running;
		m->running = r;
	}
	pthread_mutex_unlock(&m->lock);
	if (!e)
		return 0;
	int rc = delta_apply(&e->delta, o->workdir, o->slot);
	if (rc)
		return rc;
	out->exit_code = e->exit_code;
	out->truncated = e->truncated;
	out->output = replace_all(e->output, MEMO_WD, o->workdir);
	return 1;
}

/* The run of key that memo_get left to its caller is over (its result
 * kept or not): wake whoever waits for it. */
static void ran(jolt_execmemo *m, const char *key)
{
	pthread_mutex_lock(&m->lock);
	for (struct running **p = &m->running; *p; p = &(*p)->next) {
		if (strcmp((*p)->key, key))
			continue;
		struct running *r = *p;
		*p = r->next;
		free(r);
		break;
	}
	pthread_cond_broadcast(&m->ran);
	pthread_mutex_unlock(&m->lock);
}

/* Remember r under key, with the changes (taken). */
static void memo_put(jolt_execmemo *m, const char *key,
		     const jolt_sandbox_result *r, const char *workdir,
		     struct delta *d)
{
	struct memo_entry *e = jolt_xcalloc(1, sizeof(*e));
	memcpy(e->key, key, sizeof(e->key));
	e->exit_code = r->exit_code;
	e->truncated = r->truncated;
	e->output = replace_all(r->output ? r->output : "", workdir, MEMO_WD);
	e->delta = *d;
	memset(d, 0, sizeof(*d));
	size_t sz = strlen(e->output) + sizeof(*e) + e->delta.bytes;
	size_t b = bucket_of(key);
	pthread_mutex_lock(&m->lock);
	struct memo_entry *x = m->bucket[b];
	while (x && strcmp(x->key, key))
		x = x->next;
	if (!x && m->bytes + sz <= (size_t)MEMO_BYTES) {
		e->next = m->bucket[b];
		m->bucket[b] = e;
		m->bytes += sz;
		e = NULL;
	}
	pthread_mutex_unlock(&m->lock);
	if (e) {
		delta_release(&e->delta);
		free(e->output);
		free(e);
	}
}

int jolt_execmemo_run(jolt_execmemo *m, jolt_sandbox_result *out,
		      const jolt_sandbox_opts *o)
{
	char tree[65], key[65], after[65];
	struct tree before, now;
	if (!m || !o || !o->workdir || !o->command ||
	    !tree_read(&before, tree, o->workdir))
		return jolt_sandbox_exec(out, o);
	command_key(key, tree, o);
	memset(out, 0, sizeof(*out));
	int got = memo_get(m, out, key, o);
	if (got) {
		tree_release(&before);
		return got < 0 ? got : 0;
	}
	int rc = jolt_sandbox_exec(out, o);
	pthread_mutex_lock(&m->lock);
	m->runs++;
	pthread_mutex_unlock(&m->lock);
	/* A timeout is the clock's doing, not the tree's: never kept. */
	if (!rc && !out->timed_out && tree_read(&now, after, o->workdir)) {
		struct delta d;
		if (!strcmp(tree, after)) {
			memset(&d, 0, sizeof(d));
			memo_put(m, key, out, o->workdir, &d);
		} else if (delta_make(&d, &before, &now, o->workdir)) {
			memo_put(m, key, out, o->workdir, &d);
		}
		delta_release(&d);
		tree_release(&now);
	}
	ran(m, key);
	tree_release(&before);
	return rc;
}
