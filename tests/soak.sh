#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# tests/soak.sh - a short fixed soak (tests/soak.c): the generator's random
# scenarios on the model beside the naive reference, under every profile.
#
# 1. 10,000 statements per profile (seed 1): no difference, no violation.
# 2. The comparison has teeth: with a fault planted in the reference
#    (--ref-fault keep-slot: a detach leaves the slot occupied, found in
#    seed 1; shift: members leave by shifting instead of swapping, which
#    only a group of three whose first member leaves shows, found in seed
#    1116) the soak reports a difference, exits 1, and prints and saves a
#    shrunk scenario.
# 3. Bad usage exits 2 with a message.
#
# Exits 1 when anything failed, 77 when the soak program is missing.
set -u

soak=${SOAK:-}
if test -z "$soak" || ! test -x "$soak"; then
	echo "SKIP: no soak program (SOAK=$soak)"
	exit 77
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/soak.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
failed=0

fail() {
	echo "FAIL: $*"
	failed=1
}

# 1. the fixed soak
"$soak" --seed 1 --steps 10000 --quiet >"$tmp/out" 2>&1
rc=$?
cat "$tmp/out"
test $rc -eq 0 || fail "soak seed 1: exit $rc"
grep -q '^soak: 0 differences, 0 violations$' "$tmp/out" ||
	fail "soak seed 1: summary"

# 2. planted faults in the reference are found and shrunk
for fs in keep-slot:1:3000 shift:1116:60; do
	f=${fs%%:*}
	seed=${fs#*:}
	steps=${seed#*:}
	seed=${seed%%:*}
	"$soak" --seed "$seed" --steps "$steps" --profile 6.18 --ref-fault $f \
	    --max-shrink 100 --save "$tmp/found-$f" >"$tmp/out" 2>&1
	rc=$?
	test $rc -eq 1 || { cat "$tmp/out"; fail "--ref-fault $f: exit $rc"; }
	grep -q '^FOUND profile 6.18 seed [0-9]*: soak/seed-.*the reference' \
	    "$tmp/out" || { cat "$tmp/out"; fail "--ref-fault $f: no finding"; }
	ls "$tmp/found-$f"/soak-6.18-"$seed".scn >/dev/null 2>&1 ||
	    fail "--ref-fault $f: nothing saved"
	grep -q '^  shrunk from [0-9]* to [0-9]* statements' "$tmp/out" ||
	    fail "--ref-fault $f: not shrunk"
	echo "ok: --ref-fault $f found"
done

# 3. usage
for args in "--check nope" "--ref-fault nope" "--profile 9.99" \
    "--steps 0" "extra"; do
	# shellcheck disable=SC2086
	"$soak" $args >"$tmp/out" 2>&1
	rc=$?
	test $rc -eq 2 || fail "soak $args: exit $rc, want 2"
	grep -q '^soak: ' "$tmp/out" || fail "soak $args: no message"
done

exit $failed
