#!/bin/sh
# workcopy.sh - the bench figure for a trial's working copy: jolt's pooled
# copy in steady state against `git worktree add` and `cp -a` of the same
# 1,000-file repository, on the filesystem jolt picks by default and, when
# that is not /tmp, on /tmp too. Run with BUILD=build dir (JOLT is not
# needed: the figure comes from tests/bench/bench_workcopy.c, linked with
# the library objects).
set -eu
BUILD=${BUILD:-build}
bin=$BUILD/bench/bench_workcopy
if [ ! -x "$bin" ]; then
	make --no-print-directory BUILD="$BUILD" "$bin" >/dev/null
fi
"$bin"
root=$("$bin" --print-root)
if [ "$root" != /tmp ]; then
	"$bin" /tmp
fi
