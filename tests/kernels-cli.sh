#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# tests/kernels-cli.sh - --kernel and the matrix without a kernel: a stub
# reuseport-vm ($REUSEPORT_VM) stands for qemu and answers for each kernel
# name what a guest's `reuseport-sim diff --kernel host --format tap`
# would print, or fails as a VM that cannot be had does.  Checks:
# - the guest's command line (--kernel host, --format tap, the manifests
#   beside the one given, the scenario files and their includes packed);
# - the matrix cells (agree, known, UNEXPLAINED, skipped), the kernel
#   lines, the counts, the exit status, TAP and JSON;
# - one VM kernel: its report passed through unchanged; a VM that cannot
#   be had: one line and exit 77 (run, diff, calibrate);
# - bad --kernel values: exit 2.
set -u
. "$(dirname "$0")/sim-lib.sh"
if ! "$SIM" run --backend kernel --help >/dev/null 2>&1; then
	echo "SKIP: reuseport-sim was built without the kernel backend"
	exit 77
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/kernels-cli.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
fails=0
fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}

mkdir -p "$work/s/common"
printf '# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause\nsocket a udp4\n' \
    >"$work/s/common/one.inc"
for n in a b c; do
	printf 'include "common/one.inc"\nbind a 127.0.0.1:7000\n' \
	    >"$work/s/$n.scn"
done
printf 'x.scn:1 nothing\n' >"$work/s/k.manifest"
printf 'y.scn:1 nothing either\n' >"$work/s/k.vm.manifest"
printf 'z.scn:1 only on 6.1\n' >"$work/s/k.vm-6.1.manifest"

cat >"$work/vm" <<'STUB'
#!/bin/sh
# the stub: reuseport-vm run [--prog P] [--add A]... KERNEL -- CMD ARGS...
shift
adds=
while test $# -gt 0; do
	case $1 in
	--prog) shift 2 ;;
	--add) adds="$adds $2"; shift 2 ;;
	--) shift; break ;;
	*) kernel=$1; shift ;;
	esac
done
echo "$kernel:$adds" >>"$STUB_LOG"
shift	# the program's name
echo "$kernel: $*" >>"$STUB_LOG"
case $kernel in
6.1)
	echo "TAP version 13"
	echo "# kernel 6.1.0-fake: profile 6.1 (calibrated attach_shutdown_listener = resurrect, kconfig mptcp = y)"
	echo "ok 1 - a.scn [6.1] (3 steps compared, 0 not)"
	echo "ok 2 - b.scn [6.1] (3 steps compared, 0 not)"
	echo "#     b.scn:2:1: known divergence: bind a 127.0.0.1:7000"
	echo "ok 3 - c.scn [6.1] # SKIP no selected profile"
	echo "1..3"
	echo "# diff: 2 passed, 0 failed, 1 skipped; 6 steps compared, 0 not (0 after a hash=N send landed on another member); divergences: 1 known, 0 unexplained; 0 unused manifest entries"
	exit 0 ;;
7.2)
	echo "TAP version 13"
	echo "# kernel 7.2.0-fake: profile 7.2 (calibrated attach_shutdown_listener = resurrect, kconfig mptcp = y)"
	echo "ok 1 - a.scn [7.2] (3 steps compared, 0 not)"
	echo "not ok 2 - b.scn [7.2] (3 steps compared, 0 not)"
	echo "#     b.scn:2:1: divergence: bind a 127.0.0.1:7000"
	echo "#         model    0"
	echo "#         kernel   -EADDRINUSE"
	echo "ok 3 - c.scn [7.2] (3 steps compared, 0 not)"
	echo "not ok 4 - k.manifest:1:1: unused manifest entry x.scn:1: no divergence there (nothing)"
	echo "1..4"
	echo "# diff: 2 passed, 1 failed, 0 skipped; 9 steps compared, 2 not (1 after a hash=N send landed on another member); divergences: 0 known, 1 unexplained; 1 unused manifest entries"
	exit 1 ;;
*)
	echo "reuseport-vm: kernel $kernel: no package of that name on the mirror" >&2
	exit 68 ;;
esac
STUB
chmod +x "$work/vm"
export REUSEPORT_VM="$work/vm" STUB_LOG="$work/log"
cd "$work/s" || exit 1

# --- the matrix ----------------------------------------------------------
: >"$work/log"
"$SIM" diff --kernel vm:6.1,vm:7.2,vm:9.9 --manifest k.manifest . \
    >"$work/out" 2>"$work/err"
st=$?
cat "$work/out"
test "$st" -eq 1 || fail "matrix: exit status $st, want 1 (7.2 unexplained)"
for want in \
    'kernel vm:6.1: 6.1.0-fake, profile 6.1 (calibrated attach_shutdown_listener = resurrect, kconfig mptcp = y)' \
    'kernel vm:9.9: skipped: vm:9.9: no VM: kernel 9.9: no package of that name on the mirror' \
    'matrix vm:6.1: 1 agree, 1 known, 0 unexplained, 1 skipped' \
    'matrix vm:7.2: 2 agree, 0 known, 1 unexplained, 0 skipped' \
    'matrix vm:9.9: 0 agree, 0 known, 0 unexplained, 3 skipped' \
    'FAIL vm:7.2: k.manifest:1:1: unused manifest entry x.scn:1: no divergence there (nothing)' \
    'vm:7.2 2 - b.scn [7.2] (3 steps compared, 0 not)' \
    '            kernel   -EADDRINUSE'; do
	grep -qxF "$want" "$work/out" || fail "matrix: no line '$want'"
done
grep -qE '^b\.scn +known +UNEXPLAINED +skipped *$' "$work/out" ||
    fail "matrix: row b.scn"
# the guest's command line and what it gets
grep -qxF '6.1: diff --kernel host --format tap --manifest k.vm.manifest --manifest k.vm-6.1.manifest --manifest k.manifest .' "$work/log" ||
    { cat "$work/log"; fail "the guest's command line for 6.1"; }
grep -qxF '7.2: diff --kernel host --format tap --manifest k.vm.manifest --manifest k.manifest .' "$work/log" ||
    fail "the guest's command line for 7.2"
grep '^6.1:.* ' "$work/log" | head -n 1 | grep -q ' common/one.inc' ||
    fail "the included file is not packed"
# TAP and JSON
"$SIM" diff --kernel vm:6.1,vm:7.2 --format tap --manifest k.manifest . \
    >"$work/out" 2>/dev/null
grep -qxF 'not ok 4 - vm:7.2 b.scn: unexplained' "$work/out" ||
    fail "tap: the unexplained cell"
grep -qxF 'ok 5 - vm:6.1 c.scn: skipped # SKIP no selected profile' "$work/out" ||
    fail "tap: the skipped cell"
grep -qxF '1..7' "$work/out" || fail "tap: the plan"
test "$(head -n 1 "$work/out")" = "TAP version 13" || fail "tap: the version line"
"$SIM" diff --kernel vm:6.1,vm:7.2 --format json --manifest k.manifest . \
    >"$work/out" 2>/dev/null
grep -qxF '{"type":"cell","command":"diff","file":"b.scn","kernel":"vm:6.1","result":"known"}' \
    "$work/out" || fail "json: the known cell"
grep -qxF '{"type":"matrix","command":"diff","kernel":"vm:7.2","agree":2,"known":0,"unexplained":1,"skipped":0}' \
    "$work/out" || fail "json: the kernel's counts"
tail -n 1 "$work/out" | grep -q '^{"type":"summary","command":"diff","passed":4,"failed":1,"skipped":1,"errors":0,"status":1,"compared":15,"not_compared":2,"after_hash_n":1,"known":1,"unexplained":1,"unused":1}$' ||
    fail "json: the summary: $(tail -n 1 "$work/out")"
# every kernel agreeing: exit 0
"$SIM" diff --kernel vm:6.1,vm:9.9 . >/dev/null 2>&1 ||
    fail "matrix without an unexplained divergence: exit status $?"

# --- one kernel ----------------------------------------------------------
"$SIM" diff --kernel vm:6.1 . >"$work/out" 2>"$work/err"
st=$?
test "$st" -eq 0 || fail "one kernel: exit status $st"
grep -qxF 'ok 2 - b.scn [6.1] (3 steps compared, 0 not)' "$work/out" ||
    fail "one kernel: the report is not passed through"
for cmd in "run --kernel vm:9.9" "diff --kernel vm:9.9" \
    "calibrate --kernel vm:9.9"; do
	# shellcheck disable=SC2086
	if test "${cmd%% *}" = calibrate; then
		"$SIM" $cmd >"$work/out" 2>"$work/err"
	else
		"$SIM" $cmd . >"$work/out" 2>"$work/err"
	fi
	st=$?
	test "$st" -eq 77 || fail "$cmd: exit status $st, want 77"
	grep -qxF 'reuseport-sim: vm:9.9: no VM: kernel 9.9: no package of that name on the mirror' \
	    "$work/err" || fail "$cmd: the one line"
done

# --- bad values ----------------------------------------------------------
for k in bogus vm: host,host "host,,vm:6.1"; do
	"$SIM" diff --kernel "$k" . >/dev/null 2>"$work/err"
	st=$?
	test "$st" -eq 2 || fail "--kernel '$k': exit status $st, want 2"
	grep -q "^reuseport-sim: diff: --kernel" "$work/err" ||
	    fail "--kernel '$k': $(cat "$work/err")"
done
"$SIM" run --backend model --kernel vm:6.1 . >/dev/null 2>&1
test $? -eq 2 || fail "run --backend model --kernel: want 2"

if test "$fails" -ne 0; then
	echo "$fails failed"
	exit 1
fi
echo "ok: --kernel and the matrix"
