#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# linecap query -r s3://BUCKET/PREFIX[/NODE] against a real object store (Ceph radosgw
# on 127.0.0.1, tests/lib/s3-server): generated many-flow files and their indexes, two
# "nodes" of two files each. For expressions and time
# windows, the answer over the bucket prefix is byte-identical to the same query on the
# local files, and the same packets in the same order as the oracle (mergecap + tcpdump);
# -r mixing an S3 node and a local directory gives the same answer; a one-flow query on
# many-flow traffic fetches at most 5 % of the bytes stored; a corrupt object is skipped.
# Objects are put there with boto3 (tests/s3/s3cli.py), independently of linecap.
# shellcheck source=../functional/lib.sh
source "$(dirname "$0")/../functional/lib.sh"
# shellcheck source=s3lib.sh
source "$(dirname "$0")/s3lib.sh"
require_cmd mergecap editcap tcpdump
HERE=$(cd "$(dirname "$0")/../functional" && pwd)
BASE=1796083200

G=$T/gen && mkdir -p "$G" "$T/n2"
python3 "$HERE/query_gen.py" "$G" 4 40000 3 # the seed of query_exact.sh: its hosts and ports
"$LINECAP" index -q --unit-kib 16 --bloom-bytes 512 "$G"/gen-* || fail "linecap index failed"
cp "$G"/gen-2.pcap* "$G"/gen-3.pcap* "$T/n2/"

for i in 0 1 2 3; do
	node=node1
	[ $i -lt 2 ] || node=node2
	s3_put "$G/gen-$i.pcap" "q/$node/gen-$i.pcap"
	s3_put "$G/gen-$i.pcap.idx" "q/$node/gen-$i.pcap.idx"
done
S3Q=(--s3-endpoint "$S3_ENDPOINT")

# run_case NAME SINCE UNTIL EXPR: S3 == local == oracle
run_case() {
	local name=$1 since=$2 until=$3 expr=$4 args=() s_ns=- u_ns=-
	[ "$since" = - ] || { args+=(--since "$since"); s_ns=${since%.*}000000000; }
	[ "$until" = - ] || { args+=(--until "$until"); u_ns=${until%.*}000000000; }
	# shellcheck disable=SC2086
	"$LINECAP" query -r "s3://$S3_BUCKET/q" "${S3Q[@]}" "${args[@]}" -w "$T/s3.pcap" $expr \
		2>"$T/s3.err" || { show "$T/s3.err"; fail "$name: query over S3 failed"; }
	# shellcheck disable=SC2086
	"$LINECAP" query -r "$G" "${args[@]}" -w "$T/local.pcap" $expr 2>"$T/local.err" ||
		{ show "$T/local.err"; fail "$name: local query failed"; }
	cmp -s "$T/s3.pcap" "$T/local.pcap" || fail "$name: the answer over S3 differs from the local one"
	# shellcheck disable=SC2086,SC2012
	mergecap -F nsecpcap -w - $(ls -r "$G"/gen-*.pcap) | tcpdump -r - -w "$T/o1.pcap" $expr 2>/dev/null
	python3 "$HERE/query_window.py" "$T/o1.pcap" "$T/oracle.pcap" "$s_ns" "$u_ns"
	tcpdump -r "$T/s3.pcap" -tt -nn -x --time-stamp-precision=nano >"$T/q.txt" 2>/dev/null
	tcpdump -r "$T/oracle.pcap" -tt -nn -x --time-stamp-precision=nano >"$T/o.txt" 2>/dev/null
	cmp -s "$T/q.txt" "$T/o.txt" || { diff "$T/o.txt" "$T/q.txt" | head -10; fail "$name: S3 answer and oracle differ"; }
	ok "$name: $(grep -c '^[0-9]' "$T/q.txt" || true) packets, over S3 = local = oracle"
}
run_case all - - ""
run_case window "$((BASE + 1))" "$((BASE + 12))" ""
run_case host - - "host 10.1.0.77"
run_case host-port - - "host 10.1.6.46 and port 51604"
run_case host-window "$((BASE + 5))" "$((BASE + 30))" "host 10.2.0.3"
run_case udp53 - - "udp and port 53"
run_case ip6-tcp80 - - "ip6 and tcp port 80"
run_case not-tcp - - "not tcp"

# A one-flow query on many-flow traffic (bench/query/flowgen.py: IMIX, 60000 flows over
# 120000 packets, shuffled: the hard case for the index) fetches <= 5 % of the bytes
# stored. Four files of 30000 packets (editcap -c), indexed with the defaults of
# `capture --index` (256 KiB units, 4 KiB Bloom filters), under q-mf/nodeF/. What the
# query fetches: each file's index whole (its entries' CRC covers them all), the first
# 4 KiB (pcap header, the index's head CRC), and the candidate units, adjacent ones in
# one Range GET and none of the head again.
F=$T/mf && mkdir -p "$F"
python3 "$HERE/../../bench/query/flowgen.py" "$T/mf.pcap" 120000 60000 imix "$T/flows.txt" 7 >/dev/null ||
	fail "flowgen.py failed"
editcap -F pcap -c 30000 "$T/mf.pcap" "$F/mf.pcap" || fail "editcap failed"
"$LINECAP" index -q "$F"/mf_* || fail "linecap index failed"
for f in "$F"/mf_*; do
	s3_put "$f" "q-mf/nodeF/$(basename "$f")"
done
read -r fip fport < <(sed -n 1000p "$T/flows.txt")
"$LINECAP" query -r "s3://$S3_BUCKET/q-mf" "${S3Q[@]}" -w "$T/one.pcap" host "$fip" and port "$fport" \
	2>"$T/one.err" || { show "$T/one.err"; fail "one-flow query failed"; }
"$LINECAP" query -r "$F" -w "$T/one-local.pcap" host "$fip" and port "$fport" 2>/dev/null ||
	fail "one-flow query on the local files failed"
cmp -s "$T/one.pcap" "$T/one-local.pcap" || fail "one-flow query: over S3 differs from local"
npk=$(tcpdump -r "$T/one.pcap" -nn 2>/dev/null | wc -l)
[ "$npk" -ge 1 ] || fail "one-flow query matched nothing: the flow is not in the traffic"
line=$(grep 'fetched [0-9]* of [0-9]* bytes stored' "$T/one.err") || { show "$T/one.err"; fail "no 'fetched' line"; }
fetched=$(sed -n 's/.*fetched \([0-9]*\) of.*/\1/p' <<<"$line")
stored=$(sed -n 's/.* of \([0-9]*\) bytes stored.*/\1/p' <<<"$line")
capbytes=$(find "$F" -name 'mf_*' ! -name '*.idx' -printf '%s\n' | awk '{ s += $1 } END { print s }')
[ "$stored" = "$capbytes" ] || fail "'bytes stored' $stored is not the capture files' $capbytes bytes"
pct=$(awk -v f="$fetched" -v s="$stored" 'BEGIN { printf "%.2f", 100 * f / s }')
echo "  ${line#*: query: }"
[ $((fetched * 100)) -le $((stored * 5)) ] ||
	fail "a one-flow query fetched $fetched of $stored bytes stored: $pct % > 5 %"
ok "one-flow query (host $fip and port $fport, $npk packets) on 60000-flow IMIX traffic: fetched $fetched of $stored bytes stored ($pct % <= 5 %), the same answer as locally"

# -r mixing an S3 node and a local directory
"$LINECAP" query -r "s3://$S3_BUCKET/q/node1" -r "$T/n2" "${S3Q[@]}" -w "$T/mix.pcap" tcp 2>"$T/mix.err" ||
	{ show "$T/mix.err"; fail "mixed query failed"; }
"$LINECAP" query -r "$G" -w "$T/local.pcap" tcp 2>/dev/null || fail "local query failed"
cmp -s "$T/mix.pcap" "$T/local.pcap" || fail "-r s3://.../node1 -r LOCAL differs from the local answer"
ok "-r s3://BUCKET/q/node1 -r LOCALDIR: the same answer as all four files locally"

# a corrupt object: warned, skipped, no crash
head -c 100000 /dev/urandom >"$T/junk.pcap"
s3_put "$T/junk.pcap" "q/node3/junk.pcap"
"$LINECAP" query -r "s3://$S3_BUCKET/q" "${S3Q[@]}" -w "$T/j.pcap" tcp 2>"$T/j.err" ||
	{ show "$T/j.err"; fail "a corrupt object failed the query"; }
grep -q 'skipped' "$T/j.err" || { show "$T/j.err"; fail "no warning for the corrupt object"; }
cmp -s "$T/j.pcap" "$T/local.pcap" || fail "the answer changed with a corrupt object beside"
ok "a corrupt object: one warning, skipped, the answer unchanged"

# no endpoint: one line, exit 2
rc=0
"$LINECAP" query -r "s3://$S3_BUCKET/q" -w "$T/x.pcap" 2>"$T/x.err" || rc=$?
[ "$rc" = 2 ] && [ "$(wc -l <"$T/x.err")" = 1 ] || { show "$T/x.err"; fail "no --s3-endpoint: exit $rc"; }
ok "query -r s3://... without --s3-endpoint: one line, exit 2"

passed_line
