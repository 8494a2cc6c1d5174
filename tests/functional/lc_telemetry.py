# SPDX-License-Identifier: BSD-3-Clause
"""DPDK telemetry socket client shared by the functional tests."""
import json
import socket
import time


def connect(path, tries=50):
    """A connected socket with the greeting read. The socket file can appear a
    moment before the telemetry thread accepts, so this retries for ~5 s."""
    for _ in range(tries):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            s.connect(path)
            json.loads(s.recv(16384))  # greeting
            return s
        except (ConnectionError, json.JSONDecodeError, OSError):
            s.close()
            time.sleep(0.1)
    raise SystemExit(f"cannot talk to telemetry at {path}")
