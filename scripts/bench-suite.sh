#!/bin/sh
# bench-suite.sh SRC DST N - a suite of N tasks for benchmarks: SRC's
# suite.yaml and environment, its tasks copied round-robin under new ids.
set -eu
src=$1 dst=$2 n=$3
rm -rf "$dst"
mkdir -p "$dst/tasks"
cp "$src/suite.yaml" "$dst/"
cp -r "$src/env" "$dst/"
set -- "$src"/tasks/*.yaml
count=$#
i=0
while [ $i -lt "$n" ]; do
	k=$((i % count + 1))
	eval f=\${$k}
	sed "s/^id: \(.*\)/id: \1-b$i/" "$f" > "$dst/tasks/b$i.yaml"
	i=$((i + 1))
done
