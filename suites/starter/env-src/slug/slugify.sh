#!/bin/sh
# slugify.sh - turn a title into a URL slug: lowercase ASCII letters and
# digits are kept, every run of anything else becomes one hyphen, and there
# is no hyphen at either end.
# usage: slugify.sh TITLE...
LC_ALL=C
export LC_ALL

printf '%s\n' "$*" |
	tr 'ABCDEFGHIJKLMNOPQRSTUVWXYZ' 'abcdefghijklmnopqrstuvwxyz' |
	sed -e 's/[^a-z]\{1,\}/-/g' -e 's/^-//' -e 's/-$//'
