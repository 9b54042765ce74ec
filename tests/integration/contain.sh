# contain.sh - exec tools that try the network, write outside the working
# copy, fork without end, run forever or flood output are contained; the
# trial goes on with tool errors and finishes.
. tests/integration/lib.sh
db=$JOLT_TEST_TMP/contain.db
root=$JOLT_TEST_TMP/wd
mkdir -p "$root"
rm -f /var/tmp/jolt-escape-marker
expect_exit 0 "contain run finishes" $JOLT run tests/fixtures/contain --axes none -q --out "$db" --workdir-root "$root"
out=$(sqlite3 "$db" "select outcome from trials")
[ "$out" = pass ] && ok "the trial went on and passed after the misbehaving tools" || notok "outcome $out"
# result TOOL FIELD: a field of the tool-result message(s) for TOOL
result() {
	sqlite3 "$db" "select json_extract(m.value, '\$.$2') from traces, json_each(traces.trace, '\$.messages') m
		where json_extract(m.value, '\$.role') = 'tool' and json_extract(m.value, '\$.name') = '$1'"
}
[ ! -e /var/tmp/jolt-escape-marker ] && [ ! -e "$root/escape-marker" ] && ok "nothing written outside the working copy" \
	|| notok "a write escaped the sandbox"
# Each attempt judged on its own: the absolute path outside the copy is
# refused (read-only host); the relative one lands, if anywhere, in the
# sandbox's private tmpfs, never on the host (checked above).
esc=$(result escape content | head -3)
first=$(sqlite3 "$db" "select json_extract(m.value, '\$.is_error') || ' ' || json_extract(m.value, '\$.content') from traces, json_each(traces.trace, '\$.messages') m
	where json_extract(m.value, '\$.role') = 'tool' and json_extract(m.value, '\$.name') = 'escape' limit 1")
case $first in "1 "*Read-only*) ok "the write to /var/tmp is refused as read-only, a tool error the agent sees" ;;
*) notok "the write to /var/tmp: $first" ;; esac
[ "$(result escape content | grep -c WROTE)" -le 1 ] && ok "at most the private-tmpfs write succeeded" \
	|| notok "both escape writes succeeded: $esc"
net=$(result net content)
[ "$net" = lo ] && ok "no network: only a private loopback interface inside" || notok "interfaces: $net"
result forever content | grep -q 'timed out' && ok "endless loop stopped with a tool error" || notok "endless loop"
[ "$(result forkbomb is_error | wc -l)" = 1 ] && ok "fork bomb call returned and the trial went on" || notok "fork bomb"
# The process limit, not the timeout, is what stops forking: without
# RLIMIT_NPROC all 400 would start (and the count would be printed).
fc=$(result forkcount content)
case $fc in *"timed out"*) notok "forkcount hit the timeout: the process limit did not act" ;;
*"Cannot fork"*) case $fc in *"forked 400"*) notok "forkcount started all 400" ;;
	*) ok "forking is refused at the process limit" ;; esac ;;
*) notok "forkcount: $fc" ;; esac
result flood content | grep -q 'truncated' && ok "flood output truncated" || notok "flood output not truncated"
[ "$(result flood content | wc -c)" -lt 70000 ] && ok "flood output capped" || notok "flood output size"
left=$(ls "$root" | wc -l)
[ "$left" = 0 ] && ok "working copies removed after grading" || notok "$left working copies left"
sleep 0.5
# Anything of this run still alive: a process whose command line names
# this run's working-copy root (bwrap) or whose working directory is under
# it (the tools). Other jolt runs on the machine are not ours to judge.
left=0
pgrep -f "$root" >/dev/null && left=1
for p in /proc/[0-9]*; do
	case "$(readlink "$p/cwd" 2>/dev/null)" in "$root"/*) left=1 ;; esac
done
if [ $left = 1 ]; then notok "a tool process survived"; else ok "no tool process survives"; fi
