#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Retention in --metrics, and /healthz when the disk budget cannot be kept. The output is
# a 32 MiB tmpfs (a private mount namespace: the whole test runs in it) with 20 MiB
# taken by another program's file, which retention may not delete; -C 1 --min-free 40
# --max-disk 20M. Deleting every capture file cannot free enough, so:
#   - linecap_retention_over_budget_bytes > 0 and files are deleted
#     (linecap_retention_deleted_files_total / _bytes_total grow); /healthz says 200 ok
#     at first and 503 "disk budget exceeded ..." after more than 10 s;
#   - the other file is deleted: the gauge is 0 again and /healthz 200 ok within 5 s;
#   - the last scrape's retention counters equal the --stats-json ones, every scrape is
#     accepted by promtool, and the packets add up: written = packets in the files left
#     (read back) + the packets of the deleted files (from bytes_deleted).
# shellcheck source=metrics_lib.sh
source "$(dirname "$0")/metrics_lib.sh"
private_mounts "$@"
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
N=3000
REC=1016 # pcap record of a 1000-byte packet
small_fs 32 20
make_input "$N" 1000
P=$($MC free-port)
J=$T/b.json
start_capture "$P" "$J" 120 -i "net_pcap0,rx_pcap=$T/in.pcap" -w "$S/cap.pcap" -C 1 \
	--min-free 40 --max-disk 20M --duration 90
turns_unhealthy "$P" "$LPID" "disk budget exceeded for"
scrape "$P" "$T/over.txt"
over=$($MC sum "$T/over.txt" linecap_retention_over_budget_bytes)
[ "$over" -gt 0 ] || fail "linecap_retention_over_budget_bytes is $over while the budget cannot be kept"
[ "$($MC sum "$T/over.txt" linecap_retention_deleted_files_total)" -gt 0 ] ||
	fail "no file deleted while over budget"
[ "$($MC sum "$T/over.txt" linecap_retention_max_disk_bytes)" = 20000000 ] ||
	fail "linecap_retention_max_disk_bytes is not 20000000"
grep -q '^linecap_retention_min_free_ratio 0.4$' "$T/over.txt" || fail "linecap_retention_min_free_ratio is not 0.4"
ok "over budget: /healthz ok at probe ${FIRST}, 503 'disk budget exceeded' at probe ${BAD}, $over bytes over"

rm -f "$S/other.bin"
turns_healthy "$P"
scrape "$P" "$T/ok.txt"
$MC mono "$T/over.txt" "$T/ok.txt" || fail "a counter went down"
over=$($MC sum "$T/ok.txt" linecap_retention_over_budget_bytes)
[ "$over" -eq 0 ] || fail "linecap_retention_over_budget_bytes is $over once the budget is kept"
ok "space returned: over budget 0, /healthz ok after ${GOOD} s"

kill -INT "$LPID"
LC_RC=0
wait "$LPID" || LC_RC=$?
expect_rc 0
check_invariant "$J"
for pair in linecap_retention_deleted_files_total:.retention.files_deleted \
	linecap_retention_deleted_bytes_total:.retention.bytes_deleted; do
	m=$($MC sum "$T/ok.txt" "${pair%%:*}")
	js=$(json_get "$J" "${pair#*:}")
	[ "$m" = "$js" ] || fail "last scrape ${pair%%:*} = $m, --stats-json ${pair#*:} = $js"
done
fd=$(json_get "$J" .retention.files_deleted)
bd=$(json_get "$J" .retention.bytes_deleted)
left=0
for f in "$S"/cap.pcap*; do
	[ -e "$f" ] || continue
	n=$("$PCAPCHECK" count "$f") || fail "$f: cannot count its packets"
	"$PCAPCHECK" valid "$f" --count "$n" >/dev/null || fail "$f is not a valid pcap"
	left=$((left + n))
done
[ $(((bd - 24 * fd) % REC)) -eq 0 ] || fail "bytes_deleted $bd is not $fd headers + whole records"
gone=$(((bd - 24 * fd) / REC))
w=$(json_get "$J" .totals.written)
[ "$w" -eq $((left + gone)) ] || fail "written $w != $left packets left + $gone deleted"
ok "scrape = JSON: $fd files, $bd bytes deleted; written $w = $left left + $gone deleted"
passed_line
