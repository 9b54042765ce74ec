#!/bin/sh
# bench.sh BUILD - `make bench`: run every tests/bench/*.sh (but lib.sh, the
# helpers they source) in name order with JOLT and BUILD set, against one
# latency-0 `jolt serve` on 127.0.0.1 started here (JOLT_SERVE=host:port),
# scratch under /dev/shm. Each script prints its figures as ratios against
# a baseline measured in the same run, with its target and holds/FAILS.
# Exits 1 when a script fails to measure (a FAILS figure is a result, not
# a failure of the bench).
set -u
BUILD=${1:-build}
JOLT=$(cd "$BUILD" && pwd)/jolt
root=/tmp
[ -d /dev/shm ] && [ -w /dev/shm ] && root=/dev/shm
JOLT_BENCH_TMP=$(mktemp -d "$root/jolt-bench.XXXXXX")
export JOLT BUILD JOLT_BENCH_TMP
. tests/bench/lib.sh
trap 'for p in $BENCH_PIDS; do kill "$p" 2>/dev/null; done; rm -rf "$JOLT_BENCH_TMP"' EXIT
bench_serve main --suite suites/starter || exit 3
export JOLT_SERVE=127.0.0.1:$PORT JOLT_SERVE_PID=$SERVE_PID
status=0
for s in tests/bench/*.sh; do
	[ "$(basename "$s")" = lib.sh ] && continue
	echo "== $(basename "$s" .sh)"
	sh "$s" || { echo "bench: $s failed ($?)" >&2; status=1; }
done
exit $status
