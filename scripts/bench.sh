#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench / bench-compare / bench-ab: benchmark scripts, not tests.
# Nothing here asserts a cost; a run fails only if a benchmark fails,
# leaves mappings behind or puts a page where its caller did not expect.
#
#   bench.sh sweep     every mode x pages per I/O on each of
#                      $BENCH_PROFILES.  Cost mode (the default): the
#                      bench tier (or KERNEL=), each profile booted
#                      $BENCH_RUNS times under QEMU icount (vm-run.sh -c),
#                      costs in guest instructions with the spread of the
#                      boots (the A/A figure): PROFILE.RUN.json, and
#                      cost.md.  BENCH_CLOCK=wall: the distro tier in
#                      wall-clock time, 1 s per run, as before:
#                      PROFILE.json and bench.md.  Both add the 1 GiB
#                      scale test (PROFILE-scale.json).
#   bench.sh compare   dma_map_benchmark beside dmactl bench on the bench
#                      tier in cost mode, $BENCH_RUNS boots:
#                      compare-RUN.txt and compare.md
#   bench.sh ab A B    the cost sweep under kernel A and kernel B, booted
#                      alternately $BENCH_RUNS times each, on
#                      $BENCH_AB_PROFILES: ab.md, each change beside the
#                      A/A spread.  A kernel is distro, lts, debug, bench,
#                      a patch (PATCH.patch: the bench kernel with it, in
#                      a hard-linked copy of its source), a kernel build
#                      directory or a source tree (built in the bench
#                      flavour unless KERNEL_CONFIG= says otherwise)
#
#   BENCH_PROFILES     default "intel-strict intel-lazy virtio direct"
#   BENCH_AB_PROFILES  default intel-strict
#   BENCH_RUNS         boots per profile (kernel) in cost mode, default 2
#   BENCH_IOS          timed I/Os per run in cost mode, default 1000
#   BENCH_PAGES        pages per I/O, default 1,8,64,512 (ab: 1,16,256)
#   BENCH_SECONDS      wall-clock mode: seconds per run, default 1
#   DMACTL_ICOUNT_SHIFT  icount's shift: 0 (sweep, ab), 3 (compare; see
#                      there)
#   BENCH_COMPARE_PROFILE, BENCH_COMPARE_GRANULES, BENCH_COMPARE_ROUNDS,
#   BENCH_COMPARE_SECONDS  default intel-strict, 1,16,64, 5, 1 (guest
#                      seconds per tool and round)
#
# Results go to $DMACTL_OUT/bench (out/bench).  Every figure measured in a
# QEMU guest is the emulation's, not hardware's; the Markdown says so.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

what=${1:-sweep}
results=$DMACTL_OUT/bench
mkdir -p "$results"
runs=${BENCH_RUNS:-2}
ios=${BENCH_IOS:-1000}

# The JSON a guest printed between DMACTL-BENCH-NAME-BEGIN/END.
extract() {
	sed -n "/^DMACTL-BENCH-$2-BEGIN/,/^DMACTL-BENCH-$2-END/p" "$1" |
		sed '1d;$d'
}

# The build root's dmactl, for the reports.
tool() {
	"$DMACTL_TOP/scripts/in-root.sh" "$DMACTL_OUT/build/distro/tool/dmactl" "$@"
}

# stage TIER: build dmactl for TIER (distro's tool runs the reports).
stage() {
	local t
	for t in "$1" distro; do
		"$DMACTL_TOP/scripts/build.sh" "$t" stage > "$results/build-$t.log" 2>&1 ||
			die "build failed: $results/build-$t.log"
	done
}

# scale_table [UNIT]: the scale test of every PROFILE-scale.json in
# $results, per link in UNIT (1000s of the guest clock's: us, or
# thousands of instructions under icount).
scale_table() {
	echo "Scale: 262,144 links of 4 KiB into one 1 GiB IOVA, one ioctl each."
	echo
	echo "| machine | ${1:-us}/link at 1 | at 64 | at 1024 | at 262144 | shadow KiB/GiB | maple nodes KiB |"
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
}

# run_sweep TIER STAGE PROFILE NAME COST LENGTH PAGES SCALE [ENV...]: one
# boot of the sweep, with the build kept as stage-STAGE; NAME.json (and
# PROFILE-scale.json); 1 if it failed.
run_sweep() {
	local tier=$1 st=$2 p=$3 name=$4 cost=$5 length=$6 pages=$7 scale=$8 rc=0
	shift 8
	log "$name: $tier, pages $pages, $length per run${cost:+ (cost mode)}"
	# $cost: -c or nothing.
	# shellcheck disable=SC2086
	env "$@" "$DMACTL_TOP/scripts/vm-run.sh" -p "$p" -t "$tier" -T 3600 $cost \
		-s "$results/stage-$st" -o "$results/$name" -- \
		sh /dmactl/guest/bench-sweep.sh "$length" "$pages" 1 "$scale" || rc=1
	[ $rc = 0 ] || log "$name: failed, see $results/$name.console.log"
	extract "$results/$name.out.log" SWEEP > "$results/$name.json"
	[ -s "$results/$name.json" ] || rm -f "$results/$name.json"
	if [ "$scale" = scale ]; then
		extract "$results/$name.out.log" SCALE > "$results/$p-scale.json"
		[ -s "$results/$p-scale.json" ] || rm -f "$results/$p-scale.json"
	fi
	return $rc
}

# keep_stage TIER [NAME]: a copy of TIER's staged build as stage-NAME
# (default TIER), so that two kernels of one tier (own, patched) each keep
# theirs.
keep_stage() {
	rm -rf "$results/stage-${2:-$1}"
	cp -a "$DMACTL_OUT/build/$1/stage" "$results/stage-${2:-$1}"
}

sweep_wall() {
	local profiles=${BENCH_PROFILES:-intel-strict intel-lazy virtio direct}
	local seconds=${BENCH_SECONDS:-1} pages=${BENCH_PAGES:-1,8,64,512}
	local md=$results/bench.md p files=() rc=0 tier

	tier=$(user_tier distro) || die "the kernel of KERNEL= did not build"
	stage "$tier"
	keep_stage "$tier"
	for p in $profiles; do
		run_sweep "$tier" "$tier" "$p" "$p" "" "$seconds" "$pages" scale || rc=1
		[ -s "$results/$p.json" ] && files+=("$results/$p.json")
	done
	[ ${#files[@]} -gt 0 ] || die "no results"
	{
		echo "Measured on QEMU TCG guests (2 vCPUs, no KVM), wall-clock time:"
		echo "the cost of the emulation, not of hardware.  Compare modes as"
		echo "ratios within a table.  1 thread, bidirectional (tso: to the"
		echo "device), one allocation per page; NVMe controller shared with its"
		echo "driver.  $(date -u +%Y-%m-%d), $(root_kver)."
		echo
		tool bench report "${files[@]}"
		scale_table
		echo
		echo "Produced by: make bench BENCH_CLOCK=wall BENCH_SECONDS=$seconds BENCH_PAGES=$pages"
	} > "$md"
	cat "$md"
	return $rc
}

# The cost-mode tier: the bench kernel, or KERNEL= (a source tree in the
# bench flavour unless KERNEL_CONFIG= says otherwise).
cost_tier() {
	if [ -z "${DMACTL_KERNEL:-}" ]; then
		"$DMACTL_TOP/scripts/kernel.sh" bench > /dev/null
		echo bench
		return
	fi
	DMACTL_KERNEL_CONFIG=${DMACTL_KERNEL_CONFIG:-bench} user_tier distro
}

sweep_cost() {
	local profiles=${BENCH_PROFILES:-intel-strict intel-lazy virtio direct}
	local pages=${BENCH_PAGES:-1,8,64,512}
	local md=$results/cost.md p r files rc=0 tier scale

	tier=$(cost_tier) || die "the kernel to measure did not build"
	stage "$tier"
	keep_stage "$tier"
	{
		echo "Cost mode: QEMU TCG with -icount shift=${DMACTL_ICOUNT_SHIFT:-0},align=off,sleep=off and"
		echo "one vCPU, so the guest's clock counts the instructions it executed:"
		echo "the figures are guest instructions per I/O, repeatable across"
		echo "boots, which measure the work of the code paths (the emulation's"
		echo "CPU, not a real one: no caches, no TLB misses, no device latency)."
		echo "Kernel: the $tier tier.  1 thread, $ios timed I/Os per cell after a"
		echo "whole untimed pass; bidirectional (tso: to the device); one"
		echo "allocation per page; the NVMe controller shared with its driver."
		echo "spread: (max - min) / mean of the I/O cost over $runs boots (A/A)."
		echo "$(date -u +%Y-%m-%d)."
		echo
	} > "$md"
	for p in $profiles; do
		files=()
		for r in $(seq 1 "$runs"); do
			scale=noscale
			[ "$r" != 1 ] || scale=scale
			run_sweep "$tier" "$tier" "$p" "$p.$r" -c "ios:$ios" "$pages" "$scale" || rc=1
			[ -s "$results/$p.$r.json" ] && files+=("$results/$p.$r.json")
		done
		[ ${#files[@]} -gt 0 ] || { rc=1; continue; }
		tool bench report "${files[@]}" >> "$md"
	done
	{
		scale_table "k-instructions"
		echo
		echo "Produced by: make bench BENCH_RUNS=$runs BENCH_IOS=$ios BENCH_PAGES=$pages"
	} >> "$md"
	cat "$md"
	return $rc
}

# compare: dma_map_benchmark beside dmactl.  map_benchmark truncates each
# I/O's time to 100 ns before summing (kernel/dma/map_benchmark.c), so at
# shift=0 (1 ns an instruction) a one-page map of ~2,000 instructions
# would read ~2.5 % low; shift=3 (8 ns an instruction) makes that 0.3 %.
compare() {
	local p=${BENCH_COMPARE_PROFILE:-intel-strict} r rc=0
	local granules=${BENCH_COMPARE_GRANULES:-1,16,64}
	local rounds=${BENCH_COMPARE_ROUNDS:-5}
	local seconds=${BENCH_COMPARE_SECONDS:-1}
	export DMACTL_ICOUNT_SHIFT=${DMACTL_ICOUNT_SHIFT:-3}

	"$DMACTL_TOP/scripts/kernel.sh" bench > /dev/null
	stage bench
	keep_stage bench
	rm -f "$results"/compare-[0-9]*.txt
	for r in $(seq 1 "$runs"); do
		"$DMACTL_TOP/scripts/vm-run.sh" -p "$p" -t bench -T 3600 -c \
			-s "$results/stage-bench" -o "$results/compare-$p.$r" -- \
			sh /dmactl/guest/bench-compare.sh "$seconds" "$granules" "$rounds" ||
			rc=1
		grep '^compare ' "$results/compare-$p.$r.out.log" |
			sed "s/^compare /compare boot=$r /" > "$results/compare-$r.txt" || rc=1
	done
	{
		echo "dmactl bench against the kernel's dma_map_benchmark, same device (the"
		echo "edu, driverless), same parameters, in cost mode (QEMU icount"
		echo "shift=$DMACTL_ICOUNT_SHIFT, one vCPU; $p, bench tier): costs in guest"
		echo "instructions per mapping (map_benchmark's 100 ns units converted)."
		echo "ratio: dmactl over map_benchmark, the median of $rounds alternating"
		echo "rounds; range: the lowest and highest round's ratio over $runs boots."
		echo
		echo "| mode | granule | map_benchmark map | dmactl map | map ratio | range | map_benchmark unmap | dmactl unmap | unmap ratio | range |"
		echo "|---|--:|--:|--:|--:|---|--:|--:|--:|---|"
		cat "$results"/compare-[0-9]*.txt | awk '
			{ for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
			  k = v["mode"] " " v["granule"]
			  if (!(k in n)) order[no++] = k
			  n[k]++; km[k] += v["map_benchmark_map"]; dm[k] += v["dmactl_map"]
			  ku[k] += v["map_benchmark_unmap"]; du[k] += v["dmactl_unmap"]
			  rm[k] += v["median_map_ratio"]; ru[k] += v["median_unmap_ratio"]
			  if (!(k in lo) || v["min_map_ratio"] < lo[k]) lo[k] = v["min_map_ratio"]
			  if (!(k in hi) || v["max_map_ratio"] > hi[k]) hi[k] = v["max_map_ratio"]
			  if (!(k in ulo) || v["min_unmap_ratio"] < ulo[k]) ulo[k] = v["min_unmap_ratio"]
			  if (!(k in uhi) || v["max_unmap_ratio"] > uhi[k]) uhi[k] = v["max_unmap_ratio"] }
			END { for (i = 0; i < no; i++) { k = order[i]; split(k, mg, " ")
				printf "| %s | %s | %.0f | %.0f | %.3f | %.3f-%.3f | %.0f | %.0f | %.3f | %.3f-%.3f |\n",
					mg[1], mg[2], km[k] / n[k], dm[k] / n[k], rm[k] / n[k], lo[k], hi[k],
					ku[k] / n[k], du[k] / n[k], ru[k] / n[k], ulo[k], uhi[k] } }'
		echo
		echo "Produced by: make bench-compare BENCH_RUNS=$runs BENCH_COMPARE_SECONDS=$seconds BENCH_COMPARE_GRANULES=$granules BENCH_COMPARE_ROUNDS=$rounds"
	} > "$results/compare.md"
	cat "$results/compare.md"
	return $rc
}

# side SPEC NAME: resolve a kernel of make bench-ab into SIDE_TIER and
# SIDE_ENV (what tier_kernel needs to find it), building it if needed.
side() {
	local spec=$1 patch
	SIDE_ENV=()
	case "$spec" in
	distro|lts|debug|bench)
		SIDE_TIER=$spec
		[ "$spec" = distro ] || [ "$spec" = lts ] ||
			"$DMACTL_TOP/scripts/kernel.sh" "$spec" > /dev/null
		;;
	*.patch|*.diff)
		[ -f "$spec" ] || die "no patch $spec"
		# The build root sees the repository and $DMACTL_OUT only.
		patch=$results/ab-$2-$(basename "$spec")
		cp "$spec" "$patch"
		"$DMACTL_TOP/scripts/kernel.sh" patched "$patch" > /dev/null
		SIDE_TIER=patched SIDE_ENV=(DMACTL_PATCH="$patch")
		;;
	*)
		[ -d "$spec" ] || die "$spec: not a tier, a patch or a directory"
		SIDE_TIER=$(DMACTL_KERNEL=$(cd "$spec" && pwd) \
			DMACTL_KERNEL_CONFIG=${DMACTL_KERNEL_CONFIG:-bench} user_tier distro) ||
			die "the kernel of $spec did not build"
		SIDE_ENV=(DMACTL_KERNEL="$(cd "$spec" && pwd)"
			  DMACTL_KERNEL_CONFIG="${DMACTL_KERNEL_CONFIG:-bench}")
		;;
	esac
}

ab() {
	local a=${1:?usage: bench.sh ab A B} b=${2:?usage: bench.sh ab A B}
	local profiles=${BENCH_AB_PROFILES:-intel-strict}
	local pages=${BENCH_PAGES:-1,16,256} md=$results/ab.md
	local p r s t rc=0 ta tb
	local -a ea eb e fa fb

	side "$a" a
	ta=$SIDE_TIER ea=("${SIDE_ENV[@]}")
	side "$b" b
	tb=$SIDE_TIER eb=("${SIDE_ENV[@]}")
	[ "$ta" != "$tb" ] || [ "$ta" = patched ] || [ "$ta" = own ] ||
		die "A and B are the same kernel ($ta): for an A/A run, set BENCH_RUNS"
	# Each side's module, built against its own kernel.
	for s in a b; do
		if [ $s = a ]; then t=$ta e=("${ea[@]}"); else t=$tb e=("${eb[@]}"); fi
		env "${e[@]}" "$DMACTL_TOP/scripts/build.sh" "$t" stage > "$results/build-$s.log" 2>&1 ||
			die "build failed: $results/build-$s.log"
		keep_stage "$t" "$s"
	done
	stage distro
	{
		echo "A/B in cost mode (QEMU icount shift=${DMACTL_ICOUNT_SHIFT:-0}, one vCPU): guest"
		echo "instructions per I/O (map + unmap), 1 thread, $ios timed I/Os per"
		echo "cell after an untimed pass, each kernel booted $runs times, A and B"
		echo "alternately.  A: $a ($ta).  B: $b ($tb).  $(date -u +%Y-%m-%d)."
		echo
	} > "$md"
	for p in $profiles; do
		fa=() fb=()
		for r in $(seq 1 "$runs"); do
			for s in a b; do
				if [ $s = a ]; then t=$ta e=("${ea[@]}"); else t=$tb e=("${eb[@]}"); fi
				run_sweep "$t" "$s" "$p" "ab-$p.$s.$r" -c "ios:$ios" "$pages" noscale \
					"${e[@]}" || rc=1
				[ -s "$results/ab-$p.$s.$r.json" ] || { rc=1; continue; }
				if [ $s = a ]; then fa+=("$results/ab-$p.a.$r.json")
				else fb+=("$results/ab-$p.b.$r.json"); fi
			done
		done
		[ ${#fa[@]} -gt 0 ] && [ ${#fb[@]} -gt 0 ] || { rc=1; continue; }
		{
			echo "### $p"
			echo
			tool bench ab "$(IFS=,; echo "${fa[*]}")" "$(IFS=,; echo "${fb[*]}")"
			echo
		} >> "$md"
	done
	echo "Produced by: make bench-ab A=$a B=$b BENCH_RUNS=$runs BENCH_IOS=$ios BENCH_PAGES=$pages BENCH_AB_PROFILES=\"$profiles\"" >> "$md"
	cat "$md"
	return $rc
}

case "$what" in
sweep)
	if [ "${BENCH_CLOCK:-cost}" = wall ]; then sweep_wall; else sweep_cost; fi ;;
compare) compare ;;
ab) shift; ab "$@" ;;
*) die "usage: bench.sh sweep|compare|ab A B" ;;
esac
