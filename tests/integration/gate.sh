# gate.sh - `jolt gate` end to end on small runs of the simulator: a
# planted tool drop against a clean baseline run exits 1 and its JUnit
# names the tool axis; the same without the planted drop exits 0; a run
# with too many infra errors (jolt serve --faults) exits 3; a run whose
# every trial is an infra error exits 3 from `jolt run` itself, naming the
# cause; bad input exits 2; `jolt report --format junit` and the
# Markdown verdict.
. tests/integration/lib.sh
T0=$JOLT_TEST_TMP/gate
mkdir -p "$T0"
sel="--axes tool --ops tool_rename,param_rename --levels 1 --repeats 2 --tasks fin-* -q"

$JOLT run suites/starter --model sim:oracle $sel --out "$T0/clean.db" >/dev/null 2>&1
$JOLT run suites/starter --model sim:tool=0.8 $sel --out "$T0/drop.db" >/dev/null 2>&1
$JOLT run suites/starter --model sim:system=0.8 $sel --out "$T0/nodrop.db" >/dev/null 2>&1
n=$(sqlite3 "$T0/drop.db" "select count(*) from trials")
[ "$n" -eq 24 ] && ok "runs: 24 trials each" || notok "planted run: $n trials, want 24"

expect_exit 1 "planted tool drop against a clean baseline run: exit 1" \
	$JOLT gate "$T0/drop.db" --baseline "$T0/clean.db" --max-drop 0.1 \
	--junit "$T0/drop.xml"
cp "$JOLT_TEST_TMP/last.out" "$T0/drop.md"
grep -q '<testcase classname="jolt.sim:tool=0.8.native" name="drop: tool">' "$T0/drop.xml" &&
	grep -A1 'name="drop: tool">' "$T0/drop.xml" | grep -q '<failure type="drop"' &&
	ok "junit: the tool axis fails" || notok "junit does not fail the tool axis"
grep -A1 'name="regression: tool vs sim:oracle">' "$T0/drop.xml" | grep -q '<failure' &&
	ok "junit: the regression against the baseline run fails on the tool axis" ||
	notok "junit: no failed regression on the tool axis"
grep -q '^## jolt gate: FAIL' "$T0/drop.md" && grep -q '^### Failed checks' "$T0/drop.md" &&
	grep -q '| FAILED | sim:tool=0.8 | native | drop: tool |' "$T0/drop.md" &&
	ok "markdown: verdict and the failed tool drop" || notok "markdown verdict"
# 4 tasks: too few to detect any drop at 80% power, so the gate warns
# that it cannot enforce its 10-point limit (its verdict stands).
grep -q "^- sim:tool=0.8 / native, drop: tool: this run cannot reliably detect (at 80% power) a drop of any size up to the clean pass rate of 100.0%; the gate's threshold of 10.0 pts is below that\$" "$T0/drop.md" &&
	grep -q '| drop: tool | 81.2% \[43.8%, 100.0%\] | n/a (above limit) | <= 10.0% |' "$T0/drop.md" &&
	ok "markdown: the detectable drop and the warning" || notok "markdown: no detectable-drop warning"
grep -A3 'name="drop: tool">' "$T0/drop.xml" | grep -q "<system-err>warning: this run cannot reliably detect" &&
	ok "junit: the warning in system-err" || notok "junit: no warning"
xmllint --noout "$T0/drop.xml" 2>/dev/null || python3 -c "import sys,xml.dom.minidom as m; m.parse(sys.argv[1])" "$T0/drop.xml" &&
	ok "junit is well-formed XML" || notok "junit is not well-formed"

expect_exit 0 "no planted tool drop (a system sensitivity only): exit 0" \
	$JOLT gate "$T0/nodrop.db" --baseline "$T0/clean.db" --max-drop 0.1 \
	--junit "$T0/nodrop.xml"
grep -q 'failures="0" errors="0"' "$T0/nodrop.xml" && ok "junit: no failure" ||
	notok "junit of the clean run has failures"
expect_exit 0 "the baseline run against itself: exit 0" \
	$JOLT gate "$T0/clean.db" --baseline "$T0/clean.db"
# A drop above the limit but judged on one axis only: --axis user skips it.
expect_exit 0 "--axis user: the tool drop is not judged" \
	$JOLT gate "$T0/drop.db" --axis user
# A limit above the drop: significant but small enough.
expect_exit 0 "--max-drop 1: no drop exceeds it" $JOLT gate "$T0/drop.db" --max-drop 1
# Noise with no planted drop: baselines and variants fail alike.
$JOLT run suites/starter --model sim:noise=0.3 $sel --out "$T0/noisy.db" >/dev/null 2>&1
expect_exit 0 "a noisy model with no planted drop: exit 0" \
	$JOLT gate "$T0/noisy.db" --baseline "$T0/clean.db" --max-drop 0.1
expect_exit 1 "--min-pass above the noisy baseline pass rate: exit 1" \
	$JOLT gate "$T0/noisy.db" --min-pass 0.99
expect_exit 0 "--min-pass at the baseline pass rate: exit 0" \
	$JOLT gate "$T0/clean.db" --min-pass 1.0

$JOLT report "$T0/drop.db" --format junit -o "$T0/report.xml"
grep -A1 'name="drop: tool">' "$T0/report.xml" | grep -q '<failure' &&
	ok "report --format junit: the tool drop fails at the default limits" ||
	notok "report --format junit"

# Infra errors: a server failing a third of requests, no retries.
log=$T0/serve.log
$JOLT serve --listen 127.0.0.1:0 --suite suites/starter --faults 500:0.3 > "$log" 2>&1 &
spid=$!
trap 'kill $spid 2>/dev/null' EXIT
i=0
while [ $i -lt 100 ] && ! grep -q 'port [0-9]' "$log"; do sleep 0.1; i=$((i + 1)); done
P=$(sed -n 's/.*(port \([0-9]*\)).*/\1/p' "$log" | head -1)
$JOLT run suites/starter --model "openai:sim:oracle@http://127.0.0.1:$P/v1" --retries 0 \
	$sel --out "$T0/faults.db" >/dev/null 2>&1
kill $spid 2>/dev/null
ni=$(sqlite3 "$T0/faults.db" "select count(*) from trials where outcome='infra_error'")
[ "$ni" -gt 2 ] && ok "faults: $ni infra errors" || notok "faults: $ni infra errors"
expect_exit 3 "infra errors over --max-infra: exit 3" \
	$JOLT gate "$T0/faults.db" --max-infra 0.05 --junit "$T0/faults.xml"
grep -q '^## jolt gate: INFRA' "$JOLT_TEST_TMP/last.out" && grep -q '<error type="infra"' "$T0/faults.xml" &&
	ok "infra verdict in markdown and a junit error" || notok "infra verdict"
expect_exit 0 "the same run under --max-infra 1: exit 0" \
	$JOLT gate "$T0/faults.db" --max-infra 1

# Every trial an infra error: jolt run itself exits 3 and names the cause.
expect_exit 3 "run against an endpoint that is down: exit 3" \
	$JOLT run suites/starter --model "openai:m@http://127.0.0.1:1/v1" --retries 0 \
	--axes none --tasks fin-* -q --out "$T0/down.db"
grep -q 'every one of the 4 trials ended in an infra error' "$JOLT_TEST_TMP/last.err" &&
	grep -q '127.0.0.1:1' "$JOLT_TEST_TMP/last.err" &&
	ok "the message names the cause" || notok "no cause in: $(cat "$JOLT_TEST_TMP/last.err")"

expect_exit 2 "no such database: exit 2" $JOLT gate "$T0/nope.db"
expect_exit 2 "--axis that is no axis: exit 2" $JOLT gate "$T0/clean.db" --axis tools
expect_exit 2 "--max-drop out of range: exit 2" $JOLT gate "$T0/clean.db" --max-drop 5
cp "$T0/clean.db" "$T0/empty.db"
sqlite3 "$T0/empty.db" "delete from traces; delete from trials"
expect_exit 2 "a database without trials: exit 2" $JOLT gate "$T0/empty.db"
echo "1..$T"
