#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Run a command and measure it: iorun.py RESULT -- CMD [ARGS...]

Writes one line to RESULT: "WALL_S READ_BYTES CPU_S EXIT". READ_BYTES is what the
command and every descendant it waited for (a shell pipeline's members) made the kernel
read from storage: getrusage(RUSAGE_CHILDREN).ru_inblock x 512, the read_bytes of
/proc/PID/io (the kernel keeps both from the same counter), so bytes served from the page
cache do not count. CPU_S is user + system time. The command's stdin, stdout and stderr
are this script's."""
import os
import resource
import subprocess
import sys
import time


def main():
    if len(sys.argv) < 4 or sys.argv[2] != "--":
        sys.exit(__doc__)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    rc = subprocess.call(sys.argv[3:])
    wall = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    rd = (after.ru_inblock - before.ru_inblock) * 512
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    with open(sys.argv[1], "w") as f:
        f.write("%.4f %d %.3f %d\n" % (wall, rd, cpu, rc))
    sys.exit(rc)


if __name__ == "__main__":
    os.environ.setdefault("LC_ALL", "C")
    main()
