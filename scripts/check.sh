#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make check: checkpatch and kernel-doc, the uapi layout test, the VM
# runner's self-tests, then dmactl's kselftests in every machine profile on
# the distro kernel and, on the debug kernel, most of them in one profile
# and a slice in three more; a summary table profile x tier with the path
# of each KTAP log.
#
#   PROFILES="a b"        profiles to run on every tier, every selftest
#                         (default: all of configs/profiles on the distro
#                         tier, the four below on the debug tier); the
#                         arm64 ones (KERNEL_FLAVOUR=) on distro only
#   TIERS="distro lts debug"  tiers to run (default: these three; with
#                         DMACTL_KERNEL, from make check KERNEL=..., own)
#   LTS_PROFILES="..."    the lts tier's set (Debian's 6.12, classic mode),
#                         when PROFILES is unset; "all" for every profile
#                         (make check-lts)
#   DEBUG_PROFILES="..."  the debug tier's own set, when PROFILES is unset;
#                         "all" for every profile, every selftest
#                         (make check-full)
#   DEBUG_WIDE="..."      of those, the ones that run every selftest but
#                         DEBUG_SKIP="test ..."; the others run
#                         DEBUG_SLICE="test ..." only
#   DMACTL_SKIP_RUNNER_TESTS=1   leave out the runner's self-tests
#   DMACTL_JOBS=N         jobs at a time (default: the CPUs)
#   DMACTL_DEBUG_JOBS=N   of those, debug-tier guests (default: the CPUs)
#
# Exit status 0 when every run passed or skipped, 1 otherwise.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

all_profiles=$(cd "$DMACTL_TOP/configs/profiles" && ls *.conf | sed 's/\.conf$//' | xargs)
# The x86 ones: the tiers other than distro have x86 kernels only.
x86_profiles=$(cd "$DMACTL_TOP/configs/profiles" && grep -L '^KERNEL_FLAVOUR=' *.conf |
	sed 's/\.conf$//' | xargs)
if [ -n "${DMACTL_KERNEL:-}" ]; then
	tiers=${TIERS:-own}
else
	tiers=${TIERS:-distro lts debug}
fi
# The 6.12 LTS kernel: an IOMMU's DMA domain in classic mode (no IOVA
# API: dma_map_phys() through the IOMMU); make check-lts runs every x86
# profile, dma-direct among them.
lts_profiles=${LTS_PROFILES:-intel-strict}
[ "$lts_profiles" != all ] || lts_profiles=$x86_profiles
# The debug tier (KASAN, lockdep, kmemleak, fault injection) runs the
# selftests several times slower under TCG, so make check gives it a
# bounded part: on p2p-hostbridge (Intel VT-d, P2P through the IOMMU) every
# selftest but those whose kernel paths the others already take there --
# the uapi's argument checks (abi), the command line (cli), the block
# layer's stress (fio_stress.sh, expendable.sh) -- which run in every
# profile on the distro tier; on three more, a different IOMMU driver or
# none each -- AMD-Vi, virtio-iommu, every mapping bounced -- the
# selftests whose kernel paths depend on it (DEBUG_SLICE).  make
# check-full runs every selftest on all eight.
debug_profiles=${DEBUG_PROFILES:-p2p-hostbridge amd virtio swiotlb}
debug_wide=${DEBUG_WIDE:-p2p-hostbridge}
debug_skip=${DEBUG_SKIP-abi cli fio_stress.sh expendable.sh}
# fail_nth (every allocation failed in turn, 105 s a run here) runs on
# p2p-hostbridge; make fail-nth runs it everywhere.
debug_slice=${DEBUG_SLICE:-lifecycle concurrency revoke copy kernel_bugs fuzz}
if [ "$debug_profiles" = all ]; then
	debug_profiles=$x86_profiles
	debug_wide=$x86_profiles
	debug_skip=
fi
results=$DMACTL_OUT/check
rm -rf "$results"
mkdir -p "$results"
summary=$results/summary.txt
rows=() why=()
total_pass=0 total_fail=0 total_skip=0 failed_runs=0

# Count the test cases of a KTAP log: the harness's own results, one level
# below run_kselftest.sh's ("# ok N name", "# not ok N name").
count() {
	local log=$1 what=$2
	[ -f "$log" ] || { echo 0; return; }
	case "$what" in
	pass) grep -cE '^# ok [0-9]+ ' "$log" || true ;;
	skip) grep -cE '^# ok [0-9]+ .*# SKIP' "$log" || true ;;
	fail) grep -cE '^# not ok [0-9]+ ' "$log" || true ;;
	esac
}

# why_failed PROFILE TIER LOG: a failed run's reason, for the summary (a
# CI log may keep only its tail): a guest's verdict and the first failed
# test cases, or a host test's last lines.
why_failed() {
	local prefix=${3%.out.log}
	if [ -f "$prefix.verdict" ]; then
		echo "  $1 $2: $(cat "$prefix.verdict")"
		if grep -qE '^#? ?not ok [0-9]+ ' "$3" 2>/dev/null; then
			grep -E '^#? ?not ok [0-9]+ ' "$3" | head -n 5
		else
			tail -n 8 "$prefix.console.log" 2>/dev/null
		fi | sed 's/^/    /'
	else
		echo "  $1 $2:"
		tail -n 5 "$3" 2>/dev/null | sed 's/^/    /'
	fi
}

add_row() {
	rows+=("$(printf '%-16s %-7s %-6s %5s %5s %5s %7s  %s' "$@")")
}

start=$(date +%s)
mkdir -p "$results/rows"

# Every piece of work is a job; its result is one row, written to
# $results/rows/KEY (KEY orders the summary: host tests, then the distro
# tier, then the debug tier, whatever order they ran in):
#   PROFILE TIER RESULT PASS FAIL SKIP TIME LOG

# A host-side test: a script printing "ok"/"not ok" lines.
host_test() {
	local key=$1 name=$2 log=$results/$2.log t0=$SECONDS result p f
	shift 2
	log "$name"
	if "$@" > "$log" 2>&1; then
		result=PASS
	else
		result=FAIL
	fi
	p=$(grep -cE '^ok ' "$log" || true)
	f=$(grep -cE '^not ok ' "$log" || true)
	[ "$result" = FAIL ] && [ "$f" = 0 ] && f=1
	printf '%s host %s %s %s 0 %ss %s\n' "$name" "$result" "$p" "$f" \
		$((SECONDS - t0)) "$log" > "$results/rows/$key"
}

# checkpatch --strict over the kernel-side files, as one test.
checkpatch() {
	if "$DMACTL_TOP/scripts/build.sh" distro checkpatch; then
		echo "ok 1 - checkpatch.pl --strict and kernel-doc -Wall: module/ and uapi/ are clean"
	else
		echo "not ok 1 - checkpatch.pl --strict and kernel-doc -Wall"
		return 1
	fi
}

# One VM run of the selftests.
vm_test() {
	local key=$1 tier=$2 p=$3 prefix=$results/$2/$3 limit=600 rc result
	local pass skip fail secs args="" t
	# The debug tier's and a kernel built here (own: debug flavour)
	# run with KASAN and lockdep.
	[ "$tier" = debug ] || [ "$tier" = own ] && limit=1500
	if [ "$tier" = debug ] && [ -z "${PROFILES:-}" ]; then
		if [[ " $debug_wide " == *" $p "* ]]; then
			for t in $debug_skip; do
				args="$args -S dmactl:$t"
			done
		else
			for t in $debug_slice; do
				args="$args -t dmactl:$t"
			done
		fi
	fi
	mkdir -p "$results/$tier"
	log "$p on $tier"
	set +e
	"$DMACTL_TOP/scripts/vm-run.sh" -p "$p" -t "$tier" -T "$limit" \
		-s "$DMACTL_OUT/build/$(profile_target "$DMACTL_TOP/configs/profiles/$p.conf" "$tier")/stage" \
		-o "$prefix" \
		-- sh /dmactl/guest/run-tests.sh $args > /dev/null 2>&1
	rc=$?
	set -e
	pass=$(count "$prefix.out.log" pass)
	skip=$(count "$prefix.out.log" skip)
	fail=$(count "$prefix.out.log" fail)
	pass=$((pass - skip))
	case "$rc" in
	0) result=PASS ;;
	4) result=SKIP ;;
	*) result=FAIL
	   # A run that died counts as a failure even with no test
	   # reported as failed.
	   [ "$fail" -gt 0 ] || fail=1
	   log "FAIL: $(cat "$prefix.verdict" 2>/dev/null || echo "the runner left no verdict (exit $rc)")" ;;
	esac
	# (A runner that died leaves no verdict: its row still says FAIL.)
	secs=$(grep -soE '[0-9.]+s' "$prefix.verdict" | head -n 1 || :)
	secs=${secs:-?s}
	printf '%s %s %s %s %s %s %s %s\n' "$p" "$tier" "$result" "$pass" \
		"$fail" "$skip" "${secs%.*}s" "$prefix.out.log" > "$results/rows/$key"
}

# Build dmactl for a tier; a failure is a row of its own.
build_tier() {
	log "building dmactl for the $1 tier"
	if ! "$DMACTL_TOP/scripts/build.sh" "$1" stage > "$results/build-$1.log" 2>&1; then
		tail -n 20 "$results/build-$1.log" >&2
		printf 'build %s FAIL 0 1 0 - %s\n' "$1" "$results/build-$1.log" \
			> "$results/rows/0-build-$1"
		return 1
	fi
}

# The debug kernel builds (once, then cached) from the start, in one of
# the slots: it leaves cores idle (TCG guests wait on timers), it takes
# them.  Its status goes to a file: a 'wait -n' below may reap it.
kpid=
case " $tiers " in
*" debug "*)
	log "debug kernel (built once, then cached), in the background"
	{
		rc=0
		"$DMACTL_TOP/scripts/kernel.sh" debug > "$results/debug-kernel.log" 2>&1 || rc=$?
		echo "$rc" > "$results/debug-kernel.rc"
		# dmactl against it, in the same slot: the guests already
		# running need not wait for it.
		[ "$rc" != 0 ] || build_tier debug || echo 1 > "$results/build-debug.rc"
		echo done > "$results/debug-tier.done"
	} &
	kpid=$!
	;;
esac

# The quick host tests first, one after the other.
host_test 000 checkpatch checkpatch
host_test 001 uapi-layout "$DMACTL_TOP/scripts/tests/uapi-layout.sh"
host_test 002 netlink-spec "$DMACTL_TOP/scripts/netlink-gen.sh" --check
host_test 008 docs "$DMACTL_TOP/scripts/tests/docs.sh"

# The queues, longest job first in each: a long job started last would
# leave a core idle at the end.  The debug tier's jobs are the longest
# (a whole profile there takes eight minutes under TCG) and go first once
# its kernel is there; until then the runner's self-tests (a dozen short
# boots), the distro tier and the tool's fuzzer fill the slots.
queue_debug=() queue_other=()
debug_state=none
case " $tiers " in
*" debug "*)
	debug_state=kernel
	# Wide runs before slices.
	wide=() slices=()
	for p in ${PROFILES:-$debug_profiles}; do
		# The debug kernel is an x86 one.
		if [[ " $x86_profiles " != *" $p "* ]]; then
			printf '%s debug SKIP 0 0 1 - %s\n' "$p" \
				"(another architecture's profile: distro tier only)" \
				> "$results/rows/2-$p"
			continue
		fi
		if [ -z "${PROFILES:-}" ] && [[ " $debug_wide " != *" $p "* ]]; then
			slices+=("2-$p:vm_test 2-$p debug $p")
		else
			wide+=("2-$p:vm_test 2-$p debug $p")
		fi
	done
	queue_debug=("${wide[@]}" "${slices[@]}")
	[ "${DMACTL_SKIP_RUNNER_TESTS:-0}" = 1 ] ||
		queue_debug+=("005:host_test 005 runner-selftest-debug $DMACTL_TOP/scripts/tests/runner-selftest.sh debug")
	;;
esac
[ "${DMACTL_SKIP_RUNNER_TESTS:-0}" = 1 ] ||
	queue_other+=("003:host_test 003 runner-selftest $DMACTL_TOP/scripts/tests/runner-selftest.sh")
# queue_tier KEY TIER PROFILES...: dmactl built for a tier (for each
# architecture's kernel the profiles boot: lib.sh's profile_target), then
# a run of every selftest per profile.  Another architecture's profile
# runs on the distro tier only.
queue_tier() {
	local key=$1 tier=$2 p target built=" " failed=" "
	shift 2
	[[ " $tiers " == *" $tier "* ]] || return 0
	for p in "$@"; do
		target=$(profile_target "$DMACTL_TOP/configs/profiles/$p.conf" "$tier")
		if [ "$tier" != distro ] && [ "$target" != "$tier" ]; then
			printf '%s %s SKIP 0 0 1 - %s\n' "$p" "$tier" \
				"(another architecture's profile: distro tier only)" \
				> "$results/rows/$key-$p"
			continue
		fi
		# A target that failed to build has its row; the others run.
		[[ "$failed" != *" $target "* ]] || continue
		if [[ "$built" != *" $target "* ]]; then
			if ! build_tier "$target"; then
				failed="$failed$target "
				continue
			fi
			built="$built$target "
		fi
		queue_other+=("$key-$p:vm_test $key-$p $tier $p")
	done
}
queue_tier 1 distro ${PROFILES:-$all_profiles}
queue_tier 3 lts ${PROFILES:-$lts_profiles}
# The user's own kernel: a source tree is built (incrementally) first.
if [[ " $tiers " == *" own "* ]] &&
   ! user_tier own > /dev/null 2> "$results/own-kernel.log"; then
	tail -n 20 "$results/own-kernel.log" >&2
	printf 'own-kernel own FAIL 0 1 0 - %s\n' "$results/own-kernel.log" \
		> "$results/rows/0-kernel-own"
else
	queue_tier 4 own ${PROFILES:-$x86_profiles}
fi
queue_other+=("006:host_test 006 build-matrix $DMACTL_TOP/scripts/build-matrix.sh")
queue_other+=("007:host_test 007 packaging $DMACTL_TOP/scripts/tests/packaging.sh")
queue_other+=("009:host_test 009 kselftest-ci $DMACTL_TOP/scripts/tests/kselftest-ci.sh")
[[ " $tiers " != *" distro "* ]] ||
	queue_other+=("010:host_test 010 qualify $DMACTL_TOP/scripts/tests/qualify.sh")
queue_other+=("004:host_test 004 fuzz-tool $DMACTL_TOP/scripts/fuzz-tool.sh ${DMACTL_FUZZ_TOOL_SECONDS:-60}")

# The debug tier's kernel and build done: ready, or its row failed.
debug_ready() {
	if [ "$(cat "$results/debug-kernel.rc" 2> /dev/null)" != 0 ]; then
		tail -n 20 "$results/debug-kernel.log" >&2
		printf 'debug-kernel debug FAIL 0 1 0 - %s\n' \
			"$results/debug-kernel.log" > "$results/rows/0-kernel"
		debug_state=failed
	elif [ -f "$results/build-debug.rc" ]; then
		debug_state=failed
	else
		debug_state=ready
	fi
}

# How many jobs at once: one per core (DMACTL_JOBS), of which at most
# DMACTL_DEBUG_JOBS debug-tier guests.  A debug guest (KASAN, lockdep)
# keeps a core busy for its whole run; a third job beside two of them
# starves all three -- measured here: amd's debug slice took 1128 s
# instead of 455, and fail_nth ran past its timeout.
jobs=${DMACTL_JOBS:-$(nproc)}
debug_jobs=${DMACTL_DEBUG_JOBS:-$(nproc)}
declare -A debug_pids=()
run_job() {
	# shellcheck disable=SC2086 # the command is words
	${1#*:} &
	[ "$2" != debug ] || debug_pids[$!]=1
}
running_debug() {
	local n=0 pid
	for pid in $(jobs -rp); do
		[ -z "${debug_pids[$pid]:-}" ] || n=$((n + 1))
	done
	echo "$n"
}
kernel_done() {
	[ "$debug_state" = kernel ] && [ -f "$results/debug-tier.done" ]
}
while :; do
	while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do
		wait -n || true
	done
	if kernel_done; then
		debug_ready
	fi
	if [ "$debug_state" = ready ] && [ ${#queue_debug[@]} -gt 0 ] &&
	   [ "$(running_debug)" -lt "$debug_jobs" ]; then
		run_job "${queue_debug[0]}" debug
		queue_debug=("${queue_debug[@]:1}")
	elif [ ${#queue_other[@]} -gt 0 ]; then
		run_job "${queue_other[0]}" other
		queue_other=("${queue_other[@]:1}")
	elif [ "$debug_state" = ready ] && [ ${#queue_debug[@]} -gt 0 ]; then
		wait -n || true
	elif [ "$debug_state" = kernel ]; then
		wait "$kpid" 2> /dev/null || true
	else
		break
	fi
done
wait
for f in "$results"/rows/*; do
	[ -f "$f" ] || continue
	read -r p tier result pass fail skip secs log_path < "$f"
	[ "$result" = FAIL ] && failed_runs=$((failed_runs + 1))
	total_pass=$((total_pass + pass))
	total_fail=$((total_fail + fail))
	total_skip=$((total_skip + skip))
	add_row "$p" "$tier" "$result" "$pass" "$fail" "$skip" "$secs" "$log_path"
	[ "$result" != FAIL ] || why+=("$(why_failed "$p" "$tier" "$log_path")")
done

{
	echo
	printf '%-16s %-7s %-6s %5s %5s %5s %7s  %s\n' PROFILE TIER RESULT PASS FAIL SKIP TIME "KTAP LOG"
	printf '%s\n' "${rows[@]}"
	echo
	echo "make check took $(( $(date +%s) - start ))s; consoles beside each log (.console.log)"
	echo "$total_pass passed, $total_fail failed, $total_skip skipped"
	[ ${#why[@]} = 0 ] || printf '%s\n' "" "Why each failed run failed:" "${why[@]}"
} | tee "$summary"
[ "$failed_runs" = 0 ]
