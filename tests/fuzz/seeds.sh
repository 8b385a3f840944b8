# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# shellcheck shell=sh
# seeds.sh - the seeds of the fuzz targets that read scenarios (parse and
# scenario), sourced by run.sh and merge.sh (docs/fuzzing.md).
#
#   scenario_seeds TOP_SRCDIR DIR PREFIX
#
# copies every scenarios/**/*.scn and scenarios/**/*.inc of TOP_SRCDIR
# into DIR, named PREFIX and their path below scenarios/ with each / a _
# (map/x.scn -> PREFIXmap_x.scn).
scenario_seeds() {
	(cd "$1/scenarios" && find . \( -name '*.scn' -o -name '*.inc' \) \
	    -type f) | sed 's|^\./||' |
	while read -r f; do
		cp "$1/scenarios/$f" "$2/$3$(echo "$f" | tr / _)"
	done
}
