# starter.sh - the starter suite: every oracle passes, sim:oracle passes
# every task, a brittle profile does not, and the report says so.
. tests/integration/lib.sh
db=$JOLT_TEST_TMP/starter.db
expect_exit 0 "jolt check suites/starter --axes none" $JOLT check suites/starter --axes none
n=$(grep -c '^ok ' "$JOLT_TEST_TMP/last.out")
[ "$n" -ge 12 ] && ok "check passed $n tasks (>= 12)" || notok "check passed only $n tasks"
# every variant of every operator at every level (seed 1): the oracle
# passes and the planted mistake fails
expect_exit 0 "jolt check suites/starter: every variant" $JOLT check suites/starter --failures-only
nv=$(sed -n 's/.* and \([0-9]*\) variants checked: 0 failures, 0 errors/\1/p' "$JOLT_TEST_TMP/last.out")
[ "${nv:-0}" -ge 1000 ] && ok "$nv variants checked, none failing" || notok "variants checked: ${nv:-none}"
nops=$($JOLT ops | wc -l)
naxes=$($JOLT ops | cut -f1 | sort -u | wc -l)
[ "$nops" -ge 30 ] && [ "$naxes" = 5 ] && ok "jolt ops lists $nops operators over $naxes axes" \
	|| notok "jolt ops: $nops operators, $naxes axes"
expect_exit 0 "run starter on sim:oracle" $JOLT run suites/starter --model sim:oracle --axes none --out "$db" -q
total=$(sqlite3 "$db" "select count(*) from trials")
pass=$(sqlite3 "$db" "select count(*) from trials where outcome='pass'")
[ "$total" -ge 12 ] && [ "$total" = "$pass" ] && ok "sim:oracle passes all $total tasks" \
	|| notok "sim:oracle passed $pass of $total"
# every trace (not just some) holds thinking and a tool result, in either
# JSON spacing: the OR is parenthesised so it cannot match on its own
traces=$(sqlite3 "$db" "select count(*) from traces where trace like '%\"thinking\"%' and (trace like '%\"role\": \"tool\"%' or trace like '%\"role\":\"tool\"%')")
[ "$traces" -ge 12 ] && [ "$traces" = "$total" ] && ok "all $traces traces hold messages, thinking and tool results" \
	|| notok "traces with thinking and tool results: $traces of $total"
nothink=$(sqlite3 "$db" "select count(*) from traces where trace not like '%\"thinking\"%'")
[ "$nothink" = 0 ] && ok "no trace lacks thinking" || notok "$nothink traces lack thinking"
expect_exit 0 "report md" $JOLT report "$db" --format md -o "$JOLT_TEST_TMP/r.md"
grep -q '100.0%' "$JOLT_TEST_TMP/r.md" && ok "report shows 100.0%" || notok "report shows 100.0%"
db2=$JOLT_TEST_TMP/brittle.db
expect_exit 0 "run starter on a noisy profile" $JOLT run suites/starter --model sim:noise=0.5 --axes none --repeats 4 --out "$db2" -q
p2=$(sqlite3 "$db2" "select count(*) from trials where outcome='pass'")
t2=$(sqlite3 "$db2" "select count(*) from trials")
# 50% planted give-ups: the pass count must be well inside (0, total)
[ "$p2" -gt $((t2 / 5)) ] && [ "$p2" -lt $((t2 * 4 / 5)) ] && ok "noise=0.5 passes $p2 of $t2" \
	|| notok "noise=0.5 passes $p2 of $t2"
# the same run again reproduces every outcome
db3=$JOLT_TEST_TMP/brittle2.db
$JOLT run suites/starter --model sim:noise=0.5 --axes none --repeats 4 --out "$db3" -q -j 1 >/dev/null 2>&1
a=$(sqlite3 "$db2" "select key, outcome from trials order by key" | md5sum)
b=$(sqlite3 "$db3" "select key, outcome from trials order by key" | md5sum)
[ "$a" = "$b" ] && ok "outcomes reproduce across runs and concurrency" || notok "outcomes differ between runs"
