# SPDX-License-Identifier: GPL-2.0
# What the shell selftests share; sourced after $DMACTL is set.

SYS=/sys/bus/pci/devices

# pci ATTR=VALUE...: the PCI devices whose sysfs attributes all match.
pci() {
	for d in $SYS/*; do
		for kv in "$@"; do
			[ "$(cat "$d/${kv%%=*}")" = "${kv#*=}" ] || continue 2
		done
		basename "$d"
	done
}

# The NVMe controllers, one per line.
nvme_controllers() { pci class=0x010802; }

# The first namespace of an NVMe controller (its sysfs path), or nothing.
nvme_namespace() { ls -d $SYS/"$1"/nvme/nvme*/nvme*n1 2>/dev/null | head -n 1; }

# The kernel's P2P map type for PROVIDER's memory used by CLIENT.
map_of() { "$DMACTL" p2p --json "$1" "$2" | sed -n 's/.*"map_type":"\([a-z-]*\)".*/\1/p'; }

# Print why the tests may not destroy data on a device (dmactl
# expendable: not declared in $DMACTL_EXPENDABLE, or in use), and
# succeed; fail, silently, when they may.
refused() {
	_why=$("$DMACTL" expendable "$1" 2>&1) && return 1
	echo "$_why" | tr '\n' ' '
}

# A counter in total, from the netlink family (first column of "dmactl stats").
counter() { "$DMACTL" stats | awk -v n="$1" '$1 == n { print $2 }'; }
