#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The libpcap path on a loopback interface (issue 12, defect 2). On `lo`
# every packet passes the packet socket twice, once outgoing and once
# incoming; libpcap drops the outgoing copy, but the kernel's ps_recv
# counted it. linecap must count what the path really received: a
# private network namespace's lo, N UDP datagrams from 127.0.0.1 to a
# socket listening on 127.0.0.1 (no ICMP, nothing else on that lo): the
# file read back holds exactly N, received is exactly N, the invariant is
# exact, and the summary carries no BUG line; the JSON's ps_recv is received and
# ps_drop is dropped_kernel (docs/CLI.md). --mtu there: one line, MTU untouched.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_cmd ip python3 tcpdump

NS=lclo$$
lo_netns "$NS"

send_udp() { # N: N datagrams to a listening socket on 127.0.0.1, all read back
	ip netns exec "$NS" python3 - "$1" <<'PY'
import socket, sys, time
n = int(sys.argv[1])
rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
rx.bind(("127.0.0.1", 0))
rx.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
tx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(n):
    tx.sendto(b"linecap-lo-%06d" % i + b"x" * (i % 200), rx.getsockname())
    if i % 100 == 99:
        time.sleep(0.01)
got = 0
rx.settimeout(2)
while got < n:
    rx.recv(2048)
    got += 1
print(got)
PY
}

run_lo() { # N QUEUES
	local n=$1 q=$2 pid json=$T/lo-$2.json out=$T/lo-$2-%q.pcap
	: >"$LC_ERR"
	ip netns exec "$NS" timeout -k 5 60 "$LINECAP" capture -i lo --queues "$q" -w "$out" \
		-B 4096 --stats-json "$json" >"$LC_OUT" 2>"$LC_ERR" &
	pid=$!
	BG_PIDS+=("$pid")
	wait_for "$LC_ERR" '^libpcap ' "$pid" "the libpcap capture on lo"
	[ "$(send_udp "$n")" -eq "$n" ] || fail "the UDP receiver did not get $n datagrams"
	sleep 0.3
	kill -INT "$pid" 2>/dev/null || true
	LC_RC=0
	wait "$pid" || LC_RC=$?
	BG_PIDS=()
	LC_CMD="ip netns exec $NS linecap capture -i lo --queues $q"
	expect_rc 0
	! grep -q 'BUG' "$LC_ERR" || { show "$LC_ERR"; fail "summary says BUG on lo (--queues $q)"; }
	check_invariant "$json"
	check_summary "$json"
	local files=() w r k c
	for ((k = 0; k < q; k++)); do files+=("${out//%q/$k}"); done
	c=0
	for f in "${files[@]}"; do
		check "$PCAPCHECK" valid "$f"
		k=$(tcpdump -nr "$f" 'udp and ip src 127.0.0.1 and ip dst 127.0.0.1' 2>/dev/null | wc -l)
		c=$((c + k))
		[ "$(tcpdump -nr "$f" 2>/dev/null | wc -l)" -eq "$k" ] || fail "$f holds packets other than the datagrams"
	done
	[ "$c" -eq "$n" ] || fail "--queues $q: the files hold $c datagrams (tcpdump -r), $n were sent"
	w=$(json_get "$json" '.totals.written')
	r=$(json_get "$json" '.totals.received')
	[ "$w" -eq "$n" ] || fail "--queues $q: written $w, $n sent"
	[ "$r" -eq "$n" ] || fail "--queues $q: received $r, but the path saw $n packets (each once, incoming)"
	# docs/CLI.md: ps_recv is received, ps_drop is dropped_kernel, exactly
	[ "$(json_get "$json" '.totals.ps_recv')" -eq "$r" ] || fail "--queues $q: totals.ps_recv is not received $r"
	[ "$(json_get "$json" '.totals.ps_drop')" -eq "$(json_get "$json" '.totals.dropped_kernel')" ] ||
		fail "--queues $q: totals.ps_drop is not dropped_kernel"
	ok "lo, --queues $q: $n datagrams sent, $c in the files, received $r, invariant exact"
}

run_lo 2000 1
run_lo 2000 2

# --mtu does not apply to a kernel interface: one line says so, the MTU stays, exit 0.
mtu_before=$(ip netns exec "$NS" cat /sys/class/net/lo/mtu)
LC_CMD="ip netns exec $NS linecap capture -i lo --mtu 9000 --duration 1"
LC_RC=0
ip netns exec "$NS" timeout -k 5 30 "$LINECAP" capture -i lo --mtu 9000 -w "$T/mtu.pcap" --duration 1 -q \
	>"$LC_OUT" 2>"$LC_ERR" || LC_RC=$?
expect_rc 0
[ "$(grep -c -- '--mtu' "$LC_ERR")" -eq 1 ] &&
	grep -q "^linecap: --mtu 9000 is not applied on the libpcap path: lo keeps its MTU $mtu_before (set it with ip link set dev lo mtu N); frames are captured up to -s 262144 bytes\$" "$LC_ERR" ||
	{ show "$LC_ERR"; fail "--mtu on the libpcap path: not the one line that says it is not applied"; }
[ "$(ip netns exec "$NS" cat /sys/class/net/lo/mtu)" = "$mtu_before" ] || fail "--mtu changed lo's MTU"
ok "--mtu 9000 on lo (libpcap path): one line says lo keeps its MTU $mtu_before; exit 0"
passed_line
