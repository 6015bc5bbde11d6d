// SPDX-License-Identifier: GPL-2.0
/*
 * dmactl help --man 8|5: the manual pages, made from what --help prints,
 * so the two cannot drift: dmactl(8) has every command's and
 * subcommand's help from the command tables, dmactl-scenario(5) the
 * scenario language from the verb table.  doc/ keeps the pages as made
 * (make man); scripts/tests/docs.sh fails when they are stale or miss a
 * command, option or verb.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "commands.h"
#include "scenario.h"

/*
 * @text as roff: every backslash and minus escaped (so options render as
 * ASCII hyphens), a line opening with a control character guarded.
 */
static void roff_text(FILE *out, const char *text)
{
	bool bol = true;
	const char *p;

	for (p = text; *p; p++) {
		if (bol && (*p == '.' || *p == '\''))
			fputs("\\&", out);
		bol = *p == '\n';
		if (*p == '\\')
			fputs("\\e", out);
		else if (*p == '-')
			fputs("\\-", out);
		else
			fputc(*p, out);
	}
}

/* @text as a preformatted block, as the terminal shows it. */
static void roff_block(FILE *out, const char *text)
{
	fputs(".PP\n.nf\n", out);
	roff_text(out, text);
	fputs(".fi\n", out);
}

/* A command's help, captured from the stream it writes to. */
static void roff_help(FILE *out, const struct dmactl_cmd *cmd)
{
	size_t len = 0;
	char *text = NULL;
	FILE *mem;

	fputs(".SS \"", out);
	roff_text(out, "dmactl ");
	roff_text(out, cmd->name);
	fputs("\"\n", out);
	mem = open_memstream(&text, &len);
	if (!mem)
		return;
	cmd_help(cmd, mem);
	fclose(mem);
	roff_block(out, text);
	free(text);
}

static void roff_th(FILE *out, const char *title, int section, const char *manual)
{
	fprintf(out, ".\\\" Made by 'dmactl help --man %d' (make man): do not edit.\n",
		section);
	fprintf(out, ".TH %s %d \"\" \"dmactl %s\" \"%s\"\n", title, section,
		DMACTL_VERSION, manual);
}

static void man_dmactl(FILE *out)
{
	size_t i;

	roff_th(out, "DMACTL", 8, "System Administration");
	fputs(".SH NAME\n"
	      "dmactl \\- drive and inspect the Linux DMA\\-mapping layer\n"
	      ".SH SYNOPSIS\n"
	      ".B dmactl\n.I COMMAND\n.RI [ OPTIONS ]\n.br\n"
	      ".B dmactl \\-\\-version\n.RB [ \\-\\-json ]\n.br\n"
	      ".B dmactl help\n.RB [ \"\\-\\-man 8\" | \"\\-\\-man 5\" ]\n"
	      ".SH DESCRIPTION\n"
	      "dmactl drives the kernel's DMA API \\(em the two\\-step IOVA API\n"
	      "(dma_iova_try_alloc, dma_iova_link, dma_iova_sync, dma_iova_unlink,\n"
	      "dma_iova_destroy), classic streaming mappings and P2PDMA \\(em against\n"
	      "real DMA\\-capable devices chosen through sysfs, through the misc\n"
	      "device of the dmactl.ko module, and checks what the IOMMU really\n"
	      "translates.  The module serves a device only when it is bound to\n"
	      "dmactl (exclusive mode) or on its allow list (shared mode).\n"
	      ".PP\n"
	      "Every command takes \\fB\\-\\-help\\fR; most take \\fB\\-\\-json\\fR, which\n"
	      "prints one JSON value saying what happened, failures included.\n"
	      ".SH COMMANDS\n", out);
	for (i = 0; dmactl_commands[i]; i++) {
		fputs(".TP\n.B ", out);
		roff_text(out, dmactl_commands[i]->name);
		fputs("\n", out);
		roff_text(out, dmactl_commands[i]->summary);
		fputs("\n", out);
	}
	fputs(".SH COMMAND REFERENCE\n"
	      "What \\fBdmactl\\fR \\fICOMMAND\\fR \\fB\\-\\-help\\fR prints.\n", out);
	for (i = 0; dmactl_commands[i]; i++)
		roff_help(out, dmactl_commands[i]);
	for (i = 0; dmactl_subcommands[i]; i++)
		roff_help(out, dmactl_subcommands[i]);
	fputs(".SH EXIT STATUS\n"
	      "0 success, 1 failure, 2 usage error, 4 cannot run here (the module\n"
	      "is not loaded or the device does not exist: kselftest's skip code).\n"
	      ".SH ENVIRONMENT\n"
	      ".TP\n.B DMACTL_EXPENDABLE\n"
	      "PCI addresses (separated by spaces or commas) of the devices whose\n"
	      "data may be destroyed: raw writes, hot removal and driver unbinding\n"
	      "happen only on them (\\fBdmactl expendable\\fR).\n"
	      ".TP\n.B DMACTL_SYSFS\n"
	      "Where sysfs is mounted, for tests (default /sys).\n"
	      ".SH FILES\n"
	      ".TP\n.I /dev/dmactl\n"
	      "the module's misc device (root only)\n"
	      ".TP\n.I /sys/module/dmactl/version\n"
	      "the loaded module's version\n"
	      ".TP\n.I /usr/lib/dmactl/kselftest\n"
	      "the kselftest collection, with the kernel's run_kselftest.sh\n"
	      ".SH SEE ALSO\n"
	      ".BR dmactl\\-scenario (5),\n"
	      ".BR dkms (8),\n"
	      ".BR modprobe (8)\n", out);
}

static void man_scenario(FILE *out)
{
	size_t len = 0;
	char *text = NULL;
	FILE *mem;

	roff_th(out, "DMACTL-SCENARIO", 5, "File Formats");
	fputs(".SH NAME\n"
	      "dmactl\\-scenario \\- the step language of dmactl run and dmactl map\n"
	      ".SH SYNOPSIS\n"
	      ".B dmactl run\n.IR FILE | \\-\n"
	      ".SH DESCRIPTION\n"
	      "A scenario is a text of steps, one per line, on one device:\n"
	      "\\fBdmactl run\\fR executes it in one process, so named buffers and\n"
	      "IOVA objects live across lines, and stops at the first failing line,\n"
	      "which it names with its number.  \\fBdmactl map\\fR is one such\n"
	      "scenario.\n", out);
	roff_block(out, scenario_help_rules);
	fputs(".SH STEPS\n", out);
	mem = open_memstream(&text, &len);
	if (mem) {
		scenario_help(mem);
		fclose(mem);
		roff_block(out, text);
		free(text);
	}
	fputs(".SH NOTES\n", out);
	roff_block(out, scenario_help_notes);
	fputs(".SH EXAMPLE\n", out);
	roff_block(out,
		   "attach $DMACTL_SELFTESTS_DEV\n"
		   "buf b kernel 16p\n"
		   "alloc io 16p fallback\n"
		   "link io b len=4p dir=to\n"
		   "expect EEXIST link io b ioff=2p len=1p dir=to\n"
		   "expect EBUSY free io\n"
		   "sync io\n"
		   "verify io\n"
		   "unlink io len=4p dir=to\n"
		   "verify io unmapped\n"
		   "free io\n");
	fputs(".SH SEE ALSO\n.BR dmactl (8)\n", out);
}

int man_page(FILE *out, int section)
{
	switch (section) {
	case 8:
		man_dmactl(out);
		return EXIT_OK;
	case 5:
		man_scenario(out);
		return EXIT_OK;
	default:
		fprintf(stderr, "dmactl help --man: 8 (dmactl) or 5 (dmactl-scenario)\n");
		return EXIT_USAGE;
	}
}
