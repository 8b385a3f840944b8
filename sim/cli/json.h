/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * json.h - the JSON records of reuseport-sim (json.c), written with
 * json-glib: one object a line, each with "type" and "command"
 * (docs/output-formats.md has the schema).  Every JSON text the report
 * writers print goes through here.
 */
#ifndef SIM_CLI_JSON_H
#define SIM_CLI_JSON_H

#include <stdio.h>

#include <glib.h>
#include <json-glib/json-glib.h>

#include "core/error.h"

G_BEGIN_DECLS

JsonBuilder	*sim_json_begin(const char *type, const char *command);
void		 sim_json_end(JsonBuilder *b, FILE *out);
void		 sim_json_str(JsonBuilder *b, const char *key, const char *s);
void		 sim_json_uint(JsonBuilder *b, const char *key, guint64 v);
void		 sim_json_bool(JsonBuilder *b, const char *key, gboolean v);
void		 sim_json_lines(JsonBuilder *b, const char *key,
		    const char *text);
void		 sim_json_strings(JsonBuilder *b, const char *key,
		    const GPtrArray *strings);
void		 sim_json_place(JsonBuilder *b, const SimDiag *d);
char		*sim_json_quote(const char *s);

G_END_DECLS

#endif /* SIM_CLI_JSON_H */
