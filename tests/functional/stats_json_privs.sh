#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# -Z and --stats-json: the JSON is written at exit, after the privilege drop, so
# linecap creates it before the drop and gives it to UID:GID (as tcpdump -Z does
# with -w). A JSON in a directory only root can write is written (owned by
# UID:GID, mode 0600, counters exact) and the run exits 0; a JSON path nobody can
# write (a directory) exits 5 at start, not after the whole capture.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || fail "needs root (it tests dropping root)"
uid=65534 gid=65533
chmod 0777 "$T" # the capture file: created before the drop, like the JSON
in=$T/in.pcap
"$PCAPCHECK" gen-flows "$in" 20 1000 >/dev/null

# 1. a directory the dropped user cannot write: root-owned, 0755
mkdir -m 0755 "$T/rootonly"
j=$T/rootonly/s.json out=$T/a.pcap
lc 60 capture -i "net_pcap0,rx_pcap=$in" -w "$out" --stats-json "$j" -q --duration 2 \
	-Z "$uid:$gid" --eal "$EAL"
expect_rc 0
[ -f "$j" ] || fail "$j was not written"
[ "$(stat -c '%u:%g' "$j")" = "$uid:$gid" ] || fail "$j belongs to $(stat -c '%u:%g' "$j"), not $uid:$gid"
[ "$(stat -c %a "$j")" = 600 ] || fail "$j has mode $(stat -c %a "$j"), expected 600 (--file-mode default)"
check_invariant "$j"
written=$(json_get "$j" .totals.written)
[ "$written" -eq 1000 ] || fail "written $written of the 1000 packets of $in"
check "$PCAPCHECK" same "$in" "$out"
ok "JSON in a root-only directory written after the drop: $uid:$gid, 0600, $written packets"

# 2. a path nobody can write (a directory): exit 5 at start, long before --duration
mkdir "$T/isdir"
start=$(date +%s)
lc 60 capture -i "net_pcap0,rx_pcap=$in" -w "$T/b.pcap" --stats-json "$T/isdir" -q \
	--duration 40 -Z "$uid:$gid" --eal "$EAL"
took=$(($(date +%s) - start))
expect_rc 5
grep -q "^linecap: cannot write '$T/isdir': Is a directory\$" "$LC_ERR" || {
	show "$LC_ERR"
	fail "no 'cannot write' line naming $T/isdir"
}
[ "$took" -lt 30 ] || fail "the bad --stats-json path was found after ${took}s, not at start"
ok "unwritable --stats-json path refused at start (${took}s, exit 5)"

passed_line
