/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * traffic.h - real loopback traffic for the kernel backend (traffic.c):
 * a datagram or a connection sent, and the socket that received it.
 */
#ifndef SIM_BACKEND_KERNEL_TRAFFIC_H
#define SIM_BACKEND_KERNEL_TRAFFIC_H

#include "backend/kernel/kernel-int.h"

int	 kb_send(SimBackend *b, unsigned netns, const struct rp_packet *pkt,
	    struct rp_delivery *out);
int	 kb_requests_ack(SimBackend *b, unsigned netns);
int	 kb_requests_timer(SimBackend *b, unsigned netns);

#endif /* SIM_BACKEND_KERNEL_TRAFFIC_H */
