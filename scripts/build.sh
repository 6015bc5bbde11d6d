#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build dmactl (module, tool, selftests) inside the build root for a kernel
# tier, with the compiler that kernel was built with (a cross compiler for
# another architecture's), and stage the result for the guests in
# out/build/TARGET/stage.  The module builds with W=1 and -Werror here: a
# warning is a failure on the test bed.
#
# Usage: build.sh TARGET [MAKE TARGET...]    (default make target: stage)
#   TARGET: a tier (distro, lts, debug, ...), or TIER-FLAVOUR for another
#   architecture's kernel (distro-arm64, distro-arm64-16k); lib.sh's
#   tier_kernel says which.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

in_root || exec "$(dirname "$0")/in-root.sh" "$0" "$@"

tier=${1:-distro}
shift || true
tier_kernel "$tier"
# shellcheck disable=SC2086 # TIER_MAKE is words
exec make -C "$DMACTL_TOP" --no-print-directory "${@:-stage}" \
	KDIR="$TIER_KDIR" $TIER_MAKE TIER="$tier" KCFLAGS=-Werror WERROR=-Werror \
	KSFT_DIR="$(root_ksrc)/tools/testing/selftests"
