/* SPDX-License-Identifier: GPL-2.0 */
/* dmactl bench: what its three files share. */
#ifndef DMACTL_BENCH_H
#define DMACTL_BENCH_H

#include <linux/dmactl.h>

#include "commands.h"

/* The modes, as the tool and its JSON name them: index enum dmactl_bench_mode. */
#define BENCH_NR_MODES	DMACTL_BENCH_IOVA_SPARSE
extern const char *const bench_mode_names[BENCH_NR_MODES + 1];

/* The enum dmactl_bench_mode named @name, or -1. */
int bench_mode_from_name(const char *name);

/*
 * "dmactl bench scale DEV SIZE" (bench_scale.c: one IOVA filled with 4 KiB
 * links, the cost per link and the shadow state) and "dmactl bench report
 * FILE..." (bench_report.c: saved --json results as one Markdown table),
 * to which "dmactl bench" hands its arguments.
 */
extern const struct dmactl_cmd cmd_bench_scale, cmd_bench_report;

#endif
