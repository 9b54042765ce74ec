/*
 * git.h - the libgit2 setup every reader of a suite's repository shares:
 * one process-wide initialisation and the library's last error as text.
 */
#ifndef JOLT_GIT_H
#define JOLT_GIT_H

/* Initialise libgit2 once per process (thread-safe; call before any
 * libgit2 use). Owner validation is off: suites and working copies are
 * often owned by another user (the sandbox uid); jolt only reads the
 * former and owns the latter. */
void jolt_git_init(void);

/* libgit2's last error on this thread, or a fixed text (borrowed). */
const char *jolt_git_msg(void);

#endif
