# checkcache.sh - `jolt check` and `jolt run`'s pre-check pay for a replay
# once: a second check is all cached and prints the same; editing one
# task re-checks that task alone; --no-cache, JOLT_CACHE_DIR and a cache
# that is corrupt or cannot be made; parallel output equals --workers 1.
. tests/integration/lib.sh
D="$JOLT_TEST_TMP/checkcache"
rm -rf "$D"; mkdir -p "$D"
cp -r tests/fixtures/mini "$D/mini"
S="$D/mini"
C="$D/cache"
# Level 1 keeps it quick; the mini suite's known failures stay in, so
# cached failures (with their diffs) are compared too.
SEL="--levels 1"

# run NAME ARGS...: check into $D/NAME.out/.err, exit status in $D/NAME.rc
run() {
	_n=$1; shift
	$JOLT check "$S" $SEL "$@" > "$D/$_n.out" 2> "$D/$_n.err"
	echo $? > "$D/$_n.rc"
}
# closing NAME: "cached N, run M" from the closing progress line
closing() { sed -n 's/^check: \([0-9]*\) replays in .* s (cached \([0-9]*\), run \([0-9]*\))$/\1 \2 \3/p' "$D/$1.err" | tail -1; }
same() { # DESC A B: same stdout and exit status
	if cmp -s "$D/$2.out" "$D/$3.out" && cmp -s "$D/$2.rc" "$D/$3.rc"; then ok "$1"; else
		notok "$1"; diff "$D/$2.out" "$D/$3.out" | head -10 | sed 's/^/#   /'; fi
}

run cold --cache "$C" --workers 4
set -- $(closing cold)
total=$1
[ "${total:-0}" -gt 20 ] && [ "$2" = 0 ] && [ "$3" = "$total" ] &&
	ok "cold check runs all $total replays" || notok "cold check: $(tail -1 "$D/cold.err")"
[ "$(grep -cE '^(ok|FAIL|ERROR) ' "$D/cold.out")" = "$total" ] &&
	ok "one line per replay" || notok "one line per replay"
[ -f "$C/check.db" ] && ok "cache file in --cache DIR" || notok "cache file in --cache DIR"

run warm --cache "$C"
same "warm check prints the same" cold warm
[ "$(closing warm)" = "$total $total 0" ] && ok "warm check is all cached" ||
	notok "warm check: $(tail -1 "$D/warm.err")"

# Nothing is replayed warm, not even the baselines whose traces decide
# the response axis's visible change (the cache keeps those traces): no
# working copy is made.
mkdir -p "$D/wd"
run warm-wd --cache "$C" --workdir-root "$D/wd" --keep-workdirs
same "a warm check with kept working copies prints the same" cold warm-wd
[ -z "$(ls -A "$D/wd")" ] && ok "a warm check makes no working copy" ||
	notok "a warm check made working copies: $(ls -A "$D/wd" | head -3)"
[ "$(sqlite3 "$C/check.db" 'select count(*) from traces' 2>/dev/null)" -ge 1 ] 2>/dev/null &&
	ok "the cache keeps the baselines' traces" || notok "the cache keeps no trace"

run serial --no-cache --workers 1
same "--workers 4 prints what --workers 1 does" cold serial
[ "$(closing serial)" = "$total 0 $total" ] && ok "--no-cache replays everything" ||
	notok "--no-cache: $(tail -1 "$D/serial.err")"

# Editing one task's file re-checks that task only.
nwrite=$(grep -cE '^(ok|FAIL|ERROR) +mini/write/' "$D/cold.out")
echo "# edited" >> "$S/tasks/write.yaml"
run edited --cache "$C"
same "an edit that changes nothing prints the same" cold edited
[ "$(closing edited)" = "$total $((total - nwrite)) $nwrite" ] &&
	ok "editing write.yaml re-checks its $nwrite replays only" ||
	notok "after editing write.yaml: $(tail -1 "$D/edited.err"), want run $nwrite"
# A real change is seen, not served from the cache.
sed 's/b2/b3/' "$S/tasks/read.yaml" > "$D/read.yaml" && mv "$D/read.yaml" "$S/tasks/read.yaml"
grep -q 'b3' "$S/tasks/read.yaml" || notok "test setup: read.yaml grader not edited"
run changed --cache "$C"
grep -q '^FAIL  mini/read/baseline: the baseline oracle does not pass' "$D/changed.out" &&
	ok "a changed grader fails the baseline" || notok "a changed grader fails the baseline"
[ "$(cat "$D/changed.rc")" = 1 ] && ok "and the check exits 1" || notok "changed check exit $(cat "$D/changed.rc")"
cp tests/fixtures/mini/tasks/read.yaml "$S/tasks/read.yaml"
cp tests/fixtures/mini/tasks/write.yaml "$S/tasks/write.yaml"
run restored --cache "$C"
same "restored tasks print the first output" cold restored
[ "$(closing restored)" = "$total $total 0" ] && ok "restored tasks are cached again" ||
	notok "restored: $(tail -1 "$D/restored.err")"

# The default location: JOLT_CACHE_DIR, else XDG_CACHE_HOME/jolt.
JOLT_CACHE_DIR="$D/env-cache" $JOLT check "$S" --axes none > /dev/null 2>&1
[ -f "$D/env-cache/check.db" ] && ok "JOLT_CACHE_DIR is used" || notok "JOLT_CACHE_DIR is used"
(unset JOLT_CACHE_DIR; XDG_CACHE_HOME="$D/xdg" $JOLT check "$S" --axes none > /dev/null 2>&1)
[ -f "$D/xdg/jolt/check.db" ] && ok "XDG_CACHE_HOME/jolt is used" || notok "XDG_CACHE_HOME/jolt is used"
JOLT_CACHE_DIR="$D/env-cache2" $JOLT check "$S" --axes none --no-cache > /dev/null 2>&1
[ ! -e "$D/env-cache2" ] && ok "--no-cache makes no cache" || notok "--no-cache makes no cache"

# A corrupt cache is a warning and a cold run, then a working cache.
head -c 4096 /dev/urandom > "$C/check.db"
rm -f "$C/check.db-wal" "$C/check.db-shm"
run corrupt --cache "$C"
same "a corrupt cache prints the same" cold corrupt
grep -q 'warning: check cache .*not a database' "$D/corrupt.err" &&
	ok "a corrupt cache is a warning" || notok "corrupt: $(head -3 "$D/corrupt.err")"
[ "$(closing corrupt)" = "$total 0 $total" ] && ok "and a cold run" || notok "corrupt: $(tail -1 "$D/corrupt.err")"
run recovered --cache "$C"
[ "$(closing recovered)" = "$total $total 0" ] && ok "the fresh cache serves the next check" ||
	notok "recovered: $(tail -1 "$D/recovered.err")"

# A cache that cannot be made is a warning too.
: > "$D/afile"
run nodir --cache "$D/afile/sub"
same "an unusable cache directory prints the same" cold nodir
grep -q 'warning: check cache .*cannot make directory' "$D/nodir.err" &&
	ok "an unusable cache directory is a warning" || notok "nodir: $(head -3 "$D/nodir.err")"

# jolt run's pre-check shares the cache: its oracle replays are cached.
$JOLT run "$S" $SEL --cache "$C" --out "$D/run.db" > /dev/null 2> "$D/run.err"
echo $? > "$D/run.rc"
[ "$(cat "$D/run.rc")" = 0 ] && ok "run after check" || notok "run after check exits $(cat "$D/run.rc")"
noracle=$(sed -n 's/^[0-9]* tasks and \([0-9]*\) variants checked.*/\1/p' "$D/cold.out")
grep -q "^pre-check: $noracle replays in .* s (cached $noracle, run 0)$" "$D/run.err" &&
	ok "run's pre-check is all cached ($noracle)" || notok "pre-check: $(grep pre-check "$D/run.err" | tail -1)"
$JOLT run "$S" $SEL --no-cache --out "$D/run2.db" -q > /dev/null 2> "$D/run2.err"
[ ! -s "$D/run2.err" ] && ok "run -q prints no progress" || notok "run -q: $(head -2 "$D/run2.err")"
$JOLT check --help > "$D/help.out"
grep -q -- '--workers N' "$D/help.out" && grep -q -- '--cache DIR' "$D/help.out" &&
	grep -q -- '--no-cache' "$D/help.out" && ok "check --help lists --workers, --cache, --no-cache" ||
	notok "check --help lists --workers, --cache, --no-cache"
expect_exit 2 "--workers -1 is a usage error" $JOLT check "$S" --workers -1
