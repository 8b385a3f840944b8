#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# tests/mutation/run.sh - the mutation score of the test suite: apply each
# single-point mutant of model/ (tests/mutation/mutants/*.patch) to a copy
# of the source tree, rebuild the model library there, and run the suite
# until the first failure.  A mutant the suite notices is "killed"; one it
# does not notice "survived".  docs/testing.md has the figures.
#
#   sh tests/mutation/run.sh [-j N] [--timeout S] [--work DIR] [--min PCT]
#       [--fail-on-survivor] [--keep] [--reuse] [--list FILE]
#       [MUTANT.patch ...]
#
# Without MUTANT arguments: every tests/mutation/mutants/*.patch, or the
# mutants FILE names (one name a line, without .patch; # comments).
# -j defaults to the number of online CPUs.  make mutation runs every
# mutant, make mutation-sample the fixed sample of
# tests/mutation/sample.list (CI).
#
# A mutant is a patch with a header before the diff:
#   # mutant: <one-line description of the modelling bug>
#   # operator: <flip-comparison | errno | swap-checks | skip-recheck |
#   #            skip-lock | skip-rcu | skip-notify | off-by-one |
#   #            wrong-switch | wrong-owner | drop-update | ...>
#   # suite: <the suite that should catch it>
#   # equivalent: <why no test can tell it apart>   (only when it is one)
# An equivalent mutant is listed with its reason and not run or counted.
#
# --keep leaves the copies in WORK; --reuse (implies --keep) starts from
# the copies and builds a previous run kept, refreshed from the tree, which
# saves the configure and the full build.
#
# The source tree is copied once (tracked and untracked, not ignored files;
# the working tree is never touched) into WORK/pristine and once per job
# into WORK/jN/src, configured and built in WORK/jN/build.  Per mutant, a
# job restores the files the previous mutant changed, applies the patch
# (patch -p1; a patch that no longer applies is "stale", neither killed
# nor survived, and wants refreshing), rebuilds libreuseport-model.la only
# (the programs are libtool wrappers over the shared library), then runs
# the stages, cheapest first, stopping at the first failure:
#   unit     the model's Check programs (tests/check_<model file>), the
#            programs named for the patched files first
#   corpus   tests/scenarios.sh (corpus + golden traces),
#            tests/profile-scenarios.sh, tests/explain.sh, tests/tutorial.sh
#   tools    the simulator's Check programs and the fuzz replays
#   explore  reuseport-sim explore over the whole corpus: every
#            interleaving of the race scenarios, under every profile they
#            declare, with the invariants after each step (catches the
#            lock, RCU and re-check mutants)
# Each stage runs under `timeout S` (default 120): a hang counts as killed,
# marked "(timeout)".  A mutant that does not compile is "build-error"
# (not counted; fix the patch).
#
# Prints one line per mutant, then the kill rate over the counted mutants
# (killed / (killed + survived)) and every survivor with the suite its
# header names.  Exit status: 0; 1 when the rate is below --min (default
# 0) or, with --fail-on-survivor, when any mutant survived or was stale;
# 2 for bad usage or when the copy cannot be configured or built.
set -u

here=$(cd "$(dirname "$0")" && pwd)
srcdir=$(cd "$here/../.." && pwd)
jobs=$(nproc 2>/dev/null || echo 1)
timeout_s=120
work=${MUTATION_WORK:-$(pwd)/mutation-work}
min=0
fail_on_survivor=0
keep=0
reuse=0
list=

usage() {
	echo "usage: $0 [-j N] [--timeout S] [--work DIR] [--min PCT]" \
	    "[--fail-on-survivor] [--keep] [--reuse] [--list FILE]" \
	    "[MUTANT.patch ...]" >&2
	exit 2
}

while test $# -gt 0; do
	case $1 in
	-j) test $# -ge 2 || usage; jobs=$2; shift 2 ;;
	-j*) jobs=${1#-j}; shift ;;
	--timeout) test $# -ge 2 || usage; timeout_s=$2; shift 2 ;;
	--work) test $# -ge 2 || usage; work=$2; shift 2 ;;
	--min) test $# -ge 2 || usage; min=$2; shift 2 ;;
	--fail-on-survivor) fail_on_survivor=1; shift ;;
	--keep) keep=1; shift ;;
	--reuse) reuse=1; keep=1; shift ;;
	--list) test $# -ge 2 || usage; list=$2; shift 2 ;;
	--) shift; break ;;
	-*) usage ;;
	*) break ;;
	esac
done
case $jobs in ''|*[!0-9]*|0) echo "$0: -j wants a positive number" >&2; exit 2 ;; esac
case $timeout_s in ''|*[!0-9]*|0) echo "$0: --timeout wants seconds" >&2; exit 2 ;; esac
case $min in ''|*[!0-9]*) echo "$0: --min wants a whole percentage" >&2; exit 2 ;; esac

if test -n "$list"; then
	if test $# -gt 0 || ! test -f "$list"; then
		echo "$0: --list wants a readable file and no MUTANT arguments" >&2
		exit 2
	fi
	# shellcheck disable=SC2046 # one mutant name a word
	set -- $(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' \
	    -e "s|^[[:space:]]*\\([^[:space:]]*\\).*|$here/mutants/\\1.patch|" "$list")
	if test $# -eq 0; then
		echo "$0: $list names no mutant" >&2
		exit 2
	fi
elif test $# -eq 0; then
	set -- "$here"/mutants/*.patch
fi
for m in "$@"; do
	if ! test -f "$m"; then
		echo "$0: no such mutant: $m" >&2
		exit 2
	fi
done
case $work in /*) ;; *) work=$(pwd)/$work ;; esac

# header FIELD FILE: the value of "# FIELD: value" in the patch header
header() {
	sed -n "/^--- /q; s/^# $1: *//p" "$2" | head -n 1
}

# the files a patch changes, relative to the top of the tree
patched_files() {
	sed -n 's|^+++ b/\([^[:space:]]*\).*|\1|p' "$1"
}

# ---------------------------------------------------------------------
# Set-up: one pristine copy, one configured build per job.

UNIT="check_profile check_lock check_sock check_group check_cookie
check_sockarray check_outer check_sockmap check_detach check_select
check_check check_step check_state check_slots check_ebpf check_ebpf_paths
check_cbpf"
TOOLS="check_diff check_sim check_kdiff check_explain check_parse
fuzz-parse-replay fuzz-scenario-replay"

copy_tree() {
	mkdir -p "$2" || return 1
	if test -d "$1/.git" || test -f "$1/.git"; then
		(cd "$1" && git ls-files -z --cached --others --exclude-standard |
		    tar cf - --null --ignore-failed-read -T - 2>/dev/null) |
		    (cd "$2" && tar xf -)
	else
		(cd "$1" && tar cf - --exclude=./_build --exclude=./mutation-work .) |
		    (cd "$2" && tar xf -)
	fi
}

setup_job() {
	j=$1
	d=$work/j$j
	if test "$reuse" -eq 1 && test -f "$d/build/Makefile"; then
		# refresh the copy (tar keeps the times: make redoes only what
		# changed) and bring the build up to date
		(cd "$work/pristine" && tar cf - .) | (cd "$d/src" && tar xf -) &&
		    { ! test -f "$d/last" ||
		    (cd "$d/src" && xargs touch <"$d/last"); } &&
		    rm -f "$d/last" &&
		    (cd "$d/build" && nice make -j1 reuseport-sim $(for t in \
		    $UNIT $TOOLS; do echo "tests/$t"; done) >"$d/make.log" 2>&1) &&
		    return 0
		echo "run.sh: job $j: the kept build failed, see $d/make.log" >&2
		return 1
	fi
	rm -rf "$d"
	mkdir -p "$d/build" || return 1
	cp -Rp "$work/pristine" "$d/src" || return 1
	# -O0: a mutant rebuilds one file, and compiling dominates.  The
	# kernel backend is left to configure (auto: on with libbpf): the
	# corpus's object= scenarios (scenarios/programs/) need libbpf, and
	# without it the corpus stage fails on every mutant.
	(cd "$d/build" && ../src/configure \
	    CFLAGS='-O0 -g0' >"$d/configure.log" 2>&1) || {
		echo "run.sh: job $j: configure failed, see $d/configure.log" >&2
		return 1
	}
	# only what the stages run
	(cd "$d/build" && nice make -j1 reuseport-sim $(for t in $UNIT $TOOLS; do
	    echo "tests/$t"; done) >"$d/make.log" 2>&1) || {
		echo "run.sh: job $j: build failed, see $d/make.log" >&2
		return 1
	}
}

# stage NAME CMD...: run CMD in the job's build directory under timeout
# and record the first failure in $verdict.
run_stage() {
	label=$1
	shift
	test -z "$verdict" || return 0
	(cd "$b" && timeout -k 5 "$timeout_s" "$@") >>"$log" 2>&1
	rc=$?
	if test "$rc" -eq 124 || test "$rc" -eq 137; then
		verdict="killed $label (timeout)"
	elif test "$rc" -eq 77; then
		# skipped (automake's code: a tool such as Graphviz's dot is
		# missing), which says nothing about the mutant
		echo "run.sh: $label skipped (exit 77)" >>"$log"
	elif test "$rc" -ne 0; then
		verdict="killed $label"
	fi
}

run_mutant() {
	m=$1
	name=$(basename "$m" .patch)
	res=$work/results/$name
	log=$work/logs/$name.log
	s=$work/j$j/src
	b=$work/j$j/build
	: >"$log"
	# restore what the previous mutant of this job changed
	if test -f "$work/j$j/last"; then
		while read -r f; do
			cp "$work/pristine/$f" "$s/$f"
		done <"$work/j$j/last"
	fi
	patched_files "$m" >"$work/j$j/last"
	start=$(date +%s)
	if ! (cd "$s" && patch -p1 -s -f --no-backup-if-mismatch \
	    -r /dev/null) <"$m" >>"$log" 2>&1; then
		echo "stale (the patch does not apply)" >"$res"
		return
	fi
	if ! (cd "$b" && nice make -s libreuseport-model.la) >>"$log" 2>&1; then
		echo "build-error" >"$res"
		return
	fi
	verdict=
	# without CK_TAP_LOG_FILE_NAME a Check program's exit status is its
	# failure count (tests/testutil.c)
	unset CK_TAP_LOG_FILE_NAME
	export CK_FORK=no CK_VERBOSITY=silent
	export top_srcdir="$s" top_builddir="$b" SIM="$b/reuseport-sim"
	# the Check programs of the files the patch changes first (a
	# mutant of model/sockarray.c meets check_sockarray before the
	# slower check_sock), then the others in order
	first=
	for f in $(cat "$work/j$j/last"); do
		f=$(basename "$f")
		f=${f%.[ch]}
		for t in $UNIT; do
			test "$t" != "check_$f" || first="$first $t"
		done
	done
	rest=
	for t in $UNIT; do
		case " $first " in
		*" $t "*) ;;
		*) rest="$rest $t" ;;
		esac
	done
	for t in $first $rest; do
		run_stage "unit:$t" nice "./tests/$t"
	done
	run_stage corpus:scenarios.sh nice sh "$s/tests/scenarios.sh"
	run_stage corpus:profile-scenarios.sh nice sh "$s/tests/profile-scenarios.sh"
	run_stage corpus:explain.sh nice sh "$s/tests/explain.sh"
	run_stage corpus:tutorial.sh nice sh "$s/tests/tutorial.sh"
	for t in $TOOLS; do
		run_stage "tools:$t" nice "./tests/$t"
	done
	run_stage explore nice ./reuseport-sim explore --quiet "$s/scenarios"
	end=$(date +%s)
	echo "${verdict:-survived} ($((end - start)) s)" >"$res"
}

# job J: claim mutants one by one (mkdir is atomic) and run them
job() {
	j=$1
	shift
	for m in "$@"; do
		name=$(basename "$m" .patch)
		mkdir "$work/claims/$name" 2>/dev/null || continue
		if test -n "$(header equivalent "$m")"; then
			echo "equivalent" >"$work/results/$name"
		else
			run_mutant "$m"
		fi
		printf '%-40s %s\n' "$name" "$(cat "$work/results/$name")"
	done
}

rm -rf "$work/claims" "$work/results" "$work/logs"
test "$reuse" -eq 1 || rm -rf "$work/pristine"
mkdir -p "$work/claims" "$work/results" "$work/logs" || exit 2
copy_tree "$srcdir" "$work/pristine" || {
	echo "$0: cannot copy $srcdir" >&2
	exit 2
}
if ! test -x "$work/pristine/configure"; then
	(cd "$work/pristine" && ./autogen.sh >"$work/autogen.log" 2>&1) || {
		echo "$0: autogen.sh failed, see $work/autogen.log" >&2
		exit 2
	}
fi
# no more jobs than mutants
njobs=$jobs
test "$njobs" -le $# || njobs=$#
t0=$(date +%s)
echo "mutation: $# mutants, $njobs jobs, $timeout_s s a stage, work in $work"
i=1
pids=
while test "$i" -le "$njobs"; do
	(setup_job "$i" && job "$i" "$@") &
	pids="$pids $!"
	i=$((i + 1))
done
setup_failed=0
for p in $pids; do
	wait "$p" || setup_failed=1
done
t1=$(date +%s)

# ---------------------------------------------------------------------
# Report

killed=0 timeouts=0 survived=0 stale=0 equiv=0 broken=0 missing=0
survivors= stales= equivs= brokens=
for m in "$@"; do
	name=$(basename "$m" .patch)
	r=$(cat "$work/results/$name" 2>/dev/null || echo missing)
	case $r in
	killed*timeout*) killed=$((killed + 1)); timeouts=$((timeouts + 1)) ;;
	killed*) killed=$((killed + 1)) ;;
	survived*) survived=$((survived + 1))
		survivors="$survivors
  $name: $(header mutant "$m")
      operator $(header operator "$m"); should be caught by: $(header suite "$m")" ;;
	stale*) stale=$((stale + 1)); stales="$stales $name" ;;
	equivalent) equiv=$((equiv + 1))
		equivs="$equivs
  $name: $(header equivalent "$m")" ;;
	build-error) broken=$((broken + 1)); brokens="$brokens $name" ;;
	*) missing=$((missing + 1)) ;;
	esac
done
counted=$((killed + survived))
echo
echo "mutation: $# mutants: $killed killed ($timeouts by timeout), $survived survived," \
    "$equiv equivalent, $stale stale, $broken build errors, in $((t1 - t0)) s"
if test "$counted" -gt 0; then
	pct10=$((killed * 1000 / counted))
	echo "mutation: kill rate $killed/$counted = $((pct10 / 10)).$((pct10 % 10))%"
else
	pct10=0
fi
test -z "$survivors" || echo "survivors:$survivors"
test -z "$equivs" || echo "equivalent (not counted):$equivs"
test -z "$stales" || echo "stale (refresh the patch):$stales"
test -z "$brokens" || echo "build errors (fix the patch):$brokens"

if test "$keep" -eq 0 && test "$setup_failed" -eq 0; then
	rm -rf "$work"/j* "$work/pristine" "$work/claims"
fi
if test "$setup_failed" -ne 0 || test "$missing" -gt 0; then
	echo "mutation: a job could not be set up ($missing mutants not run)" >&2
	exit 2
fi
if test "$fail_on_survivor" -eq 1 &&
    test $((survived + stale + broken)) -gt 0; then
	exit 1
fi
if test "$counted" -gt 0 && test "$pct10" -lt $((min * 10)); then
	echo "mutation: kill rate below $min%" >&2
	exit 1
fi
exit 0
