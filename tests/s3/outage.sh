#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The object store goes down in the middle of a capture and comes back
# (tests/lib/s3-server: Ceph radosgw on 127.0.0.1, stopped and started again):
# the capture (libpcap path on lo, UDP at a steady rate from a local sender) goes on
# unaffected — received = written + drops exactly, every datagram sent is in the files —
# the backlog rises while radosgw is down (seen on /metrics), failures are counted, and
# once it is back the backlog drains by itself and every file arrives byte-identical.
# shellcheck source=../functional/lib.sh
source "$(dirname "$0")/../functional/lib.sh"
# shellcheck source=s3lib.sh
source "$(dirname "$0")/s3lib.sh"
require_cmd tcpdump curl

D=$T/o && mkdir "$D"
PORT=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
MPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
N=24000 # 2000 datagrams a second for 12 s, 1000 bytes each: about 24 MB, -C 1
mapfile -t UP < <(upload_args nodeO out)

metric() { # NAME: its value on /metrics
	curl -s "http://127.0.0.1:$MPORT/metrics" | awk -v n="$1" '$1 == n { print $2 }'
}

# Not under timeout(1): it would turn our SIGINT into a SIGKILL 5 s later, mid-drain.
"$LINECAP" capture -i lo -w "$D/cap.pcap" -C 1 -B 16384 "${UP[@]}" \
	--metrics "127.0.0.1:$MPORT" --upload-drain 150 --stats-json "$T/o.json" \
	"udp dst port $PORT" >"$LC_OUT" 2>"$LC_ERR" &
pid=$!
BG_PIDS+=("$pid")
wait_for "$LC_ERR" '^libpcap ' "$pid" "the libpcap capture on lo"

python3 - "$PORT" "$N" >"$T/sent" <<'PY' &
import socket, sys, time
port, n = int(sys.argv[1]), int(sys.argv[2])
rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
rx.bind(("127.0.0.1", port))
rx.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
rx.setblocking(False)
tx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
t0 = time.monotonic()
for i in range(n):
    tx.sendto(b"%08d" % i + b"x" * 992, ("127.0.0.1", port))
    while True:  # keep the receive buffer empty
        try:
            rx.recv(2048)
        except BlockingIOError:
            break
    due = t0 + (i + 1) / 2000.0
    d = due - time.monotonic()
    if d > 0:
        time.sleep(d)
print(n)
PY
sender=$!

sleep 2
"$S3_SERVER" stop-rgw "$S3D" || fail "cannot stop radosgw"
max_backlog=0
for _ in $(seq 40); do # 6 s of outage
	b=$(metric linecap_upload_backlog_files)
	[ -n "$b" ] && [ "$b" -gt "$max_backlog" ] && max_backlog=$b
	sleep 0.15
done
failures=$(metric linecap_upload_failures_total)
"$S3_SERVER" start-rgw "$S3D" || fail "cannot start radosgw again"
wait "$sender" || fail "the UDP sender failed"
[ "$(cat "$T/sent")" = "$N" ] || fail "the sender did not send $N datagrams"
sleep 0.5
kill -INT "$pid"
LC_RC=0
wait "$pid" || LC_RC=$?
BG_PIDS=()
LC_CMD="linecap capture -i lo ... --upload (outage)"
expect_rc 0

[ "$max_backlog" -ge 2 ] || fail "the backlog never rose above $max_backlog file(s) while radosgw was down"
[ "${failures:-0}" -ge 1 ] || fail "no failed upload counted while radosgw was down"
check_invariant "$T/o.json"
recv=$(json_get "$T/o.json" '.totals.received')
[ "$recv" -eq "$N" ] || fail "received $recv, sent $N"
[ "$(json_get "$T/o.json" '.totals.written')" -eq "$N" ] || fail "written is not $N"
files=$(json_get "$T/o.json" '.writers[0].files')
[ "$(json_get "$T/o.json" '.upload.files_uploaded')" = "$files" ] || fail "not all $files files uploaded"
[ "$(json_get "$T/o.json" '.upload.backlog_files')" = 0 ] || fail "backlog did not drain"
n=$(check_all_uploaded "$D" out nodeO)
[ "$n" -eq "$files" ] || fail "$n files in the store, $files written"
cat "$D"/cap.pcap* >/dev/null
got=0
for f in "$D"/cap.pcap*; do
	got=$((got + $(tcpdump -r "$f" -nn 2>/dev/null | wc -l)))
done
[ "$got" -eq "$N" ] || fail "the files hold $got packets, $N sent"
ok "radosgw down 6 s mid-capture: $N of $N packets written, backlog up to $max_backlog files, $failures failed attempts, then all $files files uploaded byte-identical"

passed_line
