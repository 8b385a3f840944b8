#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# setup.sh - prepare this machine and build reuseport-model, then run the
# main job.
#
#   ./setup.sh               install missing packages, build, make run-main
#   ./setup.sh --build-only  install missing packages and build only
#   ./setup.sh --vm ...      also install what booting other kernels
#                            needs (qemu, busybox-static, cpio): test.sh
#
# 1. Installs the missing Debian packages of the core set (asks dpkg-query;
#    apt-get update/install only when something is missing; sudo only when
#    not root).
# 2. Runs ./autogen.sh when ./configure is missing, configures out of tree in
#    _build/default when that directory is not configured yet (later changes
#    to configure.ac or Makefile.am are picked up by make itself), and
#    builds with make -j2.
# 3. Runs the main job: make -C _build/default run-main.
set -eu

BUILD_DIR=_build/default
PACKAGES="autoconf automake libtool pkg-config autoconf-archive"
PACKAGES="$PACKAGES libglib2.0-dev check lcov valgrind gcc make graphviz"
PACKAGES="$PACKAGES libbpf-dev chromium"
# the libFuzzer targets (.ci/run fuzz, docs/fuzzing.md): clang-14's
# libFuzzer runtime is only a Recommends of it
PACKAGES="$PACKAGES clang libclang-rt-14-dev"
# other kernels under qemu (sim/vm/reuseport-vm, tests/vm-*.sh)
VM_PACKAGES="qemu-system-x86 busybox-static cpio"

usage() {
	echo "usage: $0 [--build-only] [--vm]" >&2
	exit 2
}

build_only=no
for arg in "$@"; do
	case $arg in
	--build-only) build_only=yes ;;
	--vm) PACKAGES="$PACKAGES $VM_PACKAGES" ;;
	*) usage ;;
	esac
done

cd "$(dirname "$0")"

# --- 1. packages -----------------------------------------------------------

install_missing_packages() {
	if ! command -v dpkg-query >/dev/null 2>&1; then
		echo "setup.sh: no dpkg-query (not Debian?); install by hand:" \
		    "$PACKAGES" >&2
		return 0
	fi

	missing=
	for pkg in $PACKAGES; do
		status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" \
		    2>/dev/null || :)
		case $status in
		ii*) ;;
		*) missing="$missing $pkg" ;;
		esac
	done
	if test -z "$missing"; then
		return 0
	fi

	echo "setup.sh: installing:$missing"
	sudo=
	if test "$(id -u)" -ne 0; then
		if ! command -v sudo >/dev/null 2>&1; then
			echo "setup.sh: not root and no sudo; install:$missing" >&2
			exit 1
		fi
		sudo=sudo
	fi
	$sudo env DEBIAN_FRONTEND=noninteractive \
	    apt-get -o DPkg::Lock::Timeout=300 -q update
	# shellcheck disable=SC2086 # word splitting of $missing is intended
	$sudo env DEBIAN_FRONTEND=noninteractive \
	    apt-get -o DPkg::Lock::Timeout=300 -q -y \
	    --no-install-recommends install $missing
}

# --- 2. build --------------------------------------------------------------

build() {
	if test -f config.status; then
		echo "setup.sh: the source tree is configured in place;" \
		    "run 'make distclean' here first (builds go in _build/)" >&2
		exit 1
	fi
	if ! test -x configure; then
		./autogen.sh
	fi
	if ! test -f "$BUILD_DIR/config.status" || \
	    ! test -f "$BUILD_DIR/Makefile"; then
		mkdir -p "$BUILD_DIR"
		(cd "$BUILD_DIR" && ../../configure)
	fi
	make -C "$BUILD_DIR" -j2
}

install_missing_packages
build
if test "$build_only" = no; then
	make -C "$BUILD_DIR" run-main
fi
