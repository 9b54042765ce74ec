# http.sh - the real-model path end to end against `jolt serve` on
# 127.0.0.1: every dialect, streamed and not, gives the same trial outcomes
# as the in-process simulator; injected faults are retried or classified as
# infra errors without changing any other outcome; thinking retention is
# measured over HTTP; and an API key never reaches the results.
. tests/integration/lib.sh
T0=$JOLT_TEST_TMP/http
mkdir -p "$T0"
log=$T0/serve.log
$JOLT serve --listen 127.0.0.1:0 --suite suites/starter > "$log" 2>&1 &
spid=$!
flog=$T0/serve-faults.log
$JOLT serve --listen 127.0.0.1:0 --suite suites/starter --stall-ms 3000 -v \
	--faults 429:0.03,500:0.04,reset:0.02,truncate:0.03,stall:0.01 > "$flog" 2>&1 &
fpid=$!
trap 'kill $spid $fpid 2>/dev/null' EXIT
port() { sed -n 's/.*(port \([0-9]*\)).*/\1/p' "$1" | head -1; }
i=0
while [ $i -lt 100 ] && { [ -z "$(port "$log")" ] || [ -z "$(port "$flog")" ]; }; do
	sleep 0.1; i=$((i + 1))
done
P=$(port "$log"); FP=$(port "$flog")
[ -n "$P" ] && [ -n "$FP" ] && ok "jolt serve listening on ports $P and $FP" \
	|| { notok "jolt serve did not start"; sed 's/^/#   /' "$log" "$flog"; exit 1; }

sel="--ops tool_rename,user_typo,move_files,transient,inject --levels 1 --repeats 2 -q"
# outcomes DB: one line per trial, without the model part of the key
outcomes() { sqlite3 "$1" "select task, variant, repeat, outcome from trials order by task, variant, repeat"; }

$JOLT run suites/starter --model sim:brittle $sel --out "$T0/ref.db" >/dev/null 2>&1
n=$(sqlite3 "$T0/ref.db" "select count(*) from trials")
f=$(sqlite3 "$T0/ref.db" "select count(*) from trials where outcome='fail'")
[ "$n" -gt 100 ] && [ "$f" -gt 5 ] && ok "in-process reference: $n trials, $f failures planted" \
	|| notok "reference run: $n trials, $f failures"
outcomes "$T0/ref.db" > "$T0/ref.txt"

for d in openai anthropic m2; do
	case $d in
	openai) url=http://127.0.0.1:$P/v1 ;;
	anthropic) url=http://127.0.0.1:$P/anthropic ;;
	m2) url=http://127.0.0.1:$P/v1 ;;
	esac
	for stream in "" --stream; do
		db=$T0/$d$stream.db
		$JOLT run suites/starter --model "$d:sim:brittle@$url" $stream $sel --out "$db" \
			> "$T0/$d$stream.out" 2>&1
		outcomes "$db" > "$T0/$d$stream.txt"
		if cmp -s "$T0/ref.txt" "$T0/$d$stream.txt"; then
			ok "$d${stream:+ streamed}: same outcomes as in process"
		else
			notok "$d${stream:+ streamed}: outcomes differ"
			diff "$T0/ref.txt" "$T0/$d$stream.txt" | head -5 | sed 's/^/#   /'
			sed 's/^/#   /' "$T0/$d$stream.out" | head -5
		fi
	done
done

# Faults: every trial accounted for; infra errors apart; no other change.
fdb=$T0/faults.db
$JOLT run suites/starter --model "openai:sim:brittle@http://127.0.0.1:$FP/v1" $sel \
	--request-timeout 1.5 --retries 3 --out "$fdb" > "$T0/faults.out" 2>&1
tn=$(sqlite3 "$fdb" "select count(*) from trials")
[ "$tn" = "$n" ] && ok "faults: all $tn trials accounted for" || notok "faults: $tn of $n trials"
infra=$(sqlite3 "$fdb" "select count(*) from trials where outcome='infra_error'")
# Evidence that faults were injected and retried, not just configured:
# the server logs each request's fault and attempt number (0 first).
injected=$(grep -c 'fault=[a-z0-9]' "$flog" | head -1)
injected_none=$(grep -c 'fault=none' "$flog" | head -1)
faulted=$((injected - injected_none))
retried_ok=$(grep 'attempt=[1-9]' "$flog" | grep -c 'status=200')
[ "$faulted" -ge 10 ] && ok "faults: $faulted faults injected (server log)" \
	|| notok "faults: only $faulted faults injected"
[ "$retried_ok" -ge 5 ] && ok "faults: $retried_ok retried requests then succeeded" \
	|| notok "faults: $retried_ok retried requests succeeded"
# Bounded: with 3 retries a trial ends as infra_error only when 4 attempts
# in a row fail (about 0.13^4 per turn); a harness that gave up on every
# faulted trial would have about half of them as infra errors.
[ $((infra * 10)) -le "$tn" ] && ok "faults: $infra infra errors of $tn trials (at most a tenth)" \
	|| notok "faults: $infra infra errors of $tn trials: faults are not being retried"
sqlite3 "$fdb" "attach '$T0/ref.db' as r;
	select count(*) from trials t join r.trials u on t.task = u.task and
	t.variant = u.variant and t.repeat = u.repeat
	where t.outcome != 'infra_error' and t.outcome != u.outcome" > "$T0/diffs.txt"
[ "$(cat "$T0/diffs.txt")" = 0 ] && ok "faults: outcomes equal the fault-free run ($infra infra errors apart)" \
	|| notok "faults: $(cat "$T0/diffs.txt") outcomes changed"
bad=$(sqlite3 "$fdb" "select count(*) from trials where outcome='infra_error' and error_class not like 'infra%'")
[ "$bad" = 0 ] && ok "faults: infra errors are classified as infra" || notok "faults: $bad unclassified"

# Thinking retention over each dialect: kept, a thinking-sensitive profile
# is unaffected; stripped, it loses track exactly as in process.
for h in full strip-thinking; do
	$JOLT run suites/starter --model sim:thinking=0.5 --axes none --repeats 4 \
		--history $h -q --out "$T0/th-ref-$h.db" >/dev/null 2>&1
	outcomes "$T0/th-ref-$h.db" > "$T0/th-ref-$h.txt"
done
full_fail=$(grep -c '|fail$' "$T0/th-ref-full.txt")
strip_fail=$(grep -c '|fail$' "$T0/th-ref-strip-thinking.txt")
[ "$full_fail" = 0 ] && [ "$strip_fail" -gt 10 ] && ok "thinking: 0 failures kept, $strip_fail stripped (in process)" \
	|| notok "thinking in process: $full_fail kept, $strip_fail stripped"
for d in openai anthropic m2; do
	case $d in anthropic) url=http://127.0.0.1:$P/anthropic ;; *) url=http://127.0.0.1:$P/v1 ;; esac
	same=1
	for h in full strip-thinking; do
		$JOLT run suites/starter --model "$d:sim:thinking=0.5@$url" --axes none --repeats 4 \
			--history $h -q --out "$T0/th-$d-$h.db" >/dev/null 2>&1
		outcomes "$T0/th-$d-$h.db" | cmp -s - "$T0/th-ref-$h.txt" || same=0
	done
	[ $same = 1 ] && ok "thinking over $d: kept and stripped match in-process" \
		|| notok "thinking over $d differs"
done

# An API key from the environment appears nowhere in what a run leaves.
kd=$T0/keyrun
mkdir -p "$kd"
OPENAI_API_KEY=sk-PLANTED-7c1d0e MINIMAX_API_KEY=sk-PLANTED-7c1d0e \
	$JOLT run suites/starter --model "openai:sim:oracle@http://127.0.0.1:$P/v1" --axes none \
	--out "$kd/run.db" > "$kd/stdout.txt" 2> "$kd/stderr.txt"
$JOLT report "$kd/run.db" --format md -o "$kd/report.md"
[ -s "$kd/run.db" ] && [ -s "$kd/report.md" ] && ok "keyed run and report written" || notok "keyed run"
if grep -raq 'PLANTED' "$kd"; then notok "the API key leaked into $(grep -ral PLANTED "$kd")"; \
else ok "the API key appears nowhere in the database, report or logs"; fi
