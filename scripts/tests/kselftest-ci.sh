#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The kselftest collection as CI labs take it (KernelCI through tuxrun,
# LAVA, openQA):
#
#   - the collection's config fragment holds on the kernels dmactl is
#     tested on here: each CONFIG_X=y set to y, each =m to y or m, in the
#     distro kernel's config and the debug kernel's (when it is built);
#   - make kselftest-tar gives a kselftest/ directory as the kernel's
#     gen_kselftest_tar.sh does: run_kselftest.sh, the runner's files, a
#     kselftest-list.txt naming every program, each program there and
#     executable, and a settings file with a timeout.
#
# (packaging.sh runs the installed collection with --per-test-log and
# --override-timeout in a guest.)  Output: "ok N - what" lines.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"

in_root || exec "$DMACTL_TOP/scripts/in-root.sh" "$0" "$@"

work=$DMACTL_OUT/kselftest-ci
fragment=$DMACTL_TOP/selftests/dmactl/config
rm -rf "$work"
mkdir -p "$work"


# fragment_holds CONFIG: the options of the fragment CONFIG lacks.
fragment_holds() {
	local opt want have
	while IFS='=' read -r opt want; do
		case "$opt" in CONFIG_*) ;; *) continue ;; esac
		have=$(sed -n "s/^$opt=//p" "$1")
		case "$want:$have" in
		y:y|m:y|m:m) ;;
		*) echo "$opt=${have:-unset} (wants $want)" ;;
		esac
	done < "$fragment"
}

for tier in distro debug; do
	tier_kernel "$tier"
	if [ ! -f "$TIER_CONFIG" ]; then
		skipped "the config fragment holds on the $tier kernel" "not built here yet"
		continue
	fi
	lacks=$(fragment_holds "$TIER_CONFIG")
	[ -z "$lacks" ] || echo "$lacks" | sed 's/^/# lacks: /'
	result "the config fragment holds on the $tier kernel ($TIER_KVER)" \
		"$([ -z "$lacks" ]; echo $?)"
done

"$DMACTL_TOP/scripts/build.sh" distro kselftest-tar BUILD="$work/build" > "$work/build.log" 2>&1
result "make kselftest-tar" $?
tarball=$(ls "$work"/build/dmactl-kselftest-*.tar.gz 2>/dev/null)
mkdir -p "$work/x"
tar -C "$work/x" -xzf "$tarball" 2>/dev/null
k=$work/x/kselftest
[ -x "$k/run_kselftest.sh" ] && [ -f "$k/kselftest/runner.sh" ] &&
	[ -f "$k/kselftest/ktap_helpers.sh" ]
result "${tarball##*/} has kselftest/run_kselftest.sh and the runner's files" $?

missing=
programs=$(sed -n 's/^dmactl://p' "$k/kselftest-list.txt" 2>/dev/null)
for p in $programs; do
	[ -x "$k/dmactl/$p" ] || missing="$missing $p"
done
[ -z "$missing" ] || echo "# listed but not there or not executable:$missing"
result "kselftest-list.txt names $(echo $programs | wc -w) programs, each there and executable" \
	"$([ -n "$programs" ] && [ -z "$missing" ]; echo $?)"
grep -qE '^timeout=[0-9]+$' "$k/dmactl/settings" 2>/dev/null
result "dmactl/settings gives the runner a timeout ($(cat "$k/dmactl/settings" 2>/dev/null))" $?

results_end
