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

# pass NAME: one check into $dir/NAME.out, its seconds in $dir/NAME.s
pass() {
	t0=$(now)
	"$JOLT" check "$suite" --seeds 1 --cache "$dir/cache" \
		> "$dir/$1.out" 2> "$dir/$1.err"
	echo $? > "$dir/$1.rc"
	t1=$(now)
	echo "$t0 $t1" | awk '{ printf "%.2f\n", $2 - $1 }' > "$dir/$1.s"
}
pass cold
pass warm
cold=$(cat "$dir/cold.s")
warm=$(cat "$dir/warm.s")
if ! cmp -s "$dir/cold.out" "$dir/warm.out" || ! cmp -s "$dir/cold.rc" "$dir/warm.rc"; then
	echo "check: $name: the warm check printed something else than the cold one:"
	diff "$dir/cold.out" "$dir/warm.out" | head -20
	exit 1
fi
tail -1 "$dir/cold.err" | sed 's/^/  cold: /'
tail -1 "$dir/warm.err" | sed 's/^/  warm: /'
echo "$name $cold $warm $COLD_TARGET $WARM_TARGET" | awk '{
	holds = ($2 < $4 && $3 < $5) ? "holds" : "does not hold"
	printf "check: %s seed 1 cold %.1f s (target < %d s), warm %.2f s (target < %d s): %s; warm/cold %.3f\n",
	       $1, $2, $4, $3, $5, holds, ($2 > 0 ? $3 / $2 : 0)
}'
