/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The untrusted profile's SSDT: QEMU q35's PCIe root ports at slots 0x11
 * and 0x12 (its DSDT names them S88 and S90: "S" and the devfn) become
 * external-facing, as a Thunderbolt or USB4 port is on real machines.
 * The kernel reads the _DSD property ExternalFacingPort
 * (pci_acpi_set_external_facing()) and marks every device below such a
 * port untrusted: the IOMMU gives it a strict DMA domain, and the DMA
 * layer bounces what it maps off the IOVA granule through swiotlb, in
 * dma_iova_link() too.  The kernel takes the table from the initramfs
 * (CONFIG_ACPI_TABLE_UPGRADE, kernel/firmware/acpi/); vm-run.sh compiles
 * it with iasl.  The UUID is the ACPI device-properties one.
 */
DefinitionBlock ("", "SSDT", 2, "DMACTL", "EXTFACE", 1)
{
	External (\_SB.PCI0.S88, DeviceObj)
	External (\_SB.PCI0.S90, DeviceObj)

	Scope (\_SB.PCI0.S88)
	{
		Name (_DSD, Package () {
			ToUUID ("daffd814-6eba-4d8c-8a91-bc9bbf4aa301"),
			Package () {
				Package () { "ExternalFacingPort", 1 },
			}
		})
	}

	Scope (\_SB.PCI0.S90)
	{
		Name (_DSD, Package () {
			ToUUID ("daffd814-6eba-4d8c-8a91-bc9bbf4aa301"),
			Package () {
				Package () { "ExternalFacingPort", 1 },
			}
		})
	}
}
