#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The documentation where Linux users look, against the tool it documents:
#
#   - doc/dmactl.8 and doc/dmactl-scenario.5 are what 'dmactl help --man'
#     makes from the tool's help texts now (make man refreshes them);
#   - dmactl(8) has every command and subcommand and every long option of
#     the tool's getopt tables; dmactl-scenario(5) every verb of the
#     scenario engine's table; man reports no warning in either;
#   - the bash completion offers commands, subcommands, options, an
#     option's values (modes, directions, clocks) and sysfs's devices.
#
# Runs in the build root (man-db, groff); builds the tool in its own
# directory.  Output: "ok N - what" lines, "N passed, N failed".
set -uo pipefail
. "$(dirname "$0")/../lib.sh"

in_root || exec "$DMACTL_TOP/scripts/in-root.sh" "$0" "$@"

work=$DMACTL_OUT/docs
rm -rf "$work"
mkdir -p "$work"


make -s -C "$DMACTL_TOP/tool" OUTPUT="$work/tool" CC=gcc-14 WERROR=-Werror \
	> "$work/build.log" 2>&1
result "the tool builds" $?
tool=$work/tool/dmactl

# The pages as committed are the pages the tool makes.
for page in 8:dmactl.8 5:dmactl-scenario.5; do
	"$tool" help --man "${page%%:*}" > "$work/${page#*:}"
	diff -u "$DMACTL_TOP/doc/${page#*:}" "$work/${page#*:}" > "$work/${page#*:}.diff"
	result "doc/${page#*:} is what 'dmactl help --man ${page%%:*}' makes (else: make man)" $?
done
man8=$DMACTL_TOP/doc/dmactl.8 man5=$DMACTL_TOP/doc/dmactl-scenario.5

# roff: a minus is \-.
roff() { echo "$1" | sed 's/-/\\-/g'; }

missing=
for cmd in $("$tool" help | awk '/^commands:/ { c = 1; next } c && /^    [a-z]/ { print $1 }') \
	   "bench scale" "bench report" "bench ab"; do
	grep -qF ".SS \"dmactl $(roff "$cmd")\"" "$man8" || missing="$missing '$cmd'"
done
[ -z "$missing" ] || echo "# not in dmactl(8):$missing"
result "dmactl(8) has a section for every command and subcommand" "$([ -z "$missing" ]; echo $?)"

# Every long option of every getopt table in the tool's sources.
options=$(grep -ohE '\{ *"[a-z][a-z0-9-]*", *(no|required|optional)_argument' \
	"$DMACTL_TOP"/tool/*.c "$DMACTL_TOP"/tool/*.h | sed -E 's/\{ *"([^"]*)".*/\1/' | sort -u)
missing=
for o in $options; do
	grep -qF -- "$(roff "--$o")" "$man8" || missing="$missing --$o"
done
[ -z "$missing" ] || echo "# options not in dmactl(8):$missing"
result "dmactl(8) names every one of the tool's $(echo $options | wc -w) long options" \
	"$([ -n "$options" ] && [ -z "$missing" ]; echo $?)"

# Every verb of the scenario engine's table.
verbs=$(sed -n '/^static const struct verb verbs\[\]/,/^};/p' "$DMACTL_TOP/tool/scenario.c" |
	sed -nE 's/^\t\{ "([a-z0-9]+)", .*/\1/p')
missing=
for v in $verbs; do
	grep -qE "^    $(roff "$v")( |$)" "$man5" || missing="$missing $v"
done
[ -z "$missing" ] || echo "# verbs not in dmactl-scenario(5):$missing"
result "dmactl-scenario(5) has every one of the $(echo $verbs | wc -w) scenario verbs" \
	"$([ -n "$verbs" ] && [ -z "$missing" ]; echo $?)"

for page in "$man8" "$man5"; do
	LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z "$page" \
		> /dev/null 2> "$work/man-warnings.log"
	[ $? = 0 ] && [ ! -s "$work/man-warnings.log" ]
	result "man renders ${page##*/} without a warning" $?
	sed 's/^/# /' "$work/man-warnings.log"
done

# The completion, as bash calls it: COMP_WORDS up to the word completed.
mkdir -p "$work/sys/bus/pci/devices/0000:00:01.0" "$work/sys/bus/pci/devices/0000:00:02.0"
complete_words() {
	PATH=$work/tool:$PATH DMACTL_SYSFS=$work/sys bash -c '
		. "$1/completion/dmactl"
		shift
		COMP_WORDS=("$@")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		_dmactl
		echo "${COMPREPLY[*]}"' bash "$DMACTL_TOP" "$@"
}
expect_completion() {
	local want=$1 got
	shift
	got=$(complete_words "$@")
	[ "$got" = "$want" ]
	result "completion of '$*': $want" $?
	[ "$got" = "$want" ] || echo "# got: $got"
}
expect_completion "bind bench" dmactl b
expect_completion "scale" dmactl bench s
expect_completion "--mode" dmactl bench 0000:00:01.0 --m
expect_completion "phys sg iova iova-reuse iova-sparse blk tso gpusvm premapped all" \
	dmactl bench 0000:00:01.0 --mode ''
expect_completion "blk,tso" dmactl bench 0000:00:01.0 --mode blk,t
expect_completion "to from bidi" dmactl map 0000:00:01.0 --dir ''
expect_completion "auto ns icount" dmactl bench 0000:00:01.0 --clock ''
expect_completion "" dmactl bench 0000:00:01.0 --pages ''
expect_completion "0000:00:01.0 0000:00:02.0" dmactl info 0000:00:0
expect_completion "8 5" dmactl help --man ''
expect_completion "0000:00:01.0 0000:00:02.0" dmactl qualify --dev ''
expect_completion "" dmactl qualify --duration ''

results_end
