#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""A TCP relay from a network namespace's loopback to the root namespace's: listens on
127.0.0.1:PORT inside NETNS (/var/run/netns/NAME) and relays every connection to
127.0.0.1:PORT of the namespace it was started in, so a capture on a namespace's own
lo (tests/s3/two_nodes.sh) reaches the object store under the same URL. Prints "ready"
once listening; runs until killed.

usage: ns_proxy.py NETNS_NAME PORT
"""
import ctypes
import os
import socket
import sys
import threading

CLONE_NEWNET = 0x40000000


def setns(fd):
    if ctypes.CDLL(None, use_errno=True).setns(fd, CLONE_NEWNET) != 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))


def pipe(a, b):
    try:
        while True:
            d = a.recv(65536)
            if not d:
                break
            b.sendall(d)
    except OSError:
        pass
    for s in (a, b):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def serve(c, port):
    try:
        u = socket.create_connection(("127.0.0.1", port))
    except OSError:
        c.close()
        return
    threading.Thread(target=pipe, args=(c, u), daemon=True).start()
    threading.Thread(target=pipe, args=(u, c), daemon=True).start()


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    port = int(sys.argv[2])
    home = os.open("/proc/self/ns/net", os.O_RDONLY)
    ns = os.open("/var/run/netns/" + sys.argv[1], os.O_RDONLY)
    setns(ns)
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen(64)
    setns(home)  # the sockets made from here on are the root namespace's
    print("ready", flush=True)
    while True:
        c, _ = srv.accept()
        serve(c, port)


if __name__ == "__main__":
    main()
