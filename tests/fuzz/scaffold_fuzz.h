/*
 * scaffold_fuzz.h - the body shared by the scaffold parsers' fuzz targets
 * (fuzz_scaffold_NAME.c): any bytes as a model's reply must parse to
 * well-formed calls (a name, an object of arguments), a malformed count
 * that agrees with its message, and calls that write back out; never a
 * crash, a leak or a hang.
 */
#ifndef JOLT_SCAFFOLD_FUZZ_H
#define JOLT_SCAFFOLD_FUZZ_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/common.h"
#include "scaffolds/scaffold.h"

static const char *const scaffold_fuzz_tools =
	"[{\"name\":\"edit\",\"parameters\":{\"type\":\"object\",\"properties\":{"
	"\"path\":{\"type\":\"string\"},\"line\":{\"type\":\"integer\"},"
	"\"force\":{\"type\":\"boolean\"},\"tags\":{\"type\":\"array\"}},"
	"\"required\":[\"path\"]}},"
	"{\"name\":\"read_file\",\"parameters\":{\"type\":\"object\","
	"\"properties\":{\"path\":{\"type\":\"string\"}}}}]";

static int scaffold_fuzz_one(const jolt_scaffold *sc, const uint8_t *data,
			     size_t size)
{
	/* parsers read a NUL-terminated text, as the dialects hand it over */
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	json_t *tools = json_loads(scaffold_fuzz_tools, 0, NULL);
	jolt_scaffold_parse p;
	if (sc->parse(&p, text, size, tools) != 0 || !json_is_array(p.calls) ||
	    !p.content || p.malformed < 0 || (p.malformed > 0) != (p.detail != NULL))
		abort();
	size_t i;
	json_t *c;
	jolt_buf b;
	jolt_buf_init(&b, 0);
	json_array_foreach(p.calls, i, c) {
		if (!json_is_string(json_object_get(c, "name")) ||
		    !json_is_object(json_object_get(c, "arguments")) ||
		    !json_is_string(json_object_get(c, "id")))
			abort();
		if (sc->write_call(&b, c) != 0)
			abort();
	}
	if ((sc->flags & JOLT_SCAFFOLD_ONE_CALL) && json_array_size(p.calls) > 1)
		abort();
	jolt_buf_release(&b);
	jolt_scaffold_parse_release(&p);
	json_decref(tools);
	free(text);
	return 0;
}

#endif
