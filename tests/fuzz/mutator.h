/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * mutator.h - the structure-aware mutator of the scenario target
 * (mutator.c): it mutates statements, not bytes.  An input (fuzz.h's
 * format) is split into lines, the scenario language's statements (and
 * the "%% NAME" markers, which move like statements); a mutation deletes,
 * duplicates, swaps or moves a statement, drops its expectation, or
 * replaces one token by another of its kind: a number by an interesting
 * one, a name by another name the input defines, a verb, key, errno,
 * profile, map type or socket kind by another from the simulator's own
 * tables (sim_verbs(), sim_errno_name(), sim_profile_names(),
 * sim_map_type_name()).  The cross-over splices statements of another
 * input.  Everything is deterministic from the seed.
 *
 * The libFuzzer hooks (LLVMFuzzerCustomMutator, LLVMFuzzerCustomCrossOver)
 * are in fuzz-scenario.c; these functions do not depend on libFuzzer, so
 * that tests/fuzz/check_mutator.c tests them in make check.
 */
#ifndef FUZZ_MUTATOR_H
#define FUZZ_MUTATOR_H

#include <stddef.h>
#include <stdint.h>

#include <glib.h>

G_BEGIN_DECLS

/* A byte-level mutator (LLVMFuzzerMutate in the fuzzer): mutates
 * data[0..size) in place within max_size bytes, returns the new size. */
typedef size_t (*FuzzByteMutator)(uint8_t *data, size_t size,
    size_t max_size);

/* One in FUZZ_BYTES_ONE_IN mutations is left to the byte mutator. */
#define FUZZ_BYTES_ONE_IN	8u

size_t	fuzz_mutate(uint8_t *data, size_t size, size_t max_size,
	    unsigned int seed, FuzzByteMutator bytes);
size_t	fuzz_cross_over(const uint8_t *data1, size_t size1,
	    const uint8_t *data2, size_t size2, uint8_t *out,
	    size_t max_out_size, unsigned int seed);

G_END_DECLS

#endif /* FUZZ_MUTATOR_H */
