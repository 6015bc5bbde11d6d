# SPDX-License-Identifier: GPL-2.0
# Sourced: find PCI devices by their sysfs attributes -- the one matcher
# of the shell selftests and of the guest scripts.  Installed with the
# selftests (ksft/dmactl/pci.sh); scripts/guest/pci.sh is a link to this
# file, so the guest has it under /dmactl/guest/ too, with or without the
# selftests staged.

SYS=/sys/bus/pci/devices
NVME_CLASS=0x010802

# pci_devices ATTR=VALUE...: the BDFs of every PCI device whose sysfs
# attributes all have these values, e.g. pci_devices class=0x010802.
# The shell's own read, not a cat per file: under a debug kernel (KASAN,
# lockdep) each process costs a tenth of a second of an emulated CPU.
pci_devices() {
	for _pci_d in "$SYS"/*; do
		for _pci_kv in "$@"; do
			_pci_val=
			read -r _pci_val < "$_pci_d/${_pci_kv%%=*}" || :
			[ "$_pci_val" = "${_pci_kv#*=}" ] || continue 2
		done
		echo "${_pci_d##*/}"
	done
}

# The emulated devices every profile has.
nvme_devices() { pci_devices class=$NVME_CLASS; }
edu_devices() { pci_devices vendor=0x1234 device=0x11e8; }
ivshmem_devices() { pci_devices vendor=0x1af4 device=0x1110; }

# pci_untrusted BDF: the kernel distrusts the device (below an
# external-facing port).  It marks such a device untrusted and removable
# from the same property (set_pcie_untrusted(), pci_set_removable());
# sysfs shows only the second.
pci_untrusted() {
	_pci_val=
	read -r _pci_val < "$SYS/$1/removable" 2>/dev/null || :
	[ "$_pci_val" = removable ]
}

# The first namespace of an NVMe controller (its sysfs path), or nothing.
nvme_namespace() { ls -d $SYS/"$1"/nvme/nvme*/nvme*n1 2>/dev/null | head -n 1; }
