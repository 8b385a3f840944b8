/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * check_bpfobj.c - compiled objects (sim/core/bpfobj.c, `prog P
 * object=FILE`): what libbpf makes of scenarios/programs/select.bpf.o
 * (R-OBJ-1), its maps as scenario files and a run on the model (R-OBJ-2,
 * R-OBJ-3), every input error at its position with exit status 2, and
 * hostile objects: every truncation and thousands of corrupted copies
 * open without a crash, a hang or a leak (run under ASan and valgrind).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "backend/model.h"
#include "cli/cmd-run.h"
#include "core/bpfobj.h"
#include "core/error.h"
#include "testutil.h"

/* scenarios/programs of the source tree. */
static char *
data_dir(void)
{
	const char *top = g_getenv("top_srcdir");
	char *d = g_build_filename(top != NULL ? top : "..", "scenarios",
	    "programs", NULL);

	if (!g_file_test(d, G_FILE_TEST_IS_DIR)) {
		g_free(d);
		d = g_strdup("scenarios/programs");
	}
	return d;
}

static char *
data_file(const char *name)
{
	g_autofree char *d = data_dir();

	return g_build_filename(d, name, NULL);
}

/* The bytes of select.bpf.o. */
static GBytes *
object_bytes(void)
{
	g_autofree char *path = data_file("select.bpf.o");
	g_autoptr(GError) err = NULL;
	char *buf;
	gsize len;

	ck_assert_msg(g_file_get_contents(path, &buf, &len, &err), "%s",
	    err != NULL ? err->message : path);
	return g_bytes_new_take(buf, len);
}

#ifdef HAVE_KERNEL_BACKEND

/* R-OBJ-1: the program, relocated; R-OBJ-2: the maps, in order. */
TU_CASE(open_select, "bpfobj/open")
{
	g_autofree char *path = data_file("select.bpf.o");
	g_autoptr(GError) err = NULL;
	g_autoptr(SimBpfObj) obj = sim_bpfobj_open(path, "select_worker",
	    &err);
	const SimBpfObjMap *ro;
	guint i, idx = 0, val = 0, calls = 0;

	ck_assert_msg(obj != NULL, "%s", err != NULL ? err->message : "");
	ck_assert_str_eq(obj->prog, "select_worker");
	ck_assert_uint_eq(obj->prog_type, RP_PROG_SK_REUSEPORT);
	ck_assert_uint_eq(obj->expected_attach_type,
	    RP_ATTACH_SK_REUSEPORT_SELECT);
	ck_assert_uint_eq(obj->maps->len, 3);
	ck_assert_int_eq(sim_bpfobj_map_index(obj, "socks"), 0);
	ck_assert_int_eq(sim_bpfobj_map_index(obj, "runs"), 1);
	ck_assert_int_eq(sim_bpfobj_map_index(obj, "rodata"), 2);
	ck_assert_int_eq(sim_bpfobj_map_index(obj, "bss"), -1);
	ro = obj->maps->pdata[2];
	ck_assert_uint_eq(ro->attr.map_type, RP_MAP_ARRAY);
	ck_assert(ro->freeze);
	ck_assert_uint_eq(ro->init_size, 4);
	ck_assert_int_eq(ro->init[0], 2);		/* nworkers = 2 */
	ck_assert_uint_eq(((const SimBpfObjMap *)obj->maps->pdata[0])->
	    attr.map_type, RP_MAP_REUSEPORT_SOCKARRAY);
	ck_assert(!((const SimBpfObjMap *)obj->maps->pdata[0])->freeze);
	/* map references by index; the subprogram appended and called */
	for (i = 0; i < obj->insns->len; i++) {
		const struct rp_insn *in = &g_array_index(obj->insns,
		    struct rp_insn, i);

		if (in->code == 0x18 && in->src_reg == SIM_PSEUDO_MAP_IDX)
			idx |= 1u << in->imm;
		if (in->code == 0x18 && in->src_reg ==
		    SIM_PSEUDO_MAP_IDX_VALUE)
			val |= 1u << in->imm;
		if (in->code == 0x85 && in->src_reg == 1)
			calls++;
	}
	ck_assert_uint_eq(idx, 0x3);	/* socks and runs */
	ck_assert_uint_eq(val, 0x4);	/* .rodata */
	ck_assert_uint_eq(calls, 1);
}

/* R-OBJ-1: a program by its section, with the section's attach type. */
TU_CASE(open_by_section, "bpfobj/open")
{
	g_autofree char *path = data_file("select.bpf.o");
	g_autoptr(SimBpfObj) obj = sim_bpfobj_open(path,
	    "sk_reuseport/migrate", NULL);
	g_autoptr(SimBpfObj) filt = sim_bpfobj_open(path, "socket", NULL);

	ck_assert(obj != NULL && filt != NULL);
	ck_assert_str_eq(obj->prog, "migrate_any");
	ck_assert_uint_eq(obj->expected_attach_type,
	    RP_ATTACH_SK_REUSEPORT_SELECT_OR_MIGRATE);
	ck_assert_str_eq(filt->prog, "filter_all");
	ck_assert_uint_eq(filt->prog_type, RP_PROG_SOCKET_FILTER);
}

/* R-OBJ-1: what cannot be taken from an object, said as such. */
static const struct {
	const char	*file;		/* in scenarios/programs; NULL: none */
	const char	*program;
	const char	*want;		/* in the message */
} open_errors[] = {
	{ "select.bpf.o", NULL, "more than one program: name one" },
	{ "select.bpf.o", "nope", "no program 'nope'; the object has "
	    "select_worker (section sk_reuseport), migrate_any" },
	{ "select.bpf.o", "xdp", "program 'xdp_pass' (section xdp) is of "
	    "type 6: reuseport-sim runs sk_reuseport and socket filter" },
	{ "select.bpf.o", "select_legacy", "program 'select_legacy' is in "
	    "section 'select_by_name', a name libbpf does not know, so it "
	    "has no program type: put it in SEC(\"sk_reuseport\")" },
	{ "select.bpf.c", NULL, "not a BPF object libbpf can open (BPF "
	    "object format invalid" },
	{ "no-such.bpf.o", NULL, "cannot read the object (No such file" },
	{ NULL, NULL, "not a regular file" },
};

TU_LOOP(open_error, "bpfobj/open", G_N_ELEMENTS(open_errors))
{
	g_autofree char *path = open_errors[_i].file != NULL ?
	    data_file(open_errors[_i].file) : data_dir();
	g_autoptr(GError) err = NULL;
	g_autoptr(SimBpfObj) obj = sim_bpfobj_open(path,
	    open_errors[_i].program, &err);

	ck_assert(obj == NULL && err != NULL);
	ck_assert_msg(strstr(err->message, open_errors[_i].want) != NULL &&
	    g_str_has_prefix(err->message, path), "%s", err->message);
}

/* Open buf[0, len): an object or an error, nothing else. */
static void
open_hostile(const guint8 *buf, gsize len, const char *what)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(SimBpfObj) obj = sim_bpfobj_open_mem(buf, len, what,
	    "select_worker", &err);

	ck_assert_msg((obj == NULL) == (err != NULL), "%s", what);
	if (obj != NULL)
		ck_assert(obj->insns->len > 0);
}

/* Each open forks a reader (about a millisecond). */
TU_TCASE("bpfobj/hostile", 120, NULL, NULL)

/* R-OBJ-1: every truncation of the object is refused, never a crash. */
TU_CASE(hostile_truncated, "bpfobj/hostile")
{
	g_autoptr(GBytes) b = object_bytes();
	gsize len, n, opened = 0;
	const guint8 *buf = g_bytes_get_data(b, &len);

	/* every length up to 320 bytes (the ELF header, the first
	 * section headers' fields), then every 13th byte */
	const gsize step = g_getenv("VALGRIND") != NULL ? 10 : 1;

	for (n = 0; n < len; n += n < 320 ? step : 13 * step) {
		g_autofree guint8 *copy = g_memdup2(buf, n + 1);
		g_autoptr(GError) err = NULL;
		g_autoptr(SimBpfObj) obj = sim_bpfobj_open_mem(copy, n,
		    "truncated", "select_worker", &err);

		ck_assert_msg(obj == NULL && err != NULL, "%zu bytes", n);
		ck_assert(g_str_has_prefix(err->message, "truncated: "));
		opened++;
	}
	ck_assert_uint_gt(opened, 320 / step);
	open_hostile(buf, len, "whole");
}

/* R-OBJ-1: corrupted copies (1 to 4 bytes overwritten at random, a fixed
 * seed) open or are refused, never a crash; some of each. */
TU_CASE(hostile_corrupted, "bpfobj/hostile")
{
	g_autoptr(GBytes) b = object_bytes();
	g_autoptr(GRand) r = g_rand_new_with_seed(20261207);
	gsize len;
	const guint8 *buf = g_bytes_get_data(b, &len);
	guint i, ok = 0, refused = 0;
	/* make check-valgrind sets VALGRIND: a tenth */
	const guint runs = g_getenv("VALGRIND") != NULL ? 100 : 1000;

	for (i = 0; i < runs; i++) {
		g_autofree guint8 *copy = g_memdup2(buf, len);
		g_autoptr(GError) err = NULL;
		g_autoptr(SimBpfObj) obj = NULL;
		guint k, nb = (guint)g_rand_int_range(r, 1, 5);

		for (k = 0; k < nb; k++)
			copy[g_rand_int_range(r, 0, (gint32)len)] =
			    (guint8)g_rand_int(r);
		obj = sim_bpfobj_open_mem(copy, len, "corrupted",
		    "select_worker", &err);
		ck_assert((obj == NULL) == (err != NULL));
		if (obj != NULL)
			ok++;
		else
			refused++;
	}
	ck_assert_uint_gt(ok, 0);
	ck_assert_uint_gt(refused, 0);
}

#endif /* HAVE_KERNEL_BACKEND */

/* Run the scenario at path on the model; status, stdout, stderr. */
static TuRun
run_file(const char *path)
{
	SimRunOptions o = { .backend = &sim_backend_model };
	char *paths[] = { (char *)path };
	TuRun pr = { 0 };
	size_t olen = 0, elen = 0;

	o.out = open_memstream(&pr.out, &olen);
	o.err = open_memstream(&pr.err, &elen);
	ck_assert(o.out != NULL && o.err != NULL);
	pr.status = sim_run_paths(&o, paths, 1);
	fclose(o.out);
	fclose(o.err);
	return pr;
}

#ifdef HAVE_KERNEL_BACKEND

/* R-OBJ-2, R-OBJ-3: the object's program steers by payload on the
 * model, its maps named p.socks, p.runs, p.rodata; not verified. */
TU_CASE(run_select, "bpfobj/run")
{
	g_autofree char *path = data_file("select.scn");
	TuRun pr = run_file(path);

	ck_assert_msg(pr.status == SIM_EXIT_OK, "%s%s", pr.out, pr.err);
	ck_assert_msg(strstr(pr.out, ": not verified: program select_worker "
	    "of ") != NULL, "%s", pr.out);
	tu_run_clear(&pr);
}

/* R-HLP-18: a compiled program that logs with bpf_printk() and no
 * arguments (two registers written) loads and runs on the model. */
TU_CASE(run_printk, "bpfobj/run")
{
	g_autofree char *path = data_file("printk-log.scn");
	TuRun pr = run_file(path);

	ck_assert_msg(pr.status == SIM_EXIT_OK, "%s%s", pr.out, pr.err);
	ck_assert_msg(strstr(pr.out, "PASS ") != NULL &&
	    strstr(pr.out, "FAIL ") == NULL, "%s", pr.out);
	tu_run_clear(&pr);
}

#endif

/* Each bad prog ... object= line: its message at file:line:col (the
 * column of the last at in args), exit 2; without libbpf the one message that
 * says so. */
static const struct {
	const char	*args;
	const char	*at;
	const char	*want;
} scn_errors[] = {
	{ "object=select.bpf.o program=select_worker reuse nosuch=m",
	    "nosuch", "the object has no map 'nosuch' (its maps: socks runs "
	    "rodata)" },
	{ "object=select.bpf.o program=select_worker reuse socks=m socks=m",
	    "socks=m", "map 'socks' is bound twice" },
	{ "object=select.bpf.o program=select_worker reuse socks=zz", "zz",
	    "unknown name 'zz'" },
	{ "object=select.bpf.o program=select_worker key=const:0", "key",
	    "key= does not go with object=" },
	{ "object=select.bpf.o program=select_worker drop", "drop",
	    "unexpected drop" },
	{ "object=select.bpf.o", "select", "more than one program" },
	{ "object=\"\"", "\"\"", "object= needs a file name" },
	{ "object=nothere.bpf.o", "nothere", "cannot read the object" },
	{ "map=m program=x", "x", "program= names a program of an "
	    "object=" },
};

TU_LOOP(scenario_error, "bpfobj/run", G_N_ELEMENTS(scn_errors))
{
	g_autofree char *dir = g_dir_make_tmp("bpfobj-XXXXXX", NULL);
	g_autofree char *path = NULL, *obj = NULL, *src = NULL;
	g_autofree char *want = NULL;
	g_autoptr(GBytes) b = object_bytes();
	const char *at = g_strrstr(scn_errors[_i].args, scn_errors[_i].at);
	gsize len;
	const char *bytes = g_bytes_get_data(b, &len);
	TuRun pr;

	ck_assert(dir != NULL && at != NULL);
	path = g_build_filename(dir, "t.scn", NULL);
	obj = g_build_filename(dir, "select.bpf.o", NULL);
	src = g_strdup_printf("profile 6.18\nsocket a udp4\n"
	    "map m sockarray\nprog p %s\n", scn_errors[_i].args);
	ck_assert(g_file_set_contents(path, src, -1, NULL));
	ck_assert(g_file_set_contents(obj, bytes, (gssize)len, NULL));
	pr = run_file(path);
	(void)g_unlink(path);
	(void)g_unlink(obj);
	(void)g_rmdir(dir);
	ck_assert_int_eq(pr.status, SIM_EXIT_USAGE);
	/* "prog p " is 7 bytes: args start at column 8 */
	want = g_strdup_printf("%s:4:%d: ", path, 8 + (int)(at -
	    scn_errors[_i].args));
	ck_assert_msg(strstr(pr.err, want) != NULL, "want %s in:\n%s", want,
	    pr.err);
#ifndef HAVE_KERNEL_BACKEND
	if (strstr(scn_errors[_i].args, "object=select") != NULL &&
	    strcmp(scn_errors[_i].at, "select") != 0) {
		tu_run_clear(&pr);
		return;	/* the object's error comes first */
	}
	if (strstr(scn_errors[_i].args, "object=select") != NULL) {
		ck_assert_msg(strstr(pr.err, "built without libbpf, which "
		    "object= needs") != NULL, "%s", pr.err);
		tu_run_clear(&pr);
		return;
	}
#endif
	ck_assert_msg(strstr(pr.err, scn_errors[_i].want) != NULL,
	    "want %s in:\n%s", scn_errors[_i].want, pr.err);
	tu_run_clear(&pr);
}

TU_MAIN("bpfobj")
