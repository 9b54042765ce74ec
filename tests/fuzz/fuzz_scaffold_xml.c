/*
 * fuzz_scaffold_xml.c - libFuzzer target for the `xml` scaffold's call
 * parser (scaffolds/xml.c); the checks are in scaffold_fuzz.h.
 */
#include "scaffold_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return scaffold_fuzz_one(&jolt_scaffold_xml, data, size);
}
