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

# a shell pattern: * matches across /, so ** is the same as *; turned
# into patterns once, not once a file (2,800 files rely on REUSE.toml)
pats=$(printf '%s\n' "$globs" | sed 's/\*\*/*/g')

covered() {
	set -f	# the globs are patterns, not paths to expand
	for pat in $pats; do
		# shellcheck disable=SC2254 # the pattern is meant to glob
		case $1 in
		$pat) set +f; return 0 ;;
		esac
	done
	set +f
	return 1
}

status=0
export LC_ALL=C	# sort and comm agree on the order
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
git ls-files --cached --others --exclude-standard |
    while IFS= read -r f; do
	test -f "$f" && printf '%s\n' "$f"	# not deleted in the work tree
    done > "$tmp/files"
# the files with the line among their first three, in one awk for all
# (a head and a grep a file took minutes on a loaded machine)
tr '\n' '\0' < "$tmp/files" | xargs -0 awk -v want="$want" '
	FNR > 3 { nextfile }
	index($0, want) { print FILENAME; nextfile }' > "$tmp/have"
n=$(wc -l < "$tmp/files")
sort "$tmp/files" > "$tmp/files.sorted"
sort "$tmp/have" > "$tmp/have.sorted"
# the files without it: REUSE.toml must cover each
comm -23 "$tmp/files.sorted" "$tmp/have.sorted" > "$tmp/lack"
while IFS= read -r f; do
	case $f in
	LICENSE*) continue ;;
	esac
	if covered "$f"; then
		continue
	fi
	echo "FAIL: $f: no '$want' line in its first lines, and REUSE.toml does not cover it"
	status=1
done < "$tmp/lack"
echo "checked $n files"
exit $status
