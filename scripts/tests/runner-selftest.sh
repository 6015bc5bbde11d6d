#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Self-tests of the VM runner: it must pass a guest's exit status through,
# and fail a run on a real kernel WARN, a kernel report on the console, an
# undeclared IOMMU fault, a profile whose promise does not hold, and a
# timeout; a declared IOMMU fault and a "WARNING:" printed by a program
# (not the kernel) must not fail it; cost mode (-c) must boot one vCPU
# under icount and tell the guest; an arm64 guest's status, SMMUv3 faults
# and panics must be seen as an x86 one's.  On the debug tier (its kernel has
# kmemleak): a leak made by the command fails the run.  Output: "ok N -
# what" lines and a closing "N passed, N failed" line.  Exit 0 only if
# every case holds.
#
# Usage: runner-selftest.sh [TIER]     (default: distro)
set -uo pipefail
. "$(dirname "$0")/../lib.sh"

tier=${1:-distro}
tier_kernel "$tier"
kdir=$TIER_KDIR
work=$DMACTL_OUT/runner-selftest-$tier
rm -rf "$work"
mkdir -p "$work/stage"
n=0 passed=0 failed=0

# Build the misbehaving modules for the tier's kernel, inside the build root.
"$DMACTL_TOP/scripts/in-root.sh" make -s -C "$kdir" CC=gcc-14 \
	M="$DMACTL_TOP/scripts/tests/bad_modules" MO="$work/bad_modules" modules \
	> "$work/build.log" 2>&1 ||
	{ cat "$work/build.log"; echo "not ok 1 - build the misbehaving modules"; echo "0 passed, 1 failed"; exit 1; }
cp "$work"/bad_modules/*.ko "$work/stage/"

# A profile whose promise cannot hold: no IOMMU, yet DMA domains expected.
sed -e 's/^EXPECT_DOMAIN=.*/EXPECT_DOMAIN=DMA/' \
	"$DMACTL_TOP/configs/profiles/direct.conf" > "$work/broken-promise.conf"

# expect WHAT EXIT_STATUS VERDICT_REGEX PROFILE LIMIT COMMAND; the runner
# gets the options in $vmopts too.
vmopts=
expect() {
	local what=$1 want=$2 pattern=$3 profile=$4 limit=$5 rc
	shift 5
	n=$((n + 1))
	# shellcheck disable=SC2086
	"$DMACTL_TOP/scripts/vm-run.sh" -p "$profile" -t "$tier" -T "$limit" -s "$work/stage" \
		$vmopts -o "$work/case$n" -- "$@" > /dev/null 2>&1
	rc=$?
	if [ "$rc" = "$want" ] && grep -qE -- "$pattern" "$work/case$n.verdict"; then
		echo "ok $n - $what"
		passed=$((passed + 1))
	else
		echo "not ok $n - $what"
		echo "# exit $rc (wanted $want); verdict: $(cat "$work/case$n.verdict" 2>/dev/null)"
		failed=$((failed + 1))
	fi
}

kmsg() {
	echo "echo '$1' > /dev/kmsg"
}

if [ "$tier" = debug ]; then
	# 64 allocations dropped on the floor; the run's closing scans
	# must find them.  (That a run without a leak passes, every debug
	# run of make check shows.)
	expect "a leak kmemleak finds fails the run" 125 'kmemleak: [0-9]+ new suspected' \
		direct 300 'insmod /dmactl/leak_on_load.ko; sleep 3'
	echo "$passed passed, $failed failed"
	[ "$failed" = 0 ]
	exit
fi
expect "a passing command gives 0" 0 '^RC=0' direct 120 'true'
expect "a failing command's status comes through" 3 '^RC=3' direct 120 'exit 3'
expect "a real kernel WARN fails the run" 125 'no exit status' direct 120 \
	'insmod /dmactl/warn_on_load.ko; sleep 5'
expect "a WARNING: in the kernel log fails the run" 125 'kernel report' direct 120 \
	"$(kmsg 'WARNING: CPU: 0 PID: 1 at fake.c:1 runner_selftest+0x0/0x10')"
expect "a hung task in the kernel log fails the run" 125 'kernel report' direct 120 \
	"$(kmsg 'INFO: task fake:1 blocked for more than 120 seconds.')"
expect "a program printing WARNING: does not" 0 '^RC=0' direct 120 \
	'echo "WARNING: printed by a program, not the kernel"'
expect "a kernel message with WARNING: inside it does not" 0 '^RC=0' direct 120 \
	"$(kmsg 'Speculative Return Stack Overflow: WARNING: See the mitigation options.')"
expect "an undeclared IOMMU fault fails the run" 125 'unexpected IOMMU fault' direct 120 \
	"$(kmsg 'DMAR: [DMA Write NO_PASID] Request device [00:02.0] fault addr 0x1000')"
expect "a declared IOMMU fault does not" 0 'declared IOMMU fault' direct 120 \
	"$(kmsg DMACTL-EXPECT-FAULT-BEGIN); $(kmsg 'DMAR: [DMA Write NO_PASID] Request device [00:02.0] fault addr 0x1000'); $(kmsg DMACTL-EXPECT-FAULT-END)"
expect "a kernel WARN declared in its function does not" 0 'declared kernel WARN' direct 120 \
	"$(kmsg 'DMACTL-EXPECT-WARN-BEGIN runner_selftest: a known kernel bug'); $(kmsg 'WARNING: fake.c:1 at runner_selftest+0x0/0x10, CPU#0: sh/1'); $(kmsg DMACTL-EXPECT-WARN-END)"
expect "a declared WARN raised elsewhere fails the run" 125 'kernel report' direct 120 \
	"$(kmsg 'DMACTL-EXPECT-WARN-BEGIN runner_selftest: a known kernel bug'); $(kmsg 'WARNING: fake.c:1 at elsewhere+0x0/0x10, CPU#0: sh/1'); $(kmsg DMACTL-EXPECT-WARN-END)"
expect "a profile whose IOMMU did not come up fails" 125 'self-check' \
	"$work/broken-promise.conf" 120 'true'
expect "the wall-clock limit fails the run" 125 'timeout' direct 25 'sleep 600'
# Cost mode: icount, one vCPU, and the guest told the shift (for dmactl
# bench's unit); without it, two vCPUs and no such word.
ncpu='grep -c ^processor /proc/cpuinfo'
expect "without -c: two vCPUs, no icount" 0 '^RC=0' direct 120 \
	"! grep -q dmactl_icount /proc/cmdline && [ \$($ncpu) = 2 ]"
vmopts=-c
expect "cost mode (-c): one vCPU, dmactl_icount=0 on the command line" 0 '^RC=0' direct 120 \
	"grep -q ' dmactl_icount=0' /proc/cmdline && [ \$($ncpu) = 1 ]"
vmopts=
# arm64 (QEMU virt): the status comes through the console and a PSCI
# power-off; a real SMMUv3 fault (the driverless edu made to read unmapped
# IOVA, scripts/guest/edu-stray-dma.sh) fails the run unless declared;
# a panic gives no status.
stray='sh /dmactl/guest/edu-stray-dma.sh'
expect "arm64: a failing command's status comes through" 3 '^RC=3' smmuv3 120 'exit 3'
expect "arm64: an undeclared SMMUv3 fault fails the run" 125 'unexpected IOMMU fault' \
	smmuv3 120 "$stray"
expect "arm64: a declared SMMUv3 fault does not" 0 'declared IOMMU fault' smmuv3 120 \
	"$(kmsg DMACTL-EXPECT-FAULT-BEGIN); $stray; $(kmsg DMACTL-EXPECT-FAULT-END)"
expect "arm64: a kernel panic fails the run" 125 'no exit status' smmuv3 120 \
	'echo c > /proc/sysrq-trigger'

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
