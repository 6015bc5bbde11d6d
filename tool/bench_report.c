// SPDX-License-Identifier: GPL-2.0
/*
 * dmactl bench report and dmactl bench ab: saved "dmactl bench --json"
 * results as Markdown tables.
 *
 * A machine's results may come from several runs (boots) of the same
 * sweep, named NAME.json or NAME.RUN.json: the report gives each cell's
 * mean over the runs and their spread, (max - min) / mean of the cost
 * per I/O -- under QEMU icount, the A/A figure that says which
 * differences mean something.  "bench ab" sets two such sets of runs
 * side by side, A and B, and flags each change larger than both sets'
 * own spread.
 */
#include <float.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "bench.h"
#include "commands.h"

#define REPORT_MAX_RUNS		16
#define REPORT_MAX_CELLS	(BENCH_NR_MODES * 16)
#define REPORT_MAX_MACHINES	16

/**
 * struct report_cell - one mode at one pages value, over the runs
 * @mode: enum dmactl_bench_mode
 * @pages: pages per I/O
 * @runs: runs that measured it
 * @map: map cost per I/O of each run, in the runs' unit
 * @unmap: unmap cost per I/O of each run
 * @fallback: some run mapped some I/Os by the mode's fallback
 */
struct report_cell {
	int mode;
	int pages;
	int runs;
	double map[REPORT_MAX_RUNS];
	double unmap[REPORT_MAX_RUNS];
	bool fallback;
};

/**
 * struct report_set - the runs of one machine (or one side of an A/B)
 * @label: the machine: the file name less ".json" and a ".RUN" suffix
 * @domain: its DMA domain, as the first run says
 * @unit: the unit of the costs, as the first run's clock says
 * @runs: files read
 * @nr_cells: entries in @cells
 * @cells: the cells, in the order the first run gave them
 */
struct report_set {
	char label[64];
	char domain[32];
	char unit[96];
	int runs;
	int nr_cells;
	struct report_cell cells[REPORT_MAX_CELLS];
};

static json_object *get(json_object *o, const char *key)
{
	json_object *v = NULL;

	json_object_object_get_ex(o, key, &v);
	return v;
}

/* The machine a file is of: its base name less ".json" and ".RUN". */
static void file_label(const char *path, char *out, size_t len)
{
	const char *base = strrchr(path, '/');
	char *dot, *end;

	snprintf(out, len, "%s", base ? base + 1 : path);
	dot = strstr(out, ".json");
	if (dot)
		*dot = '\0';
	dot = strrchr(out, '.');
	if (dot && dot[1]) {
		strtol(dot + 1, &end, 10);
		if (!*end)
			*dot = '\0';
	}
}

static struct report_cell *cell_of(struct report_set *set, int mode, int pages)
{
	struct report_cell *c;
	int i;

	for (i = 0; i < set->nr_cells; i++)
		if (set->cells[i].mode == mode && set->cells[i].pages == pages)
			return &set->cells[i];
	if (set->nr_cells == REPORT_MAX_CELLS)
		return NULL;
	c = &set->cells[set->nr_cells++];
	memset(c, 0, sizeof(*c));
	c->mode = mode;
	c->pages = pages;
	return c;
}

/* The unit label of a result file: its clock's, or ns before clocks. */
static const char *file_unit(json_object *root)
{
	json_object *clk = get(root, "clock");

	return clk ? json_object_get_string(get(clk, "label")) : "ns";
}

/* Add the runs of @path to @set; 0, or -1 with the reason printed. */
static int set_add_file(struct report_set *set, const char *path,
			const char *cmd)
{
	json_object *root = json_object_from_file(path), *results, *r, *cost;
	struct report_cell *c;
	size_t i, n;
	int mode;

	results = root ? get(root, "results") : NULL;
	if (!results || !json_object_is_type(results, json_type_array)) {
		fprintf(stderr, "%s: %s: not a dmactl bench result\n", cmd, path);
		json_object_put(root);
		return -1;
	}
	if (!set->runs) {
		snprintf(set->domain, sizeof(set->domain), "%s",
			 json_object_get_string(get(root, "domain")) ?: "?");
		snprintf(set->unit, sizeof(set->unit), "%s", file_unit(root));
	} else if (strcmp(set->unit, file_unit(root))) {
		fprintf(stderr, "%s: %s: measured in %s, the others in %s\n",
			cmd, path, file_unit(root), set->unit);
		json_object_put(root);
		return -1;
	}
	if (set->runs == REPORT_MAX_RUNS) {
		fprintf(stderr, "%s: more than %d runs of %s\n", cmd,
			REPORT_MAX_RUNS, set->label);
		json_object_put(root);
		return -1;
	}
	n = json_object_array_length(results);
	for (i = 0; i < n; i++) {
		r = json_object_array_get_idx(results, i);
		mode = bench_mode_from_name(json_object_get_string(get(r, "mode")) ?: "");
		c = mode > 0 ? cell_of(set, mode, json_object_get_int(get(r, "pages"))) : NULL;
		if (!c || c->runs != set->runs ||
		    strcmp(json_object_get_string(get(r, "state")) ?: "", "done"))
			continue;
		cost = get(r, "cost");
		if (cost) {
			c->map[c->runs] = json_object_get_double(get(cost, "map"));
			c->unmap[c->runs] = json_object_get_double(get(cost, "unmap"));
		} else {
			c->map[c->runs] = json_object_get_double(get(get(r, "map"), "mean_ns"));
			c->unmap[c->runs] = json_object_get_double(get(get(r, "unmap"), "mean_ns"));
		}
		c->fallback |= json_object_get_int64(get(r, "fallback_ios")) > 0;
		c->runs++;
	}
	set->runs++;
	json_object_put(root);
	return 0;
}

static double mean_of(const double *v, int n)
{
	double sum = 0;
	int i;

	for (i = 0; i < n; i++)
		sum += v[i];
	return n ? sum / n : 0;
}

static double cell_map(const struct report_cell *c)
{
	return mean_of(c->map, c->runs);
}

static double cell_unmap(const struct report_cell *c)
{
	return mean_of(c->unmap, c->runs);
}

static double cell_io(const struct report_cell *c)
{
	return cell_map(c) + cell_unmap(c);
}

/* (max - min) / mean of the cost per I/O over the runs, %; -1 if one. */
static double cell_spread(const struct report_cell *c)
{
	double lo = DBL_MAX, hi = 0, io;
	int i;

	if (c->runs < 2)
		return -1;
	for (i = 0; i < c->runs; i++) {
		io = c->map[i] + c->unmap[i];
		lo = io < lo ? io : lo;
		hi = io > hi ? io : hi;
	}
	return cell_io(c) > 0 ? 100 * (hi - lo) / cell_io(c) : -1;
}

/* The cell of @mode at @pages that some run measured, or NULL. */
static const struct report_cell *find_cell(const struct report_set *set,
					   int mode, int pages)
{
	int i;

	for (i = 0; i < set->nr_cells; i++)
		if (set->cells[i].mode == mode && set->cells[i].pages == pages &&
		    set->cells[i].runs)
			return &set->cells[i];
	return NULL;
}

/* Costs in ns (wall clock) are shown in us; instructions as they are. */
static bool unit_is_ns(const struct report_set *set)
{
	return !strncmp(set->unit, "ns", 2);
}

/* A cost, with decimals only where the unit is coarse (us). */
static void print_cost(double v, bool us)
{
	if (us)
		printf(" %.2f |", v / 1e3);
	else
		printf(" %.0f |", v);
}

static void print_spread(double spread)
{
	if (spread < 0)
		printf(" - |");
	else
		printf(" %.2f |", spread);
}

/* One machine's table: a row per pages value and mode. */
static void report_set(const struct report_set *set)
{
	bool us = unit_is_ns(set);
	const struct report_cell *c, *phys;
	int i;

	printf("%s (%s domain), %d run%s; costs in %s%s\n\n", set->label,
	       set->domain, set->runs, set->runs == 1 ? "" : "s", set->unit,
	       us ? ", shown in us" : "");
	printf("| pages | mode | map | unmap | I/O | per page | vs phys | spread %% |\n");
	printf("|--:|---|--:|--:|--:|--:|--:|--:|\n");
	for (i = 0; i < set->nr_cells; i++) {
		c = &set->cells[i];
		if (!c->runs)
			continue;
		phys = find_cell(set, DMACTL_BENCH_PHYS, c->pages);
		printf("| %d | %s%s |", c->pages, bench_mode_names[c->mode],
		       c->fallback ? " (fallback)" : "");
		print_cost(cell_map(c), us);
		print_cost(cell_unmap(c), us);
		print_cost(cell_io(c), us);
		print_cost(cell_io(c) / c->pages, us);
		if (phys && cell_io(phys) > 0)
			printf(" %.2f |", cell_io(c) / cell_io(phys));
		else
			printf(" - |");
		print_spread(cell_spread(c));
		printf("\n");
	}
	printf("\n");
}

/* Read @n files into sets, one per machine label; returns the count or -1. */
static int read_sets(char **files, int n, struct report_set *sets, int max,
		     const char *cmd)
{
	char label[64];
	int i, s, nr = 0, bad = 0;

	for (i = 0; i < n; i++) {
		file_label(files[i], label, sizeof(label));
		for (s = 0; s < nr && strcmp(sets[s].label, label); s++)
			;
		if (s == nr) {
			if (nr == max) {
				fprintf(stderr, "%s: more than %d machines\n", cmd, max);
				return -1;
			}
			memset(&sets[nr], 0, sizeof(sets[nr]));
			snprintf(sets[nr].label, sizeof(sets[nr].label), "%s", label);
			nr++;
		}
		bad |= set_add_file(&sets[s], files[i], cmd);
	}
	return bad ? -1 : nr;
}

/*
 * Print a table per machine of the "dmactl bench --json" results in the
 * files named by the operands.
 */
static int report_run(int argc, char **argv)
{
	struct report_set *sets;
	int i, nr, ret;
	bool json;

	ret = parse_json_help(&cmd_bench_report, argc, argv, &json);
	if (ret >= 0)
		return ret;
	if (json)
		return usage_error(&cmd_bench_report, "the report is Markdown: no --json");
	if (optind == argc)
		return usage_error(&cmd_bench_report, "expected result files");
	sets = calloc(REPORT_MAX_MACHINES, sizeof(*sets));
	if (!sets)
		return EXIT_FAIL;
	nr = read_sets(argv + optind, argc - optind, sets, REPORT_MAX_MACHINES,
		       "dmactl bench report");
	for (i = 0; i < nr; i++)
		report_set(&sets[i]);
	free(sets);
	return nr < 0 ? EXIT_FAIL : EXIT_OK;
}

const struct dmactl_cmd cmd_bench_report = {
	.name = "bench report",
	.summary = "saved bench --json results as Markdown tables",
	.help =
"NAME\n"
"    dmactl bench report - saved benchmark results as Markdown tables\n"
"\n"
"SYNOPSIS\n"
"    dmactl bench report FILE.json...\n"
"\n"
"DESCRIPTION\n"
"    Prints a Markdown table per machine of the results 'dmactl bench DEV\n"
"    --json' saved in the FILEs.  A machine is a file's name without\n"
"    .json and without a trailing .RUN (a number): intel-strict.1.json\n"
"    and intel-strict.2.json are two runs (boots) of intel-strict.  Per\n"
"    pages value and mode: the mean map, unmap and whole-I/O cost per\n"
"    I/O over the runs, per page, the ratio to phys, and the spread of\n"
"    the runs, (max - min) / mean of the cost per I/O, in percent.  The\n"
"    unit is the results' clock (guest instructions under QEMU icount;\n"
"    us otherwise); results of different units are refused.  A mode\n"
"    marked (fallback) mapped some I/Os by its caller's fallback.\n"
"\n"
"EXIT STATUS\n"
"    0 success, 1 a file is not a dmactl bench result or its unit\n"
"    differs, 2 usage error.\n",
	.run = report_run,
};

/* Split "a.json,b.json" into @files; returns the count. */
static int split_files(char *arg, char **files, int max)
{
	char *tok, *save = NULL;
	int n = 0;

	for (tok = strtok_r(arg, ",", &save); tok && n < max;
	     tok = strtok_r(NULL, ",", &save))
		files[n++] = tok;
	return n;
}

/* Read one side of an A/B: its files, all one set whatever their names. */
static int read_side(char *arg, struct report_set *set, const char *side)
{
	char *files[REPORT_MAX_RUNS];
	int i, n = split_files(arg, files, REPORT_MAX_RUNS);

	memset(set, 0, sizeof(*set));
	snprintf(set->label, sizeof(set->label), "%s", side);
	for (i = 0; i < n; i++)
		if (set_add_file(set, files[i], "dmactl bench ab"))
			return -1;
	return n ? 0 : -1;
}

/* Changes below this percentage are not flagged, whatever the spread. */
#define AB_DEFAULT_FLOOR	0.5

static int ab_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "floor", required_argument, NULL, 'f' },
		OPT_HELP,
		{}
	};
	const struct report_cell *a, *b;
	double change, noise, floor_pct = AB_DEFAULT_FLOOR;
	struct report_set *sets;
	int i, c, flagged = 0;
	char *end;
	bool us;

	while ((c = getopt_long(argc, argv, "f:h", opts, NULL)) != -1) {
		if (c == 'f') {
			floor_pct = strtod(optarg, &end);
			/* !(x >= 0) also refuses NaN. */
			if (*end || end == optarg || !(floor_pct >= 0) || floor_pct > 100)
				return usage_error(&cmd_bench_ab, "--floor is a percentage, 0..100");
			continue;
		}
		c = opt_common(&cmd_bench_ab, c, NULL);
		if (c >= 0)
			return c;
	}
	if (argc - optind != 2)
		return usage_error(&cmd_bench_ab, "expected A.json[,A.json...] B.json[,B.json...]");
	sets = calloc(2, sizeof(*sets));
	if (!sets)
		return EXIT_FAIL;
	if (read_side(argv[optind], &sets[0], "A") ||
	    read_side(argv[optind + 1], &sets[1], "B")) {
		free(sets);
		return EXIT_FAIL;
	}
	if (strcmp(sets[0].unit, sets[1].unit)) {
		fprintf(stderr, "dmactl bench ab: A is in %s, B in %s\n",
			sets[0].unit, sets[1].unit);
		free(sets);
		return EXIT_FAIL;
	}
	us = unit_is_ns(&sets[0]);
	printf("cost per I/O (map + unmap) in %s%s; A: %d run(s), B: %d run(s); "
	       "spread: the larger of A's and B's (max - min) / mean; flagged: "
	       "a change beyond the spread and beyond %.2f %%\n\n",
	       sets[0].unit, us ? ", shown in us" : "", sets[0].runs, sets[1].runs,
	       floor_pct);
	printf("| pages | mode | A | B | change %% | spread %% | |\n");
	printf("|--:|---|--:|--:|--:|--:|---|\n");
	for (i = 0; i < sets[0].nr_cells; i++) {
		a = &sets[0].cells[i];
		b = find_cell(&sets[1], a->mode, a->pages);
		if (!a->runs || !b || cell_io(a) <= 0)
			continue;
		change = 100 * (cell_io(b) - cell_io(a)) / cell_io(a);
		noise = cell_spread(a);
		if (cell_spread(b) > noise)
			noise = cell_spread(b);
		printf("| %d | %s |", a->pages, bench_mode_names[a->mode]);
		print_cost(cell_io(a), us);
		print_cost(cell_io(b), us);
		printf(" %+.2f |", change);
		print_spread(noise);
		/*
		 * Without a spread (one run a side) nothing can be told apart;
		 * two boots estimate it poorly, hence the floor.
		 */
		if (noise >= 0 && (change > noise || -change > noise) &&
		    (change > floor_pct || -change > floor_pct)) {
			printf(" **changed** |\n");
			flagged++;
		} else {
			printf(" |\n");
		}
	}
	printf("\n%d cell(s) changed beyond the spread\n", flagged);
	free(sets);
	return EXIT_OK;
}

const struct dmactl_cmd cmd_bench_ab = {
	.name = "bench ab",
	.summary = "two sets of saved bench --json runs side by side",
	.help =
"NAME\n"
"    dmactl bench ab - the cost of every mode under kernel A and kernel B\n"
"\n"
"SYNOPSIS\n"
"    dmactl bench ab [--floor PCT] A.json[,A.json...] B.json[,B.json...]\n"
"\n"
"DESCRIPTION\n"
"    Reads the runs of side A and of side B (results of 'dmactl bench\n"
"    --json', each side's runs comma-separated: several boots of one\n"
"    kernel) and prints, per pages value and mode, the mean cost per I/O\n"
"    (map + unmap) of A and of B, the change from A to B in percent, and\n"
"    the larger of the two sides' own spreads (max - min) / mean: the\n"
"    A/A figure.  A change larger than that spread and than --floor\n"
"    percent (default 0.5: two boots a side estimate the spread poorly)\n"
"    is flagged **changed**; with one run a side nothing is flagged.\n"
"    Both sides must share a unit (make bench-ab measures in guest\n"
"    instructions).\n"
"\n"
"EXIT STATUS\n"
"    0 success (flagged changes included), 1 a file is not a result or\n"
"    the units differ, 2 usage error.\n",
	.run = ab_run,
};
