/*
 * path.c - containment of relative paths inside a root directory, and the
 * path rewriting that follows an environment's moved files. Both the
 * operators (reading a suite's environment) and the builtin tools (acting
 * on a working copy) need them, so they live below both.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/buf.h"
#include "core/common.h"
#include "core/path.h"

static bool within(const char *root, const char *p)
{
	size_t n = strlen(root);
	if (strncmp(root, p, n) != 0)
		return false;
	return p[n] == '\0' || p[n] == '/' || (n == 1 && root[0] == '/');
}

/* The real path of the last root resolved on this thread: tool calls
 * resolve under the same working copy over and over, and realpath costs a
 * readlink per component. It holds while `root` and the remembered real
 * path still name the same directory. */
static __thread struct {
	char root[PATH_MAX];
	char real[PATH_MAX];
	dev_t dev;
	ino_t ino;
} memo;

static char *real_root(const char *root)
{
	struct stat a, b;
	if (memo.root[0] && !strcmp(memo.root, root) && stat(root, &a) == 0 &&
	    a.st_dev == memo.dev && a.st_ino == memo.ino &&
	    stat(memo.real, &b) == 0 && b.st_dev == a.st_dev &&
	    b.st_ino == a.st_ino)
		return jolt_xstrdup(memo.real);
	memo.root[0] = '\0';
	char *r = realpath(root, NULL);
	if (r && strlen(root) < sizeof(memo.root) &&
	    strlen(r) < sizeof(memo.real) && stat(r, &a) == 0) {
		memcpy(memo.real, r, strlen(r) + 1);
		memcpy(memo.root, root, strlen(root) + 1);
		memo.dev = a.st_dev;
		memo.ino = a.st_ino;
	}
	return r;
}

/* When no component of rroot/comp[0..ncomp) that exists is a symlink,
 * the existing ones are their own real path (rroot is one): *k is how
 * many exist, *out that path. false when one is a link: then realpath
 * must tell where it leads. */
static bool plain_prefix(char **out, size_t *k, const char *rroot,
			 char *const *comp, size_t ncomp)
{
	jolt_buf b;
	jolt_buf_init(&b, 0);
	jolt_buf_adds(&b, rroot);
	size_t i, len = b.len;
	for (i = 0; i < ncomp; i++) {
		jolt_buf_addc(&b, '/');
		jolt_buf_adds(&b, comp[i]);
		struct stat st;
		if (lstat(b.s, &st) < 0)
			break;
		if (S_ISLNK(st.st_mode)) {
			jolt_buf_release(&b);
			return false;
		}
		len = b.len;
	}
	b.s[len] = '\0';
	b.len = len;
	*k = i;
	*out = jolt_buf_detach(&b);
	jolt_buf_release(&b);
	return true;
}

int jolt_path_resolve(char **out, const char *root, const char *rel)
{
	*out = NULL;
	int rc = 0;
	char *rroot = NULL, *norm = NULL, *prefix = NULL, *real = NULL;
	char **comp = NULL;
	size_t ncomp = 0;

	if (!rel || !*rel)
		return jolt_err_set(JOLT_EDENIED,
				    "path is empty; give a path "
				    "relative to the working directory");
	if (rel[0] == '/')
		return jolt_err_set(JOLT_EDENIED,
				    "path '%s' is absolute; give a path "
				    "relative to the working directory",
				    rel);
	rroot = real_root(root);
	if (!rroot) {
		rc = jolt_err_set(JOLT_EIO, "working directory %s: %s", root,
				  strerror(errno));
		goto done;
	}

	/* Lexical normalisation: split, drop "." and empty, pop on "..". */
	norm = jolt_xstrdup(rel);
	comp = jolt_xcalloc(strlen(rel) / 2 + 2, sizeof(*comp));
	for (char *save = NULL, *c = strtok_r(norm, "/", &save); c;
	     c = strtok_r(NULL, "/", &save)) {
		if (!strcmp(c, "."))
			continue;
		if (!strcmp(c, "..")) {
			if (ncomp == 0) {
				rc = jolt_err_set(JOLT_EDENIED,
						  "path '%s' is outside the "
						  "working directory",
						  rel);
				goto done;
			}
			ncomp--;
			continue;
		}
		comp[ncomp++] = c;
	}

	/* The longest existing prefix must resolve inside root. */
	size_t k = ncomp;
	/* No link on the way: what exists is inside root as written. Else
	 * realpath tells where the links lead. */
	if (!plain_prefix(&real, &k, rroot, comp, ncomp))
		k = ncomp;
	for (; !real; k--) {
		jolt_buf b;
		jolt_buf_init(&b, 0);
		jolt_buf_adds(&b, rroot);
		for (size_t i = 0; i < k; i++) {
			jolt_buf_addc(&b, '/');
			jolt_buf_adds(&b, comp[i]);
		}
		free(prefix);
		prefix = jolt_buf_detach(&b);
		jolt_buf_release(&b);
		real = realpath(prefix, NULL);
		if (real || k == 0)
			break;
		/* A name that exists but does not resolve (a dangling
		 * symlink, say) would be followed by open(): refuse it. */
		struct stat st;
		if (lstat(prefix, &st) == 0) {
			rc = jolt_err_set(JOLT_EDENIED,
					  "path '%s' goes through a link that "
					  "leads nowhere inside the working "
					  "directory",
					  rel);
			goto done;
		}
	}
	if (!real) {
		rc = jolt_err_set(JOLT_EIO, "working directory %s: %s", root,
				  strerror(errno));
		goto done;
	}
	if (!within(rroot, real)) {
		rc = jolt_err_set(JOLT_EDENIED,
				  "path '%s' is outside the working directory",
				  rel);
		goto done;
	}
	jolt_buf b;
	jolt_buf_init(&b, 0);
	jolt_buf_adds(&b, real);
	for (size_t i = k; i < ncomp; i++) {
		if (b.len > 1 || b.s[0] != '/')
			jolt_buf_addc(&b, '/');
		jolt_buf_adds(&b, comp[i]);
	}
	*out = jolt_buf_detach(&b);
	jolt_buf_release(&b);
done:
	free(comp);
	free(norm);
	free(prefix);
	free(real);
	free(rroot);
	return rc;
}

char *jolt_path_mapped(const json_t *map, const char *rel)
{
	const char *old;
	json_t *nw;
	if (!rel)
		return NULL;
	json_object_foreach((json_t *)map, old, nw) {
		size_t n = strlen(old);
		while (n > 1 && old[n - 1] == '/')
			n--;
		if (!json_is_string(nw) || strncmp(rel, old, n) != 0)
			continue;
		if (rel[n] == '\0' || rel[n] == '/') {
			const char *to = json_string_value(nw);
			size_t tn = strlen(to);
			while (tn > 1 && to[tn - 1] == '/')
				tn--;
			return jolt_xasprintf("%.*s%s", (int)tn, to, rel + n);
		}
	}
	return jolt_xstrdup(rel);
}

bool jolt_path_in_git_dir(const char *rel)
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
