/*
 * dialect_serve.h - helpers the dialects' server halves share (internal
 * to harness/model/dialect_*.c; `jolt serve` goes through the descriptor
 * in dialect.h, never through these).
 *
 * The server half decodes a request into jolt's neutral history and
 * encodes the sim's turn as the reply a real server of that dialect would
 * send. What two or more dialects read or write the same way lives here:
 * request-body loading, the text of a content value, tool-call lookups,
 * stream piece splitting, SSE chunk lists and the OpenAI-shaped usage and
 * error objects (which the M2 completions server also uses).
 *
 * Ownership: functions returning char * or json_t * return a new value
 * the caller owns; const pointers are borrowed from their argument.
 */
#ifndef JOLT_DIALECT_SERVE_H
#define JOLT_DIALECT_SERVE_H

#include <jansson.h>
#include <stddef.h>

#include "core/buf.h"
#include "model/dialect.h"

/* How many pieces a streamed text is cut into, so that every client's
 * delta accumulation is exercised. */
#define JOLT_DSV_PIECES 3

/* Text of a content value: a string, an array of {type: text, text}
 * parts, or null. 0, or JOLT_EINPUT (naming `where`) otherwise. */
int jolt_dsv_content_text(jolt_buf *out, const json_t *c, const char *where);
/* The name of tool call `id` among the history's assistant turns; "" when
 * there is none. */
const char *jolt_dsv_call_name(const json_t *messages, const char *id);
/* A neutral tool {name, description, parameters}. */
json_t *jolt_dsv_neutral_tool(const json_t *name, const json_t *desc,
			      const json_t *params);
/* m[k] as a string, "" when missing. */
const char *jolt_dsv_str(const json_t *m, const char *k);
/* The arguments as the wire carries them (compact JSON); `malformed` cuts
 * the closing brace so that they are not JSON. */
char *jolt_dsv_args_text(const json_t *args, int malformed);
/* Up to n pieces of s, never splitting a UTF-8 sequence (JSON strings
 * must stay valid). Pieces are (offset, length) pairs in out[2*i]; out
 * holds 2*n entries. Returns the number of pieces. */
size_t jolt_dsv_split(size_t *out, const char *s, size_t n);
/* OpenAI's usage object {prompt_tokens, completion_tokens, total_tokens}. */
json_t *jolt_dsv_usage_openai(const jolt_serve_reply *r);
/* Serialize j (stolen) compactly into *out. */
int jolt_dsv_dump(char **out, json_t *j);
/* Append one SSE event "[event: E\n]data: J\n\n" for j (stolen); event
 * may be NULL. */
void jolt_dsv_push(jolt_serve_chunks *l, const char *event, json_t *j);
/* Append a preformed event string (stolen). */
void jolt_dsv_push_raw(jolt_serve_chunks *l, char *s);
/* {"error": {message, type, code: null}}: OpenAI's error shape. */
char *jolt_dsv_error_openai(const char *type, const char *message);

#endif
