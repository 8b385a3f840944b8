/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * fuzz-scenario.c - libFuzzer target of whole scenarios on the model: an
 * input (in-memory files, see fuzz.h) is parsed; when it parses and
 * passes the check pass (sim_check_scenario()), it runs on the model
 * backend under every profile it declares, with traces on and
 * keep_going, and the reports are dropped.  A failing step is fine (the
 * input's expectations are arbitrary); a crash, a leak, a hang, a
 * sanitizer report or a GLib critical is not.
 *
 * The libFuzzer build mutates inputs with the structure-aware mutator of
 * mutator.c (statements, not bytes; one time in eight libFuzzer's own
 * byte mutations).  FUZZ_MUTATOR=bytes in the environment turns it off:
 * every mutation is then libFuzzer's own, as without the hooks (how
 * docs/fuzzing.md compares the two).
 */
#include "fuzz.h"
#include "backend/model.h"
#include "core/exec.h"
#include "core/profiles.h"
#include "core/run.h"
#include "mutator.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autoptr(FuzzInput) in = fuzz_input_new(data, size);
	g_autoptr(GError) err = NULL;
	g_autoptr(SimScenario) sc = fuzz_parse(in, &err);
	g_autoptr(GPtrArray) errors = NULL;
	g_autoptr(GPtrArray) profs = NULL;
	guint i;

	fuzz_debug("parse", err != NULL ? err->message : "ok");
	if (sc == NULL)
		return 0;
	errors = g_ptr_array_new_with_free_func(g_free);
	if (!sim_check_scenario(sc, errors)) {
		g_assert(errors->len > 0);
		fuzz_debug("check", errors->pdata[0]);
		return 0;
	}
	if (sc->stmts->len > FUZZ_MAX_RUN_STMTS) {
		fuzz_debug("run", "too many statements, not run");
		return 0;
	}
	profs = sim_scenario_profiles(sc, NULL);
	for (i = 0; i < profs->len; i++) {
		SimExecOptions o = { .ops = &sim_backend_model,
		    .trace = SIM_TRACE_ALL, .keep_going = TRUE };
		SimReport rep = { 0 };

		sim_run_scenario(sc, profs->pdata[i], &o, &rep);
		g_assert(rep.skip == NULL);
		g_assert(rep.passed || rep.messages->len > 0);
		fuzz_debug(profs->pdata[i], rep.passed ? "passed" :
		    (const char *)rep.messages->pdata[0]);
		sim_report_clear(&rep);
	}
	return 0;
}

#ifdef FUZZ_LIBFUZZER
static gboolean
bytes_only(void)
{
	static int on = -1;

	if (on < 0)
		on = g_strcmp0(g_getenv("FUZZ_MUTATOR"), "bytes") == 0;
	return on;
}

size_t
LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size,
    unsigned int seed)
{
	if (bytes_only())
		return LLVMFuzzerMutate(data, size, max_size);
	return fuzz_mutate(data, size, max_size, seed, LLVMFuzzerMutate);
}

size_t
LLVMFuzzerCustomCrossOver(const uint8_t *data1, size_t size1,
    const uint8_t *data2, size_t size2, uint8_t *out, size_t max_out_size,
    unsigned int seed)
{
	/* 0: no cross-over, libFuzzer picks another mutation (in bytes
	 * mode LLVMFuzzerMutate, whose own CrossOver is one of them) */
	if (bytes_only())
		return 0;
	return fuzz_cross_over(data1, size1, data2, size2, out,
	    max_out_size, seed);
}
#endif
