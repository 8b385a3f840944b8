/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * bpfdis.h - eBPF instructions as text (bpfdis.c), in the notation of the
 * kernel's verifier log and bpftool ("r1 += 8", "if r0 != 0x0 goto 12",
 * "r2 = *(u32 *)(r10 -4)", "call bpf_map_lookup_elem#1"), with jump
 * targets as absolute instruction indices and maps by their scenario
 * names.  Classic BPF is printed by the classic assembler's own tables
 * (cbpfasm.h, sim_cbpf_disasm()), so each instruction set has one table
 * of mnemonics.
 */
#ifndef SIM_BPFDIS_H
#define SIM_BPFDIS_H

#include <glib.h>

#include "rp.h"

G_BEGIN_DECLS

/*
 * Append instruction pc of insns[0..n) to out.  map: the name of the map
 * an LD_IMM64 at pc refers to (NULL: none known, the immediate is shown).
 * The second half of an LD_IMM64 reads "(ld_imm64 upper half)".  Cannot
 * fail: an opcode the kernel does not define reads ".insn 0xCODE ...".
 */
void	sim_bpf_disasm(const struct rp_insn *insns, guint32 n, guint32 pc,
	    const char *map, GString *out);

G_END_DECLS

#endif /* SIM_BPFDIS_H */
