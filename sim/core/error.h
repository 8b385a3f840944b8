/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * error.h - the error domain and exit statuses of reuseport-sim
 * (error.c).  Scenario input errors and run-time failures are GErrors in
 * SIM_ERROR reading "file:line:col: message"; the parser has its own
 * domain (lang/lex.h).
 */
#ifndef SIM_CORE_ERROR_H
#define SIM_CORE_ERROR_H

#include <glib.h>

G_BEGIN_DECLS

#define SIM_ERROR (sim_error_quark())
GQuark sim_error_quark(void);

enum {
	SIM_ERROR_INPUT,	/* bad scenario or command line: exit 2 */
	SIM_ERROR_FAIL,		/* a step went wrong at run time: exit 1 */
};

/* Exit statuses of reuseport-sim. */
enum {
	SIM_EXIT_OK = 0,
	SIM_EXIT_FAIL = 1,
	SIM_EXIT_USAGE = 2,
};

void	 sim_set_error_at(GError **error, int code, const char *file,
	    guint line, guint col, const char *fmt, ...) G_GNUC_PRINTF(6, 7);

/* An input error at token tok (anything with file, line and col). */
#define sim_tok_error(error, tok, ...) \
	sim_set_error_at((error), SIM_ERROR_INPUT, (tok)->file, (tok)->line, \
	    (tok)->col, __VA_ARGS__)

G_END_DECLS

#endif /* SIM_CORE_ERROR_H */
