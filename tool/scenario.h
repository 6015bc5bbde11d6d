/* SPDX-License-Identifier: GPL-2.0 */
/* The scenario language of "dmactl run"; see scenario.c for its grammar. */
#ifndef DMACTL_SCENARIO_H
#define DMACTL_SCENARIO_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/dmactl.h>

#define SCENARIO_MAX_OBJS 64

/* scenario_line() results besides 0 */
#define SCENARIO_PARSE_ERROR	(-100000)	/* the line does not parse */
#define SCENARIO_REPORTED	(-100001)	/* a step failed, already said */

enum { SCENARIO_BUF = 1, SCENARIO_IOVA };

/**
 * struct scenario_obj - a named object of a scenario
 * @name: its name in the scenario
 * @kind: SCENARIO_BUF or SCENARIO_IOVA
 * @id: the module's ID
 * @length: bytes
 * @mem: a user buffer's memory (munmapped at the end), or NULL
 */
struct scenario_obj {
	char name[32];
	int kind;
	uint32_t id;
	uint64_t length;
	void *mem;
};

/**
 * struct scenario - one run of the scenario language
 * @fd: /dev/dmactl, -1 before attach
 * @dev: the attach reply
 * @devname: the attached device
 * @file: the name errors carry
 * @lineno: the line being run, set by the caller
 * @quiet: print nothing but errors
 * @unsupported: attach failed because the module or device is missing
 * @last_errno: the errno of the last failure, 0 if it had none
 * @last_path: the path of the last alloc
 * @last_dma_addr: the DMA address of the last alloc
 * @last_verify: the last verify's reply
 * @nobjs: entries in @objs
 * @objs: the named objects
 */
struct scenario {
	int fd;
	struct dmactl_attach dev;
	char devname[DMACTL_NAME_MAX];
	const char *file;
	int lineno;
	bool quiet;
	bool unsupported;
	int last_errno;
	uint32_t last_path;
	uint64_t last_dma_addr;
	struct dmactl_iova_verify last_verify;
	int nobjs;
	struct scenario_obj objs[SCENARIO_MAX_OBJS];
};

void scenario_init(struct scenario *s, const char *file);
int scenario_line(struct scenario *s, const char *line);
void scenario_fini(struct scenario *s);

#endif
