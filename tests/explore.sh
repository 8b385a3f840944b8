#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# tests/explore.sh - the interleaving explorer (reuseport-sim explore).
#
#   SIM=/path/to/reuseport-sim top_srcdir=/path/to/src sh tests/explore.sh
#
# 1. Every race scenario (scenarios/race/, scenarios/detach/race-*.scn,
#    scenarios/cookie/race.scn) explores completely, with no violation,
#    under both profiles (R-RACE-1); with the invariants checked whole at
#    every R-RACE-1 point (--check=full) the report is the same, times
#    aside, as with the default incremental check (--check=step).
# 2. Proof of power: each bug rp_state_plant() can plant is found by
#    explore on the race scenario named for it, with the same report and
#    counterexample under --check=step and --check=full; the
#    counterexample is printed, saved with --save, and replays: `run` on
#    the saved file fails with the same invariant, in both modes.
# 3. The reduction is sound here: on every two-thread race the dpor engine
#    (DPOR, sleep sets, states cut) finds the same end states, one for
#    one, as the replay engine with no reduction and no bound (every
#    schedule); on the three-thread races, where every schedule is too many
#    for make check, every end state of the replay engine's schedules with
#    at most one preemption is among dpor's, and dpor finds the same with
#    and without cutting states.  The reduction explores fewer schedules
#    on update-same-socket.scn; a preemption bound limits the search.
# 4. Bad input: exit status 2 and a message.
#
# Exits 1 when anything failed, 77 when reuseport-sim cannot be found.
set -u

. "$(dirname "$0")/sim-lib.sh"

sc=$top_srcdir/scenarios
tap_begin explore

# An explore report without its run times (", 0.087 s" at line ends).
untimed() {
	sed 's/, [0-9.]* s$//' "$1"
}

# --- 1. the race corpus explores clean ------------------------------------
races="$sc/race $sc/detach/race-delete-vs-close.scn
$sc/detach/race-free-vs-close.scn $sc/detach/race-update-vs-close.scn
$sc/cookie/race.scn"
# shellcheck disable=SC2086 # word splitting of $races is intended
if "$SIM" explore $races >"$tmp/clean.out" 2>&1; then
	ok "race scenarios explore clean"
else
	not_ok "race scenarios explore clean"
	cat "$tmp/clean.out"
fi
# shellcheck disable=SC2086 # word splitting of $races is intended
"$SIM" explore --check=full $races >"$tmp/clean-full.out" 2>&1
untimed "$tmp/clean.out" >"$tmp/clean.u"
untimed "$tmp/clean-full.out" >"$tmp/clean-full.u"
if diff -u "$tmp/clean.u" "$tmp/clean-full.u" >"$tmp/d"; then
	ok "--check=full explores the race scenarios to the same reports"
else
	not_ok "--check=full explores the race scenarios to the same reports"
	cat "$tmp/d"
fi
if grep -q '^PASS .*select-vs-close.scn \[6.18\]: [0-9]* schedules, 2 end states' \
    "$tmp/clean.out"; then
	ok "select-vs-close reaches both outcomes"
else
	not_ok "select-vs-close reaches both outcomes"
	cat "$tmp/clean.out"
fi

# --- 2. planted bugs are found, and their counterexamples replay ----------
check_plant() {
	bug=$1
	file=$2
	want=$3
	save=$tmp/ce-$bug.scn
	"$SIM" explore --profile 6.18 --plant "$bug" --save "$save" \
	    "$sc/$file" >"$tmp/$bug.out" 2>&1
	rc=$?
	if test "$rc" -eq 1 && grep -q "^FAIL " "$tmp/$bug.out" &&
	    grep -q "$want" "$tmp/$bug.out" &&
	    grep -q '^schedule ' "$tmp/$bug.out" &&
	    grep -q "^plant $bug" "$save"; then
		ok "explore finds $bug in $file"
	else
		not_ok "explore finds $bug in $file (exit $rc)"
		cat "$tmp/$bug.out"
		return
	fi
	# the whole state at every point: the same failure, the same schedule
	"$SIM" explore --check=full --profile 6.18 --plant "$bug" \
	    "$sc/$file" >"$tmp/$bug.full" 2>&1
	rc=$?
	untimed "$tmp/$bug.out" >"$tmp/$bug.out.u"
	untimed "$tmp/$bug.full" >"$tmp/$bug.full.u"
	if test "$rc" -eq 1 && diff -u "$tmp/$bug.out.u" "$tmp/$bug.full.u" \
	    >"$tmp/d"; then
		ok "explore --check=full finds $bug in $file the same way"
	else
		not_ok "explore --check=full finds $bug in $file the same way" \
		    "(exit $rc)"
		cat "$tmp/d"
	fi
	# replay: the saved scenario sits beside the original (includes)
	replay=$sc/$(dirname "$file")/.replay-$bug-$$.scn
	cp "$save" "$replay"
	"$SIM" run "$replay" >"$tmp/$bug.replay" 2>&1
	rc=$?
	"$SIM" run --check=full "$replay" >"$tmp/$bug.replay-full" 2>&1
	rc_full=$?
	rm -f "$replay"
	if test "$rc" -eq 1 && grep -q "$want" "$tmp/$bug.replay" &&
	    test "$rc_full" -eq 1 &&
	    cmp -s "$tmp/$bug.replay" "$tmp/$bug.replay-full"; then
		ok "the $bug counterexample replays with run, both checks"
	else
		not_ok "the $bug counterexample replays with run (exit $rc," \
		    "--check=full $rc_full)"
		cat "$tmp/$bug.replay"
		diff -u "$tmp/$bug.replay" "$tmp/$bug.replay-full"
	fi
}
check_plant update-no-recheck race/update-same-socket.scn "I2 single membership"
check_plant detach-slot-unlocked detach/race-free-vs-close.scn "freed map"
check_plant free-no-cb-lock detach/race-free-vs-close.scn "callback lock"
check_plant detach-foreign race/foreign-owner-vs-shutdown.scn "I4"

# the same planted bug is invisible to a sequential run
if "$SIM" explore --profile 6.18 --plant update-no-recheck --max-schedules 1 \
    "$sc/race/update-same-socket.scn" >"$tmp/one.out" 2>&1; then
	not_ok "one schedule misses update-no-recheck"
else
	if grep -q "^INCOMPLETE" "$tmp/one.out"; then
		ok "one schedule misses update-no-recheck (needs interleaving)"
	else
		not_ok "one schedule misses update-no-recheck"
		cat "$tmp/one.out"
	fi
fi

# JSON: one object a line, the counterexample inside, then the summary
"$SIM" explore --format json --profile 6.18 --plant update-no-recheck \
    "$sc/race/update-same-socket.scn" >"$tmp/json.out" 2>&1
if test "$(wc -l <"$tmp/json.out")" -eq 2 &&
    grep -q '^{"type":"result","command":"explore","file":".*update-same-socket.scn","profile":"6.18","result":"fail","failure":".*I2 single membership.*","counterexample":".*\\nschedule T1 .*","schedules":[0-9]*,' \
    "$tmp/json.out" &&
    grep -q '^{"type":"summary","command":"explore","passed":0,"failed":1,.*"status":1}$' \
    "$tmp/json.out"; then
	ok "json output carries the failure and the counterexample"
else
	not_ok "json output carries the failure and the counterexample"
	cat "$tmp/json.out"
fi

# --- 3. the reduction keeps every end state ----------------------------------
# The end states of an exploration, one a line (a block's lines joined by
# " | "), sorted.
ends() {
	"$SIM" explore --end-states "$@" | awk '
	    /^  end state [0-9]*:$/ { if (b != "") print b; b = ""; next }
	    /^    / { sub(/^    /, ""); b = b == "" ? $0 : b " | " $0; next }
	    END { if (b != "") print b }' | sort
}
three="update-close-free.scn select-detach-close.scn growth-select-close.scn"
for f in "$sc"/race/*.scn "$sc"/detach/race-*.scn; do
	base=$(basename "$f")
	case " $three " in
	*" $base "*)
		ends --profile 6.18 "$f" >"$tmp/dpor.ends"
		ends --profile 6.18 --no-states "$f" >"$tmp/nostates.ends"
		ends --profile 6.18 --engine replay --preemptions 1 \
		    --no-reduction "$f" >"$tmp/full.ends"
		if test -s "$tmp/dpor.ends" &&
		    cmp -s "$tmp/dpor.ends" "$tmp/nostates.ends" &&
		    test -z "$(comm -13 "$tmp/dpor.ends" "$tmp/full.ends")"; then
			ok "dpor keeps the end states of $base ($(wc -l \
			    <"$tmp/dpor.ends"); every one of one preemption)"
		else
			not_ok "dpor keeps the end states of $base"
			diff "$tmp/dpor.ends" "$tmp/nostates.ends"
			comm -13 "$tmp/dpor.ends" "$tmp/full.ends"
		fi
		;;
	*)
		ends --profile 6.18 "$f" >"$tmp/dpor.ends"
		ends --profile 6.18 --engine replay --preemptions unbounded \
		    --no-reduction "$f" >"$tmp/full.ends"
		if test -s "$tmp/dpor.ends" &&
		    cmp -s "$tmp/dpor.ends" "$tmp/full.ends"; then
			ok "dpor keeps the $(wc -l <"$tmp/dpor.ends") end states of $base"
		else
			not_ok "dpor keeps the end states of $base"
			diff "$tmp/dpor.ends" "$tmp/full.ends"
		fi
		;;
	esac
done
# the replay engine (the engine before dpor) still finds a planted bug
if "$SIM" explore --engine replay --profile 6.18 --plant update-no-recheck \
    "$sc/race/update-same-socket.scn" >"$tmp/replay.out" 2>&1; then
	not_ok "the replay engine finds update-no-recheck"
else
	if grep -q "I2 single membership" "$tmp/replay.out"; then
		ok "the replay engine finds update-no-recheck"
	else
		not_ok "the replay engine finds update-no-recheck"
		cat "$tmp/replay.out"
	fi
fi
red=$("$SIM" explore --profile 6.18 "$sc/race/update-same-socket.scn" |
    sed -n 's/.*: \([0-9]*\) schedules.*/\1/p')
full=$("$SIM" explore --profile 6.18 --no-reduction \
    "$sc/race/update-same-socket.scn" | sed -n 's/.*: \([0-9]*\) schedules.*/\1/p')
if test -n "$red" && test -n "$full" && test "$red" -lt "$full"; then
	ok "the reduction cuts schedules ($red < $full)"
else
	not_ok "the reduction cuts schedules ($red vs $full)"
fi
# a bound of 0 preemptions explores fewer schedules than 2
b0=$("$SIM" explore --profile 6.18 --preemptions 0 \
    "$sc/race/replace-vs-close-old.scn" | sed -n 's/.*: \([0-9]*\) schedules.*/\1/p')
b2=$("$SIM" explore --profile 6.18 --preemptions 2 \
    "$sc/race/replace-vs-close-old.scn" | sed -n 's/.*: \([0-9]*\) schedules.*/\1/p')
if test -n "$b0" && test -n "$b2" && test "$b0" -lt "$b2"; then
	ok "the preemption bound limits the search ($b0 < $b2)"
else
	not_ok "the preemption bound limits the search ($b0 vs $b2)"
fi

# --- 4. bad input -----------------------------------------------------------
expect_usage() {
	what=$1
	pattern=$2
	shift 2
	"$SIM" "$@" >"$tmp/usage.out" 2>&1
	rc=$?
	if test "$rc" -eq 2 && grep -q "$pattern" "$tmp/usage.out"; then
		ok "$what: exit 2"
	else
		not_ok "$what: exit $rc"
		cat "$tmp/usage.out"
	fi
}
expect_usage "no threads" "no thread blocks" explore "$sc/map/update-noexist-occupied.scn"
expect_usage "bad bound" "is not 0..1000" explore --preemptions 99999999999999999999 "$sc/race"
expect_usage "unknown bug" "did you mean 'free-no-cb-lock'" explore --plant free-no-cb-lok "$sc/race"
expect_usage "unknown option" "did you mean '--no-reduction'" explore --no-reductoin "$sc/race"
expect_usage "unknown engine" "did you mean 'dpor'" explore --engine dpr "$sc/race"
expect_usage "no file" "no FILE" explore
printf 'profile 6.18\nthread A\n  cpu 0\nend\ncpu 1\nthread B\n  cpu 0\nend\n' \
    >"$tmp/between.scn"
expect_usage "statement between threads" "between.scn:5:1: a statement between thread blocks" explore "$tmp/between.scn"
{ echo 'profile 6.18'; for t in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16; do
	printf 'thread T%s\n  cpu 0\nend\n' "$t"; done; } >"$tmp/many.scn"
expect_usage "too many threads" "16 threads; explore runs at most 15" explore "$tmp/many.scn"
printf 'profile 6.18\nthread A\n  cpu 0\nend\nschedule A Z\n' >"$tmp/sched.scn"
expect_usage "schedule names an unknown thread" "sched.scn:5:12: schedule: no thread 'Z'" explore "$tmp/sched.scn"
printf 'profile 6.18\nthread A\n  cpu 0 = 0 |\nend\n' >"$tmp/bar.scn"
expect_usage "dangling alternative" "bar.scn:3:13: '|' needs an expectation" run "$tmp/bar.scn"

# select/object-stale-count.scn pins the order in which the hash fallback
# takes the word b's detach left past the section (R-RACE-13); run follows
# the schedule statement: b receives, the program counted its run and its
# miss.
out=$("$SIM" run --trace "$sc/select/object-stale-count.scn" 2>&1)
if printf '%s\n' "$out" | grep -q 'rule id=R-RACE-13' &&
    printf '%s\n' "$out" | grep -q 'select group=g1 sock=b how=hash' &&
    ! printf '%s\n' "$out" | grep -q 'select group=g1 sock=a'; then
	ok "the pinned stale-count order delivers to the closing b (R-RACE-13)"
else
	not_ok "the pinned stale-count order delivers to the closing b (R-RACE-13)"
	printf '%s\n' "$out" | tail -20
fi

echo "1..$n"
exit $failed
