# throughput.sh - how close `jolt run` gets to the clock of the model it
# drives, against `jolt serve` on 127.0.0.1 (the starter suite's tasks
# whose tools are builtins, baselines repeated, working copies under
# /dev/shm so copying them weighs little):
#  1. model turns/s at latency 0, 64 in flight, over wrk's requests/s on
#     the same endpoint with the same body (target >= 0.3);
#  2. at 200 ms latency, turns/s at 64, 256 and 1,024 in flight over the
#     ideal C/L (target >= 0.9 each);
#  3. resident memory per trajectory in flight at 1,024 in flight, beyond
#     the text of its conversation (target <= 64 KiB), over the run's at
#     64 in flight;
#  6. trials/s of a sim:brittle run of every shipped suite with all five
#     axes (its oracle checks included), over the same tasks' baselines
#     repeated to as many trials (no target; --limit keeps it to a few
#     minutes: BENCH_SUITE_LIMIT tasks of each suite, default 2, 0 skips
#     it).
# Rates are the server's count of answered turns (GET /stats) over a
# window after the ramp-up, so start-up and the last trials' tail do not
# count; the run is then stopped with SIGTERM.
. tests/bench/lib.sh
command -v wrk >/dev/null 2>&1 || { echo "throughput: wrk missing (make bench-deps)" >&2; exit 3; }
T=$JOLT_BENCH_TMP/throughput
rm -rf "$T"
mkdir -p "$T/wd"
TASKS='doc-*,fin-*,ops-*'
WINDOW=${BENCH_WINDOW:-5}

# steady PORT C ARGS...: start `jolt run` with C in flight against the
# server on PORT; after 2*C turns (the ramp), count the turns answered in
# WINDOW seconds. Sets RATE (turns/s), CPU_MS (the run's CPU time per turn
# in the window) and INFL mid-window (turns the server is answering, i.e.
# trajectories waiting on it).
steady() {
	_port=$1 _c=$2
	shift 2
	rm -f "$T/run.db" "$T/run.db-wal" "$T/run.db-shm"
	"$JOLT" run suites/starter --model "openai:sim:oracle@http://127.0.0.1:$_port/v1" \
		--tasks "$TASKS" --axes none -j "$_c" --workdir-root "$T/wd" -q \
		--out "$T/run.db" "$@" > "$T/run.out" 2>&1 &
	_pid=$!
	_n0=$(answered "$_port")
	_i=0
	while [ $_i -lt 600 ] && [ $(( $(answered "$_port") - _n0 )) -lt $((2 * _c)) ]; do
		sleep 0.05
		_i=$((_i + 1))
	done
	_t1=$(now) _a1=$(answered "$_port") _c1=$(cpu_ticks $_pid)
	sleep $(awk -v w="$WINDOW" 'BEGIN { print w / 2 }')
	INFL=$(curl -s "http://127.0.0.1:$_port/stats" | sed -n 's/^inflight //p')
	sleep $(awk -v w="$WINDOW" 'BEGIN { print w / 2 }')
	_t2=$(now) _a2=$(answered "$_port") _c2=$(cpu_ticks $_pid)
	kill -0 $_pid 2>/dev/null || echo "throughput: the run ended inside the window; raise its repeats" >&2
	kill -TERM $_pid 2>/dev/null
	wait $_pid 2>/dev/null
	RATE=$(awk -v a="$_a1" -v b="$_a2" -v s="$_t1" -v e="$_t2" 'BEGIN { printf "%.1f", (b - a) / (e - s) }')
	CPU_MS=$(awk -v a="$_a1" -v b="$_a2" -v x="$_c1" -v y="$_c2" -v hz="$(getconf CLK_TCK)" \
		'BEGIN { printf "%.3f", (b > a) ? (y - x) * 1000 / hz / (b - a) : 0 }')
}

# ---- 1. latency 0 against wrk
if [ -n "${JOLT_SERVE:-}" ] && [ -n "${JOLT_SERVE_PID:-}" ]; then
	P0=${JOLT_SERVE##*:} SPID=$JOLT_SERVE_PID
else
	bench_serve lat0 --suite suites/starter || exit 3
	P0=$PORT SPID=$SERVE_PID
fi
# The body and trial header of a first turn, as jolt sends them: caught by
# a one-request listener (answering 400, so that the run ends at once).
rm -f "$T/capture.port" "$T/body.json" "$T/trial.txt"
python3 - "$T" > "$T/capture.port" << 'PY' &
import http.server, socketserver, sys
out = sys.argv[1]
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        open(out + "/body.json", "wb").write(body)
        open(out + "/trial.txt", "w").write(self.headers["X-Jolt-Trial"])
        self.send_response(400)
        self.send_header("Content-Length", "0")
        self.end_headers()
    def log_message(self, *a):
        pass
s = socketserver.TCPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.handle_request()
PY
cap=$!
i=0
while [ $i -lt 100 ] && [ ! -s "$T/capture.port" ]; do sleep 0.05; i=$((i + 1)); done
rm -f "$T/capture.db" "$T/capture.db-wal" "$T/capture.db-shm"
timeout 60 "$JOLT" run suites/starter --model "openai:sim:oracle@http://127.0.0.1:$(cat "$T/capture.port")/v1" \
	--tasks doc-bridge-year --axes none -j 1 --retries 0 --workdir-root "$T/wd" -q \
	--out "$T/capture.db" > /dev/null 2>&1
kill $cap 2>/dev/null
wait $cap 2>/dev/null
[ -s "$T/body.json" ] || { echo "throughput: could not capture a request body" >&2; exit 3; }
python3 - "$T" << 'PY'
import json, sys
t = sys.argv[1]
body = open(t + "/body.json").read()
trial = open(t + "/trial.txt").read()
open(t + "/wrk.lua", "w").write(
    'wrk.method = "POST"\n'
    'wrk.body = %s\n'
    'wrk.headers["Content-Type"] = "application/json"\n'
    'wrk.headers["X-Jolt-Trial"] = %s\n' % (json.dumps(body), json.dumps(trial)))
PY
c0=$(cpu_ticks "$SPID") a0=$(answered "$P0")
wrk -t2 -c64 -d${WINDOW}s -s "$T/wrk.lua" "http://127.0.0.1:$P0/v1/chat/completions" > "$T/wrk.out" 2>&1
c1=$(cpu_ticks "$SPID") a1=$(answered "$P0")
WRK=$(sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' "$T/wrk.out")
WRK_CPU_MS=$(awk -v a="$a0" -v b="$a1" -v x="$c0" -v y="$c1" -v hz="$(getconf CLK_TCK)" \
	'BEGIN { printf "%.3f", (b > a) ? (y - x) * 1000 / hz / (b - a) : 0 }')
[ -n "$WRK" ] || { echo "throughput: wrk failed:" >&2; cat "$T/wrk.out" >&2; exit 3; }
steady "$P0" 64 --repeats 3000
figure "turns/s at latency 0, 64 in flight / wrk" "$(div "$RATE" "$WRK")" ge 0.3 \
	"jolt run $RATE turns/s, wrk $WRK req/s, body $(wc -c < "$T/body.json") bytes"
# What decides it on a busy machine: the run's CPU per turn, against the
# server's CPU per request while wrk drove it.
figure "CPU per turn of jolt run / serve's per request" "$(div "$CPU_MS" "$WRK_CPU_MS")" - - \
	"$CPU_MS ms a turn; serve $WRK_CPU_MS ms a request under wrk"

# ---- 2. 200 ms latency
bench_serve lat200 --suite suites/starter --latency 200 || exit 3
P2=$PORT
# The median turn as the run's transport saw it (from handing the request
# to curl to the reply): what it adds to the server's 200 ms is time spent
# in jolt's own HTTP loops, not waiting for a worker.
turn_ms() {
	sqlite3 "$T/run.db" "with l as (select json_extract(j.value, '\$.latency_ms') ms
		from traces t, json_each(json_extract(t.trace, '\$.events')) j
		where json_extract(j.value, '\$.kind') = 'model')
		select ms from l order by ms limit 1 offset (select count(*) / 2 from l)"
}
for c in 64 256 1024; do
	steady "$P2" $c --repeats 3000
	ideal=$(awk -v c=$c 'BEGIN { print c / 0.2 }')
	figure "turns/s at 200 ms, $c in flight / (C/L)" "$(div "$RATE" "$ideal")" ge 0.9 \
		"$RATE turns/s of an ideal $ideal; $INFL turns at the server mid-window, $CPU_MS ms CPU a turn, median turn $(turn_ms) ms at the transport"
done
# ---- 3. memory per trajectory in flight
# At 10 s a turn the run is not short of CPU, so every trajectory admitted
# is waiting at the server: read the run's RSS once the server holds 90% of
# C turns, at 64 and at 1,024 in flight.
bench_serve lat10s --suite suites/starter --latency 10000 || exit 3
P10=$PORT
held() { # C: sets RSS and INFL once the server holds 0.9*C turns
	rm -f "$T/mem.db" "$T/mem.db-wal" "$T/mem.db-shm"
	"$JOLT" run suites/starter --model "openai:sim:oracle@http://127.0.0.1:$P10/v1" \
		--tasks "$TASKS" --axes none -j "$1" --repeats 3000 --workdir-root "$T/wd" -q \
		--out "$T/mem.db" > /dev/null 2>&1 &
	_pid=$!
	_i=0 INFL=0
	while [ $_i -lt 1200 ] && [ "$INFL" -lt $(($1 * 9 / 10)) ]; do
		sleep 0.1
		INFL=$(curl -s "http://127.0.0.1:$P10/stats" | sed -n 's/^inflight //p')
		_i=$((_i + 1))
	done
	sleep 1
	RSS=$(rss_kib $_pid)
	INFL=$(curl -s "http://127.0.0.1:$P10/stats" | sed -n 's/^inflight //p')
	kill -KILL $_pid 2>/dev/null
	wait $_pid 2>/dev/null
	rm -rf "$T/wd"/jolt-wd-*
	# the server's turns end with the connections
	_i=0
	while [ $_i -lt 100 ] && [ "$(curl -s "http://127.0.0.1:$P10/stats" | sed -n 's/^inflight //p')" -gt 0 ]; do
		sleep 0.2
		_i=$((_i + 1))
	done
}
held 64
RSS_64=$RSS INFL_64=$INFL
held 1024
RSS_1024=$RSS INFL_1024=$INFL
# The conversation text of a trajectory: its messages as stored by the
# last 200 ms run.
conv=$(sqlite3 "$T/run.db" "select coalesce(avg(length(json_extract(trace, '\$.messages'))), 0) / 1024.0 from traces")
if [ -z "$RSS_64" ] || [ -z "$RSS_1024" ]; then
	echo "throughput: could not read the run's RSS" >&2
	exit 3
fi
per=$(awk -v a="$RSS_1024" -v b="$RSS_64" -v i="$INFL_1024" -v j="$INFL_64" \
	'BEGIN { printf "%.2f", (i > j) ? (a - b) / (i - j) : 0 }')
figure "KiB per trajectory in flight at 1,024, beyond text" "$(awk -v p="$per" -v c="$conv" 'BEGIN { print p - c }')" le 64 \
	"RSS $RSS_64 KiB with $INFL_64 waiting, $RSS_1024 KiB with $INFL_1024: $per KiB each, less $(printf '%.1f' "$conv") KiB of conversation"

# ---- 6. every shipped suite, sim:brittle, all five axes
LIMIT=${BENCH_SUITE_LIMIT:-2}
[ "$LIMIT" -gt 0 ] || exit 0
trials_rate() { # ARGS...: trials/s over every suite, --limit $LIMIT each
	_n=0 _t0=$(now)
	for s in suites/*/; do
		rm -f "$T/s.db" "$T/s.db-wal" "$T/s.db-shm"
		"$JOLT" run "$s" --model sim:brittle --limit "$LIMIT" --workdir-root "$T/wd" -q \
			--out "$T/s.db" "$@" > /dev/null 2>&1
		_n=$((_n + $(sqlite3 "$T/s.db" "select count(*) from trials")))
	done
	_t1=$(now)
	echo "$_n $(awk -v n="$_n" -v a="$_t0" -v b="$_t1" 'BEGIN { printf "%.2f", n / (b - a) }')"
}
set -- $(trials_rate)
all_n=$1 all_rate=$2
# The baseline: the same tasks unperturbed, repeated to as many trials.
nsuites=$(ls -d suites/*/ | wc -l)
set -- $(trials_rate --axes none --repeats $(( (all_n + nsuites * LIMIT - 1) / (nsuites * LIMIT) )))
base_n=$1 base_rate=$2
figure "trials/s, every suite, 5 axes / baselines" "$(div "$all_rate" "$base_rate")" - - \
	"$all_rate trials/s over $all_n trials, the first $LIMIT task(s) of each suite; their baselines repeated: $base_rate/s over $base_n"
