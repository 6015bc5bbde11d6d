#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run a command inside the build root, in the current directory.
#
# The checkout is bind-mounted at its own path, so paths are the same inside
# and outside; /proc and /dev come from the host.  The mounts live in a
# private mount namespace and vanish with the command.  Every step is an
# exec, so a signal sent to this script reaches the command itself.
#
# Usage: scripts/in-root.sh CMD [ARGS...]
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -ge 1 ] || die "usage: in-root.sh CMD [ARGS...]"
if in_root; then
	exec "$@"
fi
[ "$(id -u)" = 0 ] || die "needs root (chroot and mounts)"
[ -x "$DMACTL_ROOT/usr/bin/apt-get" ] || die "no build root at $DMACTL_ROOT: run 'make buildroot'"

cwd=$PWD
case "$cwd" in
"$DMACTL_TOP"|"$DMACTL_TOP"/*) ;;
*) cwd=$DMACTL_TOP ;;
esac
mkdir -p "$DMACTL_ROOT$DMACTL_TOP" "$DMACTL_OUT"
outmnt=
case "$DMACTL_OUT" in
"$DMACTL_TOP"/*) ;;
*) mkdir -p "$DMACTL_ROOT$DMACTL_OUT"; outmnt=1 ;;
esac

# The caller's DMACTL_* settings, V, CI and the scripts' *_PROFILES go
# along; the cache's own paths are meaningless inside.
passenv=()
while IFS='=' read -r name _; do
	case "$name" in
	DMACTL_CACHE|DMACTL_ROOT|DMACTL_TOP|DMACTL_OUT|DMACTL_IN_ROOT|DMACTL_KERNEL) ;;
	DMACTL_*|V|CI|PROFILES|TIERS|*_PROFILES) passenv+=("$name=${!name}") ;;
	esac
done < <(env)

export DMACTL_R=$DMACTL_ROOT DMACTL_T=$DMACTL_TOP DMACTL_O=$DMACTL_OUT
# The user's own kernel (make check KERNEL=...), at its own path too.
kmnt=
if [ -n "${DMACTL_KERNEL:-}" ]; then
	DMACTL_KERNEL=$(cd "$DMACTL_KERNEL" && pwd) || die "no directory $DMACTL_KERNEL"
	case "$DMACTL_KERNEL" in
	"$DMACTL_TOP"/*|"$DMACTL_OUT"/*) ;;
	*) mkdir -p "$DMACTL_ROOT$DMACTL_KERNEL"; kmnt=$DMACTL_KERNEL ;;
	esac
	passenv+=("DMACTL_KERNEL=$DMACTL_KERNEL")
fi
export DMACTL_OM=$outmnt DMACTL_KM=$kmnt
exec unshare --mount --propagation private -- /bin/sh -c '
	set -e
	mount -t proc proc "$DMACTL_R/proc"
	mount --rbind /dev "$DMACTL_R/dev"
	mount --bind "$DMACTL_T" "$DMACTL_R$DMACTL_T"
	[ -z "$DMACTL_OM" ] || mount --bind "$DMACTL_O" "$DMACTL_R$DMACTL_O"
	[ -z "$DMACTL_KM" ] || mount --bind "$DMACTL_KM" "$DMACTL_R$DMACTL_KM"
	exec chroot "$DMACTL_R" /usr/bin/env -i \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root LANG=C.UTF-8 TERM="${TERM:-dumb}" DMACTL_IN_ROOT=1 \
		DMACTL_OUT="$DMACTL_O" DMACTL_CACHE=/nonexistent \
		"$@"
' in-root "${passenv[@]}" /bin/sh -c 'cd "$0" && exec "$@"' "$cwd" "$@"
