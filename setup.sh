#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# setup.sh - prepare this machine and build reuseport-model, then run the
# main job.
#
#   ./setup.sh               install missing packages, build, make run-main
#   ./setup.sh --build-only  install missing packages and build only
#   ./setup.sh --tests       also install what the tests need (test.sh
#                            passes it); with --build-only, no main job
#   ./setup.sh --vm          also install what booting other kernels
#                            needs (qemu, busybox-static, cpio; --tests
#                            includes them)
#
# 1. Installs the missing Debian packages (asks dpkg-query; apt-get
#    update/install only when something is missing; sudo only when not
#    root): what building and the main job need, and with --tests what
#    the tests need too.  When packages came in and the build directory
#    was configured already, it is configured again (config.status
#    --recheck), so that configure sees them (Check, ...).
# 2. Runs ./autogen.sh when ./configure is missing, configures out of tree in
#    _build/default when that directory is not configured yet (later changes
#    to configure.ac or Makefile.am are picked up by make itself), and
#    builds with make -j2.
# 3. Runs the main job: make -C _build/default run-main.
set -eu

BUILD_DIR=_build/default
# building reuseport-model and reuseport-sim (with the kernel backend),
# and running the main job
PACKAGES="autoconf automake libtool pkg-config autoconf-archive gcc make"
PACKAGES="$PACKAGES libglib2.0-dev libjson-glib-dev libbpf-dev"
# other kernels under qemu (sim/vm/reuseport-vm, tests/vm-*.sh)
VM_PACKAGES="qemu-system-x86 busybox-static cpio"
# the tests: Check (unit tests), graphviz (pictures), chromium (the HTML
# page), python3-jsonschema (the JSON schema), perl (prove), valgrind,
# patch (the mutants, tests/mutation-apply.sh), bpftool (the BPF maps and
# programs a kernel-backend run leaves, tests/kernel-leaks.sh),
# lcov (coverage), clang and its libFuzzer runtime (a Recommends of clang,
# so named: the fuzz phase), and the VM packages
TEST_PACKAGES="check graphviz chromium python3-jsonschema perl valgrind lcov patch"
TEST_PACKAGES="$TEST_PACKAGES bpftool"
TEST_PACKAGES="$TEST_PACKAGES clang libclang-rt-14-dev $VM_PACKAGES"

usage() {
	echo "usage: $0 [--build-only] [--tests] [--vm]" >&2
	exit 2
}

build_only=no
for arg in "$@"; do
	case $arg in
	--build-only) build_only=yes ;;
	--tests) PACKAGES="$PACKAGES $TEST_PACKAGES" ;;
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
	installed=yes

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
	elif test "$installed" = yes; then
		# configure again with its arguments: it sees what came in
		(cd "$BUILD_DIR" && ./config.status --recheck &&
		    ./config.status)
	fi
	make -C "$BUILD_DIR" -j2
}

installed=no
install_missing_packages
build
if test "$build_only" = no; then
	make -C "$BUILD_DIR" run-main
fi
