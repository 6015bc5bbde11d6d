// SPDX-License-Identifier: GPL-2.0
/*
 * dmactl: exclusive mode -- dmactl's own PCI and platform drivers.
 *
 * Root binds a device to dmactl through driver_override: the drivers have
 * no ID table, so they bind nothing else (the convention of
 * dma_map_benchmark and vfio-pci).  Used for the devices dmactl drives
 * itself -- a DMA engine (QEMU's edu), a BAR it publishes as P2P memory,
 * a device with no driver.  Probe makes the device's exclusive target
 * (target.c) after setting its DMA mask and, for edu, its engine; remove
 * revokes the target and hands the device back as probe found it: DMA
 * masks and bus mastering.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-mapping.h>
#include <linux/pci.h>
#include <linux/platform_device.h>

#include "dmactl_private.h"

static void dmactl_found_take(struct device *dev, struct dmactl_found *f)
{
	f->dma_mask = dev->dma_mask;
	f->mask = dma_get_mask(dev);
	f->coherent_mask = dev->coherent_dma_mask;
	f->master = dev_is_pci(dev) && to_pci_dev(dev)->is_busmaster;
}

/* Hand the device back as probe found it: DMA masks, bus mastering. */
static void dmactl_found_restore(struct device *dev,
				 const struct dmactl_found *f)
{
	if (dev_is_pci(dev)) {
		if (f->master)
			pci_set_master(to_pci_dev(dev));
		else
			pci_clear_master(to_pci_dev(dev));
	}
	dev->coherent_dma_mask = f->coherent_mask;
	if (f->dma_mask && f->dma_mask == dev->dma_mask)
		*dev->dma_mask = f->mask;
	dev->dma_mask = f->dma_mask;
}

static void dmactl_remove_exclusive(struct device *dev)
{
	struct dmactl_target *t = dev_get_drvdata(dev);
	struct dmactl_found found = t->found;

	dmactl_target_revoke(t);
	dmactl_target_put(t);
	dmactl_found_restore(dev, &found);
	dev_set_drvdata(dev, NULL);
}

/*
 * Bind a PCI device.  Only a device dmactl drives itself (edu) gets bus
 * mastering; every other one gets the widest DMA mask it takes, for the
 * mappings made for it.  Remove restores both.
 */
static int dmactl_pci_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct dmactl_engine *engine = NULL;
	bool edu = dmactl_edu_match(pdev);
	struct dmactl_found found;
	int ret;

	dmactl_found_take(&pdev->dev, &found);
	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	if (edu) {
		/* A DMA engine with its own mask. */
		ret = dmactl_edu_setup(pdev, &engine);
	} else {
		ret = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(64));
		if (ret)
			ret = dma_set_mask_and_coherent(&pdev->dev,
							DMA_BIT_MASK(32));
	}
	if (!ret)
		ret = dmactl_target_add_exclusive(&pdev->dev, engine, &found);
	if (ret) {
		dmactl_engine_destroy(engine);
		dmactl_found_restore(&pdev->dev, &found);
	}
	return ret;
}

static void dmactl_pci_remove(struct pci_dev *pdev)
{
	dmactl_remove_exclusive(&pdev->dev);
}

static int dmactl_platform_probe(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	struct dmactl_found found;
	int ret;

	dmactl_found_take(dev, &found);
	/* dma_map_phys() WARNs on a device without a DMA mask. */
	if (!dev->dma_mask)
		dev->dma_mask = &dev->coherent_dma_mask;
	ret = dma_coerce_mask_and_coherent(dev, DMA_BIT_MASK(64));
	if (!ret)
		ret = dmactl_target_add_exclusive(dev, NULL, &found);
	if (ret)
		dmactl_found_restore(dev, &found);
	return ret;
}

static void dmactl_platform_remove(struct platform_device *pdev)
{
	dmactl_remove_exclusive(&pdev->dev);
}

/* No ID table: binds only through driver_override. */
static struct pci_driver dmactl_pci_driver = {
	.name = KBUILD_MODNAME,
	.probe = dmactl_pci_probe,
	.remove = dmactl_pci_remove,
};

static struct platform_driver dmactl_platform_driver = {
	.driver.name = KBUILD_MODNAME,
	.probe = dmactl_platform_probe,
	.remove = dmactl_platform_remove,
};

/**
 * dmactl_drivers_register() - register dmactl's PCI and platform drivers
 *
 * Context: module init, after the bus notifiers (target.c), so that an
 * unbind of a device bound from now on is seen.
 *
 * Return: 0 or a negative errno; on failure neither is registered.
 */
int dmactl_drivers_register(void)
{
	int ret;

	ret = pci_register_driver(&dmactl_pci_driver);
	if (ret)
		return ret;
	ret = platform_driver_register(&dmactl_platform_driver);
	if (ret)
		pci_unregister_driver(&dmactl_pci_driver);
	return ret;
}

/**
 * dmactl_drivers_unregister() - unbind every device bound to dmactl
 *
 * Each remove() revokes its device's target before it returns.
 *
 * Context: module exit, before the bus notifiers go.
 */
void dmactl_drivers_unregister(void)
{
	platform_driver_unregister(&dmactl_platform_driver);
	pci_unregister_driver(&dmactl_pci_driver);
}
