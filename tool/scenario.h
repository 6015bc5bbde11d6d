/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The scenario language of "dmactl run"; scenario.c's verb table is its
 * grammar, which scenario_help() prints.
 */
#ifndef DMACTL_SCENARIO_H
#define DMACTL_SCENARIO_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

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
	int nobjs;
	struct scenario_obj objs[SCENARIO_MAX_OBJS];
};

/**
 * struct scenario_result - what one line did, for its caller
 * @err: the errno the step failed with, 0 if it passed or failed without
 *	one (a wrong value, a line that does not parse)
 * @unsupported: attach failed because the module or device is missing
 * @path: alloc - the path taken (DMACTL_PATH_*), 0 if no alloc was done
 * @dma_addr: alloc - the IOVA's DMA address
 * @verified: verify - the module answered; @verify is its reply
 * @verify: verify - pages checked, mapped, bounced, wrong
 */
struct scenario_result {
	int err;
	bool unsupported;
	uint32_t path;
	uint64_t dma_addr;
	bool verified;
	struct dmactl_iova_verify verify;
};

void scenario_init(struct scenario *s, const char *file);

/*
 * Run one line (a comment or a blank line does nothing); fill @res, if
 * not NULL, with what it did.  Returns 0, SCENARIO_PARSE_ERROR or
 * SCENARIO_REPORTED (the reason is on stderr, with the file and line).
 */
int scenario_line(struct scenario *s, const char *line,
		  struct scenario_result *res);
void scenario_fini(struct scenario *s);

/*
 * The language as "dmactl run --help" and dmactl-scenario(5) tell it,
 * indented for a --help: its rules (scenario_help_rules), the grammar one
 * verb after another from the verb table (scenario_help()), and what the
 * steps do beyond their syntax (scenario_help_notes).
 */
extern const char scenario_help_rules[];
void scenario_help(FILE *out);
extern const char scenario_help_notes[];

#endif
