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

/*
 * One error in the input, where it is: what the report writers print as
 * text ("file:line:col: message"), as a TAP Bail out! line and as a JSON
 * object.  file NULL: no file; line 0: no position (then col is 0 too).
 * The message may hold more lines (a failure's state).
 */
typedef struct SimDiag SimDiag;
struct SimDiag {
	char	*file;
	guint	 line, col;
	char	*message;
};

SimDiag	*sim_diag_new(const char *file, guint line, guint col,
	    const char *message);
void	 sim_diag_free(gpointer d);
char	*sim_diag_text(const SimDiag *d);
void	 sim_diags_add_text(GPtrArray *diags, const char *text);
GPtrArray *sim_diags_new(void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(SimDiag, sim_diag_free)

G_END_DECLS

#endif /* SIM_CORE_ERROR_H */
