# SPDX-License-Identifier: GPL-2.0
# Shared definitions for dmactl's helper scripts.  Sourced, never run.
#
# Everything the test bed builds lives in one cache directory outside the
# checkout, so a fresh clone reuses the work of the previous one:
#
#   $DMACTL_CACHE/root/                 Debian trixie build root (debootstrap)
#   $DMACTL_CACHE/root/opt/dmactl/      what is built inside it:
#       versions                        package versions recorded at install
#       src/linux-<kver>/               the kernel source of the test kernel
#       debug/<key>/                    debug-tier kernel build trees
#       initramfs/                      base initramfs images per kernel

DMACTL_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DMACTL_CACHE=${DMACTL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/dmactl}
DMACTL_ROOT=$DMACTL_CACHE/root
# Paths as seen from inside the build root, where every script after
# buildroot.sh runs; the host path is "$DMACTL_ROOT$path".
DMACTL_OPT=/opt/dmactl
DMACTL_OUT=${DMACTL_OUT:-$DMACTL_TOP/out}

die() {
	echo "${0##*/}: $*" >&2
	exit 1
}

log() {
	echo "${0##*/}: $*" >&2
}

# True when running inside the build root (in-root.sh sets this).
in_root() {
	[ "${DMACTL_IN_ROOT:-}" = 1 ]
}

# The version of the newest kernel installed in the build root, e.g.
# "7.3.4+deb13-amd64".  Works inside and outside the build root.
root_kver() {
	local base=/lib/modules
	in_root || base=$DMACTL_ROOT/lib/modules
	ls "$base" 2>/dev/null | sort -V | tail -n 1
}

# The matching "X.Y" series, the suffix of the linux-source package.
kver_series() {
	echo "$1" | sed -E 's/^([0-9]+\.[0-9]+).*/\1/'
}

# The kernel source of the build root's kernel, as seen inside the root.
root_ksrc() {
	echo "$DMACTL_OPT/src/linux-$(root_kver)"
}
