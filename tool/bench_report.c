// SPDX-License-Identifier: GPL-2.0
/*
 * dmactl bench report: turn the JSON of several "dmactl bench --json"
 * runs (one file per machine, named after it) into one Markdown table of
 * mean map+unmap time per I/O and each mode's ratio to phys.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "bench.h"
#include "commands.h"

/* The label of a result file: its base name without ".json". */
static void file_label(const char *path, char *out, size_t len)
{
	const char *base = strrchr(path, '/');
	char *dot;

	snprintf(out, len, "%s", base ? base + 1 : path);
	dot = strstr(out, ".json");
	if (dot)
		*dot = '\0';
}

static json_object *get(json_object *o, const char *key)
{
	json_object *v = NULL;

	json_object_object_get_ex(o, key, &v);
	return v;
}

/* Print the rows of one file; returns 0, or -1 if it is not a result. */
static int report_file(const char *path)
{
	json_object *root = json_object_from_file(path), *results;
	double mean[BENCH_NR_MODES + 1], phys;
	char label[64];
	int pages, last = -1, m;
	size_t i, n;

	results = root ? get(root, "results") : NULL;
	if (!results || !json_object_is_type(results, json_type_array)) {
		fprintf(stderr, "dmactl bench report: %s: not a dmactl bench result\n", path);
		json_object_put(root);
		return -1;
	}
	file_label(path, label, sizeof(label));
	n = json_object_array_length(results);
	for (i = 0; i <= n; i++) {
		json_object *r = i < n ? json_object_array_get_idx(results, i) : NULL;

		pages = r ? json_object_get_int(get(r, "pages")) : -2;
		if (pages != last && last != -1) {
			printf("| %s | %s | %d |", label,
			       json_object_get_string(get(root, "domain")), last);
			phys = mean[DMACTL_BENCH_PHYS];
			for (m = 1; m <= BENCH_NR_MODES; m++)
				if (mean[m] > 0)
					printf(" %.2f |", mean[m] / 1e3);
				else
					printf(" - |");
			for (m = DMACTL_BENCH_PHYS + 1; m <= BENCH_NR_MODES; m++)
				if (mean[m] > 0 && phys > 0)
					printf(" %.2f |", mean[m] / phys);
				else
					printf(" - |");
			printf("\n");
		}
		if (pages != last)
			memset(mean, 0, sizeof(mean));
		last = pages;
		if (!r)
			break;
		m = bench_mode_from_name(json_object_get_string(get(r, "mode")) ?: "");
		if (m > 0)
			mean[m] = json_object_get_double(get(r, "io_mean_ns"));
	}
	json_object_put(root);
	return 0;
}

/* The table's head: a column of mean time per mode, then of ratios. */
static void report_head(void)
{
	int i;

	printf("| machine | domain | pages |");
	for (i = 1; i <= BENCH_NR_MODES; i++)
		printf(" %s us |", bench_mode_names[i]);
	for (i = DMACTL_BENCH_PHYS + 1; i <= BENCH_NR_MODES; i++)
		printf(" %s/phys |", bench_mode_names[i]);
	printf("\n|---|---|--:|");
	for (i = 0; i < 2 * BENCH_NR_MODES - 1; i++)
		printf("--:|");
	printf("\n");
}

/*
 * Print one Markdown table of the "dmactl bench --json" results in the
 * files named by the operands, one row group per file, labelled with the
 * file's base name.
 */
static int report_run(int argc, char **argv)
{
	int i, ret, status = EXIT_OK;
	bool json;

	ret = parse_json_help(&cmd_bench_report, argc, argv, &json);
	if (ret >= 0)
		return ret;
	if (json)
		return usage_error(&cmd_bench_report, "the report is Markdown: no --json");
	if (optind == argc)
		return usage_error(&cmd_bench_report, "expected result files");
	report_head();
	for (i = optind; i < argc; i++)
		if (report_file(argv[i]))
			status = EXIT_FAIL;
	return status;
}

const struct dmactl_cmd cmd_bench_report = {
	.name = "bench report",
	.summary = "saved bench --json results as one Markdown table",
	.help =
"NAME\n"
"    dmactl bench report - saved benchmark results as one Markdown table\n"
"\n"
"SYNOPSIS\n"
"    dmactl bench report FILE.json...\n"
"\n"
"DESCRIPTION\n"
"    Prints one Markdown table of the results 'dmactl bench DEV --json'\n"
"    saved in each FILE, a row group per file (named after the file,\n"
"    without .json): the domain, and per pages value the mean map+unmap\n"
"    time per I/O of each mode and each mode's ratio to phys.\n"
"\n"
"EXIT STATUS\n"
"    0 success, 1 a file is not a dmactl bench result (the others are\n"
"    still printed), 2 usage error.\n",
	.run = report_run,
};
