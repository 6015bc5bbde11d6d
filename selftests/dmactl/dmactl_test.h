/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The test library of dmactl's kselftests, one header for the tests to
 * include; its layers, each of which includes the ones it builds on:
 *
 *   lib/device.h   the test devices (argv, environment), main(), sizes
 *   lib/sysfs.h    sysfs attributes, PCI devices and drivers, the binder
 *                  ("dmactl bind"), the tool's verdict on a device
 *   lib/kernel.h   taint, command line, kmsg markers, declared WARNs,
 *                  module parameters, capabilities
 *   lib/ioctl.h    every ioctl: _test_cmd_x() / test_cmd_x() /
 *                  test_err_x(), and dmactl_arg_x() for the argument
 *   lib/netlink.h  the module's counters, through netlink/dmactl_nl.c
 *   lib/oracle.h   the leak oracle and teardown check, the fixtures
 *                  built on them, crc32c, DMA-layer probes
 *   lib/memory.h   the kinds of memory a buffer is made of
 *   lib/uffd.h     calls stalled on page faults nobody serves
 *
 * A test binary that needs a device ends with DMACTL_TEST_MAIN.
 */
#ifndef DMACTL_TEST_H
#define DMACTL_TEST_H

#include "lib/device.h"
#include "lib/sysfs.h"
#include "lib/kernel.h"
#include "lib/ioctl.h"
#include "lib/netlink.h"
#include "lib/oracle.h"
#include "lib/memory.h"
#include "lib/uffd.h"

#endif /* DMACTL_TEST_H */
