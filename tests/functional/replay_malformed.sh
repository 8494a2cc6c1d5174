#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Malformed input: every corpus file replay refuses, and every truncated
# prefix of a few valid files (pcap, pcapng), replayed into net_null. Each
# must end in its one-line error (exit 9, naming the file and the byte
# offset) or a partial replay plus a warning with the offset (exit 0) --
# never a crash, a hang or another exit status. Runs in the ASan build too.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
: "${CORPUS_DIR:?CORPUS_DIR must name the tcpdump test corpus}"
[ -d "$CORPUS_DIR" ] || fail "corpus directory '$CORPUS_DIR' does not exist"

# 1. the corpus: one --check pass lists the refused files
mapfile -t all < <(find "$CORPUS_DIR" -maxdepth 1 -type f | LC_ALL=C sort)
args=()
for f in "${all[@]}"; do args+=(-r "$f"); done
lc 120 replay --check "${args[@]}"
expect_rc 9
mapfile -t refused < <(sed -n 's/^linecap: \(.*\): offset [0-9][0-9]*: .*/\1/p' "$LC_ERR")
[ "${#refused[@]}" -eq "$(wc -l <"$LC_ERR")" ] || { show "$LC_ERR" 40; fail "an error line without 'FILE: offset N:'"; }
[ "${#refused[@]}" -gt 10 ] || fail "only ${#refused[@]} corpus files refused"
# Every 8th refused file, replayed for real into net_null: the same one-line
# error, before the EAL starts (the check above is the same code, run first
# by every replay), exit 9.
n=0
for ((i = 0; i < ${#refused[@]}; i += 8)); do
	f=${refused[$i]}
	lc 30 replay -i net_null0 -r "$f" -t -q --eal "$EAL"
	expect_rc 9
	[ "$(wc -l <"$LC_ERR")" -eq 1 ] || { show "$LC_ERR"; fail "$f: more than one line on stderr"; }
	grep -Fq "linecap: $f: offset " "$LC_ERR" || { show "$LC_ERR"; fail "$f: error does not name the file and offset"; }
	n=$((n + 1))
done
ok "${#refused[@]} refused corpus files: one line each naming file and offset, exit 9 ($n of them replayed into net_null)"

# 2. every prefix of a few valid files: error, or partial replay + warning
PRE=$T/prefix
prefixes=0 partial=0 errors=0
for name in arista_ether.pcap OSPFv2_Capture_FINAL.pcapng bgp-extended-msg.pcapng; do
	f=$CORPUS_DIR/$name
	[ -f "$f" ] || fail "corpus file $name is missing"
	size=$(stat -c %s "$f")
	# every prefix length for small files, ~400 evenly spread for larger ones
	mapfile -t pargs < <(python3 - "$f" "$PRE" <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
step = max(1, len(data) // 400)
for n in range(0, len(data), step):
    path = "%s-%d" % (sys.argv[2], n)
    open(path, "wb").write(data[:n])
    print("-r")
    print(path)
PY
)
	[ "${#pargs[@]}" -gt 0 ] || fail "no prefixes of $name"
	# one process checks them all: a line each, ok (maybe with a warning) or refused
	lc 120 replay --check "${pargs[@]}"
	[ "$LC_RC" -eq 0 ] || [ "$LC_RC" -eq 9 ] || { show "$LC_ERR"; fail "$name prefixes: exit $LC_RC"; }
	e=$(grep -Ec '^linecap: .*: offset [0-9]+: ' "$LC_ERR" || true)
	w=$(grep -Ec '^linecap: warning: .*: offset [0-9]+: ' "$LC_ERR" || true)
	o=$(grep -c ', ok' "$LC_OUT" || true)
	[ $((e - w + o)) -eq $((${#pargs[@]} / 2)) ] || { show "$LC_ERR"; fail "$name: $((e - w)) errors + $o ok != $((${#pargs[@]} / 2)) prefixes"; }
	[ "$(wc -l <"$LC_ERR")" -eq "$e" ] || { show "$LC_ERR"; fail "$name: a line without an offset"; }
	prefixes=$((prefixes + ${#pargs[@]} / 2))
	errors=$((errors + e - w))
	partial=$((partial + w))
	rm -f "$PRE"-*
	# one truncated prefix really replayed: the complete records go out
	len=$((size - 7))
	head -c "$len" "$f" >"$PRE"
	want=$("$PCAPCHECK" count "$PRE" 2>/dev/null) || want=$("$PCAPCHECK" count "$f")
	lc 30 replay -i net_null0 -r "$PRE" -t -q --eal "$EAL" --stats-json "$T/p.json"
	expect_rc 0
	grep -Eq '^linecap: warning: .*: offset [0-9]+: the file ends inside a record' "$LC_ERR" || { show "$LC_ERR"; fail "$name[:$len]: no truncation warning"; }
	got=$(json_get "$T/p.json" .totals.sent)
	[ "$got" -ge $((want - 1)) ] && [ "$got" -le "$want" ] || fail "$name[:$len]: sent $got, libpcap reads $want complete records"
	ok "$name cut 7 bytes short: $got complete records sent, warning with offset"
done
ok "$prefixes truncated prefixes: $errors clean errors, $partial partial replays with a warning, no crash"
passed_line
