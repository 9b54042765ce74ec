# bad_suites.sh - broken suite files exit 2 with FILE:LINE:COL, no crash.
. tests/integration/lib.sh
mk() { rm -rf "$JOLT_TEST_TMP/bad"; cp -r tests/fixtures/mini "$JOLT_TEST_TMP/bad"; }
has() { grep -q "$1" "$JOLT_TEST_TMP/last.err" && ok "$2" || { notok "$2"; sed 's/^/#   /' "$JOLT_TEST_TMP/last.err"; }; }

mk; printf 'id: read\nuser: [unclosed\ngrade:\n  - answer: {exact: x}\n' > "$JOLT_TEST_TMP/bad/tasks/read.yaml"
expect_exit 2 "syntax error exits 2" $JOLT check "$JOLT_TEST_TMP/bad"
has 'tasks/read.yaml:[0-9][0-9]*:[0-9][0-9]*' "syntax error names file:line:col"

mk; sed -i 's/^grade:/gradr:/' "$JOLT_TEST_TMP/bad/tasks/read.yaml"
expect_exit 2 "unknown key exits 2" $JOLT run "$JOLT_TEST_TMP/bad" -q --out "$JOLT_TEST_TMP/b.db"
has "tasks/read.yaml:3:1:.*gradr" "unknown key named with file:line:col"

mk; sed -i 's/name: read_file, args/name: cat_file, args/' "$JOLT_TEST_TMP/bad/tasks/read.yaml"
expect_exit 2 "oracle naming an undeclared tool exits 2" $JOLT check "$JOLT_TEST_TMP/bad"
has "tasks/read.yaml:[0-9]*:[0-9]*:.*cat_file" "undeclared tool named with file:line:col"

mk; printf 'name: mini\ntools: 7\n' > "$JOLT_TEST_TMP/bad/suite.yaml"
expect_exit 2 "wrong type exits 2" $JOLT check "$JOLT_TEST_TMP/bad"
has "suite.yaml:2:[0-9]*" "wrong type named with file:line:col"

mk; printf '\001\002\377garbage: [\n' > "$JOLT_TEST_TMP/bad/suite.yaml"
expect_exit 2 "binary garbage exits 2" $JOLT check "$JOLT_TEST_TMP/bad"

mk; rm "$JOLT_TEST_TMP/bad/suite.yaml"
expect_exit 2 "missing suite.yaml exits 2" $JOLT check "$JOLT_TEST_TMP/bad"
has "suite.yaml" "missing suite.yaml named"
