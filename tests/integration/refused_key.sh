# refused_key.sh - a refused API key (HTTP 401) stops the run with exit 3
# and a message naming the cause, stores no trial as the agent's failure,
# and `--resume` with the right key finishes the run.
. tests/integration/lib.sh
T0=$JOLT_TEST_TMP/refused
mkdir -p "$T0"
log=$T0/serve.log
export JOLT_SERVE_API_KEY=right-key
serve_up "$log" --suite tests/fixtures/mini
unset JOLT_SERVE_API_KEY
M="--model openai:sim:oracle@http://127.0.0.1:$P/v1 --axes user --ops user_typo --levels 1"
db=$T0/r.db
unset JOLT_API_KEY MINIMAX_API_KEY
expect_exit 3 "a wrong key stops the run with exit 3" env OPENAI_API_KEY=wrong-key $JOLT run tests/fixtures/mini $M --out "$db" -q
grep -qi "refused" "$JOLT_TEST_TMP/last.err" && grep -q "401" "$JOLT_TEST_TMP/last.err" \
	&& ok "the message says the key was refused (401)" || { notok "the message names the cause"; sed 's/^/#   /' "$JOLT_TEST_TMP/last.err"; }
grep -q -- "--resume" "$JOLT_TEST_TMP/last.err" "$JOLT_TEST_TMP/last.out" \
	&& ok "the message says how to resume" || notok "the message says how to resume"
grep -q "wrong-key" "$JOLT_TEST_TMP/last.err" "$JOLT_TEST_TMP/last.out" "$log" \
	&& notok "the key appears in the output" || ok "the key appears nowhere in the output or the server log"
bad=$(sqlite3 "$db" "select count(*) from trials where outcome != 'infra_error'" 2>/dev/null || echo 0)
[ "$bad" = 0 ] && ok "no trial is stored as the agent's pass or fail" || notok "$bad trials stored as pass/fail"
expect_exit 0 "--resume with the right key finishes" env OPENAI_API_KEY=right-key $JOLT run tests/fixtures/mini $M --out "$db" -q --resume
n=$(sqlite3 "$db" "select count(*) from trials")
p=$(sqlite3 "$db" "select count(*) from trials where outcome = 'pass'")
[ "$n" -ge 4 ] && [ "$n" = "$p" ] && ok "every one of the $n trials is stored once and passes" \
	|| notok "after resume: $p of $n pass"
d=$(sqlite3 "$db" "select count(*) - count(distinct key) from trials")
[ "$d" = 0 ] && ok "no trial twice" || notok "$d duplicated trials"
