#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# lint_filesize.sh [ROOT]        no .c file under engine/ or pmd-config/ over 500 lines
# lint_filesize.sh --selftest    proves the limit bites (501 lines fail, 500 pass)
#
# Lines are counted as `wc -l` counts them (newline characters). Each file over the limit
# is printed as `engine/x/y.c: 612 lines (limit 500)`.
# ROOT: the argument, else $SRCDIR, else the repository this script is in.
# Exit 0: none over; 1: some; 2: usage.
set -euo pipefail

lint() {
	local root=$1 max=500 n=0 files=0 f lines
	[[ -d $root/engine ]] || {
		echo "FAIL: no engine/ directory in $root"
		return 1
	}
	while IFS= read -r -d '' f; do
		files=$((files + 1))
		lines=$(wc -l <"$root/$f")
		if ((lines > max)); then
			echo "$f: $lines lines (limit $max)"
			n=$((n + 1))
		fi
	done < <(cd "$root" && find engine pmd-config -type f -name '*.c' -print0 2>/dev/null | LC_ALL=C sort -z)
	if ((files == 0)); then
		echo "FAIL: no .c file under $root/engine or $root/pmd-config"
		return 1
	fi
	if ((n)); then
		echo "lint_filesize: $n of $files .c files over $max lines"
		return 1
	fi
	echo "lint_filesize: $files .c files, none over $max lines"
}

selftest() {
	local T passed=0 failed=0 rc out
	T=$(mktemp -d "${TMPDIR:-/tmp}/lint_filesize.XXXXXX")
	trap 'rm -rf "$T"' RETURN
	mkdir -p "$T/r/engine/core" "$T/r/pmd-config"
	# check NAME WANT-RC WANT-LINE
	check() {
		rc=0
		out=$(lint "$T/r" 2>&1) || rc=$?
		if ((rc == $2)) && grep -Fxq -- "$3" <<<"$out"; then
			passed=$((passed + 1))
			printf 'ok   %-30s rc=%d %s\n' "$1" "$rc" "$3"
		else
			failed=$((failed + 1))
			printf 'FAIL %-30s rc=%d (expected %d and "%s")\n     got: %s\n' "$1" "$rc" "$2" "$3" "$out"
		fi
	}
	check "empty tree fails" 1 "FAIL: no .c file under $T/r/engine or $T/r/pmd-config"
	seq 500 >"$T/r/engine/core/a.c"
	seq 10 >"$T/r/engine/core/a.h"
	seq 900 >"$T/r/engine/core/big.h"
	check "500 lines pass (.h not judged)" 0 "lint_filesize: 1 .c files, none over 500 lines"
	seq 501 >"$T/r/engine/core/b.c"
	check "501 lines in engine/ fail" 1 "engine/core/b.c: 501 lines (limit 500)"
	rm "$T/r/engine/core/b.c"
	seq 777 >"$T/r/pmd-config/p.c"
	check "pmd-config/ is judged" 1 "pmd-config/p.c: 777 lines (limit 500)"
	echo "lint_filesize selftest: $passed passed, $failed failed"
	((failed == 0))
}

case ${1:-} in
--selftest) selftest ;;
-h | --help) sed -n '3,9s/^# \{0,1\}//p' "$0" ;;
-*)
	echo "usage: lint_filesize.sh [ROOT] | --selftest" >&2
	exit 2
	;;
*) lint "${1:-${SRCDIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}}" ;;
esac
