#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The guard of every destructive test: "dmactl expendable" lets the tests
# destroy data only on a device declared in $DMACTL_EXPENDABLE, and
# refuses even that one while any of its block devices is in use.  Each
# way a namespace can be in use is made here, on the declared NVMe
# controller's first namespace, and must be refused, with its reason:
# a partition table, a filesystem signature, a mount, swap, a dm device
# holding it.  Undeclared, the device is refused outright (exit 4).
#
# This writes to the namespace: it runs only where the device is declared
# expendable and blank to begin with, and blanks it again at the end.
DIR=$(cd "$(dirname "$0")" && pwd)
. "$DIR/../kselftest/ktap_helpers.sh"
DMACTL=${DMACTL:-dmactl}
. "$DIR/tool_queries.sh"

ktap_print_header
DEV=${DMACTL_SELFTESTS_DEV:-$(nvme_devices | head -n 1)}
ns=$(nvme_namespace "${DEV:-none}")
if [ -z "$DEV" ] || [ -z "$ns" ] || ! command -v "$DMACTL" >/dev/null; then
	ktap_skip_all "needs the dmactl tool and an NVMe namespace"
	exit "$KSFT_SKIP"
fi
if why=$(refused "$DEV"); then
	ktap_skip_all "this test writes to $DEV's namespace: $why"
	exit "$KSFT_SKIP"
fi
disk=$(basename "$ns")
node=/dev/$disk
mnt=$(mktemp -d)
ktap_set_plan 8

# Blank the namespace's first MiB and have the kernel forget partitions.
blank() {
	dd if=/dev/zero of="$node" bs=1M count=1 conv=fsync 2>/dev/null
	blockdev --rereadpt "$node" 2>/dev/null
}

# refuse NAME REASON: in use, and the reason is among those printed.
refuse() {
	out=$("$DMACTL" expendable "$DEV" 2>&1)
	rc=$?
	echo "$out" | sed 's/^/# /'
	if [ "$rc" = 1 ] && echo "$out" | grep -q "$2"; then
		ktap_test_pass "$1: refused ($2)"
	else
		ktap_test_fail "$1: refused ($2), exit $rc"
	fi
}

out=$(DMACTL_EXPENDABLE= "$DMACTL" expendable "$DEV")
rc=$?
echo "# $out"
[ "$rc" = 4 ] && ktap_test_pass "undeclared: refused (exit 4)" ||
	ktap_test_fail "undeclared: refused (exit 4), got $rc"

if out=$("$DMACTL" expendable "$DEV"); then
	ktap_test_pass "declared and blank: expendable"
else
	ktap_test_fail "declared and blank: expendable"
fi
echo "$out" | sed 's/^/# /'

printf 'o\nn\np\n1\n\n\nw\n' | fdisk "$node" >/dev/null 2>&1
blockdev --rereadpt "$node" 2>/dev/null
refuse "a partition table" "holds partition ${disk}p1"
blank

mke2fs -F "$node" >/dev/null 2>&1
refuse "an ext2 filesystem" "holds a ext2 signature"

mount -t ext4 "$node" "$mnt"
refuse "mounted" "is mounted at $mnt"
umount "$mnt"
blank

mkswap "$node" >/dev/null 2>&1
swapon "$node"
refuse "swap" "is used as swap"
swapoff "$node"
blank

if "$DIR/dm_hold" create dmactl-hold "$disk"; then
	refuse "held by dm" "is held by dm-"
	"$DIR/dm_hold" remove dmactl-hold
else
	ktap_test_fail "held by dm: could not make a dm device over $disk"
fi

blank
"$DMACTL" expendable "$DEV" >/dev/null &&
	ktap_test_pass "blank again: expendable" ||
	ktap_test_fail "blank again: expendable"
rmdir "$mnt"
ktap_finished
