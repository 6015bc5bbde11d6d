#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Scan a guest console log for kernel reports.  Only kernel messages count
# (lines with a printk timestamp), so a test that prints "WARNING:" itself
# does not fail the run; and a WARN's "WARNING:" opens its message, which
# tells it from a message that only says the word (6.12 prints "Speculative
# Return Stack Overflow: WARNING: ..." at boot on the AMD CPU model).
# Exits 1 with the first report on stdout, or 0 (printing how many
# declared IOMMU faults and kernel WARNs were seen, if any).
#
# A known kernel bug a test provokes on purpose is declared in advance:
# "DMACTL-EXPECT-WARN-BEGIN FUNC[,FUNC...]: reason" written to /dev/kmsg
# allows, until DMACTL-EXPECT-WARN-END, a WARNING raised in one of those
# functions, and nothing else.
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
/DMACTL-EXPECT-WARN-BEGIN/ {
	funcs = $0
	sub(/.*DMACTL-EXPECT-WARN-BEGIN */, "", funcs)
	sub(/:.*/, "", funcs)
	nfuncs = split(funcs, warn_funcs, ",")
	next
}
/DMACTL-EXPECT-WARN-END/ { nfuncs = 0; next }
/\] WARNING:/ && nfuncs {
	for (i = 1; i <= nfuncs; i++) {
		if (index($0, " " warn_funcs[i] "+0x")) {
			expected_warns++
			next
		}
	}
}
/\] WARNING:|BUG:|KASAN:|UBSAN:|suspected memory leak|possible circular locking|possible recursive locking|inconsistent lock state|Kernel panic|Oops:|general protection fault|blocked for more than [0-9]+ seconds/ {
	report("kernel report")
	next
}
/DMAR: \[DMA|DMAR:.*[Ff]ault|AMD-Vi: Event logged|IO_PAGE_FAULT|viommu.*fault|fault from EP|arm-smmu-v3 [^ ]+: event 0x[0-9a-f]+ received:|arm-smmu-v3.*(EVTQ overflow|CMDQ error|unexpected global error|CMD_SYNC timeout)/ {
	if (allow)
		allowed++
	else
		report("unexpected IOMMU fault")
}
END {
	if (!bad && allowed)
		out = allowed " declared IOMMU fault line(s)"
	if (!bad && expected_warns)
		out = out (out ? ", " : "") expected_warns " declared kernel WARN(s)"
	if (out)
		print out
	exit bad
}' "$1"
