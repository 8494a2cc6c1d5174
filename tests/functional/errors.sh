#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Every error class of the exit-status table in docs/CLI.md: the exit code,
# and stderr is exactly one line starting "linecap: ".
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_cmd unshare mount

passed=0
failed=0
FAILURES=()

# Run one case. Usage:
#   case_ CODE "description" [--ns 'shell setup run in a private mount namespace']
#         [--grep REGEX] -- linecap arguments...
case_() {
	local want=$1 what=$2 ns='' re='' rc=0 lines first
	shift 2
	while [ "$1" != -- ]; do
		case $1 in
		--ns) ns=$2; shift 2 ;;
		--grep) re=$2; shift 2 ;;
		*) fail "case_: bad argument $1" ;;
		esac
	done
	shift
	local cmd
	cmd="$(qcmd "$LINECAP" "$@")"
	if [ -n "$ns" ]; then
		cmd="unshare -m sh -c '$ns && exec \"\$0\" \"\$@\"' $cmd"
		timeout -k 5 60 unshare -m sh -c "$ns"' && exec "$0" "$@"' "$LINECAP" "$@" \
			>"$LC_OUT" 2>"$LC_ERR" || rc=$?
	else
		timeout -k 5 60 "$LINECAP" "$@" >"$LC_OUT" 2>"$LC_ERR" || rc=$?
	fi
	lines=$(grep -c '' "$LC_ERR" || true)
	first=$(head -n 1 "$LC_ERR")
	local why=''
	if [ "$rc" -ne "$want" ]; then
		why="exit $rc, expected $want"
		[ "$rc" -ne 124 ] && [ "$rc" -ne 137 ] || why="$why (timed out)"
	elif [ "$want" -eq 0 ]; then
		:
	elif [ "$lines" -ne 1 ]; then
		why="stderr has $lines lines, expected exactly 1"
	elif [[ $first != "linecap: "* ]]; then
		why="stderr does not start with 'linecap: '"
	elif [ -n "$re" ] && ! grep -Eq -- "$re" "$LC_ERR"; then
		why="stderr does not match /$re/"
	fi
	if [ -z "$why" ]; then
		passed=$((passed + 1))
		printf 'ok   %d  %-48s %s\n' "$want" "$what" "$first"
	else
		failed=$((failed + 1))
		FAILURES+=("$what: $why")
		printf 'FAIL %d  %-48s %s\n     command: %s\n     stderr:\n' "$want" "$what" "$why" "$cmd"
		show "$LC_ERR" 15 | sed 's/^/  /'
	fi
}

OUT=$T/x.pcap
# a valid base command; every case changes one thing
BASE=(-i net_null0,size=64 -w "$OUT" --duration 1 -q)

case_ 0 "control: the base command is valid" -- capture "${BASE[@]}" --eal "$EAL"

# 2: bad option or option value
case_ 0 "-s 0 means the default snaplen, as in tcpdump" -- capture "${BASE[@]}" -s 0 --eal "$EAL"
case_ 2 "-s 262145 (above the maximum)" -- capture "${BASE[@]}" -s 262145 --eal "$EAL"
case_ 2 "-s abc" -- capture "${BASE[@]}" -s abc --eal "$EAL"
case_ 2 "-c -1" -- capture "${BASE[@]}" -c -1 --eal "$EAL"
case_ 2 "--queues 0" -- capture "${BASE[@]}" --queues 0 --eal "$EAL"
case_ 2 "--duration x" -- capture "${BASE[@]}" --duration x --eal "$EAL"
case_ 2 "--tstamp-precision pico" -- capture "${BASE[@]}" --tstamp-precision pico --eal "$EAL"
case_ 2 "unknown option --frobnicate" -- capture "${BASE[@]}" --frobnicate --eal "$EAL"
case_ 2 "missing -w" -- capture -i net_null0,size=64 --duration 1 -q --eal "$EAL"
case_ 2 "missing -i" -- capture -w "$OUT" --duration 1 -q --eal "$EAL"
case_ 2 "option value missing (-s at the end)" -- capture "${BASE[@]}" --eal "$EAL" -s
case_ 2 "unknown command" -- frobnicate "${BASE[@]}" --eal "$EAL"

# 3: no hugepages reserved. A private mount namespace where
# /sys/kernel/mm/hugepages is an empty directory and /proc/meminfo says
# HugePages_Total: 0 -- what a machine without reserved hugepages shows --
# and no --no-huge, so the EAL needs hugepages. The control case runs the
# same namespace with --no-huge and must succeed.
sed -E 's/^(HugePages_(Total|Free|Rsvd|Surp):[[:space:]]+)[0-9]+/\10/; s/^(Hugetlb:[[:space:]]+)[0-9]+/\10/' \
	/proc/meminfo >"$T/meminfo"
NOHUGE_NS="mount -t tmpfs -o mode=0755 nohuge /sys/kernel/mm/hugepages && mount --bind $T/meminfo /proc/meminfo"
unshare -m sh -c "$NOHUGE_NS && [ -z \"\$(ls /sys/kernel/mm/hugepages)\" ] && grep -q 'HugePages_Total: *0' /proc/meminfo" ||
	fail "cannot build the no-hugepages mount namespace (unshare -m + mount); needs root"
case_ 0 "control: no-hugepage namespace with --no-huge" --ns "$NOHUGE_NS" -- \
	capture "${BASE[@]}" --eal "$EAL"
case_ 3 "no hugepages reserved (names scripts/hugepages)" --ns "$NOHUGE_NS" \
	--grep 'scripts/hugepages' -- capture "${BASE[@]}"

# 4: device not found
case_ 4 "-i 0000:ff:1f.7 (no such PCI device)" -- capture -i 0000:ff:1f.7 -w "$OUT" \
	--duration 1 -q --eal "$EAL"
case_ 4 "-i net_nonexistent0 (no such driver)" -- capture -i net_nonexistent0 -w "$OUT" \
	--duration 1 -q --eal "$EAL"

# 5: output not writable (root ignores permission bits: use a read-only mount)
mkdir "$T/ro"
RO_NS="mount -t tmpfs -o ro,mode=0755 rotmp $T/ro"
case_ 5 "-w /nonexistent/dir/x.pcap" -- capture -i net_null0,size=64 \
	-w /nonexistent/dir/x.pcap --duration 1 -q --eal "$EAL"
case_ 5 "-w in a read-only directory" --ns "$RO_NS" -- capture -i net_null0,size=64 \
	-w "$T/ro/x.pcap" --duration 1 -q --eal "$EAL"
case_ 5 "-w names a directory" -- capture -i net_null0,size=64 -w "$T" --duration 1 -q \
	--eal "$EAL"

# 6: too few lcores / bad lcore list
case_ 6 "--lcores 0 (only a main lcore)" -- capture "${BASE[@]}" --lcores 0 --eal "$EAL"
case_ 6 "--lcores 0,999 (no CPU 999)" -- capture "${BASE[@]}" --lcores 0,999 --eal "$EAL"

# 7: EAL initialisation failed for another reason
case_ 7 "--eal with an option the EAL rejects" -- capture "${BASE[@]}" \
	--eal "$EAL --no-such-eal-option"

# 8: pmd-config missing or malformed
printf '[rx\nthis line is not ini\n= = =\n' >"$T/malformed.ini"
case_ 8 "--pmd-config /nonexistent.ini" -- capture "${BASE[@]}" --pmd-config /nonexistent.ini \
	--eal "$EAL"
case_ 8 "--pmd-config malformed ini" -- capture "${BASE[@]}" --pmd-config "$T/malformed.ini" \
	--eal "$EAL"
case_ 8 "--pmd-config no_such_profile (name)" -- capture "${BASE[@]}" \
	--pmd-config no_such_profile --eal "$EAL"

echo "errors: $passed passed, $failed failed"
if [ "$failed" -ne 0 ]; then
	printf '  - %s\n' "${FAILURES[@]}"
	fail "$failed error case(s) failed"
fi
