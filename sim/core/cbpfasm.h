/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * cbpfasm.h - classic BPF programs written as text, for `attach S cbpf
 * code="..."`: the mnemonics and addressing modes of the kernel's
 * classic BPF documentation (Documentation/networking/filter.rst, the
 * bpf_asm syntax), assembled into struct rp_sock_filter (laid out as
 * struct sock_filter) for SO_ATTACH_REUSEPORT_CBPF.
 *
 * Instructions are separated by ';' or newlines; "L:" before one labels
 * it.  Operands: #k (a constant), M[k], [k], [x + k], 4*([k]&0xf), x, a,
 * len, and the ancillary words #cpu #rxhash (#hash) #queue #proto #rand
 * #ifidx #mark #type #hatype #poff #vlan_tci #vlan_avail #vlan_tpid.
 * Jump targets are labels or relative offsets (numbers).  Nothing is
 * checked beyond the syntax: which programs the kernel accepts is the
 * kernel's (and the model's) business (R-CBPF-1).
 */
#ifndef SIM_CBPFASM_H
#define SIM_CBPFASM_H

#include <glib.h>

#include "rp.h"

G_BEGIN_DECLS

/* Assemble text into a new array of struct rp_sock_filter; NULL with
 * error set ("instruction N (TEXT): what is wrong") on a syntax error. */
GArray	*sim_cbpf_assemble(const char *text, GError **error);

/* Instruction pc of a classic program as text, from the assembler's own
 * tables (absolute jump targets as labels "Ln"); ".insn ..." for a code
 * the assembler has no mnemonic for.  Cannot fail. */
void	 sim_cbpf_disasm(const struct rp_sock_filter *f, guint32 pc,
	    GString *out);

G_END_DECLS

#endif /* SIM_CBPFASM_H */
