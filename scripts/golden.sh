#!/bin/sh
# golden.sh - regenerate the golden variant dumps under tests/golden/perturb/
# and the scaffold request goldens under tests/golden/scaffold/
# deliberately (`make golden`). Each case is a directory NAME-L<level>-S<seed>
# with `input` (the suite and the variant name) and `expected.json` (the
# variant's canonical dump). Operators without a case get one, on the first
# small starter task they apply to. Review the diff (git diff tests/golden)
# before committing: every change there is a change in what a variant is.
#
# usage: scripts/golden.sh [BUILD]   (default build directory: build)
set -eu
cd "$(dirname "$0")/.."
BUILD=${1:-${BUILD:-build}}
make --no-print-directory BUILD="$BUILD" "$BUILD/tests/test_perturb" \
	"$BUILD/tests/test_scaffold"
JOLT_GOLDEN_UPDATE=1 "$BUILD/tests/test_perturb"
JOLT_GOLDEN_UPDATE=1 "$BUILD/tests/test_scaffold"
echo "golden.sh: regenerated tests/golden/perturb and tests/golden/scaffold; review with: git diff --stat tests/golden"
