/*
 * cmd_merge.c - `jolt merge OUT DB...`: the shard databases of one run
 * combined into a new database (run/merge.c has the rules).
 */
#include <stddef.h>
#include <stdio.h>

#include "cli/commands.h"
#include "core/common.h"
#include "run/merge.h"

struct merge_opts {
	int force;
};

static const jolt_opt merge_options[] = {
	{"force", 0, JOLT_OPT_FLAG, offsetof(struct merge_opts, force), NULL,
	 "merge even when the runs' configurations differ (a trial stored with two results is still refused)"},
	{NULL, 0, 0, 0, NULL, NULL},
};

int jolt_cmd_merge(void *vo, int argc, char **argv)
{
	struct merge_opts *o = vo;
	jolt_merge_stats st;
	int rc = jolt_merge(&st, argv[0], (const char *const *)argv + 1,
			    (size_t)argc - 1, o->force);
	if (rc) {
		jolt_cli_fail("merge", rc);
		return rc;
	}
	printf("%ld trials from %d databases (%ld stored in more than one) "
	       "into %s\n",
	       st.trials, argc - 1, st.duplicates, argv[0]);
	return 0;
}

const jolt_cmd_syntax jolt_merge_syntax = {
	.usage = "OUT DB... [--force]",
	.help =
	 "Combine the databases of a sharded run (jolt run --shard i/N) into\n"
	 "OUT, which must not exist. The runs must have the same configuration\n"
	 "apart from --shard, --concurrency and --workers, unless --force. A\n"
	 "trial stored in several databases is kept once when its result is the\n"
	 "same in each, and the merge fails when it is not.",
	.opts = merge_options,
	.opts_size = sizeof(struct merge_opts),
	.min_args = 2,
	.max_args = -1,
};
