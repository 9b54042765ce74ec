# merge.sh - four shards of a run (jolt run --shard K/4) merged with
# `jolt merge` give exactly the trials and the report of the same run
# unsharded; a shard is refused when its configuration differs (unless
# --force) and a trial stored with two results is refused always; export
# writes every trial once, with its trace.
. tests/integration/lib.sh
T0=$JOLT_TEST_TMP/merge
mkdir -p "$T0"
sel="--model sim:brittle --axes tool,user --ops tool_rename,user_typo --levels 1 --repeats 2 --tasks fin-*,doc-bridge-year -q"

$JOLT run suites/starter $sel --out "$T0/all.db" >/dev/null 2>&1
for k in 0 1 2 3; do
	$JOLT run suites/starter $sel --shard $k/4 --out "$T0/s$k.db" >/dev/null 2>&1
done
n=$(sqlite3 "$T0/all.db" "select count(*) from trials")
sum=0; empty=0
for k in 0 1 2 3; do
	c=$(sqlite3 "$T0/s$k.db" "select count(*) from trials")
	sum=$((sum + c)); [ "$c" -eq 0 ] && empty=1
done
[ "$n" -eq 30 ] && [ "$sum" -eq "$n" ] && [ $empty -eq 0 ] &&
	ok "four non-empty shards partition the run's $n trials" ||
	notok "shards hold $sum trials (one empty: $empty), the run $n"

expect_exit 0 "merge the four shards" $JOLT merge "$T0/m.db" "$T0/s0.db" "$T0/s1.db" "$T0/s2.db" "$T0/s3.db"
grep -q "^30 trials from 4 databases (0 stored in more than one)" "$JOLT_TEST_TMP/last.out" &&
	ok "merge reports 30 trials" || notok "merge said: $(cat "$JOLT_TEST_TMP/last.out")"
# Everything but the timing (latency, finish time, row ids).
q="select key, model, scaffold, suite, task, variant, axis, operator, level, seed, repeat,
   outcome, reward, steps, tokens_in, tokens_out, error_class, malformed_calls, answer, detail
   from trials order by key"
sqlite3 "$T0/all.db" "$q" > "$T0/all.txt"
sqlite3 "$T0/m.db" "$q" > "$T0/m.txt"
cmp -s "$T0/all.txt" "$T0/m.txt" && ok "the merged trials are the unsharded run's" ||
	{ notok "merged trials differ"; diff "$T0/all.txt" "$T0/m.txt" | head -5 | sed 's/^/#   /'; }
t=$(sqlite3 "$T0/m.db" "select count(*) from traces t join trials r on r.id = t.trial_id")
[ "$t" -eq 30 ] && ok "every merged trial has its trace" || notok "$t traces"
# The report, with the database names and the latency column set aside.
rep() { $JOLT report "$1" | grep -v '^- `' | sed -E 's/\| [0-9]+ \|$/| - |/'; }
rep "$T0/all.db" > "$T0/all.md"
rep "$T0/m.db" > "$T0/m.md"
cmp -s "$T0/all.md" "$T0/m.md" && grep -q '## Robustness by axis' "$T0/m.md" &&
	ok "the merged report is the unsharded run's" ||
	{ notok "merged report differs"; diff "$T0/all.md" "$T0/m.md" | head -5 | sed 's/^/#   /'; }

expect_exit 0 "a shard merged twice is one copy" $JOLT merge "$T0/twice.db" "$T0/s0.db" "$T0/s0.db"
a=$(sqlite3 "$T0/s0.db" "select count(*) from trials"); b=$(sqlite3 "$T0/twice.db" "select count(*) from trials")
[ "$a" -eq "$b" ] && ok "no duplicated trial ($b)" || notok "$a trials became $b"

cp "$T0/s1.db" "$T0/changed.db"
sqlite3 "$T0/changed.db" "update trials set outcome = case outcome when 'pass' then 'fail' else 'pass' end
	where id = (select min(id) from trials)"
expect_exit 2 "a trial with two results: refused" $JOLT merge --force "$T0/bad.db" "$T0/s1.db" "$T0/changed.db"
grep -q "is stored with a different result" "$JOLT_TEST_TMP/last.err" && [ ! -e "$T0/bad.db" ] &&
	ok "named, and no partial database left" || notok "conflict: $(cat "$JOLT_TEST_TMP/last.err")"

$JOLT run suites/starter --model sim:brittle --axes none --tasks fin-lookup-close -q --out "$T0/other.db" >/dev/null 2>&1
expect_exit 2 "another run's database: refused" $JOLT merge "$T0/o.db" "$T0/s1.db" "$T0/other.db"
grep -q "differs in 'axes'" "$JOLT_TEST_TMP/last.err" && ok "the differing field is named" ||
	notok "config: $(cat "$JOLT_TEST_TMP/last.err")"
expect_exit 0 "--force merges it" $JOLT merge --force "$T0/o.db" "$T0/s1.db" "$T0/other.db"
expect_exit 2 "OUT that exists: refused" $JOLT merge "$T0/m.db" "$T0/s1.db"
expect_exit 2 "a source that is not a database: refused" $JOLT merge "$T0/x.db" "$T0/all.md"

$JOLT export "$T0/m.db" -o "$T0/m.jsonl"
lines=$(wc -l < "$T0/m.jsonl")
python3 -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
keys = {r["key"] for r in rows}
assert len(keys) == len(rows) == 30, len(rows)
assert all(isinstance(r["trace"], (dict, list)) and r["trace"] for r in rows)
assert {r["outcome"] for r in rows} <= {"pass", "fail", "infra_error"}
' "$T0/m.jsonl" && ok "export jsonl: $lines trials, each once, with its trace" || notok "export jsonl"
$JOLT export "$T0/m.db" --format csv -o "$T0/m.csv"
$JOLT report "$T0/m.db" --format csv -o "$T0/r.csv"
cmp -s "$T0/m.csv" "$T0/r.csv" && [ "$(wc -l < "$T0/m.csv")" -eq 31 ] &&
	ok "export csv: the report's 30 rows" || notok "export csv"
expect_exit 2 "export --format xml: usage error" $JOLT export "$T0/m.db" --format xml
echo "1..$T"
