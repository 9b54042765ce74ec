/*
 * fuzz_csv.c - libFuzzer target for the CSV reader (core/csv.h), which
 * reads data files out of suites and working copies: any bytes give rows
 * or a classified error with a message, and whatever reads back writes
 * out as text that reads back to the same rows with the same delimiter.
 */
#include <stdint.h>
#include <stdlib.h>

#include "core/common.h"
#include "core/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	jolt_csv c = {0};
	jolt_err_clear();
	int rc = jolt_csv_read(&c, (const char *)data, size);
	if (rc) {
		if (rc != JOLT_EINPUT || c.rows || jolt_err_msg()[0] == '\0')
			abort();
		return 0;
	}
	char *text = NULL;
	size_t len = 0;
	if (jolt_csv_write(&text, &len, &c, size % 2 == 0))
		abort();
	jolt_csv back = {0};
	/* A record of one empty field writes as a blank line, which reads
	 * back as no record: compare only when none is that shape. */
	bool blank = false, multi = false;
	size_t i;
	json_t *row;
	json_array_foreach(c.rows, i, row) {
		blank = blank || (json_array_size(row) == 1 &&
				  json_string_length(json_array_get(row, 0)) == 0);
		multi = multi || json_array_size(row) > 1;
	}
	if (jolt_csv_read(&back, text, len))
		abort();
	/* The delimiter of one-column data is not in the text to read back. */
	if (!blank && json_array_size(c.rows) &&
	    (!json_equal(back.rows, c.rows) || (multi && back.delim != c.delim)))
		abort();
	jolt_csv_release(&back);
	jolt_csv_release(&c);
	free(text);
	return 0;
}
