#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# linecap query is a batch tool that must not slow a running capture (issue 13,
# Stenographer #204): it lowers its own CPU and I/O priority. Read from the running
# query itself (its nice in /proc/PID/stat field 19, `ionice -p PID`), while it is held
# by --max-mbps with the capture file open:
#  - default (--priority low): nice 10, I/O best-effort level 7;
#  - --priority idle: nice 19, I/O idle class;
#  - --priority normal: the shell's nice and I/O priority, unchanged;
#  - only ever lowered: under `nice -n 15 ionice -c 3` the default keeps nice 15, idle;
#  - the same output at every priority; a bad --priority: one line, exit 2;
#  - still a file tool after the CRC-32C change (DPDK's rte_hash_crc.h, header only):
#    run as user nobody, it opens nothing of the EAL (strace: no /dev/hugepages,
#    /var/run/dpdk, /dev/vfio, /sys/bus/pci) and gives the same output.
. "$(dirname "$0")/lib.sh"
require_cmd python3 ionice strace setpriv cmp
HERE=$(cd "$(dirname "$0")" && pwd)

python3 "$HERE/query_gen.py" "$T" 1 30000 23
F=$(readlink -f "$T/gen-0.pcap")
"$LINECAP" index -q "$F" || fail "linecap index failed"
"$LINECAP" query -r "$F" -w "$T/ref.pcap" ip 2>"$T/q.err" || fail "query failed: $(cat "$T/q.err")"
[ "$(stat -c %s "$T/ref.pcap")" -gt 100000 ] || fail "the reference query wrote too little"

# has_open PID: PID has the capture file F open
has_open() {
	local fd
	for fd in "/proc/$1/fd/"*; do
		[ "$(readlink "$fd" 2>/dev/null)" = "$F" ] && return 0
	done
	return 1
}
# held PREFIX... -- QUERY_ARGS...: start `PREFIX... linecap query QUERY_ARGS -r F` held by
# --max-mbps 0.01 (its first 64 KiB take ~50 s); once it has the capture file open (its
# priority is set before it opens any input) print "NICE|IONICE" and kill it
held() {
	local pre=() pid i nice io
	while [ "$1" != -- ]; do
		pre+=("$1")
		shift
	done
	shift
	"${pre[@]}" "$LINECAP" query --max-mbps 0.01 -r "$F" -w /dev/null "$@" ip 2>"$T/held.err" &
	pid=$!
	for ((i = 0; i < 200; i++)); do
		if has_open "$pid"; then
			break
		fi
		kill -0 "$pid" 2>/dev/null || fail "the held query ($*) exited: $(cat "$T/held.err")"
		sleep 0.05
	done
	[ "$i" -lt 200 ] || fail "the held query ($*) never opened $F"
	# field 19 of /proc/PID/stat, counted after the ")" that ends the command name
	nice=$(sed 's/.*) //' "/proc/$pid/stat" | cut -d' ' -f17)
	io=$(ionice -p "$pid")
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	echo "$nice|$io"
}

# The expectations allow for a shell that runs niced already (nice is never raised).
BASE=$(nice)
LOW=$((BASE > 10 ? BASE : 10))
IDLE=$((BASE > 19 ? BASE : 19))
# From I/O best-effort 0 (any user may set it): the query's own choice shows.
got=$(held ionice -c 2 -n 0 --)
[ "$got" = "$LOW|best-effort: prio 7" ] ||
	fail "default priority: nice|ionice = '$got', expected '$LOW|best-effort: prio 7'"
ok "default: the query runs at nice $LOW, I/O best-effort 7"
got=$(held ionice -c 2 -n 0 -- --priority low)
[ "$got" = "$LOW|best-effort: prio 7" ] || fail "--priority low: '$got'"
ok "--priority low: nice $LOW, I/O best-effort 7"
got=$(held ionice -c 2 -n 0 -- --priority idle)
[ "$got" = "$IDLE|idle" ] || fail "--priority idle: nice|ionice = '$got', expected '$IDLE|idle'"
ok "--priority idle: nice $IDLE, I/O idle"
got=$(held ionice -c 2 -n 3 -- --priority normal)
[ "$got" = "$BASE|best-effort: prio 3" ] ||
	fail "--priority normal: '$got', expected the shell's nice and the I/O priority it was given: '$BASE|best-effort: prio 3'"
ok "--priority normal: unchanged ($got)"
got=$(held env -- --priority normal)
mine="$BASE|$(ionice -p $$)"
[ "$got" = "$mine" ] || fail "--priority normal: '$got', the shell has '$mine'"
ok "--priority normal: the shell's own ($mine)"
got=$(held nice -n 15 ionice -c 3 --)
exp=$((BASE + 15 > 19 ? 19 : BASE + 15))
[ "$got" = "$exp|idle" ] || fail "under nice +15 and the idle class the default gave '$got', expected '$exp|idle': it must only lower"
ok "only lowered: under nice +15 and ionice -c 3 the default keeps '$got'"

for p in low idle normal; do
	"$LINECAP" query --priority $p -r "$F" -w "$T/$p.pcap" ip 2>"$T/q.err" ||
		fail "--priority $p failed: $(cat "$T/q.err")"
	cmp -s "$T/$p.pcap" "$T/ref.pcap" || fail "--priority $p changed the output"
done
ok "the same output at every priority"

set +e
"$LINECAP" query --priority high -r "$F" -w /dev/null ip 2>"$T/bad.err"
rc=$?
set -e
[ "$rc" = 2 ] || fail "--priority high: exit $rc, expected 2"
{ [ "$(wc -l <"$T/bad.err")" = 1 ] && grep -q "priority.*high" "$T/bad.err"; } ||
	fail "--priority high: not one line naming it: $(cat "$T/bad.err")"
ok "--priority high: exit 2, '$(cat "$T/bad.err")'"

# ---- a file tool: user nobody, nothing of the EAL ----
chmod 755 "$T"
chmod 644 "$F" "$F.idx"
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 strace -f -qq -e trace=%file \
	-o "$T/strace" setpriv --reuid nobody --regid nogroup --clear-groups \
	"$LINECAP" query -r "$F" ip >"$T/nobody.pcap" 2>"$T/q.err" ||
	fail "the query as nobody failed: $(cat "$T/q.err")"
cmp -s "$T/nobody.pcap" "$T/ref.pcap" || fail "the query as nobody gave another output"
grep -q "$F.idx" "$T/strace" || fail "the query as nobody did not open the index (strace)"
if grep -E '/dev/hugepages|/var/run/dpdk|/run/dpdk|/dev/vfio|/sys/bus/pci|/proc/self/pagemap' "$T/strace" >"$T/eal"; then
	fail "the query touched EAL resources: $(head -n 3 "$T/eal")"
fi
ok "as nobody, with no EAL file opened: the same output"
passed_line
