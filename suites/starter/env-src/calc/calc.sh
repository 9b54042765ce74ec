#!/bin/sh
# calc.sh - a tiny calculator over whitespace-separated numbers on stdin.
# usage: calc.sh sum|mean|max < numbers
LC_ALL=C
export LC_ALL

op=${1:-sum}
case $op in
sum)
	awk '{ for (i = 1; i < NF; i++) s += $i }
	END { printf "%.10g\n", s + 0 }'
	;;
mean)
	awk '{ for (i = 1; i <= NF; i++) { s += $i; n++ } }
	END { if (n) printf "%.10g\n", s / n; else print "0" }'
	;;
max)
	awk '{ for (i = 1; i <= NF; i++) if (!seen || $i + 0 > m) { m = $i + 0; seen = 1 } }
	END { printf "%.10g\n", m + 0 }'
	;;
*)
	echo "calc.sh: unknown operation: $op (expected sum, mean or max)" >&2
	exit 2
	;;
esac
