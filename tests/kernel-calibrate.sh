#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# tests/kernel-calibrate.sh - reuseport-sim calibrate measures the build
# variant switch attach_shutdown_listener (and CONFIG_MPTCP) on live
# kernels, and --profile auto runs the row it picks:
#
# - on each kernel of $CALIBRATE_KERNELS (default host,vm:7.2), calibrate
#   --format json says resurrect or einval, and the profile it names;
# - that answer is checked against the kernel itself, not against a value
#   written here: profile/attach-shutdown-listener.scn (which expects
#   -EINVAL on the variant row and success elsewhere) passes on the kernel
#   under the row calibration picked, and fails under the other row;
# - Debian's 7.2 accepts the attach (resurrect); when the host refuses it
#   (einval, as these machines' 6.18.44 build does), the two kernels are
#   reported differently, which is the point;
# - calibration never hides a divergence: a step no switch explains still
#   diverges under the calibrated row, the switch's own step does not.
# A VM that cannot be had is skipped with the reason; exit 77 when not
# root, without the kernel backend, or when no kernel could be probed.
set -u
. "$(dirname "$0")/kernel-lib.sh"
kernel_needs_root
KERNELS=${CALIBRATE_KERNELS:-host,vm:7.2}
scn=$top_srcdir/scenarios/profile/attach-shutdown-listener.scn
work=$(mktemp -d "${TMPDIR:-/tmp}/kernel-calibrate.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT

# json_field JSON NAME: the string value of "NAME":{"value":"V"...} or
# "NAME":"V" in one line of JSON.
json_field() {
	printf '%s\n' "$1" | sed -n "s/.*\"$2\":{\"value\":\"\([^\"]*\)\".*/\1/p; t; s/.*\"$2\":\"\([^\"]*\)\".*/\1/p"
}

bad=0 probed=0 values=
for k in $(echo "$KERNELS" | tr ',' ' '); do
	echo "=== $k: reuseport-sim calibrate --kernel $k --format json"
	"$SIM" calibrate --kernel "$k" --format json >"$work/out" \
	    2>"$work/err"
	st=$?
	cat "$work/out"
	grep -v '^reuseport-vm: kernel' "$work/err"
	if test "$st" -eq 77; then
		echo "skipped: $k: $(tail -n 1 "$work/err")"
		continue
	fi
	json=$(grep '"type":"calibration"' "$work/out")
	v=$(json_field "$json" attach_shutdown_listener)
	prof=$(json_field "$json" profile)
	rel=$(json_field "$json" kernel)
	case $v in
	resurrect) other=$(echo "$prof" | sed 's/+attach-einval$//')+attach-einval ;;
	einval) other=$(echo "$prof" | sed 's/+attach-einval$//') ;;
	*) echo "FAIL $k: no value for attach_shutdown_listener"; bad=$((bad + 1)); continue ;;
	esac
	probed=$((probed + 1))
	values="$values $k=$v"
	echo "$k: $rel: attach_shutdown_listener = $v, profile $prof"
	# the row picked passes on this kernel ...
	"$SIM" run --kernel "$k" --profile "$prof" --format tap "$scn" \
	    >"$work/run" 2>"$work/err"
	st=$?
	if test "$st" -ne 0 || ! grep -q '^ok 1 ' "$work/run"; then
		cat "$work/run" "$work/err"
		echo "FAIL $k: $scn does not pass under the calibrated $prof"
		bad=$((bad + 1))
	fi
	# ... and the other alternative fails there, where the model has it
	if "$SIM" calibrate --help >/dev/null 2>&1 &&
	    printf '%s\n' "$other" | grep -qE '^6\.18(\+attach-einval)?$'; then
		"$SIM" run --kernel "$k" --profile "$other" --format tap \
		    "$scn" >"$work/run" 2>"$work/err"
		if grep -q '^ok 1 ' "$work/run" && ! grep -q '# SKIP' "$work/run"; then
			cat "$work/run"
			echo "FAIL $k: $scn passes under $other too: the probe decides nothing"
			bad=$((bad + 1))
		fi
	fi
	if test "${k#vm:}" = 7.2 && test "$v" != resurrect; then
		echo "FAIL $k: Debian's 7.2 accepts the attach (resurrect), calibrate says $v"
		bad=$((bad + 1))
	fi
done
echo "calibrated:$values"

# Calibration never hides a divergence: on the host, a scenario with the
# switch's step (which the calibrated row explains) and a step no switch
# explains (a program of type 2, which the kernel loads and the model's
# policies do not describe: -EINVAL) must still fail, on that step only.
if printf '%s\n' "$KERNELS" | grep -qE '(^|,)host(,|$)'; then
	cat >"$work/hide.scn" <<'SCN'
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
socket y tcp6
setsockopt y reuseport 1
bind y [::1]:8007
listen y
shutdown y rdwr
attach y cbpf k=0 = any
prog p type=2 = any
SCN
	"$SIM" diff --profile auto "$work/hide.scn" >"$work/out" 2>&1
	st=$?
	cat "$work/out"
	if test "$st" -ne 1 || ! grep -q ':8:1: divergence: prog p type=2' \
	    "$work/out" || grep -q ':7:1: divergence' "$work/out"; then
		echo "FAIL host: calibrated diff must report the type=2 divergence and only it (exit $st)"
		bad=$((bad + 1))
	fi
fi
if test "$probed" -eq 0; then
	echo "SKIP: no kernel could be calibrated here"
	exit 77
fi
test "$bad" -eq 0
