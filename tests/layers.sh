#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# tests/layers.sh - sim/ depends one way: a file uses only its own folder
# and the layers before it, and no two files use each other.
#
#   top_srcdir=/path/to/src [top_builddir=/path/to/build] sh tests/layers.sh [-v]
#
# The layers, lowest first (model/ is below all of them):
#
#	lang  core  backend  tools  cli  bench
#
# A file's layer is its first folder below sim/ (sim/backend/kernel/ is
# backend).  Every #include "..." of sim/ is read:
#   - "FOLDER/FILE.h" names a file of sim/FOLDER; FOLDER must be the
#     including file's layer or one before it;
#   - "rp.h" is the model's public header, "config.h" the build's; any
#     other include without a folder is an error (name the folder);
#   - "FOLDER/NAME-int.h" is private to FOLDER: only files of that same
#     folder may include it.
# Files are grouped into modules: FOLDER/NAME.c, FOLDER/NAME.h and
# FOLDER/NAME-int.h are module FOLDER/NAME.  Module A uses module B when a
# file of A includes a file of B.  No module may use itself through others:
# a pair that uses each other is reported as a two-way pair, any longer
# cycle by its members.
#
# When top_builddir holds the objects of sim/ (after make), the same is
# checked on what the code really calls: A uses B when an object of A
# refers to a symbol an object of B defines (nm), so two files cannot use
# each other through a header that declares both.
#
# Prints one line per offence naming the file and the include; exits 1 on
# any, 0 otherwise.  With -v, also prints the module graphs.
set -u

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
verbose=0
test "${1:-}" = -v && verbose=1

cd "$top_srcdir" || exit 1
test -d sim || { echo "layers.sh: no sim/ in $top_srcdir"; exit 1; }

# "inc FILE INCLUDE" for every #include "..." of sim/.
includes() {
	find sim -name '*.[ch]' | LC_ALL=C sort | while read -r f; do
		sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' \
		    "$f" | while read -r inc; do
			printf 'inc %s %s\n' "$f" "$inc"
		done
	done
}

# "def MODULE SYMBOL" and "use MODULE SYMBOL" for the objects of sim/ in
# the build tree (libtool's non-PIC objects; names lose their target
# prefix: sim/core/libsim_la-exec.o is module core/exec).  Only objects
# whose source is still in sim/ count.
symbols() {
	test -n "${top_builddir:-}" && test -d "$top_builddir/sim" || return 0
	command -v nm >/dev/null 2>&1 || return 0
	(cd "$top_builddir" && find sim -name '*.o' ! -path '*/.libs/*' |
	    LC_ALL=C sort) | while read -r o; do
		m=$(echo "$o" | sed 's|^sim/||; s|/[^/]*-\([^/-]*\)\.o$|/\1|;
		    s|\.o$||')
		case $o in
		*/libsim_la-*) m=$(echo "$o" | sed 's|^sim/||;
		    s|libsim_la-||; s|\.o$||') ;;
		*/reuseport_*-*) m=$(echo "$o" | sed 's|^sim/||;
		    s|reuseport_[a-z]*-||; s|\.o$||') ;;
		esac
		# an object left in the build tree by a file since moved or
		# removed is not part of the program: skip it
		test -f "$top_srcdir/sim/$m.c" || continue
		nm "$top_builddir/$o" | awk -v m="$m" '
		    $2 ~ /^[TDRB]$/ { print "def", m, $3 }
		    $1 == "U" { print "use", m, $2 }'
	done
}

{ includes; symbols; } | awk -v verbose="$verbose" -v srcdir="$top_srcdir" '
BEGIN {
	nl = split("lang core backend tools cli bench", order, " ")
	for (i = 1; i <= nl; i++)
		rank[order[i]] = i
	bad = 0
}
function layer(path,    p) {
	split(path, p, "/")		# sim/LAYER/...
	return p[2]
}
function module(path,    m) {
	m = path
	sub(/^sim\//, "", m)
	sub(/\.[ch]$/, "", m)
	sub(/-int$/, "", m)
	return m
}
function exists(path,    r, line) {
	r = (getline line < path) >= 0
	close(path)
	return r
}
function complain(msg) {
	print "FAIL " msg
	bad++
}
function add_edge(g, a, b, why) {
	if ((g, a, b) in edge)
		return
	edge[g, a, b] = why
	nout[g, a]++
	out[g, a, nout[g, a]] = b
	mods[g, a] = 1
	mods[g, b] = 1
}
$1 == "def" { def[$3] = $2; next }
$1 == "use" { nuse++; use_m[nuse] = $2; use_s[nuse] = $3; next }
$1 == "inc" {
	file = $2; inc = $3
	from = layer(file)
	if (!(from in rank)) {
		complain(file ": not in a layer folder (" \
		    "lang core backend tools cli bench)")
		next
	}
	if (inc !~ /\//) {
		if (inc == "rp.h" || inc == "config.h")
			next
		complain(file ": #include \"" inc "\": name its folder " \
		    "(\"core/" inc "\"), or it is not a file of sim/")
		next
	}
	target = "sim/" inc
	if (!exists(srcdir "/" target) && inc != "tools/spec-rules.c") {
		complain(file ": #include \"" inc "\": no such file in sim/")
		next
	}
	to = layer(target)
	if (!(to in rank)) {
		complain(file ": #include \"" inc "\": not a layer folder")
		next
	}
	if (rank[to] > rank[from]) {
		complain(file ": #include \"" inc "\": " from " may not use " \
		    to " (lang < core < backend < tools < cli < bench)")
		next
	}
	dir = file; sub(/\/[^\/]*$/, "", dir)
	tdir = target; sub(/\/[^\/]*$/, "", tdir)
	if (target ~ /-int\.h$/ && dir != tdir) {
		complain(file ": #include \"" inc "\": a -int.h header is " \
		    "private to " tdir "/")
		next
	}
	a = module(file); b = module(target)
	if (a != b)
		add_edge("include", a, b, file " includes \"" inc "\"")
}
# Two-way pairs and longer cycles of graph g.
function cycles(g, what,    k, ab, m, n, i, v, cyc, inpair, stack, seen) {
	for (k in edge) {
		split(k, ab, SUBSEP)
		if (ab[1] != g || ab[2] >= ab[3] || !((g, ab[3], ab[2]) in edge))
			continue
		complain(what " two-way pair: " ab[2] " <-> " ab[3] ": " \
		    edge[g, ab[2], ab[3]] "; " edge[g, ab[3], ab[2]])
		pair[g, ab[2]] = 1
		pair[g, ab[3]] = 1
	}
	for (k in mods) {
		split(k, ab, SUBSEP)
		if (ab[1] != g || ((g, ab[2]) in pair))
			continue
		m = ab[2]
		split("", seen)
		n = 0
		for (i = 1; i <= nout[g, m]; i++)
			stack[++n] = out[g, m, i]
		cyc = 0
		while (n > 0 && !cyc) {
			v = stack[n--]
			if (v in seen)
				continue
			seen[v] = 1
			if (v == m)
				cyc = 1
			for (i = 1; i <= nout[g, v]; i++)
				stack[++n] = out[g, v, i]
		}
		if (cyc)
			complain(what " cycle: " m " uses itself through " \
			    "other modules")
	}
}
END {
	for (i = 1; i <= nuse; i++) {
		s = use_s[i]
		if ((s in def) && def[s] != use_m[i])
			add_edge("symbol", use_m[i], def[s], use_m[i] \
			    " calls " s "() of " def[s])
	}
	cycles("include", "include:")
	cycles("symbol", "call:")
	nm_inc = 0; nm_sym = 0
	for (k in mods) {
		split(k, ab, SUBSEP)
		if (ab[1] == "include")
			nm_inc++
		else
			nm_sym++
	}
	if (verbose)
		for (k in edge) {
			split(k, ab, SUBSEP)
			print ab[1] ": " ab[2] " -> " ab[3]
		}
	printf "layers.sh: %d modules by include, %d by symbol; %d offences\n", \
	    nm_inc, nm_sym, bad
	exit bad > 0
}'
