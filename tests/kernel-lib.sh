# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# tests/kernel-lib.sh - shared by the kernel-*.sh tests (sourced, POSIX sh).
#
# Sets SIM (reuseport-sim: $SIM, else $top_builddir, ., ..) and top_srcdir,
# and exits 77 (skip) with the reason when the live-kernel tests cannot
# run here: reuseport-sim missing, built without the kernel backend, or
# not root (the backend needs CAP_SYS_ADMIN and CAP_BPF).
. "$(dirname "$0")/sim-lib.sh"
if ! "$SIM" run --backend kernel --help >/dev/null 2>&1; then
	echo "SKIP: reuseport-sim was built without the kernel backend" \
	    "(configure --enable-kernel-backend; needs libbpf)"
	exit 77
fi

# kernel_needs_root: exit 77 unless root.
kernel_needs_root() {
	if test "$(id -u)" -ne 0; then
		echo "SKIP: the kernel backend needs root (CAP_SYS_ADMIN and" \
		    "CAP_BPF)"
		exit 77
	fi
}

# kernel_all_skipped OUTPUT: true when a TAP run had no test point that
# ran (the backend refused every scenario: no bpf(), another kernel).
kernel_all_skipped() {
	! printf '%s\n' "$1" | grep -E '^(not )?ok [0-9]+ ' |
	    grep -vq '# SKIP'
}

# kernel_run NAME CMD...: run CMD (a TAP run of the corpus), print its
# output, and exit: 77 when the backend ran no scenario, 1 (NAME: FAIL)
# when it failed, 0 otherwise.
kernel_run() {
	name=$1
	shift
	echo "=== $*"
	out=$("$@" 2>&1)
	rc=$?
	printf '%s\n' "$out"
	if test "$rc" -eq 0 && kernel_all_skipped "$out"; then
		echo "SKIP: the kernel backend ran no scenario here"
		exit 77
	fi
	if test "$rc" -ne 0; then
		echo "$name: FAIL: exit status $rc"
		exit 1
	fi
	exit 0
}
