# cli.sh - the command line contract: help, version, exit codes.
. tests/integration/lib.sh
expect_exit 0 "jolt --version" $JOLT --version
grep -q '^jolt [0-9]' "$JOLT_TEST_TMP/last.out" && ok "version printed" || notok "version printed"
expect_exit 0 "jolt --help" $JOLT --help
grep -q 'run ' "$JOLT_TEST_TMP/last.out" && grep -q 'check ' "$JOLT_TEST_TMP/last.out" \
	&& ok "help lists commands" || notok "help lists commands"
expect_exit 0 "jolt run --help" $JOLT run --help
grep -q -- '--resume' "$JOLT_TEST_TMP/last.out" && ok "run help lists --resume" || notok "run help lists --resume"
expect_exit 2 "no command" $JOLT
expect_exit 2 "unknown command" $JOLT frobnicate
expect_exit 2 "unknown flag" $JOLT run tests/fixtures/mini --frob
grep -q "unknown option '--frob'" "$JOLT_TEST_TMP/last.err" && ok "unknown flag named" || notok "unknown flag named"
expect_exit 2 "bad model spec" $JOLT run tests/fixtures/mini --model nonsense --out "$JOLT_TEST_TMP/x.db" -q
expect_exit 2 "unknown provider" $JOLT run tests/fixtures/mini --model zzz:m --out "$JOLT_TEST_TMP/x.db" -q
expect_exit 2 "bad sim profile" $JOLT run tests/fixtures/mini --model sim:tool=2 --out "$JOLT_TEST_TMP/x.db" -q
expect_exit 2 "bad history mode" $JOLT run tests/fixtures/mini --history none --out "$JOLT_TEST_TMP/x.db" -q
expect_exit 2 "bad shard" $JOLT run tests/fixtures/mini --shard 3/2 --out "$JOLT_TEST_TMP/x.db" -q
expect_exit 2 "missing suite" $JOLT run "$JOLT_TEST_TMP/nowhere" --out "$JOLT_TEST_TMP/x.db" -q
expect_exit 2 "report of a missing database" $JOLT report "$JOLT_TEST_TMP/none.db"
expect_exit 0 "mini run" $JOLT run tests/fixtures/mini --axes none --out "$JOLT_TEST_TMP/m.db" -q
expect_exit 2 "unknown report format" $JOLT report "$JOLT_TEST_TMP/m.db" --format pdf
expect_exit 2 "refuses to mix into an existing database without --resume" \
	$JOLT run tests/fixtures/mini --axes none --out "$JOLT_TEST_TMP/m.db" -q
