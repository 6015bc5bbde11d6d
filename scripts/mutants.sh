#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make mutants: does the suite catch a wrong DMA layer?  Each patch of
# configs/kernel/mutants/ reintroduces one way the kernel's DMA or IOMMU
# code can be wrong.  Each is applied to a copy of the build root's kernel
# source, built incrementally into one kernel of the fast flavour (the
# debug tier's configuration less KASAN, kmemleak, lockdep and gcov, see
# configs/kernel/flavours/fast.config: the guests run several times
# faster), and the selftests run on it in the profiles its "Profiles:"
# line names, in that order, until one catches it.  A mutant is caught
# when a run fails: a test failed, or the runner saw a kernel report
# (WARN, oops, an IOMMU fault), a guest that never finished, or a
# machine that failed its boot self-check (the mutant broke a driver
# before any test ran: the table says so).
#
# First the unmutated kernel runs every profile any mutant names: a mutant
# can only be judged against a baseline that passes
# (DMACTL_MUTANTS_BASELINE=0 skips that, for a run right after one that
# judged the same kernel and dmactl).
#
# Usage: mutants.sh [NN ...]    the mutants whose names start with NN
#                               (default: all)
# Exit status 0 when every mutant applied and built, whatever its verdict.
# Output: out/mutants/table.md (mutant, what it breaks, verdict, by what)
# and each run's logs beside it.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

in_root || exec "$(dirname "$0")/in-root.sh" "$0" "$@"

corpus=$DMACTL_TOP/configs/kernel/mutants
pristine=$(root_ksrc)
src=$DMACTL_OPT/mutants/src
kbuild=$DMACTL_OPT/mutants/build
results=$DMACTL_OUT/mutants
# dmactl built against the mutants' kernel goes to its own out directory.
export DMACTL_OUT=$results/out DMACTL_KERNEL=$kbuild

# A header field of a mutant: "Field: value".
field() {
	sed -n "s/^$2: //p" "$1" | head -n 1
}

# The source copy: hard links to the pristine tree, so only the files a
# mutant touches take space.  patch(1) writes a new file for each one it
# changes, which leaves the pristine tree alone.
prepare_source() {
	if [ "$(cat "$src/.dmactl-origin" 2>/dev/null)" != "$pristine" ]; then
		log "linking $pristine into $src"
		rm -rf "$src" "$kbuild"
		mkdir -p "$(dirname "$src")"
		cp -al "$pristine" "$src"
		echo "$pristine" > "$src/.dmactl-origin"
	fi
}

# Put back the files the last mutant touched, as new files: their fresh
# time stamps make the next build recompile them.
restore_source() {
	local f
	[ -f "$src/.dmactl-touched" ] || return 0
	while IFS= read -r f; do
		cp --remove-destination "$pristine/$f" "$src/$f"
	done < "$src/.dmactl-touched"
	rm -f "$src/.dmactl-touched"
}

apply_mutant() {
	sed -n 's|^+++ b/\([^[:space:]]*\).*|\1|p' "$1" > "$src/.dmactl-touched"
	patch -s -p1 -d "$src" < "$1"
}

# run_profiles NAME PROFILE...: the selftests in each profile until one
# fails; prints "caught REASON" or "survived".
run_profiles() {
	local name=$1 p prefix failed= reasons=
	shift
	for p in "$@"; do
		prefix=$results/$name/$p
		mkdir -p "$results/$name"
		if "$DMACTL_TOP/scripts/vm-run.sh" -p "$p" -t own -T 900 \
			-s "$DMACTL_OUT/build/own/stage" -o "$prefix" \
			-- sh /dmactl/guest/run-tests.sh > /dev/null 2>&1; then
			continue
		fi
		failed=1
		reasons="$reasons${reasons:+; }$p: $(failed_tests "$prefix")"
		[ "$name" = baseline ] || break
	done
	if [ -n "$failed" ]; then
		echo "caught $reasons"
	else
		echo "survived"
	fi
}

# What failed in one run: the tests that said "not ok"; for a guest that
# died, what killed it -- the kernel report that panicked it and the
# program it hit, or QEMU's complaint and the test that was running (the
# tests' own log stops short of it) -- else the runner's verdict.
failed_tests() {
	local t report who
	t=$(sed -n 's/^# not ok [0-9]* \([^ ]*\).*/\1/p' "$1.out.log" 2>/dev/null |
		head -n 4 | xargs)
	if grep -q 'Kernel panic' "$1.console.log" 2>/dev/null; then
		report=$(grep -oE '(WARNING|BUG|KASAN):[^\[]*' "$1.console.log" |
			tail -n 1 | cut -c1-70)
		who=$(grep -oE 'Comm: [^ ]+' "$1.console.log" | tail -n 1)
		who=${who#Comm: }
	else
		report=$(grep -m 1 -oE 'qemu-system-x86_64: [^(]*' "$1.console.log" 2>/dev/null |
			cut -c1-70)
		who=$(sed -n 's/^# #  RUN *\([^ ]*\).*/\1/p' "$1.out.log" 2>/dev/null | tail -n 1)
	fi
	if [ -n "$t" ]; then
		echo "$t"
	elif [ -n "$report" ]; then
		echo "$report${who:+ ($who)}"
	else
		sed -e 's/^FAIL [^ ]* [^ ]* [0-9.]*s: //' -e 's/^RC=.*/exit status/' \
			"$1.verdict" 2>/dev/null | cut -c1-100
	fi
}

build_kernel() {
	"$DMACTL_TOP/scripts/kernel.sh" mutant "$src" "$kbuild" > "$1" 2>&1
}

main() {
	local mutants=() m name profiles all_profiles= verdict t0 caught=0 n=0 row
	local broken=0
	local table=$results/table.md

	for m in "$corpus"/*.patch; do
		name=${m##*/}
		if [ $# -gt 0 ]; then
			for want in "$@"; do
				[[ "$name" == "$want"* ]] && mutants+=("$m")
			done
		else
			mutants+=("$m")
		fi
	done
	[ ${#mutants[@]} -gt 0 ] || die "no mutant matches: $*"
	command -v patch > /dev/null || die "no patch(1) in the build root: run 'make buildroot'"
	for m in "${mutants[@]}"; do
		all_profiles="$all_profiles $(field "$m" Profiles)"
	done
	all_profiles=$(echo $all_profiles | tr ' ' '\n' | sort -u | xargs)
	rm -rf "$results"
	mkdir -p "$results"

	prepare_source
	restore_source
	log "baseline: the unmutated kernel, then dmactl against it"
	build_kernel "$results/baseline-kernel.log" ||
		die "the baseline kernel did not build: $results/baseline-kernel.log"
	"$DMACTL_TOP/scripts/build.sh" own stage > "$results/baseline-build.log" 2>&1 ||
		die "dmactl did not build against it: $results/baseline-build.log"
	if [ "${DMACTL_MUTANTS_BASELINE:-1}" != 0 ]; then
		verdict=$(run_profiles baseline $all_profiles)
		[ "$verdict" = survived ] ||
			die "the unmutated kernel fails the suite (${verdict#caught }): no mutant can be judged"
	fi

	{
		echo "| mutant | what it breaks | verdict | caught by |"
		echo "|---|---|---|---|"
	} > "$table"
	for m in "${mutants[@]}"; do
		name=${m##*/}
		name=${name%.patch}
		profiles=$(field "$m" Profiles)
		n=$((n + 1))
		t0=$SECONDS
		restore_source
		if ! apply_mutant "$m"; then
			verdict="broken: does not apply"
		elif ! build_kernel "$results/$name-kernel.log"; then
			verdict="broken: does not build"
		else
			verdict=$(run_profiles "$name" ${profiles:-intel-strict})
		fi
		case "$verdict" in
		caught*) caught=$((caught + 1)) ;;
		broken*) broken=$((broken + 1)) ;;
		esac
		log "$name: $verdict ($((SECONDS - t0)) s)"
		row="| $name | $(field "$m" Mutant) | ${verdict%%[: ]*} | ${verdict#*[: ]} |"
		[ "${verdict%% *}" != survived ] || row="| $name | $(field "$m" Mutant) | survived | |"
		echo "$row" >> "$table"
	done
	restore_source
	echo >> "$table"
	echo "$caught of $n mutants caught${broken:+, $broken broken}" >> "$table"
	cat "$table"
	[ "$broken" = 0 ]
}

main "$@"
