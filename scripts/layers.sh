#!/bin/sh
# layers.sh [ROOT] - check that no #include runs upward in the layering
# (lowest first):
#   core
#   perturb, reports, scaffolds   (core and their own folder)
#   model, world                  (core, perturb, scaffolds, own folder)
#   run                           (core, perturb, scaffolds, model, world,
#                                  reports, run)
#   serve                         (core, perturb, scaffolds, model, serve)
#   cli                           (anything)
# Reads every `#include "..."` in ROOT/harness/*/, perturb/, reports/ and
# scaffolds/ (ROOT defaults to the repository this script is in). A quoted
# include must name its folder ("core/common.h"). Prints FILE:LINE: and the
# offending include for each violation on stdout and exits 1; exits 0 when
# clean, 2 when ROOT cannot be read.
set -u
root=${1:-$(dirname "$0")/..}
cd "$root" || exit 2

allowed() { # LAYER -> folders it may include
	case $1 in
	core) echo "core" ;;
	perturb) echo "core perturb" ;;
	reports) echo "core reports" ;;
	scaffolds) echo "core scaffolds" ;;
	model) echo "core perturb scaffolds model" ;;
	world) echo "core perturb scaffolds world" ;;
	run) echo "core perturb scaffolds model world reports run" ;;
	serve) echo "core perturb scaffolds model serve" ;;
	cli) echo "*" ;;
	*) echo "" ;;
	esac
}

bad=0
files=$(ls harness/*/*.[ch] perturb/*.[ch] reports/*.[ch] scaffolds/*.[ch] 2>/dev/null)
for f in $files; do
	case $f in
	harness/*) layer=${f#harness/}; layer=${layer%%/*} ;;
	*) layer=${f%%/*} ;;
	esac
	ok=$(allowed "$layer")
	if [ -z "$ok" ]; then
		echo "$f: folder '$layer' has no place in the layering"
		bad=1
		continue
	fi
	# LINE<TAB>PATH for every quoted include.
	out=$(awk '/^[[:space:]]*#[[:space:]]*include[[:space:]]*"/ {
		s = $0; sub(/^[^"]*"/, "", s); sub(/".*$/, "", s);
		printf "%d\t%s\n", NR, s }' "$f")
	[ -n "$out" ] || continue
	while IFS='	' read -r line inc; do
		case $inc in
		*/*) dir=${inc%%/*} ;;
		*) echo "$f:$line: #include \"$inc\" does not name its folder"
		   bad=1; continue ;;
		esac
		[ "$ok" = "*" ] && continue
		case " $ok " in
		*" $dir "*) ;;
		*) echo "$f:$line: #include \"$inc\" runs upward ($layer may include: $ok)"
		   bad=1 ;;
		esac
	done <<EOT
$out
EOT
done
exit $bad
