# crash.sh - crash safety at scale (issue 13): `jolt run` killed with
# SIGKILL at 20 moments and resumed each time ends with every trial
# exactly once and the same outcomes and report as an uninterrupted run;
# SIGINT stops cleanly with a consistent database and says how to resume.
. tests/integration/lib.sh
C=$JOLT_TEST_TMP/crash
mkdir -p "$C/wd"
chmod 755 "$C" "$C/wd"
# Builtin-tool tasks and a noisy profile (deterministic outcomes per seed),
# served over HTTP with 25 ms a turn, so that a run lasts long enough to
# be killed in the middle many times over.
serve_up "$C/serve.log" --suite suites/starter --latency 25
sel="suites/starter --model openai:sim:noise=0.3@http://127.0.0.1:$P/v1 --tasks doc-*,fin-* --axes user --levels 1 --repeats 10 --seed 5 -j 8 -q --workdir-root $C/wd"
$JOLT run $sel --out "$C/ref.db" > "$C/ref.out" 2>&1
nref=$(sqlite3 "$C/ref.db" "select count(*) from trials")
[ "$nref" -ge 600 ] && ok "uninterrupted reference: $nref trials" || notok "reference: $nref trials"
rows() { sqlite3 "$1" "select key || ' ' || outcome || ' ' || error_class from trials order by key"; }
# The md report without its database paths and the one measured column,
# mean latency (ms), the last of the robustness summary.
report() {
	$JOLT report "$1" --format md 2>/dev/null | grep -v "^- \`" |
		awk '/^## /{sum = ($0 == "## Robustness summary")} sum && /^\|/{sub(/\| [^|]*\|$/, "|")} {print}'
}
rows "$C/ref.db" > "$C/ref.rows"
report "$C/ref.db" > "$C/ref.md"

db=$C/k.db
kills=0
i=1
while [ $i -le 20 ]; do
	# a different moment each time, 0.1..0.5 s after the start
	d=$(awk -v i=$i 'BEGIN { srand(i * 7919); printf "%.2f", 0.1 + rand() * 0.4 }')
	if [ -e "$db" ]; then r=--resume; else r=; fi
	$JOLT run $sel --out "$db" $r > "$C/k$i.out" 2>&1 &
	pid=$!
	sleep "$d"
	if kill -9 $pid 2>/dev/null; then kills=$((kills + 1)); fi
	wait $pid 2>/dev/null
	# after every kill: the database opens, and no trial is stored twice
	if [ -e "$db" ]; then
		ic=$(sqlite3 "$db" "pragma integrity_check" 2>&1)
		dup=$(sqlite3 "$db" "select count(*) - count(distinct key) from trials" 2>&1)
		if [ "$ic" != ok ] || [ "$dup" != 0 ]; then
			notok "after kill $i (at ${d}s): integrity '$ic', duplicates '$dup'"
		fi
	fi
	i=$((i + 1))
done
[ "$kills" -ge 15 ] && ok "$kills of 20 runs were killed mid-run with SIGKILL" \
	|| notok "only $kills of 20 runs were still running when killed"
stored=$(sqlite3 "$db" "select count(*) from trials")
expect_exit 0 "the last --resume finishes the run" $JOLT run $sel --out "$db" --resume
grep -q "$stored already stored" "$JOLT_TEST_TMP/last.out" \
	&& ok "the resume reports the $stored trials it skipped" \
	|| { notok "the resume does not report $stored skipped"; sed 's/^/#   /' "$JOLT_TEST_TMP/last.out"; }
n=$(sqlite3 "$db" "select count(*) from trials")
d=$(sqlite3 "$db" "select count(*) - count(distinct key) from trials")
[ "$n" = "$nref" ] && [ "$d" = 0 ] && ok "every trial present exactly once ($n)" \
	|| notok "$n trials ($d duplicated), want $nref"
rows "$db" > "$C/k.rows"
cmp -s "$C/ref.rows" "$C/k.rows" && ok "every outcome equals the uninterrupted run's" \
	|| notok "outcomes differ: $(diff "$C/ref.rows" "$C/k.rows" | head -3)"
report "$db" > "$C/k.md"
cmp -s "$C/ref.md" "$C/k.md" && ok "the report equals the uninterrupted run's" \
	|| notok "reports differ: $(diff "$C/ref.md" "$C/k.md" | head -5)"

# SIGINT: stops, keeps the database consistent, says how to resume.
db2=$C/int.db
$JOLT run $sel --out "$db2" > "$C/int.out" 2> "$C/int.err" &
pid=$!
# Once trials are being stored (after the pre-check, whatever the load).
n=0
while [ $n -lt 300 ] && [ "$(sqlite3 "$db2" "select count(*) from trials" 2>/dev/null || echo 0)" = 0 ]; do
	sleep 0.1
	n=$((n + 1))
done
kill -INT $pid
wait $pid
rc=$?
[ "$rc" = 3 ] && ok "SIGINT: exit 3 (stopped, not finished)" || notok "SIGINT: exit $rc"
grep -q -- "--resume" "$C/int.err" && ok "SIGINT: the message says how to resume" \
	|| { notok "SIGINT: no resume hint"; sed 's/^/#   /' "$C/int.err"; }
[ "$(sqlite3 "$db2" "pragma integrity_check")" = ok ] && ok "SIGINT: the database is consistent" \
	|| notok "SIGINT: integrity check fails"
part=$(sqlite3 "$db2" "select count(*) from trials")
[ "$part" -lt "$nref" ] && ok "SIGINT: stopped early ($part of $nref trials stored)" \
	|| notok "SIGINT: ran to the end ($part)"
bad=$(sqlite3 "$db2" "select count(*) from trials where outcome = 'infra_error'")
[ "$bad" = 0 ] && ok "SIGINT: no interrupted trial is stored as a result" \
	|| notok "SIGINT: $bad trials stored as infra errors"
$JOLT run $sel --out "$db2" --resume > /dev/null 2>&1
rows "$db2" > "$C/int.rows"
cmp -s "$C/ref.rows" "$C/int.rows" && ok "SIGINT: the resumed run equals the uninterrupted one" \
	|| notok "SIGINT: resumed outcomes differ"

# SIGINT during a long pre-check (a cold cache, every axis): stops there,
# stores no trial, and keeps the replays done, so the next run starts
# from them.
export JOLT_CACHE_DIR=$C/cold-cache
db3=$C/pre.db
pre="suites/starter --model sim:oracle --levels 1,2,3 --seed 5 -j 2 --workdir-root $C/wd"
# in_precheck DB ERR: start the run into DB in the background (pid) and
# return once its pre-check has begun (its first line in ERR), or 30 s.
in_precheck() {
	$JOLT run $pre --out "$1" > /dev/null 2> "$2" &
	pid=$!
	n=0
	while [ $n -lt 300 ] && ! grep -q "^pre-check: [0-9]" "$2" 2>/dev/null; do
		sleep 0.1
		n=$((n + 1))
	done
}
in_precheck "$db3" "$C/pre.err"
sleep 0.5
kill -INT $pid
wait $pid
rc=$?
[ "$rc" = 3 ] && ok "SIGINT in the pre-check: exit 3" \
	|| { notok "SIGINT in the pre-check: exit $rc"; tail -3 "$C/pre.err" | sed 's/^/#   /'; }
grep -q "interrupted during the pre-check" "$C/pre.err" && ok "SIGINT in the pre-check: says so" \
	|| { notok "SIGINT in the pre-check: no message"; tail -3 "$C/pre.err" | sed 's/^/#   /'; }
part=$(sqlite3 "$db3" "select count(*) from trials" 2>/dev/null || echo 0)
[ "$part" = 0 ] && ok "SIGINT in the pre-check: no trial stored" || notok "SIGINT in the pre-check: $part trials stored"
# The next run's first line says how many replays the cache answers; it
# is stopped there too.
in_precheck "$C/pre2.db" "$C/pre2.err"
kill -INT $pid
wait $pid
cached=$(sed -n 's/^pre-check: [0-9]*\/[0-9]* replays (cached \([0-9]*\))$/\1/p' "$C/pre2.err" | head -1)
[ "${cached:-0}" -gt 0 ] && ok "SIGINT in the pre-check: the next run takes $cached replays from the cache" \
	|| { notok "SIGINT in the pre-check: the next run has cached '${cached}'"; head -3 "$C/pre2.err" | sed 's/^/#   /'; }
