/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_PORT_H
#define LINECAP_PORT_H

/*
 * A DPDK port as its users outside sources/ see it: a handle. sources/ owns
 * the layout (sources/port.h) and the receive set-up; what is here is enough
 * to send out of a port (--forward in sinks/, replay).
 */

#include <stdbool.h>
#include <stdint.h>

#include <linecap/error.h>

struct lc_port;

/* tx descriptors per queue of a sending port (sources/dpdk_tx_port.c). */
#define LC_TX_PORT_DESC 1024

/* True if `s` looks like a PCI address (DDDD:BB:DD.F or BB:DD.F), with or without devargs. */
bool lc_is_pci_addr(const char *s);

/*
 * Probe `devargs` (a PCI address allowed at EAL init, or a virtual device)
 * into a new port. Returns it, or NULL with err set.
 */
struct lc_port *lc_port_open(const char *devargs, struct lc_error *err);
/* Free the handle only (NULL does nothing): lc_port_close first if the port is yours. */
void lc_port_free(struct lc_port *port);

uint16_t lc_port_id(const struct lc_port *port);

/*
 * Set the port up for sending (sources/dpdk_tx_port.c): nb_txq tx queues, no
 * rx queue where the PMD allows, a packet pool of pool_size mbufs plus what
 * the queues need, started. 0 or -1 with err set.
 */
int lc_port_configure_tx(
		struct lc_port *port, uint16_t nb_txq, uint32_t pool_size, struct lc_error *err);
/* Wait until the link is up (a memif peer connected); 0 or -1 with err set. */
int lc_port_wait_link(const struct lc_port *port, double seconds, const volatile int *stop,
		struct lc_error *err);

/* Stop the port, close it, free its packet pool. */
void lc_port_close(struct lc_port *port);

#endif
