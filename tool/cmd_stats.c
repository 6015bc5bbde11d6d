// SPDX-License-Identifier: GPL-2.0
/* dmactl stats: the module's counters, in total and per device (netlink). */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "commands.h"
#include "dmactl_nl.h"
#include "util.h"

#define MAX_SETS	64

struct sets {
	int n;
	struct dmactl_nl_stats *s[MAX_SETS];
};

static int add_set(const struct dmactl_nl_stats *s, void *arg)
{
	struct sets *sets = arg;

	if (sets->n == MAX_SETS)
		return 0;
	sets->s[sets->n] = malloc(sizeof(*s));
	if (!sets->s[sets->n])
		return -ENOMEM;
	*sets->s[sets->n++] = *s;
	return 0;
}

static json_object *counts_json(const struct dmactl_nl_count *c, int n)
{
	json_object *o = json_object_new_object();
	char key[64];
	int i;

	for (i = 0; i < n; i++)
		json_object_object_add(o, json_key(c[i].name, key, sizeof(key)),
				       json_object_new_uint64(c[i].value));
	return o;
}

static json_object *set_json(const struct dmactl_nl_stats *s)
{
	json_object *o = json_object_new_object();
	char key[64];
	int a;

	if (s->dev[0])
		json_object_object_add(o, "dev", json_object_new_string(s->dev));
	for (a = 1; a <= DMACTL_A_STATS_MAX; a++)
		if (s->has[a])
			json_object_object_add(o, json_key(dmactl_nl_stats_name(a),
							   key, sizeof(key)),
					       json_object_new_uint64(s->val[a]));
	json_object_object_add(o, "ops", counts_json(s->ops, s->nr_ops));
	json_object_object_add(o, "rejections",
			       counts_json(s->rejections, s->nr_rejections));
	return o;
}

/* One row of a named count across the sets; rows of zeros are left out. */
static void count_row(const struct sets *sets, const char *label,
		      const char *name, bool ops)
{
	uint64_t v[MAX_SETS], any = 0;
	int i;

	for (i = 0; i < sets->n; i++) {
		const struct dmactl_nl_stats *s = sets->s[i];

		v[i] = ops ? dmactl_nl_count_find(s->ops, s->nr_ops, name) :
			     dmactl_nl_count_find(s->rejections,
						  s->nr_rejections, name);
		any |= v[i];
	}
	if (!any)
		return;
	printf("%-9s %-16s", label, name);
	for (i = 0; i < sets->n; i++)
		printf(" %14" PRIu64, v[i]);
	putchar('\n');
}

static void print_table(const struct sets *sets)
{
	const struct dmactl_nl_stats *first = sets->s[0];
	int i, a;

	printf("%-26s", "COUNTER");
	for (i = 0; i < sets->n; i++)
		printf(" %14s", sets->s[i]->dev[0] ? sets->s[i]->dev : "total");
	putchar('\n');
	for (a = 1; a <= DMACTL_A_STATS_MAX; a++) {
		if (a == DMACTL_A_STATS_DEV || a == DMACTL_A_STATS_OP ||
		    a == DMACTL_A_STATS_REJECTION)
			continue;
		printf("%-26s", dmactl_nl_stats_name(a));
		for (i = 0; i < sets->n; i++) {
			if (sets->s[i]->has[a])
				printf(" %14" PRIu64, sets->s[i]->val[a]);
			else
				printf(" %14s", "-");
		}
		putchar('\n');
	}
	for (i = 0; i < first->nr_ops; i++)
		count_row(sets, "op", first->ops[i].name, true);
	for (i = 0; i < first->nr_rejections; i++)
		count_row(sets, "rejected", first->rejections[i].name, false);
}

static int stats_run(int argc, char **argv)
{
	char dev[DMACTL_NAME_MAX];
	struct sets sets = {};
	struct dmactl_nl *nl;
	json_object *o, *arr;
	bool json;
	int ret, i;

	ret = parse_json_help(&cmd_stats, argc, argv, &json);
	if (ret >= 0)
		return ret;
	if (optind < argc - 1)
		return usage_error(&cmd_stats, "expected at most one device");
	if (optind == argc - 1)
		device_name(argv[optind], dev, sizeof(dev));
	ret = nl_open_or_say("stats", &nl);
	if (ret)
		return ret;
	sets.s[0] = malloc(sizeof(*sets.s[0]));
	if (!sets.s[0]) {
		dmactl_nl_close(nl);
		return EXIT_FAIL;
	}
	sets.n = 1;
	ret = dmactl_nl_stats_get(nl, optind == argc - 1 ? dev : NULL,
				  sets.s[0]);
	if (!ret && optind == argc)
		ret = dmactl_nl_stats_dump(nl, add_set, &sets);
	if (ret) {
		if (json)
			nl_json_error(optind == argc - 1 ? dev : NULL, nl, ret);
		ret = nl_say_error("stats", optind == argc - 1 ? dev : NULL,
				   nl, ret);
		goto out;
	}
	if (json) {
		if (optind == argc - 1) {
			o = set_json(sets.s[0]);
		} else {
			o = json_object_new_object();
			json_object_object_add(o, "total", set_json(sets.s[0]));
			arr = json_object_new_array();
			for (i = 1; i < sets.n; i++)
				json_object_array_add(arr, set_json(sets.s[i]));
			json_object_object_add(o, "devices", arr);
		}
		json_print(o, JSON_C_TO_STRING_PRETTY);
	} else {
		print_table(&sets);
	}
	ret = EXIT_OK;
out:
	for (i = 0; i < sets.n; i++)
		free(sets.s[i]);
	dmactl_nl_close(nl);
	return ret;
}

const struct dmactl_cmd cmd_stats = {
	.name = "stats",
	.summary = "counters: live objects, operations, rejections per rule",
	.help =
"NAME\n"
"    dmactl stats - the module's counters, in total and per device\n"
"\n"
"SYNOPSIS\n"
"    dmactl stats [DEV] [--json]\n"
"\n"
"DESCRIPTION\n"
"    Reads DMACTL_NL_CMD_STATS_GET of the dmactl generic netlink family:\n"
"    live buffers, pinned and kernel pages, live IOVA objects and links,\n"
"    P2P bytes, copies in flight and done, benchmark runs and threads,\n"
"    then every operation that succeeded and every request refused, by\n"
"    misuse rule (rows that are zero everywhere are left out).  Without\n"
"    DEV: the total and one column per device with a target (bound to\n"
"    dmactl, or with a file attached).  Live counts are back to 0 when\n"
"    nothing is held; the others only grow until the module is reloaded.\n"
"\n"
"    --json   {\"total\": {...}, \"devices\": [{\"dev\": ..., ...}]}; with\n"
"             DEV, that device's object alone.\n"
"\n"
"EXIT STATUS\n"
"    0 success, 1 failure (ENODEV: DEV has no target), 2 usage error,\n"
"    4 module not loaded.\n",
	.run = stats_run,
};
