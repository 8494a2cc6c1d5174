#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# DPDK-only options on the libpcap source (a kernel interface, or --source
# pcap) are not silently ignored (docs/CLI.md, "The libpcap path"):
# --lcores, --pmd-config and --eal are refused with one line and exit 2
# before anything starts (no file, no EAL); --forward is refused the same
# way; --mtu is one warning line and the capture runs; --queues works
# (PACKET_FANOUT); the defaults (--lcores auto, --eal '') are accepted.
# The interface is the loopback of a network namespace made here.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_cmd ip python3

NS=lcfo$$
lo_netns "$NS"

# refused RE ARGS...: `linecap capture ARGS` in $NS exits 2 with one line matching RE,
# and creates no output file.
refused() {
	local re=$1 out=$T/refused.pcap
	shift
	rm -f "$out"
	LC_CMD="ip netns exec $NS $(qcmd "$LINECAP" capture -w "$out" "$@")"
	LC_RC=0
	ip netns exec "$NS" timeout -k 5 30 "$LINECAP" capture -w "$out" "$@" >"$LC_OUT" 2>"$LC_ERR" ||
		LC_RC=$?
	expect_rc 2
	[ "$(wc -l <"$LC_ERR")" -eq 1 ] || { show "$LC_ERR"; fail "expected one line on stderr: $LC_CMD"; }
	grep -Eq "$re" "$LC_ERR" || { show "$LC_ERR"; fail "message does not match /$re/: $LC_CMD"; }
	[ ! -e "$out" ] || fail "a refused command created its output file: $LC_CMD"
	echo "  exit 2: $(cat "$LC_ERR")"
}

# 1. Refused: each DPDK-only option, on an automatic and on a forced libpcap source.
for src in "" "--source pcap"; do
	# shellcheck disable=SC2086 # $src: no words or two
	{
		refused '^linecap: --lcores needs a DPDK port \(the libpcap source runs one unpinned thread per --queues\)$' \
			-i lo $src -c 10 --lcores 0-1
		refused '^linecap: --pmd-config needs a DPDK port \(the libpcap source has no PMD to configure\)$' \
			-i lo $src -c 10 --pmd-config "$T/x.ini"
		refused '^linecap: --eal needs a DPDK port \(the libpcap source starts no EAL\)$' \
			-i lo $src -c 10 --eal "$EAL"
		refused '^linecap: --forward needs the DPDK path' -i lo $src -c 10 --forward net_tap0
	}
done
ok "--lcores, --pmd-config, --eal, --forward on the libpcap source: exit 2, one line, no file"

LC_CMD="linecap capture -i net_null0 -B 4096"
LC_RC=0
timeout -k 5 30 "$LINECAP" capture -i net_null0 -w "$T/b.pcap" -c 10 -B 4096 --eal "$EAL" >"$LC_OUT" 2>"$LC_ERR" ||
	LC_RC=$?
expect_rc 2
[ "$(wc -l <"$LC_ERR")" -eq 1 ] && grep -q '^linecap: -B needs the libpcap source' "$LC_ERR" ||
	{ show "$LC_ERR"; fail "-B on a DPDK port: expected one line"; }
[ ! -e "$T/b.pcap" ] || fail "-B on a DPDK port created its output file"
ok "-B on a DPDK port: exit 2, one line ($(cat "$LC_ERR")), no file"

# 2. Accepted: --queues 2 (two files), --mtu (one warning line), the defaults spelt out,
# while 200 UDP datagrams go to 127.0.0.1 (from 20 source ports: the fanout hash spreads them).
(sleep 1 && ip netns exec "$NS" python3 -c '
import socket, time
for p in range(20):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for _ in range(10):
        s.sendto(b"fallback-opts", ("127.0.0.1", 9))
    time.sleep(0.02)') &
BG_PIDS+=("$!")
J=$T/ok.json
set -- capture -i lo --queues 2 -w "$T/ok-%q.pcap" --mtu 9000 --lcores auto --eal '' \
	--duration 3 --stats-json "$J" -q
LC_CMD="ip netns exec $NS $(qcmd "$LINECAP" "$@")"
LC_RC=0
ip netns exec "$NS" timeout -k 5 60 "$LINECAP" "$@" >"$LC_OUT" 2>"$LC_ERR" || LC_RC=$?
expect_rc 0
grep -q '^libpcap lo: 2 capture threads in PACKET_FANOUT group' "$LC_ERR" ||
	{ show "$LC_ERR"; fail "--queues 2 did not make two capture threads"; }
[ "$(grep -c -- '--mtu 9000 is not applied on the libpcap path' "$LC_ERR")" -eq 1 ] ||
	{ show "$LC_ERR"; fail "--mtu: not exactly one warning line"; }
! grep -q 'needs a DPDK port' "$LC_ERR" || { show "$LC_ERR"; fail "the defaults were refused"; }
check_invariant "$J"
W=$(json_get "$J" '.totals.written')
[ "$W" -ge 200 ] || fail "only $W packets written while 200 datagrams were sent"
W0=$("$PCAPCHECK" count "$T/ok-0.pcap")
W1=$("$PCAPCHECK" count "$T/ok-1.pcap")
[ $((W0 + W1)) -eq "$W" ] || fail "files hold $W0 + $W1 packets, the JSON says $W written"
check "$PCAPCHECK" valid "$T/ok-0.pcap" --count "$W0"
check "$PCAPCHECK" valid "$T/ok-1.pcap" --count "$W1"
ok "--queues 2 with --mtu (one warning) and the defaults: exit 0, $W0 + $W1 packets, files valid"
passed_line
