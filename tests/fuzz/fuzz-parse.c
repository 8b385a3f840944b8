/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * fuzz-parse.c - libFuzzer target of the scenario lexer and parser
 * (sim/lang/lex.c, sim/lang/parse.c): any input, split into in-memory files as
 * fuzz.h says, is parsed and the result or the error freed.  What it
 * checks is that the parser returns, without a crash, a leak, a hang or
 * a sanitizer report, and that exactly one of scenario and error comes
 * back.
 */
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autoptr(FuzzInput) in = fuzz_input_new(data, size);
	g_autoptr(GError) err = NULL;
	g_autoptr(SimScenario) sc = fuzz_parse(in, &err);

	fuzz_debug("parse", err != NULL ? err->message : "ok");
	g_assert((sc == NULL) != (err == NULL));
	g_assert(err == NULL || (err->domain == SIM_PARSE_ERROR &&
	    err->message[0] != '\0'));
	return 0;
}
