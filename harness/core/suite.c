/*
 * suite.c - the suite and task model's accessors: freeing a loaded suite,
 * finding a tool or a task by name, which tools a task may use, and the
 * revision a task works on. Loading and validation are world/load.c.
 */
#include <stdlib.h>
#include <string.h>

#include "core/common.h"
#include "core/suite.h"

static long tool_index(const jolt_suite *s, const char *name)
{
	for (size_t i = 0; i < s->ntools; i++)
		if (strcmp(s->tools[i].name, name) == 0)
			return (long)i;
	return -1;
}

void jolt_suite_free(jolt_suite *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->ntools; i++) {
		jolt_tool *t = &s->tools[i];
		free(t->name);
		free(t->description);
		json_decref(t->parameters);
		json_decref(t->run);
		free(t->exec);
	}
	free(s->tools);
	for (size_t i = 0; i < s->ntasks; i++) {
		jolt_task *t = &s->tasks[i];
		free(t->id);
		free(t->file);
		free(t->user);
		free(t->system);
		free(t->env_rev);
		json_decref(t->paraphrases);
		free(t->tools);
		json_decref(t->grade);
		json_decref(t->oracle);
		jolt_yaml_free(t->doc);
	}
	free(s->tasks);
	free(s->name);
	free(s->description);
	free(s->dir);
	free(s->system);
	free(s->env_dir);
	free(s->env_repo);
	free(s->env_rev);
	jolt_yaml_free(s->doc);
	free(s);
}

const jolt_tool *jolt_suite_tool(const jolt_suite *s, const char *name)
{
	if (!s || !name)
		return NULL;
	long k = tool_index(s, name);
	return k < 0 ? NULL : &s->tools[k];
}

const char *jolt_task_env_rev(const jolt_suite *s, const jolt_task *t)
{
	if (t && t->env_rev)
		return t->env_rev;
	return s ? s->env_rev : NULL;
}

static int cmp_id_task(const void *key, const void *elem)
{
	return strcmp(key, ((const jolt_task *)elem)->id);
}

const jolt_task *jolt_suite_task(const jolt_suite *s, const char *id)
{
	if (!s || !id || !s->tasks)
		return NULL;
	/* Tasks are sorted by id once loading succeeded. */
	return bsearch(id, s->tasks, s->ntasks, sizeof(*s->tasks), cmp_id_task);
}

bool jolt_task_sees(const jolt_task *t, size_t index)
{
	for (size_t i = 0; t && i < t->ntools; i++)
		if (t->tools[i] == index)
			return true;
	return false;
}

const jolt_tool *jolt_task_tool(const jolt_suite *s, const jolt_task *t,
				const char *name)
{
	long k = s && name ? tool_index(s, name) : -1;
	return k >= 0 && jolt_task_sees(t, (size_t)k) ? &s->tools[k] : NULL;
}
