#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# In the guest: what "make demo" shows.  Load the module, list how the DMA
# layer sees each PCI device, hand the NVMe controller to dmactl in shared
# mode and the edu DMA engine in exclusive mode, describe both, and run the
# main job on the NVMe controller: 2 MiB of IOVA linked one page at a
# time, synced, every translation checked, unlinked, checked empty, freed.
set -e
run() {
	echo "\$ $*"
	"$@"
	echo
}

. /dmactl/guest/pci.sh
nvme=$(nvme_devices | head -n 1)
edu=$(edu_devices | head -n 1)

export DMACTL_SELFTESTS_DEV="$nvme"
scenario=/dmactl/ksft/dmactl/scenarios/per-page-2m.scn

run insmod /dmactl/dmactl.ko
run dmactl allow "$nvme"
if [ "${1:-}" = --scenario-only ]; then
	# The same job where there is no IOMMU: the fallback path.
	run dmactl info "$nvme"
	run dmactl run "$scenario"
	run rmmod dmactl
	exit 0
fi
run dmactl bind "$edu"
run dmactl list
run dmactl info "$nvme"
run dmactl info "$edu"
run cat "$scenario"
run dmactl run "$scenario"
run dmactl map "$nvme" --size 2M --pages-per-link 8 --dir to
run dmactl unbind "$edu"
run rmmod dmactl
