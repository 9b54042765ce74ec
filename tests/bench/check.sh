#!/bin/sh
# check.sh - `make bench`: what `jolt check SUITE --seeds 1` costs with an
# empty cache (cold) and again with the cache it filled (warm), and the
# warm/cold ratio (absolute times move with the machine's load; the ratio
# much less). The two outputs must be identical.
#   JOLT=build/jolt BUILD=build sh tests/bench/check.sh [SUITE]
# Targets (the starter suite): cold under 10 s, warm under 1 s.
: "${JOLT:=build/jolt}"
: "${BUILD:=build}"
suite=${1:-suites/starter}
name=$(basename "$suite")
COLD_TARGET=10
WARM_TARGET=1
# The cache and both outputs stay in $BUILD/bench/check-NAME to look at.
dir=$BUILD/bench/check-$name
rm -rf "$dir"
mkdir -p "$dir" || exit 3
now() { date +%s.%N; }
# CPU seconds (user + system) of the children so far: on a shared machine
# the wall clock mostly measures the others' load, this does not.
# `times` must run in this shell (a $(...) is a child with no children).
cpu() { tail -1 "$1" | awk '{ n = 0; for (i = 1; i <= 2; i++) {
	split($i, a, "m"); sub("s", "", a[2]); n += a[1] * 60 + a[2] }; print n }'; }

# pass NAME: one check into $dir/NAME.out, its seconds in $dir/NAME.s
# (wall, then CPU)
pass() {
	times > "$dir/times0"
	t0=$(now)
	"$JOLT" check "$suite" --seeds 1 --cache "$dir/cache" \
		> "$dir/$1.out" 2> "$dir/$1.err"
	echo $? > "$dir/$1.rc"
	t1=$(now)
	times > "$dir/times1"
	c0=$(cpu "$dir/times0") c1=$(cpu "$dir/times1")
	echo "$t0 $t1 $c0 $c1" | awk '{ printf "%.2f %.2f\n", $2 - $1, $4 - $3 }' > "$dir/$1.s"
}
pass cold
pass warm
read cold cold_cpu < "$dir/cold.s"
read warm warm_cpu < "$dir/warm.s"
if ! cmp -s "$dir/cold.out" "$dir/warm.out" || ! cmp -s "$dir/cold.rc" "$dir/warm.rc"; then
	echo "check: $name: the warm check printed something else than the cold one:"
	diff "$dir/cold.out" "$dir/warm.out" | head -20
	exit 1
fi
tail -1 "$dir/cold.err" | sed 's/^/  cold: /'
tail -1 "$dir/warm.err" | sed 's/^/  warm: /'
echo "$name $cold $warm $COLD_TARGET $WARM_TARGET $cold_cpu $warm_cpu" | awk '{
	holds = ($2 < $4 && $3 < $5) ? "holds" : "does not hold"
	printf "check: %s seed 1 cold %.1f s (target < %d s), warm %.2f s (target < %d s): %s; warm/cold %.4f\n",
	       $1, $2, $4, $3, $5, holds, ($2 > 0 ? $3 / $2 : 0)
	printf "check: %s seed 1 CPU cold %.1f s, warm %.2f s; warm/cold %.4f\n",
	       $1, $6, $7, ($6 > 0 ? $7 / $6 : 0)
}'
