#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# lint_archtable.sh [ROOT]       the "files and their jobs" table of docs/ARCHITECTURE.md
# lint_archtable.sh --selftest   proves the lint fails on each defect (synthetic trees)
#
# THE TABLE FORMAT (docs/ARCHITECTURE.md must follow it):
#   - exactly one heading (any level) whose text is "Files and their jobs" (any case);
#   - the first markdown table after that heading is THE table: it starts at the first line
#     beginning with `|` and ends at the first line that does not; its first two lines are
#     the header row and the `|---|` separator;
#   - one row per file; the FIRST cell is exactly one path relative to the repository root
#     in backticks, e.g.
#       | `engine/core/eal.c` | control plane | hugepage checks, EAL argv, DPDK log hold-back |
#     (the other columns are free);
#   - headers (.h) and other files may have rows too; every row must name a file that exists.
# The lint fails when
#   - a .c file under engine/ or pmd-config/ has no row;
#   - a file has two rows or more;
#   - a row names a file that does not exist, or its first cell is not one backticked path;
#   - there is no such heading, more than one, or no table after it.
# Each problem is one line naming docs/ARCHITECTURE.md:LINE where there is a line.
# ROOT: the argument, else $SRCDIR, else the repository this script is in.
# Exit 0: table complete; 1: problems; 2: usage.
set -euo pipefail

lint() {
	local root=$1 doc=docs/ARCHITECTURE.md n=0 line text cell path in_table=0 seen_table=0
	local -a headings=()
	local -A rows=()
	if [[ ! -f $root/$doc ]]; then
		echo "$doc: does not exist in $root"
		echo "lint_archtable: 1 problem(s)"
		return 1
	fi
	mapfile -t headings < <(grep -niE '^#+[[:space:]]+files and their jobs[[:space:]]*$' "$root/$doc" | cut -d: -f1)
	if ((${#headings[@]} != 1)); then
		if ((${#headings[@]} == 0)); then
			echo "$doc: no heading \"Files and their jobs\""
		else
			echo "$doc:$(
				IFS=,
				echo "${headings[*]}"
			): ${#headings[@]} headings \"Files and their jobs\" (want exactly one)"
		fi
		echo "lint_archtable: 1 problem(s)"
		return 1
	fi

	line=0
	while IFS= read -r text || [[ -n $text ]]; do
		line=$((line + 1))
		((line > headings[0])) || continue
		if [[ $text == '|'* ]]; then
			in_table=$((in_table + 1))
			seen_table=1
			((in_table > 2)) || continue # header row and |---| separator
			cell=${text#|}
			cell=${cell%%|*}
			cell=$(sed -E 's/^[[:space:]]+//; s/[[:space:]]+$//' <<<"$cell")
			if [[ ! $cell =~ ^\`([^\`[:space:]]+)\`$ ]]; then
				echo "$doc:$line: first cell is not one path in backticks: $cell"
				n=$((n + 1))
				continue
			fi
			path=${BASH_REMATCH[1]}
			path=${path#./}
			if [[ ! -e $root/$path ]]; then
				echo "$doc:$line: lists $path, which does not exist"
				n=$((n + 1))
			elif [[ ! -f $root/$path ]]; then
				echo "$doc:$line: lists $path, which is not a file (one row per file)"
				n=$((n + 1))
			fi
			if [[ -n ${rows[$path]:-} ]]; then
				echo "$doc:$line: lists $path twice (first at line ${rows[$path]})"
				n=$((n + 1))
			else
				rows[$path]=$line
			fi
		elif ((seen_table)); then
			break
		fi
	done <"$root/$doc"
	if ((!seen_table)); then
		echo "$doc:${headings[0]}: no table after the heading \"Files and their jobs\""
		n=$((n + 1))
	fi

	local f
	while IFS= read -r -d '' f; do
		f=${f#"$root"/}
		if [[ -z ${rows[$f]:-} ]]; then
			echo "$doc: $f is missing from the table"
			n=$((n + 1))
		fi
	done < <(cd "$root" && find engine pmd-config -type f -name '*.c' -print0 2>/dev/null | LC_ALL=C sort -z |
		sed -z "s|^|$root/|")

	if ((n)); then
		echo "lint_archtable: $n problem(s)"
		return 1
	fi
	echo "lint_archtable: the table lists each of ${#rows[@]} files once, every .c under engine/ and pmd-config/ included"
	return 0
}

# shellcheck disable=SC2016 # the backticks are markdown, not command substitution
selftest() {
	local T passed=0 failed=0
	T=$(mktemp -d "${TMPDIR:-/tmp}/lint_archtable.XXXXXX")
	trap 'rm -rf "$T"' RETURN

	mk_clean() {
		rm -rf "$T/r"
		mkdir -p "$T/r/docs" "$T/r/engine/core" "$T/r/engine/sinks" "$T/r/pmd-config"
		touch "$T/r/engine/core/eal.c" "$T/r/engine/core/rotate.h" "$T/r/engine/sinks/pcap.c" \
			"$T/r/pmd-config/pmd_profile.c"
		cat >"$T/r/docs/ARCHITECTURE.md" <<-'EOF'
			# linecap architecture

			| not | this | table |
			|---|---|---|
			| `engine/gone.c` | x | y |

			### Files and their jobs

			| file | runs | job |
			|---|---|---|
			| `engine/core/eal.c` | control plane | EAL |
			| `engine/core/rotate.h` | rotation thread | interface |
			| `engine/sinks/pcap.c` | writer | pcap format |
			| `pmd-config/pmd_profile.c` | control plane | profiles |

			## Threading

			| `engine/gone.c` | a later table is not the table |
		EOF
	}
	# check NAME WANT-RC WANT-LINE (WANT-LINE "" = any output)
	check() {
		local what=$1 want=$2 line=$3 rc=0 out
		out=$(lint "$T/r" 2>&1) || rc=$?
		if ((rc == want)) && { [[ -z $line ]] || grep -Fxq -- "$line" <<<"$out"; }; then
			passed=$((passed + 1))
			printf 'ok   %-34s rc=%d %s\n' "$what" "$rc" "$line"
		else
			failed=$((failed + 1))
			printf 'FAIL %-34s rc=%d (expected %d and the line "%s")\n     got: %s\n' \
				"$what" "$rc" "$want" "$line" "$out"
		fi
	}
	doc=$T/r/docs/ARCHITECTURE.md

	mk_clean
	check "complete table passes" 0 ""
	mk_clean
	touch "$T/r/engine/core/new.c"
	check ".c file missing" 1 "docs/ARCHITECTURE.md: engine/core/new.c is missing from the table"
	mk_clean
	touch "$T/r/pmd-config/extra.c"
	check "pmd-config .c file missing" 1 "docs/ARCHITECTURE.md: pmd-config/extra.c is missing from the table"
	mk_clean
	sed -i 's/^| `engine\/sinks\/pcap.c`.*/&\n| `engine\/sinks\/pcap.c` | again | twice |/' "$doc"
	check "file listed twice" 1 "docs/ARCHITECTURE.md:14: lists engine/sinks/pcap.c twice (first at line 13)"
	mk_clean
	rm "$T/r/engine/core/rotate.h"
	check "row names a file that is gone" 1 "docs/ARCHITECTURE.md:12: lists engine/core/rotate.h, which does not exist"
	mk_clean
	sed -i 's/^| `engine\/core\/eal.c`/| engine\/core\/eal.c/' "$doc"
	check "first cell without backticks" 1 "docs/ARCHITECTURE.md:11: first cell is not one path in backticks: engine/core/eal.c"
	mk_clean
	sed -i 's/^### Files and their jobs/### Files/' "$doc"
	check "no heading" 1 "docs/ARCHITECTURE.md: no heading \"Files and their jobs\""
	mk_clean
	printf '\n## Files and their jobs\n\n| file | job |\n|---|---|\n| `engine/core/eal.c` | x |\n' >>"$doc"
	check "heading twice" 1 "docs/ARCHITECTURE.md:7,20: 2 headings \"Files and their jobs\" (want exactly one)"

	echo "lint_archtable selftest: $passed passed, $failed failed"
	((failed == 0))
}

case ${1:-} in
--selftest) selftest ;;
-h | --help) sed -n '3,23s/^# \{0,1\}//p' "$0" ;;
-*)
	echo "usage: lint_archtable.sh [ROOT] | --selftest" >&2
	exit 2
	;;
*) lint "${1:-${SRCDIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}}" ;;
esac
