/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * lex.c - the scenario lexer: one source line in, a list of SimTokens out,
 * plus the errno name table and the token accessors the executor uses.
 *
 * Tokens are separated by blanks (space, tab).  Classification:
 *
 *	# ...		comment to end of line (not inside a string)
 *	"..."		STRING; escapes \\ \" \n \t \0 \xHH
 *	=		EQ, always a token of its own ("=0" is EQ INT)
 *	== != <= >=	WORD when blank-separated (comparison operators)
 *	@name		AT; the name ends at a blank, '#' or '='
 *	$name		VAR
 *	$(i+1) s${i}	WORD: a token with a $(...) or ${...}, or a second
 *			'$', is a template of a loop or an include with
 *			parameters (expand.c)
 *	key=value	KV; the value is one WORD, INT, ERRNO, STRING or VAR
 *	-12 0x1f	INT: optional '-', decimal or 0x hex, -2^63 .. 2^64-1
 *	-EEXIST EPERM	ERRNO when the name is known; an unknown
 *			"-EFOO" is an error, an unknown "EFOO" a WORD
 *	anything else	WORD: tcp6 [::1]:0 127.0.0.1:80 cookie(a) 4.19
 *
 * A line is rejected as a whole when it is longer than SIM_MAX_LINE bytes
 * or holds a NUL byte, another control character than tab, or invalid
 * UTF-8.  Nothing here recurses on input (a KV value is lexed one level
 * deep, never further).
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "lang/lex.h"
#include "lang/name.h"
#include "lang/suggest.h"

G_DEFINE_QUARK(sim-parse-error-quark, sim_parse_error)

/* ----------------------------------------------------------------------
 * errno names
 */

/*
 * Linux errno names: <asm-generic/errno-base.h> and <asm-generic/errno.h>,
 * the glibc aliases (after their canonical names, so that
 * sim_errno_name() prefers the latter), and the kernel-internal codes of
 * include/linux/errno.h that can leak to user space or into the model
 * (ENOTSUPP 524 and its neighbours).
 */
#define SIM_ERRNO_TABLE(X) \
	X(EPERM, EPERM) X(ENOENT, ENOENT) X(ESRCH, ESRCH) X(EINTR, EINTR) \
	X(EIO, EIO) X(ENXIO, ENXIO) X(E2BIG, E2BIG) X(ENOEXEC, ENOEXEC) \
	X(EBADF, EBADF) X(ECHILD, ECHILD) X(EAGAIN, EAGAIN) \
	X(ENOMEM, ENOMEM) X(EACCES, EACCES) X(EFAULT, EFAULT) \
	X(ENOTBLK, ENOTBLK) X(EBUSY, EBUSY) X(EEXIST, EEXIST) \
	X(EXDEV, EXDEV) X(ENODEV, ENODEV) X(ENOTDIR, ENOTDIR) \
	X(EISDIR, EISDIR) X(EINVAL, EINVAL) X(ENFILE, ENFILE) \
	X(EMFILE, EMFILE) X(ENOTTY, ENOTTY) X(ETXTBSY, ETXTBSY) \
	X(EFBIG, EFBIG) X(ENOSPC, ENOSPC) X(ESPIPE, ESPIPE) X(EROFS, EROFS) \
	X(EMLINK, EMLINK) X(EPIPE, EPIPE) X(EDOM, EDOM) X(ERANGE, ERANGE) \
	X(EDEADLK, EDEADLK) X(ENAMETOOLONG, ENAMETOOLONG) \
	X(ENOLCK, ENOLCK) X(ENOSYS, ENOSYS) X(ENOTEMPTY, ENOTEMPTY) \
	X(ELOOP, ELOOP) X(ENOMSG, ENOMSG) X(EIDRM, EIDRM) \
	X(ECHRNG, ECHRNG) X(EL2NSYNC, EL2NSYNC) X(EL3HLT, EL3HLT) \
	X(EL3RST, EL3RST) X(ELNRNG, ELNRNG) X(EUNATCH, EUNATCH) \
	X(ENOCSI, ENOCSI) X(EL2HLT, EL2HLT) X(EBADE, EBADE) \
	X(EBADR, EBADR) X(EXFULL, EXFULL) X(ENOANO, ENOANO) \
	X(EBADRQC, EBADRQC) X(EBADSLT, EBADSLT) X(EBFONT, EBFONT) \
	X(ENOSTR, ENOSTR) X(ENODATA, ENODATA) X(ETIME, ETIME) \
	X(ENOSR, ENOSR) X(ENONET, ENONET) X(ENOPKG, ENOPKG) \
	X(EREMOTE, EREMOTE) X(ENOLINK, ENOLINK) X(EADV, EADV) \
	X(ESRMNT, ESRMNT) X(ECOMM, ECOMM) X(EPROTO, EPROTO) \
	X(EMULTIHOP, EMULTIHOP) X(EDOTDOT, EDOTDOT) X(EBADMSG, EBADMSG) \
	X(EOVERFLOW, EOVERFLOW) X(ENOTUNIQ, ENOTUNIQ) X(EBADFD, EBADFD) \
	X(EREMCHG, EREMCHG) X(ELIBACC, ELIBACC) X(ELIBBAD, ELIBBAD) \
	X(ELIBSCN, ELIBSCN) X(ELIBMAX, ELIBMAX) X(ELIBEXEC, ELIBEXEC) \
	X(EILSEQ, EILSEQ) X(ERESTART, ERESTART) X(ESTRPIPE, ESTRPIPE) \
	X(EUSERS, EUSERS) X(ENOTSOCK, ENOTSOCK) \
	X(EDESTADDRREQ, EDESTADDRREQ) X(EMSGSIZE, EMSGSIZE) \
	X(EPROTOTYPE, EPROTOTYPE) X(ENOPROTOOPT, ENOPROTOOPT) \
	X(EPROTONOSUPPORT, EPROTONOSUPPORT) \
	X(ESOCKTNOSUPPORT, ESOCKTNOSUPPORT) X(EOPNOTSUPP, EOPNOTSUPP) \
	X(EPFNOSUPPORT, EPFNOSUPPORT) X(EAFNOSUPPORT, EAFNOSUPPORT) \
	X(EADDRINUSE, EADDRINUSE) X(EADDRNOTAVAIL, EADDRNOTAVAIL) \
	X(ENETDOWN, ENETDOWN) X(ENETUNREACH, ENETUNREACH) \
	X(ENETRESET, ENETRESET) X(ECONNABORTED, ECONNABORTED) \
	X(ECONNRESET, ECONNRESET) X(ENOBUFS, ENOBUFS) X(EISCONN, EISCONN) \
	X(ENOTCONN, ENOTCONN) X(ESHUTDOWN, ESHUTDOWN) \
	X(ETOOMANYREFS, ETOOMANYREFS) X(ETIMEDOUT, ETIMEDOUT) \
	X(ECONNREFUSED, ECONNREFUSED) X(EHOSTDOWN, EHOSTDOWN) \
	X(EHOSTUNREACH, EHOSTUNREACH) X(EALREADY, EALREADY) \
	X(EINPROGRESS, EINPROGRESS) X(ESTALE, ESTALE) X(EUCLEAN, EUCLEAN) \
	X(ENOTNAM, ENOTNAM) X(ENAVAIL, ENAVAIL) X(EISNAM, EISNAM) \
	X(EREMOTEIO, EREMOTEIO) X(EDQUOT, EDQUOT) X(ENOMEDIUM, ENOMEDIUM) \
	X(EMEDIUMTYPE, EMEDIUMTYPE) X(ECANCELED, ECANCELED) \
	X(ENOKEY, ENOKEY) X(EKEYEXPIRED, EKEYEXPIRED) \
	X(EKEYREVOKED, EKEYREVOKED) X(EKEYREJECTED, EKEYREJECTED) \
	X(EOWNERDEAD, EOWNERDEAD) X(ENOTRECOVERABLE, ENOTRECOVERABLE) \
	X(ERFKILL, ERFKILL) X(EHWPOISON, EHWPOISON) \
	/* glibc aliases */ \
	X(EWOULDBLOCK, EWOULDBLOCK) X(EDEADLOCK, EDEADLOCK) \
	X(ENOTSUP, ENOTSUP) \
	/* kernel-internal: include/linux/errno.h */ \
	X(ERESTARTSYS, 512) X(ERESTARTNOINTR, 513) X(ERESTARTNOHAND, 514) \
	X(ENOIOCTLCMD, 515) X(ERESTART_RESTARTBLOCK, 516) \
	X(EPROBE_DEFER, 517) X(EOPENSTALE, 518) X(ENOPARAM, 519) \
	X(EBADHANDLE, 521) X(ENOTSYNC, 522) X(EBADCOOKIE, 523) \
	X(ENOTSUPP, 524) X(ETOOSMALL, 525) X(ESERVERFAULT, 526) \
	X(EBADTYPE, 527) X(EJUKEBOX, 528) X(EIOCBQUEUED, 529) \
	X(ERECALLCONFLICT, 530) X(ENOGRACE, 531)

#define ERRNO_NAME(name, value)		#name,
#define ERRNO_VALUE(name, value)	value,

static const char *const errno_names[] = { SIM_ERRNO_TABLE(ERRNO_NAME) };
static const int errno_values[] = { SIM_ERRNO_TABLE(ERRNO_VALUE) };

G_STATIC_ASSERT(G_N_ELEMENTS(errno_names) == G_N_ELEMENTS(errno_values));

/*
 * Return the positive value of the errno called name ("EEXIST", without a
 * sign), or 0 when the name is unknown.  Cannot fail.
 */
int
sim_errno_from_name(const char *name)
{
	gsize i;

	g_return_val_if_fail(name != NULL, 0);
	for (i = 0; i < G_N_ELEMENTS(errno_names); i++)
		if (strcmp(errno_names[i], name) == 0)
			return errno_values[i];
	return 0;
}

/*
 * Return the canonical name of the positive errno value errnum ("EAGAIN"
 * for 11, not "EWOULDBLOCK"), or NULL when it has none.  Cannot fail.
 */
const char *
sim_errno_name(int errnum)
{
	gsize i;

	for (i = 0; i < G_N_ELEMENTS(errno_values); i++)
		if (errno_values[i] == errnum)
			return errno_names[i];
	return NULL;
}

/* ----------------------------------------------------------------------
 * tokens
 */

/* Free tok and its KV value.  NULL is accepted. */
void
sim_token_free(SimToken *tok)
{
	if (tok == NULL)
		return;
	g_free(tok->text);
	g_free(tok->bytes);
	g_free(tok->name);
	sim_token_free(tok->value);	/* one level: values are never KV */
	g_free(tok);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(SimToken, sim_token_free)

/* A deep copy of tok (its KV value too).  NULL is accepted. */
SimToken *
sim_token_dup(const SimToken *tok)
{
	SimToken *c;

	if (tok == NULL)
		return NULL;
	c = g_memdup2(tok, sizeof(*tok));
	c->text = g_strdup(tok->text);
	c->bytes = tok->bytes != NULL ? g_memdup2(tok->bytes, tok->len + 1) :
	    NULL;
	c->name = g_strdup(tok->name);
	c->value = sim_token_dup(tok->value);
	return c;
}

/* Return a static lower-case name of kind for messages. */
const char *
sim_token_kind_name(SimTokenKind kind)
{
	switch (kind) {
	case SIM_TOK_WORD:
		return "word";
	case SIM_TOK_INT:
		return "number";
	case SIM_TOK_ERRNO:
		return "errno";
	case SIM_TOK_STRING:
		return "string";
	case SIM_TOK_VAR:
		return "variable";
	case SIM_TOK_KV:
		return "key=value";
	case SIM_TOK_EQ:
		return "'='";
	case SIM_TOK_AT:
		return "override";
	}
	return "token";		/* LCOV_EXCL_LINE */
}

/*
 * Return a newly allocated description of tok for error messages, the kind
 * and the source text: "word 'tcp6'", "errno -EPERM", "string \"a\"",
 * "'='".  Cannot fail.
 */
char *
sim_token_describe(const SimToken *tok)
{
	g_return_val_if_fail(tok != NULL, NULL);

	switch (tok->kind) {
	case SIM_TOK_EQ:
		return g_strdup("'='");
	case SIM_TOK_WORD:
		return g_strdup_printf("word '%s'", tok->text);
	case SIM_TOK_INT:
	case SIM_TOK_ERRNO:
	case SIM_TOK_STRING:
	case SIM_TOK_VAR:
	case SIM_TOK_KV:
	case SIM_TOK_AT:
		break;
	}
	return g_strdup_printf("%s %s", sim_token_kind_name(tok->kind),
	    tok->text);
}

/* Return the text of a WORD token, or NULL for any other kind. */
const char *
sim_token_word(const SimToken *tok)
{
	g_return_val_if_fail(tok != NULL, NULL);
	return tok->kind == SIM_TOK_WORD ? tok->text : NULL;
}

/*
 * Store the value of a non-negative INT token in *out and return TRUE.
 * Return FALSE, leaving *out alone, for any other token.
 */
gboolean
sim_token_get_u64(const SimToken *tok, guint64 *out)
{
	g_return_val_if_fail(tok != NULL && out != NULL, FALSE);
	if (tok->kind != SIM_TOK_INT || tok->neg)
		return FALSE;
	*out = tok->mag;
	return TRUE;
}

/*
 * Store the value of an INT token in -2^63 .. 2^63-1 in *out and return
 * TRUE.  Return FALSE, leaving *out alone, for any other token.
 */
gboolean
sim_token_get_s64(const SimToken *tok, gint64 *out)
{
	g_return_val_if_fail(tok != NULL && out != NULL, FALSE);
	if (tok->kind != SIM_TOK_INT)
		return FALSE;
	if (!tok->neg) {
		if (tok->mag > (guint64)G_MAXINT64)
			return FALSE;
		*out = (gint64)tok->mag;
		return TRUE;
	}
	if (tok->mag > (guint64)G_MAXINT64 + 1)
		return FALSE;	/* LCOV_EXCL_LINE: the lexer refuses it */
	*out = tok->mag == (guint64)G_MAXINT64 + 1 ? G_MININT64 :
	    -(gint64)tok->mag;
	return TRUE;
}

/* The name inside "prefix(NAME)" of word w ("cookie(a)" with "cookie("
 * is "a"), or NULL when w is not one.  g_free(). */
char *
sim_word_inner(const char *w, const char *prefix)
{
	gsize pl = strlen(prefix), wl = strlen(w);

	if (wl <= pl + 1 || strncmp(w, prefix, pl) != 0 || w[wl - 1] != ')')
		return NULL;
	return g_strndup(w + pl, wl - pl - 1);
}

/* ----------------------------------------------------------------------
 * the lexer
 */

typedef struct {
	const char	*file;
	guint		 line;
	const char	*text;
	gsize		 len;
} Lexer;

static gboolean
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Does a token end before byte pos (blank, comment or end of line)? */
static gboolean
at_sep(const Lexer *lx, gsize pos)
{
	return pos >= lx->len || is_blank(lx->text[pos]) ||
	    lx->text[pos] == '#';
}

/*
 * The one form of a message about a place of the input: "file:line:col:
 * message" (the lexer's, the parser's, the expander's, the manifests' and
 * the executor's errors; sim_diags_add_text() reads it back).  g_free().
 */
char *
sim_place_vtext(const char *file, guint line, guint col, const char *fmt,
    va_list ap)
{
	g_autofree char *msg = g_strdup_vprintf(fmt, ap);

	return g_strdup_printf("%s:%u:%u: %s", file, line, col, msg);
}

/* Set *error (domain, code) to sim_place_vtext()'s message. */
void
sim_place_verror(GError **error, GQuark domain, int code, const char *file,
    guint line, guint col, const char *fmt, va_list ap)
{
	g_autofree char *msg = sim_place_vtext(file, line, col, fmt, ap);

	g_set_error_literal(error, domain, code, msg);
}

/* Set *error to "file:line:col: message" for byte pos of the line. */
static void G_GNUC_PRINTF(5, 6)
lex_error(const Lexer *lx, gsize pos, GError **error, int code,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sim_place_verror(error, SIM_PARSE_ERROR, code, lx->file, lx->line,
	    (guint)pos + 1, fmt, ap);
	va_end(ap);
}

/* A new token of kind for bytes [start, end) of the line. */
static SimToken *
token_new(const Lexer *lx, SimTokenKind kind, gsize start, gsize end)
{
	SimToken *tok = g_new0(SimToken, 1);

	tok->kind = kind;
	tok->text = g_strndup(lx->text + start, end - start);
	tok->file = lx->file;
	tok->line = lx->line;
	tok->col = (guint)start + 1;
	return tok;
}

/*
 * Reject the whole line when it is too long or holds a NUL, a control
 * character or invalid UTF-8, reporting the first offending byte.
 */
static gboolean
lex_check_line(const Lexer *lx, GError **error)
{
	const char *end;
	gsize valid, i;

	if (lx->len > SIM_MAX_LINE) {
		lex_error(lx, SIM_MAX_LINE, error, SIM_PARSE_ERROR_LIMIT,
		    "line too long (%" G_GSIZE_FORMAT " bytes, max %u)",
		    lx->len, SIM_MAX_LINE);
		return FALSE;
	}
	/* stops at a NUL byte as well as at invalid UTF-8 */
	g_utf8_validate_len(lx->text, lx->len, &end);
	valid = (gsize)(end - lx->text);
	for (i = 0; i < valid; i++) {
		guchar c = (guchar)lx->text[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f) {
			lex_error(lx, i, error, SIM_PARSE_ERROR_SYNTAX,
			    "control character 0x%02x", c);
			return FALSE;
		}
	}
	if (valid == lx->len)
		return TRUE;
	if (lx->text[valid] == '\0')
		lex_error(lx, valid, error, SIM_PARSE_ERROR_SYNTAX,
		    "NUL byte");
	else
		lex_error(lx, valid, error, SIM_PARSE_ERROR_SYNTAX,
		    "invalid UTF-8");
	return FALSE;
}

static int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Lex the string starting at the '"' at *pos and leave *pos after the
 * closing quote.
 */
static SimToken *
lex_string(const Lexer *lx, gsize *pos, GError **error)
{
	g_autoptr(GString) buf = g_string_new(NULL);
	gsize start = *pos, i = start + 1;
	SimToken *tok;

	while (i < lx->len && lx->text[i] != '"') {
		char c = lx->text[i];
		gsize clen;
		int hi, lo;

		if (c != '\\') {
			g_string_append_c(buf, c);
			i++;
			continue;
		}
		if (i + 1 >= lx->len)
			break;	/* a lone '\' at the end: unterminated */
		switch (lx->text[i + 1]) {
		case '\\':
		case '"':
			g_string_append_c(buf, lx->text[i + 1]);
			break;
		case 'n':
			g_string_append_c(buf, '\n');
			break;
		case 't':
			g_string_append_c(buf, '\t');
			break;
		case '0':
			g_string_append_c(buf, '\0');
			break;
		case 'x':
			hi = i + 2 < lx->len ? hex_value(lx->text[i + 2]) : -1;
			lo = i + 3 < lx->len ? hex_value(lx->text[i + 3]) : -1;
			if (hi < 0 || lo < 0) {
				lex_error(lx, i, error, SIM_PARSE_ERROR_SYNTAX,
				    "invalid escape '\\x': "
				    "expected two hex digits");
				return NULL;
			}
			g_string_append_c(buf, (char)(hi << 4 | lo));
			i += 2;
			break;
		default:
			/* the line is valid UTF-8: show the whole character */
			clen = g_utf8_skip[(guchar)lx->text[i + 1]];
			lex_error(lx, i, error, SIM_PARSE_ERROR_SYNTAX,
			    "invalid escape '\\%.*s'",
			    (int)MIN(clen, lx->len - i - 1), lx->text + i + 1);
			return NULL;
		}
		i += 2;
	}
	if (i >= lx->len || lx->text[i] != '"') {
		lex_error(lx, start, error, SIM_PARSE_ERROR_SYNTAX,
		    "unterminated string");
		return NULL;
	}
	tok = token_new(lx, SIM_TOK_STRING, start, i + 1);
	tok->len = buf->len;
	tok->bytes = g_string_free(g_steal_pointer(&buf), FALSE);
	*pos = i + 1;
	return tok;
}

/*
 * Parse s[0..n) as an INT: optional '-', then decimal digits or 0x and hex
 * digits.  Return 1 and fill *neg and *mag when it is one, 0 when it is
 * not a number, -1 when it is one out of range.
 */
static int
parse_int(const char *s, gsize n, gboolean *neg, guint64 *mag)
{
	gboolean overflow = FALSE;
	guint64 v = 0, limit;
	guint base = 10;
	gsize i = 0;

	*neg = n > 0 && s[0] == '-';
	if (*neg)
		i++;
	if (n - i > 2 && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
		base = 16;
		i += 2;
	}
	if (i >= n)
		return 0;
	limit = *neg ? (guint64)G_MAXINT64 + 1 : G_MAXUINT64;
	for (; i < n; i++) {
		int d = base == 16 ? hex_value(s[i]) :
		    g_ascii_isdigit(s[i]) ? s[i] - '0' : -1;

		if (d < 0)
			return 0;	/* "99999999999999999999x" is a word */
		/* v * base + d <= limit */
		if (overflow || v > (limit - (guint64)d) / base)
			overflow = TRUE;
		else
			v = v * base + (guint64)d;
	}
	if (overflow)
		return -1;
	*mag = v;
	if (v == 0)
		*neg = FALSE;	/* -0 is 0 */
	return 1;
}

/* Is s[0..n) shaped like an errno name: optional '-', 'E', [A-Z0-9_]+? */
static gboolean
is_errno_shape(const char *s, gsize n)
{
	gsize i = s[0] == '-' ? 1 : 0;

	if (n < i + 2 || s[i] != 'E')
		return FALSE;
	for (i++; i < n; i++)
		if (!g_ascii_isupper(s[i]) && !g_ascii_isdigit(s[i]) &&
		    s[i] != '_')
			return FALSE;
	return TRUE;
}

/* Classify the plain chunk [start, end) as INT, ERRNO or WORD. */
static SimToken *
lex_chunk(const Lexer *lx, gsize start, gsize end, GError **error)
{
	const char *s = lx->text + start;
	gsize n = end - start;
	g_autofree char *name = NULL;
	const char *hint;
	gboolean neg;
	guint64 mag;
	SimToken *tok;
	int errnum;

	switch (parse_int(s, n, &neg, &mag)) {
	case 1:
		tok = token_new(lx, SIM_TOK_INT, start, end);
		tok->neg = neg;
		tok->mag = mag;
		return tok;
	case -1:
		lex_error(lx, start, error, SIM_PARSE_ERROR_SYNTAX,
		    "number too large");
		return NULL;
	default:
		break;
	}
	if (!is_errno_shape(s, n))
		return token_new(lx, SIM_TOK_WORD, start, end);

	neg = s[0] == '-';
	name = g_strndup(s + neg, n - neg);
	errnum = sim_errno_from_name(name);
	if (errnum > 0) {
		tok = token_new(lx, SIM_TOK_ERRNO, start, end);
		tok->neg = neg;
		tok->errnum = errnum;
		return tok;
	}
	if (!neg)
		return token_new(lx, SIM_TOK_WORD, start, end);

	hint = sim_suggest(name, errno_names,
	    G_N_ELEMENTS(errno_names));
	if (hint != NULL)
		lex_error(lx, start, error, SIM_PARSE_ERROR_SYNTAX,
		    "unknown errno '%s', did you mean '%s'?", name, hint);
	else
		lex_error(lx, start, error, SIM_PARSE_ERROR_SYNTAX,
		    "unknown errno '%s'", name);
	return NULL;
}

static SimToken *lex_token(const Lexer *, gsize *, const char *, GError **);

/*
 * Lex the KV whose key is [*pos, eq) and whose '=' is at eq, and leave *pos
 * after its value.
 */
static SimToken *
lex_kv(const Lexer *lx, gsize *pos, gsize eq, GError **error)
{
	g_autofree char *key = g_strndup(lx->text + *pos, eq - *pos);
	g_autoptr(SimToken) value = NULL;
	gsize vpos = eq + 1;
	SimToken *tok;

	if (!sim_name_valid(SIM_NAME_OBJECT, key, eq - *pos)) {
		lex_error(lx, *pos, error, SIM_PARSE_ERROR_SYNTAX,
		    "invalid key '%s'", key);
		return NULL;
	}
	if (at_sep(lx, vpos)) {
		lex_error(lx, *pos, error, SIM_PARSE_ERROR_SYNTAX,
		    "missing value after '%s='", key);
		return NULL;
	}
	/* recurses once: with a key, lex_token() does not come back here */
	value = lex_token(lx, &vpos, key, error);
	if (value == NULL)
		return NULL;
	tok = token_new(lx, SIM_TOK_KV, *pos, vpos);
	tok->name = g_steal_pointer(&key);
	tok->value = g_steal_pointer(&value);
	*pos = vpos;
	return tok;
}

/*
 * Lex one token at *pos, a non-blank byte that does not start a comment,
 * and leave *pos after it.  key is NULL at the top level and names the key
 * when lexing the value of a KV, which then cannot be a KV, EQ or AT.
 */
static SimToken *
lex_token(const Lexer *lx, gsize *pos, const char *key, GError **error)
{
	gsize start = *pos, end = start;
	SimToken *tok;

	/* the comparison operators that hold '=' are words of their own */
	if (key == NULL && start + 1 < lx->len &&
	    lx->text[start + 1] == '=' && strchr("=!<>",
	    lx->text[start]) != NULL && at_sep(lx, start + 2)) {
		*pos = start + 2;
		return token_new(lx, SIM_TOK_WORD, start, start + 2);
	}
	switch (lx->text[start]) {
	case '"':
		return lex_string(lx, pos, error);
	case '=':
		if (key != NULL) {
			lex_error(lx, start, error, SIM_PARSE_ERROR_SYNTAX,
			    "unexpected '=' in value of '%s'", key);
			return NULL;
		}
		*pos = start + 1;
		return token_new(lx, SIM_TOK_EQ, start, start + 1);
	case '@':
		if (key != NULL) {
			lex_error(lx, start, error, SIM_PARSE_ERROR_SYNTAX,
			    "unexpected '@' in value of '%s'", key);
			return NULL;
		}
		for (end = start + 1; !at_sep(lx, end) &&
		    lx->text[end] != '='; end++)
			;
		if (end == start + 1) {
			lex_error(lx, start, error, SIM_PARSE_ERROR_SYNTAX,
			    "missing profile name after '@'");
			return NULL;
		}
		if (!sim_name_valid(SIM_NAME_PROFILE, lx->text + start + 1,
		    end - start - 1)) {
			lex_error(lx, start, error, SIM_PARSE_ERROR_SYNTAX,
			    "invalid profile name '%.*s'",
			    (int)(end - start - 1), lx->text + start + 1);
			return NULL;
		}
		tok = token_new(lx, SIM_TOK_AT, start, end);
		tok->name = g_strndup(lx->text + start + 1, end - start - 1);
		*pos = end;
		return tok;
	case '$':
		for (end = start + 1; !at_sep(lx, end); end++)
			;
		/* a bare '$' may end the input: nothing after it is read */
		if (!sim_name_valid(SIM_NAME_VAR, lx->text + start + 1,
		    end - start - 1) && memchr(lx->text + start + 1, '$',
		    end - start - 1) == NULL && (end == start + 1 ||
		    (lx->text[start + 1] != '(' &&
		    lx->text[start + 1] != '{'))) {
			lex_error(lx, start, error, SIM_PARSE_ERROR_SYNTAX,
			    "invalid variable name '%.*s'",
			    (int)(end - start), lx->text + start);
			return NULL;
		}
		if (!sim_name_valid(SIM_NAME_VAR, lx->text + start + 1,
		    end - start - 1)) {
			/* a template: "$(i+1)", "${n}", "$v_$i" */
			*pos = end;
			return token_new(lx, SIM_TOK_WORD, start, end);
		}
		tok = token_new(lx, SIM_TOK_VAR, start, end);
		tok->name = g_strndup(lx->text + start + 1, end - start - 1);
		*pos = end;
		return tok;
	default:
		break;
	}

	while (!at_sep(lx, end) && lx->text[end] != '=' &&
	    lx->text[end] != '"')
		end++;
	if (end < lx->len && lx->text[end] == '"') {
		lex_error(lx, end, error, SIM_PARSE_ERROR_SYNTAX,
		    "unexpected '\"' inside a word");
		return NULL;
	}
	if (end >= lx->len || lx->text[end] != '=') {
		*pos = end;
		return lex_chunk(lx, start, end, error);
	}

	if (key != NULL) {
		lex_error(lx, end, error, SIM_PARSE_ERROR_SYNTAX,
		    "unexpected '=' in value of '%s'", key);
		return NULL;
	}
	return lex_kv(lx, pos, end, error);
}

/*
 * Lex one line of len bytes (without its '\n') of file, which must outlive
 * the tokens.  Return a new array of SimToken * (with a free function;
 * empty for blank and comment lines) and, when comment is not NULL, set
 * *comment to a copy of the text after a '#' or to NULL.  On error return
 * NULL with error set to "file:line:col: message" for the first problem.
 */
GPtrArray *
sim_lex_line(const char *file, guint line, const char *text, gsize len,
    char **comment, GError **error)
{
	g_autoptr(GPtrArray) toks = NULL;
	Lexer lx = { file, line, text, len };
	gsize pos = 0;

	g_return_val_if_fail(file != NULL, NULL);
	g_return_val_if_fail(text != NULL || len == 0, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	if (comment != NULL)
		*comment = NULL;
	if (!lex_check_line(&lx, error))
		return NULL;

	toks = g_ptr_array_new_with_free_func((GDestroyNotify)sim_token_free);
	for (;;) {
		SimToken *tok;

		while (pos < len && is_blank(text[pos]))
			pos++;
		if (pos >= len)
			break;
		if (text[pos] == '#') {
			if (comment != NULL)
				*comment = g_strndup(text + pos + 1,
				    len - pos - 1);
			break;
		}
		tok = lex_token(&lx, &pos, NULL, error);
		if (tok == NULL)
			return NULL;
		g_ptr_array_add(toks, tok);
		if (at_sep(&lx, pos) || tok->kind == SIM_TOK_EQ ||
		    (tok->kind == SIM_TOK_AT && text[pos] == '='))
			continue;
		/* only a string can end without a separator */
		lex_error(&lx, pos, error, SIM_PARSE_ERROR_SYNTAX,
		    "missing space after string");
		return NULL;
	}
	return g_steal_pointer(&toks);
}
