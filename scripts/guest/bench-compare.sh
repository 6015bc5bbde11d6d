#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# In the guest: the kernel's dma_map_benchmark and "dmactl bench" with the
# same parameters on the same device (the edu, driverless), alternately,
# and the ratio of their mean map and unmap times.  dmactl's phys mode
# with --contig is map_benchmark's single mode (one mapping of GRANULE
# contiguous pages); its sg mode is map_benchmark's SG mode (GRANULE
# one-page entries from separate pages).  Neither warms up; both write the
# pages before each map (dmactl's --touch).
#
# Usage: bench-compare.sh [SECONDS] [GRANULES] [ROUNDS] [control]
#   SECONDS: timed guest seconds per tool and round
#   GRANULES: pages per mapping, comma-separated (default 1,16)
#   control: run dmactl in both places (an A/A run): how far apart two
#   runs of the same code land here, the noise floor of the ratios
# Prints one "compare" line per mode and granule, machine-readable: the
# mean of each tool's means over the rounds, the median over the rounds
# of dmactl's mean divided by map_benchmark's, and the lowest and highest
# round's ratio.  Under QEMU icount (dmactl_icount=SHIFT on the command
# line) the means are guest instructions, else microseconds.  A first
# round of each pair, untimed, warms both up.
seconds=${1:-1}
granules=$(echo "${2:-1,16}" | tr , ' ')
rounds=${3:-10}
control=${4:-}
. /dmactl/guest/pci.sh
D=/dmactl/bin/dmactl
K=/dmactl/bin/dma_map_benchmark
edu=$(edu_devices | head -n 1)
[ -n "$edu" ] || { echo "# no edu device"; exit 4; }
[ -e /sys/bus/pci/drivers/dma_map_benchmark ] ||
	{ echo "# kernel without CONFIG_DMA_MAP_BENCHMARK"; exit 4; }
insmod /dmactl/dmactl.ko 2>/dev/null
# us -> the unit of the report: instructions under icount (2^shift ns each).
shift_=$(sed -n 's/.*dmactl_icount=\([0-9]*\).*/\1/p' /proc/cmdline)
if [ -n "$shift_" ]; then per_us=$((1000 >> shift_)); unit=instructions
else per_us=1; unit=us; fi
dev=/sys/bus/pci/devices/$edu
# kmemleak's periodic scan takes a vCPU for many seconds on the debug
# tier: it would land on whichever tool runs at the time.
echo scan=off > /sys/kernel/debug/kmemleak 2>/dev/null

# The edu to the kernel's benchmark driver.  To dmactl it goes with
# "dmactl bind", the binder the selftests use; the tool binds only to
# dmactl, so this one is for dma_map_benchmark alone.
bind_to_map_benchmark() {
	if [ -e "$dev/driver" ]; then
		echo "$edu" > "$dev/driver/unbind"
	fi
	echo dma_map_benchmark > "$dev/driver_override"
	echo "$edu" > /sys/bus/pci/drivers/dma_map_benchmark/bind
}

# kernel MODE GRANULE: "map unmap" mean in us, as the kernel tool prints it.
kernel() {
	if [ "$control" = control ]; then
		if [ "$1" = 0 ]; then ours phys --contig "$2"; else ours sg "" "$2"; fi
		return
	fi
	bind_to_map_benchmark
	$K -m "$1" -t 1 -s "$seconds" -b 32 -d 0 -x 0 -g "$2" |
		awk -F'[:. ]+' '
		/average map latency/ { split($0, a, ":"); split(a[2], m, " "); map = m[1] }
		/average unmap latency/ { split($0, a, ":"); split(a[2], m, " "); unmap = m[1] }
		END { print map, unmap }'
}

# ours MODE FLAGS GRANULE: "map unmap" mean in us from dmactl's JSON.
ours() {
	$D bind "$edu" > /dev/null || return
	$D bench "$edu" --mode "$1" $2 --pages "$3" --threads 1 --touch \
		--seconds "$seconds" --dma-bits 32 --dir bidi --warmup 0 --json |
		awk -F'[:,]' '
		/"map":/ { phase = "map" } /"unmap":/ { phase = "unmap" }
		/"mean_ns"/ { v[phase] = $2 / 1000 }
		END { printf "%.3f %.3f\n", v["map"], v["unmap"] }'
}

rc=0
for g in $granules; do
	for m in single sg; do
		if [ $m = single ]; then kmode=0 dmode=phys flags=--contig
		else kmode=1 dmode=sg flags=; fi
		kernel $kmode "$g" > /dev/null
		ours $dmode "$flags" "$g" > /dev/null
		samples=
		r=0
		while [ $r -lt "$rounds" ]; do
			# Alternate which goes first, so drift hits both alike.
			if [ $((r % 2)) = 0 ]; then
				k=$(kernel $kmode "$g")
				d=$(ours $dmode "$flags" "$g")
			else
				d=$(ours $dmode "$flags" "$g")
				k=$(kernel $kmode "$g")
			fi
			set -- $k $d
			[ $# = 4 ] || { echo "# round $r of $m $g failed: '$k' '$d'"; rc=1; break; }
			samples="$samples$k $d
"
			r=$((r + 1))
		done
		[ $r = "$rounds" ] || continue
		# Each round's pair ran back to back: the median of the pairs'
		# ratios is what drift in the emulation disturbs least.
		printf '%s' "$samples" | awk -v m=$m -v g="$g" -v per_us="$per_us" -v unit="$unit" '
			function median(a, n,   i, j, t) {
				for (i = 1; i < n; i++)
					for (j = i; j > 0 && a[j - 1] > a[j]; j--) {
						t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
					}
				return n % 2 ? a[int(n / 2)] : (a[n / 2 - 1] + a[n / 2]) / 2
			}
			{ km += $1; ku += $2; dm += $3; du += $4
			  rm[n] = $3 / $1; ru[n] = $4 / $2
			  if (!n || rm[n] < rmin) rmin = rm[n]
			  if (!n || rm[n] > rmax) rmax = rm[n]
			  if (!n || ru[n] < umin) umin = ru[n]
			  if (!n || ru[n] > umax) umax = ru[n]
			  n++ }
			END {
				printf "compare mode=%s granule=%d rounds=%d unit=%s map_benchmark_map=%.1f dmactl_map=%.1f map_benchmark_unmap=%.1f dmactl_unmap=%.1f median_map_ratio=%.4f median_unmap_ratio=%.4f min_map_ratio=%.4f max_map_ratio=%.4f min_unmap_ratio=%.4f max_unmap_ratio=%.4f\n",
					m, g, n, unit, km / n * per_us, dm / n * per_us,
					ku / n * per_us, du / n * per_us,
					median(rm, n), median(ru, n), rmin, rmax, umin, umax }'
	done
done
[ -e "$dev/driver" ] && echo "$edu" > "$dev/driver/unbind"
echo > "$dev/driver_override"
rmmod dmactl
exit $rc
