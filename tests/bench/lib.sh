# lib.sh - helpers for the tests/bench/*.sh scripts (sourced, not run:
# scripts/bench.sh skips it). Each script prints its figures as ratios
# against a baseline measured in the same run, with the target and
# `holds` or `FAILS`.
#
# Environment: JOLT (the optimised jolt), BUILD, JOLT_BENCH_TMP (scratch,
# under /dev/shm when there is one), JOLT_SERVE (the latency-0 server
# scripts/bench.sh started: host:port); JOLT_SERVE_BIN runs the servers a
# script starts itself (default $JOLT); JOLT_SERVE_PID is that server's pid.
: "${JOLT:?JOLT must name the jolt binary}"
: "${BUILD:=build}"
: "${JOLT_SERVE_BIN:=$JOLT}"
if [ -z "${JOLT_BENCH_TMP:-}" ]; then
	JOLT_BENCH_TMP=$(mktemp -d "$([ -d /dev/shm ] && echo /dev/shm || echo /tmp)/jolt-bench.XXXXXX")
fi
BENCH_PIDS=""
trap 'for p in $BENCH_PIDS; do kill "$p" 2>/dev/null; done' EXIT

# now: wall clock in seconds, with nanoseconds
now() { date +%s.%N; }

# bench_serve NAME ARGS...: start `jolt serve` on a free port of
# 127.0.0.1 with ARGS; sets PORT and SERVE_PID (and BENCH_PIDS). Fails when it does not
# come up within ten seconds.
bench_serve() {
	_log=$JOLT_BENCH_TMP/serve-$1.log
	shift
	"$JOLT_SERVE_BIN" serve --listen 127.0.0.1:0 "$@" > "$_log" 2>&1 &
	SERVE_PID=$!
	BENCH_PIDS="$BENCH_PIDS $!"
	PORT=""
	_i=0
	while [ $_i -lt 100 ] && [ -z "$PORT" ]; do
		sleep 0.1
		PORT=$(sed -n 's/.*(port \([0-9]*\)).*/\1/p' "$_log" | head -1)
		_i=$((_i + 1))
	done
	[ -n "$PORT" ] || { echo "bench: jolt serve did not start:" >&2; cat "$_log" >&2; return 1; }
}

# answered PORT: model requests the server on PORT has answered so far
answered() { curl -s "http://127.0.0.1:$1/stats" | sed -n 's/^answered //p'; }

# rss_kib PID: resident memory of a process, KiB
rss_kib() { sed -n 's/^VmRSS:[^0-9]*\([0-9]*\).*/\1/p' "/proc/$1/status" 2>/dev/null; }

# cpu_ticks PID: user + system CPU time of a process so far, clock ticks
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }

# figure NAME VALUE OP TARGET DETAIL: one line, "holds" when VALUE OP
# TARGET (OP is ge or le), "FAILS" otherwise; OP "-" prints no verdict.
figure() {
	_v=$(printf '%.3f' "$2")
	if [ "$3" = - ]; then
		printf '%-44s %10s   (%s)\n' "$1" "$_v" "$5"
		return
	fi
	if awk -v v="$2" -v t="$4" -v op="$3" 'BEGIN { exit !((op == "ge" && v >= t) || (op == "le" && v <= t)) }'; then
		_verdict=holds
	else
		_verdict=FAILS
	fi
	_sym='>='; [ "$3" = le ] && _sym='<='
	printf '%-44s %10s   target %s %s  %s   (%s)\n' "$1" "$_v" "$_sym" "$4" "$_verdict" "$5"
}

# div A B: A / B with awk (0 when B is 0)
div() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.6f", b ? a / b : 0 }'; }
