# suite_swe.sh - the swe suite: at least 60 tasks, each pinned to its own
# commit; on a fixed sample (one task per project) the oracle passes and
# the planted mistake fails under the environment operators that touch a
# repository, sim:oracle passes and an agent that gives up at once fails;
# the generator reproduces the committed suite byte for byte.
. tests/integration/lib.sh
S=suites/swe
small=$JOLT_TEST_TMP/swe-sample
rm -rf "$small"
mkdir -p "$small/tasks"
cp "$S/suite.yaml" "$small/"
ln -s "$(pwd)/$S/env" "$small/env"
for t in toml-offset-sign xml-attr-swap blinker-weak-default; do
	cp "$S/tasks/$t.yaml" "$small/tasks/"
done

n=$(ls "$S/tasks" | wc -l)
[ "$n" -ge 60 ] && ok "swe has $n tasks (>= 60)" || notok "swe has only $n tasks"
# every task pins its own commit of the shared repository
nrev=$(grep -h '^env: {rev: "[0-9a-f]\{40\}"}$' "$S"/tasks/*.yaml | sort -u | wc -l)
[ "$nrev" = "$n" ] && ok "every task pins its own revision ($nrev)" \
	|| notok "$nrev distinct task revisions for $n tasks"

# the sample: baselines, then the env operators that act on a repository
# (noise, reformat, extra history, locale; move_files leaves these files
# alone, since code names them) at their heaviest level, seed 1
expect_exit 0 "jolt check swe sample: baselines and env operators" \
	$JOLT check "$small" --axes env --ops move_files,noise_files,reformat_unrelated,git_history,locale_tz --levels 3 --failures-only
nv=$(sed -n 's/.* and \([0-9]*\) variants checked: 0 failures, 0 errors/\1/p' "$JOLT_TEST_TMP/last.out")
[ "${nv:-0}" -ge 12 ] && ok "$nv swe variants checked, none failing" || notok "swe variants checked: ${nv:-none}"

# the memo of sandboxed commands: variants that leave the tree as the
# baseline left it run their tests once; the outcomes equal a check that
# runs every command (--no-cache)
one="--tasks xml-attr-swap --ops tool_rename,user_case,locale_tz,truncate --levels 1"
$JOLT check "$small" $one --workers 1 --cache "$JOLT_TEST_TMP/swe-memo-cache" > "$JOLT_TEST_TMP/memo.out" 2> "$JOLT_TEST_TMP/memo.err"
$JOLT check "$small" $one --no-cache > "$JOLT_TEST_TMP/nomemo.out" 2> "$JOLT_TEST_TMP/nomemo.err"
cmp -s "$JOLT_TEST_TMP/memo.out" "$JOLT_TEST_TMP/nomemo.out" && grep -q ' 0 failures, 0 errors' "$JOLT_TEST_TMP/memo.out" &&
	ok "check with the command memo prints what --no-cache does" ||
	{ notok "check with the command memo prints what --no-cache does"; diff "$JOLT_TEST_TMP/memo.out" "$JOLT_TEST_TMP/nomemo.out" | head -5 | sed 's/^/#   /'; }
set -- $(sed -n 's/^check: \([0-9]*\) sandboxed commands run, \([0-9]*\) more answered.*/\1 \2/p' "$JOLT_TEST_TMP/memo.err")
# one worker, so the count is exact: the 5 oracle replays run the tests
# and the grader (10 commands), the 4 planted mistakes and 2 sim:null
# replays (the baseline's and locale_tz's, the one variant whose files or
# environment differ) the grader on the unfixed tree (6); run are the
# baseline's 2, locale_tz's 2 (another TZ) and one grader of the unfixed
# tree per TZ; the other 10 are answered
[ "$1 $2" = "6 10" ] && ! grep -q 'sandboxed commands' "$JOLT_TEST_TMP/nomemo.err" &&
	ok "the memo answered ${2:-0} commands and ran ${1:-?}" ||
	notok "memo counts: run ${1:-none}, answered ${2:-none}"

db=$JOLT_TEST_TMP/swe.db
expect_exit 0 "run swe sample on sim:oracle" $JOLT run "$small" --model sim:oracle --axes none --out "$db" -q
pass=$(sqlite3 "$db" "select count(*) from trials where outcome='pass'")
total=$(sqlite3 "$db" "select count(*) from trials")
[ "$total" = 3 ] && [ "$pass" = 3 ] && ok "sim:oracle passes the 3 sampled tasks" \
	|| notok "sim:oracle passed $pass of $total"
# doing nothing must not pass: noise=1 gives up at the first turn
dbn=$JOLT_TEST_TMP/swe-giveup.db
expect_exit 0 "run swe sample on sim:noise=1" $JOLT run "$small" --model sim:noise=1 --axes none --out "$dbn" -q
pn=$(sqlite3 "$dbn" "select count(*) from trials where outcome='pass'")
tn=$(sqlite3 "$dbn" "select count(*) from trials")
[ "$tn" = 3 ] && [ "$pn" = 0 ] && ok "giving up at once passes none of the sampled tasks" \
	|| notok "giving up passed $pn of $tn"

# reproducibility: the generator, run into a scratch directory, writes the
# committed suite byte for byte (needs Debian's python3-toml,
# python3-xmltodict and python3-blinker, which hold the library sources)
if [ -f /usr/lib/python3/dist-packages/toml/decoder.py ] &&
	[ -f /usr/lib/python3/dist-packages/xmltodict.py ] &&
	[ -f /usr/lib/python3/dist-packages/blinker/base.py ]; then
	gen=$JOLT_TEST_TMP/swe-gen
	rm -rf "$gen"
	expect_exit 0 "gen_swe.py into a scratch directory" python3 scripts/suites/gen_swe.py --out "$gen"
	if diff -r "$gen/suite.yaml" "$S/suite.yaml" >/dev/null &&
		diff -r "$gen/tasks" "$S/tasks" >/dev/null &&
		diff -r "$gen/env" "$S/env" >/dev/null; then
		ok "generator output is identical to suites/swe"
	else
		notok "generator output differs from suites/swe"
	fi
else
	ok "# skip generator reproducibility: python3-toml, python3-xmltodict or python3-blinker not installed"
fi
