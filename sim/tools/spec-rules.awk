# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# spec-rules.awk - turn the rules of docs/SPEC.md into a C table for
# reuseport-sim explain (sim/tools/explain.c): one row per "### R-...: title"
# heading with its Models, Profiles and Rule bullets.
#
#   awk -f sim/tools/spec-rules.awk docs/SPEC.md > sim/tools/spec-rules.c
#
# The build runs it (Makefile.am), so explain always quotes the SPEC.md it
# was built from.  Multi-line bullets are joined with single spaces.

function cstr(s) {
	gsub(/\\/, "\\\\", s)
	gsub(/"/, "\\\"", s)
	gsub(/\t/, " ", s)
	return "\"" s "\""
}

function flush() {
	if (id == "")
		return
	printf "\t{ %s, %s,\n\t    %s,\n\t    %s,\n\t    %s },\n", \
	    cstr(id), cstr(title), cstr(models), cstr(profiles), cstr(text)
	n++
	id = ""
}

BEGIN {
	print "/* Generated from docs/SPEC.md by sim/tools/spec-rules.awk: do not edit. */"
	print "#include \"tools/spec-rules.h\""
	print ""
	print "const SimSpecRule sim_spec_rules[] = {"
}

/^#/ {
	flush()
	cur = ""
}

/^### R-[A-Z]+-[0-9A-Za-z.-]+:/ {
	id = substr($2, 1, length($2) - 1)
	title = $0
	sub(/^### [^:]*: */, "", title)
	models = profiles = text = ""
	next
}

id != "" && /^- Models: / { cur = "m"; models = substr($0, 11); next }
id != "" && /^- Profiles: / { cur = "p"; profiles = substr($0, 13); next }
id != "" && /^- Rule: / { cur = "r"; text = substr($0, 9); next }
id != "" && /^- / { cur = ""; next }
id != "" && /^[ \t]+[^ \t]/ && cur != "" {
	line = $0
	sub(/^[ \t]+/, "", line)
	if (cur == "m") models = models " " line
	else if (cur == "p") profiles = profiles " " line
	else text = text " " line
	next
}
/^$/ { cur = "" }

END {
	flush()
	print "};"
	print ""
	printf "const gsize sim_spec_n_rules = %d;\n", n
}
