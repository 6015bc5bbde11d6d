/* SPDX-License-Identifier: GPL-2.0 */
/* dmactl command-line tool: what the command files share. */
#ifndef DMACTL_TOOL_COMMANDS_H
#define DMACTL_TOOL_COMMANDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Exit statuses; 4 is kselftest's "skip": the thing cannot run here. */
enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,
	EXIT_USAGE = 2,
	EXIT_UNSUPPORTED = 4,
};

/**
 * struct dmactl_cmd - one subcommand
 * @name: what the user types
 * @summary: one line for the command list
 * @help: the man-page-style text of "dmactl NAME --help"
 * @show_help: if set, prints that text to its stream instead of @help
 *	(a text built from a table when it is asked for)
 * @run: the command; argv[0] is @name; returns an exit status
 */
struct dmactl_cmd {
	const char *name;
	const char *summary;
	const char *help;
	void (*show_help)(FILE *out);
	int (*run)(int argc, char **argv);
};

extern const struct dmactl_cmd cmd_list, cmd_info, cmd_bind, cmd_unbind,
	cmd_allow, cmd_disallow, cmd_map, cmd_run, cmd_p2p, cmd_p2pmem,
	cmd_bench, cmd_stats, cmd_monitor, cmd_expendable, cmd_qualify;

struct dmactl_nl;

/*
 * Open the netlink family; on failure print why and return the exit
 * status (4 when the module is not loaded).
 */
int nl_open_or_say(const char *what, struct dmactl_nl **nl);
/* Print a failed request with the kernel's extack message; returns 1. */
int nl_say_error(const char *what, const char *dev, struct dmactl_nl *nl,
		 int err);

/*
 * The JSON of a failed request, for --json: {"dev", "result": "fail",
 * "errno", "message" (the kernel's extack)}.
 */
void nl_json_error(const char *dev, struct dmactl_nl *nl, int err);

/* Options every command accepts, parsed by the command itself. */
bool opt_is_help(const char *arg);

/* Print the command's --help on stdout; returns EXIT_OK. */
int print_help(const struct dmactl_cmd *cmd);

/* Write the command's --help text to @out. */
void cmd_help(const struct dmactl_cmd *cmd, FILE *out);

/*
 * Every command and subcommand, in the order "dmactl help" lists them,
 * NULL-terminated: the one list the command line, the manual page and the
 * shell completion come from.
 */
extern const struct dmactl_cmd *const dmactl_commands[];
extern const struct dmactl_cmd *const dmactl_subcommands[];

/*
 * dmactl help --man SECTION: write the manual page of @section (8:
 * dmactl(8), every command's help; 5: dmactl-scenario(5), the scenario
 * language) in roff to @out.  Returns EXIT_OK, or EXIT_USAGE for another
 * section.
 */
int man_page(FILE *out, int section);

/*
 * The end of every command's getopt loop: @c is --json ('j', when @json
 * is not NULL) or --help ('h'); anything else is a usage error.  Returns
 * -1 to go on after --json, or the exit status to return at once:
 * EXIT_OK after printing --help, EXIT_USAGE.
 */
int opt_common(const struct dmactl_cmd *cmd, int c, bool *json);

/* getopt_long() entries for --json and --help, as opt_common() takes them. */
#define OPT_JSON	{ "json", no_argument, NULL, 'j' }
#define OPT_HELP	{ "help", no_argument, NULL, 'h' }

/*
 * Parse the options of a command that has only --json and --help.
 * Returns -1 to go on (optind at the first operand), or the exit status
 * to return at once: EXIT_OK after printing --help, EXIT_USAGE.
 */
int parse_json_help(const struct dmactl_cmd *cmd, int argc, char **argv,
		    bool *json);

/*
 * The one device operand left at optind, by its name on its bus, in @dev.
 * Returns 0, or EXIT_USAGE after saying "expected one device".
 */
int one_device(const struct dmactl_cmd *cmd, int argc, char **argv,
	       char *dev, size_t len);

/*
 * parse_json_help() and one_device(): a command of one device, --json and
 * --help.  Returns -1 to go on, or the exit status to return at once.
 */
int parse_json_dev(const struct dmactl_cmd *cmd, int argc, char **argv,
		   bool *json, char *dev, size_t len);
int usage_error(const struct dmactl_cmd *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
