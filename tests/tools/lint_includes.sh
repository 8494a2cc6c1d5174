#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# lint_includes.sh [ROOT]        include-boundary lint (issue 11)
# lint_includes.sh --selftest    proves the lint fails on each forbidden edge and passes on
#                                a clean tree (a synthetic tree in a temp dir)
#
# Reads the real `#include "..."` lines of ROOT/engine/**/*.c and *.h (ROOT: the argument,
# else $SRCDIR, else the repository this script is in) and fails on an edge the engine's
# layering forbids:
#   anything -> cli          a file outside engine/cli/ includes a cli/ header
#                            (this covers datapath -> cli)
#   stats -> core            a file in engine/stats/ includes any core/*.h (core internals;
#                            stats reads the engine through the public stats view)
#   sinks -> sources         a file in engine/sinks/ includes a sources/ header
#   sources -> sinks         and the other way round
#   engine_priv.h            core/engine_priv.h included by a file outside engine/core/
# Each violation is printed as
#   engine/stats/report.c:10: includes core/engine_priv.h (forbidden: stats -> core)
# Exit 0: no violation; 1: violations (or no engine/ tree); 2: usage.
#
# A quoted include is resolved as the compiler does with the engine's include paths: first
# beside the including file, then under engine/, then engine/include/. A name that resolves
# nowhere (a generated header such as lc_build_config.h) is judged by its spelling under
# engine/. The area of a file is its first directory under engine/ (cli, core, datapath,
# replay, sinks, sources, stats, include).
set -euo pipefail

# area_of PATH-RELATIVE-TO-ENGINE -> first component, or "" for a file directly in engine/
area_of() {
	case $1 in
	*/*) printf '%s' "${1%%/*}" ;;
	*) printf '' ;;
	esac
}

# The forbidden edges, one per line, the first that matches wins: FROM|TO|LABEL. FROM is
# the including file's area, or !NAME for any area but NAME; TO is the included
# file's area, or its path under engine/; AREA in LABEL is the including area ("engine"
# for a file directly in engine/).
RULES=(
	'!cli|cli|AREA -> cli'
	'stats|core|stats -> core'
	'sinks|sources|sinks -> sources'
	'sources|sinks|sources -> sinks'
	'!core|core/engine_priv.h|AREA -> core/engine_priv.h'
)

# forbidden FROM TO TO_REL: prints the label of the first rule the edge breaks; 1 if none
forbidden() {
	local from=$1 to=$2 to_rel=$3 r rf rt label
	for r in "${RULES[@]}"; do
		IFS='|' read -r rf rt label <<<"$r"
		if [[ $rf == '!'* ]]; then
			[[ $from != "${rf#!}" ]] || continue
		else
			[[ $from == "$rf" ]] || continue
		fi
		[[ $to == "$rt" || $to_rel == "$rt" ]] || continue
		printf '%s' "${label//AREA/${from:-engine}}"
		return 0
	done
	return 1
}

# lint ROOT: prints violations, returns 1 when there is any
lint() {
	local root=$1 eng n=0 f rel from line inc target to_rel to rule cand
	eng=$(cd "$root" 2>/dev/null && cd engine 2>/dev/null && pwd -P) || {
		echo "FAIL: no engine/ directory in $root" >&2
		return 1
	}
	while IFS= read -r -d '' f; do
		rel=${f#"$eng"/}
		from=$(area_of "$rel")
		# line numbers of the real include lines: `#include "x"`, `# include "x"`, ...
		while IFS=: read -r line inc; do
			inc=$(sed -E 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"([^"]+)".*/\1/' <<<"$inc")
			target=
			for cand in "$(dirname "$f")/$inc" "$eng/$inc" "$eng/include/$inc"; do
				if [[ -f $cand ]]; then
					target=$(realpath -m "$cand")
					break
				fi
			done
			if [[ -n $target && $target == "$eng"/* ]]; then
				to_rel=${target#"$eng"/}
			elif [[ -n $target ]]; then
				continue # a header outside engine/ (none today): not a layer
			else
				to_rel=$(realpath -m --relative-to="$eng" "$eng/$inc")
			fi
			to=$(area_of "$to_rel")
			if rule=$(forbidden "$from" "$to" "$to_rel"); then
				echo "engine/$rel:$line: includes $to_rel (forbidden: $rule)"
				n=$((n + 1))
			fi
		done < <(grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f" || true)
	done < <(find "$eng" -type f \( -name '*.c' -o -name '*.h' \) -print0 | LC_ALL=C sort -z)
	if ((n)); then
		echo "lint_includes: $n forbidden include(s) under $root/engine"
		return 1
	fi
	echo "lint_includes: no forbidden include under $root/engine"
	return 0
}

# selftest: a clean synthetic tree passes; each forbidden edge, added alone, fails with
# exactly the expected line
selftest() {
	local T passed=0 failed=0 rc out
	T=$(mktemp -d "${TMPDIR:-/tmp}/lint_includes.XXXXXX")
	trap 'rm -rf "$T"' RETURN

	mk_clean() {
		rm -rf "$T/r"
		mkdir -p "$T/r/engine"/{cli,core,datapath,sinks,sources,stats,replay,include/linecap}
		local d
		for d in cli core datapath sinks sources stats replay; do
			printf '#pragma once\n' >"$T/r/engine/$d/$d.h"
		done
		printf '#pragma once\n' >"$T/r/engine/core/engine_priv.h"
		printf '#pragma once\n' >"$T/r/engine/include/linecap/stats.h"
		# allowed edges: cli -> anything but engine_priv.h, core -> everything but cli, downward includes,
		# a header beside its .c, a public header, a generated header
		printf '#include "cli/cli.h"\n#include "core/core.h"\n#include "replay/replay.h"\n' \
			>"$T/r/engine/cli/main.c"
		printf '#include "core/engine_priv.h"\n#include "sources/sources.h"\n#include "sinks/sinks.h"\n#include "datapath/datapath.h"\n#include "lc_build_config.h"\n' \
			>"$T/r/engine/core/engine.c"
		printf '#include "core.h"\n' >"$T/r/engine/core/beside.c"
		printf '#include <linecap/stats.h>\n#include "linecap/stats.h"\n#include "datapath/datapath.h"\n' \
			>"$T/r/engine/stats/report.c"
		printf '#include "sinks/sinks.h"\n#include "datapath/datapath.h"\n' >"$T/r/engine/sinks/pcap.c"
		printf '#include "sources/sources.h"\n' >"$T/r/engine/sources/port.c"
		printf '#include "datapath/datapath.h"\n/* #include "cli/cli.h" is a comment */\n' \
			>"$T/r/engine/datapath/rx.c"
	}
	# case NAME FILE TEXT EXPECTED-LINE: append TEXT to FILE in a clean tree; the lint must
	# exit 1 and print EXPECTED-LINE
	case_bad() {
		local what=$1 file=$2 text=$3 want=$4
		mk_clean
		printf '%s\n' "$text" >>"$T/r/$file"
		rc=0
		out=$(lint "$T/r" 2>&1) || rc=$?
		if ((rc == 1)) && grep -Fxq -- "$want" <<<"$out"; then
			passed=$((passed + 1))
			printf 'ok   %-38s %s\n' "$what" "$want"
		else
			failed=$((failed + 1))
			printf 'FAIL %-38s rc=%d, expected 1 and the line\n     %s\n     got: %s\n' \
				"$what" "$rc" "$want" "$out"
		fi
	}

	mk_clean
	rc=0
	out=$(lint "$T/r" 2>&1) || rc=$?
	if ((rc == 0)); then
		passed=$((passed + 1))
		echo "ok   clean tree passes"
	else
		failed=$((failed + 1))
		printf 'FAIL clean tree: rc=%d\n%s\n' "$rc" "$out"
	fi

	# NAME|FILE|LINE APPENDED|EXPECTED OUTPUT LINE. engine/datapath/rx.c has 2 lines: the
	# appended include is line 3, and so on.
	while IFS='|' read -r what file text want; do
		case_bad "$what" "$file" "$text" "$want"
	done <<'CASES'
datapath -> cli|engine/datapath/rx.c|#include "cli/cli.h"|engine/datapath/rx.c:3: includes cli/cli.h (forbidden: datapath -> cli)
core -> cli|engine/core/engine.c|#  include "cli/cli.h"|engine/core/engine.c:6: includes cli/cli.h (forbidden: core -> cli)
public header -> cli|engine/include/linecap/stats.h|#include "cli/cli.h"|engine/include/linecap/stats.h:2: includes cli/cli.h (forbidden: include -> cli)
stats -> core (engine_priv.h)|engine/stats/report.c|#include "core/engine_priv.h"|engine/stats/report.c:4: includes core/engine_priv.h (forbidden: stats -> core)
stats -> core (any core header)|engine/stats/report.c|#include "core/core.h"|engine/stats/report.c:4: includes core/core.h (forbidden: stats -> core)
stats -> core (relative path)|engine/stats/report.c|#include "../core/core.h"|engine/stats/report.c:4: includes core/core.h (forbidden: stats -> core)
sinks -> sources|engine/sinks/pcap.c|#include "sources/sources.h"|engine/sinks/pcap.c:3: includes sources/sources.h (forbidden: sinks -> sources)
sources -> sinks|engine/sources/port.c|#include "sinks/sinks.h"|engine/sources/port.c:2: includes sinks/sinks.h (forbidden: sources -> sinks)
sources -> engine_priv.h|engine/sources/port.c|#include "core/engine_priv.h"|engine/sources/port.c:2: includes core/engine_priv.h (forbidden: sources -> core/engine_priv.h)
replay header -> engine_priv.h|engine/replay/replay.h|#include "core/engine_priv.h"|engine/replay/replay.h:2: includes core/engine_priv.h (forbidden: replay -> core/engine_priv.h)
cli -> engine_priv.h|engine/cli/main.c|#include "core/engine_priv.h"|engine/cli/main.c:4: includes core/engine_priv.h (forbidden: cli -> core/engine_priv.h)
missing cli header still judged|engine/sinks/pcap.c|#include "cli/gone.h"|engine/sinks/pcap.c:3: includes cli/gone.h (forbidden: sinks -> cli)
CASES

	echo "lint_includes selftest: $passed passed, $failed failed"
	((failed == 0))
}

case ${1:-} in
--selftest) selftest ;;
-h | --help) sed -n '3,25s/^# \{0,1\}//p' "$0" ;;
-*)
	echo "usage: lint_includes.sh [ROOT] | --selftest" >&2
	exit 2
	;;
*) lint "${1:-${SRCDIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}}" ;;
esac
