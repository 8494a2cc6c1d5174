#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# -Z UID:GID: after setup linecap runs as UID:GID in every thread, with no
# capabilities (effective, permitted, inheritable, ambient, bounding), no
# supplementary groups and NoNewPrivs, read from /proc/PID/status while it
# captures. The output file belongs to UID:GID and reads back valid with the
# invariant exact; files are 0600 unless --file-mode says otherwise, also when -C
# rotation creates them after the drop. Bad -Z values exit 2. The runtime directory a killed
# (SIGKILL) or unprivileged linecap leaves behind is removed by the next run.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || fail "needs root (it tests dropping root)"
uid=65534 gid=65533
out=$T/z.pcap j=$T/z.json
chmod 0777 "$T"
child_of() { # child_of PID: a process whose parent is PID
	local p
	for p in /proc/[0-9]*/stat; do
		{ read -r st <"$p"; } 2>/dev/null || continue
		rest=${st##*) }
		read -r _ ppid _ <<<"$rest"
		[ "$ppid" = "$1" ] && { p=${p#/proc/}; echo "${p%/stat}"; return 0; }
	done
	return 0
}

# net_pcap replays a small file, then the port idles until --duration: a real capture
# with little disk.
in=$T/in.pcap
"$PCAPCHECK" gen-flows "$in" 20 1000 >/dev/null
timeout -k 5 60 "$LINECAP" capture -i "net_pcap0,rx_pcap=$in" -w "$out" --stats-json "$j" -q \
	--duration 4 -Z "$uid:$gid" --eal "$EAL" >"$LC_OUT" 2>"$LC_ERR" &
tpid=$!
BG_PIDS+=("$tpid")
lpid=
for ((i = 0; i < 100; i++)); do
	lpid=$(child_of "$tpid")
	[ -n "$lpid" ] && [ "$(awk '/^Uid:/ {print $2}' "/proc/$lpid/status" 2>/dev/null)" = "$uid" ] && break
	sleep 0.1
done
[ -n "$lpid" ] || fail "linecap did not start"
st=/proc/$lpid/status
grep -E '^(Uid|Gid|Groups|Cap...|NoNewPrivs):' "$st" | sed 's/^/  /'
want() { # want FIELD VALUE
	local v
	v=$(awk -v f="$1:" '$1 == f { $1 = ""; sub(/^ +/, ""); print }' "$st" | tr -s '\t ' ' ')
	[ "$v" = "$2" ] || fail "$1 is '$v', expected '$2' (linecap -Z $uid:$gid, pid $lpid)"
}
want Uid "$uid $uid $uid $uid"
want Gid "$gid $gid $gid $gid"
want Groups "$gid"
for c in CapInh CapPrm CapEff CapBnd CapAmb; do
	want "$c" 0000000000000000
done
want NoNewPrivs 1
ok "uid, gid, groups, capabilities and NoNewPrivs after setup"
ntask=0
for t in /proc/"$lpid"/task/*/status; do
	u=$(awk '/^Uid:/ {print $2 $3 $4 $5}' "$t")
	e=$(awk '/^CapEff:/ {print $2}' "$t")
	[ "$u" = "$uid$uid$uid$uid" ] && [ "$e" = 0000000000000000 ] ||
		fail "thread $t still has uid $u / CapEff $e"
	ntask=$((ntask + 1))
done
ok "all $ntask threads run as $uid with no capabilities"

rc=0
wait "$tpid" || rc=$?
[ "$rc" -eq 0 ] || { show "$LC_ERR" 30; fail "linecap -Z exited $rc"; }
[ "$(stat -c '%u:%g' "$out")" = "$uid:$gid" ] || fail "$out belongs to $(stat -c '%u:%g' "$out"), not $uid:$gid"
check_invariant "$j"
written=$(json_get "$j" .totals.written)
[ "$written" -eq 1000 ] || fail "written $written of the 1000 packets of $in"
check "$PCAPCHECK" same "$in" "$out"
[ "$(stat -c %a "$out")" = 600 ] || fail "$out has mode $(stat -c %a "$out"), expected 600 (the default)"
ok "output owned by $uid:$gid, mode 600, $written packets, invariant exact"

# Rotation under -Z: the files opened ahead before the drop and the ones created after
# it all belong to UID:GID, with --file-mode's permissions.
rot=$T/rot
mkdir "$rot"
chown "$uid:$gid" "$rot"
lc 60 capture -i net_null0,size=64 -w "$rot/r.pcap" -C 1 -c 200000 -q -Z "$uid:$gid" \
	--file-mode 0640 --stats-json "$T/rot.json" --eal "$EAL"
expect_rc 0
check_invariant "$T/rot.json"
n=0
for f in "$rot"/*; do
	[ "$(stat -c '%u:%g %a' "$f")" = "$uid:$gid 640" ] ||
		fail "rotated file $f is $(stat -c '%u:%g %a' "$f"), expected $uid:$gid 640"
	n=$((n + 1))
done
[ "$n" -gt 5 ] || fail "only $n files from -C 1 over 200000 packets"
ok "-C rotation under -Z: $n files, all $uid:$gid mode 640"
for bad in 8 -1 0x1ff 1000 ''; do
	lc 30 capture -i net_null0 -w "$T/bad.pcap" --file-mode "$bad" --eal "$EAL"
	expect_rc 2
done
ok "bad --file-mode values exit 2"

for bad in nobody 1:x -1 4294967295 '' 12:; do
	lc 30 capture -i net_null0 -w "$T/bad.pcap" -Z "$bad" --eal "$EAL"
	expect_rc 2
	grep -q -- "-Z" "$LC_ERR" || fail "-Z '$bad': error does not name -Z: $(cat "$LC_ERR")"
done
ok "bad -Z values exit 2"

# A SIGKILLed run leaves /var/run/dpdk/linecap-PID; the next run removes it.
timeout -k 5 60 "$LINECAP" capture -i net_null0,size=64 -w "$T/k.pcap" -q --eal "$EAL" \
	>/dev/null 2>&1 &
tpid=$!
BG_PIDS+=("$tpid")
for ((i = 0; i < 100; i++)); do
	lpid=$(child_of "$tpid")
	[ -n "$lpid" ] && [ -d "/var/run/dpdk/linecap-$lpid" ] && break
	sleep 0.1
done
[ -d "/var/run/dpdk/linecap-$lpid" ] || fail "no runtime directory /var/run/dpdk/linecap-$lpid"
kill -KILL "$lpid"
wait "$tpid" 2>/dev/null || true
[ -d "/var/run/dpdk/linecap-$lpid" ] || fail "runtime directory vanished without a sweep"
lc 30 capture -i net_null0 -w "$T/n.pcap" -c 10 -q --eal "$EAL"
expect_rc 0
[ ! -e "/var/run/dpdk/linecap-$lpid" ] || fail "stale /var/run/dpdk/linecap-$lpid was not removed by the next run"
ok "stale runtime directory of a killed run removed by the next run"
