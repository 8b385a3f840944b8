/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * json.c - JSON strings and arrays of lines (json.h).
 */
#include "cli/json.h"

/*
 * Write s as a JSON string: '"' and '\\' escaped, newline and tab as \n
 * and \t, every other control character as \u00XX; bytes from 0x80 on
 * are copied (the text is UTF-8).
 */
void
sim_json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s != '\0'; s++) {
		guchar c = (guchar)*s;

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", out);
		else if (c == '\t')
			fputs("\\t", out);
		else if (c < 0x20)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

/* ,"key":["LINE",...]: the lines of text, without the final newline. */
void
sim_json_lines(FILE *out, const char *key, const char *text)
{
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	guint i, n = 0;

	fprintf(out, ",\"%s\":[", key);
	for (i = 0; lines[i] != NULL; i++) {
		if (lines[i][0] == '\0' && lines[i + 1] == NULL)
			break;
		if (n++ > 0)
			fputc(',', out);
		sim_json_string(out, lines[i]);
	}
	fputc(']', out);
}
