# bad_input.sh - the bad-input catalogue (issue 13): broken suites, bad
# flags and broken servers each get a clear, classified message and the
# right exit code or error class; none crashes, hangs or loses a trial.
. tests/integration/lib.sh
B=$JOLT_TEST_TMP/badin
mkdir -p "$B"
chmod 755 "$B"
N=0
# bad WANT DESC PATTERN CMD... : exit WANT, no crash, PATTERN on stderr
bad() {
	_w=$1; _d=$2; _p=$3; shift 3
	N=$((N + 1))
	timeout 60 "$@" > "$JOLT_TEST_TMP/last.out" 2> "$JOLT_TEST_TMP/last.err"
	_g=$?
	if [ "$_g" -ne "$_w" ]; then
		notok "$_d: exit $_g, want $_w"; sed 's/^/#   /' "$JOLT_TEST_TMP/last.err" | head -5; return
	fi
	if ! grep -Eq -- "$_p" "$JOLT_TEST_TMP/last.err"; then
		notok "$_d: message lacks /$_p/"; sed 's/^/#   /' "$JOLT_TEST_TMP/last.err" | head -5; return
	fi
	if grep -qi 'internal error\|assert\|sanitizer\|segmentation' "$JOLT_TEST_TMP/last.err"; then
		notok "$_d: internal error"; sed 's/^/#   /' "$JOLT_TEST_TMP/last.err" | head -5; return
	fi
	ok "$_d"
}
mk() { rm -rf "$B/s"; cp -r tests/fixtures/mini "$B/s"; }
S=$B/s
TK=$S/tasks/read.yaml

# ---- suites ---------------------------------------------------------------
mk; printf 'id: read\nuser: [unclosed\n' > "$TK"
bad 2 "suite: broken YAML" 'read.yaml:[0-9]+:[0-9]+' $JOLT check "$S" --axes none
mk; printf 'id: read\nuser: x\n\tgrade: []\n' > "$TK"
bad 2 "suite: a tab in the indentation" 'read.yaml:[0-9]+' $JOLT check "$S" --axes none
mk; printf 'name: mini\ntools: 7\n' > "$S/suite.yaml"
bad 2 "suite: tools is a number" 'suite.yaml:2:' $JOLT check "$S" --axes none
mk; sed -i 's/^max_steps: 8/max_steps: ten/' "$S/suite.yaml"
bad 2 "suite: max_steps is a word" 'suite.yaml:[0-9]+.*max_steps' $JOLT check "$S" --axes none
mk; sed -i 's/^max_steps: 8/max_steps: 99999999999999999999999/' "$S/suite.yaml"
bad 2 "suite: max_steps overflows" 'suite.yaml:[0-9]+:[0-9]+: integer out of range' $JOLT check "$S" --axes none
mk; sed -i 's/^max_steps: 8/max_steps: -4/' "$S/suite.yaml"
bad 2 "suite: negative max_steps" 'suite.yaml:[0-9]+.*max_steps' $JOLT check "$S" --axes none
mk; { printf 'id: read\nuser: '; i=0; while [ $i -lt 3000 ]; do printf '['; i=$((i + 1)); done; printf '\n'; } > "$TK"
bad 2 "suite: 3,000 levels of nesting" 'read.yaml' $JOLT check "$S" --axes none
mk; printf 'id: read\nuser: "caf\351 \377"\ngrade:\n  - answer: {exact: x}\noracle:\n  - answer: x\n' > "$TK"
bad 2 "suite: invalid UTF-8" 'read.yaml.*(UTF-8|utf-8|invalid)' $JOLT check "$S" --axes none
mk; printf 'id: read\nuser: a\000b\ngrade:\n  - answer: {exact: x}\n' > "$TK"
bad 2 "suite: a NUL byte" 'read.yaml' $JOLT check "$S" --axes none
mk; cp "$TK" "$S/tasks/read2.yaml"
bad 2 "suite: duplicate task ids" 'read2?.yaml.*(duplicate|twice|already)' $JOLT check "$S" --axes none
mk; sed -i 's/  - name: write_file/  - name: read_file/' "$S/suite.yaml"
bad 2 "suite: duplicate tool names" 'suite.yaml:[0-9]+.*read_file' $JOLT check "$S" --axes none
mk; sed -i 's/answer: {regex:/answer: {sounds_like:/' "$TK"
bad 2 "suite: unknown grader option" 'read.yaml:[0-9]+.*sounds_like' $JOLT check "$S" --axes none
mk; sed -i 's/answer: {regex: .*}/answer: {regex: "(["}/' "$TK"
bad 2 "suite: a regex that does not compile" 'read.yaml:[0-9]+.*(regex|pattern)' $JOLT check "$S" --axes none
mk; sed -i 's/builtin: read_file}/builtin: teleport}/' "$S/suite.yaml"
bad 2 "suite: unknown builtin" 'suite.yaml:[0-9]+.*teleport' $JOLT check "$S" --axes none
mk; sed -i 's/^user: .*//' "$TK"
bad 2 "suite: a task without a user prompt" 'read.yaml.*user' $JOLT check "$S" --axes none
mk; : > "$S/suite.yaml"
bad 2 "suite: empty suite.yaml" 'suite.yaml' $JOLT check "$S" --axes none
mk; rm "$S/suite.yaml"; mkdir "$S/suite.yaml"
bad 2 "suite: suite.yaml is a directory" 'suite.yaml' $JOLT check "$S" --axes none
mk; printf -- '- id: read\n- user: x\n' > "$TK"
bad 2 "suite: a task that is a list" 'read.yaml:[0-9]+' $JOLT check "$S" --axes none
mk; printf 'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: [*f,*f,*f,*f,*f,*f,*f,*f,*f]\nid: read\nuser: x\n' > "$TK"
bad 2 "suite: an alias bomb" 'read.yaml' $JOLT check "$S" --axes none
mk; sed -i 's|^env: env/|env: nowhere/|' "$S/suite.yaml"
bad 2 "suite: env directory missing" 'nowhere' $JOLT check "$S" --axes none
mk; sed -i 's/^name: mini/name: mini\ncolour: blue/' "$S/suite.yaml"
bad 2 "suite: unknown top-level key" 'suite.yaml:2:.*colour' $JOLT check "$S" --axes none
mk; head -c 20000000 /dev/zero | tr '\0' 'a' > "$S/tasks/huge.yaml"
bad 2 "suite: a 20 MB task file" 'huge.yaml' $JOLT check "$S" --axes none
mk; ln -s loop "$S/tasks/loop.yaml"; ln -sf loop.yaml "$S/tasks/loop"
bad 2 "suite: a symlink loop" 'loop' $JOLT check "$S" --axes none

# ---- flags ----------------------------------------------------------------
mk
bad 2 "flag: unknown operator" 'frobnicate' $JOLT run "$S" --ops frobnicate --out "$B/f.db" -q
bad 2 "flag: unknown axis" "'sideways'" $JOLT run "$S" --axes sideways --out "$B/f.db" -q
bad 2 "flag: level out of range" 'levels' $JOLT run "$S" --levels 9 --out "$B/f.db" -q
bad 2 "flag: empty model" 'model' $JOLT run "$S" --model '' --out "$B/f.db" -q
bad 2 "flag: repeats not a number" 'repeats' $JOLT run "$S" --repeats lots --out "$B/f.db" -q
bad 2 "flag: concurrency over the cap" 'concurrency' $JOLT run "$S" --concurrency 5000 --out "$B/f.db" -q
bad 2 "flag: unknown task" 'no-such' $JOLT run "$S" --tasks no-such --out "$B/f.db" -q
bad 2 "flag: unknown scaffold" 'nope' $JOLT run "$S" --scaffold nope --out "$B/f.db" -q
bad 2 "flag: run without a suite" 'expected SUITE' $JOLT run
$JOLT run "$S" --axes none --out "$B/ok.db" -q > /dev/null 2>&1
bad 2 "flag: report format unknown" 'pdf' $JOLT report "$B/ok.db" --format pdf
printf 'not a database, just text\n' > "$B/text.db"
bad 2 "flag: report of a file that is not a database" 'text.db' $JOLT report "$B/text.db"
[ ! -e "$B/f.db" ] && ok "no refused run left a database" || notok "a refused run left $B/f.db"

# ---- servers --------------------------------------------------------------
log=$B/bad.log
python3 tests/integration/helpers/badserver.py > "$log" 2>&1 &
bpid=$!
trap 'kill $bpid 2>/dev/null' EXIT
i=0
while [ $i -lt 100 ] && ! grep -q '^port' "$log"; do sleep 0.1; i=$((i + 1)); done
P=$(sed -n 's/^port //p' "$log")
[ -n "$P" ] && ok "bad server on port $P" || { notok "bad server did not start"; cat "$log"; exit 1; }
# srv MODE DESC DETAIL-PATTERN [flags]: every trial is an infra error
# whose detail matches, the run exits 3, and nothing crashes.
srv() {
	_m=$1; _d=$2; _p=$3; shift 3
	db=$B/srv-$_m.db
	timeout 120 $JOLT run "$S" --axes none --model "openai:x@http://127.0.0.1:$P/$_m/v1" \
		--retries 0 --request-timeout 3 --out "$db" -q "$@" \
		> "$JOLT_TEST_TMP/last.out" 2> "$JOLT_TEST_TMP/last.err"
	_g=$?
	n=$(sqlite3 "$db" "select count(*) from trials where outcome = 'infra_error' and error_class = 'infra_model'" 2>/dev/null)
	det=$(sqlite3 "$db" "select detail from trials limit 1" 2>/dev/null)
	if [ "$_g" != 3 ]; then
		notok "server $_d: exit $_g, want 3 (every trial an infra error)"; sed 's/^/#   /' "$JOLT_TEST_TMP/last.err" | head -5
	elif [ "$n" != 2 ]; then
		notok "server $_d: $n of 2 trials are infra_model errors"
	elif ! echo "$det" | grep -Eqi -- "$_p"; then
		notok "server $_d: detail lacks /$_p/: $det"
	else
		ok "server $_d: both trials infra_model ($(echo "$det" | cut -c1-80))"
	fi
}
srv html "HTML instead of JSON" 'json|content|parse|html'
srv cut "a body cut mid-JSON" 'truncat|partial|transfer|closed|incomplete|json'
srv halfjson "a complete body that is half a JSON document" 'json|parse'
srv empty "an empty body" 'empty|json|parse'
srv huge "a 2 GB body" 'cap|large|big|MiB|bytes'
srv never "a stream that never ends" 'timed out|timeout' --stream
srv bigevent "an SSE event over the cap" 'cap|large|big|MiB|bytes|event' --stream
# A tool call whose arguments are not JSON is the model's error, not the
# harness's: the trial sees a malformed-call error and goes on.
db=$B/srv-badargs.db
timeout 120 $JOLT run "$S" --axes none --tasks read --model "openai:x@http://127.0.0.1:$P/badargs/v1" \
	--retries 0 --out "$db" -q > "$JOLT_TEST_TMP/last.out" 2> "$JOLT_TEST_TMP/last.err"
r=$(sqlite3 "$db" "select outcome || ' ' || malformed_calls from trials" 2>/dev/null)
case $r in "pass "[1-9]*|"fail "[1-9]*) ok "server: arguments that are not JSON are a malformed call the model sees ($r)" ;;
*) notok "server: arguments that are not JSON: $r" ;; esac
[ "$N" -ge 30 ] && ok "$N suite and flag cases" || notok "only $N suite and flag cases"
