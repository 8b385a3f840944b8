#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# tests/spdx.sh - every file of the project carries its licence:
#
#   an "SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause" line within its
#   first three lines (after a #! line), or a match in REUSE.toml's path
#   list (golden outputs, generated pictures, fuzzer inputs), or it is one
#   of the licence texts LICENSE*.
#
# The files are those git tracks plus those it would add (git ls-files
# --cached --others --exclude-standard), so a new file is checked before it
# is committed.  Outside a git checkout (a tarball) there is no list of the
# project's own files: exit 77.
set -u
top_srcdir=${top_srcdir:-$(dirname "$0")/..}

want='SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause'
cd "$top_srcdir" || exit 1
if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	echo "SKIP: $top_srcdir is not a git checkout"
	exit 77
fi

# REUSE.toml's globs, one a line between 'path = [' and ']'
globs=$(sed -n '/^path = \[/,/^\]/s/^ *"\([^"]*\)",\{0,1\}$/\1/p' REUSE.toml)
if test -z "$globs"; then
	echo "FAIL: no path globs read from REUSE.toml"
	exit 1
fi

covered() {
	set -f	# the globs are patterns, not paths to expand
	for g in $globs; do
		# a shell pattern: * matches across /, so ** is the same as *
		pat=$(printf '%s' "$g" | sed 's/\*\*/*/g')
		# shellcheck disable=SC2254 # the pattern is meant to glob
		case $1 in
		$pat) return 0 ;;
		esac
	done
	set +f
	return 1
}

status=0
n=0
list=$(git ls-files --cached --others --exclude-standard)
for f in $list; do
	test -f "$f" || continue	# deleted in the work tree
	n=$((n + 1))
	case $f in
	LICENSE*) continue ;;
	esac
	if head -n 3 "$f" | grep -qF "$want"; then
		continue
	fi
	if covered "$f"; then
		continue
	fi
	echo "FAIL: $f: no '$want' line in its first lines, and REUSE.toml does not cover it"
	status=1
done
echo "checked $n files"
exit $status
