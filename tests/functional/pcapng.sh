#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# -F pcapng: one SHB (OS, hardware, application), one IDB per port and queue
# (name, description, if_tsresol), one EPB per packet with its interface id,
# one ISB per interface at close. Read back with capinfos, tshark (also its pcapng block
# dissector) and libpcap. The ISB is judged by what tshark finds in the file, not by
# linecap's own JSON: isb_ifrecv - isb_ifdrop = the EPBs of that interface (no filter)
# = the packets of the input file, and isb_filteraccept = isb_ifrecv.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_cmd tshark capinfos

IN=$T/in.pcap
IN2=$T/in2.pcap
N=3000
N2=1700
check "$PCAPCHECK" gen-flows "$IN" 40 "$N" 31
check "$PCAPCHECK" gen-flows "$IN2" 25 "$N2" 32

# capinfos_has FILE REGEX: a line of `capinfos FILE` matches (extended regex).
capinfos_has() {
	if ! grep -Eq "$2" "$1.capinfos"; then
		show "$1.capinfos" 60
		fail "capinfos $1: no line matching /$2/"
	fi
}

# isb FILE FIELD: the values of one ISB option, one line per ISB, from tshark's
# pcapng block dissector (the whole file is one "frame" in that mode).
isb() {
	tshark -r "$1" -X read_format:"MIME Files Format" -T fields -E occurrence=a -E separator=, \
		-e "pcapng.options.option.data.interface.$2" 2>/dev/null | tr ',' '\n' | grep -v '^$' || true
}

# epbs FILE IFACE: how many EPBs (packets) of interface IFACE tshark reads in FILE
epbs() {
	tshark -r "$1" -Y "frame.interface_id == $2" -T fields -e frame.number 2>/dev/null | wc -l
}

# 1. one port: the packets, the blocks, the counters
OUT=$T/one.pcapng
t0=$(date +%s)
lc 60 capture -i "net_pcap0,rx_pcap=$IN" -w "$OUT" -F pcapng -c "$N" --duration 30 -q \
	--stats-json "$T/one.json" --eal "$EAL"
expect_rc 0
t1=$(date +%s)
check_invariant "$T/one.json"
check "$PCAPCHECK" same "$IN" "$OUT"
check "$PCAPCHECK" monotonic "$OUT"
capinfos "$OUT" >"$OUT.capinfos" 2>&1 || { show "$OUT.capinfos"; fail "capinfos cannot read $OUT"; }
capinfos_has "$OUT" '^File type: +Wireshark/\.\.\. - pcapng'
capinfos_has "$OUT" '^Number of packets: +3000$'
capinfos_has "$OUT" '^Number of interfaces in file: 1$'
capinfos_has "$OUT" '^ +Name = net_pcap0$'
capinfos_has "$OUT" "^ +Description = net_pcap0,rx_pcap=.*in\\.pcap \\(net_pcap, port 0, queue 0\\)\$"
capinfos_has "$OUT" '^ +Time precision = nanoseconds \(9\)$'
capinfos_has "$OUT" '^ +Capture length = 262144$'
capinfos_has "$OUT" '^ +Number of stat entries = 1$'
capinfos_has "$OUT" '^Capture application: +linecap [0-9]'
capinfos_has "$OUT" "^Capture oper-sys: +$(uname -s) $(uname -r | sed 's/[.+]/\\&/g')\$"
capinfos_has "$OUT" '^Capture hardware: +.'
if grep -q 'Filter string' "$OUT.capinfos"; then fail "if_filter written without a filter"; fi
# every packet stamped during the run (wall clock, ns resolution)
read -r first last < <(tshark -r "$OUT" -T fields -e frame.time_epoch 2>/dev/null |
	awk 'NR==1{f=$1} {l=$1} END{print f, l}')
[ "${first%%.*}" -ge "$t0" ] && [ "${last%%.*}" -le "$t1" ] ||
	fail "packet times $first..$last are not within the run ($t0..$t1)"
[ "$(tshark -r "$OUT" -T fields -e frame.time_epoch 2>/dev/null | grep -c '\.[0-9]\{9\}$')" -eq "$N" ] ||
	fail "tshark does not show nanosecond timestamps for every packet"
# the ISB against the file itself: EPBs counted by tshark, and the input's packets
n_epb=$(epbs "$OUT" 0)
n_in=$("$PCAPCHECK" count "$IN")
r=$(isb "$OUT" received)
d=$(isb "$OUT" dropped)
[[ $r =~ ^[0-9]+$ && $d =~ ^[0-9]+$ ]] || fail "ISB isb_ifrecv '$r', isb_ifdrop '$d': not one number each"
[ "$n_epb" -eq "$n_in" ] || fail "tshark reads $n_epb EPBs, the input has $n_in packets"
[ $((r - d)) -eq "$n_epb" ] || fail "ISB isb_ifrecv $r - isb_ifdrop $d != $n_epb EPBs in the file (tshark)"
[ "$r" -eq "$n_in" ] || fail "ISB isb_ifrecv $r, but the input has $n_in packets (net_pcap sends each once)"
[ "$(isb "$OUT" accepted_by_filter)" = "$r" ] ||
	fail "ISB isb_filteraccept '$(isb "$OUT" accepted_by_filter)', expected $r (no filter)"
ok "one port: pcapng read by libpcap, capinfos and tshark; ISB recv $r - drop $d = $n_epb EPBs (tshark) = the input's packets; accepted $r"

# 2. two ports, one writer: two IDBs, each EPB on its own interface
OUT=$T/two.pcapng
lc 60 capture -i "net_pcap0,rx_pcap=$IN" -i "net_pcap1,rx_pcap=$IN2" -w "$OUT" -F pcapng \
	-c $((N + N2)) --duration 30 -q --stats-json "$T/two.json" --eal "$EAL"
expect_rc 0
check_invariant "$T/two.json"
capinfos "$OUT" >"$OUT.capinfos" 2>&1 || { show "$OUT.capinfos"; fail "capinfos cannot read $OUT"; }
capinfos_has "$OUT" '^Number of interfaces in file: 2$'
capinfos_has "$OUT" '^ +Name = net_pcap1$'
for i in 0 1; do
	want=$N src=$IN
	[ "$i" -eq 0 ] || { want=$N2 src=$IN2; }
	tshark -r "$OUT" -Y "frame.interface_id == $i" -F nsecpcap -w "$T/if$i.pcap" 2>/dev/null ||
		fail "tshark cannot split $OUT by interface"
	check "$PCAPCHECK" same "$src" "$T/if$i.pcap"
	got=$(epbs "$OUT" "$i")
	r=$(isb "$OUT" received | sed -n "$((i + 1))p")
	d=$(isb "$OUT" dropped | sed -n "$((i + 1))p")
	[[ $r =~ ^[0-9]+$ && $d =~ ^[0-9]+$ ]] || fail "ISB $i: isb_ifrecv '$r', isb_ifdrop '$d'"
	[ $((r - d)) -eq "$got" ] || fail "ISB $i isb_ifrecv $r - isb_ifdrop $d != $got EPBs of interface $i (tshark)"
	[ "$got" -eq "$want" ] && [ "$r" -eq "$want" ] ||
		fail "interface $i: $got EPBs, ISB isb_ifrecv $r; the input has $want packets"
done
ok "two ports: interface 0 holds exactly ${IN##*/}, interface 1 exactly ${IN2##*/}; each ISB matches its EPBs (tshark)"

# 3. --tstamp-precision micro: if_tsresol 6
OUT=$T/micro.pcapng
lc 60 capture -i "net_pcap0,rx_pcap=$IN" -w "$OUT" -F pcapng --tstamp-precision micro -c "$N" \
	--duration 30 -q --eal "$EAL"
expect_rc 0
capinfos "$OUT" >"$OUT.capinfos" 2>&1 || fail "capinfos cannot read $OUT"
capinfos_has "$OUT" '^ +Time precision = microseconds \(6\)$'
check "$PCAPCHECK" same "$IN" "$OUT"
check "$PCAPCHECK" monotonic "$OUT"
ok "--tstamp-precision micro: if_tsresol 6, same packets"

# 4. --queues 2: one file per writer, each a whole pcapng section, flows kept whole
lc 60 capture -i "net_pcap0,rx_pcap=$IN" -w "$T/q-%q.pcapng" -F pcapng --queues 2 -c "$N" \
	--duration 30 -q --stats-json "$T/q.json" --eal "$EAL"
expect_rc 0
check_invariant "$T/q.json"
check "$PCAPCHECK" flows "$IN" "$T/q-0.pcapng" "$T/q-1.pcapng"
for f in "$T/q-0.pcapng" "$T/q-1.pcapng"; do
	capinfos "$f" >"$f.capinfos" 2>&1 || fail "capinfos cannot read $f"
	capinfos_has "$f" '^Number of interfaces in file: 1$'
done
ok "--queues 2: two pcapng files, flows whole"

# 5. the stream: -w - -F pcapng read from a pipe by tshark
set +e
timeout -k 5 60 "$LINECAP" capture -i "net_pcap0,rx_pcap=$IN" -w - -F pcapng -c "$N" --duration 30 \
	-q --eal "$EAL" 2>"$LC_ERR" | tshark -r - -T fields -e frame.number >"$T/pipe.out" 2>"$T/pipe.err"
rcs=("${PIPESTATUS[@]}")
set -e
[ "${rcs[0]}" -eq 0 ] && [ "${rcs[1]}" -eq 0 ] || { show "$LC_ERR"; show "$T/pipe.err"; fail "linecap -w - -F pcapng | tshark -r -: statuses ${rcs[*]}"; }
[ "$(wc -l <"$T/pipe.out")" -eq "$N" ] || fail "tshark read $(wc -l <"$T/pipe.out") packets from the pipe, expected $N"
ok "-w - -F pcapng | tshark -r -: $N packets"

# 6. a bad -F is a usage error
lc 30 capture -i "net_pcap0,rx_pcap=$IN" -w "$T/x" -F pcapx --eal "$EAL"
expect_rc 2
grep -q "^linecap: -F 'pcapx': expected pcap or pcapng$" "$LC_ERR" || { show "$LC_ERR"; fail "no one-line -F error"; }
ok "-F pcapx: exit 2, one line"

passed_line
