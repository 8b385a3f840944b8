#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# tests/json-schema.sh - every line of `run`, `diff`, `explore` (and, as
# root, `calibrate` and `fuzz-diff`) with
# --format json validates against the JSON Schema of
# docs/output-formats.md, and every output ends with its one summary.
#
#   SIM=/path/to/reuseport-sim top_srcdir=/path/to/src sh tests/json-schema.sh
#
# The outputs: run passing, failing, skipped, traced and bad input (a
# broken file, a missing file); explore passing, failing (a planted bug),
# incomplete and bad input; diff of a small scenario (compared when root
# with the kernel backend, skipped otherwise) with an unused manifest
# entry, diff of a broken file and with a broken manifest; as root, run
# --kernel host, calibrate, and fuzz-diff passing, failing (a finding) and
# with a broken manifest.  The schema is
# read from the document itself (the json block after "### The schema").
#
# Exits 1 when an output does not validate, 77 (skip, saying why) when
# reuseport-sim or python3 with the jsonschema module (Debian:
# python3-jsonschema) is missing.
set -u

. "$(dirname "$0")/sim-lib.sh"
if ! command -v python3 >/dev/null 2>&1; then
	echo "json-schema.sh: SKIP: no python3 to validate with" >&2
	exit 77
fi
if ! python3 -c 'from jsonschema import Draft202012Validator' 2>/dev/null
then
	echo "json-schema.sh: SKIP: python3's jsonschema module (draft" \
	    "2020-12) is missing (Debian: python3-jsonschema)" >&2
	exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/json-schema.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
sc=$top_srcdir/scenarios
data=$top_srcdir/tests/sim-data
doc=${JSON_SCHEMA_DOC:-$top_srcdir/docs/output-formats.md}

# the schema: the first ```json block after "### The schema"
awk '/^### The schema/ { s = 1 } s && /^```json$/ { on = 1; next }
    on && /^```$/ { exit } on { print }' "$doc" >"$tmp/schema.json"

n=0
# out NAME CMD...: record the JSON output of CMD as NAME.out.
out() {
	name=$1
	shift
	n=$((n + 1))
	"$SIM" "$@" >"$tmp/$n-$name.out" 2>/dev/null
	echo "$?" >"$tmp/$n-$name.status"
}

out run-mixed run --format json --profile 4.19 "$data/fail" "$data/pass"
out run-trace run --format json --trace --profile 6.18 "$sc/smoke/maps.scn"
out run-bad run --format json "$data/bad" "$data/pass"
out run-missing run --format json "$tmp/no-such.scn"
out explore-pass explore --format json "$sc/race/update-noexist-vs-update.scn"
out explore-fail explore --format json --profile 6.18 \
    --plant update-no-recheck "$sc/race/update-same-socket.scn"
out explore-incomplete explore --format json --max-schedules 1 \
    "$sc/race/growth-vs-select.scn"
out explore-bad explore --format json "$sc/map/update-noexist-occupied.scn"
printf '%s\n' "maps.scn:1 not a divergence, unused" >"$tmp/unused.manifest"
printf '%s\n' "maps.scn:x bad line" >"$tmp/broken.manifest"
if "$SIM" diff --help >/dev/null 2>&1 &&
    "$SIM" run --backend kernel --help >/dev/null 2>&1; then
	out diff-unused diff --format json --profile 6.18 \
	    --manifest "$tmp/unused.manifest" "$sc/smoke/maps.scn"
	out diff-bad diff --format json --profile 6.18 "$data/bad"
	out diff-manifest diff --format json --profile 6.18 \
	    --manifest "$tmp/broken.manifest" "$sc/smoke/maps.scn"
	# the matrix, against a stub reuseport-vm: one kernel answers as
	# a guest's diff --format tap does, the other cannot be had
	cat >"$tmp/vm" <<'STUB'
#!/bin/sh
case " $* " in
*" 6.1 "*)
	printf '%s\n' 'TAP version 13' \
	    '# kernel 6.1.0-fake: profile 6.1' \
	    'ok 1 - maps.scn [6.1] (5 steps compared, 0 not)' \
	    'not ok 2 - other.scn [6.1] (2 steps compared, 0 not)' \
	    '#     other.scn:2:1: divergence: bind a 127.0.0.1:7000' \
	    'not ok 3 - k.manifest:1:1: unused manifest entry x.scn:1: no divergence there (x)' \
	    '1..3' \
	    '# diff: 1 passed, 1 failed, 0 skipped; 7 steps compared, 0 not (0 after a hash=N send landed on another member); divergences: 0 known, 1 unexplained; 1 unused manifest entries'
	exit 1 ;;
esac
echo "reuseport-vm: no such kernel" >&2
exit 68
STUB
	chmod +x "$tmp/vm"
	REUSEPORT_VM=$tmp/vm out diff-matrix diff --format json \
	    --kernel vm:6.1,vm:9.9 "$sc/smoke/maps.scn"
	if test "$(id -u)" -eq 0; then
		out run-kernel run --format json --kernel host \
		    "$sc/smoke/maps.scn"
		out calibrate calibrate --format json
		# fuzz-diff: passing (every case written), and failing
		# under plain 6.18 where this machines' build differs from
		# it (seed 4000012: listen() after a SYN; findings, shrunk)
		out fuzz-pass fuzz-diff --format json --seed 1 --steps 120 \
		    --manifest "$top_srcdir/scenarios/kernel-differences.manifest"
		out fuzz-fail fuzz-diff --format json --profile 6.18 \
		    --seed 4000012 --steps 60 --max-shrink 20 --repro 1
		out fuzz-bad fuzz-diff --format json --manifest \
		    "$tmp/broken.manifest"
	else
		echo "# run --kernel host, calibrate: not root, not checked"
	fi
else
	echo "# diff: not built with the kernel backend, not checked"
fi

python3 - "$tmp/schema.json" "$tmp"/*.out <<'PY'
import json, os, sys
from jsonschema import Draft202012Validator

schema = json.load(open(sys.argv[1]))
Draft202012Validator.check_schema(schema)
v = Draft202012Validator(schema)
bad = 0
for path in sys.argv[2:]:
    name = os.path.basename(path)
    status = int(open(path[:-4] + ".status").read())
    lines = open(path, encoding="utf-8").read().splitlines()
    if not lines:
        print("not ok - %s: no output" % name)
        bad += 1
        continue
    kinds, ok = [], True
    for i, line in enumerate(lines, 1):
        try:
            rec = json.loads(line)
        except ValueError as e:
            print("not ok - %s:%d: not JSON: %s" % (name, i, e))
            ok = False
            continue
        for err in v.iter_errors(rec):
            print("not ok - %s:%d: %s at %s" % (name, i, err.message,
                  "/".join(map(str, err.absolute_path))))
            ok = False
        kinds.append(rec.get("type"))
    if "calibrate" in name:
        if kinds != ["calibration"]:
            print("not ok - %s: not one calibration record" % name)
            ok = False
    elif "fuzz" in name and (kinds.count("finding") == 0) != (
            json.loads(lines[-1]).get("failed", 0) == 0):
        print("not ok - %s: failed cases and finding records disagree"
              % name)
        ok = False
    elif kinds.count("summary") != 1 or kinds[-1] != "summary":
        print("not ok - %s: the summary is not the one last record" % name)
        ok = False
    elif json.loads(lines[-1])["status"] != status:
        print("not ok - %s: summary status %s, exit status %d"
              % (name, json.loads(lines[-1])["status"], status))
        ok = False
    if ok:
        print("ok - %s (%d records: %s)" % (name, len(lines),
              ", ".join(sorted(set(map(str, kinds))))))
    else:
        bad += 1
sys.exit(1 if bad else 0)
PY
rc=$?
if test "$rc" -ne 0; then
	echo "json-schema.sh: FAIL"
	exit 1
fi
echo "json-schema.sh: every output validates"
exit 0
