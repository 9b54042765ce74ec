/*
 * test_sandbox.c - the bubblewrap sandbox: output and exit status, the
 * read-only host and private /tmp, no network, fork bombs, timeouts that
 * kill the whole group, capped output floods, and setup failures being
 * classified as JOLT_ESANDBOX rather than as the command's failure.
 *
 * Working copies live under /tmp (not $JOLT_TEST_TMP, which is 0700):
 * the sandbox uid must be able to reach them.
 */
#include "test.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <pthread.h>
#include <stdatomic.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "core/common.h"
#include "world/env.h"
#include "world/sandbox.h"

#define SLOT 7

static int setup(void **state)
{
	char *wd = NULL;
	int rc = jolt_workdir_create(&wd, NULL, NULL, "/tmp", SLOT);
	if (rc) {
		fprintf(stderr, "workdir: %s\n", jolt_err_msg());
		return -1;
	}
	*state = wd;
	return 0;
}

static int teardown(void **state)
{
	jolt_workdir_remove(*state);
	free(*state);
	return 0;
}

static int run(jolt_sandbox_result *r, const char *wd, const char *cmd,
	       double timeout)
{
	jolt_sandbox_opts o = {
	    .workdir = wd, .command = cmd, .timeout_s = timeout, .slot = SLOT};
	return jolt_sandbox_run(r, &o);
}

/* Processes (zombies included) owned by the sandbox uid of SLOT; -1 when
 * /proc cannot be read (no cmocka assert: a sampler thread calls it). */
static int count_sandbox_procs(void)
{
	DIR *d = opendir("/proc");
	if (!d)
		return -1;
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		char p[300];
		snprintf(p, sizeof(p), "/proc/%s/status", e->d_name);
		FILE *f = fopen(p, "r");
		if (!f)
			continue;
		char line[256];
		long uid = -1;
		while (fgets(line, sizeof(line), f)) {
			if (!strncmp(line, "Uid:", 4))
				uid = strtol(line + 4, NULL, 10);
		}
		fclose(f);
		if (uid == (int)jolt_sandbox_uid(SLOT))
			n++;
	}
	closedir(d);
	return n;
}

static int wait_no_procs(int ms)
{
	int n = 0;
	for (int i = 0; i < ms / 50; i++) {
		n = count_sandbox_procs();
		if (n == 0)
			return 0;
		usleep(50 * 1000);
	}
	return n;
}

static void test_output_and_exit(void **state)
{
	jolt_sandbox_result r;
	assert_int_equal(
	    run(&r, *state, "echo hello; echo oops >&2; exit 3", 10), 0);
	assert_int_equal(r.exit_code, 3);
	assert_int_equal(r.timed_out, 0);
	assert_int_equal(r.truncated, 0);
	assert_non_null(strstr(r.output, "hello\n"));
	assert_non_null(strstr(r.output, "oops\n"));
	jolt_sandbox_result_release(&r);

	/* A command that prints "bwrap:" is still the command's output. */
	assert_int_equal(run(&r, *state, "echo 'bwrap: fake'; exit 1", 10), 0);
	assert_int_equal(r.exit_code, 1);
	assert_string_equal(r.output, "bwrap: fake\n");
	jolt_sandbox_result_release(&r);
}

static void test_environment(void **state)
{
	const char *wd = *state;
	const char *env[] = {"ARG_X=a b;c", NULL};
	jolt_sandbox_opts o = {.workdir = wd,
			       .command = "printf '%s|%s|%s|%s|' \"$ARG_X\" "
					  "\"$HOME\" \"$PATH\" \"$(pwd)\"; "
					  "id -u; test -z \"$USER\" && echo "
					  "clean",
			       .env = env,
			       .slot = SLOT};
	jolt_sandbox_result r;
	assert_int_equal(jolt_sandbox_run(&r, &o), 0);
	char want[1024];
	snprintf(want, sizeof(want),
		 "a b;c|%s|/usr/local/bin:/usr/bin:/bin|%s|%d\nclean\n", wd, wd,
		 geteuid() == 0 ? (int)jolt_sandbox_uid(SLOT) : (int)geteuid());
	assert_string_equal(r.output, want);
	assert_int_equal(r.exit_code, 0);
	jolt_sandbox_result_release(&r);
}

static void test_no_leaked_fds(void **state)
{
	/* Only stdin, stdout, stderr (and ls's own directory handle). */
	jolt_sandbox_result r;
	assert_int_equal(run(&r, *state, "ls /proc/self/fd | tr '\\n' ' '", 10),
			 0);
	assert_string_equal(r.output, "0 1 2 3 ");
	jolt_sandbox_result_release(&r);
	assert_int_equal(count_sandbox_procs(), 0);
}

static void test_filesystem(void **state)
{
	const char *wd = *state;
	jolt_sandbox_result r;
	unlink("/etc/jolt-sandbox-test");
	assert_int_equal(run(&r, wd, "echo x > /etc/jolt-sandbox-test", 10), 0);
	assert_int_not_equal(r.exit_code, 0);
	assert_int_equal(access("/etc/jolt-sandbox-test", F_OK), -1);
	jolt_sandbox_result_release(&r);

	/* /root is a private, empty tmpfs: a write there vanishes with the
	 * sandbox and never reaches the host's /root. */
	assert_int_equal(run(&r, wd, "echo x > /root/jolt-sandbox-test", 10),
			 0);
	assert_int_equal(access("/root/jolt-sandbox-test", F_OK), -1);
	jolt_sandbox_result_release(&r);

	/* The working copy is writable; /tmp is private. */
	unlink("/tmp/jolt-sandbox-private");
	assert_int_equal(run(&r, wd,
			     "echo inside > made.txt && echo t > "
			     "/tmp/jolt-sandbox-private && cat made.txt",
			     10),
			 0);
	assert_int_equal(r.exit_code, 0);
	assert_string_equal(r.output, "inside\n");
	jolt_sandbox_result_release(&r);
	assert_int_equal(access("/tmp/jolt-sandbox-private", F_OK), -1);
	char p[1024];
	snprintf(p, sizeof(p), "%s/made.txt", wd);
	FILE *f = fopen(p, "r");
	assert_non_null(f);
	char line[64] = "";
	assert_non_null(fgets(line, sizeof(line), f));
	fclose(f);
	assert_string_equal(line, "inside\n");
}

/* Each class below fails when its guard is removed. */

/* Homes are hidden: a file any user may read under /home is not there. */
static void test_home_hidden(void **state)
{
	if (geteuid() != 0)
		skip(); /* needs to make a home under /home */
	char home[] = "/home/jolt-test-XXXXXX";
	assert_non_null(mkdtemp(home));
	assert_int_equal(chmod(home, 0755), 0);
	test_write(home, "secret.txt", "hunter2\n");
	char p[256], cmd[512];
	snprintf(p, sizeof(p), "%s/secret.txt", home);
	assert_int_equal(chmod(p, 0644), 0);
	snprintf(cmd, sizeof(cmd), "cat %s; ls /home /root | wc -l", p);
	jolt_sandbox_result r;
	assert_int_equal(run(&r, *state, cmd, 10), 0);
	assert_null(strstr(r.output, "hunter2"));
	assert_non_null(strstr(r.output, "No such file"));
	jolt_sandbox_result_release(&r);
	unlink(p);
	rmdir(home);
}

/* The harness's own environment (API keys above all) is not passed on. */
static void test_key_not_in_environment(void **state)
{
	setenv("OPENAI_API_KEY", "sk-jolt-test-secret", 1);
	setenv("MINIMAX_API_KEY", "mm-jolt-test-secret", 1);
	jolt_sandbox_result r;
	assert_int_equal(run(&r, *state, "env; cat /proc/self/environ", 10), 0);
	assert_null(strstr(r.output, "jolt-test-secret"));
	assert_non_null(strstr(r.output, "PATH=")); /* env did run */
	jolt_sandbox_result_release(&r);
	unsetenv("OPENAI_API_KEY");
	unsetenv("MINIMAX_API_KEY");
}

/* RLIMIT_AS: a 300 MB allocation fails under a 128 MB limit. */
static void test_memory_bomb(void **state)
{
	jolt_sandbox_opts o = {
	    .workdir = *state,
	    .command = "python3 -c \"b = bytearray(300 * 1024 * 1024); "
		       "print('allocated', len(b))\"",
	    .timeout_s = 20,
	    .mem_mb = 128,
	    .slot = SLOT};
	jolt_sandbox_result r;
	assert_int_equal(jolt_sandbox_run(&r, &o), 0);
	assert_null(strstr(r.output, "allocated"));
	assert_non_null(strstr(r.output, "MemoryError"));
	assert_int_not_equal(r.exit_code, 0);
	assert_false(r.timed_out);
	jolt_sandbox_result_release(&r);
}

/* Nothing outlives the command: not a setsid daemon, not a double fork. */
static void test_no_leftovers(void **state)
{
	jolt_sandbox_result r;
	assert_int_equal(run(&r, *state,
			     "setsid sleep 300 > /dev/null 2>&1 < /dev/null & "
			     "(sleep 300 > /dev/null 2>&1 &); "
			     "nohup sleep 300 > /dev/null 2>&1 & echo started",
			     10),
			 0);
	assert_string_equal(r.output, "started\n");
	assert_false(r.timed_out);
	jolt_sandbox_result_release(&r);
	assert_int_equal(wait_no_procs(3000), 0);
}

static void test_no_network(void **state)
{
	/* A listener on the host's loopback is reachable from here... */
	int ls = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(ls >= 0);
	struct sockaddr_in a = {.sin_family = AF_INET};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(ls, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(ls, 4), 0);
	socklen_t al = sizeof(a);
	assert_int_equal(getsockname(ls, (struct sockaddr *)&a, &al), 0);
	int port = ntohs(a.sin_port);
	int cs = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(connect(cs, (struct sockaddr *)&a, sizeof(a)), 0);
	close(cs);

	/* ...but not from the sandbox, which has only its own lo. */
	char cmd[256];
	snprintf(
	    cmd, sizeof(cmd),
	    "bash -c 'exec 3<>/dev/tcp/127.0.0.1/%d' 2>/dev/null && echo "
	    "connected; tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '",
	    port);
	jolt_sandbox_result r;
	assert_int_equal(run(&r, *state, cmd, 10), 0);
	assert_string_equal(r.output, "lo\n");
	jolt_sandbox_result_release(&r);
	close(ls);
}

static void test_timeout_kills_group(void **state)
{
	jolt_sandbox_result r;
	int64_t t0 = jolt_now_ms();
	assert_int_equal(run(&r, *state, "sleep 100 & sleep 100", 1), 0);
	int64_t dt = jolt_now_ms() - t0;
	assert_int_equal(r.timed_out, 1);
	assert_true(dt < 2500);
	assert_true(r.elapsed_ms >= 900);
	assert_int_equal(r.exit_code, 128 + 9);
	jolt_sandbox_result_release(&r);
	/* Gone when the call returns, not some time later, and reaped. */
	assert_int_equal(count_sandbox_procs(), 0);

	/* Closing stdout does not escape the clock. */
	t0 = jolt_now_ms();
	assert_int_equal(run(&r, *state, "exec >&- 2>&-; sleep 100", 1), 0);
	assert_int_equal(r.timed_out, 1);
	assert_true(jolt_now_ms() - t0 < 2500);
	jolt_sandbox_result_release(&r);
	assert_int_equal(wait_no_procs(2000), 0);
}

/* Samples the sandbox uid's process count until told to stop. */
struct sampler {
	atomic_int stop;
	int peak;
};

static void *sample_procs(void *arg)
{
	struct sampler *s = arg;
	while (!atomic_load(&s->stop)) {
		int n = count_sandbox_procs();
		if (n > s->peak)
			s->peak = n;
		usleep(1000);
	}
	return NULL;
}

static void test_fork_bomb(void **state)
{
	jolt_sandbox_opts o = {.workdir = *state,
			       .command = "b() { b | b & }; b; sleep 1",
			       .timeout_s = 3,
			       .nproc = 64,
			       .slot = SLOT};
	jolt_sandbox_result r;
	struct sampler smp = {.peak = 0};
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, sample_procs, &smp), 0);
	int64_t t0 = jolt_now_ms();
	assert_int_equal(jolt_sandbox_run(&r, &o), 0);
	assert_true(jolt_now_ms() - t0 < 5000);
	atomic_store(&smp.stop, 1);
	pthread_join(th, NULL);
	jolt_sandbox_result_release(&r);
	/* The process limit is what held the bomb, not the timeout: the
	 * uid never had more processes than RLIMIT_NPROC allows (without
	 * the limit the bomb passes it within milliseconds). */
	fprintf(stderr, "# fork bomb: peak %d processes of the sandbox uid\n",
		smp.peak);
	if (geteuid() == 0) {
		assert_true(smp.peak > 8);
		assert_true(smp.peak <= 64);
	}
	assert_int_equal(wait_no_procs(3000), 0);

	/* The machine is fine: the next run works normally. */
	assert_int_equal(run(&r, *state, "echo alive", 10), 0);
	assert_string_equal(r.output, "alive\n");
	jolt_sandbox_result_release(&r);
}

static void test_output_cap(void **state)
{
	jolt_sandbox_opts o = {.workdir = *state,
			       .command = "yes",
			       .timeout_s = 1,
			       .output_cap = 1000,
			       .slot = SLOT};
	jolt_sandbox_result r;
	int64_t t0 = jolt_now_ms();
	assert_int_equal(jolt_sandbox_run(&r, &o), 0);
	assert_true(jolt_now_ms() - t0 < 2500);
	assert_int_equal(r.truncated, 1);
	assert_int_equal(r.timed_out, 1);
	assert_int_equal(strlen(r.output), 1000);
	assert_int_equal(strncmp(r.output, "y\ny\n", 4), 0);
	jolt_sandbox_result_release(&r);

	/* A finite flood is drained: the command finishes normally. */
	o.command = "head -c 1000000 /dev/zero | tr '\\0' a; echo; exit 4";
	o.timeout_s = 10;
	assert_int_equal(jolt_sandbox_run(&r, &o), 0);
	assert_int_equal(r.truncated, 1);
	assert_int_equal(r.timed_out, 0);
	assert_int_equal(r.exit_code, 4);
	assert_int_equal(strlen(r.output), 1000);
	jolt_sandbox_result_release(&r);
	assert_int_equal(wait_no_procs(2000), 0);
}

static void test_setup_failure(void **state)
{
	jolt_sandbox_result r;
	int rc = run(&r, "/nonexistent/jolt-wd-none", "echo never", 10);
	assert_int_equal(rc, JOLT_ESANDBOX);
	assert_non_null(strstr(jolt_err_msg(), "bwrap"));
	assert_null(r.output);

	assert_int_equal(run(&r, "relative/dir", "true", 10), JOLT_EINTERNAL);
}

/* Every slot below the --concurrency cap has its own uid (trials 256
 * slots apart used to share one), and a second process that finds a band
 * locked takes the next. */
static void test_uid_bands(void **state)
{
	unsigned first = jolt_sandbox_uid(0);
	for (int a = 0; a < JOLT_SANDBOX_SLOTS; a += 255)
		for (int b = a + 1; b < JOLT_SANDBOX_SLOTS; b += 256)
			assert_int_not_equal(jolt_sandbox_uid(a), jolt_sandbox_uid(b));
	assert_int_equal(jolt_sandbox_uid(JOLT_SANDBOX_SLOTS - 1),
			 first + JOLT_SANDBOX_SLOTS - 1);
	jolt_sandbox_opts o = {.workdir = "/tmp", .command = "true",
			       .slot = JOLT_SANDBOX_SLOTS};
	jolt_sandbox_result r;
	assert_int_equal(jolt_sandbox_run(&r, &o), JOLT_ESANDBOX);
	assert_int_equal(jolt_sandbox_prepare_dir("/nonexistent", -1),
			 JOLT_ESANDBOX);
	if (geteuid() != 0)
		return; /* bands are claimed only by root */
	/* Two processes asking for the same free band: the first holds it
	 * until it exits, so the second is given the next one. */
	unsigned start = 60000u + (unsigned)getpid() % 5000u;
	int hold[2], told[2];
	assert_int_equal(pipe(hold), 0);
	assert_int_equal(pipe(told), 0);
	pid_t a = fork();
	assert_true(a >= 0);
	if (a == 0) {
		unsigned got = jolt_sandbox_claim_band(start);
		if (write(told[1], &got, sizeof(got)) != sizeof(got))
			_exit(1);
		char c;
		_exit(read(hold[0], &c, 1) == 1 ? 0 : 1);
	}
	unsigned got_a = 0, got_b = 0;
	assert_int_equal(read(told[0], &got_a, sizeof(got_a)), sizeof(got_a));
	pid_t b = fork();
	assert_true(b >= 0);
	if (b == 0) {
		unsigned got = jolt_sandbox_claim_band(start);
		_exit(write(told[1], &got, sizeof(got)) == sizeof(got) ? 0 : 1);
	}
	assert_int_equal(read(told[0], &got_b, sizeof(got_b)), sizeof(got_b));
	assert_int_equal(write(hold[1], "x", 1), 1);
	int st;
	waitpid(a, &st, 0);
	waitpid(b, &st, 0);
	assert_int_equal(got_a, start % JOLT_SANDBOX_BANDS);
	assert_int_equal(got_b, (start + 1) % JOLT_SANDBOX_BANDS);
	close(hold[0]);
	close(hold[1]);
	close(told[0]);
	close(told[1]);
}

static void test_prepare_dir(void **state)
{
	const char *wd = *state;
	if (geteuid() != 0)
		skip();
	test_write(wd, "sub/f.txt", "x");
	char p[1024];
	snprintf(p, sizeof(p), "%s/sub/link", wd);
	assert_int_equal(symlink("/etc/hostname", p), 0);
	assert_int_equal(jolt_sandbox_prepare_dir(wd, 2), 0);
	struct stat st;
	snprintf(p, sizeof(p), "%s/sub/f.txt", wd);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_uid, jolt_sandbox_uid(2));
	assert_int_equal(st.st_gid, jolt_sandbox_uid(2));
	snprintf(p, sizeof(p), "%s/sub/link", wd);
	assert_int_equal(lstat(p, &st), 0);
	assert_int_equal(st.st_uid, jolt_sandbox_uid(2));
	/* The link's target was not touched. */
	assert_int_equal(stat("/etc/hostname", &st), 0);
	assert_int_equal(st.st_uid, 0);

	/* A working copy under an unreachable directory is refused. */
	char *hidden = test_tmpdir();
	assert_non_null(hidden);
	assert_int_equal(chmod(hidden, 0700), 0);
	char *inner = jolt_xasprintf("%s/jolt-wd-x", hidden);
	assert_int_equal(mkdir(inner, 0700), 0);
	assert_int_equal(jolt_sandbox_prepare_dir(inner, SLOT), 0);
	jolt_sandbox_result r;
	assert_int_equal(run(&r, inner, "true", 10), JOLT_ESANDBOX);
	assert_non_null(strstr(jolt_err_msg(), "not searchable"));
	rmdir(inner);
	rmdir(hidden);
	free(inner);
	free(hidden);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_output_and_exit, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_environment, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_no_leaked_fds, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_filesystem, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_no_network, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_timeout_kills_group, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_fork_bomb, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_output_cap, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_setup_failure, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_prepare_dir, setup, teardown),
	    cmocka_unit_test(test_uid_bands),
	    cmocka_unit_test_setup_teardown(test_home_hidden, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_key_not_in_environment, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_memory_bomb, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_no_leftovers, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
