/*
 * replay.c - run a fuzz target's entry point over every file of a corpus
 * directory, so `make test` replays the corpora without a fuzzer. Prints
 * one TAP line per file; a crash or sanitizer report fails the binary.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
		return 2;
	}
	DIR *d = opendir(argv[1]);
	if (!d) {
		fprintf(stderr, "%s: cannot open %s\n", argv[0], argv[1]);
		return 2;
	}
	char **names = NULL;
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		names = realloc(names, (n + 1) * sizeof(*names));
		names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), by_name);
	printf("1..%zu\n", n);
	for (size_t i = 0; i < n; i++) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s", argv[1], names[i]);
		FILE *f = fopen(path, "rb");
		if (!f) {
			printf("not ok %zu - %s: unreadable\n", i + 1, names[i]);
			continue;
		}
		uint8_t *buf = NULL;
		size_t len = 0, cap = 0, got;
		uint8_t chunk[8192];
		while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0) {
			if (len + got > cap) {
				cap = (len + got) * 2;
				buf = realloc(buf, cap);
			}
			memcpy(buf + len, chunk, got);
			len += got;
		}
		fclose(f);
		LLVMFuzzerTestOneInput(buf ? buf : (const uint8_t *)"", len);
		free(buf);
		printf("ok %zu - %s\n", i + 1, names[i]);
		free(names[i]);
	}
	free(names);
	return 0;
}
