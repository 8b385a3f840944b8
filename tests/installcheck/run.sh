#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# tests/installcheck/run.sh - build and run consumer.c against an
# installed reuseport-model, as a user of the library would: only
# pkg-config and the installed tree, nothing from the source tree.
#
#   run.sh LIBDIR [DESTDIR]
#
# LIBDIR is the configured $(libdir) (its pkgconfig/ holds
# reuseport-model.pc); DESTDIR, when the install was staged, is put in
# front of every path pkg-config gives (PKG_CONFIG_SYSROOT_DIR).  Used by
# `make installcheck` (and so by `make distcheck`).  Exits non-zero when
# the .pc file is missing or broken, the header is not found as
# <reuseport-model/rp.h>, the program does not link, or it fails.
set -eu

if test $# -lt 1 || test $# -gt 2; then
	echo "usage: $0 LIBDIR [DESTDIR]" >&2
	exit 2
fi
libdir=$1
destdir=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
PKG_CONFIG=${PKG_CONFIG:-pkg-config}
CC=${CC:-cc}

pcdir=$destdir$libdir/pkgconfig
if ! test -f "$pcdir/reuseport-model.pc"; then
	echo "installcheck: no $pcdir/reuseport-model.pc (make install first)" >&2
	exit 1
fi
PKG_CONFIG_PATH=$pcdir
export PKG_CONFIG_PATH
if test -n "$destdir"; then
	PKG_CONFIG_SYSROOT_DIR=$destdir
	export PKG_CONFIG_SYSROOT_DIR
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/rp-installcheck.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# a consumer links by name and finds the library at run time by the
# installed path: --libs-only-L gives it for the run-time path as well
cflags=$($PKG_CONFIG --cflags reuseport-model)
libs=$($PKG_CONFIG --libs reuseport-model)
rpath=$($PKG_CONFIG --libs-only-L reuseport-model | sed 's/-L/-Wl,-rpath,/g')
echo "installcheck: $CC consumer.c $cflags $libs"
# shellcheck disable=SC2086 # the flags are words
$CC -std=c11 -Wall -Wextra -Werror -o "$tmp/consumer" \
    "$here/consumer.c" $cflags $libs $rpath
"$tmp/consumer"
