#!/bin/sh
# run.sh BUILD - run every unit test binary and integration script, print
# their TAP lines, and close with the line CI counts: "N passed, N failed".
# Each unit binary and script runs under a timeout so a hang fails instead
# of stalling; 30 minutes, because on a slow, shared machine the known-answer
# runs (thousands of sandboxed trials) have taken over ten.
#
# JOLT_TESTS, when set, is a space-separated list of shell patterns: only
# the binaries and scripts whose names match one run (the sanitizer runs
# use it to leave out the long known-answer tests).
BUILD=${1:-build}
selected() {
	[ -z "${JOLT_TESTS:-}" ] && return 0
	for _p in $JOLT_TESTS; do
		case $1 in $_p) return 0 ;; esac
	done
	return 1
}
export JOLT=$(cd "$BUILD" && pwd)/jolt
# Scratch space (and so every working copy the tests make) on a tmpfs
# when one has room: creating and removing thousands of small working
# copies is what the long tests spend their time on.
tmpbase=/tmp
if [ -d /dev/shm ] && [ -w /dev/shm ] &&
	[ "$(df -Pk /dev/shm 2>/dev/null | awk 'NR == 2 { print $4 }')" -gt 2097152 ] 2>/dev/null; then
	tmpbase=/dev/shm
fi
export JOLT_TEST_TMP=$(mktemp -d $tmpbase/jolt-test.XXXXXX)
# the sandbox runs tools as an unprivileged uid: it must reach the workdirs
chmod 755 "$JOLT_TEST_TMP"
export CMOCKA_MESSAGE_OUTPUT=TAP
log=$JOLT_TEST_TMP/all.tap
: > "$log"
status=0
for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	selected "$name" || continue
	echo "# $name"
	timeout 1800 "$t" > "$JOLT_TEST_TMP/$name.out" 2>&1
	rc=$?
	cat "$JOLT_TEST_TMP/$name.out"
	grep -E '^(not )?ok ' "$JOLT_TEST_TMP/$name.out" | sed "s|^|$name: |" >> "$log"
	if [ $rc -ne 0 ] && ! grep -q '^not ok' "$JOLT_TEST_TMP/$name.out"; then
		echo "not ok - $name exited with status $rc" | tee -a "$log"
	fi
done
# fuzz targets replay their corpora (tests/fuzz/corpus/NAME for fuzz_NAME)
for t in "$BUILD"/tests/replay_fuzz_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	selected "$name" || continue
	corpus=tests/fuzz/corpus/${name#replay_fuzz_}
	echo "# $name $corpus"
	timeout 300 "$t" "$corpus" > "$JOLT_TEST_TMP/$name.out" 2>&1
	rc=$?
	cat "$JOLT_TEST_TMP/$name.out"
	grep -E '^(not )?ok ' "$JOLT_TEST_TMP/$name.out" | sed "s|^|$name: |" >> "$log"
	if [ $rc -ne 0 ]; then
		echo "not ok - $name exited with status $rc" | tee -a "$log"
	fi
done
for s in tests/integration/*.sh; do
	[ -f "$s" ] || continue
	name=$(basename "$s" .sh)
	selected "$name" || continue
	echo "# $name"
	timeout 1800 sh "$s" > "$JOLT_TEST_TMP/$name.out" 2>&1
	rc=$?
	cat "$JOLT_TEST_TMP/$name.out"
	grep -E '^(not )?ok ' "$JOLT_TEST_TMP/$name.out" | sed "s|^|$name: |" >> "$log"
	if [ $rc -ne 0 ] && ! grep -q '^not ok' "$JOLT_TEST_TMP/$name.out"; then
		echo "not ok - $name exited with status $rc" | tee -a "$log"
	fi
done
skipped=$(grep -c '# SKIP' "$log")
failed=$(grep ': not ok' "$log" | grep -vc '# SKIP')
passed=$(grep ': ok' "$log" | grep -vc '# SKIP')
failed=$((failed + $(grep -c '^not ok - ' "$log")))
if [ "$failed" -gt 0 ]; then
	echo "# failures:"
	grep 'not ok' "$log" | grep -v '# SKIP'
	status=1
fi
rm -rf "$JOLT_TEST_TMP"
echo "$passed passed, $failed failed, $skipped skipped"
exit $status
