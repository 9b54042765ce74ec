#!/bin/sh
# mkrepo.sh - build the starter suite's environment, the bare repository
# suites/starter/env/repo.git, from the readable source tree
# suites/starter/env-src/.
#
# Reproducible: names, emails, dates, file modes and messages are fixed, so
# the same env-src gives the same commit sha on every machine (the pack
# files themselves may differ between git versions; the sha does not).
# Two commits: the initial one (README, data/, docs/, notes/) and a second
# one that adds the calc/, units/ and slug/ projects, bugs included.
#
# usage: scripts/mkrepo.sh [SRC [DST]]     prints the head sha
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
src=${1:-$top/suites/starter/env-src}
dst=${2:-$top/suites/starter/env/repo.git}
[ -d "$src" ] || { echo "mkrepo.sh: no source directory: $src" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mkrepo.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

# Ignore every user and system setting that could change the objects.
HOME=$tmp
GIT_CONFIG_NOSYSTEM=1
GIT_CONFIG_GLOBAL=/dev/null
GIT_AUTHOR_NAME="Velmora Workbench"
GIT_AUTHOR_EMAIL="workbench@velmora.example"
GIT_COMMITTER_NAME="Velmora Workbench"
GIT_COMMITTER_EMAIL="workbench@velmora.example"
TZ=UTC
LC_ALL=C
export HOME GIT_CONFIG_NOSYSTEM GIT_CONFIG_GLOBAL GIT_AUTHOR_NAME \
	GIT_AUTHOR_EMAIL GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL TZ LC_ALL
g() { git -c core.autocrlf=false -c core.fileMode=true \
	-c commit.gpgSign=false -c init.defaultBranch=main -c pack.threads=1 "$@"; }

w=$tmp/work
g init -q "$w"
# stage SRC-DIR: make the work tree an exact copy, plain 0644 files
stage() {
	find "$w" -mindepth 1 -maxdepth 1 ! -name .git -exec rm -rf {} +
	(cd "$1" && tar cf - .) | (cd "$w" && tar xf -)
	find "$w" -path "$w/.git" -prune -o -type d -exec chmod 755 {} + \
		-o -type f -exec chmod 644 {} +
	g -C "$w" add -A
}

mkdir "$tmp/first"
(cd "$src" && tar cf - --exclude=./calc --exclude=./units --exclude=./slug .) |
	(cd "$tmp/first" && tar xf -)
stage "$tmp/first"
GIT_AUTHOR_DATE="2024-03-01T09:00:00+0000" \
GIT_COMMITTER_DATE="2024-03-01T09:00:00+0000" \
	g -C "$w" commit -q -m "Initial workspace: data, docs and notes"

stage "$src"
GIT_AUTHOR_DATE="2024-03-18T10:30:00+0000" \
GIT_COMMITTER_DATE="2024-03-18T10:30:00+0000" \
	g -C "$w" commit -q -m "Add calc, units and slug projects"

rm -rf "$dst"
mkdir -p "$(dirname "$dst")"
g init -q --bare "$dst"
g -C "$w" push -q "$dst" main:refs/heads/main
g -C "$dst" symbolic-ref HEAD refs/heads/main
g -C "$dst" repack -q -a -d -f --depth=50 --window=250 --no-write-bitmap-index
g -C "$dst" prune --expire=now
# Small and inert: no sample hooks, no logs, no description. The ref stays
# loose (refs/heads/main) so that refs/ is not an empty directory when the
# repository is committed into another git tree as plain files.
rm -rf "$dst/hooks" "$dst/logs" "$dst/info" "$dst/description" "$dst/branches" \
	"$dst/objects/info/packs" \
	"$dst/packed-refs" "$dst/FETCH_HEAD"
find "$dst/refs" "$dst/objects" -mindepth 1 -type d -empty -delete
g -C "$dst" fsck --strict --no-progress
g -C "$dst" rev-parse HEAD
