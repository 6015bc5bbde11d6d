#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make coverage: line and branch coverage of the module by the selftests
# (the fuzzer and fail-nth among them), per module file.  The module is
# built with gcov for the debug kernel (CONFIG_GCOV_KERNEL; GCOV_PROFILE
# for the module's objects only), the selftests run in the profiles below
# (each path of the module has a profile that takes it: the IOVA path,
# dma-direct, swiotlb, P2P through a switch), each guest hands its gcov
# counters back on its console, and gcovr adds them up.
#
#   COVERAGE_PROFILES="..."   the profiles (default below)
#   DMACTL_FAIL_NTH_MAX, DMACTL_FUZZ_OPS   passed to the guests
#
# Output: $DMACTL_OUT/coverage/summary.txt (also printed): lines and
# branches per file, and the lines no test reached.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

in_root || exec "$(dirname "$0")/in-root.sh" "$0" "$@"

profiles=${COVERAGE_PROFILES:-intel-strict direct swiotlb p2p-switch}
out=$DMACTL_OUT/coverage
build=$DMACTL_OUT/build/coverage
rm -rf "$out"
mkdir -p "$out"

"$DMACTL_TOP/scripts/kernel.sh" debug > /dev/null
log "building the module with gcov for the debug kernel"
"$DMACTL_TOP/scripts/build.sh" debug stage BUILD="$build" DMACTL_GCOV=y \
	> "$out/build.log" 2>&1 || { tail -n 20 "$out/build.log"; die "build failed"; }

tracefiles=()
for p in $profiles; do
	log "$p on debug, with gcov"
	set +e
	"$DMACTL_TOP/scripts/vm-run.sh" -p "$p" -t debug -T 1800 -s "$build/stage" \
		-o "$out/$p" -- 'sh /dmactl/guest/run-tests.sh; sh /dmactl/guest/gcov-dump.sh' \
		> /dev/null 2>&1
	rc=$?
	set -e
	[ "$rc" = 0 ] || log "$p: $(cat "$out/$p.verdict") (counters taken anyway)"
	mkdir -p "$out/$p.obj"
	cp "$build"/module/*.gcno "$out/$p.obj/"
	sed -n '/^DMACTL-GCOV-BEGIN$/,/^DMACTL-GCOV-END$/p' "$out/$p.out.log" |
		sed '1d;$d' | base64 -d | tar xzf - -C "$out/$p.obj" --strip-components=0 ||
		{ log "$p: no gcov data"; continue; }
	find "$out/$p.obj" -name '*.gcda' -exec mv -t "$out/$p.obj" {} + 2>/dev/null || true
	(cd "$DMACTL_TOP" && gcovr --gcov-executable gcov-14 --root "$DMACTL_TOP" \
		--filter module/ --exclude 'module/netlink-gen.c' \
		--object-directory "$out/$p.obj" --json "$out/$p.json" "$out/$p.obj") \
		> "$out/$p.gcovr.log" 2>&1 || { log "$p: gcovr failed"; continue; }
	tracefiles+=(--add-tracefile "$out/$p.json")
done
[ ${#tracefiles[@]} -gt 0 ] || die "no coverage data from any profile"

cd "$DMACTL_TOP"
{
	echo "dmactl module coverage, debug tier, profiles: $profiles"
	echo
	gcovr "${tracefiles[@]}" --txt --txt-metric line
	echo
	gcovr "${tracefiles[@]}" --txt --txt-metric branch
} | tee "$out/summary.txt"
