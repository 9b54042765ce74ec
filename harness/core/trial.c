/*
 * trial.c - trial keys, and releasing a trial result.
 */
#include <stdlib.h>
#include <string.h>

#include "core/common.h"
#include "core/trial.h"

/* The task id is part of the key even though a perturbed variant name
 * already starts with it: JOLT_BASELINE alone would collide across tasks. */
char *jolt_trial_key(const jolt_trial *t)
{
	return jolt_xasprintf("%s|%s|%s|%s|%s|%d", t->model ? t->model : "",
			      t->scaffold ? t->scaffold : "",
			      t->suite && t->suite->name ? t->suite->name : "",
			      t->task && t->task->id ? t->task->id : "",
			      t->variant ? t->variant : "", t->repeat);
}

void jolt_trial_result_release(jolt_trial_result *r)
{
	if (!r)
		return;
	free(r->answer);
	free(r->detail);
	json_decref(r->trace);
	memset(r, 0, sizeof(*r));
}
