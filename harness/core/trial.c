/*
 * trial.c - printable names of outcomes and error classes, trial keys, and
 * releasing a trial result. The names come from the X-macro lists in
 * trial.h, so what is stored and what is parsed back never drift apart.
 */
#include <stdlib.h>
#include <string.h>

#include "core/common.h"
#include "core/trial.h"

static const char *const outcome_names[] = {
#define JOLT_X_NAME(n, s) [JOLT_OUTCOME_##n] = s,
    JOLT_OUTCOMES(JOLT_X_NAME)
#undef JOLT_X_NAME
};

static const char *const error_class_names[] = {
#define JOLT_X_NAME(n, s) [JOLT_EC_##n] = s,
    JOLT_ERROR_CLASSES(JOLT_X_NAME)
#undef JOLT_X_NAME
};

const char *jolt_outcome_name(enum jolt_outcome o)
{
	if ((unsigned)o >= JOLT_ARRAY_LEN(outcome_names))
		return "unknown";
	return outcome_names[o];
}

int jolt_outcome_parse(const char *s)
{
	if (!s)
		return -1;
	for (size_t i = 0; i < JOLT_ARRAY_LEN(outcome_names); i++)
		if (strcmp(s, outcome_names[i]) == 0)
			return (int)i;
	return -1;
}

const char *jolt_error_class_name(enum jolt_error_class c)
{
	if ((unsigned)c >= JOLT_ARRAY_LEN(error_class_names))
		return "unknown";
	return error_class_names[c];
}

/* The task id is part of the key even though a perturbed variant name
 * already starts with it: "baseline" alone would collide across tasks. */
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
