#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# tests/kernel-calibrate.sh - reuseport-sim calibrate measures the build
# variant switches (attach_shutdown_listener, udp_bind_walk,
# tcp_role_change; and CONFIG_MPTCP) on live kernels, and --profile auto
# runs the row it picks:
#
# - on each kernel of $CALIBRATE_KERNELS (default host,vm:7.2), calibrate
#   --format json gives each switch a value, and names the profile;
# - that answer is checked against the kernel itself, not against a value
#   written here: the scenario of each switch (profile/attach-shutdown-
#   listener.scn, group/udp-bind-walk.scn, profile/tcp-role-change.scn,
#   which expect the variant's answers on the variant rows) passes on the
#   kernel under the row calibration picked; on a 6.18 kernel, a switch
#   measured at its other alternative fails there under plain 6.18, and
#   one measured as 6.18's fails under the row of these machines' build;
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
# each switch, its default (6.18's) alternative and its scenario
switches="attach_shutdown_listener:resurrect:profile/attach-shutdown-listener.scn
udp_bind_walk:first-sharer:group/udp-bind-walk.scn
tcp_role_change:allowed:profile/tcp-role-change.scn"
fc=6.18+attach-einval+role-einval+udp-bind-walk
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
	prof=$(json_field "$json" profile)
	rel=$(json_field "$json" kernel)
	scns= vals= kbad=0
	for row in $switches; do
		sw=${row%%:*} rest=${row#*:}
		def=${rest%%:*}
		f=$top_srcdir/scenarios/${rest#*:}
		val=$(json_field "$json" "$sw")
		if test -z "$val"; then
			echo "FAIL $k: no value for $sw"
			kbad=1
			continue
		fi
		vals="$vals $sw=$val"
		scns="$scns $f"
		# the other alternative fails there, where the model has it
		case $prof in
		6.18|6.18+*) ;;
		*) continue ;;
		esac
		if test "$val" = "$def"; then other=$fc; else other=6.18; fi
		test "$other" = "$prof" && continue
		"$SIM" run --kernel "$k" --profile "$other" --format tap "$f" \
		    >"$work/run" 2>"$work/err"
		if grep -q '^ok 1 ' "$work/run" && ! grep -q '# SKIP' "$work/run"; then
			cat "$work/run"
			echo "FAIL $k: $f passes under $other too: the probe of $sw decides nothing"
			bad=$((bad + 1))
		fi
	done
	if test "$kbad" -ne 0; then
		bad=$((bad + 1))
		continue
	fi
	v=$(json_field "$json" attach_shutdown_listener)
	probed=$((probed + 1))
	values="$values $k:$(echo $vals | tr ' ' ',')"
	echo "$k: $rel:$vals, profile $prof"
	# the row picked passes on this kernel, every switch's scenario
	# shellcheck disable=SC2086
	"$SIM" run --kernel "$k" --profile "$prof" --format tap $scns \
	    >"$work/run" 2>"$work/err"
	st=$?
	if test "$st" -ne 0 || test "$(grep -c '^ok ' "$work/run")" -ne 3; then
		cat "$work/run" "$work/err"
		echo "FAIL $k: the switches' scenarios do not pass under the calibrated $prof"
		bad=$((bad + 1))
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
