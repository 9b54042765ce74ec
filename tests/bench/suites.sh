#!/bin/sh
# suites.sh - `make bench`: what checking the shipped suites costs. For
# each suite, a cold `jolt check --seeds 1` of its first tasks (an empty
# cache): replays per second and CPU per replay, and the same check with
# --no-cache (every sandboxed command run, no identical variant merged):
# the ratio is what the command memo and the merging of identical
# variants save. The two outputs must be identical. The full check of
# every suite, seeds 1..3, is `make check-suites` (figures in
# suites/CHECKS.md); a sim:brittle run of every suite is throughput.sh's
# figure 6.
#   JOLT=build/jolt BUILD=build sh tests/bench/suites.sh
# BENCH_CHECK_LIMIT tasks per suite (default 2); BENCH_SUITES the suite
# directories (default every one under suites/).
. tests/bench/lib.sh
LIMIT=${BENCH_CHECK_LIMIT:-2}
dir=$BUILD/bench/suites
rm -rf "$dir"
mkdir -p "$dir" || exit 3
cpu() { tail -1 "$1" | awk '{ n = 0; for (i = 1; i <= 2; i++) {
	split($i, a, "m"); sub("s", "", a[2]); n += a[1] * 60 + a[2] }; print n }'; }

# pass NAME SUITE ARGS...: one check into $dir/NAME.out; "wall cpu" in
# $dir/NAME.s
pass() {
	_n=$1 _s=$2
	shift 2
	times > "$dir/times0"
	_t0=$(now)
	"$JOLT" check "$_s" --seeds 1 --limit "$LIMIT" "$@" \
		> "$dir/$_n.out" 2> "$dir/$_n.err"
	echo $? > "$dir/$_n.rc"
	_t1=$(now)
	times > "$dir/times1"
	echo "$_t0 $_t1 $(cpu "$dir/times0") $(cpu "$dir/times1")" |
		awk '{ printf "%.2f %.2f\n", $2 - $1, $4 - $3 }' > "$dir/$_n.s"
}
status=0
for s in ${BENCH_SUITES:-suites/*/}; do
	name=$(basename "$s")
	pass "$name" "$s" --cache "$dir/cache-$name"
	pass "$name-all" "$s" --no-cache
	if ! cmp -s "$dir/$name.out" "$dir/$name-all.out" ||
		! cmp -s "$dir/$name.rc" "$dir/$name-all.rc"; then
		echo "suites: $name: the check with the memo printed something else than --no-cache:"
		diff "$dir/$name.out" "$dir/$name-all.out" | head -10
		status=1
		continue
	fi
	read wall cpu < "$dir/$name.s"
	read wall_all cpu_all < "$dir/$name-all.s"
	replays=$(sed -n 's/^check: \([0-9]*\) replays in.*/\1/p' "$dir/$name.err" | tail -1)
	summary=$(tail -1 "$dir/$name.out")
	echo "$name $replays $wall $cpu $wall_all $cpu_all $LIMIT" | awk '{
		printf "suites: %s, first %d tasks, seed 1, cold: %d replays in %.1f s (%.1f replays/s), %.1f ms CPU each\n",
		       $1, $7, $2, $3, ($3 > 0 ? $2 / $3 : 0), ($2 > 0 ? $4 * 1000 / $2 : 0)
		printf "suites: %s CPU with the memo / without (--no-cache): %.1f s / %.1f s = %.3f\n",
		       $1, $4, $6, ($6 > 0 ? $4 / $6 : 0)
	}'
	echo "suites: $name: $summary"
done
[ -f suites/CHECKS.md ] && sed -n 's/^| \([a-z]*\) | \(.*\) | \(.*\) | \(.*\) | \(.*\) | \(.*\) | \(.*\) |$/suites: full check (suites\/CHECKS.md): \1: \2; \3 replays, wall \5, CPU \6/p' suites/CHECKS.md | grep -v '^suites: full check (suites/CHECKS.md): suite'
exit $status
