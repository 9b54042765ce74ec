#!/bin/sh
# demo.sh - `make bench`: what `make demo`'s run costs a newcomer. The
# same `jolt run` as the demo target (its ops, tasks, levels and repeats
# read from the Makefile) with an empty replay cache (cold: a fresh
# clone's first minute, the pre-check included) and again with the cache
# it filled (warm), printed as trials/s and the warm/cold ratio. Both runs
# must store the same trials with the same outcomes.
#   JOLT=build/jolt JOLT_BENCH_TMP=DIR sh tests/bench/demo.sh
. tests/bench/lib.sh
: "${JOLT:=build/jolt}"
T=${JOLT_BENCH_TMP:-/tmp}/demo
rm -rf "$T"
mkdir -p "$T/wd" || exit 3
ops=$(sed -n 's/^DEMO_OPS := //p' Makefile)
tasks=$(sed -n 's/^DEMO_TASKS := //p' Makefile)
if [ -z "$ops" ] || [ -z "$tasks" ]; then
	echo "demo: cannot read DEMO_OPS and DEMO_TASKS from the Makefile" >&2
	exit 3
fi
demo_run() { # NAME: run the demo into $T/NAME.db; prints "trials seconds"
	_t0=$(now)
	JOLT_CACHE_DIR=$T/cache "$JOLT" run suites/starter --model sim:brittle \
		--ops "$ops" --levels 2 --repeats 2 --tasks "$tasks" \
		--workdir-root "$T/wd" -q --out "$T/$1.db" > "$T/$1.out" 2>&1
	_rc=$?
	_t1=$(now)
	if [ $_rc != 0 ]; then
		echo "demo: the $1 run exited $_rc" >&2
		sed 's/^/demo:   /' "$T/$1.out" >&2
		exit 3
	fi
	echo "$(sqlite3 "$T/$1.db" "select count(*) from trials") $(awk -v a="$_t0" -v b="$_t1" 'BEGIN { printf "%.3f", b - a }')"
}
set -- $(demo_run cold)
n=$1 cold=$2
set -- $(demo_run warm)
warm=$2
rows() { sqlite3 "$1" "select key || ' ' || outcome || ' ' || error_class from trials order by key"; }
if ! [ "$(rows "$T/cold.db")" = "$(rows "$T/warm.db")" ]; then
	echo "demo: the cold and warm runs stored different trials" >&2
	exit 3
fi
figure "make demo's run, trials/s warm / cold" "$(div "$cold" "$warm")" - - \
	"$n trials: cold $cold s ($(div "$n" "$cold" | cut -c1-6)/s, the pre-check's replays included), warm $warm s ($(div "$n" "$warm" | cut -c1-6)/s)"
