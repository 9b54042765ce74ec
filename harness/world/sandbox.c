/*
 * sandbox.c - run one command under bubblewrap with resource limits, an
 * unprivileged uid per worker slot and a wall-clock timeout.
 *
 * Shape of a run: fork; the child starts its own session (so the whole
 * group can be killed), sets rlimits, drops to uid 200000+slot when we are
 * root (RLIMIT_NPROC is not enforced for root, so the drop is what contains
 * fork bombs), and execs bwrap, which runs
 *   /bin/sh -c 'printf . >&3; exec 3>&-; exec /bin/sh -c "$1"' jolt COMMAND
 * The outer shell writes one byte to a marker pipe on fd 3 and closes it
 * before exec'ing the real command unchanged. A run that ends without that
 * byte never reached the command: bwrap was missing or could not set the
 * sandbox up, which is JOLT_ESANDBOX (an infrastructure fault, not the
 * agent's). The parent reads combined stdout+stderr with poll() up to the
 * cap, drains the rest, and on timeout SIGKILLs the process group and bwrap.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/prctl.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/common.h"
#include "world/execmemo.h"
#include "world/sandbox.h"

#define BWRAP_PATH "/usr/bin/bwrap"
#define SANDBOX_UID_BASE 200000

static unsigned uid_band;
static pthread_once_t uid_once = PTHREAD_ONCE_INIT;

unsigned jolt_sandbox_claim_band(unsigned start)
{
	/* Only root drops to the sandbox uids; for anyone else the band only
	 * names the uid that is never used. */
	if (geteuid() != 0 || (mkdir(JOLT_SANDBOX_BAND_DIR, 0700) < 0 &&
			       errno != EEXIST))
		return start % JOLT_SANDBOX_BANDS;
	for (unsigned i = 0; i < JOLT_SANDBOX_BANDS; i++) {
		unsigned band = (start + i) % JOLT_SANDBOX_BANDS;
		char path[sizeof(JOLT_SANDBOX_BAND_DIR) + 32];
		snprintf(path, sizeof(path), "%s/band-%u",
			 JOLT_SANDBOX_BAND_DIR, band);
		int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
			      0600);
		if (fd < 0)
			break;
		/* Held, never closed: the lock ends with the process. */
		if (!flock(fd, LOCK_EX | LOCK_NB))
			return band;
		close(fd);
	}
	return start % JOLT_SANDBOX_BANDS;
}

static void uid_band_init(void)
{
	uid_band = jolt_sandbox_claim_band((unsigned)getpid());
}

unsigned jolt_sandbox_uid(int slot)
{
	/* A band of JOLT_SANDBOX_SLOTS uids per jolt process, claimed with a
	 * lock file so two processes running at once never share one, and
	 * one uid per slot within it (slots are below --concurrency's cap,
	 * so no two trials in flight share a uid). The band is fixed at
	 * first use: a forked child computes the same uid as the parent
	 * that owns the working copy. */
	pthread_once(&uid_once, uid_band_init);
	if (slot < 0 || slot >= JOLT_SANDBOX_SLOTS)
		slot = JOLT_SANDBOX_SLOTS - 1; /* refused by run and prepare */
	return SANDBOX_UID_BASE + uid_band * (unsigned)JOLT_SANDBOX_SLOTS +
	       (unsigned)slot;
}
#define MARKER_FD 3
#define INFO_FD 4
#define INFO_MAX 4096
#define MAX_EXTRA_ENV 256

static const char marker_script[] =
    "printf . >&3; exec 3>&- 4>&-; exec /bin/sh -c \"$1\"";

/* bwrap reports when the sandboxed command is done through a pipe, not by
 * being reaped, so its pid-1 child is orphaned. As a child subreaper this
 * process adopts it and can reap it, which also means a run returns only
 * once the sandbox's pid namespace is gone. */
static pthread_once_t subreaper_once = PTHREAD_ONCE_INIT;

static void become_subreaper(void)
{
	prctl(PR_SET_CHILD_SUBREAPER, 1);
}

void jolt_sandbox_result_release(jolt_sandbox_result *r)
{
	if (!r)
		return;
	free(r->output);
	memset(r, 0, sizeof(*r));
}

static void set_limit(int res, rlim_t v)
{
	struct rlimit rl = {v, v};
	setrlimit(res, &rl);
}

/* Write a message from the child without stdio (async-signal-safe). */
static void child_msg(int fd, const char *a, const char *b)
{
	if (write(fd, a, strlen(a)) < 0)
		return;
	if (b && write(fd, b, strlen(b)) < 0)
		return;
	if (write(fd, "\n", 1) < 0)
		return;
}

/* Everything here runs between fork and exec: only async-signal-safe
 * calls, no allocation. */
static void __attribute__((noreturn))
child_exec(const jolt_sandbox_opts *o, int out_w, int mark_w, int info_w,
	   char **argv, char **envp, long cpu_s, long mem_mb, long nproc,
	   long fsize_mb, uid_t run_uid)
{
	if (setsid() < 0) {
		child_msg(out_w, "jolt-sandbox: setsid failed", NULL);
		_exit(127);
	}
	sigset_t all;
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	int sigs[] = {SIGPIPE, SIGINT, SIGTERM, SIGQUIT, SIGCHLD, SIGHUP};
	for (size_t i = 0; i < JOLT_ARRAY_LEN(sigs); i++)
		signal(sigs[i], SIG_DFL);

	int devnull = open("/dev/null", O_RDONLY);
	if (devnull < 0 || dup2(devnull, 0) < 0 || dup2(out_w, 1) < 0 ||
	    dup2(out_w, 2) < 0 || dup2(mark_w, MARKER_FD) < 0 ||
	    dup2(info_w, INFO_FD) < 0) {
		child_msg(out_w, "jolt-sandbox: cannot set up descriptors",
			  NULL);
		_exit(127);
	}
	close_range(INFO_FD + 1, ~0U, 0);

	set_limit(RLIMIT_CPU, (rlim_t)cpu_s);
	set_limit(RLIMIT_AS, (rlim_t)mem_mb * 1024 * 1024);
	set_limit(RLIMIT_NPROC, (rlim_t)nproc);
	set_limit(RLIMIT_FSIZE, (rlim_t)fsize_mb * 1024 * 1024);
	set_limit(RLIMIT_CORE, 0);

	if (geteuid() == 0) {
		uid_t id = run_uid;
		if (setgroups(0, NULL) < 0 || setgid(id) < 0 ||
		    setuid(id) < 0) {
			child_msg(2, "jolt-sandbox: cannot drop privileges",
				  NULL);
			_exit(127);
		}
	}
	execve(BWRAP_PATH, argv, envp);
	child_msg(2, "jolt-sandbox: cannot exec " BWRAP_PATH ": ",
		  strerror(errno));
	_exit(127);
}

/* The sandbox uid must be able to reach the directory to bind it. */
static int check_reachable(const char *dir)
{
	char *p = realpath(dir, NULL);
	if (!p)
		return 0; /* bwrap will say what is wrong with it */
	int rc = 0;
	for (char *slash = strrchr(p, '/'); slash && slash != p;
	     slash = strrchr(p, '/')) {
		*slash = '\0';
		struct stat st;
		if (stat(p, &st) == 0 && !(st.st_mode & S_IXOTH)) {
			rc = jolt_err_set(JOLT_ESANDBOX,
					  "%s is not searchable by other users "
					  "(mode %04o), so the sandbox cannot "
					  "reach working copies under it; "
					  "chmod o+x it or put working copies "
					  "elsewhere (TMPDIR)",
					  p, (unsigned)(st.st_mode & 07777));
			break;
		}
	}
	free(p);
	return rc;
}

/* Reap pid, waiting until `deadline` (0 = for ever): 0 when reaped,
 * JOLT_ETIMEOUT when the deadline passed first, JOLT_EIO when waitpid
 * failed. */
static int wait_exit(pid_t pid, int *status, int64_t deadline)
{
	for (;;) {
		pid_t r = waitpid(pid, status, deadline ? WNOHANG : 0);
		if (r == pid)
			return 0;
		if (r < 0 && errno != EINTR)
			return JOLT_EIO;
		if (r == 0) {
			if (jolt_now_ms() >= deadline)
				return JOLT_ETIMEOUT;
			struct timespec ts = {0, 5 * 1000 * 1000};
			nanosleep(&ts, NULL);
		}
	}
}

/* Reap bwrap's orphaned pid-1 child, named in its --info-fd report. */
static void reap_inner(int info_fd)
{
	char info[INFO_MAX];
	ssize_t n = read(info_fd, info, sizeof(info) - 1);
	if (n <= 0)
		return;
	info[n] = '\0';
	const char *p = strstr(info, "\"child-pid\"");
	if (!p || !(p = strchr(p, ':')))
		return;
	long inner = strtol(p + 1, NULL, 10);
	if (inner <= 1)
		return;
	int st;
	wait_exit((pid_t)inner, &st, jolt_now_ms() + 5000);
}

int jolt_sandbox_run(jolt_sandbox_result *out, const jolt_sandbox_opts *o)
{
	if (o && o->memo)
		return jolt_execmemo_run(o->memo, out, o);
	return jolt_sandbox_exec(out, o);
}

int jolt_sandbox_exec(jolt_sandbox_result *out, const jolt_sandbox_opts *o)
{
	memset(out, 0, sizeof(*out));
	if (!o || !o->workdir || o->workdir[0] != '/' || !o->command)
		return jolt_err_set(JOLT_EINTERNAL,
				    "sandbox: workdir must be absolute and "
				    "command given");

	double timeout_s = o->timeout_s > 0 ? o->timeout_s : 30;
	size_t cap = o->output_cap ? o->output_cap : 64 * 1024;
	long cpu_s = o->cpu_s > 0 ? o->cpu_s : 60;
	long mem_mb = o->mem_mb > 0 ? o->mem_mb : 1024;
	long nproc = o->nproc > 0 ? o->nproc : 128;
	long fsize_mb = o->fsize_mb > 0 ? o->fsize_mb : 64;

	int rc = 0;
	if (geteuid() == 0 && (rc = check_reachable(o->workdir)) != 0)
		return rc;
	int out_p[2] = {-1, -1}, mark_p[2] = {-1, -1}, info_p[2] = {-1, -1};
	char **envp = NULL;
	size_t nenv = 0;
	jolt_buf buf;
	jolt_buf_init(&buf, cap);

	/* argv and envp are built before fork: the child may not allocate. */
	const char *argv[] = {"bwrap",
			      "--info-fd",
			      "4",
			      "--unshare-all",
			      "--die-with-parent",
			      "--new-session",
			      "--ro-bind",
			      "/",
			      "/",
			      "--dev",
			      "/dev",
			      "--proc",
			      "/proc",
			      "--tmpfs",
			      "/tmp",
			      /* Users' homes are not the agent's to read: keys,
			       * shell histories, other projects. */
			      "--tmpfs",
			      "/home",
			      "--tmpfs",
			      "/root",
			      "--bind",
			      o->workdir,
			      o->workdir,
			      "--chdir",
			      o->workdir,
			      "--setenv",
			      "HOME",
			      o->workdir,
			      "/bin/sh",
			      "-c",
			      marker_script,
			      "jolt-sandbox",
			      o->command,
			      NULL};
	if (o->env)
		while (o->env[nenv])
			nenv++;
	if (nenv > MAX_EXTRA_ENV) {
		rc = jolt_err_set(JOLT_EINTERNAL,
				  "sandbox: more than %d environment strings",
				  MAX_EXTRA_ENV);
		goto done;
	}
	envp = jolt_xcalloc(nenv + 3, sizeof(*envp));
	envp[0] = "PATH=/usr/local/bin:/usr/bin:/bin";
	envp[1] = "LANG=C.UTF-8";
	for (size_t i = 0; i < nenv; i++)
		envp[2 + i] = (char *)o->env[i];

	pthread_once(&subreaper_once, become_subreaper);
	if (pipe2(out_p, O_CLOEXEC) < 0 || pipe2(mark_p, O_CLOEXEC) < 0 ||
	    pipe2(info_p, O_CLOEXEC | O_NONBLOCK) < 0) {
		rc = jolt_err_set(JOLT_ESANDBOX, "sandbox: pipe: %s",
				  strerror(errno));
		goto done;
	}

	int64_t start = jolt_now_ms();
	int64_t deadline = start + (int64_t)(timeout_s * 1000.0);
	if (o->slot < 0 || o->slot >= JOLT_SANDBOX_SLOTS) {
		rc = jolt_err_set(JOLT_ESANDBOX, "sandbox: slot %d out of 0..%d",
				  o->slot, JOLT_SANDBOX_SLOTS - 1);
		goto done;
	}
	/* Before the fork: the child may only make async-signal-safe calls. */
	uid_t run_uid = (uid_t)jolt_sandbox_uid(o->slot);
	pid_t pid = fork();
	if (pid < 0) {
		rc = jolt_err_set(JOLT_ESANDBOX, "sandbox: fork: %s",
				  strerror(errno));
		goto done;
	}
	if (pid == 0)
		child_exec(o, out_p[1], mark_p[1], info_p[1], (char **)argv,
			   envp, cpu_s, mem_mb, nproc, fsize_mb, run_uid);

	close(out_p[1]);
	out_p[1] = -1;
	close(mark_p[1]);
	mark_p[1] = -1;
	close(info_p[1]);
	info_p[1] = -1;

	int timed_out = 0;
	char chunk[16384];
	for (;;) {
		int64_t left = deadline - jolt_now_ms();
		if (left <= 0) {
			timed_out = 1;
			break;
		}
		struct pollfd pfd = {out_p[0], POLLIN, 0};
		int pr = poll(&pfd, 1, left > 1000 ? 1000 : (int)left);
		if (pr < 0 && errno != EINTR)
			break;
		if (pr <= 0)
			continue;
		ssize_t n = read(out_p[0], chunk, sizeof(chunk));
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			break; /* EOF: every writer is gone */
		if (buf.len < cap)
			jolt_buf_add(&buf, chunk, (size_t)n);
		else
			buf.truncated = 1; /* drain and discard */
	}

	int status = 0;
	if (!timed_out) {
		/* Output closed, but the command may still run (it can close
		 * its stdout): keep waiting until the deadline. */
		int w = wait_exit(pid, &status, deadline);
		if (w == JOLT_ETIMEOUT)
			timed_out = 1;
		else if (w)
			status = 0;
	}
	if (timed_out) {
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
		wait_exit(pid, &status, 0);
	}

	reap_inner(info_p[0]);

	char mark = 0;
	int fl = fcntl(mark_p[0], F_GETFL);
	fcntl(mark_p[0], F_SETFL, fl | O_NONBLOCK);
	ssize_t mn = read(mark_p[0], &mark, 1);

	out->elapsed_ms = (long)(jolt_now_ms() - start);
	out->timed_out = timed_out;
	out->truncated = buf.truncated;
	if (WIFEXITED(status))
		out->exit_code = WEXITSTATUS(status);
	else if (WIFSIGNALED(status))
		out->exit_code = 128 + WTERMSIG(status);
	if (timed_out && out->exit_code == 0)
		out->exit_code = 128 + SIGKILL;

	if (mn != 1 || mark != '.') {
		/* The command never started: report what bwrap said. */
		const char *msg = jolt_buf_cstr(&buf);
		size_t ml = strlen(msg);
		while (ml && (msg[ml - 1] == '\n' || msg[ml - 1] == ' '))
			ml--;
		rc = jolt_err_set(
		    JOLT_ESANDBOX, "sandbox could not start (exit %d%s): %.*s",
		    out->exit_code, timed_out ? ", timed out" : "",
		    (int)(ml > 1000 ? 1000 : ml), msg);
		jolt_sandbox_result_release(out);
		goto done;
	}
	out->output = jolt_buf_detach(&buf);

done:
	for (int i = 0; i < 2; i++) {
		if (out_p[i] >= 0)
			close(out_p[i]);
		if (mark_p[i] >= 0)
			close(mark_p[i]);
		if (info_p[i] >= 0)
			close(info_p[i]);
	}
	free(envp);
	jolt_buf_release(&buf);
	return rc;
}

/* nftw has no payload argument; the target ids travel per thread. */
static _Thread_local uid_t chown_uid;
static _Thread_local int chown_err;

static int chown_one(const char *path, const struct stat *st, int flag,
		     struct FTW *ftw)
{
	/* Only what is not theirs yet: a chown moves ctime, which the pool
	 * of working copies reads as "changed" (workpool.c). */
	if (flag != FTW_NS && st->st_uid == chown_uid &&
	    st->st_gid == (gid_t)chown_uid)
		return 0;
	if (lchown(path, chown_uid, (gid_t)chown_uid) < 0 && !chown_err)
		chown_err = errno;
	return 0;
}

int jolt_sandbox_prepare_dir(const char *dir, int slot)
{
	if (slot < 0 || slot >= JOLT_SANDBOX_SLOTS)
		return jolt_err_set(JOLT_ESANDBOX, "sandbox: slot %d out of 0..%d",
				    slot, JOLT_SANDBOX_SLOTS - 1);
	if (geteuid() != 0)
		return 0;
	chown_uid = (uid_t)jolt_sandbox_uid(slot);
	chown_err = 0;
	if (nftw(dir, chown_one, 32, FTW_PHYS) < 0)
		return jolt_err_set(JOLT_EIO, "%s: %s", dir, strerror(errno));
	if (chown_err)
		return jolt_err_set(JOLT_EIO, "chown under %s: %s", dir,
				    strerror(chown_err));
	return 0;
}
