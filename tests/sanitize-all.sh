#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# tests/sanitize-all.sh - reuseport-sim and the soak under ASan+UBSan beyond
# make check's own programs (issue 15 section 6; docs/testing.md,
# "Sanitizers over everything").  Runs only in a build configured with
# -fsanitize=address,undefined (the CI's asan phase, _build/asan); in any
# other build it skips (77) with the reason.
#
#   SIM=... SOAK=... top_srcdir=... sh tests/sanitize-all.sh
#
# 1. The whole corpus: run scenarios/ (every profile each scenario
#    declares) with the JSON writer, which tests/scenarios.sh does not use,
#    and with --check=off (no invariant walk: the model's own paths alone).
# 2. explore over the whole corpus, as the CI's main job does (every
#    interleaving of every race scenario under each of its profiles).
# 3. explore with each plantable bug (reuseport-sim explore --plant; the
#    names are read from the usage message, so a new plant is covered
#    without editing this file) over scenarios/race and the detach races,
#    under 6.18 and 5.8: each plant must be found (exit 1), and no run may
#    leave a sanitizer report (a planted bug must show as a violation of
#    the model's invariants, never as a use-after-free).
# 4. The soak (tests/soak): its first 10^5 statements under 6.18 (seed 1),
#    and under every profile the 2 x 10^4 statements that follow the 10^4
#    of tests/soak.sh (seed 168 on), so that every profile has its first
#    3 x 10^4 statements run under the sanitizers.
#
# SANITIZE_SOAK_STEPS and SANITIZE_SOAK_REST change the soak's budget.
# A sanitizer report is an exit status of 86 (ASAN_OPTIONS and
# UBSAN_OPTIONS are given exitcode=86 after the caller's options) or its
# banner on standard error; either fails the test, with the report shown.
# Exits 1 when anything failed, 77 when this is no ASan build.
set -u

. "$(dirname "$0")/sim-lib.sh"

soak=${SOAK:-}
sc=$top_srcdir/scenarios
soak_steps=${SANITIZE_SOAK_STEPS:-100000}
soak_rest=${SANITIZE_SOAK_REST:-20000}
SAN_EXIT=86

# Is $SIM built with ASan?  The runtime answers help=1 with its flags.
if ! ASAN_OPTIONS=help=1 "$SIM" --version 2>&1 |
    grep -q 'AddressSanitizer'; then
	echo "SKIP: $(basename "$0"): $SIM is not built with" \
	    "-fsanitize=address (configure CFLAGS/LDFLAGS as the CI's asan phase)"
	exit 77
fi

ASAN_OPTIONS="detect_leaks=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}:exitcode=$SAN_EXIT"
UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}:exitcode=$SAN_EXIT"
export ASAN_OPTIONS UBSAN_OPTIONS

tap_begin sanitize-all

# san WANT LABEL CMD...: run CMD; fail on a sanitizer report (exit 86 or a
# banner on stderr) or when the exit status is not WANT.
san() {
	want=$1
	label=$2
	shift 2
	t0=$(date +%s)
	"$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	t1=$(date +%s)
	if test "$rc" -eq "$SAN_EXIT" ||
	    grep -E -q 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|SUMMARY: (AddressSanitizer|UndefinedBehaviorSanitizer|LeakSanitizer)' \
	    "$tmp/err"; then
		not_ok "$label: sanitizer report (exit $rc)"
		sed -n '1,80p' "$tmp/err"
	elif test "$rc" -ne "$want"; then
		not_ok "$label: exit $rc, want $want"
		tail -n 20 "$tmp/out"
		tail -n 20 "$tmp/err"
	else
		ok "$label ($((t1 - t0)) s)"
	fi
}

t_all=$(date +%s)

# --- 1. the whole corpus -------------------------------------------------
san 0 "run --format json scenarios" "$SIM" run --format json "$sc"
san 0 "run --check=off scenarios" "$SIM" run --check=off "$sc"

# --- 2. explore over the whole corpus --------------------------------------
san 0 "explore scenarios" "$SIM" explore --quiet "$sc"

# --- 3. explore with each plant ----------------------------------------------
# the names of the plants, from explore --help ("(values: a, b, ...)")
"$SIM" explore --help >"$tmp/help" 2>&1
plants=$(sed -n '/^ *--plant BUG/,/values:/s/.*(values: \(.*\)).*/\1/p' "$tmp/help" |
    head -n 1 | tr -d ',')
if test -z "$plants"; then
	not_ok "the plant names: not in explore --help"
	cat "$tmp/help"
fi
for bug in $plants; do
	san 1 "explore --plant $bug" "$SIM" explore --quiet --profile 6.18 \
	    --plant "$bug" "$sc/race" "$sc"/detach/race-*.scn
done

# --- 4. the soak -------------------------------------------------------------
if test -z "$soak" || ! test -x "$soak"; then
	not_ok "soak: no soak program (SOAK=$soak)"
else
	san 0 "soak --steps $soak_steps --profile 6.18" "$soak" --seed 1 \
	    --steps "$soak_steps" --profile 6.18 --quiet
	# seeds 1 to 167 are tests/soak.sh's 10^4 statements a profile
	# (60-statement cases): continue from there
	san 0 "soak --seed 168 --steps $soak_rest (every profile)" "$soak" \
	    --seed 168 --steps "$soak_rest" --quiet
fi

echo "sanitize-all: $n checks in $(($(date +%s) - t_all)) s"
exit $failed
