#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# compare.sh - the structure-aware mutator of fuzz-scenario against
# libFuzzer's byte mutation, in the same conditions (docs/fuzzing.md):
#
#   compare.sh FUZZ_SCENARIO SEEDS_DIR DICT OUTDIR [ROUNDS [SECONDS]]
#
# ROUNDS (default 2) rounds of two runs of SECONDS (default 120) each,
# alternating: FUZZ_MUTATOR=bytes, then the mutator, every run from a
# fresh corpus seeded with SEEDS_DIR (make fuzz leaves one in
# fuzz-out/scenario/seeds) with the same options and -seed. One line per
# run: mode, executions, cov, ft, corpus size and new inputs
# (libFuzzer's last status line and final stats).  Logs in OUTDIR/MODE-N.log.
set -u

if test $# -lt 4; then
	echo "usage: $0 FUZZ_SCENARIO SEEDS_DIR DICT OUTDIR [ROUNDS [SECONDS]]" >&2
	exit 2
fi
target=$1
seeds=$2
dict=$3
out=$4
rounds=${5:-2}
seconds=${6:-120}

mkdir -p "$out" || exit 2
round=1
while test "$round" -le "$rounds"; do
	for mode in bytes structure; do
		dir=$out/$mode-$round
		rm -rf "$dir"
		mkdir -p "$dir" || exit 2
		if test "$mode" = bytes; then m=bytes; else m=; fi
		FUZZ_MUTATOR=$m "$target" -max_total_time="$seconds" \
		    -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
		    -print_final_stats=1 -seed="$round" -dict="$dict" \
		    -artifact_prefix="$dir/" "$dir" "$seeds" \
		    > "$dir.log" 2>&1
		rc=$?
		last=$(grep -E '^#[0-9]+' "$dir.log" | tail -n 1)
		execs=$(sed -n 's/^stat::number_of_executed_units: *//p' \
		    "$dir.log")
		cov=$(echo "$last" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
		ft=$(echo "$last" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
		corp=$(echo "$last" | sed -n 's/.*corp: \([0-9]*\).*/\1/p')
		echo "round $round $mode: exit $rc, executions $execs," \
		    "cov $cov, ft $ft, corpus $corp (new files $(find \
		    "$dir" -maxdepth 1 -type f ! -name '*-*' | wc -l))"
	done
	round=$((round + 1))
done
