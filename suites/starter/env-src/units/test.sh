#!/bin/sh
# test.sh - tests for convert.sh. Prints one line per check; exits 1 when
# any check fails. Run from anywhere: sh units/test.sh
LC_ALL=C
export LC_ALL
here=$(dirname "$0")
fail=0

# check CONVERSION VALUE WANT
check() {
	got=$(sh "$here/convert.sh" "$1" "$2")
	if [ "$got" = "$3" ]; then
		echo "ok - $1 $2 = $3"
	else
		echo "FAIL - $1 $2 gave '$got', want '$3'"
		fail=1
	fi
}

check c2f 100 212.00
check c2f 0 32.00
check c2f -40 -40.00
check c2f 37 98.60
check f2c 212 100.00
check f2c 98.6 37.00
check f2c -40 -40.00
check km2mi 42.195 26.22
check mi2km 10 16.09
exit $fail
