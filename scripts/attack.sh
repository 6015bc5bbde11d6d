#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The long runs of the attack suites, each in the machine profiles that
# matter to it, its selftest alone:
#
#   attack.sh fuzz       the model-checked fuzzer, 10^6 operations per
#                        IOMMU family on the distro tier, 10^5 on the
#                        debug tier (DMACTL_FUZZ_OPS, DMACTL_FUZZ_DEBUG_OPS)
#   attack.sh fail-nth   fault injection at every allocation and user copy
#                        of every call, to the end of each (debug tier)
#
#   FUZZ_PROFILES, FAIL_NTH_PROFILES   the profiles (defaults below)
#   DMACTL_FUZZ_SEED     a seed, to replay
#
# Prints a summary of each run (operations, injection points, errnos)
# and exits 1 if any failed.  make check runs a slice of both as part of
# the selftests: the fuzzer in every machine, fail_nth in its four debug
# profiles.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

what=${1:-}
out=$DMACTL_OUT/attack/$what
mkdir -p "$out"
failed=0

# run TIER PROFILE ENV TEST: the selftest TEST alone, with ENV in the guest.
run() {
	local tier=$1 p=$2 env=$3 test=$4 prefix=$out/$1-$2 target
	log "$test on $p, $tier tier ($env)"
	# dmactl built for the profile's architecture (lib.sh's profile_target).
	target=$(profile_target "$DMACTL_TOP/configs/profiles/$p.conf" "$tier")
	"$DMACTL_TOP/scripts/build.sh" "$target" stage > "$out/build-$target.log" 2>&1 ||
		{ tail -n 20 "$out/build-$target.log"; die "build failed"; }
	if "$DMACTL_TOP/scripts/vm-run.sh" -p "$p" -t "$tier" -T 7200 \
		-s "$DMACTL_OUT/build/$target/stage" -o "$prefix" -- \
		"$env sh /dmactl/guest/run-tests.sh -o 6000 -t dmactl:$test" > /dev/null 2>&1; then
		echo "ok - $test on $p ($tier): $(cat "$prefix.verdict")"
	else
		echo "not ok - $test on $p ($tier): $(cat "$prefix.verdict")"
		failed=$((failed + 1))
	fi
	grep -E '^# # [0-9]+ (operations|rounds|injection points)|^# ok |^# not ok |XFAIL' \
		"$prefix.out.log" | sed 's/^# /  /' || true
}

case "$what" in
fuzz)
	ops=${DMACTL_FUZZ_OPS:-1000000}
	dops=${DMACTL_FUZZ_DEBUG_OPS:-100000}
	seed=${DMACTL_FUZZ_SEED:+DMACTL_FUZZ_SEED=$DMACTL_FUZZ_SEED}
	[ "$(id -u)" = 0 ] || die "needs root"
	"$DMACTL_TOP/scripts/kernel.sh" debug > /dev/null
	# One profile per IOMMU family, and the fallback path.
	for p in ${FUZZ_PROFILES:-intel-strict amd virtio direct}; do
		run distro "$p" "DMACTL_FUZZ_OPS=$ops $seed" fuzz
		run debug "$p" "DMACTL_FUZZ_OPS=$dops $seed" fuzz
	done
	;;
fail-nth)
	"$DMACTL_TOP/scripts/kernel.sh" debug > /dev/null
	for p in ${FAIL_NTH_PROFILES:-intel-strict amd virtio direct swiotlb}; do
		run debug "$p" "DMACTL_FAIL_NTH_MAX=2000" fail_nth
	done
	;;
*)
	die "usage: attack.sh fuzz|fail-nth"
	;;
esac
[ "$failed" = 0 ]
