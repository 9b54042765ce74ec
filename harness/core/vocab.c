/*
 * vocab.c - printable names of the shared vocabulary (vocab.h), generated
 * from its X-macro lists so that what is stored and what is parsed back
 * never drift apart.
 */
#include <string.h>

#include "core/common.h"
#include "core/vocab.h"

static const char *const axis_names[] = {
#define JOLT_X_NAME(n) #n,
	JOLT_AXES(JOLT_X_NAME)
#undef JOLT_X_NAME
};

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

/* Index of `s` in `names`, -1 when absent or NULL. */
static int find(const char *const *names, size_t n, const char *s)
{
	if (!s)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return (int)i;
	return -1;
}

const char *jolt_axis_name(enum jolt_axis a)
{
	return (unsigned)a < JOLT_AXIS_COUNT ? axis_names[a] : "?";
}

int jolt_axis_parse(const char *s)
{
	return find(axis_names, JOLT_ARRAY_LEN(axis_names), s);
}

const char *jolt_outcome_name(enum jolt_outcome o)
{
	if ((unsigned)o >= JOLT_ARRAY_LEN(outcome_names))
		return "unknown";
	return outcome_names[o];
}

int jolt_outcome_parse(const char *s)
{
	return find(outcome_names, JOLT_ARRAY_LEN(outcome_names), s);
}

const char *jolt_error_class_name(enum jolt_error_class c)
{
	if ((unsigned)c >= JOLT_ARRAY_LEN(error_class_names))
		return "unknown";
	return error_class_names[c];
}
