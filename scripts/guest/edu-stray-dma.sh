#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A stray DMA, for the VM runner's self-tests: the edu, with no driver,
# is made to read 4 KiB at IOVA 1 MiB through its own registers (bus
# mastering turned on in its config space, the DMA registers written with
# busybox devmem).  Nothing is mapped there, so the IOMMU blocks it and
# reports a fault; the runner must fail the run unless it was declared.
. /dmactl/guest/pci.sh
edu=$(edu_devices | head -n 1)
[ -n "$edu" ] || { echo "no edu"; exit 1; }
dev=/sys/bus/pci/devices/$edu
read -r bar _ < "$dev/resource"
# PCI_COMMAND (offset 4): memory space and bus master.
printf '\006\000' | dd of="$dev/config" bs=1 seek=4 count=2 conv=notrunc 2>/dev/null
devmem $((bar + 0x80)) 32 0x100000	# source: IOVA 1 MiB
devmem $((bar + 0x84)) 32 0
devmem $((bar + 0x88)) 32 0x40000	# destination: the edu's own buffer
devmem $((bar + 0x8c)) 32 0
devmem $((bar + 0x90)) 32 4096		# bytes
devmem $((bar + 0x98)) 32 1		# start, RAM to the edu
sleep 1
