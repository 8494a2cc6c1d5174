#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Light traffic reaches the medium within --flush-ms (default 1000 ms), on
# both paths, with O_DIRECT where the file system allows it:
#  1. DPDK path: `linecap replay --pps 100` into a net_memif capture (pcap);
#  2. libpcap path: tcpreplay --pps 100 into a veth whose peer linecap
#     captures (pcapng).
# While each capture runs, the output file is copied every 0.25 s. At the
# end, every copy is read with tcpdump -r and compared with the final file:
# a copy taken at time T holds every packet the final file stamps before
# T - 1.25 s (1 s of --flush-ms plus scheduling slack), read to its end
# without a truncated record, and nothing but a prefix of the final file.
# Without the flush the copies would hold no packet (1 MiB blocks, ~7 KB/s).
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=replay_lib.sh
source "$(dirname "$0")/replay_lib.sh"
require_cmd tcpdump tcpreplay python3 ip

N=700 # 7 s at 100 packets/s
IN=$T/in.pcap
python3 - "$IN" "$N" <<'PY' || fail "cannot generate $IN"
import struct, sys
out, n = sys.argv[1], int(sys.argv[2])
with open(out, "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    for i in range(n):
        # to a unicast MAC of nobody, numbered; IPv4/UDP-ish payload
        pkt = bytes.fromhex("020000000002020000000001" "0800") + struct.pack(">I", i) + bytes(46)
        f.write(struct.pack("<IIII", 1, i, len(pkt), len(pkt)) + pkt)
PY

# sample FILE DIR SECONDS: copy FILE to DIR/snap-K every 0.25 s for SECONDS; the
# wall-clock time of each copy goes to DIR/times (one line per copy).
sample() {
	python3 - "$@" <<'PY'
import os, shutil, sys, time
f, d, secs = sys.argv[1], sys.argv[2], float(sys.argv[3])
os.makedirs(d, exist_ok=True)
end = time.time() + secs
k = 0
with open(os.path.join(d, "times"), "w") as tf:
    while time.time() < end:
        time.sleep(0.25)
        t = time.time()
        if not os.path.exists(f):
            continue
        shutil.copyfile(f, os.path.join(d, "snap-%d" % k))
        tf.write("%d %.6f\n" % (k, t))
        tf.flush()
        k += 1
PY
}

# judge FINAL DIR WHAT: every copy against the final file (see the header).
judge() {
	local final=$1 d=$2 what=$3 k t
	tcpdump -r "$final" -tt -nn -q 2>"$d/final.err" | awk '{ print $1 }' >"$d/final.ts" ||
		{ show "$d/final.err"; fail "$what: tcpdump -r cannot read the final file"; }
	[ "$(wc -l <"$d/final.ts")" -eq "$N" ] || fail "$what: final file holds $(wc -l <"$d/final.ts") packets, expected $N"
	while read -r k t; do
		if [ ! -s "$d/snap-$k" ]; then
			: >"$d/snap-$k.ts" # not even the file header yet
		elif ! tcpdump -r "$d/snap-$k" -tt -nn -q 2>"$d/snap-$k.err" | awk '{ print $1 }' >"$d/snap-$k.ts"; then
			show "$d/snap-$k.err"
			fail "$what: the copy taken at $t does not read to its end (a record split at a flush?)"
		fi
		grep -q 'truncated' "$d/snap-$k.err" && { show "$d/snap-$k.err"; fail "$what: copy $k ends inside a record"; }
		echo "$k $t"
	done <"$d/times" >"$d/read"
	python3 - "$d" "$what" <<'PY'
import sys
d, what = sys.argv[1], sys.argv[2]
final = [float(x) for x in open(d + "/final.ts")]
checked = 0
for line in open(d + "/read"):
    k, t = line.split()
    t = float(t)
    snap = [float(x) for x in open("%s/snap-%s.ts" % (d, k))]
    need = sum(1 for x in final if x < t - 1.25)
    if snap != final[:len(snap)]:
        sys.exit("FAIL: %s: copy %s is not a prefix of the final file" % (what, k))
    if len(snap) < need:
        late = [x for x in final[len(snap):] if x < t - 1.25]
        sys.exit("FAIL: %s: the copy taken at %.3f holds %d packets; the final file has %d stamped "
                 "more than 1.25 s before it (oldest missing: %.3f s old)"
                 % (what, t, len(snap), need, t - late[0]))
    if need > 0:
        checked += 1
if checked < 8:
    sys.exit("FAIL: %s: only %d copies were taken while packets older than 1.25 s existed" % (what, checked))
print("  %s: %d copies, each holds every packet stamped more than 1.25 s before it was taken" % (what, checked))
PY
}

# 1. DPDK path: net_memif, pcap, O_DIRECT on the test's directory (not tmpfs).
OUT=$T/memif.pcap
memif_capture "socket=$T/flush.sock" "$OUT" "$N" 40 --stats-json "$T/memif.json"
LC_CMD="$(qcmd "$LINECAP" replay -i "net_memif0,role=client,socket=$T/flush.sock" -r "$IN" --pps 100)"
timeout -k 5 60 "$LINECAP" replay -i "net_memif0,role=client,socket=$T/flush.sock" -r "$IN" --pps 100 \
	-q --lcores "$REPLAY_LCORES" --eal "$EAL" >"$T/replay.out" 2>"$T/replay.err" &
RPID=$!
BG_PIDS+=("$RPID")
sample "$OUT" "$T/s1" 6.5
wait "$RPID" || { show "$T/replay.err"; fail "replay failed: $LC_CMD"; }
memif_capture_wait
check_invariant "$T/memif.json"
grep -q "O_DIRECT" "$T/cap.err" || echo "  (the file system refused O_DIRECT: buffered writes)"
check "$PCAPCHECK" valid "$OUT" --count "$N"
judge "$OUT" "$T/s1" "DPDK path (net_memif, pcap)"
ok "DPDK path: packets on the medium within --flush-ms at 100 packets/s"

# 2. libpcap path: veth pair in a namespace, tcpreplay --pps 100, pcapng.
NS=lcflush$$
veth_netns "$NS" fla flb
OUT=$T/veth.pcapng
LC_CMD="$(qcmd "$LINECAP" capture -i flb -w "$OUT" -F pcapng -c "$N" --duration 40 -q)"
ip netns exec "$NS" timeout -k 5 60 "$LINECAP" capture -i flb -w "$OUT" -F pcapng -c "$N" \
	--duration 40 -q --stats-json "$T/veth.json" >"$LC_OUT" 2>"$LC_ERR" &
CPID=$!
BG_PIDS+=("$CPID")
wait_for "$LC_ERR" '^plan:|^source:' "$CPID" "the libpcap capture ($LC_CMD)"
sleep 0.5
ip netns exec "$NS" timeout -k 5 60 tcpreplay -i fla --pps 100 "$IN" >"$T/tcpreplay.out" 2>&1 &
RPID=$!
BG_PIDS+=("$RPID")
sample "$OUT" "$T/s2" 6.5
wait "$RPID" || { show "$T/tcpreplay.out"; fail "tcpreplay failed"; }
rc=0
wait "$CPID" || rc=$?
[ "$rc" -eq 0 ] || { show "$LC_ERR"; fail "libpcap capture exit $rc: $LC_CMD"; }
check_invariant "$T/veth.json"
judge "$OUT" "$T/s2" "libpcap path (veth, pcapng)"
ok "libpcap path: packets on the medium within --flush-ms at 100 packets/s"
passed_line
