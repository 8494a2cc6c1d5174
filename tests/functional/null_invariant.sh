#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# net_null delivers 64-byte packets as fast as the core can poll, far faster
# than a file can take: the counters must still add up exactly
# (received == written + dropped_ring_full + dropped_write_error), and the file
# must hold exactly `written` valid packets.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

OUT=$T/null.pcap
J=$T/null.json
# -c bounds the file (~480 MB: disks here are shared); net_null is still far faster than
# the disk, so the ring and the writer are under pressure all along.
N=6000000
lc 60 capture -i net_null0,size=64 -w "$OUT" -c "$N" --duration 30 --stats-json "$J" -q --eal "$EAL"
expect_rc 0
check_invariant "$J"
check_summary "$J"
# --lcores defaults to auto, which prints its plan as one line starting "plan:"
[ "$(grep -c '^plan:' "$LC_ERR" || true)" -eq 1 ] || {
	show "$LC_ERR"
	fail "--lcores auto (the default): expected exactly one 'plan:' line on stderr"
}
W=$(json_get "$J" '.totals.written')
[ "$W" -gt 0 ] || fail "nothing written from net_null"
[ "$(json_get "$J" '.totals.received')" -eq "$N" ] || fail "-c $N: received $(json_get "$J" '.totals.received')"
# one pass over the file: exactly `written` packets, all 64 bytes
# captured of 64, read to EOF without error, time never goes back, nano magic
check "$PCAPCHECK" valid "$OUT" --count "$W" --snaplen 64 --len 64 --nano
[ "$(json_get "$J" '.ports[0].driver')" = net_null ] || fail "ports[0].driver is not net_null"
ok "file: $W packets == written; invariant exact; $(du -h "$OUT" | cut -f1) written"
rm -f "$OUT"

# -w /dev/null is a legitimate output: the same invariant holds (no count check)
J=$T/devnull.json
lc 60 capture -i net_null0,size=64 -w /dev/null --duration 4 --stats-json "$J" -q --eal "$EAL"
expect_rc 0
check_invariant "$J"
check_summary "$J"
W=$(json_get "$J" '.totals.written')
[ "$W" -gt 0 ] || fail "-w /dev/null: nothing written in 4 s from net_null"
D=$(json_get "$J" '.duration_s')
awk -v d="$D" 'BEGIN { exit !(d >= 3.5 && d <= 10) }' ||
	fail "duration_s $D for --duration 4"
[ -c /dev/null ] || fail "/dev/null is no longer a character device after the run"
ok "-w /dev/null: invariant exact, written $W"

passed_line
