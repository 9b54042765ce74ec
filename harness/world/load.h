/*
 * load.h - loading a suite directory into the model of core/suite.h,
 * validated once so the rest of the harness can trust it. World-level
 * because validation asks the builtin tools and the graders (tools.h,
 * grade.h) whether their options are right.
 */
#ifndef JOLT_LOAD_H
#define JOLT_LOAD_H

#include "core/suite.h"

/* Load the suite in directory `dir` (suite.yaml plus tasks/\*.yaml, tasks
 * sorted by id). On error returns JOLT_EINPUT (or JOLT_ENOTFOUND, JOLT_EIO)
 * with "FILE:LINE:COL: what was expected" in jolt_err_msg(). The caller
 * frees *out with jolt_suite_free(). */
int jolt_suite_load(jolt_suite **out, const char *dir);

#endif
