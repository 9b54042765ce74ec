# lib.sh - helpers for integration tests: TAP lines the runner counts.
# Source it; $JOLT is the binary, $JOLT_TEST_TMP a scratch directory.
: "${JOLT:=build/jolt}"
: "${JOLT_TEST_TMP:=$(mktemp -d)}"
# Checks remember replays (jolt check --help): in the scratch directory,
# never in the user's cache.
export JOLT_CACHE_DIR="$JOLT_TEST_TMP/cache"
T=0
ok() { T=$((T + 1)); echo "ok $T - $*"; }
notok() { T=$((T + 1)); echo "not ok $T - $*"; }
# check DESCRIPTION COMMAND... : ok when the command exits 0
check() { _d=$1; shift; if "$@"; then ok "$_d"; else notok "$_d"; fi; }
# expect_exit CODE DESCRIPTION COMMAND...
expect_exit() {
	_want=$1; _d=$2; shift 2
	"$@" > "$JOLT_TEST_TMP/last.out" 2> "$JOLT_TEST_TMP/last.err"
	got=$?
	if [ "$got" -eq "$_want" ]; then ok "$_d"; else
		notok "$_d (exit $got, want $_want)"
		sed 's/^/#   /' "$JOLT_TEST_TMP/last.err" | head -20
	fi
}
