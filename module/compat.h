/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dmactl: the one place where kernels differ.
 *
 * Everything here is keyed on what the kernel under test provides, never on
 * its version number: distributions backport.  Kbuild probes the kernel's
 * headers for functions and their moves (DMACTL_HAVE_* below; see Kbuild),
 * macros are tested with #ifdef.
 *
 * What an older kernel lacks is supplied here with the newer kernels'
 * names and meaning, built from what the older kernel has, so that the
 * rest of the module is written once, against mainline:
 *
 *  - the two-step IOVA API (dma_iova_try_alloc() and friends, 6.17):
 *    without it the module runs in classic mode.  dma_iova_try_alloc()
 *    always declines, ATTACH reports DMACTL_ATTACH_OUT_IOVA_API clear, and
 *    ALLOC takes the dma_map_phys() fallback or fails with EOPNOTSUPP.  The
 *    other calls are never reached: an object only gets the IOVA path when
 *    dma_iova_try_alloc() said yes.
 *  - dma_map_phys() and DMA_ATTR_MMIO (6.19): dma_map_page_attrs() for
 *    RAM, dma_map_resource() for MMIO, as drivers did before.  Without the
 *    attribute an IOVA link cannot map P2P memory through a host bridge.
 *  - DMA_ATTR_REQUIRE_COHERENT: without it ALLOC refuses the flag that asks
 *    for it (EOPNOTSUPP) and ATTACH says so.
 *  - CONFIG_PCI_P2PDMA off: pci-p2pdma.h's stubs say "not supported";
 *    struct pci_dev has no p2pdma pointer, read through
 *    dmactl_pci_has_p2pmem().
 *  - kzalloc_obj() (7.0).
 */
#ifndef DMACTL_COMPAT_H
#define DMACTL_COMPAT_H

#include <linux/dma-mapping.h>
#include <linux/mm.h>
#include <linux/pci.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>

/* crc32c() moved from crc32c.h (a module of its own) to crc32.h (6.15). */
#ifdef DMACTL_HAVE_CRC32C_IN_CRC32_H
#include <linux/crc32.h>
#else
#include <linux/crc32c.h>
#endif

/* ---- the two-step IOVA API ---- */

#ifdef DMACTL_HAVE_IOVA_API
/* The header has stubs without IOMMU_DMA, and no domain is then DMA. */
#define DMACTL_KERNEL_IOVA_API	IS_ENABLED(CONFIG_IOMMU_DMA)
#else
#define DMACTL_KERNEL_IOVA_API	false

struct dma_iova_state {
	dma_addr_t addr;
	u64 __size;
};

static inline bool dma_iova_try_alloc(struct device *dev,
				      struct dma_iova_state *state,
				      phys_addr_t phys, size_t size)
{
	return false;
}

static inline void dma_iova_free(struct device *dev,
				 struct dma_iova_state *state)
{
}

static inline int dma_iova_link(struct device *dev,
				struct dma_iova_state *state, phys_addr_t phys,
				size_t offset, size_t size,
				enum dma_data_direction dir, unsigned long attrs)
{
	return -EOPNOTSUPP;
}

static inline void dma_iova_unlink(struct device *dev,
				   struct dma_iova_state *state,
				   size_t offset, size_t size,
				   enum dma_data_direction dir,
				   unsigned long attrs)
{
}

static inline int dma_iova_sync(struct device *dev,
				struct dma_iova_state *state, size_t offset,
				size_t size)
{
	return -EOPNOTSUPP;
}

static inline void dma_iova_destroy(struct device *dev,
				    struct dma_iova_state *state,
				    size_t mapped_len,
				    enum dma_data_direction dir,
				    unsigned long attrs)
{
}
#endif /* DMACTL_HAVE_IOVA_API */

/* ---- DMA attributes ---- */

#ifdef DMA_ATTR_MMIO
#define DMACTL_KERNEL_MMIO_ATTR	true
#else
#ifdef DMACTL_HAVE_DMA_MAP_PHYS
/* The real dma_map_phys() would take dmactl's private bit for RAM. */
#error "dma_map_phys() without DMA_ATTR_MMIO: a partial backport dmactl cannot use"
#endif
#define DMACTL_KERNEL_MMIO_ATTR	false
/* dmactl's own bit, above the older kernels' attributes, never passed on */
#define DMA_ATTR_MMIO		BIT(20)
#endif

#ifdef DMA_ATTR_REQUIRE_COHERENT
#define DMACTL_KERNEL_REQUIRE_COHERENT	true
#else
#define DMACTL_KERNEL_REQUIRE_COHERENT	false
#define DMA_ATTR_REQUIRE_COHERENT	0UL
#endif

/* ---- dma_map_phys() ---- */

#ifndef DMACTL_HAVE_DMA_MAP_PHYS
static inline dma_addr_t dma_map_phys(struct device *dev, phys_addr_t phys,
				      size_t size, enum dma_data_direction dir,
				      unsigned long attrs)
{
	if (attrs & DMA_ATTR_MMIO)
		return dma_map_resource(dev, phys, size, dir,
					attrs & ~DMA_ATTR_MMIO);
	return dma_map_page_attrs(dev, pfn_to_page(PHYS_PFN(phys)),
				  offset_in_page(phys), size, dir, attrs);
}

static inline void dma_unmap_phys(struct device *dev, dma_addr_t addr,
				  size_t size, enum dma_data_direction dir,
				  unsigned long attrs)
{
	if (attrs & DMA_ATTR_MMIO)
		dma_unmap_resource(dev, addr, size, dir,
				   attrs & ~DMA_ATTR_MMIO);
	else
		dma_unmap_page_attrs(dev, addr, size, dir, attrs);
}
#endif /* DMACTL_HAVE_DMA_MAP_PHYS */

/* ---- P2PDMA ---- */

/* Does @pdev provide P2P memory (has pci_p2pdma_add_resource() run)? */
static inline bool dmactl_pci_has_p2pmem(struct pci_dev *pdev)
{
#ifdef CONFIG_PCI_P2PDMA
	return rcu_access_pointer(pdev->p2pdma);
#else
	return false;
#endif
}

/* ---- allocation helpers ---- */

#ifndef kzalloc_obj
#define kzalloc_obj(obj, gfp)	kzalloc(sizeof(obj), gfp)
#define kvzalloc_obj(obj, gfp)	kvzalloc(sizeof(obj), gfp)
#define kvzalloc_flex(obj, fam, n, gfp)					\
	kvzalloc(struct_size_t(typeof(obj), fam, n), gfp)
#endif

#endif /* DMACTL_COMPAT_H */
