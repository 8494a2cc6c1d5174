#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# pcapng statistics on the libpcap path are exact at every file close
# (issue 12, defect 3): -F pcapng -G 1 on the lo of a network namespace made
# here, steady UDP traffic for ~4.5 s, so several files close while packets
# flow. For every file, in order, its ISB is checked against an independent
# count: isb_ifrecv (tshark) == the EPBs of this file and every earlier one
# (read back with libpcap) + isb_ifdrop; the last ISB agrees with the stats
# JSON, whose invariant is exact.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_cmd ip python3 tshark

NS=lcisb$$
ip netns add "$NS" || fail "cannot create network namespace $NS (root needed)"
NETNS+=("$NS")
ip -n "$NS" link set lo up || fail "cannot bring lo up in $NS"

# isb FILE FIELD: as in pcapng.sh (tshark's pcapng block dissector).
isb() {
	tshark -r "$1" -X read_format:"MIME Files Format" -T fields -E occurrence=a -E separator=, \
		-e "pcapng.options.option.data.interface.$2" 2>/dev/null | tr ',' '\n' | grep -v '^$' || true
}

D=$T/out
mkdir "$D"
J=$T/s.json
LC_CMD="ip netns exec $NS $(qcmd "$LINECAP" capture -i lo -F pcapng -G 1 -w "$D/cap-%H%M%S.pcapng")"
ip netns exec "$NS" timeout -k 5 60 "$LINECAP" capture -i lo -F pcapng -G 1 -w "$D/cap-%H%M%S.pcapng" \
	-B 8192 --stats-json "$J" >"$LC_OUT" 2>"$LC_ERR" &
pid=$!
BG_PIDS+=("$pid")
wait_for "$LC_ERR" '^libpcap ' "$pid" "the libpcap capture on lo"
ip netns exec "$NS" python3 - <<'PY' || fail "the UDP sender failed"
import socket, time
rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
rx.bind(("127.0.0.1", 0))
rx.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 23)
rx.setblocking(False)
tx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
end = time.monotonic() + 4.5
i = 0
while time.monotonic() < end:
    for _ in range(20):
        tx.sendto(b"%08d" % i + b"y" * 100, rx.getsockname())
        i += 1
    time.sleep(0.01)
    try:
        while True:
            rx.recv(2048)
    except BlockingIOError:
        pass
PY
kill -INT "$pid"
LC_RC=0
wait "$pid" || LC_RC=$?
BG_PIDS=()
expect_rc 0
check_invariant "$J"

mapfile -t files < <(find "$D" -name 'cap-*.pcapng' | sort)
[ "${#files[@]}" -ge 3 ] || fail "only ${#files[@]} files in 4.5 s with -G 1: $(ls "$D" | tr '\n' ' ')"
cum=0
for f in "${files[@]}"; do
	n=$("$PCAPCHECK" count "$f")
	cum=$((cum + n))
	recv=$(isb "$f" received)
	drop=$(isb "$f" dropped)
	[[ $recv =~ ^[0-9]+$ ]] && [[ $drop =~ ^[0-9]+$ ]] || fail "${f##*/}: no single ISB (isb_ifrecv '$recv', isb_ifdrop '$drop')"
	[ "$recv" -eq $((cum + drop)) ] ||
		fail "${f##*/}: ISB isb_ifrecv $recv, but this file and the earlier ones hold $cum EPBs + isb_ifdrop $drop"
	echo "  ${f##*/}: $n EPBs, $cum so far; ISB isb_ifrecv $recv, isb_ifdrop $drop"
done
[ "$recv" -eq "$(json_get "$J" '.totals.received')" ] || fail "the last ISB's isb_ifrecv $recv != JSON received"
[ "$cum" -eq "$(json_get "$J" '.totals.written')" ] || fail "the files hold $cum EPBs, JSON written differs"
ok "libpcap path, -F pcapng -G 1: ${#files[@]} files, every ISB exact ($cum packets)"
