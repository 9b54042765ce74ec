/*
 * checkcache.c - the replay cache (see checkcache.h): the key of a replay
 * as a digest of the build, the suite, the task and the variant, and the
 * SQLite table that maps keys to outcomes.
 *
 * Digests of a suite and of a task are memoised for the life of the cache
 * object, so a check of a thousand variants reads each file and walks
 * each env directory once.
 */
#include <dirent.h>
#include <errno.h>
#include <git2.h>
#include <link.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/common.h"
#include "core/git.h"
#include "core/sha256.h"
#include "perturb/perturb.h"
#include "run/checkcache.h"

/* Bump when the table or the key changes: an older table is dropped. */
#define CACHE_SCHEMA "2"
#define CACHE_FILE "check.db"
#define CACHE_BUSY_TIMEOUT_MS 5000
/* Entries not written for this long are pruned when the cache opens, so
 * the results of long-gone builds do not pile up. */
#define CACHE_MAX_AGE_S (30L * 24 * 3600)
/* An env directory with more entries than this is not hashed (its
 * suite's replays are run, not remembered). */
#define TREE_MAX_ENTRIES 200000
#define TREE_MAX_DEPTH 64
/* A result's detail is a grader's message; longer ones are not kept. */
#define DETAIL_MAX (16 * 1024)
/* A replay's trace (JSON) beyond this is not kept. */
#define TRACE_MAX (8L << 20)

/* The number of error classes, to check what the table holds. */
#define EC_ONE(n, s) +1
enum { EC_COUNT = 0 JOLT_ERROR_CLASSES(EC_ONE) };
#undef EC_ONE

/* The digest of a suite or of a task, computed on first use. */
struct memo {
	const void *what; /* the jolt_suite or jolt_task */
	bool ok;	  /* the digest could be computed */
	char digest[65];
	git_repository *repo; /* a suite's env repository, opened on use */
};

struct jolt_checkcache {
	char *path;	      /* DIR/check.db, for messages */
	sqlite3 *db;	      /* NULL: remembers nothing */
	pthread_mutex_t lock; /* db, the statements, warned */
	sqlite3_stmt *s_get;
	sqlite3_stmt *s_put;
	sqlite3_stmt *s_tget;
	sqlite3_stmt *s_tput;
	bool warned;
	char build[65];	    /* the build id, hex */
	struct memo *memos; /* suites' and tasks' */
	size_t nmemos;
};

static void warn(jolt_checkcache *c, const char *what)
{
	fprintf(stderr,
		"jolt: warning: check cache %s: %s; checking without "
		"it (--no-cache silences this)\n",
		c->path ? c->path : "(none)", what);
}

/* ---- the build id ------------------------------------------------------ */

struct note_search {
	char *out; /* 65 bytes */
	bool found;
};

static int find_build_id(struct dl_phdr_info *info, size_t size, void *payload)
{
	struct note_search *ns = payload;
	/* The first object is the program itself. */
	for (int i = 0; i < info->dlpi_phnum && !ns->found; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type != PT_NOTE)
			continue;
		const unsigned char *p =
		    (const unsigned char *)(info->dlpi_addr + ph->p_vaddr);
		const unsigned char *end = p + ph->p_memsz;
		size_t align = ph->p_align == 8 ? 8 : 4;
		while (p + sizeof(ElfW(Nhdr)) <= end) {
			const ElfW(Nhdr) *nh = (const ElfW(Nhdr) *)p;
			size_t name = (nh->n_namesz + align - 1) & ~(align - 1);
			size_t desc = (nh->n_descsz + align - 1) & ~(align - 1);
			const unsigned char *d = p + sizeof(*nh) + name;
			if (d + nh->n_descsz > end)
				break;
			if (nh->n_type == NT_GNU_BUILD_ID &&
			    nh->n_namesz == 4 &&
			    !memcmp(p + sizeof(*nh), "GNU", 4) &&
			    nh->n_descsz > 0) {
				jolt_sha256_hex(ns->out, d, nh->n_descsz);
				ns->found = true;
				break;
			}
			p = d + desc;
		}
	}
	return 1;
}

/* The linker's build id of this program (a hash of what it linked), else
 * a hash of the executable's bytes, else the version alone. */
static void build_id(char out[65])
{
	struct note_search ns = {.out = out};
	dl_iterate_phdr(find_build_id, &ns);
	if (ns.found)
		return;
	FILE *f = fopen("/proc/self/exe", "rb");
	jolt_sha256 h;
	jolt_sha256_init(&h);
	jolt_sha256_update(&h, JOLT_VERSION, sizeof(JOLT_VERSION));
	if (f) {
		unsigned char buf[65536];
		size_t n;
		while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
			jolt_sha256_update(&h, buf, n);
		fclose(f);
	}
	jolt_sha256_final_hex(&h, out);
}

/* ---- digests of suites and tasks ---------------------------------------- */

/* A tagged field: the tag, then the value, each NUL-terminated, so that no
 * two different sequences of fields feed the same bytes. */
static void hfield(jolt_sha256 *h, const char *tag, const char *value)
{
	jolt_sha256_update(h, tag, strlen(tag) + 1);
	jolt_sha256_update(h, value, strlen(value) + 1);
}

static void hnum(jolt_sha256 *h, const char *tag, long long v)
{
	char num[32];
	snprintf(num, sizeof(num), "%lld", v);
	hfield(h, tag, num);
}

static bool hash_file(jolt_sha256 *h, const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return false;
	unsigned char buf[65536];
	size_t n;
	long long total = 0;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		jolt_sha256_update(h, buf, n);
		total += (long long)n;
	}
	bool ok = !ferror(f);
	fclose(f);
	/* The length ends the file's bytes, so file boundaries are fixed. */
	hnum(h, "size", total);
	return ok;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* Every entry under dir in name order: its relative path, its kind, the
 * executable bit and the bytes of files, the target of links. */
static bool hash_tree(jolt_sha256 *h, const char *dir, const char *rel,
		      int depth, long *budget)
{
	struct dirent **names = NULL;
	int n = scandir(dir, &names, NULL, by_name);
	if (n < 0 || depth > TREE_MAX_DEPTH)
		return false;
	bool ok = true;
	for (int i = 0; i < n; i++) {
		const char *name = names[i]->d_name;
		if (!ok || !strcmp(name, ".") || !strcmp(name, ".."))
			continue;
		if (--*budget < 0) {
			ok = false;
			continue;
		}
		char *path = jolt_xasprintf("%s/%s", dir, name);
		char *sub =
		    jolt_xasprintf("%s%s%s", rel, *rel ? "/" : "", name);
		struct stat st;
		if (lstat(path, &st) != 0) {
			ok = false;
		} else if (S_ISDIR(st.st_mode)) {
			hfield(h, "dir", sub);
			ok = hash_tree(h, path, sub, depth + 1, budget);
		} else if (S_ISLNK(st.st_mode)) {
			char target[4096];
			ssize_t len =
			    readlink(path, target, sizeof(target) - 1);
			target[len > 0 ? len : 0] = '\0';
			hfield(h, "link", sub);
			hfield(h, "to", target);
			ok = len >= 0;
		} else if (S_ISREG(st.st_mode)) {
			hfield(h, "file", sub);
			hnum(h, "exec", (st.st_mode & S_IXUSR) != 0);
			ok = hash_file(h, path);
		}
		free(path);
		free(sub);
	}
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return ok;
}

/* The commit `rev` names in the suite's env repository, as hex. */
static bool resolve_rev(struct memo *m, const jolt_suite *s, const char *rev,
			char out[65])
{
	git_object *obj = NULL, *commit = NULL;
	bool ok = false;
	jolt_git_init();
	if (!m->repo &&
	    git_repository_open_ext(&m->repo, s->env_repo,
				    GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) < 0) {
		m->repo = NULL;
		return false;
	}
	if (git_revparse_single(&obj, m->repo, rev) == 0 &&
	    git_object_peel(&commit, obj, GIT_OBJECT_COMMIT) == 0) {
		git_oid_tostr(out, 65, git_object_id(commit));
		ok = true;
	}
	git_object_free(commit);
	git_object_free(obj);
	return ok;
}

static bool suite_digest(jolt_sha256 *h, const jolt_suite *s)
{
	char *yaml = jolt_xasprintf("%s/suite.yaml", s->dir);
	hfield(h, "suite.yaml", "");
	bool ok = hash_file(h, yaml);
	free(yaml);
	if (ok && s->env_dir) {
		long budget = TREE_MAX_ENTRIES;
		hfield(h, "env-dir", "");
		ok = hash_tree(h, s->env_dir, "", 0, &budget);
	}
	/* An env repository is named by the commit each task resolves to
	 * (task_digest): a commit names its whole tree and history. */
	return ok;
}

static bool task_digest(jolt_sha256 *h, struct memo *sm, const jolt_suite *s,
			const jolt_task *t)
{
	hfield(h, "task", t->id);
	if (!t->file || !hash_file(h, t->file))
		return false;
	if (!s->env_repo)
		return true;
	const char *rev = jolt_task_env_rev(s, t);
	char commit[65];
	if (!rev || !resolve_rev(sm, s, rev, commit))
		return false;
	hfield(h, "env-commit", commit);
	return true;
}

/* The digest of suite s (t NULL) or of its task t, computed on first use. */
static struct memo *memo(jolt_checkcache *c, const jolt_suite *s,
			 const jolt_task *t)
{
	const void *what = t ? (const void *)t : (const void *)s;
	for (size_t i = c->nmemos; i-- > 0;)
		if (c->memos[i].what == what)
			return &c->memos[i];
	/* A task's digest needs its suite's repository: memoise the suite
	 * first, and find it again after the array moves. */
	size_t si = t ? (size_t)(memo(c, s, NULL) - c->memos) : 0;
	c->memos = jolt_xrealloc(c->memos, (c->nmemos + 1) * sizeof(*c->memos));
	struct memo *m = &c->memos[c->nmemos++];
	memset(m, 0, sizeof(*m));
	m->what = what;
	jolt_sha256 h;
	jolt_sha256_init(&h);
	m->ok = t ? task_digest(&h, &c->memos[si], s, t) : suite_digest(&h, s);
	jolt_sha256_final_hex(&h, m->digest);
	return m;
}

bool jolt_checkcache_key(jolt_checkcache *c, char out[65],
			 const jolt_variant *v, bool mistake,
			 const jolt_driver_cfg *d)
{
	return jolt_checkcache_key_as(c, out, v, mistake ? "mistake" : "oracle",
				      d);
}

bool jolt_checkcache_key_as(jolt_checkcache *c, char out[65],
			    const jolt_variant *v, const char *replay,
			    const jolt_driver_cfg *d)
{
	if (!c || !c->db)
		return false;
	struct memo *tm = memo(c, v->suite, v->task);
	if (!tm->ok)
		return false;
	/* After the task: memoising it may move the array. */
	struct memo *sm = memo(c, v->suite, NULL);
	if (!sm->ok)
		return false;
	jolt_sha256 h;
	jolt_sha256_init(&h);
	hfield(&h, "jolt-checkcache", CACHE_SCHEMA);
	hfield(&h, "version", JOLT_VERSION);
	hfield(&h, "build", c->build);
	hfield(&h, "suite", sm->digest);
	hfield(&h, "task", tm->digest);
	hfield(&h, "variant", v->name);
	hfield(&h, "op", v->op ? v->op->name : "");
	hnum(&h, "level", v->level);
	hnum(&h, "seed", (long long)v->seed);
	hfield(&h, "replay", replay);
	hnum(&h, "max_steps", d->max_steps);
	hnum(&h, "max_tokens", d->max_tokens);
	hnum(&h, "strip_thinking", d->strip_thinking);
	jolt_sha256_final_hex(&h, out);
	return true;
}

/* ---- the database -------------------------------------------------------- */

/* clang-format off */
static const char schema_sql[] =
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);"
    "CREATE TABLE IF NOT EXISTS replays("
    " key TEXT PRIMARY KEY, outcome TEXT NOT NULL,"
    " error_class INTEGER NOT NULL, steps INTEGER, latency_ms INTEGER,"
    " detail TEXT, variant TEXT, mistake INTEGER, build TEXT,"
    " created INTEGER);"
    "CREATE INDEX IF NOT EXISTS replays_created ON replays(created);"
    "CREATE TABLE IF NOT EXISTS traces("
    " key TEXT PRIMARY KEY, trace TEXT NOT NULL, created INTEGER);"
    "CREATE INDEX IF NOT EXISTS traces_created ON traces(created);";
/* clang-format on */

static bool mkdir_p(const char *dir)
{
	char *p = jolt_xstrdup(dir);
	bool ok = true;
	for (char *s = p + 1; ok; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char was = *s;
		*s = '\0';
		if (mkdir(p, 0755) != 0 && errno != EEXIST)
			ok = false;
		*s = was;
		if (!was)
			break;
	}
	free(p);
	struct stat st;
	return ok && stat(dir, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool is_corrupt(int rc)
{
	rc &= 0xff;
	return rc == SQLITE_NOTADB || rc == SQLITE_CORRUPT;
}

/* Open and set up the database; an sqlite code on failure. */
static int db_open(jolt_checkcache *c)
{
	int rc = sqlite3_open_v2(c->path, &c->db,
				 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
				     SQLITE_OPEN_FULLMUTEX,
				 NULL);
	if (rc != SQLITE_OK)
		return rc;
	sqlite3_busy_timeout(c->db, CACHE_BUSY_TIMEOUT_MS);
	rc = sqlite3_exec(c->db,
			  "PRAGMA journal_mode=WAL;"
			  "PRAGMA synchronous=NORMAL;",
			  NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(c->db, schema_sql, NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return rc;
	/* A table of another schema is dropped: it is only a cache. */
	sqlite3_stmt *st = NULL;
	bool same = false;
	rc = sqlite3_prepare_v2(
	    c->db, "SELECT value FROM meta WHERE key='schema'", -1, &st, NULL);
	if (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
		const unsigned char *v = sqlite3_column_text(st, 0);
		same = v && !strcmp((const char *)v, CACHE_SCHEMA);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_OK)
		return rc;
	if (!same) {
		rc = sqlite3_exec(c->db,
				  "DROP TABLE replays;"
				  "DROP TABLE traces;"
				  "INSERT OR REPLACE INTO meta "
				  "VALUES('schema', '" CACHE_SCHEMA "');",
				  NULL, NULL, NULL);
		if (rc == SQLITE_OK)
			rc = sqlite3_exec(c->db, schema_sql, NULL, NULL, NULL);
		if (rc != SQLITE_OK)
			return rc;
	}
	char prune[160];
	long long old = (long long)time(NULL) - CACHE_MAX_AGE_S;
	snprintf(prune, sizeof(prune),
		 "DELETE FROM replays WHERE created < %lld;"
		 "DELETE FROM traces WHERE created < %lld", old, old);
	rc = sqlite3_exec(c->db, prune, NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(
		    c->db,
		    "SELECT outcome, error_class, steps, latency_ms,"
		    " detail FROM replays WHERE key = ?",
		    -1, &c->s_get, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(
		    c->db,
		    "INSERT OR REPLACE INTO replays(key, outcome,"
		    " error_class, steps, latency_ms, detail, variant,"
		    " mistake, build, created)"
		    " VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		    -1, &c->s_put, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(
		    c->db, "SELECT trace FROM traces WHERE key = ?", -1,
		    &c->s_tget, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(
		    c->db,
		    "INSERT OR REPLACE INTO traces(key, trace, created)"
		    " VALUES(?, ?, ?)",
		    -1, &c->s_tput, NULL);
	return rc;
}

static void db_close(jolt_checkcache *c)
{
	sqlite3_finalize(c->s_get);
	sqlite3_finalize(c->s_put);
	sqlite3_finalize(c->s_tget);
	sqlite3_finalize(c->s_tput);
	sqlite3_close(c->db);
	c->s_get = c->s_put = c->s_tget = c->s_tput = NULL;
	c->db = NULL;
}

/* A file that is not a database: move it and its journals aside. */
static void set_aside(jolt_checkcache *c)
{
	char *to = jolt_xasprintf("%s.corrupt", c->path);
	if (rename(c->path, to) != 0)
		unlink(c->path);
	free(to);
	for (int i = 0; i < 2; i++) {
		char *j = jolt_xasprintf("%s%s", c->path, i ? "-shm" : "-wal");
		unlink(j);
		free(j);
	}
}

char *jolt_checkcache_default_dir(void)
{
	const char *v = getenv("JOLT_CACHE_DIR");
	if (v && *v)
		return jolt_xstrdup(v);
	v = getenv("XDG_CACHE_HOME");
	if (v && *v == '/')
		return jolt_xasprintf("%s/jolt", v);
	v = getenv("HOME");
	if (v && *v)
		return jolt_xasprintf("%s/.cache/jolt", v);
	return NULL;
}

jolt_checkcache *jolt_checkcache_open(const char *dir)
{
	jolt_checkcache *c = jolt_xcalloc(1, sizeof(*c));
	pthread_mutex_init(&c->lock, NULL);
	char *def = dir ? NULL : jolt_checkcache_default_dir();
	if (!dir)
		dir = def;
	if (!dir) {
		warn(
		    c,
		    "no directory: set JOLT_CACHE_DIR, XDG_CACHE_HOME or HOME, "
		    "or pass --cache DIR");
		goto done;
	}
	c->path = jolt_xasprintf("%s/%s", dir, CACHE_FILE);
	if (!mkdir_p(dir)) {
		char *m = jolt_xasprintf("cannot make directory %s: %s", dir,
					 strerror(errno));
		warn(c, m);
		free(m);
		goto done;
	}
	build_id(c->build);
	int rc = db_open(c);
	if (rc != SQLITE_OK && is_corrupt(rc)) {
		fprintf(stderr,
			"jolt: warning: check cache %s is not a database "
			"(%s); set aside as %s.corrupt, starting afresh\n",
			c->path, sqlite3_errstr(rc), c->path);
		db_close(c);
		set_aside(c);
		rc = db_open(c);
	}
	if (rc != SQLITE_OK) {
		warn(c, c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
		db_close(c);
	}
done:
	free(def);
	return c;
}

void jolt_checkcache_close(jolt_checkcache *c)
{
	if (!c)
		return;
	db_close(c);
	for (size_t i = 0; i < c->nmemos; i++)
		git_repository_free(c->memos[i].repo);
	free(c->memos);
	free(c->path);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

bool jolt_checkcache_usable(const jolt_checkcache *c)
{
	return c && c->db;
}

/* A failed statement: busy is another jolt writing (skip this entry);
 * anything else disables the cache for the rest of the process. Called
 * with the lock held. */
static void db_failed(jolt_checkcache *c, int rc)
{
	if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
		return;
	if (!c->warned)
		warn(c, sqlite3_errmsg(c->db));
	c->warned = true;
	db_close(c);
}

/* Done with st (its row read or its write made), if the cache still
 * stands: ready for the next use. Called with the lock held. */
static void end_step(jolt_checkcache *c, sqlite3_stmt *st)
{
	if (!c->db)
		return; /* closed by a failure: st is gone */
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

/* Run the query st for key, with the lock held and the cache usable;
 * true when its row is there to read (then end_step). */
static bool step_get(jolt_checkcache *c, sqlite3_stmt *st,
		     const char key[65])
{
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, key, 64, SQLITE_TRANSIENT);
	int rc = sqlite3_step(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		db_failed(c, rc);
	return rc == SQLITE_ROW;
}

/* Make the write st (its parameters bound), with the lock held. */
static void step_put(jolt_checkcache *c, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	if (rc != SQLITE_DONE)
		db_failed(c, rc);
	end_step(c, st);
}

bool jolt_checkcache_get(jolt_checkcache *c, jolt_trial_result *out,
			 const char key[65], const jolt_driver_cfg *d)
{
	bool hit = false;
	if (!c)
		return false;
	pthread_mutex_lock(&c->lock);
	if (!c->db)
		goto done;
	sqlite3_stmt *st = c->s_get;
	if (step_get(c, st, key)) {
		const char *oc = (const char *)sqlite3_column_text(st, 0);
		int outcome = oc ? jolt_outcome_parse(oc) : -1;
		long long ec = sqlite3_column_int64(st, 1);
		long long latency = sqlite3_column_int64(st, 3);
		bool in_time = d->timeout_s <= 0 ||
			       (double)latency < d->timeout_s * 1000.0;
		if ((outcome == JOLT_OUTCOME_PASS ||
		     outcome == JOLT_OUTCOME_FAIL) &&
		    ec >= 0 && ec < EC_COUNT && in_time) {
			memset(out, 0, sizeof(*out));
			out->outcome = (enum jolt_outcome)outcome;
			out->error_class = (enum jolt_error_class)ec;
			out->reward = outcome == JOLT_OUTCOME_PASS ? 1.0 : 0.0;
			out->steps = sqlite3_column_int(st, 2);
			out->latency_ms = (long)latency;
			const unsigned char *det = sqlite3_column_text(st, 4);
			out->detail =
			    det ? jolt_xstrdup((const char *)det) : NULL;
			hit = true;
		}
	}
	end_step(c, st);
done:
	pthread_mutex_unlock(&c->lock);
	return hit;
}

void jolt_checkcache_put(jolt_checkcache *c, const char key[65],
			 const jolt_variant *v, bool mistake,
			 const jolt_trial_result *r)
{
	bool judged = r->outcome == JOLT_OUTCOME_PASS ||
		      (r->outcome == JOLT_OUTCOME_FAIL &&
		       r->error_class != JOLT_EC_WALL_CLOCK);
	if (!c || !judged || (r->detail && strlen(r->detail) > DETAIL_MAX))
		return;
	pthread_mutex_lock(&c->lock);
	if (!c->db)
		goto done;
	sqlite3_stmt *st = c->s_put;
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, key, 64, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, jolt_outcome_name(r->outcome), -1,
			  SQLITE_STATIC);
	sqlite3_bind_int(st, 3, (int)r->error_class);
	sqlite3_bind_int(st, 4, r->steps);
	sqlite3_bind_int64(st, 5, r->latency_ms);
	if (r->detail)
		sqlite3_bind_text(st, 6, r->detail, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, 6);
	sqlite3_bind_text(st, 7, v->name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 8, mistake);
	sqlite3_bind_text(st, 9, c->build, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 10, (sqlite3_int64)time(NULL));
	step_put(c, st);
done:
	pthread_mutex_unlock(&c->lock);
}

bool jolt_checkcache_get_trace(jolt_checkcache *c, json_t **out,
			       const char key[65])
{
	*out = NULL;
	if (!c)
		return false;
	pthread_mutex_lock(&c->lock);
	if (!c->db)
		goto done;
	sqlite3_stmt *st = c->s_tget;
	if (step_get(c, st, key)) {
		const char *text = (const char *)sqlite3_column_text(st, 0);
		/* Not an object: another writer's damage; a miss. */
		json_t *t = text ? json_loads(text, 0, NULL) : NULL;
		if (json_is_object(t))
			*out = t;
		else
			json_decref(t);
	}
	end_step(c, st);
done:
	pthread_mutex_unlock(&c->lock);
	return *out != NULL;
}

void jolt_checkcache_put_trace(jolt_checkcache *c, const char key[65],
			       const json_t *trace)
{
	if (!c || !json_is_object(trace))
		return;
	char *text = json_dumps(trace, JSON_COMPACT);
	if (!text || strlen(text) > (size_t)TRACE_MAX) {
		free(text);
		return;
	}
	pthread_mutex_lock(&c->lock);
	if (!c->db)
		goto done;
	sqlite3_stmt *st = c->s_tput;
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, key, 64, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)time(NULL));
	step_put(c, st);
done:
	pthread_mutex_unlock(&c->lock);
	free(text);
}
