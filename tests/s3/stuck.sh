#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# A store that accepts connections and then stops answering (radosgw SIGSTOPped: the
# kernel still completes the handshakes, nothing is read), while a capture drains its
# uploads: a second Ctrl-C cuts the drain short within seconds (the request in flight is
# cancelled, not left to its 300 s timeout), the capture's own figures are exact and the
# files not uploaded are counted as the backlog. Once the store answers again, the next
# run finds them (the restart scan) and every file arrives, byte-identical, once.
# shellcheck source=../functional/lib.sh
source "$(dirname "$0")/../functional/lib.sh"
# shellcheck source=s3lib.sh
source "$(dirname "$0")/s3lib.sh"
require_cmd tcpdump

D=$T/s && mkdir "$D"
W="$D/cap-%s.pcap"
PORT=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
N=6000 # 2000 datagrams a second for 3 s, 1000 bytes each: about 6 MB, -C 1
mapfile -t UP < <(upload_args nodeS st)
rgw=$(cat "$S3D/run/rgw.pid")
resume_rgw() { kill -CONT "$rgw" 2>/dev/null || true; s3_cleanup; }
trap resume_rgw EXIT

# Not under timeout(1): it would turn our SIGINT into a SIGKILL 5 s later, mid-drain.
"$LINECAP" capture -i lo -w "$W" -G 1 -C 1 -B 16384 "${UP[@]}" --upload-drain 300 \
	--stats-json "$T/s1.json" "udp dst port $PORT" >"$LC_OUT" 2>"$LC_ERR" &
pid=$!
BG_PIDS+=("$pid")
wait_for "$LC_ERR" '^libpcap ' "$pid" "the libpcap capture on lo"
kill -STOP "$rgw" || fail "cannot stop radosgw"

python3 - "$PORT" "$N" <<'PY' || fail "the UDP sender failed"
import socket, sys, time
port, n = int(sys.argv[1]), int(sys.argv[2])
rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
rx.bind(("127.0.0.1", port))
rx.setblocking(False)
tx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
t0 = time.monotonic()
for i in range(n):
    tx.sendto(b"%08d" % i + b"x" * 992, ("127.0.0.1", port))
    try:
        while True:
            rx.recv(2048)
    except BlockingIOError:
        pass
    d = t0 + (i + 1) / 2000.0 - time.monotonic()
    if d > 0:
        time.sleep(d)
PY
sleep 0.5
kill -INT "$pid" # stops the capture; the drain begins and hangs on the stopped store
sleep 3
kill -0 "$pid" 2>/dev/null || { show "$LC_ERR"; fail "the capture did not wait for its uploads (no drain)"; }
t0=$(date +%s%N)
kill -INT "$pid" # cuts the drain
LC_RC=0
for _ in $(seq 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
kill -0 "$pid" 2>/dev/null && { kill -KILL "$pid"; fail "a second SIGINT did not end the drain within 10 s"; }
wait "$pid" || LC_RC=$?
BG_PIDS=()
ms=$((($(date +%s%N) - t0) / 1000000))
LC_CMD="linecap capture -i lo ... --upload (store stopped, drain cut)"
expect_rc 0
grep -q 'drain cut short by a signal' "$LC_ERR" || { show "$LC_ERR"; fail "no line about the cut drain"; }
check_invariant "$T/s1.json"
[ "$(json_get "$T/s1.json" '.totals.received')" -eq "$N" ] || fail "received is not $N"
files=$(json_get "$T/s1.json" '.writers[0].files')
up=$(json_get "$T/s1.json" '.upload.files_uploaded')
left=$(json_get "$T/s1.json" '.upload.backlog_files')
[ "$left" -ge 1 ] || fail "no backlog left although the store was stopped"
[ $((up + left)) -eq "$files" ] || fail "uploaded $up + backlog $left != $files files"
ok "store stopped: the drain ended ${ms} ms after the second SIGINT, $left of $files files left as the backlog"

find "$D" -maxdepth 1 -type f -name 'cap-*' ! -name '*.idx' >"$T/run1.files"
kill -CONT "$rgw" || fail "cannot resume radosgw"
last=$(find "$D" -maxdepth 1 -name 'cap-*' -printf '%f\n' | sed -n 's/^cap-\([0-9]*\)\.pcap.*/\1/p' | sort -n | tail -1)
while [ "$(date +%s)" -le "${last:-0}" ]; do sleep 0.2; done
lc 120 capture -i net_null0 -w "$W" -G 1 -C 1 -c 1000 "${UP[@]}" --stats-json "$T/s2.json" \
	--eal "$EAL" -q
expect_rc 0
f2=$(json_get "$T/s2.json" '.writers[0].files')
up2=$(json_get "$T/s2.json" '.upload.files_uploaded')
[ "$up2" -eq $((left + f2)) ] || fail "the next run uploaded $up2 files, expected the $left left + its own $f2"
n=$(check_all_uploaded "$D" st nodeS)
[ "$n" -eq $((files + f2)) ] || fail "$n files in the store, $((files + f2)) written"
got=0
while read -r f; do
	got=$((got + $(tcpdump -r "$f" -nn 2>/dev/null | wc -l)))
done <"$T/run1.files"
[ "$got" -eq "$N" ] || fail "the first run's files hold $got packets, $N sent"
ok "store back: the next run uploaded the $left files left and its own $f2; all $n objects byte-identical"

passed_line
