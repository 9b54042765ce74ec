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
/* Stands for the working copy's path in remembered output. */
#define MEMO_WD "\x01jolt-workdir\x01"

struct memo_entry {
	struct memo_entry *next;
	char key[65];
	int exit_code;
	int truncated;
	char *output; /* the workdir replaced by MEMO_WD */
};

struct jolt_execmemo {
	pthread_mutex_t lock;
	struct memo_entry *bucket[MEMO_BUCKETS];
	size_t bytes;
	size_t hits, runs;
};

jolt_execmemo *jolt_execmemo_new(void)
{
	jolt_execmemo *m = jolt_xcalloc(1, sizeof(*m));
	pthread_mutex_init(&m->lock, NULL);
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
			free(e->output);
			free(e);
		}
	}
	pthread_mutex_destroy(&m->lock);
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

/* ---- the tree hash ---- */

struct tree_walk {
	jolt_sha256 c;
	long bytes;
	long entries;
	jolt_buf path; /* relative path of the directory being walked */
};

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Fields are NUL-separated so no two trees feed the same bytes. */
static void feed_str(struct tree_walk *w, const char *s)
{
	jolt_sha256_update(&w->c, s, strlen(s) + 1);
}

static int feed_file(struct tree_walk *w, int dfd, const char *name)
{
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return 0;
	char chunk[65536];
	ssize_t n;
	while ((n = read(fd, chunk, sizeof(chunk))) > 0) {
		w->bytes += n;
		if (w->bytes > MEMO_TREE_BYTES)
			break;
		jolt_sha256_update(&w->c, chunk, (size_t)n);
	}
	close(fd);
	return n == 0;
}

/* Walk the directory open on dfd (taken) in name order. */
static int walk_dir(struct tree_walk *w, int dfd)
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
		if (++w->entries > MEMO_TREE_ENTRIES) {
			ok = 0;
			break;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			names = jolt_xrealloc(names, cap * sizeof(*names));
		}
		names[n++] = jolt_xstrdup(de->d_name);
	}
	if (ok)
		qsort(names, n, sizeof(*names), by_name);
	size_t base = w->path.len;
	for (size_t i = 0; ok && i < n; i++) {
		struct stat st;
		w->path.len = base;
		jolt_buf_addf(&w->path, "%s%s", base ? "/" : "", names[i]);
		if (fstatat(dirfd(d), names[i], &st, AT_SYMLINK_NOFOLLOW) < 0) {
			ok = 0;
			break;
		}
		char head[64];
		snprintf(head, sizeof(head), "%o", (unsigned)st.st_mode);
		feed_str(w, jolt_buf_cstr(&w->path));
		feed_str(w, head);
		if (S_ISREG(st.st_mode)) {
			ok = feed_file(w, dirfd(d), names[i]);
		} else if (S_ISLNK(st.st_mode)) {
			char target[4096];
			ssize_t tl = readlinkat(dirfd(d), names[i], target,
						sizeof(target) - 1);
			if (tl < 0) {
				ok = 0;
				break;
			}
			target[tl] = '\0';
			feed_str(w, target);
		} else if (S_ISDIR(st.st_mode)) {
			int sub = openat(dirfd(d), names[i],
					 O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
					     O_CLOEXEC);
			ok = sub >= 0 && walk_dir(w, sub);
			feed_str(w, ""); /* the directory ends */
		}
		/* Other types (fifos, sockets) count by their mode. */
	}
	w->path.len = base;
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(d);
	return ok && w->bytes <= MEMO_TREE_BYTES;
}

int jolt_execmemo_tree_hash(char out[65], const char *dir)
{
	struct tree_walk w = {.bytes = 0};
	jolt_sha256_init(&w.c);
	jolt_buf_init(&w.path, 0);
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int ok = fd >= 0 && walk_dir(&w, fd);
	jolt_buf_release(&w.path);
	jolt_sha256_final_hex(&w.c, out);
	return ok;
}

/* ---- the memo ---- */

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

/* A copy of the remembered result into *out; false when none. */
static bool memo_get(jolt_execmemo *m, jolt_sandbox_result *out,
		     const char *key, const char *workdir)
{
	pthread_mutex_lock(&m->lock);
	struct memo_entry *e = m->bucket[bucket_of(key)];
	while (e && strcmp(e->key, key))
		e = e->next;
	if (e) {
		m->hits++;
		out->exit_code = e->exit_code;
		out->truncated = e->truncated;
		out->output = replace_all(e->output, MEMO_WD, workdir);
	}
	pthread_mutex_unlock(&m->lock);
	return e != NULL;
}

static void memo_put(jolt_execmemo *m, const char *key,
		     const jolt_sandbox_result *r, const char *workdir)
{
	struct memo_entry *e = jolt_xcalloc(1, sizeof(*e));
	memcpy(e->key, key, sizeof(e->key));
	e->exit_code = r->exit_code;
	e->truncated = r->truncated;
	e->output = replace_all(r->output ? r->output : "", workdir, MEMO_WD);
	size_t sz = strlen(e->output) + sizeof(*e);
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
		free(e->output);
		free(e);
	}
}

int jolt_execmemo_run(jolt_execmemo *m, jolt_sandbox_result *out,
		      const jolt_sandbox_opts *o)
{
	char tree[65], key[65], after[65];
	if (!m || !o || !o->workdir || !o->command ||
	    !jolt_execmemo_tree_hash(tree, o->workdir))
		return jolt_sandbox_exec(out, o);
	command_key(key, tree, o);
	memset(out, 0, sizeof(*out));
	if (memo_get(m, out, key, o->workdir))
		return 0;
	int rc = jolt_sandbox_exec(out, o);
	pthread_mutex_lock(&m->lock);
	m->runs++;
	pthread_mutex_unlock(&m->lock);
	if (!rc && !out->timed_out &&
	    jolt_execmemo_tree_hash(after, o->workdir) &&
	    !strcmp(tree, after))
		memo_put(m, key, out, o->workdir);
	return rc;
}
