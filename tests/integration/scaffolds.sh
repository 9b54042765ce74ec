# scaffolds.sh - the scaffold swap end to end: the oracle passes every
# starter task under every scaffold, in process and over HTTP in every
# dialect; a planted per-scaffold sensitivity gives the same outcomes in
# process and served; text scaffolds put no tools field on the wire; an
# unknown scaffold is a usage error.
. tests/integration/lib.sh
T0=$JOLT_TEST_TMP/scaffolds
mkdir -p "$T0"
log=$T0/serve.log
serve_up "$log" --suite suites/starter --verbose

all=native,xml,json,react
count() { sqlite3 "$1" "select count(*) from trials where $2"; }

# in process: every task passes under every scaffold
$JOLT run suites/starter --model sim:oracle --axes none --scaffold $all \
	--out "$T0/oracle.db" -q >/dev/null 2>&1
n=$(count "$T0/oracle.db" "outcome='pass'")
s=$(sqlite3 "$T0/oracle.db" "select count(distinct scaffold) from trials")
[ "$n" -eq 64 ] && [ "$s" -eq 4 ] && ok "sim:oracle passes 16 tasks x 4 scaffolds in process" \
	|| notok "sim:oracle in process: $n of 64 pass over $s scaffolds"

# over HTTP, each dialect
for d in openai anthropic m2; do
	case $d in
	anthropic) url=http://127.0.0.1:$P/anthropic ;;
	*) url=http://127.0.0.1:$P/v1 ;;
	esac
	$JOLT run suites/starter --model "$d:sim:oracle@$url" --axes none \
		--scaffold $all --out "$T0/$d.db" -q >/dev/null 2>&1
	n=$(count "$T0/$d.db" "outcome='pass'")
	[ "$n" -eq 64 ] && ok "$d: sim:oracle passes 16 tasks x 4 scaffolds over HTTP" \
		|| notok "$d: $n of 64 pass ($(sqlite3 "$T0/$d.db" "select detail from trials where outcome!='pass' limit 1"))"
done

# a planted sensitivity: served outcomes equal in-process ones
prof='scaffold.xml=0.5,scaffold.react=0.3'
$JOLT run suites/starter --model "sim:$prof" --axes none --repeats 2 \
	--scaffold native,xml,react --out "$T0/in.db" -q >/dev/null 2>&1
$JOLT run suites/starter --model "openai:sim:$prof@http://127.0.0.1:$P/v1" --axes none \
	--repeats 2 --scaffold native,xml,react --out "$T0/http.db" -q >/dev/null 2>&1
q="select scaffold, task, repeat, outcome from trials order by 1, 2, 3"
a=$(sqlite3 "$T0/in.db" "$q"); b=$(sqlite3 "$T0/http.db" "$q")
fx=$(count "$T0/in.db" "scaffold='xml' and outcome='fail'")
fn=$(count "$T0/in.db" "scaffold='native' and outcome='fail'")
[ -n "$a" ] && [ "$a" = "$b" ] && [ "$fx" -gt 5 ] && [ "$fn" -eq 0 ] \
	&& ok "planted scaffold drops: $fx xml failures, none native; served = in process" \
	|| notok "planted scaffold drops: xml fails $fx, native $fn; same outcomes: $([ "$a" = "$b" ] && echo yes || echo no)"

# the report measures the swap against native
$JOLT report "$T0/in.db" --format json -o "$T0/in.json" >/dev/null 2>&1
python3 - "$T0/in.json" <<'PY' && ok "report: xml and react compared with native, drops in the json summary" || notok "report: scaffold comparison missing or wrong"
import json, sys
s = json.load(open(sys.argv[1]))["summary"]["by_scaffold"]
got = {c["scaffold"]: c for c in s}
assert set(got) == {"xml", "react"}, got.keys()
assert all(c["ref_scaffold"] == "native" for c in s)
assert got["xml"]["drop"]["est"] > got["react"]["drop"]["est"] > 0
PY
$JOLT report "$T0/in.db" --format md -o "$T0/in.md" >/dev/null 2>&1
check "report: a Scaffold swap section in Markdown" grep -q '^## Scaffold swap' "$T0/in.md"

expect_exit 2 "--scaffold nope is a usage error" \
	$JOLT run suites/starter --scaffold native,nope --axes none --out "$T0/x.db"
grep -q "'nope': unknown scaffold (known: native, xml, json, react)" "$JOLT_TEST_TMP/last.err" \
	&& ok "the message names the unknown scaffold and lists the known ones" \
	|| notok "message: $(cat "$JOLT_TEST_TMP/last.err")"
expect_exit 2 "sim:scaffold.native=0.5 is refused: native is the policy's home" \
	$JOLT run suites/starter --model sim:scaffold.native=0.5 --axes none --out "$T0/y.db"
