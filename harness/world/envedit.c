/*
 * envedit.c - replaying a variant's env_edits (perturb.h) on a fresh
 * working copy before the model's first turn: renames, writes, deletes
 * and reproducible git commits, every path confined to the copy and kept
 * out of its .git directory. The env operators only describe these edits;
 * this is the one place they touch a real tree.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <git2.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/common.h"
#include "core/git.h"
#include "core/path.h"
#include "perturb/perturb.h"
#include "world/env.h"

#define COMMIT_TIME 1711929600 /* 2024-04-01T00:00:00Z */

static int resolve_edit(char **out, const char *root, const char *rroot,
			const char *rel)
{
	if (rel && jolt_path_in_git_dir(rel))
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

/* Bring the index's cached file stats up to date with the working copy
 * (a copy's files have new inodes and times, so every entry looks
 * changed): one pass that hashes each file, after which adding and
 * updating everything below hashes only what really changed, instead of
 * every file twice per commit. The entries' paths, modes and contents
 * are not touched. */
static int refresh_stat(git_repository *repo, git_index *idx)
{
	git_diff *diff = NULL;
	git_diff_options o;
	git_diff_options_init(&o, GIT_DIFF_OPTIONS_VERSION);
	o.flags = GIT_DIFF_UPDATE_INDEX;
	int rc = git_diff_index_to_workdir(&diff, repo, idx, &o);
	git_diff_free(diff);
	return rc;
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

	jolt_git_init();
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
	    refresh_stat(repo, idx) < 0 ||
	    git_index_add_all(idx, &ps, GIT_INDEX_ADD_DEFAULT, NULL, NULL) <
		0 ||
	    git_index_update_all(idx, &ps, NULL, NULL) < 0 ||
	    git_index_write(idx) < 0 ||
	    git_index_write_tree(&tree_oid, idx) < 0 ||
	    git_tree_lookup(&tree, repo, &tree_oid) < 0 ||
	    git_signature_new(&sig, "jolt", "jolt@localhost", when, 0) < 0) {
		rc = jolt_err_set(JOLT_EIO, "%s: git_commit: %s", workdir,
				  jolt_git_msg());
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
				  jolt_git_msg());
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
