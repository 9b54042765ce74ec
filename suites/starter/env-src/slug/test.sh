#!/bin/sh
# test.sh - tests for slugify.sh. Prints one line per check; exits 1 when
# any check fails. Run from anywhere: sh slug/test.sh
LC_ALL=C
export LC_ALL
here=$(dirname "$0")
fail=0

# check TITLE WANT
check() {
	got=$(sh "$here/slugify.sh" "$1")
	if [ "$got" = "$2" ]; then
		echo "ok - '$1' -> $2"
	else
		echo "FAIL - '$1' gave '$got', want '$2'"
		fail=1
	fi
}

check "Hello World" hello-world
check "  Trim me  " trim-me
check "C'est la vie!" c-est-la-vie
check "Release 2.0 Notes" release-2-0-notes
check "Top 10 Bridges of Velmora" top-10-bridges-of-velmora
check "2024 Annual Report" 2024-annual-report
exit $fail
