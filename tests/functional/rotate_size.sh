#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# -C (size), -W (ring of files) and -z: the files, read one after the other,
# are exactly the input; every file is valid on its own and within -C; file
# names follow tcpdump; no temporary file is left; -z runs once per file.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_cmd capinfos editcap

IN=$T/in.pcap
N=4000
check "$PCAPCHECK" gen-flows "$IN" 40 "$N" 51
LIMIT=300000 # -C 0.3

# A -z command: logs each file it is given, and that the file is complete.
Z=$T/z.sh
cat >"$Z" <<ZEOF
#!/bin/sh
echo "\$1 \$(wc -c <"\$1")" >>"$T/z.log"
ZEOF
chmod +x "$Z"

# no_part DIR: no temporary file remains
no_part() {
	local left
	left=$(find "$1" -name '.*.part' | head -5)
	[ -z "$left" ] || fail "temporary files left in $1: $left"
}

# files_in_order DIR BASE COUNT: BASE, BASE1, BASE2, ... (tcpdump -C names)
files_in_order() {
	local i
	printf '%s\n' "$1/$2"
	for ((i = 1; i < $3; i++)); do printf '%s\n' "$1/$2$i"; done
}

# 1. -C 0.3 (pcap): union == input, each file <= 300000 bytes and valid; -z per file
D=$T/c && mkdir "$D"
lc 60 capture -i "net_pcap0,rx_pcap=$IN" -w "$D/cap.pcap" -C 0.3 -z "$Z" -c "$N" --duration 30 -q \
	--stats-json "$T/c.json" --eal "$EAL"
expect_rc 0
check_invariant "$T/c.json"
check_summary "$T/c.json"
files=$(json_get "$T/c.json" '.writers[0].files')
bytes=$(stat -c %s "$IN")
[ "$files" -ge $((bytes / LIMIT)) ] || fail "$files files for $bytes bytes with -C 0.3"
[ "$(find "$D" -type f | wc -l)" -eq "$files" ] || { ls -la "$D"; fail "JSON says $files files, the directory holds $(find "$D" -type f | wc -l)"; }
mapfile -t list < <(files_in_order "$D" cap.pcap "$files")
for f in "${list[@]}"; do
	[ -f "$f" ] || { ls "$D"; fail "expected file $f (tcpdump -C naming) is missing"; }
	s=$(stat -c %s "$f")
	[ "$s" -le "$LIMIT" ] || fail "$f is $s bytes, over -C 0.3 ($LIMIT)"
	"$PCAPCHECK" valid "$f" --nano >/dev/null || fail "$f is not a valid pcap: $("$PCAPCHECK" valid "$f")"
done
check "$PCAPCHECK" same "$IN" "${list[@]}"
no_part "$D"
[ "$(wc -l <"$T/z.log")" -eq "$files" ] || { show "$T/z.log"; fail "-z ran $(wc -l <"$T/z.log") times for $files files"; }
for f in "${list[@]}"; do
	grep -qx "$f $(stat -c %s "$f")" "$T/z.log" || { show "$T/z.log"; fail "-z did not run exactly once on the complete $f"; }
done
[ "$(json_get "$T/c.json" '.writers[0].file')" = "${list[-1]}" ] || fail "JSON file is not the last file ${list[-1]}"
ok "-C 0.3: $files files, each <= $LIMIT bytes and valid, together exactly the input; -z once per finished file"

# 2. -C with pcapng: every file a whole section (SHB, IDB, ISB)
D=$T/ng && mkdir "$D"
lc 60 capture -i "net_pcap0,rx_pcap=$IN" -w "$D/cap.pcapng" -F pcapng -C 0.3 -c "$N" --duration 30 \
	-q --stats-json "$T/ng.json" --eal "$EAL"
expect_rc 0
check_invariant "$T/ng.json"
files=$(json_get "$T/ng.json" '.writers[0].files')
[ "$files" -gt 3 ] || fail "only $files pcapng files"
mapfile -t list < <(files_in_order "$D" cap.pcapng "$files")
for f in "${list[@]}"; do
	capinfos "$f" >"$T/ci" 2>&1 || { show "$T/ci"; fail "capinfos cannot read $f"; }
	grep -Eq '^ +Number of stat entries = 1$' "$T/ci" || { show "$T/ci" 50; fail "$f: no ISB"; }
	grep -Eq '^Number of interfaces in file: 1$' "$T/ci" || fail "$f: not one IDB"
	[ "$(stat -c %s "$f")" -le "$LIMIT" ] || fail "$f over -C"
done
check "$PCAPCHECK" same "$IN" "${list[@]}"
no_part "$D"
ok "-C 0.3 -F pcapng: $files files, each a complete section with its ISB, together the input"

# 3. -C 0.3 -W 3: only the newest 3 files remain (cap.pcap0..2, wrapping), holding the input's tail
D=$T/w && mkdir "$D"
: >"$T/z.log"
lc 60 capture -i "net_pcap0,rx_pcap=$IN" -w "$D/cap.pcap" -C 0.3 -W 3 -z "$Z" -c "$N" --duration 30 \
	-q --stats-json "$T/w.json" --eal "$EAL"
expect_rc 0
check_invariant "$T/w.json"
k=$(json_get "$T/w.json" '.writers[0].files')
[ "$k" -gt 3 ] || fail "-W 3 test needs more than 3 files, got $k"
[ "$(find "$D" -type f | wc -l)" -eq 3 ] || { ls -la "$D"; fail "-W 3 left $(find "$D" -type f | wc -l) files"; }
list=("$D/cap.pcap$(((k - 3) % 3))" "$D/cap.pcap$(((k - 2) % 3))" "$D/cap.pcap$(((k - 1) % 3))")
m=0
for f in "${list[@]}"; do
	[ -f "$f" ] || { ls "$D"; fail "missing $f"; }
	m=$((m + $("$PCAPCHECK" count "$f")))
done
editcap -r "$IN" "$T/tail.pcap" "$((N - m + 1))-$N" || fail "editcap cannot cut the input's tail"
check "$PCAPCHECK" same "$T/tail.pcap" "${list[@]}"
[ "$(wc -l <"$T/z.log")" -eq "$k" ] || fail "-z ran $(wc -l <"$T/z.log") times for $k files"
no_part "$D"
ok "-C 0.3 -W 3: $k files written, the newest 3 kept, holding the last $m packets in order"

# 4. usage errors: one line, exit 2
for args in "-W 3" "-z $Z" "-C 0" "-C x" "-G 0" "-W 0 -C 1" "-G 60"; do
	# shellcheck disable=SC2086 # split on purpose
	lc 30 capture -i "net_pcap0,rx_pcap=$IN" -w "$T/e.pcap" $args --eal "$EAL"
	expect_rc 2
	[ "$(wc -l <"$LC_ERR")" -eq 1 ] && grep -q '^linecap: ' "$LC_ERR" || { show "$LC_ERR"; fail "$args: not a one-line error"; }
done
lc 30 capture -i "net_pcap0,rx_pcap=$IN" -w - -C 1 --eal "$EAL"
expect_rc 2
lc 30 capture -i "net_pcap0,rx_pcap=$IN" -w "$T/%H/x.pcap" -G 60 --eal "$EAL"
expect_rc 2
ok "bad -C/-G/-W/-z combinations: exit 2 with one line"

passed_line
