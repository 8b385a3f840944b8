#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# tests/profile-scenarios.sh - every switch whose value changes between
# neighbouring profiles is shown by a scenario run under both.
#
# Reads the "Switches by version and variant" table of docs/SPEC.md (one
# row per switch: its value under 4.19, 5.10, 6.1, 6.12, 6.18 and 7.2, and
# the scenarios that show it) and the build-variant table after it (6.18
# and its two variant rows).  For
# each pair of neighbouring profiles whose values differ, at least one of
# the row's scenarios must exist and declare both profiles on its
# `profile` line.  A row may name no scenario only when it says the
# switch is "not consulted by the model" or "unobservable" (the model
# consults it, but no input it takes can tell the values apart), and
# skip 4.19 only when it says "4.19: not modelled".  Instead of a
# scenario a row may name a Check test as tests/check_NAME.c:TEST, where
# TEST ends in "/by-profile": by convention such a test runs under every
# profile of rp_profile_nth() with the values of each written out, so it
# shows every change (the file must register a test of that name).  The
# values themselves are checked against the model by
# tests/check_profile.c.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$here/..}
spec=$top_srcdir/docs/SPEC.md
scn=$top_srcdir/scenarios

awk -v scn="$scn" -v top="$top_srcdir" '
function trim(s) { gsub(/^[ \t`]+|[ \t`]+$/, "", s); return s }
# the profiles a scenario declares, space-separated with spaces around
function profiles(file,    line, out) {
	out = ""
	while ((getline line < file) > 0)
		if (line ~ /^profile /) {
			out = " " substr(line, 9) " "
			break
		}
	close(file)
	return out
}
# a Check test FILE:NAME that FILE registers (TU_NAMED(fn, "NAME", ...))
function bytest(ref,    file, name, line, found) {
	file = top "/" substr(ref, 1, index(ref, ":") - 1)
	name = substr(ref, index(ref, ":") + 1)
	found = 0
	while ((getline line < file) > 0)
		if (index(line, "\"" name "\""))
			found = 1
	close(file)
	if (!found) {
		printf "FAIL %s: no test %s\n", sw, ref
		bad++
	}
	return found
}
function check(sw, pa, pb, shown,    n, i, f, p, ok, files) {
	n = split(shown, files, /[ ,()]+/)
	ok = 0
	for (i = 1; i <= n; i++) {
		f = files[i]
		if (f ~ /^tests\/check_[a-z0-9_]+\.c:[^ ]+\/by-profile$/) {
			if (bytest(f))
				ok = 1
			continue
		}
		if (f !~ /\.scn$/)
			continue
		if ((getline p < (scn "/" f)) < 0) {
			printf "FAIL %s: %s does not exist\n", sw, f
			bad++
			continue
		}
		close(scn "/" f)
		p = profiles(scn "/" f)
		if (index(p, " " pa " ") && index(p, " " pb " "))
			ok = 1
	}
	if (ok) {
		printf "ok %s: %s -> %s\n", sw, pa, pb
		pairs++
	} else if (shown ~ /not consulted by the model/) {
		printf "ok %s: %s -> %s (not consulted by the model)\n", sw, pa, pb
	} else if (shown ~ /unobservable/) {
		printf "ok %s: %s -> %s (unobservable)\n", sw, pa, pb
	} else if (pa == "4.19" && shown ~ /4\.19: not modelled/) {
		printf "ok %s: %s -> %s (4.19: not modelled)\n", sw, pa, pb
	} else {
		printf "FAIL %s: %s -> %s changes, and no scenario of \"%s\" runs under both\n", sw, pa, pb, shown
		bad++
	}
}
/^### Switches by version and variant/ { intable = 1; next }
/^### / { intable = 0 }
intable && /^\| `/ {
	n = split($0, c, "|")
	sw = trim(c[2])
	if (n >= 11) {		# switch, 6 profiles, changed, shown by
		split("4.19 5.10 6.1 6.12 6.18 7.2", prof, " ")
		for (i = 1; i <= 6; i++)
			v[i] = trim(c[i + 2])
		shown = c[10]
		rows++
		for (i = 1; i < 6; i++)
			if (v[i] != v[i + 1])
				check(sw, prof[i], prof[i + 1], shown)
	} else if (n >= 9) {	# variant: switch, alternatives, 6.18, two
		# variant rows, measured, shown by
		rows++
		if (trim(c[4]) != trim(c[5]))
			check(sw, "6.18", "6.18+attach-einval", c[8])
		if (trim(c[4]) != trim(c[6]))
			check(sw, "6.18", "6.18+attach-einval+role-einval+udp-bind-walk", c[8])
	}
}
END {
	if (rows < 30) {
		printf "FAIL only %d switch rows found in the SPEC table\n", rows
		exit 1
	}
	printf "%d switches, %d changes shown, %d problems\n", rows, pairs, bad
	exit bad > 0
}' "$spec"
