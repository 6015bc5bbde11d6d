// SPDX-License-Identifier: GPL-2.0
/*
 * dmactl: QEMU's edu device as a DMA engine.
 *
 * edu (PCI 1234:11e8) has one 4 KiB buffer at device address 0x40000 and
 * a DMA engine that moves up to that much between it and a bus address,
 * one transfer per write of its command register, each finishing 100 ms
 * of virtual time later.  A copy is two transfers per 4 KiB: into the
 * buffer from the source, out of it to the destination.  The device ANDs
 * every address with its DMA mask (28 bits unless QEMU's dma_mask
 * property says otherwise) instead of failing, so the module's mask must
 * be the device's: the edu_dma_bits parameter.  A transfer outside the
 * 4 KiB buffer would overrun QEMU's own memory; none is ever asked for.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/io.h>
#include <linux/iopoll.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/sizes.h>

#include "dmactl_private.h"

static unsigned int edu_dma_bits = 28;
module_param(edu_dma_bits, uint, 0444);
MODULE_PARM_DESC(edu_dma_bits,
		 "DMA address bits of QEMU's edu device (its dma_mask property; default 28)");

#define EDU_VENDOR	0x1234
#define EDU_DEVICE	0x11e8
#define EDU_BAR		0
#define EDU_REG_IDENT	0x00	/* 0x010000ed: version 1.0, magic 0xed */
#define EDU_REG_SRC	0x80
#define EDU_REG_DST	0x88
#define EDU_REG_COUNT	0x90
#define EDU_REG_CMD	0x98
#define EDU_CMD_RUN	BIT(0)
#define EDU_CMD_TO_BUS	BIT(1)	/* from the edu buffer to a bus address */
#define EDU_MAGIC	0xed
#define EDU_BUF_ADDR	0x40000
#define EDU_BUF_SIZE	SZ_4K

/**
 * dmactl_edu_match() - is this QEMU's edu device?
 * @pdev: the device
 *
 * Return: true for PCI 1234:11e8.
 */
bool dmactl_edu_match(struct pci_dev *pdev)
{
	return pdev->vendor == EDU_VENDOR && pdev->device == EDU_DEVICE;
}

/* One transfer, polled to its end: the edu clears RUN when done. */
static int dmactl_edu_transfer(void __iomem *regs, u64 src, u64 dst,
			       size_t len, u64 cmd, unsigned long timeout)
{
	u64 val;

	writeq(src, regs + EDU_REG_SRC);
	writeq(dst, regs + EDU_REG_DST);
	writeq(len, regs + EDU_REG_COUNT);
	writeq(cmd | EDU_CMD_RUN, regs + EDU_REG_CMD);
	return readq_poll_timeout(regs + EDU_REG_CMD, val,
				  !(val & EDU_CMD_RUN), 2000,
				  jiffies_to_usecs(timeout));
}

static int dmactl_edu_copy(struct dmactl_engine *e, dma_addr_t dst,
			   dma_addr_t src, size_t len, unsigned long timeout)
{
	void __iomem *regs = e->priv;
	int ret;

	if (!len || len > EDU_BUF_SIZE)
		return -EINVAL;
	ret = dmactl_edu_transfer(regs, src, EDU_BUF_ADDR, len, 0, timeout);
	if (!ret)
		ret = dmactl_edu_transfer(regs, EDU_BUF_ADDR, dst, len,
					  EDU_CMD_TO_BUS, timeout);
	/* A transfer still running may reach memory later. */
	if (ret == -ETIMEDOUT)
		dmactl_engine_wedge(e);
	return ret;
}

/* The edu clears RUN when its transfer has ended. */
static bool dmactl_edu_idle(struct dmactl_engine *e)
{
	void __iomem *regs = e->priv;

	return !(readq(regs + EDU_REG_CMD) & EDU_CMD_RUN);
}

static const struct dmactl_engine_ops dmactl_edu_ops = {
	.kind = DMACTL_ENGINE_EDU,
	.copy = dmactl_edu_copy,
	.idle = dmactl_edu_idle,
};

/**
 * dmactl_edu_setup() - make a bound edu device an engine
 * @pdev: the device, enabled, being probed by dmactl
 * @out: the engine
 *
 * Maps BAR0 (device-managed), checks the magic, sets the DMA mask to
 * edu_dma_bits, and turns bus mastering on once no transfer is running:
 * one a previous binding left behind (it timed out, and remove turned bus
 * mastering off under it) must not reach memory now.
 *
 * Return: 0, -EBUSY if a transfer does not end within a second, or
 * another negative errno.
 */
int dmactl_edu_setup(struct pci_dev *pdev, struct dmactl_engine **out)
{
	void __iomem *regs;
	u64 val;
	int ret;

	if (edu_dma_bits < 12 || edu_dma_bits > 64)
		return -EINVAL;
	regs = pcim_iomap_region(pdev, EDU_BAR, KBUILD_MODNAME);
	if (IS_ERR(regs))
		return PTR_ERR(regs);
	if ((readl(regs + EDU_REG_IDENT) & 0xff) != EDU_MAGIC)
		return -ENODEV;
	ret = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(edu_dma_bits));
	if (ret)
		return ret;
	if (readq_poll_timeout(regs + EDU_REG_CMD, val, !(val & EDU_CMD_RUN),
			       2000, USEC_PER_SEC))
		return -EBUSY;
	*out = dmactl_engine_create(&dmactl_edu_ops, regs, EDU_BUF_SIZE);
	if (!*out)
		return -ENOMEM;
	pci_set_master(pdev);
	return 0;
}
