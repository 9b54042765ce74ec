/*
 * scaffold.h - how a task is presented to a model: the agent framework's
 * side of the conversation (DESIGN.md, "Scaffolds").
 *
 * The driver keeps one neutral conversation (model/backend.h: system,
 * user, assistant with tool_calls, tool results) whatever the scaffold. A
 * scaffold sits between that conversation and the dialect:
 *
 *   present()    neutral history + tools -> what the model is shown:
 *                the frame around the system prompt, the tools described
 *                (in the API's tools field, or in the prompt text), earlier
 *                calls written in the scaffold's syntax, tool results as
 *                the framework shows them;
 *   interpret()  the model's reply -> neutral tool calls parsed from its
 *                text, or a counted malformed call with the message the
 *                framework would show the agent.
 *
 * `native` is the identity: tools travel in the API's tools field and
 * calls as the API's tool-call objects. Text scaffolds (flag
 * JOLT_SCAFFOLD_TEXT) send no tools field at all, so they work over every
 * dialect, M2's raw completions included.
 *
 * Thinking is never touched: an assistant turn keeps `thinking` and `raw`
 * exactly as they came (the dialect sends `raw` back byte for byte, and
 * `raw` already holds the calls in the scaffold's syntax), so interleaved
 * thinking survives every scaffold; --history strip-thinking removes both
 * before present() runs.
 *
 * Ownership: every json_t and string these functions return is new and
 * owned by the caller; inputs are borrowed and never modified.
 */
#ifndef JOLT_SCAFFOLD_H
#define JOLT_SCAFFOLD_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"

/* The scaffold describes tools in the prompt and parses calls from text. */
#define JOLT_SCAFFOLD_TEXT 0x1u
/* At most one call per assistant turn (ReAct): a second is malformed. */
#define JOLT_SCAFFOLD_ONE_CALL 0x2u

/* Calls parsed out of one assistant text. */
typedef struct jolt_scaffold_parse {
	json_t *calls;   /* [{id, name, arguments: OBJECT}], never NULL */
	char *content;   /* the text with the calls taken out, trimmed */
	int malformed;   /* calls the agent got wrong in form */
	char *detail;    /* what was wrong, as the framework says it; NULL if none */
} jolt_scaffold_parse;

void jolt_scaffold_parse_release(jolt_scaffold_parse *p);

typedef struct jolt_scaffold {
	const char *name;        /* as given to --scaffold */
	const char *description; /* one line, for --help and jolt ops */
	unsigned flags;          /* JOLT_SCAFFOLD_* */
	/* Append to `out` the text that follows the task's system prompt:
	 * the tools (neutral {name, description, parameters}) and how to call
	 * them. NULL for native. */
	int (*frame)(jolt_buf *out, const json_t *tools);
	/* Append one call {name, arguments} in the scaffold's syntax (how an
	 * earlier call is written back into the history, and how the
	 * simulator writes its calls). NULL for native. */
	int (*write_call)(jolt_buf *out, const json_t *call);
	/* Append the text that shows the agent one tool result. NULL for
	 * native. */
	int (*write_result)(jolt_buf *out, const char *name,
			    const char *content, bool is_error);
	/* Parse the calls out of an assistant text (text[len] is NUL, as
	 * the dialects hand it over). Malformed calls are the
	 * model's failure (counted in out->malformed, never an error here);
	 * tool names and arguments are checked against `tools` (unknown tool,
	 * missing required argument). NULL for native. */
	int (*parse)(jolt_scaffold_parse *out, const char *text, size_t len,
		     const json_t *tools);
} jolt_scaffold;

/* The registry, NULL-terminated, native first. */
extern const jolt_scaffold *const jolt_scaffolds[];

/* Scaffold by name, NULL when there is none. */
const jolt_scaffold *jolt_scaffold_find(const char *name);

/* The scaffolds' names joined with ", " (static storage), for messages. */
const char *jolt_scaffold_names(void);

/* What the model is shown: new *out_messages and *out_tools (NULL when
 * the scaffold sends no tools field) built from the neutral `messages` and
 * `tools`. For native, references to the inputs. */
int jolt_scaffold_present(json_t **out_messages, json_t **out_tools,
			  const jolt_scaffold *sc, const json_t *messages,
			  const json_t *tools);

/* Read the model's reply `msg` (an assistant message in neutral form) the
 * way the framework would: for a text scaffold, parse its content into
 * tool_calls (replacing any the dialect reported) and strip them from the
 * content; `raw` and `thinking` are kept. *malformed and *detail (owned,
 * NULL when none) say what the agent got wrong. Native returns a new
 * reference to msg with nothing parsed. */
int jolt_scaffold_interpret(json_t **out, int *malformed, char **detail,
			    const jolt_scaffold *sc, const json_t *msg,
			    const json_t *tools);

/* Write a neutral assistant turn's calls into its text the way this
 * scaffold's agent would have written them (the simulator's replies under
 * a text scaffold). New message; native returns a new reference. */
int jolt_scaffold_write_turn(json_t **out, const jolt_scaffold *sc,
			     const json_t *msg);

/* Helpers the scaffolds share (scaffolds/common.c). */

/* The tool named `name` in a neutral tool list, NULL when none. */
const json_t *jolt_scaffold_tool(const json_t *tools, const char *name);
/* Check a parsed call against the tools: 0, or a message (owned) saying
 * what is wrong in the framework's words. */
char *jolt_scaffold_check_call(const json_t *tools, const char *name,
			       const json_t *args);
/* Take one parsed call: append {id, name, arguments} to out->calls, or,
 * when the parser already found a fault (`bad`, taken) or the call fails
 * jolt_scaffold_check_call, count it malformed as "PREFIX: what". `args`
 * is taken (may be NULL only with `bad`). `turn` seeds the call ids. */
void jolt_scaffold_take(jolt_scaffold_parse *out, const json_t *tools,
			const char *name, json_t *args, char *bad,
			const char *prefix, size_t turn);
/* A call id for the n-th call of a turn, stable across runs. */
json_t *jolt_scaffold_call_id(size_t turn_hash, size_t n);
/* Copy of [p, p+n) without surrounding white space (owned). */
char *jolt_scaffold_trim(const char *p, size_t n);
/* Append a malformed-call message to p->detail (newline-separated). */
void jolt_scaffold_malformed(jolt_scaffold_parse *p, const char *msg);
/* Type a string value by the parameter's JSON Schema type (integer,
 * number, boolean, array, object parse as JSON; else kept as a string).
 * NULL when the bytes are not UTF-8. */
json_t *jolt_scaffold_typed(const json_t *tool, const char *param,
			    const char *value, size_t len);

/*
 * Adding a scaffold:
 *  1. Write scaffolds/NAME.c defining `const jolt_scaffold
 *     jolt_scaffold_NAME = {...}` (frame, write_call, write_result, parse;
 *     parse tolerant where real frameworks are, strict where they are).
 *  2. Declare it below and add it to jolt_scaffolds[] in registry.c.
 *  3. Golden request tests (tests/golden/scaffold/) and a parse table in
 *     tests/unit/test_scaffold.c, malformed cases included.
 *  4. A fuzz target tests/fuzz/fuzz_scaffold_NAME.c with a corpus.
 *  5. Teach the simulator its characteristic mistake (model/sim.c) and
 *     list it under --scaffold in the README and `jolt run --help`.
 */
extern const jolt_scaffold jolt_scaffold_native;
extern const jolt_scaffold jolt_scaffold_xml;
extern const jolt_scaffold jolt_scaffold_json;
extern const jolt_scaffold jolt_scaffold_react;

#endif
