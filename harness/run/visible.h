/*
 * visible.h - whether a variant changes what the model is shown.
 *
 * An invariant variant that changes nothing the model can see measures
 * nothing: a drop on it is noise, and its planted mistake is a label, not
 * a perturbation. `jolt check` and `jolt run` ask this of every invariant
 * variant against its task's baseline, by comparing what each shows
 * (rendered text and JSON, never a model call):
 *  - tool, system and user axes: the request (the shown tools, the system
 *    prompt, the user turns);
 *  - env axis: the working copy's tree and file contents, computed from
 *    the environment's snapshot and the variant's edits; variables and
 *    commits count only when the task has an exec tool to see them with;
 *  - response axis: at least one tool result along the oracle's path.
 *    The operator is applied to the baseline oracle's own results, call
 *    by call, as the driver would apply it (jolt_response_apply): the
 *    variant's oracle follows the baseline's path up to its first
 *    perturbed result, so the first result that differs here is the
 *    first one the model sees differ. This needs the baseline oracle
 *    replay's trace; without one the variant is taken as visible.
 * Directional variants are always applicable: what they change is the
 * correct behaviour, which check verifies otherwise.
 */
#ifndef JOLT_VISIBLE_H
#define JOLT_VISIBLE_H

#include <jansson.h>
#include <stdbool.h>

struct jolt_variant;

/* Whether v shows the model something that base does not. base_trace is
 * the baseline oracle replay's trace ({messages, events}) or NULL. When
 * false, *why (owned by the caller, may be NULL on true) says what was
 * compared. */
bool jolt_visible(char **why, const struct jolt_variant *base,
		  const struct jolt_variant *v, const json_t *base_trace);

/* Whether the verdict for v needs the baseline oracle's trace (the
 * response axis). */
bool jolt_visible_needs_trace(const struct jolt_variant *v);

/* The baseline oracle's tool results in a trace, in call order: an array
 * of strings (caller decrefs). */
json_t *jolt_visible_results(const json_t *trace);

/* Tell sim:literal (model/sim.h) the form of the tool results of base's
 * task, from the baseline oracle replay's trace: what `jolt check`, `jolt
 * run` and `jolt serve` each do before sim:literal plays the task, so
 * that it judges the same everywhere. A NULL trace tells it nothing. */
void jolt_visible_expect_literal(const struct jolt_variant *base,
				 const json_t *trace);

#endif
