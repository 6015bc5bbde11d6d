#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Generate the netlink family's C from its spec, netlink/specs/dmactl.yaml,
# with the kernel's own generator (tools/net/ynl/pyynl/ynl_gen_c.py of the
# build root's kernel source):
#   uapi/linux/dmactl_netlink.h   attribute, command and group numbers
#   module/netlink-gen.[ch]       the module's policies and op table
# Nothing else in the module names an attribute number, so the module
# cannot drift from the spec.
#
# The generator validates the spec against the kernel's genetlink schema,
# which it looks for beside the specs directory, and names the spec by its
# path under the nearest directory holding a MAINTAINERS file: both are
# provided by a scratch tree that mirrors the repo's netlink/ directory.
#
# Usage: netlink-gen.sh           rewrite the generated files
#        netlink-gen.sh --check   regenerate into a scratch directory and
#                                 diff: "ok"/"not ok" lines, exit 1 on drift
set -euo pipefail
. "$(dirname "$0")/lib.sh"

in_root || exec "$DMACTL_TOP/scripts/in-root.sh" "$0" "$@"

ksrc=${KSRC:-$(root_ksrc)}
gen=$ksrc/tools/net/ynl/pyynl/ynl_gen_c.py
schema=$ksrc/Documentation/netlink/genetlink.yaml
[ -f "$gen" ] && [ -f "$schema" ] || die "no YNL generator in $ksrc"

# file generated  ynl_gen_c.py arguments
outputs=(
	"uapi/linux/dmactl_netlink.h:--mode uapi --header"
	"module/netlink-gen.h:--mode kernel --header"
	"module/netlink-gen.c:--mode kernel --source"
)

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/netlink/specs" "$scratch/out"
cp "$DMACTL_TOP/netlink/specs/dmactl.yaml" "$scratch/netlink/specs/"
ln -s "$schema" "$scratch/netlink/genetlink.yaml"
: > "$scratch/MAINTAINERS"

for o in "${outputs[@]}"; do
	file=${o%%:*}
	# shellcheck disable=SC2086 # the arguments are words
	(cd "$scratch" && python3 "$gen" --spec netlink/specs/dmactl.yaml \
		${o#*:} -o "out/${file##*/}")
done

# The generator drops the flags of multicast groups: an admin-perm group
# gets GENL_MCAST_CAP_NET_ADMIN here, so only a privileged socket joins it.
python3 - "$scratch/netlink/specs/dmactl.yaml" "$scratch/out/netlink-gen.c" <<'PY'
import re, sys, yaml
spec, src = sys.argv[1:3]
groups = yaml.safe_load(open(spec)).get('mcast-groups', {}).get('list', [])
text = open(src).read()
for g in groups:
    if 'admin-perm' in g.get('flags', []):
        entry = '{ "%s", }' % g['name']
        if entry not in text:
            sys.exit('netlink-gen.sh: no group %s in the generated source' % g['name'])
        text = text.replace(entry, '{ "%s", .flags = GENL_MCAST_CAP_NET_ADMIN, }' % g['name'])
open(src, 'w').write(text)
PY

if [ "${1:-}" != --check ]; then
	for o in "${outputs[@]}"; do
		file=${o%%:*}
		cp "$scratch/out/${file##*/}" "$DMACTL_TOP/$file"
	done
	exit 0
fi

n=0 failed=0
for o in "${outputs[@]}"; do
	file=${o%%:*}
	n=$((n + 1))
	if diff -u "$DMACTL_TOP/$file" "$scratch/out/${file##*/}"; then
		echo "ok $n - $file is what netlink/specs/dmactl.yaml generates"
	else
		echo "not ok $n - $file differs from what netlink/specs/dmactl.yaml generates (run scripts/netlink-gen.sh)"
		failed=$((failed + 1))
	fi
done
[ "$failed" = 0 ]
