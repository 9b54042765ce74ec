# resume.sh - a run killed with SIGKILL mid-way and restarted with
# --resume ends with every trial present exactly once, and every trial
# committed before the kill is kept as it was (not run again). The resumed
# session runs 8 in flight, so the writer commits trials in batches.
. tests/integration/lib.sh
db=$JOLT_TEST_TMP/resume.db
args="suites/starter --model sim:brittle --ops tool_rename,user_typo,transient --levels 1 --repeats 6 -j 1 -q --out $db"
$JOLT run $args >/dev/null 2>&1 &
pid=$!
# wait until some, but not all, trials are stored
i=0
while [ $i -lt 600 ]; do
	n=$(sqlite3 "$db" "select count(*) from trials" 2>/dev/null || echo 0)
	[ "${n:-0}" -ge 10 ] && break
	sleep 0.05
	i=$((i + 1))
done
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
before=$(sqlite3 "$db" "select count(*) from trials")
want=$($JOLT check suites/starter --ops tool_rename,user_typo,transient --levels 1 | grep -c '^ok .*[^)]$')
want=$((want * 6))
[ "$before" -gt 0 ] && [ "$before" -lt "$want" ] && ok "killed mid-way with $before of $want stored" \
	|| notok "kill landed at $before of $want"
sqlite3 "$db" "select id, key, outcome from trials order by id" > "$JOLT_TEST_TMP/killed.txt"
expect_exit 0 "resume finishes the run" $JOLT run $args --resume -j 8
sqlite3 "$db" "select id, key, outcome from trials order by id" |
	head -n "$before" > "$JOLT_TEST_TMP/kept.txt"
cmp -s "$JOLT_TEST_TMP/killed.txt" "$JOLT_TEST_TMP/kept.txt" && ok "the $before trials committed before the kill are kept unchanged" \
	|| notok "trials committed before the kill changed: $(diff "$JOLT_TEST_TMP/killed.txt" "$JOLT_TEST_TMP/kept.txt" | head -3)"
total=$(sqlite3 "$db" "select count(*) from trials")
distinct=$(sqlite3 "$db" "select count(distinct key) from trials")
[ "$total" = "$want" ] && [ "$distinct" = "$want" ] && ok "every trial present exactly once ($total)" \
	|| notok "after resume: $total rows, $distinct keys, want $want"
runs=$(sqlite3 "$db" "select count(*) from runs")
[ "$runs" = 2 ] && ok "both sessions recorded in runs" || notok "runs: $runs"
orphans=$(sqlite3 "$db" "select count(*) from trials where id not in (select trial_id from traces)")
[ "$orphans" = 0 ] && ok "every trial has its trace" || notok "$orphans trials without trace"
