/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * error.c - the SIM_ERROR domain (error.h).
 */
#include "core/error.h"

G_DEFINE_QUARK(sim-error-quark, sim_error)

/* Set *error to "file:line:col: message" in SIM_ERROR with code. */
void
sim_set_error_at(GError **error, int code, const char *file, guint line,
    guint col, const char *fmt, ...)
{
	g_autofree char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error(error, SIM_ERROR, code, "%s:%u:%u: %s", file, line, col,
	    msg);
}
