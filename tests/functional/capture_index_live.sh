#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# capture --index, the parts beyond capture_index.sh:
#   - pcapng output is indexed while capturing: every FILE.pcapng.idx is byte for
#     byte what `linecap index` builds for the file, tshark reads the captures back,
#     and `linecap query` on them gives the oracle's packets (tcpdump EXPR), one file
#     and -C rotation;
#   - the keys the rx lcore summarises are those of the bytes the record holds: with
#     -s 60 (records shorter than the packets) the index still equals linecap index's;
#   - -Z: the index files belong to UID:GID with --file-mode's permissions, like the
#     capture files, with and without rotation;
#   - kill -9: with -C the next run's recovery removes the killed run's .idx.part files
#     (one line each); without rotation `linecap repair FILE` rebuilds FILE.idx from
#     the repaired file and removes FILE.idx.part.
. "$(dirname "$0")/lib.sh"
require_cmd tcpdump tshark python3
HERE=$(cd "$(dirname "$0")" && pwd)
[ "$(id -u)" -eq 0 ] || fail "needs root (-Z)"

G=$T/gen
mkdir -p "$G"
python3 "$HERE/query_gen.py" "$G" 1 30000 7
IN=$G/gen-0.pcap
N=$(tcpdump -nn -r "$IN" 2>/dev/null | wc -l)
[ "$N" -gt 20000 ] || fail "generator wrote $N packets"

# same_as_rebuilt FILE: FILE.idx exists and equals what linecap index builds for a copy.
same_as_rebuilt() {
	local f=$1 ext=${1##*.}
	[ -f "$f.idx" ] || fail "$f has no index: $(ls "$(dirname "$f")")"
	rm -f "$T/copy.$ext" "$T/copy.$ext.idx"
	cp "$f" "$T/copy.$ext"
	"$LINECAP" index -q "$T/copy.$ext" || fail "linecap index of a copy of $f failed"
	cmp -s "$f.idx" "$T/copy.$ext.idx" || fail "$f.idx differs from linecap index's"
}

# query_eq DIR EXPR: linecap query -v over DIR uses every index and gives the packets
# tcpdump EXPR gives over the files (each file is in time order; sort for the set).
query_eq() {
	local dir=$1 expr=$2 nfiles f
	nfiles=$(find "$dir" -maxdepth 1 -type f ! -name '*.idx' | wc -l)
	# shellcheck disable=SC2086 # EXPR is words
	"$LINECAP" query -v -r "$dir" -F pcapng -w "$T/q.pcapng" $expr 2>"$T/q.err" ||
		fail "query '$expr' on $dir: $(cat "$T/q.err")"
	grep -q "($nfiles indexed" "$T/q.err" || fail "query on $dir: not all $nfiles files indexed: $(cat "$T/q.err")"
	tshark -r "$T/q.pcapng" >/dev/null 2>&1 || fail "tshark cannot read the query's pcapng output"
	tcpdump -nn -r "$T/q.pcapng" 2>/dev/null | sort >"$T/q.txt"
	for f in "$dir"/*; do
		case $f in *.idx) continue ;; esac
		# shellcheck disable=SC2086
		tcpdump -nn -r "$f" $expr 2>/dev/null
	done | sort >"$T/o.txt"
	[ -s "$T/o.txt" ] || fail "'$expr' matches nothing in $dir: the input does not exercise it"
	cmp -s "$T/q.txt" "$T/o.txt" || fail "query '$expr' on $dir: $(wc -l <"$T/q.txt") packets, tcpdump $(wc -l <"$T/o.txt")"
}

cap() { # cap OUT ARGS...: net_pcap replays the generated file once
	local out=$1
	shift
	lc 120 capture -q -i "net_pcap0,rx_pcap=$IN" -c "$N" -w "$out" --index --eal "$EAL" "$@"
	[ "$LC_RC" = 0 ] || fail "$LC_CMD: exit $LC_RC: $(cat "$LC_ERR")"
}

# ---- pcapng ----
mkdir -p "$T/ng" "$T/ngrot" "$T/snap"
cap "$T/ng/cap.pcapng" -F pcapng
same_as_rebuilt "$T/ng/cap.pcapng"
got=$(tshark -r "$T/ng/cap.pcapng" 2>/dev/null | wc -l)
[ "$got" = "$N" ] || fail "tshark reads $got packets of $N from the pcapng capture"
for expr in "host 10.1.0.77" "udp and port 53" "ip6" "vlan" "tcp"; do
	query_eq "$T/ng" "$expr"
done
ok "-F pcapng --index: the index equals linecap index's; tshark reads $got packets; 5 queries = tcpdump"

cap "$T/ngrot/cap.pcapng" -F pcapng -C 1
nf=0
for f in "$T"/ngrot/*; do
	case $f in *.idx) continue ;; esac
	same_as_rebuilt "$f"
	nf=$((nf + 1))
done
[ "$nf" -ge 3 ] || fail "-C 1 wrote only $nf pcapng files"
ls "$T"/ngrot/*.part >/dev/null 2>&1 && fail "parts left in $T/ngrot: $(ls "$T/ngrot")"
query_eq "$T/ngrot" "host 10.1.0.77"
ok "-F pcapng -C 1 --index: $nf files, each index = linecap index's; query = tcpdump"

cap "$T/snap/cap.pcap" -s 60
same_as_rebuilt "$T/snap/cap.pcap"
query_eq "$T/snap" "udp"
ok "-s 60: keys of the record's 60 bytes, the index equals linecap index's"

# ---- -Z ----
uid=65534 gid=65533
chmod 0755 "$T"
mkdir -p "$T/z" "$T/zrot"
chown "$uid:$gid" "$T/z" "$T/zrot"
cap "$T/z/cap.pcap" -Z "$uid:$gid" --file-mode 0640
cap "$T/zrot/cap.pcap" -Z "$uid:$gid" --file-mode 0640 -C 1
nz=0
for f in "$T"/z/* "$T"/zrot/*; do
	[ "$(stat -c '%u:%g %a' "$f")" = "$uid:$gid 640" ] ||
		fail "$f is $(stat -c '%u:%g %a' "$f"), expected $uid:$gid 640 (-Z, --file-mode 0640)"
	case $f in *.idx) nz=$((nz + 1)) ;; *) same_as_rebuilt "$f" ;; esac
done
[ "$nz" -ge 3 ] || fail "-Z: only $nz index files: $(ls "$T/z" "$T/zrot")"
ok "-Z $uid:$gid: $nz index files, each $uid:$gid mode 640 like its capture file, and complete"

# ---- kill -9 ----
# start_kill DIR ARGS...: a capture --index of the generated file (net_pcap replays it
# once, then the port idles with the last file open) into DIR, killed (-9) once an
# unfinished index exists and --flush-ms wrote the records; tries three times.
has_part() { find "$1" -name '*.idx.part' | grep -q .; }
start_kill() {
	local dir=$1 try i pid
	shift
	for try in 1 2 3; do
		rm -rf "$dir"
		mkdir -p "$dir"
		"$LINECAP" capture -q -i "net_pcap0,rx_pcap=$IN" --index --eal "$EAL" "$@" \
			>/dev/null 2>&1 &
		pid=$!
		BG_PIDS+=("$pid")
		for i in $(seq 100); do
			sleep 0.1
			has_part "$dir" && [ "$i" -ge 25 ] && break
		done
		kill -9 "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		has_part "$dir" && return 0
	done
	fail "no unfinished index in $dir after three killed captures: $(ls -a "$dir")"
}

start_kill "$T/k9rot" -C 1 -w "$T/k9rot/cap.pcap"
nparts=$(find "$T/k9rot" -name '.linecap-*.idx.part' | wc -l)
[ "$nparts" -ge 1 ] || fail "kill -9 with -C left no .linecap-*.idx.part: $(ls -a "$T/k9rot")"
sleep 0.3
lc 60 capture -q -i net_null0,size=64 -c 1000 -C 2 -w "$T/k9rot/cap.pcap" --index --eal "$EAL"
[ "$LC_RC" = 0 ] || fail "$LC_CMD: exit $LC_RC: $(cat "$LC_ERR")"
left=$(find "$T/k9rot" -name '*.idx.part' | wc -l)
[ "$left" = 0 ] || fail "the next run left $left unfinished indexes: $(ls -a "$T/k9rot")"
[ "$(grep -c 'unfinished index of a killed run' "$LC_ERR")" = "$nparts" ] ||
	fail "not one line per removed index part ($nparts): $(cat "$LC_ERR")"
ls "$T"/k9rot/linecap-recovered-* >/dev/null 2>&1 || fail "no file recovered: $(ls -a "$T/k9rot")"
ok "kill -9 with -C: the next run removed $nparts unfinished index(es), one line each"

start_kill "$T/k9" -w "$T/k9/cap.pcap"
[ -f "$T/k9/cap.pcap.idx.part" ] || fail "kill -9 left no cap.pcap.idx.part: $(ls -a "$T/k9")"
lc 60 repair "$T/k9/cap.pcap"
[ "$LC_RC" = 0 ] || fail "$LC_CMD: exit $LC_RC: $(cat "$LC_ERR") $(cat "$LC_OUT")"
grep -q "index rebuilt" "$LC_OUT" || fail "repair did not say it rebuilt the index: $(cat "$LC_OUT")"
[ ! -e "$T/k9/cap.pcap.idx.part" ] || fail "repair left cap.pcap.idx.part"
same_as_rebuilt "$T/k9/cap.pcap"
"$LINECAP" query -v -r "$T/k9" -w "$T/q.pcap" 2>"$T/q.err" || fail "query after repair: $(cat "$T/q.err")"
grep -q "(1 indexed" "$T/q.err" || fail "query after repair does not use the index: $(cat "$T/q.err")"
tcpdump -nn -r "$T/q.pcap" >/dev/null 2>&1 || fail "query output after repair unreadable"
ok "kill -9 without rotation: linecap repair rebuilt FILE.idx and removed FILE.idx.part"

passed_line
