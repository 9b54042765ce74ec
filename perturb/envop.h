/*
 * envop.h - private to the env operators (perturb/env.c, env_data.c,
 * envop.c): the helpers they share and the data-table operators env.c's
 * table registers. Nothing outside perturb/ includes this.
 */
#ifndef JOLT_ENVOP_H
#define JOLT_ENVOP_H

#include "perturb/perturb.h"

/* Append `edit` (stolen) to v->env_edits. */
void envop_edit_add(jolt_variant *v, json_t *edit);
/* Append a write edit of len bytes at data to `path`. */
int envop_add_write(jolt_variant *v, const char *path, const char *data,
		    size_t len);
/* A seeded choice among list[0..n). */
const char *envop_pick(const jolt_op_ctx *c, const char *what, uint64_t i,
		       const char *const *list, size_t n);
/* The task's i-th tool (borrowed), and the builtin it runs (NULL when
 * none). */
const jolt_tool *envop_task_tool(const jolt_op_ctx *c, size_t i);
const char *envop_builtin_of(const jolt_tool *t);
/* Whether column `col` is among a table tool's key columns. */
bool envop_is_key(const json_t *key, const char *col);
/* The data files of the task's visible table tools whose name ends with
 * `ext`: [{file, key}] (caller decrefs). */
json_t *envop_table_files(const jolt_op_ctx *c, const char *ext);
/* A JSON table file of the task's environment: an array of objects in
 * *out (caller decrefs); JOLT_ENOTFOUND when it is not one. */
int envop_table_read(json_t **out, const jolt_op_ctx *c, const char *f);
/* A JSON table as text: one record per line, or indented by `indent`
 * (caller frees). */
char *envop_table_text(const json_t *arr, int indent);

/* The operators of env_data.c. */
int envop_csv_delimiter(jolt_variant *v, const jolt_op_ctx *c);
int envop_number_format(jolt_variant *v, const jolt_op_ctx *c);
int envop_date_format(jolt_variant *v, const jolt_op_ctx *c);
int envop_json_key_order(jolt_variant *v, const jolt_op_ctx *c);
int envop_extra_records(jolt_variant *v, const jolt_op_ctx *c);

#endif
