#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# -w - writes the pcap stream to stdout: tcpdump reads it from a pipe, and it
# holds exactly the input's packets (nothing else may reach stdout).
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_cmd tcpdump

IN=$T/in.pcap
N=5000
check "$PCAPCHECK" gen-flows "$IN" 30 "$N" 77
LCARGS=(capture -i "net_pcap0,rx_pcap=$IN" -w - -c "$N" --duration 30 -q --eal "$EAL")
CMD="$(qcmd "$LINECAP" "${LCARGS[@]}")"

# 1. piped into tcpdump
set +e
timeout -k 5 60 "$LINECAP" "${LCARGS[@]}" 2>"$LC_ERR" |
	tcpdump -r - -nn >"$T/tcpdump.out" 2>"$T/tcpdump.err"
rcs=("${PIPESTATUS[@]}")
set -e
if [ "${rcs[0]}" -ne 0 ]; then
	echo "stderr:"; show "$LC_ERR"
	fail "linecap exit ${rcs[0]} (pipeline statuses ${rcs[*]}): $CMD | tcpdump -r - -nn"
fi
[ "${rcs[1]}" -eq 0 ] || { show "$T/tcpdump.err"; fail "tcpdump -r - exit ${rcs[1]} reading linecap's stdout"; }
lines=$(wc -l <"$T/tcpdump.out")
[ "$lines" -eq "$N" ] || {
	show "$T/tcpdump.err"
	fail "tcpdump read $lines packets from '$CMD', expected $N"
}
ok "-w - | tcpdump -r -: $lines packets"

# 2. the stream, kept in a file: exactly IN's packets, nothing before or after
rc=0
timeout -k 5 60 "$LINECAP" "${LCARGS[@]}" >"$T/stdout.pcap" 2>"$LC_ERR" || rc=$?
[ "$rc" -eq 0 ] || { show "$LC_ERR"; fail "exit $rc: $CMD > file"; }
check "$PCAPCHECK" same "$IN" "$T/stdout.pcap"
grep -q "^$N packets captured\$" "$LC_ERR" || { show "$LC_ERR"; fail "no '$N packets captured' summary on stderr"; }
check "$PCAPCHECK" monotonic --nano "$T/stdout.pcap"

# 3. the stream read by pcapcheck straight from the pipe
set +e
timeout -k 5 60 "$LINECAP" "${LCARGS[@]}" 2>"$LC_ERR" |
	"$PCAPCHECK" same "$IN" /dev/stdin >"$T/same.out" 2>&1
rcs=("${PIPESTATUS[@]}")
set -e
show "$T/same.out"
[ "${rcs[0]}" -eq 0 ] || { show "$LC_ERR"; fail "linecap exit ${rcs[0]}: $CMD | pcapcheck same IN /dev/stdin"; }
[ "${rcs[1]}" -eq 0 ] || fail "$CMD | pcapcheck same IN /dev/stdin: $(cat "$T/same.out")"
ok "-w - | pcapcheck same IN /dev/stdin"

passed_line
