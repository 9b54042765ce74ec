/*
 * git.c - process-wide libgit2 setup (see git.h).
 */
#include <git2.h>
#include <pthread.h>

#include "core/git.h"

static pthread_once_t git_once = PTHREAD_ONCE_INIT;

static void git_init_once(void)
{
	git_libgit2_init();
	git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, 0);
}

void jolt_git_init(void)
{
	pthread_once(&git_once, git_init_once);
}

const char *jolt_git_msg(void)
{
	const git_error *e = git_error_last();
	return e && e->message ? e->message : "unknown libgit2 error";
}
