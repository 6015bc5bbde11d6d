// SPDX-License-Identifier: GPL-2.0
/* dmactl: drive and inspect the Linux DMA-mapping layer. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <assert.h>

#include <json-c/json.h>

#include <linux/dmactl.h>

#include "bench.h"
#include "commands.h"
#include "device.h"
#include "dmactl_nl.h"
#include "sysfs.h"
#include "util.h"

/* The tool was built against the ABI the module checks itself against. */
#define DMACTL_ABI_SIZE(name, bytes) static_assert(sizeof(struct name) == (bytes), #name)
#include "../uapi/dmactl_abi_sizes.h"
#undef DMACTL_ABI_SIZE

const struct dmactl_cmd *const dmactl_commands[] = {
	&cmd_list,
	&cmd_info,
	&cmd_bind,
	&cmd_unbind,
	&cmd_allow,
	&cmd_disallow,
	&cmd_map,
	&cmd_run,
	&cmd_p2p,
	&cmd_p2pmem,
	&cmd_bench,
	&cmd_stats,
	&cmd_monitor,
	&cmd_expendable,
	&cmd_qualify,
	NULL,
};

/* "dmactl bench scale" and the like: run by their command, documented apart. */
const struct dmactl_cmd *const dmactl_subcommands[] = {
	&cmd_bench_scale,
	&cmd_bench_report,
	&cmd_bench_ab,
	NULL,
};

/* Open the family, or say why not: 4 (skip) when the module is not loaded. */
int nl_open_or_say(const char *what, struct dmactl_nl **nl)
{
	int ret = dmactl_nl_open(nl);

	if (!ret)
		return EXIT_OK;
	fprintf(stderr, "dmactl %s: generic netlink family \"%s\": %s%s\n",
		what, DMACTL_FAMILY_NAME, strerror(-ret),
		ret == -ENOENT ? ": is dmactl.ko loaded?" : "");
	return ret == -ENOENT ? EXIT_UNSUPPORTED : EXIT_FAIL;
}

/* Report a failed request with the kernel's extack message. */
int nl_say_error(const char *what, const char *dev, struct dmactl_nl *nl,
		 int err)
{
	const char *msg = dmactl_nl_errmsg(nl);

	fprintf(stderr, "dmactl %s: %s%s%s (%s)%s%s\n", what, dev ? dev : "",
		dev ? ": " : "", strerror(-err), errno_name(-err),
		*msg ? ": " : "", msg);
	return EXIT_FAIL;
}

void nl_json_error(const char *dev, struct dmactl_nl *nl, int err)
{
	json_object *o = json_object_new_object();

	if (dev)
		json_object_object_add(o, "dev", json_object_new_string(dev));
	json_object_object_add(o, "result", json_object_new_string("fail"));
	json_object_object_add(o, "errno", json_object_new_string(errno_name(-err)));
	json_object_object_add(o, "message",
			       json_object_new_string(dmactl_nl_errmsg(nl)));
	json_print(o, JSON_C_TO_STRING_PRETTY);
}

bool opt_is_help(const char *arg)
{
	return !strcmp(arg, "-h") || !strcmp(arg, "--help");
}

void cmd_help(const struct dmactl_cmd *cmd, FILE *out)
{
	if (cmd->show_help)
		cmd->show_help(out);
	else
		fputs(cmd->help, out);
}

int print_help(const struct dmactl_cmd *cmd)
{
	cmd_help(cmd, stdout);
	return EXIT_OK;
}

int opt_common(const struct dmactl_cmd *cmd, int c, bool *json)
{
	if (c == 'j' && json) {
		*json = true;
		return -1;
	}
	if (c == 'h')
		return print_help(cmd);
	return usage_error(cmd, NULL);
}

int parse_json_help(const struct dmactl_cmd *cmd, int argc, char **argv,
		    bool *json)
{
	static const struct option opts[] = { OPT_JSON, OPT_HELP, {} };
	int c, ret;

	*json = false;
	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		ret = opt_common(cmd, c, json);
		if (ret >= 0)
			return ret;
	}
	return -1;
}

int one_device(const struct dmactl_cmd *cmd, int argc, char **argv,
	       char *dev, size_t len)
{
	if (optind != argc - 1)
		return usage_error(cmd, "expected one device");
	device_name(argv[optind], dev, len);
	return 0;
}

int parse_json_dev(const struct dmactl_cmd *cmd, int argc, char **argv,
		   bool *json, char *dev, size_t len)
{
	int ret = parse_json_help(cmd, argc, argv, json);

	if (ret >= 0)
		return ret;
	return one_device(cmd, argc, argv, dev, len) ?: -1;
}

int usage_error(const struct dmactl_cmd *cmd, const char *fmt, ...)
{
	va_list ap;

	if (fmt) {
		fprintf(stderr, "dmactl %s: ", cmd->name);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
	fprintf(stderr, "see 'dmactl %s --help'\n", cmd->name);
	return EXIT_USAGE;
}

/*
 * dmactl --version [--json]: the tool's version and the ABI it was built
 * for, and the loaded module's: its MODULE_VERSION (sysfs) and the ABI it
 * answers DMACTL_GET_VERSION with.  A module that is not loaded is no
 * error: the tool's own version is still the answer.
 */
static int version(int argc, char **argv)
{
	struct dmactl_get_version gv = { .size = sizeof(gv) };
	bool json = argc == 3 && !strcmp(argv[2], "--json");
	char mod[64] = "";
	json_object *o, *m;
	int fd, abi = -1;

	if (argc > 2 && !json) {
		fprintf(stderr, "usage: dmactl --version [--json]\n");
		return EXIT_USAGE;
	}
	if (sysfs_read("module/dmactl/version", mod, sizeof(mod)))
		mod[0] = '\0';
	fd = open(DMACTL_DEVICE, O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		if (!dmactl_ioctl(fd, DMACTL_GET_VERSION, &gv))
			abi = gv.out_abi_version;
		close(fd);
	}
	if (!json) {
		printf("dmactl %s (ABI %d)\n", DMACTL_VERSION, DMACTL_ABI_VERSION);
		if (mod[0] || abi >= 0)
			printf("dmactl.ko %s (ABI %d)\n", mod[0] ? mod : "unknown", abi);
		else
			printf("dmactl.ko not loaded\n");
		return EXIT_OK;
	}
	o = json_object_new_object();
	json_object_object_add(o, "version", json_object_new_string(DMACTL_VERSION));
	json_object_object_add(o, "abi", json_object_new_int(DMACTL_ABI_VERSION));
	m = NULL;
	if (mod[0] || abi >= 0) {
		m = json_object_new_object();
		json_object_object_add(m, "version", mod[0] ? json_object_new_string(mod) : NULL);
		json_object_object_add(m, "abi", abi >= 0 ? json_object_new_int(abi) : NULL);
	}
	json_object_object_add(o, "module", m);
	json_print(o, JSON_C_TO_STRING_PRETTY);
	return EXIT_OK;
}

static void usage(FILE *out)
{
	size_t i;

	fputs("usage: dmactl COMMAND [OPTIONS]\n"
	      "       dmactl --version [--json]\n"
	      "       dmactl help [--man 8|5]\n\ncommands:\n", out);
	for (i = 0; dmactl_commands[i]; i++)
		fprintf(out, "    %-10s %s\n", dmactl_commands[i]->name,
			dmactl_commands[i]->summary);
	fputs("\n'dmactl COMMAND --help' describes one command.\n"
	      "Exit status: 0 success, 1 failure, 2 usage error, "
	      "4 cannot run here.\n", out);
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "help") && argc == 4 && !strcmp(argv[2], "--man"))
		return man_page(stdout, atoi(argv[3]));
	if (opt_is_help(argv[1]) || (!strcmp(argv[1], "help") && argc == 2)) {
		usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "help")) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V"))
		return version(argc, argv);
	for (i = 0; dmactl_commands[i]; i++)
		if (!strcmp(argv[1], dmactl_commands[i]->name))
			return dmactl_commands[i]->run(argc - 1, argv + 1);
	fprintf(stderr, "dmactl: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
