#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# tests/bpf-objects.sh - the compiled programs committed under
# scenarios/programs/ are what their sources compile to.
#
#   top_srcdir=SRC top_builddir=BUILD BPF_CLANG=clang \
#   BPF_OBJECT_NAMES="select quic ..." sh tests/bpf-objects.sh
#
# 1. Every scenarios/programs/NAME.bpf.c has its committed NAME.bpf.o and
#    the reverse, and BPF_OBJECT_NAMES (the list the build compiles) names
#    exactly those sources: this part needs no clang.
# 2. When configure found a clang for the bpf target (BPF_CLANG set), the
#    build compiled each source into BUILD/bpfobj/NAME.bpf.o; the
#    instructions and relocations of that object (llvm-objdump -d -r) must
#    equal the committed one's.  Objects made by another compiler than the
#    one scenarios/programs/objects.clang records are not compared (the
#    code generator's choices differ between releases): a note says so.
#
# After an intended change of a source: make regen-bpfobj.  Exits 1 when
# anything differs, 77 (skip) when part 2 cannot run and part 1 passed.
set -u

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${top_builddir:-.}
progs=$top_srcdir/scenarios/programs
status=0
skip=

# 1. sources, objects and the build's list agree
srcs=
for c in "$progs"/*.bpf.c; do
	test -f "$c" || continue
	n=$(basename "$c" .bpf.c)
	srcs="$srcs $n"
	if ! test -f "$progs/$n.bpf.o"; then
		echo "FAIL scenarios/programs/$n.bpf.c has no committed $n.bpf.o (make regen-bpfobj)"
		status=1
	fi
	case " ${BPF_OBJECT_NAMES:-} " in
	*" $n "*) ;;
	*)
		echo "FAIL scenarios/programs/$n.bpf.c is not in BPF_OBJECT_NAMES (Makefile.am)"
		status=1 ;;
	esac
done
for o in "$progs"/*.bpf.o; do
	test -f "$o" || continue
	n=$(basename "$o" .bpf.o)
	if ! test -f "$progs/$n.bpf.c"; then
		echo "FAIL scenarios/programs/$n.bpf.o has no source $n.bpf.c"
		status=1
	fi
done
for n in ${BPF_OBJECT_NAMES:-}; do
	case " $srcs " in
	*" $n "*) ;;
	*)
		echo "FAIL BPF_OBJECT_NAMES names $n, which has no scenarios/programs/$n.bpf.c"
		status=1 ;;
	esac
done
test "$status" -eq 0 && echo "PASS every source has its object:$srcs"

# 2. the committed objects are what the sources compile to
objdump=
for t in llvm-objdump llvm-objdump-14; do
	if command -v "$t" >/dev/null 2>&1; then
		objdump=$t
		break
	fi
done
made=$(sed -n 2p "$progs/objects.clang" 2>/dev/null)
if test -z "${BPF_CLANG:-}"; then
	skip="configure found no clang for the bpf target"
elif test -z "$objdump"; then
	skip="no llvm-objdump"
elif test "$($BPF_CLANG --version | sed -n 1p)" != "$made"; then
	skip="the objects were made by '$made', this clang is '$($BPF_CLANG --version | sed -n 1p)'"
fi
if test -n "$skip"; then
	echo "SKIP comparing the objects with their sources: $skip"
	test "$status" -eq 0 && exit 77
	exit "$status"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bpf-objects.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
for n in $srcs; do
	built=$top_builddir/bpfobj/$n.bpf.o
	if ! test -f "$built"; then
		echo "FAIL the build did not compile bpfobj/$n.bpf.o"
		status=1
		continue
	fi
	# the first lines name the file; the rest is the code
	"$objdump" -d -r "$progs/$n.bpf.o" | sed 1,2d >"$tmp/committed"
	"$objdump" -d -r "$built" | sed 1,2d >"$tmp/built"
	if test -s "$tmp/built" && cmp -s "$tmp/committed" "$tmp/built"; then
		echo "PASS scenarios/programs/$n.bpf.o is what $n.bpf.c compiles to"
	else
		echo "FAIL scenarios/programs/$n.bpf.o differs from what $n.bpf.c compiles to (make regen-bpfobj):"
		diff -u "$tmp/committed" "$tmp/built" | head -20
		status=1
	fi
done
exit "$status"
