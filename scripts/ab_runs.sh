#!/bin/sh
# ab_runs.sh JOLT_A JOLT_B [SUITE] - does a change keep what a run measures?
# Runs the same seeded sim:brittle runs with two jolt binaries against
# `jolt serve` on 127.0.0.1 (each binary its own server), over the openai,
# anthropic and m2 dialects (the native scaffold) and the openai dialect
# under the text scaffolds (xml, json, react), and compares, run by run:
# the trial rows (all but latency and finish time), every trial's message
# history, and the Markdown report (its lines that carry no timing).
# Prints one line per run and exits 1 when any differs.
#
# Scratch under /dev/shm (or /tmp); AB_KEEP=1 keeps it.
set -u
A=$1 B=$2 SUITE=${3:-suites/starter}
root=/tmp
[ -d /dev/shm ] && [ -w /dev/shm ] && root=/dev/shm
T=$(mktemp -d "$root/jolt-ab.XXXXXX")
pids=""
trap 'for p in $pids; do kill "$p" 2>/dev/null; done; [ -n "${AB_KEEP:-}" ] || rm -rf "$T"' EXIT
serve() { # BIN NAME: start a server (in this shell, so that the trap
	# stops it), set PORT
	"$1" serve --listen 127.0.0.1:0 --suite "$SUITE" > "$T/serve-$2.log" 2>&1 &
	pids="$pids $!"
	i=0
	while [ $i -lt 100 ]; do
		PORT=$(sed -n 's/.*(port \([0-9]*\)).*/\1/p' "$T/serve-$2.log" | head -1)
		[ -n "$PORT" ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	echo "ab_runs: jolt serve ($2) did not start" >&2
	exit 3
}
serve "$A" a
PA=$PORT
serve "$B" b
PB=$PORT
sel="--ops tool_rename,user_typo,move_files,transient,inject,sys_persona,user_split,tool_distractor --levels 1,2 --repeats 2 --seed 7 -q"
rows() {
	sqlite3 "$1" "select key, model, scaffold, suite, task, variant, axis, operator, level, seed,
		repeat, outcome, reward, steps, tokens_in, tokens_out, error_class, malformed_calls,
		answer, detail from trials order by key"
}
msgs() {
	sqlite3 "$1" "select t.key, json_extract(x.trace, '\$.messages') from trials t
		join traces x on x.trial_id = t.id order by t.key"
}
report() { # the md report without what carries a time or a path: the
	# mean latency column of the summary, and such lines
	"$A" report "$1" --format md 2>/dev/null |
		awk '/mean latency \(ms\) \|$/ { lat = 1 } /^$/ { lat = 0 }
			lat && /^\| / { sub(/\| *[0-9.]+ *\|$/, "| - |") } { print }' |
		grep -v -i -E 'latency|seconds|[0-9]+ ms|wall|/dev/shm|/tmp/|generated|finished|started'
}
status=0
for run in openai:native anthropic:native m2:native openai:xml openai:json openai:react; do
	d=${run%%:*} sc=${run#*:}
	for side in a b; do
		if [ $side = a ]; then bin=$A p=$PA; else bin=$B p=$PB; fi
		case $d in
		anthropic) url=http://127.0.0.1:$p/anthropic ;;
		*) url=http://127.0.0.1:$p/v1 ;;
		esac
		db=$T/$d-$sc-$side.db
		"$bin" run "$SUITE" --model "$d:sim:brittle@$url" --scaffold "$sc" $sel \
			-j 16 --out "$db" > "$T/$d-$sc-$side.out" 2>&1
		# Each side has its own server: its port is in model names and keys.
		rows "$db" | sed "s/127.0.0.1:$p/127.0.0.1:PORT/g" > "$T/$d-$sc-$side.rows"
		msgs "$db" | sed "s/127.0.0.1:$p/127.0.0.1:PORT/g" > "$T/$d-$sc-$side.msgs"
		report "$db" | sed -e "s/127.0.0.1:$p/127.0.0.1:PORT/g" \
			-e "s/$d-$sc-$side\.db/DB/g" > "$T/$d-$sc-$side.md"
	done
	n=$(sqlite3 "$T/$d-$sc-a.db" "select count(*) from trials" 2>/dev/null || echo 0)
	f=$(sqlite3 "$T/$d-$sc-a.db" "select count(*) from trials where outcome = 'fail'" 2>/dev/null || echo 0)
	same=yes
	for k in rows msgs md; do
		cmp -s "$T/$d-$sc-a.$k" "$T/$d-$sc-b.$k" || {
			same="NO ($k differ)"
			diff "$T/$d-$sc-a.$k" "$T/$d-$sc-b.$k" | head -4 | cut -c1-200 | sed 's/^/    /'
		}
	done
	[ "$n" -gt 0 ] || same="NO (no trials)"
	echo "$d $sc: $n trials, $f failed, $(wc -c < "$T/$d-$sc-a.msgs") bytes of messages: same: $same"
	case $same in yes) ;; *) status=1 ;; esac
done
exit $status
