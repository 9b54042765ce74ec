# suite_finance.sh - the finance suite: its generator reproduces the
# committed files, sim:oracle passes every baseline, and on a fixed sample
# (two tasks, the heavy level of every environment operator, seed 1) every
# oracle passes and every planted mistake fails. The full
# `jolt check suites/finance --seeds 1..3` is too slow for the test suite.
. tests/integration/lib.sh
fin=$JOLT_TEST_TMP/finance
if command -v python3 > /dev/null 2>&1; then
	python3 scripts/suites/gen_finance.py "$fin/gen" > /dev/null 2>&1
	check "gen_finance.py reproduces suites/finance" \
		diff -r -x README.md "$fin/gen" suites/finance
else
	ok "# SKIP gen_finance.py reproduces suites/finance (no python3)"
fi
n=$(ls suites/finance/tasks/*.yaml | wc -l)
[ "$n" -ge 50 ] && ok "finance has $n tasks (>= 50)" || notok "finance has $n tasks"

db=$JOLT_TEST_TMP/finance.db
expect_exit 0 "run finance on sim:oracle" $JOLT run suites/finance --model sim:oracle --axes none --out "$db" -q
total=$(sqlite3 "$db" "select count(*) from trials")
pass=$(sqlite3 "$db" "select count(*) from trials where outcome='pass'")
[ "$total" = "$n" ] && [ "$pass" = "$n" ] && ok "sim:oracle passes all $total baselines" \
	|| notok "sim:oracle passed $pass of $total (want $n)"

# A copy of the suite with two tasks: one through the exec history tool,
# one through four table tools with a split and dividends.
mkdir -p "$fin/sample/tasks"
cp -R suites/finance/suite.yaml suites/finance/env "$fin/sample/"
cp suites/finance/tasks/worst-day-telx-2024-01.yaml \
	suites/finance/tasks/total-return-kinl.yaml "$fin/sample/tasks/"
expect_exit 0 "jolt check on a finance sample: env operators, heavy level" \
	$JOLT check "$fin/sample" --axes env --levels 3 --seeds 1..1 --failures-only
nv=$(sed -n 's/.* and \([0-9]*\) variants checked: 0 failures, 0 errors/\1/p' "$JOLT_TEST_TMP/last.out")
[ "${nv:-0}" -ge 14 ] && ok "$nv finance variants checked, none failing" \
	|| notok "finance variants checked: ${nv:-none}"
