/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * bpfobj.h - a compiled BPF object (FILE.bpf.o from clang -target bpf)
 * opened with libbpf for `prog NAME object=FILE`, without a kernel.
 *
 * libbpf opens the ELF, then relocates the chosen program as if it were
 * generating a loader (bpf_object__gen_loader()): subprograms appended,
 * CO-RE applied, and every map reference an LD_IMM64 with src_reg
 * BPF_PSEUDO_MAP_IDX (5) or BPF_PSEUDO_MAP_IDX_VALUE (6) and the map's
 * index in imm.  No bpf() call is made.  A backend turns the indexes into
 * its own map fds: the model creates the maps and loads the instructions
 * (not verified), the kernel backend loads the same object through libbpf
 * so the kernel's verifier judges it.
 */
#ifndef SIM_BPFOBJ_H
#define SIM_BPFOBJ_H

#include <stdint.h>

#include <glib.h>

#include "rp.h"

G_BEGIN_DECLS

#define SIM_PSEUDO_MAP_IDX		5	/* uapi BPF_PSEUDO_MAP_IDX */
#define SIM_PSEUDO_MAP_IDX_VALUE	6	/* uapi BPF_PSEUDO_MAP_IDX_VALUE */

/* One map the object defines, in libbpf's order (the index in imm). */
typedef struct {
	char			*name;	/* scenario suffix: "socks", "rodata" */
	struct rp_map_attr	 attr;
	guint8			*init;	/* initial value (.data, .rodata) */
	gsize			 init_size;
	gboolean		 freeze;	/* libbpf freezes it after init */
	gboolean		 outer;	/* map of maps: only with reuse */
} SimBpfObjMap;

typedef struct {
	char		*path;		/* as opened */
	char		*prog;		/* the program's name (libbpf) */
	uint32_t	 prog_type;
	uint32_t	 expected_attach_type;
	GArray		*insns;		/* struct rp_insn, relocated */
	GPtrArray	*maps;		/* SimBpfObjMap */
} SimBpfObj;

/*
 * Open path and take program (a program or section name; NULL: the only
 * program of the object).  NULL with error set (a message naming what is
 * wrong with the file) when the object cannot be opened, is not an ELF
 * libbpf accepts, has no such program or one of a type other than
 * sk_reuseport and socket filter.  Makes no bpf() call.
 */
SimBpfObj	*sim_bpfobj_open(const char *path, const char *program,
		    GError **error);
/* The same for an object in memory (name for messages), for fuzzing. */
SimBpfObj	*sim_bpfobj_open_mem(const void *buf, gsize len,
		    const char *name, const char *program, GError **error);
void		 sim_bpfobj_free(SimBpfObj *obj);
/* Index of the map called name (the scenario suffix), -1 when none. */
int		 sim_bpfobj_map_index(const SimBpfObj *obj, const char *name);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(SimBpfObj, sim_bpfobj_free)

G_END_DECLS

#endif /* SIM_BPFOBJ_H */
