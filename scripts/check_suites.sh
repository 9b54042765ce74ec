#!/bin/sh
# check_suites.sh - the full check of every shipped suite (make
# check-suites): `jolt check` of every operator at every level, seeds
# 1..3, each suite in turn, with its wall and CPU time, and each
# operator's applicability and teeth (--teeth; CHECK_ARGS overrides).
# `make test` checks a fixed sample of each suite; this is the whole.
#
#   sh scripts/check_suites.sh [JOLT] [OUT.md]
#
# Failures are printed as they come (--failures-only) and kept in
# build/check-suites/SUITE.out; the summary table goes to OUT.md
# (default build/check-suites/CHECKS.md) and stdout. The replay cache is
# jolt's usual one ($JOLT_CACHE_DIR, ~/.cache/jolt): set
# JOLT_CACHE_DIR to an empty directory for a cold check. Exits 1 when
# any suite has a failure or an error. SUMMARY_ONLY=1 runs nothing and
# writes the table from what earlier runs left in build/check-suites
# (suites checked by separate, parallel runs); CHECK_DIR and
# CHECKED_COMMIT say where those runs left it and what they checked.
JOLT=${1:-build/jolt}
D=${CHECK_DIR:-build/check-suites}
OUT=${2:-$D/CHECKS.md}
SEEDS=${SEEDS:-1..3}
SUITES=${SUITES:-"starter swe search finance toolcall"}
CHECK_ARGS=${CHECK_ARGS-"--teeth"}
mkdir -p "$D"
status=0
rows=""
for s in $SUITES; do
	if [ -z "${SUMMARY_ONLY:-}" ]; then
		echo "check-suites: $s, seeds $SEEDS" >&2
		/usr/bin/time -f "%e %U %S" -o "$D/$s.time" \
			"$JOLT" check "suites/$s" --seeds "$SEEDS" --failures-only $CHECK_ARGS \
			> "$D/$s.out" 2> "$D/$s.err"
		echo $? > "$D/$s.rc"
		grep -v '^check: [0-9]*/' "$D/$s.err" | sed "s/^/$s: /" >&2
		cat "$D/$s.out"
	fi
	rc=$(cat "$D/$s.rc" 2>/dev/null || echo 3)
	[ "$rc" = 0 ] || status=1
	summary=$(tail -1 "$D/$s.out")
	set -- $(sed -n 's/^check: \([0-9]*\) replays in .* (cached \([0-9]*\), run \([0-9]*\))$/\1 \2 \3/p' "$D/$s.err" | tail -1)
	replays=${1:-?} cached=${2:-?}
	set -- $(sed -n 's/^check: \([0-9]*\) sandboxed commands run, \([0-9]*\) more.*/\1 \2/p' "$D/$s.err")
	cmds="${1:-0} run, ${2:-0} answered"
	set -- $(cat "$D/$s.time" 2>/dev/null)
	rows="$rows| $s | $summary | $replays ($cached cached) | $cmds | ${1:-?} s | $(awk -v u="${2:-0}" -v y="${3:-0}" 'BEGIN { printf "%.0f", u + y }') s | $rc |
"
done
{
	echo "# Full check of the shipped suites"
	echo
	echo "\`jolt check SUITE --seeds $SEEDS\`: every operator at every level;"
	echo "every variant's oracle must pass and its planted mistake fail, every"
	echo "invariant variant must change what the model is shown, and sim:null"
	echo "(no tool call, \"I don't know.\") must fail every task and variant."
	echo "Made by \`make check-suites\` ($(date -u +%Y-%m-%d), $(nproc) cores,"
	echo "$("$JOLT" --version 2>/dev/null | head -1), ${CHECKED_COMMIT:-$(git rev-parse --short HEAD 2>/dev/null)})."
	echo
	echo "| suite | result | replays | sandboxed commands | wall | CPU | exit |"
	echo "|---|---|---|---|---|---|---|"
	printf "%s" "$rows"
	for s in $SUITES; do
		echo
		echo "## $s"
		echo
		echo "What \`jolt check\` printed (failures, applicability and teeth):"
		echo
		echo '```'
		cat "$D/$s.out"
		echo '```'
	done
} > "$OUT"
cat "$OUT"
exit $status
