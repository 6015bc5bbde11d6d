/* SPDX-License-Identifier: GPL-2.0 */
/* dmactl bench: what its three files share. */
#ifndef DMACTL_BENCH_H
#define DMACTL_BENCH_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>
#include <linux/dmactl.h>

#include "commands.h"

/* The modes, as the tool and its JSON name them: index enum dmactl_bench_mode. */
#define BENCH_NR_MODES	DMACTL_BENCH_LAST_MODE
extern const char *const bench_mode_names[BENCH_NR_MODES + 1];

/* The enum dmactl_bench_mode named @name, or -1. */
int bench_mode_from_name(const char *name);

/*
 * "dmactl bench scale DEV SIZE" (bench_scale.c: one IOVA filled with page-sized
 * links, the cost per link and the shadow state), "dmactl bench report
 * FILE..." (bench_report.c: saved --json results as a Markdown table per
 * machine) and "dmactl bench ab A B" (bench_report.c: two kernels' runs
 * side by side), to which "dmactl bench" hands its arguments.
 */
extern const struct dmactl_cmd cmd_bench_scale, cmd_bench_report, cmd_bench_ab;

/*
 * struct bench_clock - what the module's nanosecond timings measure
 * (bench_clock.c)
 * @icount: the guest runs under QEMU -icount: ns count instructions
 * @shift: icount's shift: 2^@shift ns per instruction
 * @unit: "guest instructions" or "ns"
 * @source: "QEMU icount", "QEMU TCG", "QEMU KVM", "virtual machine" or
 *	"hardware"
 */
struct bench_clock {
	bool icount;
	unsigned int shift;
	const char *unit;
	const char *source;
};

#define BENCH_MAX_ICOUNT_SHIFT	10

/* From the kernel command line (dmactl_icount=N), DMI and clocksources. */
void bench_clock_detect(struct bench_clock *c);
/* --clock auto|ns|icount[:SHIFT]; -1 if @arg is none of them. */
int bench_clock_parse(const char *arg, struct bench_clock *c);
/* @ns of the module's clock in @c's unit. */
double bench_clock_cost(const struct bench_clock *c, double ns);
/* The unit as a label for people, e.g. "ns (QEMU TCG)". */
void bench_clock_label(const struct bench_clock *c, char *buf, size_t len);
/* The "clock" object of the JSON results. */
json_object *bench_clock_json(const struct bench_clock *c);
bool under_hypervisor(void);

#endif
