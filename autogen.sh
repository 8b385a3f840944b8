#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# autogen.sh - regenerate the autotools files (configure, Makefile.in,
# build-aux/, m4/ libtool macros) from configure.ac and Makefile.am.
#
# Then build out of tree, for example:
#   mkdir -p _build/default && cd _build/default && ../../configure && make
# (./setup.sh does all of this.)
set -eu

srcdir=$(dirname "$0")
cd "$srcdir"

# A missing autoconf-archive shows up later as "cannot open <
# aminclude_static.am"; say what is wrong instead.
if ! aclocal --print-ac-dir >/dev/null 2>&1; then
	echo "autogen.sh: aclocal not found: install automake" >&2
	exit 1
fi
if ! test -f "$(aclocal --print-ac-dir)/ax_code_coverage.m4"; then
	echo "autogen.sh: ax_code_coverage.m4 not found: install autoconf-archive" >&2
	exit 1
fi

mkdir -p m4 build-aux
autoreconf -fi
