#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# /healthz of --metrics on a full disk, and after space returns. The output is a 16 MiB
# tmpfs (a private mount namespace: the whole test runs in it), 6 MiB of it taken by a
# file of another program; net_pcap offers 20 MB at once, then nothing, and with
# --on-disk-full drop the writer keeps its failed block and retries it every 100 ms.
#   - /healthz says 200 ok at first and, once writes have kept failing for more than
#     10 s (no packets arrive any more: the refused retries count), 503 "writes
#     failing ..."; linecap_block_write_failures_total grows meanwhile;
#   - the other program's file is deleted: the held blocks are written, /healthz is
#     200 ok again within 5 s and the refused writes stop growing;
#   - at exit the counters add up exactly and the file (read back) holds exactly
#     `written` packets, with packets written after the disk was full.
if [ -z "${LC_METRICS_HEALTH_NS:-}" ]; then
	LC_METRICS_HEALTH_NS=1 exec unshare -m "$0" "$@"
fi
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_cmd unshare mount umount curl promtool python3
# shellcheck source=metrics_lib.sh
source "$(dirname "$0")/metrics_lib.sh"

S=$T/small
mkdir -p "$S"
mount -t tmpfs -o size=16m none "$S" || fail "cannot mount a tmpfs in a private mount namespace"
trap 'umount -l "$S" 2>/dev/null || true; cleanup' EXIT
head -c $((6 << 20)) /dev/zero >"$S/other.bin" || fail "cannot write the other program's file"

N=20000
lc 60 capture -i net_null0,size=1000 -w "$T/in.pcap" -c "$N" -q --eal "$EAL"
expect_rc 0

P=$($MC free-port)
J=$T/full.json
timeout -k 5 120 "$LINECAP" capture -i "net_pcap0,rx_pcap=$T/in.pcap" -w "$S/x.pcap" --duration 90 \
	-q --on-disk-full drop --stats-json "$J" --metrics "127.0.0.1:$P" --eal "$EAL" \
	>"$LC_OUT" 2>"$LC_ERR" &
LPID=$!
BG_PIDS+=("$LPID")

# probe once a second; record every answer
first='' bad=''
for i in $(seq 45); do
	sleep 1
	kill -0 "$LPID" 2>/dev/null || break
	h=$(health "$P")
	echo "  t=${i}s /healthz: $h"
	case $h in
	"ok  200") [ -n "$first" ] || first=$i ;;
	*"writes failing for "*" 503")
		bad=$i
		break
		;;
	esac
done
[ -n "$first" ] || { show "$LC_ERR"; fail "/healthz never answered 200 ok at the start"; }
[ -n "$bad" ] || { show "$LC_ERR"; fail "/healthz never turned 503 'writes failing' on a full disk"; }
[ $((bad - first)) -ge 10 ] || fail "/healthz turned unhealthy after $((bad - first)) s, before the 10 s threshold"
scrape "$P" "$T/full1.txt"
sleep 1
scrape "$P" "$T/full2.txt"
f1=$($MC sum "$T/full1.txt" linecap_block_write_failures_total)
f2=$($MC sum "$T/full2.txt" linecap_block_write_failures_total)
[ "$f2" -gt "$f1" ] || fail "linecap_block_write_failures_total did not grow on a full disk ($f1 -> $f2)"
w1=$($MC sum "$T/full2.txt" linecap_packets_written_total)
ok "full disk: /healthz ok at ${first} s, 503 'writes failing' at ${bad} s; refused block writes $f1 -> $f2"

# space returns
rm -f "$S/other.bin"
good=''
for i in $(seq 10); do
	sleep 1
	h=$(health "$P")
	echo "  freed +${i}s /healthz: $h"
	if [ "$h" = "ok  200" ]; then
		good=$i
		break
	fi
done
[ -n "$good" ] || { show "$LC_ERR"; fail "/healthz did not turn 200 ok again within 10 s of space returning"; }
[ "$good" -le 5 ] || fail "/healthz took $good s to recover (at most 5 s)"
scrape "$P" "$T/ok1.txt"
sleep 1.5
scrape "$P" "$T/ok2.txt"
f3=$($MC sum "$T/ok1.txt" linecap_block_write_failures_total)
f4=$($MC sum "$T/ok2.txt" linecap_block_write_failures_total)
[ "$f3" -eq "$f4" ] || fail "block writes still refused after space returned ($f3 -> $f4)"
w2=$($MC sum "$T/ok2.txt" linecap_packets_written_total)
[ "$w2" -gt "$w1" ] || fail "nothing written after space returned ($w1 -> $w2)"
ok "space returned: /healthz ok after ${good} s, refusals stopped at $f4, written $w1 -> $w2"

kill -INT "$LPID"
LC_RC=0
wait "$LPID" || LC_RC=$?
# 5: the run met a write error (the output was not writable for a while)
[ "$LC_RC" -eq 0 ] || [ "$LC_RC" -eq 5 ] || { show "$LC_ERR"; fail "exit $LC_RC after the disk recovered"; }
check_invariant "$J"
[ "$(json_get "$J" .totals.dropped_write_error)" -gt 0 ] || fail "no write errors on a full disk"
check "$PCAPCHECK" valid "$S/x.pcap" --count "$(json_get "$J" .totals.written)"
ok "exit $LC_RC, invariant exact, the file holds exactly the written packets"
passed_line
