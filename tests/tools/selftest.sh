#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Self-test of pcapcheck: every check passes on good input and FAILS on input
# with a known defect, so a green functional test means something.
set -euo pipefail

: "${PCAPCHECK:?PCAPCHECK must point to the pcapcheck binary}"
[ -x "$PCAPCHECK" ] || { echo "FAIL: PCAPCHECK=$PCAPCHECK is not executable"; exit 1; }

T=$(mktemp -d "${TMPDIR:-/tmp}/pcapcheck-selftest.XXXXXX")
trap 'rm -rf "$T"' EXIT

passed=0
failed=0

# expect RC DESCRIPTION CMD...: run CMD, its exit status must be RC.
expect() {
	local want=$1 what=$2 rc=0 out
	shift 2
	out=$("$@" 2>&1) || rc=$?
	if [ "$rc" -eq "$want" ]; then
		passed=$((passed + 1))
		printf 'ok   %-55s rc=%d  %s\n' "$what" "$rc" "${out%%$'\n'*}"
	else
		failed=$((failed + 1))
		printf 'FAIL %-55s rc=%d (expected %d)\n     cmd: %s\n     out: %s\n' \
			"$what" "$rc" "$want" "$*" "$out"
	fi
}

# expect_out WANT DESCRIPTION CMD...: CMD exits 0 and prints exactly WANT.
expect_out() {
	local want=$1 what=$2 rc=0 out
	shift 2
	out=$("$@" 2>/dev/null) || rc=$?
	if [ "$rc" -eq 0 ] && [ "$out" = "$want" ]; then
		passed=$((passed + 1))
		printf 'ok   %-55s -> %s\n' "$what" "$out"
	else
		failed=$((failed + 1))
		printf 'FAIL %-55s rc=%d output "%s", expected "%s"\n     cmd: %s\n' \
			"$what" "$rc" "$out" "$want" "$*"
	fi
}

P=$PCAPCHECK
IN=$T/in.pcap

expect 0 "gen-flows 50 flows 3000 packets" "$P" gen-flows "$IN" 50 3000 11
expect 0 "gen-flows same seed again" "$P" gen-flows "$T/in2.pcap" 50 3000 11
expect 0 "gen-flows is deterministic (cmp)" cmp "$IN" "$T/in2.pcap"
expect 0 "gen-flows other seed" "$P" gen-flows "$T/in3.pcap" 50 3000 12
expect 1 "gen-flows other seed differs (cmp)" cmp -s "$IN" "$T/in3.pcap"
expect 2 "gen-flows to an unwritable path" "$P" gen-flows /nonexistent/dir/x.pcap 5 10
if [ -e /dev/full ]; then
	expect 2 "gen-flows write error (/dev/full) is reported" "$P" gen-flows /dev/full 5 2000
fi
expect 2 "gen-flows bad NPKTS" "$P" gen-flows "$T/x.pcap" 5 abc

expect_out 3000 "count" "$P" count "$IN"
expect_out 1 "linktype is EN10MB" "$P" linktype "$IN"
expect 2 "count on a missing file" "$P" count "$T/missing.pcap"
printf 'not a pcap file at all' >"$T/garbage"
expect 2 "count on a non-pcap file" "$P" count "$T/garbage"
# a file cut in the middle of a record: libpcap reads what is whole
head -c 10000 "$IN" >"$T/cut.pcap"
expect 0 "count on a truncated file" "$P" count "$T/cut.pcap"
cut_n=$("$P" count "$T/cut.pcap" 2>/dev/null)
if [ "$cut_n" -gt 0 ] && [ "$cut_n" -lt 3000 ]; then
	passed=$((passed + 1)); echo "ok   truncated file counts the whole records ($cut_n)"
else
	failed=$((failed + 1)); echo "FAIL truncated file count $cut_n not in 1..2999"
fi

expect 0 "same: file vs itself" "$P" same "$IN" "$IN"
expect 0 "same: file vs identical copy" "$P" same "$IN" "$T/in2.pcap"
expect 1 "same: other seed" "$P" same "$IN" "$T/in3.pcap"
"$P" mutate "$IN" "$T/flip.pcap" flip 1234 >/dev/null
expect 1 "same: one byte flipped in packet 1234" "$P" same "$IN" "$T/flip.pcap"
"$P" mutate "$IN" "$T/drop.pcap" drop 2999 >/dev/null
expect 1 "same: last packet dropped" "$P" same "$IN" "$T/drop.pcap"
"$P" mutate "$IN" "$T/dup.pcap" dup 7 >/dev/null
expect 1 "same: packet duplicated" "$P" same "$IN" "$T/dup.pcap"
expect 1 "same: OUT truncated mid-record (read error)" "$P" same "$IN" "$T/cut.pcap"
"$P" mutate "$T/cut.pcap" "$T/cut-clean.pcap" copy 0 >/dev/null 2>&1
expect_out "$cut_n" "clean copy of the readable part" "$P" count "$T/cut-clean.pcap"
expect 0 "same: IN truncated => IN is what libpcap reads" "$P" same "$T/cut.pcap" \
	"$T/cut-clean.pcap"
expect 1 "same: OUT with more than IN's readable part" "$P" same "$T/cut.pcap" "$IN"
"$P" mutate "$IN" "$T/snap100.pcap" snap 100 >/dev/null
expect 0 "same --snaplen 100: correctly snapped copy" "$P" same --snaplen 100 "$IN" \
	"$T/snap100.pcap"
expect 1 "same without --snaplen on a snapped copy" "$P" same "$IN" "$T/snap100.pcap"
expect 1 "same --snaplen 99 on a 100-snapped copy" "$P" same --snaplen 99 "$IN" \
	"$T/snap100.pcap"
expect 1 "same --snaplen 100 on an unsnapped copy" "$P" same --snaplen 100 "$IN" "$IN"
expect 0 "same: OUT read from a pipe (/dev/stdin)" \
	sh -c '"$1" same "$2" /dev/stdin <"$2"' sh "$P" "$IN"

expect 0 "monotonic --nano on a nano file" "$P" monotonic --nano "$IN"
expect 1 "monotonic --micro on a nano file" "$P" monotonic --micro "$IN"
expect 0 "gen-flows --micro" "$P" gen-flows --micro "$T/micro.pcap" 5 100 3
expect 0 "monotonic --micro on a micro file" "$P" monotonic --micro "$T/micro.pcap"
expect 1 "monotonic --nano on a micro file" "$P" monotonic --nano "$T/micro.pcap"
"$P" mutate "$IN" "$T/swap.pcap" swap-ts 500 >/dev/null
expect 1 "monotonic: two timestamps swapped" "$P" monotonic --nano "$T/swap.pcap"
expect 1 "monotonic: one good, one bad file" "$P" monotonic "$IN" "$T/swap.pcap"
expect 1 "monotonic: truncated file is a failure" "$P" monotonic "$T/cut.pcap"

expect 0 "snaplen 1514 on generated input" "$P" snaplen "$IN" 1514
expect 1 "snaplen 1000 on generated input (caplen > N)" "$P" snaplen "$IN" 1000
expect 1 "snaplen --expect-truncation with none truncated" "$P" snaplen "$IN" 1514 \
	--expect-truncation
expect 0 "snaplen 100 --expect-truncation on snapped copy" "$P" snaplen \
	"$T/snap100.pcap" 100 --expect-truncation
"$P" mutate "$IN" "$T/shortlen.pcap" shortlen 5 >/dev/null
expect 1 "snaplen: caplen > len is caught" "$P" snaplen "$T/shortlen.pcap" 262144

expect 0 "valid: generated file, all options" "$P" valid "$IN" --count 3000 --snaplen 1514 \
	--nano
expect 1 "valid: wrong --count" "$P" valid "$IN" --count 2999
expect 1 "valid: --micro on a nano file" "$P" valid "$IN" --micro
expect 1 "valid: --snaplen 1000" "$P" valid "$IN" --snaplen 1000
expect 1 "valid: --len 64 on varied sizes" "$P" valid "$IN" --len 64
expect 1 "valid: swapped timestamps" "$P" valid "$T/swap.pcap"
expect 1 "valid: truncated file" "$P" valid "$T/cut.pcap"
expect 1 "valid: caplen > len" "$P" valid "$T/shortlen.pcap"
"$P" mutate "$IN" "$T/snap64.pcap" snap 64 >/dev/null
expect 1 "valid: --len is the wire length, not caplen" "$P" valid "$T/snap64.pcap" --len 64

"$P" split "$IN" 3 "$T/byflow" >/dev/null
"$P" split "$IN" 3 "$T/rr" --round-robin >/dev/null
expect 0 "flows: split by flow into 3" "$P" flows --flow-order "$IN" \
	"$T/byflow-0.pcap" "$T/byflow-1.pcap" "$T/byflow-2.pcap"
expect 0 "flows: whole file as one OUT" "$P" flows --flow-order "$IN" "$IN"
expect 1 "flows: round-robin split breaks flows" "$P" flows "$IN" \
	"$T/rr-0.pcap" "$T/rr-1.pcap" "$T/rr-2.pcap"
expect 1 "flows: one OUT file missing" "$P" flows "$IN" \
	"$T/byflow-0.pcap" "$T/byflow-1.pcap"
expect 1 "flows: a packet dropped" "$P" flows "$IN" "$T/drop.pcap"
expect 1 "flows: a packet duplicated" "$P" flows "$IN" "$T/dup.pcap"
expect 1 "flows: a packet's bytes changed" "$P" flows "$IN" "$T/flip.pcap"
"$P" mutate "$IN" "$T/swapped.pcap" swap 0 >/dev/null
# packets 0 and 1 belong to flows 0 and 1: swapping them keeps per-flow order
expect 0 "flows --flow-order: two different flows swapped" "$P" flows --flow-order \
	"$IN" "$T/swapped.pcap"
expect 1 "same: two packets swapped" "$P" same "$IN" "$T/swapped.pcap"
expect 0 "monotonic: swapped packets, timestamps in order" "$P" monotonic --nano \
	"$T/swapped.pcap"
# packets 60 and 61 of a single flow swapped => per-flow order broken
"$P" gen-flows "$T/oneflow.pcap" 1 100 5 >/dev/null
"$P" mutate "$T/oneflow.pcap" "$T/oneflow-swapped.pcap" swap 60 >/dev/null
expect 0 "flows: one flow reordered, order not checked" "$P" flows "$T/oneflow.pcap" \
	"$T/oneflow-swapped.pcap"
expect 1 "flows --flow-order: one flow reordered" "$P" flows --flow-order \
	"$T/oneflow.pcap" "$T/oneflow-swapped.pcap"

# generated headers are valid: tshark (when present) finds no bad checksum
if command -v tshark >/dev/null 2>&1; then
	bad=$(tshark -r "$IN" -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE \
		-o udp.check_checksum:TRUE \
		-Y 'ip.checksum.status == 0 || tcp.checksum.status == 0 || udp.checksum.status == 0' \
		2>/dev/null | wc -l)
	good=$(tshark -r "$IN" -o tcp.check_checksum:TRUE -o udp.check_checksum:TRUE \
		-Y 'tcp.checksum.status == 1 || udp.checksum.status == 1' 2>/dev/null | wc -l)
	if [ "$bad" -eq 0 ] && [ "$good" -eq 3000 ]; then
		passed=$((passed + 1)); echo "ok   tshark: 3000 good L4 checksums, none bad"
	else
		failed=$((failed + 1)); echo "FAIL tshark: $bad bad, $good good L4 checksums of 3000"
	fi
else
	failed=$((failed + 1)); echo "FAIL tshark not installed (apt-get install tshark)"
fi

echo "pcapcheck self-test: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
