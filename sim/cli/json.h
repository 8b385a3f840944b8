/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * json.h - JSON output of reuseport-sim (json.c): every JSON string the
 * report writers print goes through sim_json_string().
 */
#ifndef SIM_CLI_JSON_H
#define SIM_CLI_JSON_H

#include <stdio.h>

#include <glib.h>

G_BEGIN_DECLS

void	 sim_json_string(FILE *out, const char *s);
void	 sim_json_lines(FILE *out, const char *key, const char *text);

G_END_DECLS

#endif /* SIM_CLI_JSON_H */
