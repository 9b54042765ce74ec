#!/bin/sh
# test.sh - tests for calc.sh. Prints one line per check; exits 1 when any
# check fails. Run from anywhere: sh calc/test.sh
LC_ALL=C
export LC_ALL
here=$(dirname "$0")
fail=0

# check NAME OPERATION INPUT WANT
check() {
	got=$(printf '%s\n' "$3" | sh "$here/calc.sh" "$2")
	if [ "$got" = "$4" ]; then
		echo "ok - $1"
	else
		echo "FAIL - $1: calc.sh $2 gave '$got', want '$4'"
		fail=1
	fi
}

check "sum of one line" sum "1 2 3" 6
check "sum over several lines" sum "$(printf '1 2\n3 4')" 10
check "sum of a single number" sum "5" 5
check "sum with negatives and decimals" sum "10 -4 2.5" 8.5
check "mean" mean "2 4 6" 4
check "mean over lines" mean "$(printf '1\n2')" 1.5
check "max" max "3 9 2" 9
check "max of negatives" max "-3 -9 -2" -2
exit $fail
