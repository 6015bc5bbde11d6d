#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make demo: boot the intel-strict profile and run dmactl's main job in it,
# then the same job on the direct profile (no IOMMU), where it takes the
# dma_map_phys fallback.  The guest command's output is shown as it runs.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

mkdir -p "$DMACTL_OUT/demo"
# KERNEL=...: the user's kernel.
tier=$(user_tier distro) || die "the kernel of KERNEL= did not build"
echo "Building dmactl in the build root for the $tier tier..."
"$DMACTL_TOP/scripts/build.sh" "$tier" stage > "$DMACTL_OUT/demo/build.log" 2>&1 ||
	{ tail -n 30 "$DMACTL_OUT/demo/build.log"; die "build failed, see $DMACTL_OUT/demo/build.log"; }

show() {
	local profile=$1 prefix=$DMACTL_OUT/demo/$1 pid
	shift
	rm -f "$prefix.out.log"
	"$DMACTL_TOP/scripts/vm-run.sh" -p "$profile" -t "$tier" -T 300 \
		-s "$DMACTL_OUT/build/$tier/stage" -o "$prefix" -- "$@" &
	pid=$!
	until [ -f "$prefix.out.log" ] || ! kill -0 "$pid" 2>/dev/null; do
		sleep 0.2
	done
	tail -n +1 --pid="$pid" -f "$prefix.out.log" 2>/dev/null || true
	wait "$pid"
}

echo
echo "=== intel-strict: intel-iommu, strict invalidation (QEMU, TCG) ==="
show intel-strict sh /dmactl/guest/demo.sh
echo
echo "=== direct: no IOMMU, the same job takes the dma_map_phys fallback ==="
show direct sh /dmactl/guest/demo.sh --scenario-only
