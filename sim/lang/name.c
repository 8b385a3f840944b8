/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * name.c - the shapes of names in the scenario language (name.h).
 */
#include <string.h>

#include "lang/name.h"

/* May byte c start a name of shape? */
static gboolean
name_start(SimNameShape shape, char c)
{
	if (shape == SIM_NAME_PROFILE)
		return g_ascii_isalnum(c) || strchr("_.+-", c) != NULL;
	return g_ascii_isalpha(c) || c == '_';
}

/* May byte c follow in a name of shape? */
static gboolean
name_char(SimNameShape shape, char c)
{
	switch (shape) {
	case SIM_NAME_OBJECT:
		return g_ascii_isalnum(c) || c == '_' || c == '.' || c == '-';
	case SIM_NAME_VAR:
		return g_ascii_isalnum(c) || c == '_';
	case SIM_NAME_PROFILE:
		break;
	}
	return g_ascii_isalnum(c) || strchr("_.+-", c) != NULL;
}

/* Are the n bytes at s a name of shape?  The empty string is none. */
gboolean
sim_name_valid(SimNameShape shape, const char *s, gsize n)
{
	gsize i;

	if (n == 0 || s[0] == '\0' || !name_start(shape, s[0]))
		return FALSE;
	for (i = 1; i < n; i++)
		if (s[i] == '\0' || !name_char(shape, s[i]))
			return FALSE;
	return TRUE;
}

/* sim_name_valid() of the NUL-terminated s. */
gboolean
sim_name_valid_str(SimNameShape shape, const char *s)
{
	return sim_name_valid(shape, s, strlen(s));
}
