#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# dmactl installed the way Linux users install kernel tools, in the build
# root with Debian's own dkms, debhelper and lintian:
#
#   - DKMS builds, signs (with its MOK key) and installs dmactl.ko from
#     'make dkms-source' for each kernel of the build root with headers
#     (the backports kernel and the 6.12 LTS), in a private DKMS tree and
#     module tree, so the build root's own stays untouched;
#   - dpkg-buildpackage builds dmactl and dmactl-dkms, whose version is
#     VERSION's, and lintian reports no error in them;
#   - what they install runs: a guest (intel-strict) loads the module DKMS
#     built and runs selftests from the installed collection with its
#     installed runner and tool.
#
# Output: "ok N - what" lines and a closing "N passed, N failed" line.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"

in_root || exec "$DMACTL_TOP/scripts/in-root.sh" "$0" "$@"

work=$DMACTL_OUT/packaging
version=$(cat "$DMACTL_TOP/VERSION")
rm -rf "$work"
mkdir -p "$work"


# The DKMS source, as 'make dkms-source' installs it.
make -s -C "$DMACTL_TOP" dkms-source DESTDIR="$work/src" > "$work/dkms-source.log" 2>&1
result "make dkms-source: /usr/src/dmactl-$version with dkms.conf" $? "$work/dkms-source.log"

# dkms_install KVER: add, build and install for KVER; prints the module.
# DKMS picks the module's compression from what the kernel's module tree
# holds: the private tree has one compressed placeholder, as Debian's do.
dkms_install() {
	local k=$1 tree=$work/dkms/tree inst=$work/dkms/inst
	mkdir -p "$tree" "$inst/$k/kernel"
	ln -sfn "/lib/modules/$k/build" "$inst/$k/build"
	: > "$inst/$k/kernel/placeholder.ko.xz"
	dkms add --sourcetree "$work/src/usr/src" --dkmstree "$tree" \
		"dmactl/$version" > /dev/null 2>&1 || true
	dkms build --sourcetree "$work/src/usr/src" --dkmstree "$tree" \
		-k "$k" "dmactl/$version" &&
	dkms install --sourcetree "$work/src/usr/src" --dkmstree "$tree" \
		--installtree "$inst" -k "$k" "dmactl/$version" &&
	[ -f "$inst/$k/updates/dkms/dmactl.ko.xz" ]
}

# The module DKMS installed for KVER carries VERSION and a signature.
dkms_module_ok() {
	local ko=$work/dkms/dmactl-$1.ko
	xz -dc "$work/dkms/inst/$1/updates/dkms/dmactl.ko.xz" > "$ko" &&
	[ "$(modinfo -F version "$ko")" = "$version" ] &&
	tail -c 28 "$ko" | grep -q '~Module signature appended~'
}

for k in $(root_kver) $(root_lts_kver); do
	dkms_install "$k" > "$work/dkms-$k.log" 2>&1
	result "dkms build and install dmactl/$version for $k" $? "$work/dkms-$k.log"
	dkms_module_ok "$k" >> "$work/dkms-$k.log" 2>&1
	result "the module DKMS installed for $k is version $version, signed with DKMS's MOK key" $? "$work/dkms-$k.log"
done

# The Debian packages, from a copy of the tree (the build writes into it).
mkdir -p "$work/deb/src"
tar -C "$DMACTL_TOP" --exclude=./out --exclude=./.git -cf - . | tar -C "$work/deb/src" -xf -
(cd "$work/deb/src" && dpkg-buildpackage -us -uc -b) > "$work/dpkg-buildpackage.log" 2>&1
result "dpkg-buildpackage builds dmactl and dmactl-dkms" $? "$work/dpkg-buildpackage.log"
changes=$work/deb/dmactl_${version}_$(dpkg --print-architecture).changes
[ -f "$changes" ] && [ -f "$work/deb/dmactl_${version}_amd64.deb" ] &&
	[ -f "$work/deb/dmactl-dkms_${version}_all.deb" ]
result "the packages' version is VERSION's ($version)" $?

lintian --fail-on error "$changes" > "$work/lintian.log" 2>&1
rc=$?
grep -E '^[EW]: ' "$work/lintian.log" | sed 's/^/# lintian: /'
result "lintian reports no error in the packages" $rc "$work/lintian.log"

# What the packages install, as a guest's stage: the tool, the kselftest
# collection and its runner from dmactl, the module DKMS built from
# dmactl-dkms's source.
root=$work/deb/root stage=$work/deb/stage
mkdir -p "$root" "$stage/bin"
dpkg-deb -x "$work/deb/dmactl_${version}_amd64.deb" "$root"
dpkg-deb -x "$work/deb/dmactl-dkms_${version}_all.deb" "$root"
cp "$root/usr/sbin/dmactl" "$stage/bin/" &&
	cp -a "$root/usr/lib/dmactl/kselftest" "$stage/ksft" &&
	cp "$work/dkms/dmactl-$(root_kver).ko" "$stage/dmactl.ko" &&
	[ -f "$root/usr/src/dmactl-$version/dkms.conf" ] &&
	grep -q "^PACKAGE_VERSION=\"$version\"" "$root/usr/src/dmactl-$version/dkms.conf"
result "dmactl-dkms has the source and a dkms.conf of version $version; dmactl the tool and the collection" $?
# As a CI lab runs a collection: a log per test, its own timeout.
"$DMACTL_TOP/scripts/vm-run.sh" -p intel-strict -t distro -T 300 -s "$stage" \
	-o "$work/guest" -- 'sh /dmactl/guest/run-tests.sh --per-test-log /tmp/ksft \
	--override-timeout 120 -t dmactl:devnode -t dmactl:cli; rc=$?; \
	for f in /tmp/ksft/*; do echo "per-test log $f"; cat "$f"; done; exit $rc' \
	> /dev/null 2>&1
rc=$?
grep -E '^(# )?(not )?ok [0-9]+ ' "$work/guest.out.log" 2>/dev/null | sed 's/^/#   /'
grep -qx 'per-test log /tmp/ksft/devnode' "$work/guest.out.log" &&
	grep -qx 'per-test log /tmp/ksft/cli' "$work/guest.out.log" &&
	[ "$(grep -cE '^# ok [0-9]+ (global|version_abi|cli)\.' "$work/guest.out.log")" -ge 20 ] || rc=1
result "the installed module, tool and kselftests run in a guest, as run_kselftest.sh --per-test-log --override-timeout runs them: devnode and cli pass ($(cat "$work/guest.verdict" 2>/dev/null))" $rc

results_end
