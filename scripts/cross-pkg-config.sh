#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# pkg-config for a cross build (PKG_CONFIG= of tool/ and selftests/):
# the .pc files of the target's multiarch directory, which the build
# root's packages of that architecture (libnl-genl-3-dev:arm64, ...)
# install, and no host ones.  The target is the triplet of $CROSS_COMPILE.
triplet=${CROSS_COMPILE%-}
[ -n "$triplet" ] || { echo "cross-pkg-config.sh: CROSS_COMPILE is not set" >&2; exit 1; }
PKG_CONFIG_LIBDIR=/usr/lib/$triplet/pkgconfig:/usr/share/pkgconfig \
	exec pkg-config "$@"
