#!/bin/sh
# convert.sh - temperature and distance conversions, two decimals.
# usage: convert.sh c2f|f2c|km2mi|mi2km VALUE
LC_ALL=C
export LC_ALL

usage="usage: convert.sh c2f|f2c|km2mi|mi2km VALUE"
if [ $# -ne 2 ]; then
	echo "$usage" >&2
	exit 2
fi
case $1 in
c2f | f2c | km2mi | mi2km) ;;
*)
	echo "convert.sh: unknown conversion: $1" >&2
	echo "$usage" >&2
	exit 2
	;;
esac

awk -v op="$1" -v x="$2" 'BEGIN {
	if (op == "c2f")
		y = x * 9 / 5 - 32
	else if (op == "f2c")
		y = (x - 32) * 5 / 9
	else if (op == "km2mi")
		y = x / 1.609344
	else
		y = x * 1.609344
	printf "%.2f\n", y
}'
