/*
 * test_common.c - core/common's error detail: jolt_err_set and the
 * wrapping form jolt_err_wrap, which must read the old message before it
 * writes the new one.
 */
#include "test.h"

#include "core/common.h"

static void test_err_wrap(void **state)
{
	assert_int_equal(jolt_err_set(JOLT_EINPUT, "bad %s", "field"), JOLT_EINPUT);
	assert_int_equal(jolt_err_wrap(JOLT_EUSAGE, "--policy %d", 2), JOLT_EUSAGE);
	assert_string_equal(jolt_err_msg(), "--policy 2: bad field");
	/* Twice: the context nests outward. */
	jolt_err_wrap(JOLT_EUSAGE, "run");
	assert_string_equal(jolt_err_msg(), "run: --policy 2: bad field");
	/* An argument pointing into the old message is read before the
	 * buffer is written. */
	jolt_err_set(JOLT_EIO, "disk full");
	jolt_err_wrap(JOLT_EIO, "again (%s)", jolt_err_msg());
	assert_string_equal(jolt_err_msg(), "again (disk full): disk full");
	/* No old message: the context alone, no dangling ": ". */
	jolt_err_clear();
	jolt_err_wrap(JOLT_EINFRA, "context");
	assert_string_equal(jolt_err_msg(), "context");
}

static void test_err_wrap_truncates(void **state)
{
	char big[4096];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	jolt_err_set(JOLT_EIO, "%s", big);
	jolt_err_wrap(JOLT_EIO, "ctx");
	const char *m = jolt_err_msg();
	assert_memory_equal(m, "ctx: xxx", 8);
	assert_true(strlen(m) < sizeof(big));
	assert_true(strlen(m) > 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_err_wrap),
	    cmocka_unit_test(test_err_wrap_truncates),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
