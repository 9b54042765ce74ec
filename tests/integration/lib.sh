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
# serve_up LOG ARGS... : start `jolt serve` on a free loopback port with
# ARGS, logging to LOG; sets P (the port) and SPID, kills it on exit, and
# ends the script with a failure if it does not come up.
serve_up() {
	_log=$1; shift
	$JOLT serve --listen 127.0.0.1:0 "$@" > "$_log" 2>&1 &
	SPID=$!
	trap 'kill $SPID 2>/dev/null' EXIT
	_i=0; P=
	while [ $_i -lt 100 ]; do
		P=$(sed -n 's/.*(port \([0-9]*\)).*/\1/p' "$_log" | head -1)
		[ -n "$P" ] && break
		sleep 0.1; _i=$((_i + 1))
	done
	[ -n "$P" ] && ok "jolt serve listening on port $P" \
		|| { notok "jolt serve did not start"; sed 's/^/#   /' "$_log"; exit 1; }
}
