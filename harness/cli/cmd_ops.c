/*
 * cmd_ops.c - `jolt ops`: the operator registry, one tab-separated line
 * per operator (DESIGN.md, CLI), for people and scripts alike.
 */
#include <stdio.h>

#include "cli/commands.h"
#include "core/common.h"
#include "perturb/perturb.h"

int jolt_cmd_ops(void *vo, int argc, char **argv)
{
	for (size_t i = 0; i < jolt_op_count(); i++) {
		const jolt_op *op = jolt_op_at(i);
		printf("%s\t%s\t1-%d\t%s\t%s%s%s\n", jolt_axis_name(op->axis), op->name,
		       op->max_level,
		       op->kind == JOLT_OP_DIRECTIONAL ? "directional" : "invariant",
		       op->description, op->expect ? "; correct: " : "",
		       op->expect ? op->expect : "");
	}
	return 0;
}

const jolt_cmd_syntax jolt_ops_syntax = {
	.usage = "",
};
