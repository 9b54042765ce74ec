/*
 * bench_workcopy.c - what a trial's working copy costs: jolt's pooled copy
 * in steady state (handing a slot's copy to the next trial after one that
 * rewrote a file and added one) against `git worktree add` and `cp -a` of
 * the same tree, all on one filesystem, in the same run. Prints ms per
 * copy and the ratios; absolute times on a shared machine mean little.
 *
 *   bench_workcopy [ROOT]       (default: where jolt puts working copies)
 *   bench_workcopy --print-root (that default)
 *
 * The repository is generated: 1,000 files of a few hundred bytes in
 * nested directories, three commits.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/common.h"
#include "world/env.h"

#define NFILES 1000
#ifndef JOLT_ROUNDS
#define JOLT_ROUNDS 300
#endif
#ifndef TOOL_ROUNDS
#define TOOL_ROUNDS 30
#endif

static double clock_ms(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double now_ms(void)
{
	return clock_ms(CLOCK_MONOTONIC);
}

/* CPU time this thread has used, ms: on a shared machine, a steadier
 * figure than the wall clock. */
static double cpu_ms(void)
{
	return clock_ms(CLOCK_THREAD_CPUTIME_ID);
}

static double child_cpu; /* ms of CPU the last run() child used */

/* Run argv (no shell), quietly; its exit status. */
static int run(char *const argv[])
{
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		if (null < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0)
			_exit(127);
		execvp(argv[0], argv);
		_exit(127);
	}
	int st;
	struct rusage ru;
	while (wait4(pid, &st, 0, &ru) < 0 && errno == EINTR)
		;
	child_cpu = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
		    (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static void must(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "bench_workcopy: %s: %s\n", what,
			jolt_err_msg());
		exit(3);
	}
}

static void write_file(const char *path, int i, int version)
{
	FILE *f = fopen(path, "w");
	must(f != NULL, path);
	for (int k = 0; k < 6; k++)
		fprintf(f, "file %04d version %d line %d: the quick brown fox "
			   "jumps over the lazy dog\n",
			i, version, k);
	fclose(f);
}

/* NFILES files in d0..d9/e0..e9/, three commits. */
static void make_repo(const char *repo)
{
	char p[4096];
	must(mkdir(repo, 0755) == 0, repo);
	for (int i = 0; i < NFILES; i++) {
		snprintf(p, sizeof(p), "%s/d%d", repo, i / 100);
		mkdir(p, 0755);
		snprintf(p, sizeof(p), "%s/d%d/e%d", repo, i / 100, i / 10 % 10);
		mkdir(p, 0755);
		snprintf(p, sizeof(p), "%s/d%d/e%d/f%d.txt", repo, i / 100,
			 i / 10 % 10, i % 10);
		write_file(p, i, 0);
	}
	const char *env = "GIT_AUTHOR_NAME=b GIT_AUTHOR_EMAIL=b@example.com "
			  "GIT_COMMITTER_NAME=b "
			  "GIT_COMMITTER_EMAIL=b@example.com";
	snprintf(p, sizeof(p),
		 "cd '%s' && git init -q -b main && git add -A && %s git "
		 "commit -q -m c0",
		 repo, env);
	must(system(p) == 0, "git init");
	for (int c = 1; c <= 2; c++) {
		for (int i = c; i < NFILES; i += 20) {
			snprintf(p, sizeof(p), "%s/d%d/e%d/f%d.txt", repo,
				 i / 100, i / 10 % 10, i % 10);
			write_file(p, i, c);
		}
		snprintf(p, sizeof(p), "cd '%s' && git add -A && %s git "
			 "commit -q -m c%d", repo, env, c);
		must(system(p) == 0, "git commit");
	}
}

/* A trial's writes: one file rewritten in place, one file added. */
static void trial_writes(const char *wd, int round)
{
	char p[4096];
	snprintf(p, sizeof(p), "%s/d3/e4/f5.txt", wd);
	write_file(p, 345, 100 + round);
	snprintf(p, sizeof(p), "%s/d1/notes-%d.txt", wd, round);
	write_file(p, round, 0);
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--print-root")) {
		printf("%s\n", jolt_workdir_root(NULL, NULL));
		return 0;
	}
	const char *root = jolt_workdir_root(argc > 1 ? argv[1] : NULL, NULL);
	char *base = jolt_xasprintf("%s/jolt-bench-XXXXXX", root);
	must(mkdtemp(base) != NULL, "mkdtemp");
	chmod(base, 0755);
	char *repo = jolt_xasprintf("%s/repo", base);
	make_repo(repo);

	jolt_suite s = {0};
	s.env_repo = repo;
	s.env_rev = "main";

	/* jolt: the first copy of a slot is a full one; then steady state. */
	char *wd = NULL;
	must(jolt_workdir_acquire(&wd, &s, NULL, root, 0) == 0, "acquire");
	trial_writes(wd, 0);
	must(jolt_workdir_release(wd) == 0, "release");
	free(wd);
	double jolt_ms = 0, jolt_cpu = 0;
	for (int r = 1; r <= JOLT_ROUNDS; r++) {
		double t0 = now_ms(), c0 = cpu_ms();
		must(jolt_workdir_acquire(&wd, &s, NULL, root, 0) == 0,
		     "acquire");
		jolt_ms += now_ms() - t0;
		jolt_cpu += cpu_ms() - c0;
		trial_writes(wd, r);
		t0 = now_ms();
		c0 = cpu_ms();
		must(jolt_workdir_release(wd) == 0, "release");
		jolt_ms += now_ms() - t0;
		jolt_cpu += cpu_ms() - c0;
		free(wd);
	}
	jolt_ms /= JOLT_ROUNDS;
	jolt_cpu /= JOLT_ROUNDS;

	/* git worktree add and cp -a, on the same filesystem. */
	const char *snap = NULL;
	must(jolt_workdir_snapshot(&snap, &s, NULL, root) == 0, "snapshot");
	double wt_ms = 0, cp_ms = 0, wt_cpu = 0, cp_cpu = 0;
	for (int r = 0; r < TOOL_ROUNDS; r++) {
		char *dst = jolt_xasprintf("%s/wt%d", base, r);
		char *wt[] = {"git", "-C", repo, "worktree", "add", "--detach",
			      "-q", dst, "main", NULL};
		double t0 = now_ms();
		must(run(wt) == 0, "git worktree add");
		wt_ms += now_ms() - t0;
		wt_cpu += child_cpu;
		char *rm[] = {"git", "-C", repo, "worktree", "remove",
			      "--force", dst, NULL};
		must(run(rm) == 0, "git worktree remove");
		free(dst);

		dst = jolt_xasprintf("%s/cp%d", base, r);
		char *cp[] = {"cp", "-a", (char *)snap, dst, NULL};
		t0 = now_ms();
		must(run(cp) == 0, "cp -a");
		cp_ms += now_ms() - t0;
		cp_cpu += child_cpu;
		char *rmr[] = {"rm", "-rf", dst, NULL};
		must(run(rmr) == 0, "rm -rf");
		free(dst);
	}
	wt_ms /= TOOL_ROUNDS;
	cp_ms /= TOOL_ROUNDS;
	wt_cpu /= TOOL_ROUNDS;
	cp_cpu /= TOOL_ROUNDS;

	double r1 = jolt_ms / wt_ms, r2 = jolt_ms / cp_ms;
	printf("workcopy%s%s%s: jolt %.2f ms/copy vs git worktree add %.1f ms "
	       "(ratio %.3f) vs cp -a %.1f ms (ratio %.3f); target < 1 both: "
	       "%s\n",
	       argc > 1 ? " (" : "", argc > 1 ? root : "", argc > 1 ? ")" : "",
	       jolt_ms, wt_ms, r1, cp_ms, r2,
	       r1 < 1 && r2 < 1 ? "holds" : "FAILS");
	printf("# cpu: jolt %.2f ms/copy vs git worktree add %.1f ms (ratio "
	       "%.3f) vs cp -a %.1f ms (ratio %.3f)\n",
	       jolt_cpu, wt_cpu, jolt_cpu / wt_cpu, cp_cpu, jolt_cpu / cp_cpu);
	printf("# %d-file git repository under %s; jolt: a slot's copy "
	       "handed over after a trial that rewrote one file and added "
	       "one, mean of %d; the others: creation only, mean of %d\n",
	       NFILES, root, JOLT_ROUNDS, TOOL_ROUNDS);

	char *rmb[] = {"rm", "-rf", base, NULL};
	run(rmb);
	free(base);
	free(repo);
	return 0;
}
