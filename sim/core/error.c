/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * error.c - the SIM_ERROR domain (error.h).
 */
#include <string.h>

#include "core/error.h"
#include "lang/lex.h"

G_DEFINE_QUARK(sim-error-quark, sim_error)

/* Set *error to "file:line:col: message" in SIM_ERROR with code (every
 * such message can be read back by sim_diags_add_text()). */
void
sim_set_error_at(GError **error, int code, const char *file, guint line,
    guint col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sim_place_verror(error, SIM_ERROR, code, file, line, col, fmt, ap);
	va_end(ap);
}

/* ---------------------------------------------------------------------
 * Diagnostics: input errors with their place.
 */

SimDiag *
sim_diag_new(const char *file, guint line, guint col, const char *message)
{
	SimDiag *d = g_new0(SimDiag, 1);

	d->file = g_strdup(file);
	d->line = line;
	d->col = line != 0 ? col : 0;
	d->message = g_strdup(message);
	return d;
}

void
sim_diag_free(gpointer p)
{
	SimDiag *d = p;

	if (d == NULL)
		return;
	g_free(d->file);
	g_free(d->message);
	g_free(d);
}

/* A new array of SimDiag, owning them. */
GPtrArray *
sim_diags_new(void)
{
	return g_ptr_array_new_with_free_func(sim_diag_free);
}

/* "file:line:col: message", "file: message" or "message".  g_free(). */
char *
sim_diag_text(const SimDiag *d)
{
	if (d->file != NULL && d->line != 0)
		return g_strdup_printf("%s:%u:%u: %s", d->file, d->line,
		    d->col, d->message);
	if (d->file != NULL)
		return g_strdup_printf("%s: %s", d->file, d->message);
	return g_strdup(d->message);
}

/* The first ":LINE:COL: " of s (LINE, COL decimal): its start, or NULL. */
static const char *
find_place(const char *s, guint *line, guint *col)
{
	for (const char *p = strchr(s, ':'); p != NULL; p = strchr(p + 1,
	    ':')) {
		guint64 l, c;
		char *end;

		if (!g_ascii_isdigit(p[1]))
			continue;
		l = g_ascii_strtoull(p + 1, &end, 10);
		if (*end != ':' || !g_ascii_isdigit(end[1]))
			continue;
		c = g_ascii_strtoull(end + 1, &end, 10);
		if (end[0] != ':' || end[1] != ' ' || l == 0 || l > G_MAXUINT ||
		    c > G_MAXUINT)
			continue;
		*line = (guint)l;
		*col = (guint)c;
		return p;
	}
	return NULL;
}

/*
 * Add the errors of text to diags: every line "FILE:LINE:COL: MESSAGE"
 * (as sim_set_error_at(), the lexer, the parser and the checker write
 * them) is one; another line continues the message before it, or is a
 * message without a place.
 */
void
sim_diags_add_text(GPtrArray *diags, const char *text)
{
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	guint first = diags->len;

	for (guint i = 0; lines[i] != NULL; i++) {
		const char *l = lines[i], *at;
		g_autofree char *file = NULL;
		guint line = 0, col = 0;

		if (l[0] == '\0' && lines[i + 1] == NULL)
			break;
		at = find_place(l, &line, &col);
		if (at != NULL) {
			file = g_strndup(l, (gsize)(at - l));
			at = strchr(at + 1, ':');
			at = strchr(at + 1, ':') + 2;
			g_ptr_array_add(diags, sim_diag_new(file, line, col,
			    at));
		} else if (diags->len > first) {
			SimDiag *d = diags->pdata[diags->len - 1];
			char *m = g_strconcat(d->message, "\n", l, NULL);

			g_free(d->message);
			d->message = m;
		} else {
			g_ptr_array_add(diags, sim_diag_new(NULL, 0, 0, l));
		}
	}
}
