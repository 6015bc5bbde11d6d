#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Scan a guest console log for kernel reports.  Only kernel messages count
# (lines with a printk timestamp), so a test that prints "WARNING:" itself
# does not fail the run.  Exits 1 with the first report on stdout, or 0
# (printing how many declared IOMMU faults were seen, if any).
#
# Usage: console-scan.sh CONSOLE_LOG
set -euo pipefail

awk '
function report(what) {
	if (!bad)
		print what ": " $0
	bad = 1
}
!/\[ *[0-9]+\.[0-9]+\]/ { next }
/DMACTL-EXPECT-FAULT-BEGIN/ { allow = 1; next }
/DMACTL-EXPECT-FAULT-END/ { allow = 0; next }
/WARNING:|BUG:|KASAN:|UBSAN:|suspected memory leak|possible circular locking|possible recursive locking|inconsistent lock state|Kernel panic|Oops:|general protection fault/ {
	report("kernel report")
	next
}
/DMAR: \[DMA|DMAR:.*[Ff]ault|AMD-Vi: Event logged|IO_PAGE_FAULT|viommu.*fault|fault from EP/ {
	if (allow)
		allowed++
	else
		report("unexpected IOMMU fault")
}
END {
	if (!bad && allowed)
		print allowed " declared IOMMU fault line(s)"
	exit bad
}' "$1"
