#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Generate, from the kernel-doc of uapi/linux/dmactl.h, the errnos each
# ioctl documents, as a C header the selftests use to check every errno a
# call returns (fail_nth, the fuzzer): the documentation is the one
# source.  The head's list holds the errnos of every ioctl; each struct's
# "Errors:" paragraph those of its own.
#
# Usage: uapi-errnos.sh UAPI_HEADER > dmactl_errnos.h
set -eu
awk '
function flush(   i, line) {
	if (req == "")
		return
	line = "\t{ " req ", \"" req "\", {"
	for (i = 1; i <= n; i++)
		line = line " " errs[i] ","
	print line " 0 } },"
	req = ""
}
function words(text,   i, k, w, ws) {
	gsub(/[^A-Za-z0-9_]/, " ", text)
	k = split(text, ws, " ")
	for (i = 1; i <= k; i++) {
		w = ws[i]
		if (w !~ /^E[A-Z0-9]+$/ || (w in seen))
			continue
		seen[w] = 1
		errs[++n] = w
	}
}
BEGIN {
	print "/* SPDX-License-Identifier: GPL-2.0 */"
	print "/* Generated from uapi/linux/dmactl.h by scripts/uapi-errnos.sh: do not edit. */"
	print "#include <errno.h>"
	print "#include <linux/dmactl.h>"
	print ""
	print "/* The errnos every ioctl may return (the head of the uapi header). */"
	print "static const int dmactl_common_errnos[] = {"
}
/Every ioctl may fail, before anything else, with:/ { common = 1; next }
common && /Then each struct below lists/ {
	common = 0
	print "\t0,"
	print "};"
	print ""
	print "/* Per ioctl: what its kernel-doc lists, in the order given. */"
	print "static const struct dmactl_errno_doc {"
	print "\tunsigned long req;"
	print "\tconst char *name;"
	print "\tint errnos[40];"
	print "} dmactl_errno_docs[] = {"
	next
}
common && match($0, /^ \*   E[A-Z0-9]+/) {
	print "\t" substr($0, RSTART + 5, RLENGTH - 5) ","
	next
}
/^ \* struct dmactl_[a-z0-9_]+ - DMACTL_[A-Z0-9_]+:/ {
	flush()
	match($0, /DMACTL_[A-Z0-9_]+/)
	req = substr($0, RSTART, RLENGTH)
	n = 0
	split("", seen)
	in_errors = 0
	next
}
req != "" && /^ \* Errors:/ { in_errors = 1 }
req != "" && in_errors && /^ \*\// { in_errors = 0; flush(); next }
req != "" && in_errors { words($0) }
END {
	flush()
	print "};"
}
' "$1"
