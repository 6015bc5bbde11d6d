#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench / make bench-compare: benchmark scripts, not tests.  Nothing
# here asserts a time; a run fails only if a benchmark fails or leaves
# mappings behind.
#
#   bench.sh sweep     the mode x pages-per-I/O sweep and the 1 GiB scale
#                      test on each of $BENCH_PROFILES (distro tier):
#                      PROFILE.json, PROFILE-scale.json and bench.md
#   bench.sh compare   dma_map_benchmark beside dmactl bench on the debug
#                      tier (CONFIG_DMA_MAP_BENCHMARK=y): compare.txt;
#                      BENCH_COMPARE_CONTROL=1 also runs dmactl beside
#                      itself, the noise floor: control.txt
#
#   BENCH_PROFILES   default "intel-strict intel-lazy virtio direct"
#   BENCH_SECONDS    timed seconds per run (default 1)
#   BENCH_PAGES      pages per I/O (default 1,8,64,512)
#   BENCH_COMPARE_PROFILE, BENCH_COMPARE_SECONDS, BENCH_COMPARE_GRANULES,
#   BENCH_COMPARE_ROUNDS   (default intel-strict, 1, 1,16, 10)
#
# Results go to $DMACTL_OUT/bench (out/bench).  Every figure measured in a
# QEMU TCG guest is the cost of the emulation, not of hardware; the
# Markdown says so.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

what=${1:-sweep}
results=$DMACTL_OUT/bench
mkdir -p "$results"

# The JSON a guest printed between DMACTL-BENCH-NAME-BEGIN/END.
extract() {
	sed -n "/^DMACTL-BENCH-$2-BEGIN/,/^DMACTL-BENCH-$2-END/p" "$1" |
		sed '1d;$d'
}

sweep() {
	local profiles=${BENCH_PROFILES:-intel-strict intel-lazy virtio direct}
	local seconds=${BENCH_SECONDS:-1} pages=${BENCH_PAGES:-1,8,64,512}
	local md=$results/bench.md p files=() rc=0 s tier

	# KERNEL=...: the user's kernel.
	tier=$(user_tier distro) || die "the kernel of KERNEL= did not build"
	"$DMACTL_TOP/scripts/build.sh" "$tier" stage > "$results/build.log" 2>&1 ||
		die "build failed: $results/build.log"
	for p in $profiles; do
		log "$p: sweep pages $pages, $seconds s per run"
		if ! "$DMACTL_TOP/scripts/vm-run.sh" -p "$p" -t "$tier" -T 1800 \
			-s "$DMACTL_OUT/build/$tier/stage" -o "$results/$p" -- \
			sh /dmactl/guest/bench-sweep.sh "$seconds" "$pages"; then
			log "$p: failed, see $results/$p.console.log"
			rc=1
		fi
		extract "$results/$p.out.log" SWEEP > "$results/$p.json"
		extract "$results/$p.out.log" SCALE > "$results/$p-scale.json"
		[ -s "$results/$p.json" ] && files+=("$results/$p.json")
		[ -s "$results/$p-scale.json" ] || rm -f "$results/$p-scale.json"
	done
	[ ${#files[@]} -gt 0 ] || die "no results"
	{
		echo "Measured on QEMU TCG guests (2 vCPUs, no KVM): the cost of the"
		echo "emulation, not of hardware.  Compare modes as ratios within a row."
		echo "Mean time of one I/O (map + unmap), in microseconds, 1 thread,"
		echo "bidirectional, one allocation per page; NVMe controller shared"
		echo "with its driver.  $(date -u +%Y-%m-%d), $(root_kver)."
		echo
		"$DMACTL_TOP/scripts/in-root.sh" \
			"$DMACTL_OUT/build/distro/tool/dmactl" bench report "${files[@]}"
		echo
		echo "Scale: 262,144 links of 4 KiB into one 1 GiB IOVA, one ioctl each."
		echo
		echo "| machine | us/link at 1 | at 64 | at 1024 | at 262144 | shadow KiB/GiB | maple nodes KiB |"
		echo "|---|--:|--:|--:|--:|--:|--:|"
		for s in "$results"/*-scale.json; do
			[ -e "$s" ] || continue
			awk -v m="$(basename "$s" -scale.json)" '
				/"ns_per_link"/ { split($0, a, ":"); t[n++] = a[2] + 0 }
				/"shadow_bytes_per_gib"/ { split($0, a, ":"); sh = a[2] + 0 }
				/"maple_node_bytes"/ { split($0, a, ":"); mp = a[2] + 0 }
				END { printf "| %s | %.2f | %.2f | %.2f | %.2f | %.1f | %.1f |\n",
					m, t[0] / 1e3, t[1] / 1e3, t[2] / 1e3, t[3] / 1e3,
					sh / 1024, mp / 1024 }' "$s"
		done
		echo
		echo "Produced by: make bench BENCH_SECONDS=$seconds BENCH_PAGES=$pages"
	} > "$md"
	cat "$md"
	return $rc
}

compare() {
	local p=${BENCH_COMPARE_PROFILE:-intel-strict}
	"$DMACTL_TOP/scripts/kernel.sh" debug > /dev/null
	"$DMACTL_TOP/scripts/build.sh" debug stage > "$results/build-debug.log" 2>&1 ||
		die "build failed: $results/build-debug.log"
	"$DMACTL_TOP/scripts/vm-run.sh" -p "$p" -t debug -T 1800 \
		-s "$DMACTL_OUT/build/debug/stage" -o "$results/compare-$p" -- \
		sh /dmactl/guest/bench-compare.sh "${BENCH_COMPARE_SECONDS:-1}" \
		"${BENCH_COMPARE_GRANULES:-1,16}" "${BENCH_COMPARE_ROUNDS:-10}"
	grep '^compare ' "$results/compare-$p.out.log" | tee "$results/compare.txt"
	[ -n "${BENCH_COMPARE_CONTROL:-}" ] || return 0
	"$DMACTL_TOP/scripts/vm-run.sh" -p "$p" -t debug -T 1800 \
		-s "$DMACTL_OUT/build/debug/stage" -o "$results/control-$p" -- \
		sh /dmactl/guest/bench-compare.sh "${BENCH_COMPARE_SECONDS:-1}" \
		"${BENCH_COMPARE_GRANULES:-1,16}" "${BENCH_COMPARE_ROUNDS:-10}" control
	grep '^compare ' "$results/control-$p.out.log" | tee "$results/control.txt"
}

case "$what" in
sweep) sweep ;;
compare) compare ;;
*) die "usage: bench.sh sweep|compare" ;;
esac
