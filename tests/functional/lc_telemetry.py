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


def stats(s):
    """One /linecap/stats reading: the dict, or None while no capture is published.
    Raises OSError when the process is gone (the socket closed)."""
    s.send(b"/linecap/stats")
    reply = s.recv(65536)
    if not reply:
        raise OSError("telemetry socket closed")
    return json.loads(reply).get("/linecap/stats")


def watch(path, seconds, keys, period=0.05):
    """Print the values of `keys` of /linecap/stats, one line per reading, for `seconds`."""
    s = connect(path)
    t_end = time.time() + seconds
    while time.time() < t_end:
        d = stats(s)
        if d:
            print(" ".join(str(d[k]) for k in keys), flush=True)
        time.sleep(period)


if __name__ == "__main__":
    import sys

    # lc_telemetry.py watch SOCKET SECONDS KEY...
    if len(sys.argv) < 5 or sys.argv[1] != "watch":
        raise SystemExit("usage: lc_telemetry.py watch SOCKET SECONDS KEY...")
    watch(sys.argv[2], float(sys.argv[3]), sys.argv[4:])
