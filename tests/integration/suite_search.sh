# suite_search.sh - the search suite: its generator reproduces it byte for
# byte, every baseline oracle passes on sim:oracle, every search the oracle
# makes shows (through the real builtin) the document it opens next, and a
# fixed sample of variants keeps its oracle passing and its mistake failing.
. tests/integration/lib.sh
S=suites/search
gen=$JOLT_TEST_TMP/search-gen
if python3 scripts/suites/gen_search.py --out "$gen" > /dev/null 2> "$JOLT_TEST_TMP/gen.err" &&
	diff -r "$S/tasks" "$gen/tasks" > /dev/null && diff -r "$S/env" "$gen/env" > /dev/null &&
	cmp -s "$S/suite.yaml" "$gen/suite.yaml"; then
	ok "gen_search.py reproduces suites/search byte for byte"
else
	notok "gen_search.py output differs from suites/search"
	sed 's/^/#   /' "$JOLT_TEST_TMP/gen.err" | head -5
fi
ntask=$(ls "$S/tasks" | wc -l)
ndoc=$(find "$S/env/docs" -type f | wc -l)
[ "$ntask" -ge 50 ] && [ "$ndoc" -ge 300 ] && ok "$ntask tasks over $ndoc documents" \
	|| notok "size: $ntask tasks, $ndoc documents"

db=$JOLT_TEST_TMP/search.db
expect_exit 0 "run search on sim:oracle" $JOLT run $S --model sim:oracle --axes none --out "$db" -q -j 4
total=$(sqlite3 "$db" "select count(*) from trials")
pass=$(sqlite3 "$db" "select count(*) from trials where outcome='pass'")
[ "$total" = "$ntask" ] && [ "$total" = "$pass" ] && ok "sim:oracle passes all $total baselines" \
	|| notok "sim:oracle passed $pass of $total (want $ntask)"
# The real search builtin, not the generator's mirror of it: every id the
# oracle opens is in the output of the search just before.
res=$(python3 - "$db" << 'EOF'
import json, sqlite3, sys
bad = n = 0
for (trace,) in sqlite3.connect(sys.argv[1]).execute("select trace from traces"):
    last = None
    for m in json.loads(trace)["messages"]:
        if m.get("role") == "tool" and m.get("name") == "search":
            last = m.get("content", "")
        for c in m.get("tool_calls") or []:
            if c["name"] == "open":
                n += 1
                ids = [l.split("\t")[0] for l in (last or "").splitlines()]
                if c["arguments"]["id"] not in ids:
                    bad += 1
print(bad, n)
EOF
)
miss=${res% *}
opens=${res#* }
[ "$miss" = 0 ] && [ "$opens" -ge $((2 * ntask)) ] && ok "every one of $opens opened documents was in the search result before it" \
	|| notok "opened documents missing from the preceding search: ${miss:-?} (of $opens)"

# A deterministic sample, kept small because every trial copies the whole
# corpus: the longest chain (four documents) at seed 1 under the operators
# that touch the corpus or the search output.
sub=$JOLT_TEST_TMP/search-sub
mkdir -p "$sub/tasks"
cp "$S/suite.yaml" "$sub/"
ln -s "$(pwd)/$S/env" "$sub/env"
cp "$S/tasks/teacher-birthplace-founded-1.yaml" "$sub/tasks/"
expect_exit 0 "jolt check: sample of search variants" $JOLT check "$sub" --failures-only \
	--ops move_files,noise_files,reformat_unrelated,truncate
nv=$(sed -n 's/.* and \([0-9]*\) variants checked: 0 failures, 0 errors/\1/p' "$JOLT_TEST_TMP/last.out")
[ "${nv:-0}" -ge 12 ] && ok "$nv sampled variants checked, none failing" || notok "sampled variants checked: ${nv:-none}"
