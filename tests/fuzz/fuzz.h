/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * fuzz.h - the libFuzzer targets of reuseport-sim (fuzz-parse.c,
 * fuzz-ebpf.c, fuzz-scenario.c, fuzz-manifest.c), their shared input
 * format (fuzz-common.c) and the replay driver that runs them without
 * libFuzzer in make check (replay.c).  docs/fuzzing.md says how to run them.
 *
 * An input is one or more in-memory files.  The bytes up to the first
 * line that starts with "%% " are the top file, parsed under the name
 * FUZZ_DIR/input.scn (FUZZ_DIR is a directory "fuzz" below the scenarios
 * directory, so that include "../common/pair.inc" reaches the real
 * scenarios/common/ as from any area folder).  Each "%% NAME" line starts
 * a further file, FUZZ_DIR/NAME, that the others can include; so an input
 * can build include chains, cycles and deep nesting by itself.  An
 * include of anything else below the scenarios directory reads the disk
 * (bounded by the parser's limits); anything outside it is refused, so a
 * run does not depend on the machine's other files.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include <glib.h>

#include "lang/scenario.h"

G_BEGIN_DECLS

/* The scenarios directory (compiled in from $(abs_top_srcdir)). */
#ifndef FUZZ_SCENARIOS_DIR
#define FUZZ_SCENARIOS_DIR	"scenarios"
#endif

/*
 * The in-memory files are FUZZ_DIR/NAME (a directory that does not exist
 * on disk) and the top file FUZZ_DIR/input.scn, where FUZZ_DIR is
 * FUZZ_SCENARIOS_DIR/fuzz made absolute and clean of "." and ".."
 * (include paths reach the include function in that form).
 */
#define FUZZ_TOP_NAME	"input.scn"

/*
 * The scenario target runs a scenario only when it has at most this many
 * statements: each step runs the model's whole-state invariant checker,
 * so a run costs O(statements x state), and a 1,000,000-statement
 * scenario built from includes is slow but not wrong.
 */
#define FUZZ_MAX_RUN_STMTS	2000u

typedef struct FuzzInput FuzzInput;

/* fuzz-common.c */
void		 fuzz_init(void);
void		 fuzz_debug(const char *what, const char *msg);
FuzzInput	*fuzz_input_new(const uint8_t *data, size_t size);
void		 fuzz_input_free(FuzzInput *in);
SimScenario	*fuzz_parse(FuzzInput *in, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(FuzzInput, fuzz_input_free)

/* The libFuzzer entry points, one pair per target. */
int	LLVMFuzzerInitialize(int *argc, char ***argv);
int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The scenario target's structure-aware mutator (mutator.c), in the
 * libFuzzer build only (FUZZ_LIBFUZZER); LLVMFuzzerMutate is libFuzzer's
 * own byte mutator. */
size_t	LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);
size_t	LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size,
	    unsigned int seed);
size_t	LLVMFuzzerCustomCrossOver(const uint8_t *data1, size_t size1,
	    const uint8_t *data2, size_t size2, uint8_t *out,
	    size_t max_out_size, unsigned int seed);

G_END_DECLS

#endif /* FUZZ_H */
