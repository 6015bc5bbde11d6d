# SPDX-License-Identifier: GPL-2.0
# Sourced by the shell selftests after $DMACTL is set: what they ask the
# dmactl tool about devices (P2P map type, expendability, counters), and
# the PCI matcher (pci.sh) they find the devices with.

. "$(dirname "$0")/pci.sh"

# Does the running kernel have P2PDMA (CONFIG_PCI_P2PDMA; Debian's 6.12
# has it off)?  Asked of its symbols, not of dmactl; yes when it lists
# none (no KALLSYMS), so that the tests run and say what fails.
kernel_has_p2pdma() {
	grep -q ' pci_p2pdma_add_resource$' /proc/kallsyms ||
		! grep -q ' T ' /proc/kallsyms
}

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
