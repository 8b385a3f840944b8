/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * skb.c - the packet a program sees: the bytes of the struct sk_buff that
 * reuseport selection runs on, built from a struct rp_packet.
 *
 * A packet arrives on the loopback device, so the skb holds a 14-byte
 * Ethernet header (both addresses zero, lo's address; the EtherType of
 * the family), the IP header, the TCP or UDP header and the payload, all
 * linear.  skb->data points at the transport header when the lookup runs
 * (udp_rcv()/tcp_v4_rcv() have pulled the IP header): that is ctx->data
 * of an SK_REUSEPORT program (R-CTX-1).  A classic or SOCKET_FILTER
 * program sees the skb after reuseport_select_sock() pulled hdr_len more
 * bytes (run_bpf_filter()): the UDP payload after the 8-byte header
 * (udp4_lib_lookup2() passes sizeof(struct udphdr)), the TCP payload after
 * the header and its options (__inet_lookup_skb() passes
 * __tcp_hdrlen(th)) (R-CBPF-3).
 *
 * The headers are what Linux sends on lo, with the values the model
 * cannot know fixed: IPv4 with DF, TTL 64, id 0 and a valid header
 * checksum; IPv6 with hop limit 64 and flow label 0; UDP with checksum 0;
 * a TCP SYN of 40 bytes as Linux sends it on lo (MSS 65495, SACK
 * permitted, timestamps with the state clock in milliseconds as TSval,
 * NOP, window scale 7), sequence number 0, window 65495, checksum 0
 * (R-CTX-7).  A migration run (no packet, or the final ACK) sees the
 * given bytes as the whole L4 segment (raw_l4).
 */
#include <string.h>

#include "rp-int.h"

#define ETH_HLEN	14
#define ETH_P_IP	0x0800
#define ETH_P_IPV6	0x86DD
#define TCP_SYN_HLEN	40

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

/* The IPv4 header checksum (RFC 791): ones' complement of the sum. */
static uint16_t
ip_csum(const uint8_t *h, size_t n)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < n; i += 2) {
		uint16_t w;

		memcpy(&w, h + i, 2);
		sum += GUINT16_FROM_BE(w);
	}
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static size_t
ip_header(uint8_t *p, const struct rp_packet *pkt, size_t l4len)
{
	if (pkt->dst.addr.family == RP_AF_INET6) {
		memset(p, 0, 40);
		p[0] = 0x60;
		put16(p + 4, (uint16_t)l4len);
		p[6] = (uint8_t)pkt->protocol;
		p[7] = 64;
		memcpy(p + 8, pkt->src.addr.a, 16);
		memcpy(p + 24, pkt->dst.addr.a, 16);
		return 40;
	}
	memset(p, 0, 20);
	p[0] = 0x45;
	put16(p + 2, (uint16_t)(20 + l4len));
	put16(p + 6, 0x4000);		/* DF */
	p[8] = 64;
	p[9] = (uint8_t)pkt->protocol;
	memcpy(p + 12, pkt->src.addr.a, 4);
	memcpy(p + 16, pkt->dst.addr.a, 4);
	put16(p + 10, ip_csum(p, 20));
	return 20;
}

static size_t
l4_header(struct rp_state *st, uint8_t *p, const struct rp_packet *pkt)
{
	put16(p, pkt->src.port);
	put16(p + 2, pkt->dst.port);
	if (pkt->protocol == RP_IPPROTO_UDP) {
		put16(p + 4, (uint16_t)(8 + pkt->len));
		put16(p + 6, 0);
		return 8;
	}
	memset(p + 4, 0, TCP_SYN_HLEN - 4);
	p[12] = (TCP_SYN_HLEN / 4) << 4;
	p[13] = 0x02;			/* SYN */
	put16(p + 14, 65495);
	/* options: MSS, SACK_PERM, TS, NOP, WS */
	p[20] = 2; p[21] = 4; put16(p + 22, 65495);
	p[24] = 4; p[25] = 2;
	p[26] = 8; p[27] = 10; put32(p + 28, (uint32_t)(st->clock_ns / 1000000));
	put32(p + 32, 0);
	p[36] = 1;
	p[37] = 3; p[38] = 3; p[39] = 7;
	return TCP_SYN_HLEN;
}

/*
 * Build the skb of pkt into *skb (skb->data at the transport header).
 * raw_l4: pkt->payload is the whole L4 segment and there are no headers.
 * lazy: write the transport header and the payload now and the Ethernet
 * and IP headers only when rp_skb_headers() asks (pkt must outlive the
 * skb then); an SK_REUSEPORT program sees only what follows skb->data
 * unless it calls bpf_skb_load_bytes_relative().  Cannot fail;
 * rp_skb_free() releases a large packet's buffer.
 */
void
rp_skb_build(struct rp_state *st, struct rp_skb *skb,
    const struct rp_packet *pkt, bool raw_l4, bool lazy)
{
	size_t hl = pkt->protocol == RP_IPPROTO_UDP ? 8 : TCP_SYN_HLEN;
	size_t iph = pkt->dst.addr.family == RP_AF_INET6 ? 40 : 20;
	size_t need = raw_l4 ? pkt->len : ETH_HLEN + iph + hl + pkt->len;
	uint8_t *p;

	skb->buf = need <= sizeof(skb->small) ? skb->small : g_malloc(need);
	skb->len = need;
	skb->proto = pkt->dst.addr.family == RP_AF_INET6 ? ETH_P_IPV6 :
	    ETH_P_IP;
	skb->pending = NULL;
	if (raw_l4) {
		if (pkt->len > 0)
			memcpy(skb->buf, pkt->payload, pkt->len);
		skb->has_mac = false;
		skb->net = skb->l4 = skb->data = 0;
		return;
	}
	p = skb->buf;
	skb->has_mac = true;
	skb->net = ETH_HLEN;
	skb->l4 = skb->net + iph;
	if (lazy)
		skb->pending = pkt;
	else
		rp_skb_headers(skb, pkt);
	l4_header(st, p + skb->l4, pkt);
	if (pkt->len > 0)
		memcpy(p + skb->l4 + hl, pkt->payload, pkt->len);
	skb->data = skb->l4;
}

/* Write the Ethernet and IP headers of pkt (the skb's packet, or the one
 * a lazy build left pending when pkt is NULL). */
void
rp_skb_headers(struct rp_skb *skb, const struct rp_packet *pkt)
{
	size_t hl;

	if (pkt == NULL) {
		if (skb->pending == NULL)
			return;
		pkt = skb->pending;
	}
	skb->pending = NULL;
	hl = pkt->protocol == RP_IPPROTO_UDP ? 8 : TCP_SYN_HLEN;
	memset(skb->buf, 0, 12);	/* lo: both addresses zero */
	put16(skb->buf + 12, skb->proto);
	ip_header(skb->buf + skb->net, pkt, hl + pkt->len);
}

/* The offset a classic or SOCKET_FILTER program starts at: after the L4
 * header (reuseport_select_sock() pulls hdr_len). */
size_t
rp_skb_payload(const struct rp_skb *skb)
{
	if (!skb->has_mac)
		return skb->data;
	/* the TCP data offset, or the 8-byte UDP header */
	if (skb->len >= skb->l4 + 13 && skb->l4 > skb->net &&
	    skb->buf[skb->net + (skb->proto == ETH_P_IP ? 9 : 6)] ==
	    RP_IPPROTO_TCP)
		return skb->l4 + (size_t)(skb->buf[skb->l4 + 12] >> 4) * 4;
	return skb->l4 + 8;
}

void
rp_skb_free(struct rp_skb *skb)
{
	if (skb->buf != skb->small)
		g_free(skb->buf);
	skb->buf = NULL;
}

#define SKF_NET_OFF	(-0x100000)
#define SKF_LL_OFF	(-0x200000)

/*
 * Load size (1, 2, 4) bytes big-endian at off from base (skb->data), as
 * the classic loads and eBPF LD_ABS/LD_IND do (bpf_skb_load_helper_*()):
 * a negative off from SKF_NET_OFF or SKF_LL_OFF up is relative to the
 * network or link-layer header (bpf_internal_load_pointer_neg_helper()).
 * False when the bytes are not in the packet.
 */
bool
rp_skb_load(const struct rp_skb *skb, size_t base, int32_t off,
    unsigned size, uint32_t *val)
{
	size_t at;
	uint32_t v = 0;

	if (off >= 0) {
		at = base + (size_t)off;
	} else if (off >= SKF_NET_OFF) {
		at = skb->net + (size_t)((int64_t)off - SKF_NET_OFF);
	} else if (off >= SKF_LL_OFF) {
		if (!skb->has_mac)
			return false;
		at = (size_t)((int64_t)off - SKF_LL_OFF);
	} else {
		return false;
	}
	if (at > skb->len || skb->len - at < size)
		return false;
	for (unsigned i = 0; i < size; i++)
		v = v << 8 | skb->buf[at + i];
	*val = v;
	return true;
}
