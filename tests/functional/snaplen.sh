#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# -s SNAPLEN truncates what is written (caplen = min(len, SNAPLEN), len kept),
# and --tstamp-precision micro writes the microsecond magic.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

IN=$T/in.pcap
N=3000
check "$PCAPCHECK" gen-flows "$IN" 40 "$N" 21

# 1. -s 100 on frames of 60..1514 bytes: most are cut, the short ones are not
OUT=$T/s100.pcap
lc 60 capture -i "net_pcap0,rx_pcap=$IN" -w "$OUT" -s 100 -c "$N" --duration 20 -q --eal "$EAL"
expect_rc 0
check "$PCAPCHECK" snaplen "$OUT" 100 --expect-truncation
check "$PCAPCHECK" same --snaplen 100 "$IN" "$OUT"
check "$PCAPCHECK" monotonic --nano "$OUT"
ok "-s 100: every packet cut to min(len, 100), len kept, data identical"

# 2. a snaplen above every frame changes nothing
OUT=$T/s1514.pcap
lc 60 capture -i "net_pcap0,rx_pcap=$IN" -w "$OUT" -s 1514 -c "$N" --duration 20 -q --eal "$EAL"
expect_rc 0
check "$PCAPCHECK" snaplen "$OUT" 1514
check "$PCAPCHECK" same "$IN" "$OUT"
ok "-s 1514 on frames <= 1514: nothing truncated"

# 3. --tstamp-precision micro: microsecond magic, same packets, time in order
OUT=$T/micro.pcap
lc 60 capture -i "net_pcap0,rx_pcap=$IN" -w "$OUT" -s 100 --tstamp-precision micro -c "$N" \
	--duration 20 -q --eal "$EAL"
expect_rc 0
check "$PCAPCHECK" monotonic --micro "$OUT"
check "$PCAPCHECK" same --snaplen 100 "$IN" "$OUT"
ok "--tstamp-precision micro: microsecond magic"

# 4. the default and --tstamp-precision nano: nanosecond magic
OUT=$T/nano.pcap
lc 60 capture -i "net_pcap0,rx_pcap=$IN" -w "$OUT" --tstamp-precision nano -c "$N" \
	--duration 20 -q --eal "$EAL"
expect_rc 0
check "$PCAPCHECK" monotonic --nano "$OUT"
check "$PCAPCHECK" same "$IN" "$OUT"
ok "--tstamp-precision nano: nanosecond magic"

passed_line
