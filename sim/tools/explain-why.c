/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * explain-why.c - the "why" texts of reuseport-sim explain: for every rule
 * the model reports (rp_rule() calls in the model), one sentence saying why the
 * step came out as it did, in terms of the state.  The rule's title and
 * the kernel function it models come from docs/SPEC.md (spec-rules.c);
 * this table adds only the explanation.  tests/explain.sh checks that
 * every rule id the model can report has a row here.
 *
 * Fields filled from the step (explain.c, why_fill()):
 *	{S}	the socket of the statement (update: the value; send: the
 *		socket that ran or received), {M} its map, {K} its key,
 *		{V} the map an outer-map update stores,
 *	{VS} {N}	the map's value_size and max_entries,
 *	{OWNER}	what the socket's owner word named before the step,
 *	{OCC}	the occupant of {M} slot {K} before the step, {NOW} after,
 *	{G} {POS}	the socket's group and its position in socks[],
 *	{SEL} {RG}	what a program run selected, and the group the
 *		packet reached; {PICK} "had selected b, which receives the
 *		packet" or "had selected nothing, so the hash fallback decides",
 *	{ERR}	the rule's result, {PROF} the profile.
 */
#include "tools/explain-why.h"

static const SimWhy why_table[] = {
	/* attaching and detaching programs (§9) */
	{ "R-ATT-1", NULL, "the classic program given to "
	    "SO_ATTACH_REUSEPORT_CBPF is not acceptable (its length, or no "
	    "instructions at all), so {S}'s group keeps its program." },
	{ "R-ATT-2", NULL, "the SO_ATTACH_REUSEPORT_EBPF argument is not an "
	    "open fd of a SOCKET_FILTER or SK_REUSEPORT program, so nothing "
	    "is attached ({ERR})." },
	{ "R-ATT-3", NULL, "an SK_REUSEPORT program only serves TCP or UDP "
	    "sockets of AF_INET/AF_INET6; {S} is not one, hence -ENOTSUPP "
	    "(524)." },
	{ "R-ATT-4", NULL, "{S} has no reuseport group and cannot be given "
	    "one here, so there is no group to attach the program to." },
	{ "R-ATT-5", "the program now belongs to the whole group {G}: every "
	    "member, present and future, is selected through it; the previous "
	    "program is released and map slots are untouched.", NULL },
	{ "R-ATT-6", NULL, "profile {PROF} (4.19) has no "
	    "SO_DETACH_REUSEPORT_BPF, so setsockopt does not know the option: "
	    "-ENOPROTOOPT." },
	{ "R-ATT-7", NULL, "{S} is in no reuseport group, so there is no "
	    "program to detach: -ENOENT when it has SO_REUSEPORT set, -EINVAL "
	    "otherwise." },
	{ "R-ATT-8", NULL, "{S} is unhashed and its group still holds "
	    "closed-section sockets; the group's program stays for their "
	    "migration, so the detach is refused with -ENOENT." },
	{ "R-ATT-9", NULL, "the group of {S} has no program (never attached, "
	    "or already detached), so there is nothing to detach: -ENOENT." },
	{ "R-ATT-10", "the group's program is removed for every member; from "
	    "now on the hash alone selects the receiving socket.", NULL },

	/* bind */
	{ "R-BIND-1", NULL, "the address and port are held by another socket "
	    "and the two do not both have SO_REUSEPORT with the same owner "
	    "uid, so bind() refuses to share the port: -EADDRINUSE." },
	{ "R-BIND-2", NULL, "{S} already has a group pointer (a program was "
	    "attached before bind), and such a socket conflicts with every "
	    "other holder of the port: -EADDRINUSE." },
	{ "R-BIND-3", NULL, "{S} already has a local port (or is not in "
	    "TCP_CLOSE), and a socket is bound only once: -EINVAL." },

	/* map commands */
	{ "R-CMD-1", NULL, "a reuseport array has no lookup-and-delete: "
	    "{PROF} answers {ERR} (4.19 has no such command at all, -EINVAL; "
	    "6.18 has it but not for this map, -ENOTSUPP)." },
	{ "R-CMD-2", NULL, "a reuseport array has no batch operations: {ERR} "
	    "(4.19 has no batch commands, -EINVAL; 6.18 has them but not for "
	    "this map, -ENOTSUPP)." },
	{ "R-CMD-4", "an outer map's batch lookup copies the first element "
	    "from the start.", "the batch lookup reached the end of {M} "
	    "first: -ENOENT." },
	{ "R-CMD-5", "the info of the object behind the fd: a map's type, "
	    "id, sizes, flags and name, or a program's own info.", "asking "
	    "the fd for its info fails ({ERR}): -EBADFD for an fd that "
	    "holds no file, -EINVAL for one that is no BPF object." },
	{ "R-CMD-3", "{M} is frozen for good: from now on syscall updates and "
	    "deletes through any fd fail with -EPERM, while lookups still "
	    "work.", "freezing {M} is refused ({ERR}): -EPERM for an fd "
	    "without write permission or a frozen map written to, -EBUSY for "
	    "a map already frozen, -EINVAL where the profile has no freeze "
	    "command." },

	/* UDP connect */
	{ "R-CONN-1", "{S} is a UDP member bound to a specific address and "
	    "connects: its group's has_conns becomes 1 for good, and the hash "
	    "fallback will skip connected members.", NULL },

	/* cookies */
	{ "R-COOK-1", "{S} had no cookie yet: it is generated now, on first "
	    "demand, and never changes afterwards; creating, binding or "
	    "inserting the socket did not generate it.", NULL },

	/* map creation */
	{ "R-CRE-0", NULL, "kernel.unprivileged_bpf_disabled is set and the "
	    "process lacks the capability that bypasses it, so the bpf() "
	    "command is refused before anything else is looked at: -EPERM." },
	{ "R-CRE-1", NULL, "bytes of the attribute union beyond the fields "
	    "{PROF} knows for BPF_MAP_CREATE are not zero: the very first "
	    "check answers -EINVAL." },
	{ "R-CRE-2", NULL, "the BTF ids given do not make sense for this map "
	    "(a vmlinux value type id, or a key type without a value type): "
	    "-EINVAL." },
	{ "R-CRE-3", NULL, "map_extra is not zero, and only bloom filters and "
	    "arenas may use it: -EINVAL." },
	{ "R-CRE-4a", NULL, "BPF_F_RDONLY and BPF_F_WRONLY were both given; "
	    "they exclude each other: -EINVAL." },
	{ "R-CRE-4b", NULL, "BPF_F_NUMA_NODE names a node other than 0, and "
	    "the model is a single-node machine: -EINVAL." },
	{ "R-CRE-4c", NULL, "the map type is unknown to {PROF}: -EINVAL." },
	{ "R-CRE-4d", NULL, "{PROF} knows the map type but the model does not "
	    "implement it: the library answers -EINVAL, which that kernel "
	    "would not." },
	{ "R-VMAP-6", NULL, "an LRU hash: a new key into a full map evicts "
	    "the element least recently updated or looked up (the model's "
	    "choice; the kernel's LRU is approximate) where a plain hash "
	    "answers -E2BIG; BPF_F_NO_PREALLOC is -ENOTSUPP." },
	{ "R-RB-1", NULL, "a ring buffer: no key, no value, a power-of-2 size "
	    "in whole pages (else -EINVAL); syscall element commands are "
	    "-ENOTSUPP." },
	{ "R-RB-2", NULL, "bpf_ringbuf_output() takes round_up(size + 8, 8) "
	    "bytes of the ring; nobody consumes them, so a full ring answers "
	    "-EAGAIN." },
	{ "R-RB-3", NULL, "bpf_ringbuf_reserve() takes the record's bytes "
	    "(NULL when the ring is full); submit counts the record, discard "
	    "drops it, and its bytes keep their place." },
	{ "R-RB-4", NULL, "bpf_ringbuf_query() answers from the producer "
	    "position; the consumer stays at 0." },
	{ "R-CRE-5a", NULL, "a reuseport array stores either a 4-byte fd or "
	    "an 8-byte fd/cookie, so any other value_size is -EINVAL; this is "
	    "the first type-specific check." },
	{ "R-CRE-5b", NULL, "a reuseport array needs key_size 4 and at least "
	    "one entry: -EINVAL." },
	{ "R-CRE-5c", NULL, "a map flag outside what {PROF} allows for this "
	    "map type was given: -EINVAL." },
	{ "R-CRE-6a", NULL, "the process lacks the capability to create the "
	    "map (4.19: CAP_SYS_ADMIN; 6.18: CAP_BPF or CAP_SYS_ADMIN); the "
	    "attribute checks came first and passed, so this is -EPERM." },
	{ "R-CRE-6b", NULL, "the slot array would be too large to allocate: "
	    "{ERR}." },
	{ "R-CRE-6c", NULL, "the pages the map needs would exceed the "
	    "caller's RLIMIT_MEMLOCK (4.19 accounting): -EPERM." },
	{ "R-CRE-6d", NULL, "allocating the zeroed slot array failed: "
	    "-ENOMEM." },
	{ "R-CRE-7", NULL, "the map name has a character the profile does "
	    "not allow, or no NUL within its 16 bytes: -EINVAL, and the "
	    "allocated map is discarded." },
	{ "R-CRE-8", NULL, "the BTF ids must resolve through btf_fd ({ERR}): "
	    "6.18 checks them, 4.19 ignores them for this map type." },
	{ "R-CRE-9", "every check passed: the new map's slots are all EMPTY "
	    "and the process holds it through the lowest free fd.", NULL },
	{ "R-CRE-11", NULL, "BPF_F_TOKEN_FD asks for a BPF token from "
	    "map_token_fd, which is 0 here and holds none: {ERR}, before any "
	    "capability is looked at (6.9 on)." },

	/* program context */
	{ "R-CTX-5", NULL, "4.19's SK_REUSEPORT context has no sk or "
	    "migrating_sk field, so a program reading them is refused by the "
	    "verifier: -EACCES." },

	/* delete */
	{ "R-DEL-0", NULL, "the fd cannot write {M} (read-only fd, or a "
	    "frozen map in 6.18): -EPERM before the key is looked at." },
	{ "R-DEL-1", NULL, "key {K} is not below max_entries {N}: -E2BIG." },
	{ "R-DEL-2", NULL, "{M} slot {K} is EMPTY, so there is nothing to "
	    "delete: -ENOENT." },
	{ "R-DEL-3", "{M} slot {K} held {OCC}: under reuseport_lock the "
	    "owner word of {OCC} is cleared under its callback lock, then the "
	    "slot is emptied; {OCC} stays in its group, hashed.", NULL },

	/* detach */
	{ "R-DET-1", "the socket leaving had an owner word naming a reuseport "
	    "array slot; with reuseport_lock held and the socket's callback "
	    "lock taken, the owner word is cleared and that slot emptied in "
	    "the same step, so no slot ever names a socket that left.", NULL },
	{ "R-DET-2", "the owner word of the leaving socket belongs to another "
	    "subsystem: 6.18 only clears words carrying its BPF tag and leaves "
	    "this one alone; 4.19 clears any owner word (the known 4.19 "
	    "defect).", NULL },
	{ "R-DET-3", "4.19 only detaches from maps when the group has an id; "
	    "this group's id is 0 (none of its members was ever inserted into "
	    "a reuseport array), so there is no slot to clear.", NULL },
	{ "R-DET-4", "a TCP listener that stops listening (last close, "
	    "shutdown or connect(AF_UNSPEC)) leaves its map slot in that same "
	    "step.", NULL },
	{ "R-DET-5", "a UDP member that is unhashed (its last close, or a "
	    "disconnect after an autobind) leaves its group and its map slot "
	    "in the same step.", NULL },
	{ "R-DET-6", "migration is enabled for this listener (6.18): it "
	    "leaves its slot, the last listening entry fills its place in "
	    "socks[], and it moves to the group's closed section, from which "
	    "its pending children can migrate.", NULL },
	{ "R-DET-7", "the socket still had a group pointer when it was "
	    "destroyed, so it leaves the group now.", NULL },
	{ "R-DET-8", "the UDP member's local address changes while it stays "
	    "hashed (it connected), so it leaves its group and its map slot "
	    "in this step.", NULL },
	{ "R-DET-10", "on 6.18 a UDP member bound to a specific address that "
	    "connects leaves its group and its slot, like a wildcard-bound "
	    "one.", NULL },
	{ "R-DET-11", "the listener is already in its group's closed section "
	    "(it listened again without SO_REUSEPORT, so it joined nothing): "
	    "it leaves its slot and stays where it is; the kernel adds it to "
	    "the closed section a second time, a known defect the model "
	    "reports and does not copy.", NULL },

	/* map free */
	{ "R-FREE-2", "the map's last holder is gone: each occupied slot, in "
	    "index order, has its socket's owner word cleared under that "
	    "socket's callback lock and is emptied; the sockets themselves "
	    "live on, hashed and in their groups.", NULL },

	/* groups */
	{ "R-GROW-3", NULL, "the group is at its capacity limit (32768) and "
	    "cannot grow, so the join fails and nothing changes." },
	{ "R-GRP-1", "{S} needs a reuseport group and has none: a new group "
	    "{G} with capacity 128 is created with {S} at socks[0].", NULL },
	{ "R-GRP-12", "the socket {S} joins has no group of its own (it was "
	    "hashed before it set SO_REUSEPORT, or a UDP socket left its "
	    "group by connect()): a group is built around it first, and {S} "
	    "joins that.", NULL },
	{ "R-GRP-2", "{S} already had a group (a program attached before "
	    "bind), so no new group is made.", NULL },
	{ "R-GRP-3", "{S} joins {G} at the end of the listening section, "
	    "socks[{POS}] (the group grows first if it is full).", NULL },
	{ "R-GRP-4", NULL, "{S} is already in a group with other members, "
	    "and a member of a larger group cannot move to another: -EBUSY." },
	{ "R-GRP-5", "listen() looks for another listener on the same port "
	    "with the same family, ipv6only, device, SO_REUSEPORT and owner "
	    "uid (TCP join predicate); {S} joins its group if one matches, "
	    "else it gets a group of its own.", NULL },
	{ "R-GRP-6", "bind() looks for another bound UDP socket with the same "
	    "netns, family, ipv6only, port, address, device, SO_REUSEPORT and "
	    "owner uid (UDP join predicate); {S} joins its group if one "
	    "matches, else it gets a group of its own.", NULL },

	/* bpf_sk_select_reuseport() */
	{ "R-HLP-1", NULL, "the key the program passed names no socket in the "
	    "map (out of range or EMPTY slot), so the helper returns -ENOENT "
	    "and selects nothing." },
	{ "R-HLP-2a", NULL, "the socket found in the array has no group "
	    "pointer any more (it is being closed), so the helper returns "
	    "-ENOENT." },
	{ "R-HLP-2b", NULL, "the socket found in the sockmap is in no "
	    "reuseport group: {ERR} (-ENOENT when the map is a reuseport "
	    "array, -EINVAL for a sockmap or sockhash)." },
	{ "R-HLP-3a", NULL, "4.19: the receiving group has id 0 (none of its "
	    "members was ever in a reuseport array), so the ids cannot match: "
	    "-ENOENT." },
	{ "R-HLP-3b", NULL, "the selected socket belongs to another group "
	    "with another protocol than the packet's socket: -EPROTOTYPE." },
	{ "R-HLP-3c", NULL, "the selected socket belongs to another group "
	    "with another address family: -EAFNOSUPPORT." },
	{ "R-HLP-3d", NULL, "the selected socket is a member of another group "
	    "(another port, address or netns): -EBADFD; a program can only "
	    "select within the group that receives the packet." },
	{ "R-HLP-4", "the slot the program named holds {SEL}, a member of the "
	    "receiving group {RG}, so {SEL} becomes the run's selection.",
	    NULL },

	/* syscall lookup */
	{ "R-LKP-1a", NULL, "the lookup flags are not ones {PROF} accepts: "
	    "-EINVAL before the fd is even looked up." },
	{ "R-LKP-1c", NULL, "the fd was opened without read permission "
	    "(BPF_F_WRONLY): -EPERM." },
	{ "R-LKP-3a", NULL, "{M} stores {VS}-byte values, so a lookup cannot "
	    "return the 8-byte cookie: -ENOSPC, whatever slot {K} holds." },
	{ "R-LKP-3b", NULL, "key {K} is not below max_entries {N}: -ENOENT." },
	{ "R-LKP-3c", NULL, "{M} slot {K} is EMPTY: -ENOENT." },
	{ "R-LKP-3d", "{M} slot {K} holds {NOW}, and the lookup returns its "
	    "cookie (generated now if it had none): the map stores no cookie, "
	    "it reports the current occupant's.", NULL },

	/* migration */
	{ "R-MIG-1", "the closing listener's group has no listening member "
	    "left, so its children cannot migrate.", NULL },
	{ "R-MIG-2", "the group has no SELECT_OR_MIGRATE program and "
	    "net.ipv4.tcp_migrate_req is 0, so the children are not "
	    "migrated.", NULL },
	{ "R-MIG-3", "net.ipv4.tcp_migrate_req is 1 and no migrate program "
	    "decides, so the hash picks the listener that takes the child.",
	    NULL },
	{ "R-MIG-4", "the group's SELECT_OR_MIGRATE program runs with "
	    "migrating_sk set and chooses the listener that takes the child.",
	    NULL },
	{ "R-MIG-5", "the chosen listener is still alive, so the child moves "
	    "to it (a listener being destroyed would fail the migration).",
	    NULL },

	/* map-in-map */
	{ "R-MIM-1", "the outer map's inner template is a reuseport array "
	    "with 4-byte keys and values: accepted.", "an outer map needs "
	    "value_size 4 (key_size 4 for the array kind) and an open "
	    "inner_map_fd naming its template: {ERR}." },
	{ "R-MIM-2", NULL, "4.19 compares type, key_size, value_size, stored "
	    "flags AND max_entries of {V} with the template of {M}; one "
	    "differs: -EINVAL." },
	{ "R-MIM-3", NULL, "6.18 compares type, key_size, value_size and "
	    "stored flags of {V} with the template of {M} (not max_entries); "
	    "one differs: -EINVAL." },
	{ "R-MIM-5", "the program looks up outer slot 0 and gets the inner "
	    "reuseport array stored there now, which it hands to "
	    "bpf_sk_select_reuseport: one outer update switches every later "
	    "selection.", "the outer slot the program reads is EMPTY, so the "
	    "program has no array to select from and decides without one." },
	{ "R-MIM-6", "{M} slot {K} now holds map {V} (it held {OCC}); the "
	    "replaced inner map loses that hold and lives on only through its "
	    "other holders.", "storing {V} in {M} slot {K} is refused: {ERR} "
	    "(BPF_ANY only, index in range, an open fd of a map matching the "
	    "template)." },
	{ "R-MIM-7", "{M} slot {K} is emptied; the inner map loses that "
	    "hold.", "{ERR}: the key is out of range or the outer slot is "
	    "EMPTY." },

	/* get next key */
	{ "R-NXT-1", NULL, "the fd cannot read {M}: -EPERM." },
	{ "R-NXT-2", "no key, or a key out of range, starts the walk at 0.",
	    NULL },
	{ "R-NXT-3", NULL, "the key is the last index, max_entries - 1: the "
	    "walk ends with -ENOENT." },
	{ "R-NXT-4", "the next key is key + 1, whether or not any slot is "
	    "occupied: an array has every key.", NULL },
	{ "R-NXT-5", "the key is not in this hash map (or none was given), "
	    "so the walk starts again from the first key.", NULL },

	/* program load */
	{ "R-PRG-1", NULL, "the program hands the reuseport array to a helper "
	    "other than bpf_sk_select_reuseport (a map lookup, say); the "
	    "verifier refuses it: -EINVAL." },
	{ "R-PRG-2", NULL, "bpf_sk_select_reuseport needs a reuseport array "
	    "(6.18 also a sockmap or sockhash); the program's map is not one: "
	    "{ERR}." },
	{ "R-PRG-3", NULL, "the program selects through an outer map whose "
	    "inner template is not a map bpf_sk_select_reuseport accepts: "
	    "-EINVAL." },
	{ "R-PRG-4", NULL, "the process lacks the capability to load an "
	    "SK_REUSEPORT program: -EPERM." },
	{ "R-PRG-5", NULL, "expected_attach_type must be SELECT or "
	    "SELECT_OR_MIGRATE (6.18): -EINVAL." },
	{ "R-PRG-6", NULL, "only SK_REUSEPORT programs may call "
	    "bpf_sk_select_reuseport: -EINVAL." },
	{ "R-PRG-8", NULL, "until 5.10 a program's pages are charged to the "
	    "user's locked memory, and with them it would pass the process's "
	    "RLIMIT_MEMLOCK: -EPERM, before the verifier looks at it." },

	/* re-listen of closed-section sockets */
	{ "R-RES-1", "{S} was in the closed section of its group and listens "
	    "again: it moves back to the end of the listening section, "
	    "keeping the group's id and program.", NULL },
	{ "R-RES-2", "{S} was in a closed section and finds no listener to "
	    "join: it leaves the old group for a new one with a fresh id and "
	    "no program.", NULL },
	{ "R-RES-3", "{S} was in a closed section and its listen() finds a "
	    "listener of another group: it moves into that group.", NULL },

	/* program verdicts */
	{ "R-RUN-1", "the program of {RG} returned SK_PASS and its last "
	    "successful bpf_sk_select_reuseport call {PICK}.", NULL },
	{ "R-RUN-2", NULL, "the program returned something other than SK_PASS "
	    "(SK_DROP), so the packet is dropped even if a socket was "
	    "selected." },

	/* selection */
	{ "R-SEL-1", "the socket the lookup reached has no reuseport group, "
	    "so it receives the packet itself.", NULL },
	{ "R-SEL-2", "the group has no listening member, so selection returns "
	    "nothing and the ordinary lookup result stands.", NULL },
	{ "R-SEL-3", "the group has a program: it runs and its verdict "
	    "decides (a classic or SOCKET_FILTER program returns an index "
	    "into socks[]).", NULL },
	{ "R-RACE-13", "the member count was read before the program ran, "
	    "and a member left while it ran: the index lies past today's "
	    "members, where the detach left the word of the member that was "
	    "last (it may be the one closing; its datagram is lost with it).",
	    NULL },
	{ "R-SEL-4", "no program chose: 4.19 picks socks[(hash * num_socks) "
	    ">> 32], the reciprocal scale of the packet's hash.", NULL },
	{ "R-SEL-5", "no program chose: 6.18 starts at socks[(hash * "
	    "num_socks) >> 32] and walks forward, skipping connected UDP "
	    "members.", NULL },
	{ "R-SEL-6", "no program chose and a member set SO_INCOMING_CPU: the "
	    "walk prefers a member whose incoming CPU is the current one.",
	    NULL },
	{ "R-SEL-7", NULL, "the packet was dropped by the program: a TCP SYN "
	    "is answered with a reset (the client sees ECONNREFUSED), a UDP "
	    "datagram is discarded." },

	/* sockmap and sockhash */
	{ "R-SMAP-1", "the sockmap or sockhash attributes are valid.",
	    "the sockmap or sockhash attributes are not valid (key or value "
	    "size, max_entries, flags), or the caller lacks CAP_NET_ADMIN: "
	    "{ERR}." },
	{ "R-SMAP-2", NULL, "the 8-byte value is above S32_MAX, so it cannot "
	    "be an fd: -EINVAL." },
	{ "R-SMAP-3", NULL, "a sockmap takes only listening or established "
	    "TCP sockets and hashed UDP ones; {S} is neither: -EOPNOTSUPP." },
	{ "R-SMAP-4", NULL, "{S}'s owner word is held by {OWNER}, so the "
	    "sockmap cannot take it: -EBUSY." },
	{ "R-SMAP-5", NULL, "{M} stores {VS}-byte values, so a lookup cannot "
	    "return the 8-byte cookie: -ENOSPC." },

	/* sockets */
	{ "R-SOCK-1", NULL, "socket() refuses this family, type and protocol "
	    "combination: {ERR}." },
	{ "R-SOCK-2", NULL, "a SOCK_RAW socket needs CAP_NET_RAW, which the "
	    "process lacks: -EPERM." },
	{ "R-SOCK-3", NULL, "{PROF} allows SO_REUSEPORT only on inet sockets: "
	    "-EOPNOTSUPP." },
	{ "R-SOCK-11", "a TIME_WAIT socket had this 4-tuple: it gives it up "
	    "to the connect() (twsk_unique()) and is gone.", "another socket of this port already has the "
	    "same source address and port and the same destination: the "
	    "4-tuple is taken, -EADDRNOTAVAIL, and no SYN leaves." },
	{ "R-SOCK-12", NULL, "{S} is an MPTCP socket: the reuseport socket "
	    "options act on no subflow of it and are refused with "
	    "-EOPNOTSUPP." },
	{ "R-SOCK-13", "the listener chosen for this SYN is bound to a device "
	    "other than loopback, so its SYN+ACK has no route: the SYN is "
	    "dropped without a reset.", "{S} is bound to a device other than "
	    "loopback, the namespace's one device, so there is no route to "
	    "connect by, or the SYN is dropped without a reset: {ERR}." },
	{ "R-SOCK-14", "{S} connects to its own address and port: its SYN "
	    "finds {S} itself, a simultaneous open, and it is connected to "
	    "itself.", "{S} is connected for the socket layer (after a "
	    "connect() or accept(), until connect(AF_UNSPEC)), or its own FIN "
	    "ended a connection to itself: {ERR}." },
	{ "R-SOCK-15", "this family's shutdown() takes any state.", "{S}'s "
	    "family has no such option or no shutdown, or a raw socket's "
	    "protocol counts as its bound port: {ERR}." },
	{ "R-SOCK-16", "the accept queue of the listener chosen is full (more "
	    "children than its backlog): the SYN is dropped without a reset.",
	    NULL },
	{ "R-SOCK-17", "a raw socket binds or connects by address only: no "
	    "port, no group.", "{ERR}: the address does not fit a raw socket "
	    "of this family, or is not local." },
	{ "R-SOCK-18", NULL, "{ERR}: this build (tcp_role_change einval) "
	    "refuses listen() on a socket that sent a SYN, and connect() on "
	    "one whose listening was stopped." },
	{ "R-SOCK-5", "the listener is disconnected: unhashed, back to "
	    "TCP_CLOSE, keeping its bound port; it may listen again.", NULL },
	{ "R-SOCK-7", "4.19: the accepted child inherits a stale copy of its "
	    "listener's owner word; it does not put the child in the slot.",
	    NULL },

	{ "R-BIND-8", "both sockets have SO_REUSEADDR and the one already "
	    "there does not listen: they do not conflict.", NULL },
	{ "R-BIND-7", "the address is v4-mapped: {S} is bound as an IPv4 "
	    "socket of that address, for conflicts, lookups and groups.",
	    "an IPV6_V6ONLY socket cannot bind a v4-mapped address: -EINVAL." },
	{ "R-BIND-12", "a broadcast or multicast address is no source: "
	    "the socket may bind it, but what it sends leaves from its "
	    "route's source (127.0.0.1, ::1), and a TCP connect() rebinds "
	    "it there.", "IPv6 wants a device for a link-local address or a "
	    "scoped multicast group, and a TCP socket takes no multicast "
	    "group: -EINVAL; a v4-mapped broadcast or multicast address has "
	    "no IPv4 route: -ENETUNREACH, or -EINVAL for a multicast one." },
	{ "R-BIND-10", NULL, "{S} is IPv6-only (IPV6_V6ONLY set, or given "
	    "by its bind to a plain IPv6 address), so an IPv4 destination is "
	    "refused: -EAFNOSUPPORT." },

	/* TIME_WAIT */
	{ "R-BIND-6", "{S} sent the first FIN, so it stays in TIME_WAIT "
	    "holding its port (60 s on the kernel; in the model, the rest of "
	    "the scenario).", NULL },
	{ "R-BIND-11", "{S} is closed with data it never read in its "
	    "receive queue: it sends a reset, not a FIN, and is gone at once "
	    "(no TIME_WAIT holds its port).", NULL },

	/* syscall update */
	{ "R-UPD-0b", NULL, "the fd cannot write {M} (read-only fd, or a "
	    "frozen map in 6.18): -EPERM before any other update check." },
	{ "R-UPD-1", NULL, "the update flags are not BPF_ANY, BPF_NOEXIST or "
	    "BPF_EXIST: -EINVAL." },
	{ "R-UPD-2", NULL, "key {K} is not below max_entries {N}: -E2BIG, "
	    "before the value is even read." },
	{ "R-UPD-3a", NULL, "{M} has 8-byte values and the value is above "
	    "S32_MAX, so it cannot be an fd: -EINVAL." },
	{ "R-UPD-3b", "{M} has 4-byte values: the value is read as a signed "
	    "32-bit fd.", NULL },
	{ "R-UPD-4", NULL, "the value must be an open socket fd of the "
	    "calling process: {ERR} (-EBADF: no such fd, -ENOTSOCK: not a "
	    "socket)." },
	{ "R-UPD-6a", NULL, "BPF_NOEXIST, but {M} slot {K} already holds "
	    "{OCC}: -EEXIST." },
	{ "R-UPD-6b", NULL, "BPF_EXIST, but {M} slot {K} is EMPTY: "
	    "-ENOENT." },
	{ "R-UPD-6c", NULL, "{S} is neither TCP nor UDP: -ENOTSUPP (524)." },
	{ "R-UPD-6d", NULL, "{S} is neither AF_INET nor AF_INET6: -ENOTSUPP "
	    "(524)." },
	{ "R-UPD-6e", NULL, "{S} is neither SOCK_STREAM nor SOCK_DGRAM: "
	    "-ENOTSUPP (524)." },
	{ "R-UPD-6f", NULL, "{S} is not eligible: it must be hashed (a TCP "
	    "listener with SO_REUSEPORT, or a bound UDP socket), "
	    "SOCK_RCU_FREE and in a reuseport group: -EINVAL." },
	{ "R-UPD-6g", NULL, "socket {S} already owns {OWNER}; a socket's "
	    "owner word names at most one slot, so even re-adding it where it "
	    "is fails: -EBUSY." },
	{ "R-UPD-7", "the lock-free checks passed; with reuseport_lock and "
	    "{S}'s callback lock held they are run again on the current slot "
	    "and group, and pass again: that locked result is the one "
	    "returned.", NULL },
	{ "R-UPD-8", "4.19: the group {G} had id 0, so its first insertion "
	    "into a reuseport array allocates the lowest free id.", NULL },
	{ "R-UPD-9", "{S}'s owner word is set to name {M} slot {K} under its "
	    "callback lock, then the slot is set to {S}, all under "
	    "reuseport_lock.", NULL },
	{ "R-UPD-10", "the slot held {OCC}: its owner word is cleared under "
	    "its own callback lock; it stays hashed, in its group, with its "
	    "cookie, and is in no map now.", NULL },
};

/* The table above; *n its length. */
const SimWhy *
sim_why_table(gsize *n)
{
	*n = G_N_ELEMENTS(why_table);
	return why_table;
}
