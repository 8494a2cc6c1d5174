# SPDX-License-Identifier: BSD-3-Clause
# Sourced by every functional test. Provides:
#   $T            private temp dir, removed at exit
#   $EAL          the EAL arguments every run uses (--no-huge: no hugepages
#                 needed, so tests run side by side)
#   lc TIMEOUT ARGS...   run linecap under timeout; sets LC_RC, stdout in
#                 $LC_OUT, stderr in $LC_ERR; a hang or a crash fails the test
#   check CMD...  run a checker (pcapcheck ...), show its line, fail on non-zero
#   fail MSG      print "FAIL: MSG" and exit 1
#   ok MSG        print "ok: MSG" (counted)
#   passed_line   print "NAME: N checks passed", N = the ok() calls (last line of a test)
# Prerequisites that are missing make the test FAIL (never skip).

set -euo pipefail

TEST_NAME=$(basename "$0" .sh)
# shellcheck disable=SC2034 # used by the tests that source this file
EAL='--no-huge -m 512'

fail() {
	echo "FAIL: $TEST_NAME: $*" >&2
	exit 1
}

OK_COUNT=0 # ok() calls so far (in this shell)
ok() {
	OK_COUNT=$((OK_COUNT + 1))
	echo "ok: $*"
}

# passed_line: the last line of a test that got to its end: how many checks passed (the
# ok() calls counted). A failure exits at fail(), so a failed test never prints it.
passed_line() {
	echo "$TEST_NAME: $OK_COUNT checks passed"
}

# Quote a command for messages, so a failure can be re-run by hand.
qcmd() {
	local s='' a
	for a in "$@"; do
		s+="$(printf '%q' "$a") "
	done
	printf '%s' "${s% }"
}

require_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 ||
			fail "required tool '$c' is not installed (DEBIAN_FRONTEND=noninteractive apt-get install -y it)"
	done
}

[ -n "${LINECAP:-}" ] || fail "LINECAP is not set (run through meson test)"
[ -n "${PCAPCHECK:-}" ] || fail "PCAPCHECK is not set (run through meson test)"
[ -x "$LINECAP" ] || fail "linecap binary '$LINECAP' does not exist or is not executable (build it first)"
[ -x "$PCAPCHECK" ] || fail "pcapcheck binary '$PCAPCHECK' does not exist or is not executable"
require_cmd timeout jq

T=$(mktemp -d "${TMPDIR:-/tmp}/linecap-$TEST_NAME.XXXXXX")
LC_OUT=$T/lc.stdout
LC_ERR=$T/lc.stderr
BG_PIDS=()

# Kill a background job and everything it started: a job started under `set -m` leads
# its own process group (kill that); otherwise kill its children, then it. Without this,
# killing `timeout ... linecap` leaves linecap running, writing into a deleted file.
kill_tree() {
	local p=$1 c
	kill -KILL -- "-$p" 2>/dev/null || true
	for c in $(cat "/proc/$p/task/"*/children 2>/dev/null); do
		kill_tree "$c"
	done
	kill -KILL "$p" 2>/dev/null || true
}

NETNS=() # network namespaces made by veth_netns, deleted at exit
cleanup() {
	local p ns
	for p in "${BG_PIDS[@]}"; do
		kill_tree "$p"
	done
	for ns in "${NETNS[@]}"; do
		ip netns del "$ns" 2>/dev/null || true
	done
	rm -rf "$T"
}
trap cleanup EXIT

# veth_netns NS VA VB [MTU]: network namespace NS (deleted at exit) with the veth pair
# VA-VB, both up and with IPv6 off, so the kernel sends nothing of its own.
veth_netns() {
	local v
	ip netns add "$1" || fail "cannot create network namespace $1"
	NETNS+=("$1")
	ip -n "$1" link add "$2" type veth peer name "$3" || fail "cannot create veth pair"
	for v in "$2" "$3"; do
		ip netns exec "$1" sysctl -qw "net.ipv6.conf.$v.disable_ipv6=1" || fail "cannot turn IPv6 off on $v"
		# shellcheck disable=SC2086 # no MTU: no words
		ip -n "$1" link set "$v" ${4:+mtu $4} up || fail "cannot bring $v up"
	done
}

# telemetry_sock PID: prints the DPDK telemetry socket of linecap PID once it exists and
# the plan line is in $LC_ERR (20 s at most)
telemetry_sock() {
	local sock=/var/run/dpdk/linecap-$1/dpdk_telemetry.v2 i
	for ((i = 0; i < 200; i++)); do
		[ -S "$sock" ] && grep -q '^plan:' "$LC_ERR" && break
		sleep 0.1
	done
	[ -S "$sock" ] || { show "$LC_ERR"; fail "no telemetry socket $sock after 20 s"; }
	echo "$sock"
}

# lo_netns NS: network namespace NS (deleted at exit) with only its loopback, up
lo_netns() {
	ip netns add "$1" || fail "cannot create network namespace $1 (root needed)"
	NETNS+=("$1")
	ip -n "$1" link set lo up || fail "cannot bring lo up in $1"
}

# netns_capture NS SECONDS SEND ARGS...: `linecap ARGS...` in network namespace NS, in the
# background (stdout, stderr in $LC_OUT, $LC_ERR; killed after SECONDS); once its plan line
# is out and 0.5 s more, SEND (a command or function, no arguments: the traffic); 1 s after
# SEND returns, SIGINT. Fails if SEND fails or linecap does not exit 0.
netns_capture() {
	local ns=$1 secs=$2 send=$3 pid lpid rc=0
	shift 3
	LC_CMD="ip netns exec $ns $(qcmd "$LINECAP" "$@")"
	: >"$LC_ERR"
	ip netns exec "$ns" timeout -k 5 "$secs" "$LINECAP" "$@" >"$LC_OUT" 2>"$LC_ERR" &
	pid=$!
	BG_PIDS+=("$pid")
	wait_for "$LC_ERR" '^plan:' "$pid" "linecap ($LC_CMD)"
	sleep 0.5
	"$send" || fail "the traffic ($send) failed while: $LC_CMD"
	sleep 1
	lpid=$(pgrep -n -P "$pid") || fail "cannot find linecap's pid (child of $pid)"
	kill -INT "$lpid"
	wait "$pid" || rc=$?
	BG_PIDS=()
	[ "$rc" -eq 0 ] || { show "$LC_ERR" 30; fail "exit $rc: $LC_CMD"; }
}

# wait_for FILE REGEX PID WHAT: until FILE has a line matching REGEX (10 s); fails
# sooner if PID exits.
wait_for() {
	local _
	for _ in $(seq 100); do
		grep -Eq "$2" "$1" 2>/dev/null && return 0
		kill -0 "$3" 2>/dev/null || break
		sleep 0.1
	done
	show "$1"
	fail "$4 did not come up"
}

# Print a file indented, at most N lines, for failure messages.
show() {
	local f=$1 n=${2:-20}
	[ -s "$f" ] || { echo "    (empty)"; return 0; }
	head -n "$n" "$f" | sed 's/^/    | /'
	local total
	total=$(wc -l <"$f")
	[ "$total" -le "$n" ] || echo "    | ... ($total lines)"
}

lc() {
	local to=$1
	shift
	LC_CMD="$(qcmd "$LINECAP" "$@")"
	LC_RC=0
	timeout -k 5 "$to" "$LINECAP" "$@" >"$LC_OUT" 2>"$LC_ERR" || LC_RC=$?
	case $LC_RC in
	124 | 137)
		echo "stderr:"; show "$LC_ERR"
		fail "linecap did not finish within ${to}s (killed by timeout): $LC_CMD"
		;;
	13[0-9] | 14[0-9] | 15[0-9])
		echo "stderr:"; show "$LC_ERR"
		fail "linecap died from signal $((LC_RC - 128)) (exit $LC_RC): $LC_CMD"
		;;
	esac
	return 0
}

# Fail unless the last lc run exited with status $1.
expect_rc() {
	local want=$1
	if [ "$LC_RC" -ne "$want" ]; then
		echo "stderr:"; show "$LC_ERR" 30
		fail "exit status $LC_RC, expected $want: $LC_CMD"
	fi
}

check() {
	local out rc=0
	out=$("$@" 2>&1) || rc=$?
	printf '%s\n' "$out" | sed 's/^/  /'
	[ "$rc" -eq 0 ] || fail "check failed (exit $rc): $(qcmd "$@")"
}

# json_get FILE JQ-EXPR: print a value from a JSON file; fail if absent/invalid.
json_get() {
	local v
	v=$(jq -er "$2" "$1" 2>&1) || fail "stats JSON $1: '$2' missing or invalid: $v"
	printf '%s' "$v"
}

# check_invariant FILE: the --stats-json invariant, exactly, plus schema basics.
check_invariant() {
	local j=$1 r w d1 d2
	[ -s "$j" ] || fail "stats JSON $j was not written"
	jq -e . "$j" >/dev/null 2>&1 || { show "$j"; fail "stats JSON $j is not valid JSON"; }
	[ "$(json_get "$j" '.version')" = 1 ] || fail "stats JSON version is not 1"
	local f dk
	r=$(json_get "$j" '.totals.received')
	w=$(json_get "$j" '.totals.written')
	d1=$(json_get "$j" '.totals.dropped_ring_full')
	d2=$(json_get "$j" '.totals.dropped_write_error')
	f=$(json_get "$j" '.totals.filtered')
	# dropped_kernel (ps_drop) is null on the DPDK path
	dk=$(json_get "$j" '.totals.dropped_kernel // 0')
	for v in "$r" "$w" "$d1" "$d2" "$f" "$dk"; do
		[[ $v =~ ^[0-9]+$ ]] || fail "stats JSON counter '$v' is not a non-negative integer"
	done
	if [ "$r" -ne $((w + d1 + d2 + f + dk)) ]; then
		show "$j" 40
		fail "invariant broken: received $r != written $w + filtered $f + dropped_ring_full $d1 + dropped_write_error $d2 + dropped_kernel $dk"
	fi
	[ "$(json_get "$j" '.invariant_ok')" = true ] || fail "invariant_ok is not true in $j"
	# per-writer and per-queue counters add up to the totals
	local ws qr
	ws=$(json_get "$j" '[.writers[].written] | add // 0')
	[ "$ws" -eq "$w" ] || fail "sum of writers[].written $ws != totals.written $w"
	qr=$(json_get "$j" '[.ports[].queues[].received] | add // 0')
	[ "$qr" -eq "$r" ] || fail "sum of ports[].queues[].received $qr != totals.received $r"
	echo "  invariant: received $r == written $w + filtered $f + dropped_ring_full $d1 + dropped_write_error $d2 + dropped_kernel $dk"
}

# check_summary: the tcpdump-style summary on stderr ($LC_ERR) agrees with JSON $1.
check_summary() {
	local j=$1 line
	local w r d1 d2
	w=$(json_get "$j" '.totals.written')
	r=$(json_get "$j" '.totals.received')
	d1=$(json_get "$j" '.totals.dropped_ring_full')
	d2=$(json_get "$j" '.totals.dropped_write_error')
	for line in "^$w packets captured\$" "^$r packets received by linecap\$" \
		'^[0-9]+ packets dropped by interface \(imissed ([0-9]+|n/a), rx_nombuf ([0-9]+|n/a), ierrors ([0-9]+|n/a)(, ps_ifdrop [0-9]+)?\)$' \
		"^$d1 packets dropped by ring\$" "^$d2 packets dropped by write errors\$"; do
		if ! grep -Eq "$line" "$LC_ERR"; then
			echo "stderr:"; show "$LC_ERR" 30
			fail "summary line matching /$line/ not on stderr (JSON: written $w received $r ring $d1 write $d2)"
		fi
	done
	echo "  summary on stderr agrees with the stats JSON"
}
