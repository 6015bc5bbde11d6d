#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# In the guest: what "make demo" shows.  Load the module, show the device
# node and how the DMA layer sees each PCI device, unload.
set -e
echo "$ insmod dmactl.ko"
insmod /dmactl/dmactl.ko
echo "$ ls -l /dev/dmactl"
ls -l /dev/dmactl
echo "$ dmactl list"
dmactl list
echo "$ rmmod dmactl"
rmmod dmactl
