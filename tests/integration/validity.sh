#!/bin/sh
# validity.sh - jolt check's label-free checks on a small fixture: every
# invariant variant must change what the model is shown (else it is not
# applicable, and an operator that changes nothing anywhere fails),
# sim:null must fail every baseline and invariant variant, and
# sim:literal's break rate (--teeth) separates operators that change the
# task's mechanics from cosmetic ones.
. "$(dirname "$0")/lib.sh"
FX=tests/fixtures/validity

expect_exit 0 "jolt check --teeth passes the fixture" \
	$JOLT check $FX --teeth --failures-only
cp "$JOLT_TEST_TMP/last.out" "$JOLT_TEST_TMP/teeth.out"
# The "all" column of an operator's teeth row, e.g. 100%.
teeth() { awk -v op="$1" '$1 == op && $NF ~ /%$/ { v = $NF } END { print v }' \
	"$JOLT_TEST_TMP/teeth.out"; }
for op in tool_rename param_rename move_files number_format reformat transient; do
	t=$(teeth $op)
	[ -n "$t" ] && [ "$t" != "0%" ] && ok "$op has teeth ($t)" \
		|| notok "$op has no teeth (${t:-no row})"
done
for op in user_whitespace user_case sys_padding user_typo sys_persona; do
	t=$(teeth $op)
	[ "$t" = "0%" ] && ok "cosmetic $op has no teeth" \
		|| notok "cosmetic $op has teeth (${t:-no row})"
done
grep -q '^  tool_rename *3/3$' "$JOLT_TEST_TMP/teeth.out" \
	&& ok "applicability: tool_rename changes all 3 tasks" \
	|| notok "applicability of tool_rename not 3/3"
grep -q '^  move_files *2/3$' "$JOLT_TEST_TMP/teeth.out" \
	&& ok "applicability: move_files applies to the 2 tasks reading a file" \
	|| notok "applicability of move_files not 2/3"
n=$(sed -n 's/^sim:null fails \([0-9]*\) of \([0-9]*\) .*/\1 \2/p' "$JOLT_TEST_TMP/teeth.out")
set -- $n
[ -n "$1" ] && [ "$1" = "$2" ] && [ "$1" -gt 100 ] \
	&& ok "sim:null fails all $1 baselines and variants" \
	|| notok "sim:null: '$n'"

# An operator made a no-op: its variants are not applicable anywhere, and
# check fails naming it (its oracle passes and its give-up fails, so the
# old checks alone would have let it through).
expect_exit 1 "check fails when an operator is a no-op" \
	env JOLT_TEST_NOOP_OP=user_case $JOLT check $FX --ops user_case,user_tone
grep -q '^FAIL  operator user_case: its 9 variants change nothing' "$JOLT_TEST_TMP/last.out" \
	&& ok "the no-op operator is named" || notok "no-op operator not named"
grep -q '^n/a   validity/price/user.user_case@1#1: the request' "$JOLT_TEST_TMP/last.out" \
	&& ok "its variants are listed as not applicable" || notok "no n/a line"
grep -q '^9 variants not applicable' "$JOLT_TEST_TMP/last.out" \
	&& ok "not-applicable variants are counted apart" || notok "n/a count"
grep -q 'operator user_tone' "$JOLT_TEST_TMP/last.out" \
	&& notok "user_tone blamed" || ok "the working operator is not blamed"

# jolt run does not run them either.
expect_exit 0 "jolt run skips the no-op operator's variants" \
	env JOLT_TEST_NOOP_OP=user_case $JOLT run $FX --model sim:oracle \
	--ops user_case,user_tone --out "$JOLT_TEST_TMP/noop.db" --quiet
grep -q '9 not applicable' "$JOLT_TEST_TMP/last.out" \
	&& ok "run reports 9 variants not applicable" || notok "run: $(cat "$JOLT_TEST_TMP/last.out")"
grep -q '^12 trials run' "$JOLT_TEST_TMP/last.out" \
	&& ok "run: 3 baselines and 9 user_tone trials, no user_case" \
	|| notok "run: $(head -1 "$JOLT_TEST_TMP/last.out")"

# A grader loose enough to pass a do-nothing agent.
L="$JOLT_TEST_TMP/loose"
cp -r $FX "$L"
sed -i 's/answer: {number: 27, tolerance: 0}/answer: {regex: ".*"}/' "$L/tasks/settings.yaml"
expect_exit 1 "check fails on a grader that accepts any answer" \
	$JOLT check "$L" --axes user --failures-only
grep -q '^FAIL  validity/settings/baseline: sim:null passes its graders' "$JOLT_TEST_TMP/last.out" \
	&& ok "the loose grader's task is named" || notok "loose grader not named"
grep -q 'FAIL  validity/price' "$JOLT_TEST_TMP/last.out" \
	&& notok "a sound task blamed" || ok "sound tasks are not blamed"

# The policies themselves, in jolt run: sim:null fails every baseline,
# sim:literal passes every baseline and fails a renamed tool.
expect_exit 0 "jolt run sim:null,sim:literal" \
	$JOLT run $FX --model sim:null --model sim:literal --ops tool_rename --levels 1 \
	--out "$JOLT_TEST_TMP/pol.db" --quiet
q() { sqlite3 "$JOLT_TEST_TMP/pol.db" "$1"; }
[ "$(q "select count(*) from trials where model='sim:null' and outcome='pass'")" = 0 ] \
	&& ok "sim:null passes nothing" || notok "sim:null passed something"
[ "$(q "select count(*) from trials where model='sim:literal' and axis='baseline' and outcome='pass'")" = 3 ] \
	&& ok "sim:literal passes the 3 baselines" || notok "sim:literal baselines"
[ "$(q "select count(*) from trials where model='sim:literal' and operator='tool_rename' and outcome='fail'")" = 3 ] \
	&& ok "sim:literal fails the 3 renamed variants" || notok "sim:literal renames"

# The response axis in jolt run: judged on the baseline oracle's tool
# results, as jolt check judges it. reformat numbers the lines of
# settings.txt (visible) but leaves the empty blank.txt empty (not).
R=tests/fixtures/validity-response
expect_exit 0 "jolt check lists reformat on the empty result as n/a" \
	$JOLT check $R --ops reformat
[ "$(grep -c "^n/a   validity-response/blank/response.reformat@" "$JOLT_TEST_TMP/last.out")" = 3 ] \
	&& ok "check: the 3 reformat variants of blank are n/a" || notok "check n/a lines"
expect_exit 0 "jolt run skips the response variants that change no result" \
	$JOLT run $R --model sim:oracle --ops reformat --out "$JOLT_TEST_TMP/resp.db" --quiet
grep -q '^6 variants, 0 refused because their oracle fails, 3 not applicable' "$JOLT_TEST_TMP/last.out" \
	&& ok "run: 3 of 6 reformat variants not applicable" || notok "run: $(cat "$JOLT_TEST_TMP/last.out")"
grep -q '^5 trials run' "$JOLT_TEST_TMP/last.out" \
	&& ok "run: 2 baselines and the 3 visible reformat variants" \
	|| notok "run: $(head -1 "$JOLT_TEST_TMP/last.out")"
q() { sqlite3 "$JOLT_TEST_TMP/resp.db" "$1"; }
[ "$(q "select count(*) from trials where operator='reformat' and task='blank'")" = 0 ] \
	&& ok "no reformat trial of blank" || notok "reformat ran on blank"
[ "$(q "select count(*) from trials where operator='reformat' and task='settings'")" = 3 ] \
	&& ok "the reformat trials of settings ran" || notok "settings reformat trials"
$JOLT report "$JOLT_TEST_TMP/resp.db" > "$JOLT_TEST_TMP/resp.md"
grep -q '^| validity-response | response.reformat | 3 | 1 |$' "$JOLT_TEST_TMP/resp.md" \
	&& ok "md report counts them by operator" || notok "md: no not-applicable row"
grep -q '^3 variants were not run because they change nothing' "$JOLT_TEST_TMP/resp.md" \
	&& ok "md report says why" || notok "md: no not-applicable count"
n=$($JOLT report "$JOLT_TEST_TMP/resp.db" --format json | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(len([x for x in d["inapplicable_variants"] if x["task"] == "blank" and x["operator"] == "response.reformat"]))')
[ "$n" = 3 ] && ok "json report lists the 3" || notok "json: $n"

# sim:literal judges the same over jolt serve as in process: the served
# simulator replays each task's baseline for the form of its results, so
# a format change has the same teeth (before, over HTTP it stopped only
# at tool errors and read through every reformatted result: no teeth).
expect_exit 0 "teeth of reformat in process" \
	$JOLT check $FX --ops reformat --teeth --failures-only
want=$(awk '$1 == "reformat" && $NF ~ /%$/ { print $(NF-1) }' "$JOLT_TEST_TMP/last.out")
[ "$want" = 6/6 ] && ok "check --teeth: reformat breaks sim:literal 6/6" || notok "teeth '$want'"
broken() { sqlite3 "$1" "select sum(outcome='fail') || '/' || count(*) from trials where operator='reformat'"; }
expect_exit 0 "jolt run sim:literal in process" \
	$JOLT run $FX --model sim:literal --ops reformat --out "$JOLT_TEST_TMP/lit.db" --quiet
got=$(broken "$JOLT_TEST_TMP/lit.db")
[ "$got" = "$want" ] && ok "run in process: reformat breaks sim:literal $got" || notok "in process: $got, want $want"
serve_up "$JOLT_TEST_TMP/serve.log" --suite $FX --verbose
expect_exit 0 "jolt run sim:literal over jolt serve" \
	$JOLT run $FX --model "openai:sim:literal@http://127.0.0.1:$P/v1" --ops reformat \
	--out "$JOLT_TEST_TMP/lit-http.db" --quiet
got=$(broken "$JOLT_TEST_TMP/lit-http.db")
[ "$got" = "$want" ] && ok "over HTTP: reformat breaks sim:literal $got, as in process" \
	|| notok "over HTTP: $got, want $want"
[ "$(sqlite3 "$JOLT_TEST_TMP/lit-http.db" "select count(*) from trials where axis='baseline' and outcome='pass'")" = 3 ] \
	&& ok "over HTTP sim:literal still passes the 3 baselines" || notok "served baselines"
[ "$(grep -c "sim:literal: validity/.*'s baseline replayed" "$JOLT_TEST_TMP/serve.log")" = 3 ] \
	&& ok "serve replayed each task's baseline once" || notok "serve replays: $(grep -c literal "$JOLT_TEST_TMP/serve.log")"
kill $SPID 2>/dev/null
echo "1..$T"
