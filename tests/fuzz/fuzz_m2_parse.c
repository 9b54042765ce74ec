/*
 * fuzz_m2_parse.c - libFuzzer target for M2's XML tool-call parser: any
 * bytes as a completion must give an assistant message (with a malformed
 * count and a description when something was wrong) that the template
 * renders back; never a crash, a leak or a hang.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/common.h"
#include "model/dialect.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *tools_json =
    "[{\"name\":\"edit\",\"parameters\":{\"type\":\"object\",\"properties\":{"
    "\"path\":{\"type\":\"string\"},\"line\":{\"type\":\"integer\"},"
    "\"scale\":{\"type\":\"number\"},\"force\":{\"type\":\"boolean\"},"
    "\"meta\":{\"type\":\"object\"},\"tags\":{\"type\":\"array\"},"
    "\"note\":{\"type\":[\"string\",\"null\"]},"
    "\"any\":{\"anyOf\":[{\"type\":\"integer\"},{\"type\":\"null\"}]}}}},"
    "{\"name\":\"read_file\",\"parameters\":{\"type\":\"object\","
    "\"properties\":"
    "{\"path\":{\"type\":\"string\"}}}}]";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *tools = json_loads(tools_json, 0, NULL);
	json_t *msg = NULL;
	int mal = -1;
	char *detail = NULL;
	int rc =
	    jolt_m2_parse(&msg, &mal, &detail, (const char *)data, size, tools);
	if (rc != 0 || !json_is_object(msg) ||
	    !json_is_string(json_object_get(msg, "content")) || mal < 0 ||
	    (mal > 0) != (detail != NULL))
		abort();
	json_t *calls = json_object_get(msg, "tool_calls");
	size_t i;
	json_t *tc;
	json_array_foreach(
	    calls, i, tc) if (!json_is_string(json_object_get(tc, "name")) ||
			      !json_is_object(json_object_get(tc, "arguments")))
	    abort();
	/* What was parsed renders again, with and without its raw text. */
	json_t *conv =
	    json_pack("[{s:s, s:s}, O]", "role", "user", "content", "q", msg);
	char *prompt = NULL;
	if (jolt_m2_render(&prompt, conv, tools) != 0 || !prompt)
		abort();
	free(prompt);
	json_object_del(json_array_get(conv, 1), "raw");
	if (jolt_m2_render(&prompt, conv, tools) != 0 || !prompt)
		abort();
	free(prompt);
	json_decref(conv);
	json_decref(msg);
	free(detail);
	json_decref(tools);
	return 0;
}
