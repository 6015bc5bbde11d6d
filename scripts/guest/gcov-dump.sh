#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# In the guest, after the tests: the module's gcov counters (kept in
# debugfs after rmmod) as a base64 tarball between two marker lines of the
# command's output, for scripts/coverage.sh to take apart.  Each file is
# copied out with cat first: debugfs gives its files a size of 0, which
# is all tar would read.
cd /sys/kernel/debug/gcov 2>/dev/null || { echo "# no gcov in this kernel"; exit 1; }
files=$(find . -path '*/module/*.gcda')
[ -n "$files" ] || { echo "# no gcov data of the module"; exit 1; }
copy=/tmp/dmactl-gcov
for f in $files; do
	mkdir -p "$copy/${f%/*}"
	cat "$f" > "$copy/$f"
done
cd "$copy" || exit 1
echo "DMACTL-GCOV-BEGIN"
# shellcheck disable=SC2086 # one word per file
tar czf - $files | base64
echo "DMACTL-GCOV-END"
