# suite_toolcall.sh - the toolcall suite: the generator reproduces the
# committed suite byte for byte, sim:oracle passes every baseline, and on a
# fixed sample (one task of each kind, seed 1) every variant of the
# operators that bite on function calling keeps its oracle passing and its
# planted mistake failing.
. tests/integration/lib.sh
suite=suites/toolcall
gen=$JOLT_TEST_TMP/toolcall-gen
if python3 scripts/suites/gen_toolcall.py "$gen" > "$JOLT_TEST_TMP/gen.out" 2>&1 &&
	diff -r -x README.md "$gen" "$suite" > "$JOLT_TEST_TMP/gen.diff" 2>&1; then
	ok "gen_toolcall.py reproduces suites/toolcall"
else
	notok "gen_toolcall.py reproduces suites/toolcall"
	head -20 "$JOLT_TEST_TMP/gen.out" "$JOLT_TEST_TMP/gen.diff" | sed 's/^/#   /'
fi
ntasks=$(ls "$suite"/tasks/*.yaml | wc -l)
[ "$ntasks" -ge 50 ] && ok "$ntasks tasks (>= 50)" || notok "only $ntasks tasks"
for k in single par multi irrel missing; do
	n=$(ls "$suite"/tasks/$k-*.yaml 2>/dev/null | wc -l)
	[ "$n" -ge 8 ] && ok "$n $k tasks" || notok "$n $k tasks (want >= 8)"
done

db=$JOLT_TEST_TMP/toolcall.db
expect_exit 0 "run toolcall on sim:oracle, baselines" \
	$JOLT run $suite --model sim:oracle --axes none --out "$db" -q
total=$(sqlite3 "$db" "select count(*) from trials")
pass=$(sqlite3 "$db" "select count(*) from trials where outcome='pass'")
[ "$total" = "$ntasks" ] && [ "$pass" = "$total" ] &&
	ok "sim:oracle passes all $total baselines" ||
	notok "sim:oracle passed $pass of $total (want $ntasks)"

# A fixed sample: one task of each kind.
sample=single-event-create,par-two-emails,multi-pay-orrin-gbp,irrel-share-list,missing-which-priya
expect_exit 0 "jolt check: 5 sample tasks, renames, schema style, directional ops, retry" \
	$JOLT check $suite --tasks $sample --seeds 1..1 --levels 1 --failures-only \
	--ops tool_rename,param_rename,param_schema,tool_removed,missing_detail,transient
nv=$(sed -n 's/.* and \([0-9]*\) variants checked: 0 failures, 0 errors/\1/p' "$JOLT_TEST_TMP/last.out")
[ "${nv:-0}" -ge 20 ] && ok "$nv sample variants checked, none failing" ||
	notok "sample variants checked: ${nv:-none}"
