/*
 * commands.h - the commands of the jolt command line, one file each
 * (cmd_NAME.c exports its syntax and its function; main.c's table names
 * them), and the few helpers several commands share (cmd_util.c).
 */
#ifndef JOLT_COMMANDS_H
#define JOLT_COMMANDS_H

#include "cli/cli.h"
#include "core/suite.h"
#include "run/driver.h"
#include "run/run.h"

extern const jolt_cmd_syntax jolt_run_syntax;
extern const jolt_cmd_syntax jolt_check_syntax;
extern const jolt_cmd_syntax jolt_plan_syntax;
extern const jolt_cmd_syntax jolt_ops_syntax;
extern const jolt_cmd_syntax jolt_perturb_syntax;
extern const jolt_cmd_syntax jolt_serve_syntax;
extern const jolt_cmd_syntax jolt_report_syntax;
extern const jolt_cmd_syntax jolt_gate_syntax;
extern const jolt_cmd_syntax jolt_merge_syntax;
extern const jolt_cmd_syntax jolt_export_syntax;

int jolt_cmd_run(void *opts, int argc, char **argv);
int jolt_cmd_check(void *opts, int argc, char **argv);
int jolt_cmd_plan(void *opts, int argc, char **argv);
int jolt_cmd_ops(void *opts, int argc, char **argv);
int jolt_cmd_perturb(void *opts, int argc, char **argv);
int jolt_cmd_serve(void *opts, int argc, char **argv);
int jolt_cmd_report(void *opts, int argc, char **argv);
int jolt_cmd_gate(void *opts, int argc, char **argv);
int jolt_cmd_merge(void *opts, int argc, char **argv);
int jolt_cmd_export(void *opts, int argc, char **argv);

/* ---- shared by several commands (cmd_util.c) -------------------------- */

/* The help lines of --tasks and --limit, the same on every command that
 * selects tasks. */
#define JOLT_TASKS_HELP "only these tasks: ids or globs, e.g. fin-*,doc-bridge-year"
#define JOLT_LIMIT_HELP "only the first N tasks after --tasks, in suite order"
/* ... and of --cache and --no-cache (check, and run's pre-check). */
#define JOLT_CACHE_HELP \
	"replay cache in DIR (default $JOLT_CACHE_DIR, $XDG_CACHE_HOME/jolt or ~/.cache/jolt)"
#define JOLT_NO_CACHE_HELP "replay every oracle, remember nothing"

/* Online cores, at least 1. */
int jolt_cli_ncores(void);
/* Raise the soft limit of open files to the hard one: a run or a server
 * with a thousand turns in flight holds a socket for each. Best effort. */
void jolt_cli_raise_nofile(void);
/* Print "jolt CMD: message" for a failed command: the thread's last
 * detail, or the code's name when there is none. */
void jolt_cli_fail(const char *cmd, int rc);

/* Load every suite named (an array of n, caller frees with
 * jolt_cli_free_suites); on failure the error is printed and returned. */
int jolt_cli_load_suites(jolt_suite ***out, const char *cmd, int n,
			 char **dirs);
void jolt_cli_free_suites(jolt_suite **v, int n);

/* --levels 1,3 -> bit mask (bit L = level L). */
int jolt_cli_parse_levels(unsigned *out, const jolt_strlist *l);
/* --seeds S or A..B -> first seed and count. */
int jolt_cli_parse_seeds(long *out, long *count, const char *spec);
/* 0 when lo <= v <= hi, else JOLT_EUSAGE naming the flag and the range
 * (hi LONG_MAX: no upper bound). Commands refuse, never rewrite. */
int jolt_cli_range(const char *flag, long v, long lo, long hi);
/* --tasks and --limit into a run configuration's task selection (the
 * patterns are borrowed from `tasks`). limit is -1 when not given. The
 * patterns are checked against the suites later, by jolt_run_tasks. */
int jolt_cli_select_tasks(jolt_run_cfg *out, const jolt_strlist *tasks,
			  long limit);
/* The check cache --cache DIR and --no-cache ask for (NULL with
 * no_cache); never fails (run/checkcache.h). Close it with
 * jolt_checkcache_close, which takes NULL. */
struct jolt_checkcache *jolt_cli_open_cache(const char *dir, int no_cache);
/* The trajectory limits every command that drives trials takes:
 * max_steps and max_tokens -1 when not given, else 1 or more; timeout
 * -1 when not given (600 s), 0 for unlimited. */
int jolt_cli_driver_cfg(jolt_driver_cfg *out, long max_steps, long max_tokens,
			double timeout, const char *history, const char *root,
			int keep);

#endif
