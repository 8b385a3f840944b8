#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# run.sh - run the libFuzzer targets of reuseport-sim for a while (make
# fuzz; see docs/fuzzing.md).
#
#   run.sh TOP_SRCDIR REUSEPORT_SIM OUTDIR TARGET...
#
# For each TARGET (a libFuzzer binary, tests/fuzz/fuzz-NAME) it builds,
# from scratch, OUTDIR/NAME/seeds: every scenarios/**/*.scn and
# scenarios/common/*.inc (copied, named after their path) plus the
# regression corpus tests/fuzz/regress/NAME/ and the grown corpus
# tests/fuzz/corpus/NAME/, and OUTDIR/fuzz.dict:
# tests/fuzz/keywords.dict plus every verb of `REUSEPORT_SIM list-verbs`.
# It then runs TARGET for $FUZZ_SECONDS (default 60) with new inputs in
# OUTDIR/NAME/corpus and findings (crash-*, leak-*, timeout-*, oom-*) in
# OUTDIR/NAME/, the log in OUTDIR/NAME.log. Extra libFuzzer options come
# from $FUZZ_ARGS. With $FUZZ_CORPUS set, new inputs go to
# $FUZZ_CORPUS/NAME/ instead, which is kept between runs (and read as a
# seed directory: a long campaign is several such runs, and merge.sh
# folds the result into tests/fuzz/corpus/NAME/). Exit status 1 when any
# target found something.
set -u

if test $# -lt 4; then
	echo "usage: $0 TOP_SRCDIR REUSEPORT_SIM OUTDIR TARGET..." >&2
	exit 2
fi
top=$1
sim=$2
out=$3
shift 3
seconds=${FUZZ_SECONDS:-60}
# shellcheck source=tests/fuzz/seeds.sh
. "$top/tests/fuzz/seeds.sh"

mkdir -p "$out" || exit 2

# the dictionary
{
	cat "$top/tests/fuzz/keywords.dict"
	echo "# verbs of reuseport-sim list-verbs"
	"$sim" list-verbs | awk '/^[a-z]/ { printf "\"%s\"\n", $1 }'
} > "$out/fuzz.dict" || exit 2

status=0
for target in "$@"; do
	name=${target##*/}
	name=${name#fuzz-}
	dir=$out/$name
	rm -rf "$dir"
	corpus=$dir/corpus
	if test -n "${FUZZ_CORPUS:-}"; then
		corpus=$FUZZ_CORPUS/$name
	fi
	mkdir -p "$dir/seeds" "$corpus" || exit 2
	# seeds: scenario files named after their path (map/x.scn ->
	# map_x.scn), for the targets that read scenarios
	case $name in
	parse|scenario)
		scenario_seeds "$top" "$dir/seeds" ""
		;;
	esac
	if test -d "$top/tests/fuzz/regress/$name"; then
		cp "$top/tests/fuzz/regress/$name"/* "$dir/seeds/" 2>/dev/null
	fi
	if test -d "$top/tests/fuzz/corpus/$name"; then
		cp "$top/tests/fuzz/corpus/$name"/* "$dir/seeds/" 2>/dev/null
	fi
	echo "fuzz $name: $(find "$dir/seeds" -type f | wc -l) seeds," \
	    "${seconds}s"
	# shellcheck disable=SC2086 # FUZZ_ARGS is a list of options
	"$target" -max_total_time="$seconds" -max_len=4096 -timeout=10 \
	    -rss_limit_mb=2048 -print_final_stats=1 \
	    -dict="$out/fuzz.dict" -artifact_prefix="$dir/" \
	    ${FUZZ_ARGS:-} "$corpus" "$dir/seeds" \
	    > "$out/$name.log" 2>&1
	rc=$?
	# the coverage and corpus lines of the last status report, and the
	# final stats
	grep -E '^#[0-9]+.*(DONE|pulse|NEW|REDUCE)' "$out/$name.log" |
	    tail -n 1
	grep -E '^stat::(number_of_executed_units|peak_rss_mb|new_units_added)' \
	    "$out/$name.log"
	if test "$rc" -ne 0; then
		echo "fuzz $name: FAILED (exit $rc); findings in $dir/:" >&2
		find "$dir" -maxdepth 1 -type f \( -name 'crash-*' -o \
		    -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' -o \
		    -name 'slow-unit-*' \) >&2
		tail -n 60 "$out/$name.log" >&2
		status=1
	else
		echo "fuzz $name: ok"
	fi
done
exit $status
