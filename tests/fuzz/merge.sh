#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# merge.sh - fold grown corpora into the repository's minimised corpora
# tests/fuzz/corpus/NAME/ (make fuzz-merge; see docs/fuzzing.md).
#
#   merge.sh TOP_SRCDIR OUTDIR TARGET...
#
# For each TARGET (a libFuzzer binary, tests/fuzz/fuzz-NAME) it runs
# libFuzzer's -merge=1 into OUTDIR/NAME/merge/, which first holds the
# seeds that make check replays anyway (scenarios/**/*.scn and *.inc for
# parse and scenario, tests/fuzz/regress/NAME/), from the old
# tests/fuzz/corpus/NAME/ and, with $FUZZ_CORPUS set, the grown
# $FUZZ_CORPUS/NAME/ (run.sh). So only the inputs that add coverage
# beyond the seeds are kept, a minimal set of them; they replace
# tests/fuzz/corpus/NAME/, named after their SHA-1 as libFuzzer names them.
# The log is OUTDIR/NAME-merge.log. Exit status 1 when a merge failed (the
# old corpus is then left as it was).
set -u

if test $# -lt 3; then
	echo "usage: $0 TOP_SRCDIR OUTDIR TARGET..." >&2
	exit 2
fi
top=$1
out=$2
shift 2
# shellcheck source=tests/fuzz/seeds.sh
. "$top/tests/fuzz/seeds.sh"

status=0
for target in "$@"; do
	name=${target##*/}
	name=${name#fuzz-}
	base=$out/$name/merge
	keep=$top/tests/fuzz/corpus/$name
	rm -rf "$base"
	mkdir -p "$base" || exit 2
	# the seeds, under names that a SHA-1 cannot have
	case $name in
	parse|scenario)
		scenario_seeds "$top" "$base" seed-
		;;
	esac
	for f in "$top/tests/fuzz/regress/$name"/*; do
		test -f "$f" && cp "$f" "$base/seed-regress-${f##*/}"
	done
	# the merge's directories as the positional parameters (the loop's
	# word list was expanded before it began)
	set -- "$base"
	test -d "$keep" && set -- "$@" "$keep"
	if test -n "${FUZZ_CORPUS:-}" && test -d "$FUZZ_CORPUS/$name"; then
		set -- "$@" "$FUZZ_CORPUS/$name"
	fi
	seeds=$(find "$base" -type f | wc -l)
	if ! "$target" -merge=1 -max_len=4096 -timeout=10 \
	    -rss_limit_mb=2048 "$@" > "$out/$name-merge.log" 2>&1; then
		echo "merge $name: FAILED, see $out/$name-merge.log" >&2
		status=1
		continue
	fi
	rm -rf "$keep.new"
	mkdir -p "$keep.new" || exit 2
	find "$base" -type f ! -name 'seed-*' -exec mv {} "$keep.new/" \;
	rm -rf "$keep"
	mv "$keep.new" "$keep" || exit 2
	echo "merge $name: $seeds seeds, $(find "$keep" -type f | wc -l)" \
	    "inputs kept in tests/fuzz/corpus/$name/," \
	    "$(du -sk "$keep" | cut -f1) KiB"
	grep -E '^MERGE-OUTER: [0-9]+ new' "$out/$name-merge.log"
done
exit $status
