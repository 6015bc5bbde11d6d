# SPDX-License-Identifier: GPL-2.0
# In the guest, sourced: find PCI devices by their sysfs attributes.

NVME_CLASS=0x010802

# pci_devices ATTR=VALUE...: the BDFs of every PCI device whose sysfs
# attributes all have these values, e.g. pci_devices class=0x010802.
pci_devices() {
	for d in /sys/bus/pci/devices/*; do
		match=1
		for kv in "$@"; do
			if [ "$(cat "$d/${kv%%=*}")" != "${kv#*=}" ]; then
				match=
				break
			fi
		done
		if [ -n "$match" ]; then
			basename "$d"
		fi
	done
}

# The emulated devices every profile has.
nvme_devices() { pci_devices class=$NVME_CLASS; }
edu_devices() { pci_devices vendor=0x1234 device=0x11e8; }
ivshmem_devices() { pci_devices vendor=0x1af4 device=0x1110; }
