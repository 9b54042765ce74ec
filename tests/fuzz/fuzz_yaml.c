/*
 * fuzz_yaml.c - libFuzzer target for the suite YAML reader: any bytes must
 * give either a tree whose every node can be asked for its mark, or a
 * classified error with a message; never a crash, a leak or a hang.
 *
 * Build with libFuzzer:
 *   clang -fsanitize=fuzzer,address,undefined ... tests/fuzz/fuzz_yaml.c
 * or, to replay a corpus without libFuzzer (what `make test` can do),
 * define JOLT_FUZZ_MAIN and pass files:  fuzz_yaml FILE...
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/common.h"
#include "core/suite.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void walk(const json_t *node, int depth)
{
	int line, col;
	jolt_yaml_mark(node, &line, &col);
	if (line < 0 || col < 0 || (line == 0) != (col == 0))
		abort();
	if (json_is_object(node)) {
		const char *key;
		json_t *v;
		json_object_foreach((json_t *)node, key, v)
		{
			jolt_yaml_mark_key(node, key, &line, &col);
			if (line <= 0 || col <= 0)
				abort();
			walk(v, depth + 1);
		}
	} else if (json_is_array(node)) {
		size_t i;
		json_t *v;
		json_array_foreach(node, i, v)
		{
			jolt_yaml_mark_elem(node, i, &line, &col);
			if (line <= 0 || col <= 0)
				abort();
			walk(v, depth + 1);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *root = NULL;
	int rc = jolt_yaml_parse(&root, "fuzz.yaml", (const char *)data, size);
	if (rc == 0) {
		walk(root, 0);
		jolt_yaml_free(root);
	} else if (root != NULL || jolt_err_msg()[0] == '\0') {
		abort(); /* errors leave no tree and always say why */
	}
	return 0;
}

#ifdef JOLT_FUZZ_MAIN
int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		jolt_buf b;
		jolt_buf_init(&b, 4 * 1024 * 1024);
		if (jolt_buf_read_file(&b, argv[i]) != 0) {
			fprintf(stderr, "%s\n", jolt_err_msg());
			jolt_buf_release(&b);
			return 2;
		}
		LLVMFuzzerTestOneInput((const uint8_t *)b.s, b.len);
		jolt_buf_release(&b);
	}
	printf("replayed %d inputs\n", argc - 1);
	return 0;
}
#endif
