#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Recovery of .part files across PID namespaces (issue 12, defect 8): two
# containers sharing a volume see each other's files but not each other's
# processes. Captures with -C (rotation: .linecap-PID-W-SEQ.part files)
# into one directory, each in its own PID namespace (unshare -p -f), on the
# libpcap path on the lo of a network namespace made here, where a UDP
# sender makes the only traffic:
#   1. A (PID 2 in its namespace) runs; B (PID 1 in another) starts in the
#      same directory: B's recovery must not touch A's live files; both
#      stop normally with every datagram they saw in their files;
#   2. C and D, both PID 1 (same file names): neither truncates the
#      other's file;
#   3. E is killed with -9 after writing; F (PID 1 in a new namespace, so
#      E's PID is "alive" there) recovers E's .part as linecap-recovered-*.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=lib_recover.sh
source "$(dirname "$0")/lib_recover.sh"
require_cmd ip unshare python3 tcpdump pgrep

NS=lcrp$$
ip netns add "$NS" || fail "cannot create network namespace $NS (root needed)"
NETNS+=("$NS")
ip -n "$NS" link set lo up || fail "cannot bring lo up in $NS"
D=$T/shared
mkdir "$D"

send_udp() { # N SIZE
	ip netns exec "$NS" python3 - "$1" "$2" <<'PY'
import socket, sys, time
n, size = int(sys.argv[1]), int(sys.argv[2])
rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
rx.bind(("127.0.0.1", 0))
rx.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 23)
tx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(n):
    tx.sendto(b"%08d" % i + b"x" * (size - 8), rx.getsockname())
    if i % 100 == 99:
        time.sleep(0.01)
rx.settimeout(2)
for i in range(n):
    rx.recv(65536)
PY
}

declare -A HOSTPID WRAP
start() { # NAME PID1|PID2: a capture into $D/NAME.pcap in a new PID namespace
	local name=$1 cmd
	cmd=("$LINECAP" capture -i lo -w "$D/$name.pcap" -C 100 -B 8192 --stats-json "$T/$name.json")
	if [ "$2" = PID1 ]; then
		ip netns exec "$NS" unshare -p -f --mount-proc "${cmd[@]}" >/dev/null 2>"$T/$name.err" &
	else
		ip netns exec "$NS" unshare -p -f --mount-proc bash -c '"$@" & wait $!' _ "${cmd[@]}" \
			>/dev/null 2>"$T/$name.err" &
	fi
	WRAP[$name]=$!
	BG_PIDS+=("$!")
	wait_for "$T/$name.err" '^libpcap ' "$!" "capture $name"
	HOSTPID[$name]=$(pgrep -f -n -- "-w $D/$name.pcap") || fail "no process for capture $name"
}
stop() { # NAME: SIGINT, exit 0
	local rc=0
	kill -INT "${HOSTPID[$1]}"
	wait "${WRAP[$1]}" || rc=$?
	[ "$rc" -eq 0 ] || { show "$T/$1.err" 30; fail "capture $1 exited $rc"; }
}
judge() { # NAME DATAGRAMS
	local n
	check_invariant "$T/$1.json" >/dev/null
	check "$PCAPCHECK" valid "$D/$1.pcap"
	n=$(tcpdump -nr "$D/$1.pcap" udp 2>/dev/null | wc -l)
	[ "$n" -eq "$2" ] || fail "$1.pcap holds $n datagrams, $2 were sent while $1 ran"
	[ "$(json_get "$T/$1.json" '.totals.written')" -eq "$2" ] || fail "capture $1 wrote other than $2 packets"
}
pidns_of() { readlink "/proc/${HOSTPID[$1]}/ns/pid"; }
in_ns_pid() { awk '/^NSpid:/ {print $NF}' "/proc/${HOSTPID[$1]}/status"; }

# 1. Different PIDs, different namespaces.
start A PID2
send_udp 1000 200
start B PID1
[ "$(pidns_of A)" != "$(pidns_of B)" ] || fail "A and B share a PID namespace"
echo "  A is PID $(in_ns_pid A), B is PID $(in_ns_pid B), each in its own PID namespace"
send_udp 1000 200
stop B
stop A
! grep -q 'recovered\|left .* as it is' "$T/B.err" || { show "$T/B.err"; fail "B's recovery touched A's live file"; }
judge A 2000
judge B 1000
[ -z "$(find "$D" -name 'linecap-recovered-*' -o -name '.linecap-*.part')" ] ||
	fail "files left: $(ls -a "$D" | tr '\n' ' ')"
ok "A (PID 2) and B (PID 1) in separate PID namespaces, one directory: both files whole"

# 2. The same PID (1) in two namespaces: the same .part names.
start C PID1
send_udp 500 300
start E0 PID1
[ "$(in_ns_pid C)" = 1 ] && [ "$(in_ns_pid E0)" = 1 ] || fail "C and E0 are not both PID 1"
send_udp 500 300
stop E0
stop C
judge C 1000
judge E0 500
ok "C and E0, both PID 1 in their namespaces, one directory: both files whole"

# 3. kill -9, then a new namespace recovers.
rm -f "$D"/*
start K PID1
send_udp 2000 1400 # 2.8 MB: whole 1 MiB blocks reach the disk
kill_when_writing "$D" "${HOSTPID[K]}" "${WRAP[K]}"
parts_left "$D" 1 >/dev/null # in its namespace the killed capture was PID 1
sleep 2.2 # PID 1 is alive in the next namespace: the file must be quiet for 2 s
start F PID1
stop F
check_recovered "$D" 1 "$T/F.err"
n=0
for f in "$D"/linecap-recovered-1-*; do
	n=$((n + $(tcpdump -nr "$f" udp 2>/dev/null | wc -l)))
done
[ "$n" -gt 0 ] && [ "$n" -le 2000 ] || fail "the recovered files hold $n datagrams (1..2000 expected)"
[ -z "$(find "$D" -name '.linecap-*.part')" ] || fail ".part files left: $(ls -a "$D" | tr '\n' ' ')"
ok "a kill -9'd capture's file ($n datagrams) recovered by a capture in another PID namespace"
