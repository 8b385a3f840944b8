#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
#
# rule-coverage.sh - every docs/SPEC.md rule is cited by a test, and every
# rule id a test cites exists.
#
# Rule ids are the headings `### R-<AREA>-<step>: title` of docs/SPEC.md.
# A rule is covered when its id appears as a whole word in at least one of
# tests/*.c (test names, comments) or scenarios/**/*.scn (for example a
# `# Rules: R-UPD-6a R-UPD-6b` header).  An id is the longest run matching
# R-[A-Z]+-X([.-]X)* with X = [0-9A-Za-z]+, not preceded or followed by a
# letter, digit or '_'; so "R-UPD-6a." and "(R-UPD-6a)" cite R-UPD-6a,
# "R-UPD-6a..R-UPD-6g" cites only the two ends, and "R-UPD-6a-6c" is read as
# one (unknown) id.
#
# Rule ids in model/*.c (what rp_rule() reports) must exist too, but do not
# count as coverage.
#
# Prints each uncovered id, each cited id that SPEC.md does not define (with
# file:line), then "rules: N, covered: M".  Exits 1 if any rule is uncovered,
# any unknown id is cited, or SPEC.md is missing, empty, or defines an id
# twice or in a form no test could cite; 0 otherwise.  Never exits 77.
#
# Run by `make check` from the build directory with $top_srcdir set; without
# it, the tree is the parent of this script's directory.  POSIX sh and awk;
# all files are read in one awk pass.

LC_ALL=C
export LC_ALL

if [ -n "${top_srcdir:-}" ]; then
	top=$top_srcdir
else
	top=$(dirname -- "$0")/..
fi
top=$(cd -- "$top" 2>/dev/null && pwd) || {
	echo "rule-coverage: cannot enter source tree '${top_srcdir:-$0/..}'" >&2
	exit 1
}
spec=$top/docs/SPEC.md
if [ ! -r "$spec" ]; then
	echo "rule-coverage: cannot read $spec" >&2
	exit 1
fi

# The list of files to scan, one per line: tests/*.c, then scenarios/**/*.scn
# (these cite rules), then model/*.c prefixed with "model:" (the rule ids the
# model reports through rp_rule() must exist, but do not count as covered).
list_files() {
	for f in "$top"/tests/*.c; do
		[ -f "$f" ] && printf '%s\n' "$f"
	done
	if [ -d "$top/scenarios" ]; then
		find "$top/scenarios" -type f -name '*.scn' | sort
	fi
	for f in "$top"/model/*.c; do
		[ -f "$f" ] && printf 'model:%s\n' "$f"
	done
}

list_files | awk -v spec="$spec" -v top="$top/" '
# Append every whole-word rule id of line s to cites[] / where[].
function scan(s, file, lineno,    pre, id, post, rest) {
	rest = s
	while (match(rest, /R-[A-Z]+-[0-9A-Za-z]+([.-][0-9A-Za-z]+)*/)) {
		pre = RSTART > 1 ? substr(rest, RSTART - 1, 1) : ""
		id = substr(rest, RSTART, RLENGTH)
		post = substr(rest, RSTART + RLENGTH, 1)
		rest = substr(rest, RSTART + RLENGTH)
		if (pre ~ /[0-9A-Za-z_]/ || post ~ /[0-9A-Za-z_]/)
			continue
		ncite++
		cites[ncite] = id
		where[ncite] = file ":" lineno
		counts[ncite] = !checkonly
	}
}

BEGIN {
	status = 0
	nrules = 0
	while ((r = (getline line < spec)) > 0) {
		specline++
		if (line !~ /^### R-[A-Z]+-[0-9A-Za-z.-]+:/)
			continue
		id = substr(line, 5)
		sub(/:.*/, "", id)
		if (id in defined) {
			printf "rule-coverage: %s defined twice (docs/SPEC.md:%d)\n", id, specline
			status = 1
			continue
		}
		if (id !~ /^R-[A-Z]+-[0-9A-Za-z]+([.-][0-9A-Za-z]+)*$/) {
			printf "rule-coverage: %s cannot be cited as a word (docs/SPEC.md:%d)\n", id, specline
			status = 1
		}
		defined[id] = 1
		order[++nrules] = id
	}
	if (r < 0) {
		printf "rule-coverage: error reading %s\n", spec
		fatal = 1
		exit 1		# END still runs: it checks fatal
	}
	close(spec)
	if (nrules == 0) {
		printf "rule-coverage: no rules (\"### R-...:\" headings) in %s\n", spec
		fatal = 1
		exit 1
	}
}

# stdin: one file name per line
{
	file = $0
	checkonly = sub(/^model:/, "", file)
	name = index(file, top) == 1 ? substr(file, length(top) + 1) : file
	lineno = 0
	while ((r = (getline line < file)) > 0)
		scan(line, name, ++lineno)
	if (r < 0) {
		printf "rule-coverage: cannot read %s\n", file
		status = 1
	}
	close(file)
}

END {
	if (fatal)
		exit 1
	for (i = 1; i <= ncite; i++) {
		if (cites[i] in defined) {
			if (counts[i])
				covered[cites[i]] = 1
		}
		else {
			printf "rule-coverage: unknown rule id %s (%s)\n", cites[i], where[i]
			unknown++
		}
	}
	ncov = 0
	for (i = 1; i <= nrules; i++) {
		if (order[i] in covered)
			ncov++
		else
			printf "rule-coverage: uncovered: %s\n", order[i]
	}
	printf "rules: %d, covered: %d\n", nrules, ncov
	if (unknown > 0)
		printf "unknown ids cited: %d\n", unknown
	if (ncov < nrules || unknown > 0)
		status = 1
	exit status
}
'
