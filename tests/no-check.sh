#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# tests/no-check.sh - in make check of a build configured without Check:
# says why the unit tests (tests/check_*) did not run, as a SKIP.
echo "SKIP: the unit tests (tests/check_*) were not built: configure did" \
    "not find Check >= 0.15 (Debian: check), or was given --disable-tests." \
    "Install it and run ./config.status --recheck in the build directory," \
    "or run ./test.sh, which installs what the tests need."
exit 77
