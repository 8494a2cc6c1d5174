# SPDX-License-Identifier: BSD-3-Clause
# Sourced after lib.sh by the tests that kill a rotating capture with -9 and let the next
# run recover its files (kill9.sh, recover_pidns.sh):
#   kill_when_writing DIR KILLPID WAITPID
#       once DIR holds a .linecap-*.part file over 1 KiB (10 s at most), SIGKILL KILLPID
#       (the capture) and reap WAITPID (the job that runs it)
#   parts_left DIR PID
#       prints how many non-empty .linecap-PID-*.part files DIR holds; fails if none
#   check_recovered DIR PID ERRFILE
#       ERRFILE (the next run's stderr) says it recovered a file of PID, no
#       .linecap-PID-*.part is left in DIR, and every linecap-recovered-PID-* is valid

kill_when_writing() {
	local k
	for ((k = 0; k < 200; k++)); do
		[ -n "$(find "$1" -name '.linecap-*.part' -size +1k 2>/dev/null | head -1)" ] && break
		sleep 0.05
	done
	kill -KILL "$2"
	wait "$3" 2>/dev/null || true
}

parts_left() {
	local n
	n=$(find "$1" -name ".linecap-$2-*.part" -size +0 | wc -l)
	[ "$n" -gt 0 ] || fail "the killed capture (pid $2) left no unfinished file to recover"
	echo "$n"
}

check_recovered() {
	local f
	grep -q "recovered .*linecap-recovered-$2-" "$3" || { show "$3"; fail "the next run did not say it recovered the killed run's file"; }
	[ -z "$(find "$1" -name ".linecap-$2-*.part")" ] || fail "the killed run's .part files are still there"
	for f in "$1"/linecap-recovered-"$2"-*; do
		check "$PCAPCHECK" valid "$f"
	done
}
