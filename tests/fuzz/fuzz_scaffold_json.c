/*
 * fuzz_scaffold_json.c - libFuzzer target for the `json` scaffold's call
 * parser (scaffolds/json.c); the checks are in scaffold_fuzz.h.
 */
#include "scaffold_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return scaffold_fuzz_one(&jolt_scaffold_json, data, size);
}
