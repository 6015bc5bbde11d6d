// SPDX-License-Identifier: GPL-2.0
/*
 * dmactl bench --report: turn the JSON of several "dmactl bench --json"
 * runs (one file per machine, named after it) into one Markdown table of
 * mean map+unmap time per I/O and each mode's ratio to phys.
 */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "bench.h"
#include "dmactl.h"

static const char *const report_modes[] = {
	"phys", "sg", "iova", "iova-reuse", "iova-sparse",
};

#define NR_REPORT_MODES (sizeof(report_modes) / sizeof(report_modes[0]))

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
	double mean[NR_REPORT_MODES];
	char label[64];
	int pages, last = -1;
	size_t i, n, m;

	results = root ? get(root, "results") : NULL;
	if (!results || !json_object_is_type(results, json_type_array)) {
		fprintf(stderr, "dmactl bench --report: %s: not a dmactl bench result\n", path);
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
			for (m = 0; m < NR_REPORT_MODES; m++)
				if (mean[m] > 0)
					printf(" %.2f |", mean[m] / 1e3);
				else
					printf(" - |");
			for (m = 1; m < NR_REPORT_MODES; m++)
				if (mean[m] > 0 && mean[0] > 0)
					printf(" %.2f |", mean[m] / mean[0]);
				else
					printf(" - |");
			printf("\n");
		}
		if (pages != last)
			for (m = 0; m < NR_REPORT_MODES; m++)
				mean[m] = 0;
		last = pages;
		if (!r)
			break;
		for (m = 0; m < NR_REPORT_MODES; m++)
			if (!strcmp(json_object_get_string(get(r, "mode")),
				    report_modes[m]))
				mean[m] = json_object_get_double(get(r, "io_mean_ns"));
	}
	json_object_put(root);
	return 0;
}

int bench_report(int nfiles, char **files)
{
	int i, status = EXIT_OK;

	printf("| machine | domain | pages |");
	for (i = 0; i < (int)NR_REPORT_MODES; i++)
		printf(" %s us |", report_modes[i]);
	for (i = 1; i < (int)NR_REPORT_MODES; i++)
		printf(" %s/phys |", report_modes[i]);
	printf("\n|---|---|--:|");
	for (i = 0; i < 2 * (int)NR_REPORT_MODES - 1; i++)
		printf("--:|");
	printf("\n");
	for (i = 0; i < nfiles; i++)
		if (report_file(files[i]))
			status = EXIT_FAIL;
	return status;
}
