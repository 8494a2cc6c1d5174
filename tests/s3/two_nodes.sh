#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Two nodes, one bucket prefix (Ceph radosgw on 127.0.0.1, tests/lib/s3-server): two
# linecap capture processes at the same time, --node nodeA and --node nodeB, different
# traffic (tcpreplay of two different generated files at 10 kpps, each into the loopback
# of its own network namespace; the captures overlap in time by over 1 s), -C 1 --index
# --upload to s3://BUCKET/two. Then:
#   1. each node's finished files and indexes are under two/NODE/, byte-identical (boto3,
#      tests/s3/s3cli.py, downloads every object);
#   2. `linecap query -r s3://BUCKET/two EXPR` is the union of both nodes in time order:
#      the same packets in the same order as mergecap of both nodes' local files piped
#      into tcpdump --time-stamp-precision=nano -r - -w - EXPR (compared as tcpdump -x
#      text, ns stamps), for
#      expressions of the recorder's table;
#   3. -r s3://BUCKET/two/nodeA -r NODE-B-DIR (an S3 URL and a local directory) gives
#      the same answer.
# shellcheck source=../functional/lib.sh
source "$(dirname "$0")/../functional/lib.sh"
# shellcheck source=s3lib.sh
source "$(dirname "$0")/s3lib.sh"
require_cmd mergecap tcpdump tcpreplay ip
HERE=$(cd "$(dirname "$0")/../functional" && pwd)

G=$T/gen && mkdir -p "$G" "$T/nodeA" "$T/nodeB"
python3 "$HERE/query_gen.py" "$G" 2 40000 3 # IPv4/IPv6, VLAN, UDP 53, ICMP, ARP...
S3Q=(--s3-endpoint "$S3_ENDPOINT")

# Each node is a linecap capture on the loopback of a network namespace of its own (the
# libpcap path), fed by tcpreplay at 10 kpps: the two captures run at the same time, so
# their packets interleave in time and the union is a real merge. tests/s3/ns_proxy.py
# relays the namespace's 127.0.0.1:PORT to the store's, so the same URL works there (the
# captures filter that port out: only the replayed traffic is captured).
# start NODE: the capture in the background (pid in CAP_PID[NODE]), output in $T/NODE.*
declare -A CAP_PID=()
start() {
	local node=$1 ns=lc$1$$ up
	lo_netns "$ns"
	# the store (127.0.0.1:PORT here) on the namespace's lo too
	python3 "$(dirname "$0")/ns_proxy.py" "$ns" "${S3_ENDPOINT##*:}" >"$T/$node.proxy" 2>&1 &
	BG_PIDS+=("$!")
	wait_for "$T/$node.proxy" '^ready' "$!" "the relay into $ns"
	mapfile -t up < <(upload_args "$node" two)
	ip netns exec "$ns" timeout -k 5 240 "$LINECAP" capture -i lo -C 1 --index \
		-w "$T/$node/cap.pcap" "${up[@]}" --stats-json "$T/$node.json" \
		-f "not tcp port ${S3_ENDPOINT##*:}" >"$T/$node.out" 2>"$T/$node.err" &
	BG_PIDS+=("$!")
	CAP_PID[$node]=$!
	wait_for "$T/$node.err" '^libpcap ' "$!" "the capture of $node"
}
send() { ip netns exec "lc$1$$" tcpreplay -q -i lo --pps 10000 "$2" >"$T/$1.replay" 2>&1; }
start nodeA
start nodeB
send nodeA "$G/gen-0.pcap" &
sa=$!
send nodeB "$G/gen-1.pcap" || fail "tcpreplay into nodeB failed"
wait "$sa" || fail "tcpreplay into nodeA failed"
sleep 0.5
for node in nodeA nodeB; do
	pid=${CAP_PID[$node]}
	kill -INT "$(pgrep -n -P "$pid")" 2>/dev/null || true
	rc=0
	wait "$pid" || rc=$?
	mapfile -t BG_PIDS < <(printf '%s\n' "${BG_PIDS[@]}" | grep -vx "$pid") # the relays stay
	[ "$rc" = 0 ] || { show "$T/$node.err"; fail "$node: capture exit $rc"; }
	check_invariant "$T/$node.json"
	[ "$(json_get "$T/$node.json" '.totals.written')" -ge 15000 ] ||
		fail "$node: only $(json_get "$T/$node.json" '.totals.written') packets of ~20000 captured"
	files=$(json_get "$T/$node.json" '.writers[0].files')
	[ "$(json_get "$T/$node.json" '.upload.files_uploaded')" = "$files" ] ||
		fail "$node: $(json_get "$T/$node.json" '.upload.files_uploaded') of $files files uploaded"
	n=$(check_all_uploaded "$T/$node" two "$node")
	[ "$n" -eq "$files" ] || fail "$node: $n capture files in the store, $files written"
	[ "$(find "$T/$node" -name '*.idx' | wc -l)" -eq "$files" ] || fail "$node: not one index per file"
done
# the two captures overlap in time by most of their 2 s
span() { # NODE: first and last time stamp (s) of its files
	# shellcheck disable=SC2046
	mergecap -F pcap -w - $(find "$T/$1" -maxdepth 1 -type f -name 'cap.pcap*' ! -name '*.idx') |
		tcpdump -r - -tt -nn 2>/dev/null | awk 'NR == 1 { f = $1 } { l = $1 } END { print f, l }'
}
read -r a0 a1 < <(span nodeA)
read -r b0 b1 < <(span nodeB)
awk -v a0="$a0" -v a1="$a1" -v b0="$b0" -v b1="$b1" \
	'BEGIN { lo = a0 > b0 ? a0 : b0; hi = a1 < b1 ? a1 : b1; exit !(hi - lo >= 1) }' ||
	fail "the two captures do not overlap by 1 s: nodeA $a0..$a1, nodeB $b0..$b1"
ok "two captures at once (--node nodeA, nodeB, different traffic): every file and index under two/NODE/, byte-identical (boto3)"

txt() { tcpdump -r "$1" -tt -nn -x --time-stamp-precision=nano 2>/dev/null; }
# Stamps that go back in a node's files, in rotation order. The libpcap path keeps the
# kernel's stamps, which go back now and then when the kernel hands one sender's packets
# to the socket from two CPUs. Then "time order" has no single meaning: mergecap + tcpdump
# weighs the packets the expression rejects as well, linecap's merge only the matching
# ones (docs/CLI.md), so the order may differ there and only the packets are compared.
BACK=0
for node in nodeA nodeB; do
	# shellcheck disable=SC2046
	b=$(for f in $(find "$T/$node" -maxdepth 1 -type f -name 'cap.pcap*' ! -name '*.idx' | sort -V); do
		tcpdump -r "$f" -tt -nn --time-stamp-precision=nano 2>/dev/null; done |
		awk '{ s = $1 ""; if (NR > 1 && s < p) b++; p = s } END { print b + 0 }')
	BACK=$((BACK + b))
done
# same_answer A B: the same records in the same order, or, when stamps went back, the same records
same_answer() {
	cmp -s "$1" "$2" && return 0
	[ "$BACK" -gt 0 ] || return 1
	one_per_line() { awk '/^[0-9]/ { if (r != "") print r; r = $0; next } { r = r " " $0 } END { if (r != "") print r }' "$1" | sort; }
	cmp -s <(one_per_line "$1") <(one_per_line "$2") || return 1
	echo "note: $BACK stamps go back in the captures: '$expr' compared as the same packets, not the same order"
}
# oracle EXPR...: mergecap of both nodes' local capture files, then tcpdump EXPR. mergecap
# 4.0 takes the LAST of equal stamps first, linecap the first in input order (nodeA's
# files, then nodeB's, by name): the oracle gets the files in reverse (as query_exact).
oracle() {
	# shellcheck disable=SC2046 # the file names have no spaces
	mergecap -F nsecpcap -w - $(find "$T/nodeA" "$T/nodeB" -maxdepth 1 -type f -name 'cap.pcap*' ! -name '*.idx' | sort -V -r) |
		tcpdump --time-stamp-precision=nano -r - -w "$T/o.pcap" "$@" 2>/dev/null
	txt "$T/o.pcap" >"$T/o.txt"
}

# run_case EXPR: the query over the bucket prefix = the oracle (and over S3 + a local dir)
run_case() {
	local expr=$1 n
	# shellcheck disable=SC2086 # the expression is words
	"$LINECAP" query -r "s3://$S3_BUCKET/two" "${S3Q[@]}" -w "$T/q.pcap" $expr 2>"$T/q.err" ||
		{ show "$T/q.err"; fail "'$expr': query over S3 failed"; }
	# shellcheck disable=SC2086
	oracle $expr
	txt "$T/q.pcap" >"$T/q.txt"
	same_answer "$T/q.txt" "$T/o.txt" ||
		{ diff "$T/o.txt" "$T/q.txt" | head -10 || true; fail "'$expr': the answer over two/ is not mergecap + tcpdump's"; }
	n=$(grep -c '^[0-9]' "$T/q.txt" || true)
	[ "$n" -gt 0 ] || fail "'$expr' matched nothing: the traffic does not exercise it"
	# both nodes are in the answer
	for node in nodeA nodeB; do
		# shellcheck disable=SC2086
		"$LINECAP" query -r "$T/$node" -w "$T/one.pcap" $expr 2>/dev/null || fail "local query on $node failed"
		[ "$(txt "$T/one.pcap" | grep -c '^[0-9]' || true)" -gt 0 ] || fail "'$expr': $node has no packet of it"
	done
	# shellcheck disable=SC2086
	"$LINECAP" query -r "s3://$S3_BUCKET/two/nodeA" -r "$T/nodeB" "${S3Q[@]}" -w "$T/mix.pcap" $expr \
		2>"$T/mix.err" || { show "$T/mix.err"; fail "'$expr': -r S3 -r LOCAL failed"; }
	txt "$T/mix.pcap" >"$T/mix.txt"
	same_answer "$T/mix.txt" "$T/o.txt" || fail "'$expr': -r s3://.../two/nodeA -r LOCAL differs from the oracle"
	ok "'${expr:-(all)}': $n packets from both nodes, over s3://BUCKET/two = -r s3://.../nodeA -r LOCAL = mergecap + tcpdump"
}
run_case ""
run_case "tcp"
run_case "udp and port 53"
run_case "ip6"
run_case "not tcp"
run_case "vlan"

passed_line
