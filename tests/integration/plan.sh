#!/bin/sh
# plan.sh - `jolt plan` (the detectable drop of a design, against values
# computed independently in Python), a pilot run's measurements feeding
# it, `jolt check --baseline-only`, and refused variants in every report.
. "$(dirname "$0")/lib.sh"
out=$JOLT_TEST_TMP/last.out

# 102 tasks, assumed p0 .7 and rho .75 (noise .105): Connor's n solved
# for d gives 13.4 / 10.1 points (1 / 3 repeats) at alpha .05 and 17.7 /
# 13.9 at alpha .01 (Holm over 5); a 10-point drop needs 159 / 104 tasks
# (237 / 155 under Holm).
expect_exit 0 "plan a shipped suite" $JOLT plan suites/finance --drop 0.10
grep -q '^suites/finance: 102 tasks$' "$out" && ok "counts its tasks" || notok "counts its tasks"
grep -q 'p0 = 0.700: ASSUMED' "$out" && ok "says what it assumes" || notok "says what it assumes"
grep -Eq '^ +1 +13\.4 points +17\.7 points +159 +237$' "$out" && ok "1 repeat: 13.4 / 17.7 points, 159 / 237 tasks" \
	|| { notok "1 repeat row"; sed 's/^/#   /' "$out"; }
grep -Eq '^ +3 +10\.1 points +13\.9 points +104 +155$' "$out" && ok "3 repeats: 10.1 / 13.9 points, 104 / 155 tasks" \
	|| notok "3 repeats row"
grep -q '^one comparison: 102 tasks detect 10.0 points with 4 repeats$' "$out" \
	&& ok "repeats a drop needs" || notok "repeats a drop needs"
grep -q '^Holm: no number of repeats lets 102 tasks detect 10.0 points' "$out" \
	&& ok "says when repeats cannot help" || notok "says when repeats cannot help"
expect_exit 0 "plan --repeats 2" $JOLT plan suites/finance --repeats 2
[ "$(grep -Ec '^ +[0-9]+ ' "$out")" = 1 ] && grep -Eq '^ +2 +11\.1 points' "$out" \
	&& ok "one row for the repeats asked" || notok "one row for the repeats asked"
expect_exit 0 "plan with other assumptions" $JOLT plan suites/finance --p0 0.8 --rho 0.5 --comparisons 1
grep -q 'noise = 0.160 = 2 p0' "$out" && ok "noise from --p0 and --rho" || notok "noise from --p0 and --rho"
for bad in "--p0 1.5" "--rho -1" "--repeats 0" "--alpha 1" "--drop 0" "--comparisons 0"; do
	expect_exit 2 "plan $bad is refused" $JOLT plan suites/finance $bad
done
expect_exit 2 "plan without a suite" $JOLT plan
expect_exit 2 "plan with a missing pilot" $JOLT plan suites/finance --pilot "$JOLT_TEST_TMP/none.db"
grep -q 'no such results database' "$JOLT_TEST_TMP/last.err" && ok "names the missing pilot" || notok "names the missing pilot"

# Every shipped suite's README states what `jolt plan` says.
for s in starter swe search finance toolcall; do
	$JOLT plan suites/$s > "$JOLT_TEST_TMP/plan-$s.out" 2>&1
	got=$(awk '/^ +[13] +[0-9.]+ points/ { printf "%s %s %s|", $1, $2, $4 }' "$JOLT_TEST_TMP/plan-$s.out")
	want=$(awk -F'|' '/^\| [13] \| [0-9.]+ points \| [0-9.]+ points \|$/ {
		gsub(/ points/, ""); gsub(/ /, ""); printf "%s %s %s|", $2, $3, $4 }' suites/$s/README.md)
	[ -n "$got" ] && [ "$got" = "$want" ] && ok "suites/$s/README.md agrees with jolt plan ($got)" \
		|| notok "suites/$s/README.md agrees with jolt plan (plan: $got, README: $want)"
done

# A pilot: p0 and the noise between repeats are measured, and agree with
# the report's figures for the same database.
expect_exit 0 "pilot run" $JOLT run tests/fixtures/mini --model sim:noise=0.3 --axes user --levels 1 \
	--repeats 6 --out "$JOLT_TEST_TMP/pilot.db" -q
$JOLT report "$JOLT_TEST_TMP/pilot.db" --format json > "$JOLT_TEST_TMP/pilot.json"
want=$(python3 -c '
import json, sys
m = json.load(open(sys.argv[1]))["summary"]["models"][0]
print("%.3f %.3f %d" % (m["baseline"]["rate"], m["noise"]["flip_rate"], m["noise"]["pairs"]))' "$JOLT_TEST_TMP/pilot.json")
set -- $want
expect_exit 0 "plan --pilot" $JOLT plan tests/fixtures/mini --pilot "$JOLT_TEST_TMP/pilot.db"
grep -q "p0 = $1: .* baseline trials of the pilot" "$out" && ok "p0 measured on the pilot ($1)" \
	|| { notok "p0 measured on the pilot ($1)"; sed 's/^/#   /' "$out"; }
grep -q "^noise = $2: repeats of a pilot baseline disagree .* of $3 pairs" "$out" \
	&& ok "noise measured on the pilot's repeats ($2)" || notok "noise measured on the pilot's repeats"
[ "$(grep -c ASSUMED "$out")" = 0 ] && ok "nothing assumed with a pilot" || notok "nothing assumed with a pilot"
expect_exit 0 "plan --db is --pilot" $JOLT plan tests/fixtures/mini --db "$JOLT_TEST_TMP/pilot.db"
grep -q "p0 = $1" "$out" && ok "--db reads the pilot" || notok "--db reads the pilot"

# check --baseline-only: the same as --axes none.
expect_exit 0 "check --baseline-only" $JOLT check tests/fixtures/mini --baseline-only --no-cache
cp "$out" "$JOLT_TEST_TMP/bo.out"
expect_exit 0 "check --axes none" $JOLT check tests/fixtures/mini --axes none --no-cache
cmp -s "$out" "$JOLT_TEST_TMP/bo.out" && ok "same output as --axes none" || notok "same output as --axes none"
grep -q '^2 tasks and 0 variants checked: 0 failures, 0 errors$' "$out" && ok "baselines only" || notok "baselines only"
expect_exit 2 "--baseline-only with --axes" $JOLT check tests/fixtures/mini --baseline-only --axes tool
expect_exit 2 "--baseline-only with --ops" $JOLT check tests/fixtures/mini --baseline-only --ops tool_rename

# Oracle drift: a task whose oracle no longer passes.
mkdir -p "$JOLT_TEST_TMP/drift" && cp -r tests/fixtures/mini/. "$JOLT_TEST_TMP/drift/"
cp tests/fixtures/drifted-ask.yaml "$JOLT_TEST_TMP/drift/tasks/ask.yaml"
expect_exit 1 "check --baseline-only catches the drift" $JOLT check "$JOLT_TEST_TMP/drift" --baseline-only --no-cache
grep -q '^FAIL  mini/ask/baseline' "$out" && ok "names the task" || notok "names the task"
expect_exit 0 "run with a drifted oracle" $JOLT run "$JOLT_TEST_TMP/drift" --model sim:oracle --axes user \
	--levels 1 --out "$JOLT_TEST_TMP/drift.db" -q
n=$(sed -n 's/.* \([0-9][0-9]*\) refused because their oracle fails.*/\1/p' "$out")
[ "${n:-0}" -gt 0 ] && ok "the run refuses $n variants" || notok "the run refuses variants"
expect_exit 0 "report md" $JOLT report "$JOLT_TEST_TMP/drift.db"
grep -q "^$n variants were refused before the run" "$out" && ok "md says how many" || notok "md says how many"
grep -q '^| mini | ask | user.user_typo | 1 | 1 | grade' "$out" && ok "md says which" || notok "md says which"
expect_exit 0 "report json" $JOLT report "$JOLT_TEST_TMP/drift.db" --format json
python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))["refused_variants"]
assert len(r) == int(sys.argv[2]), len(r)
assert all(x["task"] == "ask" and x["suite"] == "mini" and x["level"] == 1 and x["seed"] == 1 for x in r)
assert r[0]["variant"] == "ask/user.user_typo@1#1", r[0]
' "$out" "$n" && ok "json lists each (task, operator, level, seed)" || notok "json lists each refused variant"
expect_exit 0 "report html" $JOLT report "$JOLT_TEST_TMP/drift.db" --format html
[ "$(grep -o '<td>ask</td><td>user\.[a-z_]*</td><td>1</td><td>1</td>' "$out" | wc -l)" = "$n" ] \
	&& ok "html lists them" || notok "html lists them"
# A resumed run records them again; the report counts each once.
expect_exit 0 "resume" $JOLT run "$JOLT_TEST_TMP/drift" --model sim:oracle --axes user --levels 1 \
	--out "$JOLT_TEST_TMP/drift.db" --resume -q
expect_exit 0 "report after resume" $JOLT report "$JOLT_TEST_TMP/drift.db"
grep -q "^$n variants were refused" "$out" && ok "each refused variant once" || notok "each refused variant once"
# A database from before refusals were read (no rejected_variants) loads.
sqlite3 "$JOLT_TEST_TMP/drift.db" "UPDATE runs SET config = json_remove(config, '\$.rejected_variants')"
expect_exit 0 "report an older database" $JOLT report "$JOLT_TEST_TMP/drift.db"
grep -q '^No variant was refused' "$out" && ok "an older database has none" || notok "an older database has none"
echo "1..$T"
