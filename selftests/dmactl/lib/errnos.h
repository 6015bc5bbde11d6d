/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What each ioctl documents it may return: the tables the build generates
 * from uapi/linux/dmactl.h's kernel-doc (scripts/uapi-errnos.sh, into
 * dmactl_errnos.h in the build's output), and the lookup in them.  For the
 * tests that check every errno they see against the documentation; not
 * part of dmactl_test.h, as only their binaries get the generated header.
 */
#ifndef DMACTL_LIB_ERRNOS_H
#define DMACTL_LIB_ERRNOS_H

#include <stdbool.h>
#include <stddef.h>

#include "dmactl_errnos.h"

/* Is @err an errno @req documents, or one every ioctl may give? */
static inline bool dmactl_errno_documented(unsigned long req, int err)
{
	const int *e;
	size_t i;

	for (e = dmactl_common_errnos; *e; e++)
		if (*e == err)
			return true;
	for (i = 0; i < sizeof(dmactl_errno_docs) / sizeof(dmactl_errno_docs[0]); i++) {
		if (dmactl_errno_docs[i].req != req)
			continue;
		for (e = dmactl_errno_docs[i].errnos; *e; e++)
			if (*e == err)
				return true;
	}
	return false;
}

#endif /* DMACTL_LIB_ERRNOS_H */
