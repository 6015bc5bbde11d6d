#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# In the guest: "dmactl bench" on the first NVMe controller (shared with
# its driver) for every mode its domain allows, over a sweep of pages per
# I/O, and on a DMA domain the 1 GiB scale test.  Each JSON document is
# printed between DMACTL-BENCH-<NAME>-BEGIN/END lines for the host.
#
# Usage: bench-sweep.sh [LENGTH] [PAGES] [THREADS] [noscale]
#   LENGTH: seconds per run (wall-clock mode), or ios:N, N timed I/Os per
#   run after a whole untimed pass of the sweep (cost mode: the first run
#   of a boot meets cold state -- IOVA caches, page tables -- and costs
#   more than the next)
length=${1:-1}
pages=${2:-1,8,64,512}
threads=${3:-1}
scale=${4:-scale}
. /dmactl/guest/pci.sh
D=/dmactl/bin/dmactl
insmod /dmactl/dmactl.ko || exit 1
nvme=$(nvme_devices | head -n 1)
echo "$nvme" > /sys/class/misc/dmactl/allow
rc=0
case "$length" in
ios:*)
	run="--ios ${length#ios:}"
	$D bench "$nvme" --pages "$pages" --threads "$threads" --ios 200 \
		--json > /dev/null || rc=1
	;;
*) run="--seconds $length" ;;
esac
echo DMACTL-BENCH-SWEEP-BEGIN
# shellcheck disable=SC2086
$D bench "$nvme" --pages "$pages" --threads "$threads" $run --json || rc=1
echo DMACTL-BENCH-SWEEP-END
if [ "$scale" = scale ] &&
	$D info "$nvme" --json | grep -q '"iova_usable":true'; then
	echo DMACTL-BENCH-SCALE-BEGIN
	$D bench scale "$nvme" 1G --json || rc=1
	echo DMACTL-BENCH-SCALE-END
fi
rmmod dmactl || rc=1
exit $rc
