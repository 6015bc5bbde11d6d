#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make demo: boot the intel-strict profile and run dmactl's main job in it,
# showing the guest command's output as it runs.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

prefix=$DMACTL_OUT/demo/intel-strict
mkdir -p "$(dirname "$prefix")"
echo "Building dmactl in the build root..."
"$DMACTL_TOP/scripts/build.sh" distro stage > "$prefix.build.log" 2>&1 ||
	{ tail -n 30 "$prefix.build.log"; die "build failed, see $prefix.build.log"; }
rm -f "$prefix.out.log"
echo "Booting the intel-strict profile under QEMU (about 10 s under TCG)..."
"$DMACTL_TOP/scripts/vm-run.sh" -p intel-strict -T 300 \
	-s "$DMACTL_OUT/build/distro/stage" -o "$prefix" \
	-- sh /dmactl/guest/demo.sh &
pid=$!
until [ -f "$prefix.out.log" ] || ! kill -0 "$pid" 2>/dev/null; do
	sleep 0.2
done
tail -n +1 --pid="$pid" -f "$prefix.out.log" 2>/dev/null || true
wait "$pid"
