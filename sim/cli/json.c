/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * json.c - JSON records through json-glib (json.h).  Strings that are not
 * valid UTF-8 (a file name can be anything) are made valid first, so the
 * output always is JSON.
 */
#include <string.h>

#include "cli/json.h"

/* A new record {"type":TYPE,"command":COMMAND, ...}: add members, then
 * sim_json_end(). */
JsonBuilder *
sim_json_begin(const char *type, const char *command)
{
	JsonBuilder *b = json_builder_new();

	json_builder_begin_object(b);
	sim_json_str(b, "type", type);
	sim_json_str(b, "command", command);
	return b;
}

/*
 * The generator's text with every control byte left raw escaped: json-glib
 * 1.6 writes U+001F unescaped, which RFC 8259 forbids.  The text is one
 * line (not pretty), so a raw control byte can only be inside a string.
 * g_free().
 */
static char *
generate(JsonNode *root)
{
	g_autoptr(JsonGenerator) gen = json_generator_new();
	g_autofree char *text = NULL;
	GString *s;

	json_generator_set_root(gen, root);
	text = json_generator_to_data(gen, NULL);
	s = g_string_sized_new(strlen(text));
	for (const char *p = text; *p != '\0'; p++) {
		if ((guchar)*p < 0x20)
			g_string_append_printf(s, "\\u%04x", (guchar)*p);
		else
			g_string_append_c(s, *p);
	}
	return g_string_free(s, FALSE);
}

/* Close the record, write it as one line to out, free b. */
void
sim_json_end(JsonBuilder *b, FILE *out)
{
	g_autoptr(JsonNode) root = NULL;
	g_autofree char *text = NULL;

	json_builder_end_object(b);
	root = json_builder_get_root(b);
	text = generate(root);
	fprintf(out, "%s\n", text);
	g_object_unref(b);
}

/* The string value s, valid UTF-8. */
static void
add_string(JsonBuilder *b, const char *s)
{
	g_autofree char *v = g_utf8_make_valid(s, -1);

	json_builder_add_string_value(b, v);
}

/* "key": s, or null when s is NULL. */
void
sim_json_str(JsonBuilder *b, const char *key, const char *s)
{
	json_builder_set_member_name(b, key);
	if (s == NULL)
		json_builder_add_null_value(b);
	else
		add_string(b, s);
}

void
sim_json_uint(JsonBuilder *b, const char *key, guint64 v)
{
	json_builder_set_member_name(b, key);
	json_builder_add_int_value(b, (gint64)MIN(v, (guint64)G_MAXINT64));
}

void
sim_json_bool(JsonBuilder *b, const char *key, gboolean v)
{
	json_builder_set_member_name(b, key);
	json_builder_add_boolean_value(b, v);
}

/* "key": ["LINE", ...]: the lines of text, without the final newline. */
void
sim_json_lines(JsonBuilder *b, const char *key, const char *text)
{
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);

	json_builder_set_member_name(b, key);
	json_builder_begin_array(b);
	for (guint i = 0; lines[i] != NULL; i++) {
		if (lines[i][0] == '\0' && lines[i + 1] == NULL)
			break;
		add_string(b, lines[i]);
	}
	json_builder_end_array(b);
}

/* "key": [strings...] (an empty array for NULL). */
void
sim_json_strings(JsonBuilder *b, const char *key, const GPtrArray *strings)
{
	json_builder_set_member_name(b, key);
	json_builder_begin_array(b);
	for (guint i = 0; strings != NULL && i < strings->len; i++)
		add_string(b, strings->pdata[i]);
	json_builder_end_array(b);
}

/* "file", "line", "column" (null when unknown) and "message" of d. */
void
sim_json_place(JsonBuilder *b, const SimDiag *d)
{
	sim_json_str(b, "file", d->file);
	json_builder_set_member_name(b, "line");
	if (d->line != 0)
		json_builder_add_int_value(b, d->line);
	else
		json_builder_add_null_value(b);
	json_builder_set_member_name(b, "column");
	if (d->line != 0)
		json_builder_add_int_value(b, d->col);
	else
		json_builder_add_null_value(b);
	sim_json_str(b, "message", d->message);
}

/* s as a JSON string literal, quotes included.  g_free(). */
char *
sim_json_quote(const char *s)
{
	g_autoptr(JsonNode) node = json_node_new(JSON_NODE_VALUE);
	g_autofree char *v = g_utf8_make_valid(s, -1);

	json_node_set_string(node, v);
	return generate(node);
}
