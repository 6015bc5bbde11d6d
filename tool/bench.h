/* SPDX-License-Identifier: GPL-2.0 */
/* dmactl bench: what its two files share. */
#ifndef DMACTL_BENCH_H
#define DMACTL_BENCH_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/dmactl.h>

/* The modes, as the tool and its JSON name them: index enum dmactl_bench_mode. */
#define BENCH_NR_MODES	DMACTL_BENCH_IOVA_SPARSE
extern const char *const bench_mode_names[BENCH_NR_MODES + 1];

/* The enum dmactl_bench_mode named @name, or -1. */
int bench_mode_from_name(const char *name);

/*
 * Fill one IOVA of @size bytes with 4 KiB links through @fd (attached to
 * @dev), verify, destroy; print the cost per link and the shadow state.
 * Returns an exit status.
 */
int bench_scale(int fd, const char *dev, uint64_t size, bool json);

/*
 * Print one Markdown table of the "dmactl bench --json" results in
 * @files, one row group per file, labelled with the file's base name.
 * Returns an exit status.
 */
int bench_report(int nfiles, char **files);

#endif
