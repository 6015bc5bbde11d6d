# SPDX-License-Identifier: GPL-2.0
# dmactl: test harness for the Linux DMA-mapping layer.
#
# On the test bed (the default), everything is built inside the Debian
# build root against its kernel, with the compiler that kernel was built
# with:
#   make                 module, tool and selftests for the distro tier
#   make TIER=debug      the same against the debug kernel
#   make demo            boot intel-strict, load the module, list devices
#   make check           runner self-tests, then the selftests in every
#                        profile (x86 and arm64) on the distro tier; on
#                        Debian's 6.12 LTS (lts, classic mode) in
#                        intel-strict; on
#                        the debug tier most of them in p2p-hostbridge and a
#                        slice in amd, virtio and swiotlb; a summary table
#                        (PROFILES="a b" and TIERS="distro lts debug"
#                        select)
#   make check KERNEL=<dir>   the same on your own kernel, every profile: a
#                        build directory (bzImage, configured with
#                        configs/kernel/), or a source tree, which is
#                        configured with configs/kernel/ and built
#                        incrementally (cached per tree)
#   make check-full      every selftest in every profile on the distro and
#                        debug tiers
#   make check-lts       every profile on the lts tier
#   make build-matrix    the module against every kernel the build root
#                        has headers for (6.12, 7.2, 7.3), P2PDMA on and off
#   make mutants         mutation testing of the DMA layer: each patch of
#                        configs/kernel/mutants/ built into a kernel, the
#                        suite run on it; a table of caught and survived
#                        (MUTANTS="01 05" selects)
#   make bench           mode x pages sweeps and the 1 GiB scale test on
#                        intel-strict, intel-lazy, virtio, direct, in
#                        cost mode (guest instructions under QEMU icount,
#                        the bench kernel, two boots each: the A/A
#                        spread); BENCH_CLOCK=wall for wall-clock time on
#                        the distro tier.  JSON and Markdown in out/bench/
#   make bench-compare   dma_map_benchmark beside dmactl bench, cost mode
#   make bench-ab A=<kernel> B=<kernel>   the cost sweep under two kernels
#                        (distro, lts, debug, bench, a .patch for the bench
#                        kernel, a build directory or a source tree), each
#                        change beside the A/A spread: out/bench/ab.md
#   make debug-kernel    build the debug-tier kernel (cached)
#   make bench-kernel    build the bench-tier kernel (cached): the debug
#                        kernel's source and drivers without its checkers,
#                        with CONFIG_DMA_MAP_BENCHMARK
#   make buildroot       create or refresh the build root (cached)
#
# On a real machine, against the running kernel and the host compiler:
#   make KDIR=/lib/modules/$(uname -r)/build [KSFT_DIR=<linux>/tools/testing/selftests]
#   make KDIR=<arm64 headers> CROSS_COMPILE=aarch64-linux-gnu- ...  (README)
#   make KDIR=... install

TIER ?= distro
W ?= 1
# make check KERNEL=...: the kernel under test, for the scripts.
ifneq ($(KERNEL),)
export DMACTL_KERNEL := $(abspath $(KERNEL))
endif
# ... and for a source tree, its flavour: debug (default) or fast.
ifneq ($(KERNEL_CONFIG),)
export DMACTL_KERNEL_CONFIG := $(KERNEL_CONFIG)
endif
BUILD ?= $(or $(DMACTL_OUT),$(CURDIR)/out)/build/$(if $(DMACTL_IN_ROOT),$(TIER),local)
STAGE := $(BUILD)/stage

.DEFAULT_GOAL := all

# Test-bed targets; they run on the host and enter the build root themselves.
buildroot:
	scripts/buildroot.sh

debug-kernel: buildroot
	scripts/kernel.sh debug

bench-kernel: buildroot
	scripts/kernel.sh bench

demo: buildroot
	scripts/demo.sh

check: buildroot
	scripts/check.sh

check-full: buildroot
	TIERS="distro debug" DEBUG_PROFILES=all scripts/check.sh

check-lts: buildroot
	TIERS=lts LTS_PROFILES=all scripts/check.sh

mutants: buildroot
	scripts/mutants.sh $(MUTANTS)

build-matrix: buildroot
	scripts/build-matrix.sh

check-runner: buildroot
	scripts/tests/runner-selftest.sh

# Benchmark scripts (no test asserts a time): results in out/bench/.
bench: buildroot
	scripts/bench.sh sweep

bench-compare: buildroot
	scripts/bench.sh compare

bench-ab: buildroot
	@[ -n "$(A)" ] && [ -n "$(B)" ] || { echo "usage: make bench-ab A=<kernel> B=<kernel>" >&2; exit 2; }
	scripts/bench.sh ab $(A) $(B)

# The attacks, at length (make check runs a slice of each): the model-
# checked fuzzer, fault injection at every allocation, the tool's parsers,
# and the module's coverage by all of the selftests.
fuzz: buildroot
	scripts/attack.sh fuzz

fail-nth: buildroot
	scripts/attack.sh fail-nth

fuzz-tool: buildroot
	scripts/fuzz-tool.sh $(or $(SECONDS),600)

attack: fuzz fail-nth fuzz-tool

coverage: buildroot
	scripts/coverage.sh

.PHONY: man buildroot debug-kernel bench-kernel demo check check-full check-lts mutants build-matrix check-runner \
	bench bench-compare bench-ab \
	fuzz fail-nth fuzz-tool attack coverage

# The selftests installed the way the kernel's kselftest install lays them
# out, with the kernel's own runner: $(call install-ksft,DIR).
define install-ksft
	mkdir -p $(1)/kselftest
	$(MAKE) -s -C selftests/dmactl KSFT_DIR=$(KSFT_DIR) \
		OUTPUT=$(BUILD)/selftests INSTALL_PATH=$(1)/dmactl install
	$(MAKE) -s -C selftests/dmactl KSFT_DIR=$(KSFT_DIR) \
		OUTPUT=$(BUILD)/selftests COLLECTION=dmactl emit_tests \
		> $(1)/kselftest-list.txt
	cp $(KSFT_DIR)/run_kselftest.sh $(1)/
	install -m 755 $(KSFT_DIR)/kselftest/runner.sh $(1)/kselftest/
	install -m 644 $(KSFT_DIR)/kselftest/ktap_helpers.sh $(1)/kselftest/
endef

# make install-user [DESTDIR=...] [PREFIX=/usr/local]: what runs in user
# space, built in BUILD: the tool in PREFIX/sbin, its manual pages and
# bash completion and, with KSFT_DIR, the kselftest collection in
# PREFIX/lib/dmactl/kselftest (with the kernel's runner).  Debian's dmactl
# package is this.
PREFIX ?= /usr/local
install-user:
	install -D -m 755 $(BUILD)/tool/dmactl $(DESTDIR)$(PREFIX)/sbin/dmactl
	install -D -m 644 doc/dmactl.8 $(DESTDIR)$(PREFIX)/share/man/man8/dmactl.8
	install -D -m 644 doc/dmactl-scenario.5 $(DESTDIR)$(PREFIX)/share/man/man5/dmactl-scenario.5
	install -D -m 644 completion/dmactl \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/dmactl
ifneq ($(KSFT_DIR),)
	rm -rf $(DESTDIR)$(PREFIX)/lib/dmactl/kselftest
	$(call install-ksft,$(DESTDIR)$(PREFIX)/lib/dmactl/kselftest)
endif

# make dkms-source [DESTDIR=...]: the module's source as DKMS takes it,
# /usr/src/dmactl-VERSION with dkms.conf (then: dkms install dmactl/VERSION).
# Debian's dmactl-dkms package is this.
DMACTL_VERSION := $(shell cat $(CURDIR)/VERSION)
DKMS_SRC = $(DESTDIR)/usr/src/dmactl-$(DMACTL_VERSION)
dkms-source:
	rm -rf $(DKMS_SRC)
	install -d $(DKMS_SRC)/module $(DKMS_SRC)/uapi/linux $(DKMS_SRC)/netlink
	install -m 644 module/Kbuild module/*.c module/*.h $(DKMS_SRC)/module/
	install -m 644 uapi/*.h $(DKMS_SRC)/uapi/
	install -m 644 uapi/linux/*.h $(DKMS_SRC)/uapi/linux/
	install -m 644 netlink/*.h $(DKMS_SRC)/netlink/
	install -m 644 VERSION $(DKMS_SRC)/
	sed 's/#MODULE_VERSION#/$(DMACTL_VERSION)/' dkms.conf > $(DKMS_SRC)/dkms.conf

# make kselftest-src [KSRC_TAR=...]: the kernel's kselftest framework --
# lib.mk, kselftest_harness.h, run_kselftest.sh and its runner -- out of a
# linux-source tarball (Debian's linux-source-X.Y; the newest installed by
# default) into BUILD/ksrc, for KSFT_DIR=BUILD/ksrc/tools/testing/selftests.
# The kselftests need nothing else of a kernel tree (lib.mk's install
# needs rsync).
KSRC_TAR ?= $(lastword $(sort $(wildcard /usr/src/linux-source-*.tar.xz)))
kselftest-src:
	@[ -n "$(KSRC_TAR)" ] || { echo "no /usr/src/linux-source-*.tar.xz: apt install linux-source, or KSRC_TAR=" >&2; exit 2; }
	rm -rf $(BUILD)/ksrc
	mkdir -p $(BUILD)/ksrc
	tar -xf $(KSRC_TAR) -C $(BUILD)/ksrc --strip-components=1 --wildcards \
		'*/tools/testing/selftests/lib.mk' \
		'*/tools/testing/selftests/kselftest*' \
		'*/tools/testing/selftests/run_kselftest.sh'
	@echo "KSFT_DIR=$(BUILD)/ksrc/tools/testing/selftests"

.PHONY: install-user dkms-source kselftest-src

ifeq ($(KDIR),)
# No kernel named: build inside the build root for $(TIER).
BUILD_ROOT_OUT := $(or $(DMACTL_OUT),$(CURDIR)/out)
all module tool selftests stage checkpatch kselftest-tar: buildroot
	scripts/build.sh $(TIER) $@

# doc/: the manual pages as 'dmactl help --man' makes them from the tool's
# help texts (scripts/tests/docs.sh fails when they are stale).
man: buildroot
	scripts/build.sh $(TIER) tool
	scripts/in-root.sh $(BUILD_ROOT_OUT)/build/$(TIER)/tool/dmactl help --man 8 > doc/dmactl.8
	scripts/in-root.sh $(BUILD_ROOT_OUT)/build/$(TIER)/tool/dmactl help --man 5 > doc/dmactl-scenario.5

clean:
	rm -rf out
else
# A kernel build directory named: build against it.
all: module tool selftests

# The tool and selftests run beside the module, so they are built for the
# kernel's architecture: with CROSS_COMPILE=, $(CROSS_COMPILE)gcc (unless
# CC= is given too); a compiler for another architecture than KDIR's is
# refused rather than building a tool that cannot run there.
ifneq ($(CROSS_COMPILE),)
ifeq ($(origin CC),default)
CC := $(CROSS_COMPILE)gcc
export CC
endif
endif
# (Only x86_64 and arm64 are told apart; the goals that compile.)
KDIR_ARCH := $(shell sed -n 's/^CONFIG_X86_64=y$$/x86_64/p; s/^CONFIG_ARM64=y$$/aarch64/p' $(KDIR)/.config 2>/dev/null | head -n 1)
CC_ARCH := $(shell $(CC) -dumpmachine 2>/dev/null | cut -d- -f1)
ifneq ($(filter all module tool selftests stage install kselftest-tar,$(or $(MAKECMDGOALS),all)),)
CHECK_ARCH := y
endif
ifeq ($(CHECK_ARCH),y)
ifneq ($(KDIR_ARCH),)
ifneq ($(KDIR_ARCH),$(CC_ARCH))
$(error $(KDIR) is a $(KDIR_ARCH) kernel, but $(CC) builds for $(or $(CC_ARCH),an unknown architecture): give CROSS_COMPILE= (e.g. aarch64-linux-gnu-) or CC=)
endif
endif
endif

# Kbuild takes a separate output directory (MO=) since 6.13; an older
# one builds in the source directory, so it gets a tree of links to the
# sources in the build directory instead (uapi and netlink beside it, as
# module/Kbuild's include paths expect).
KBUILD_HAS_MO := $(shell grep -qs KBUILD_EXTMOD_OUTPUT $(KDIR)/Makefile \
	$$(sed -n 's/^include //p' $(KDIR)/Makefile 2>/dev/null) && echo y)
ifeq ($(KBUILD_HAS_MO),y)
KBUILD_MODULE := M=$(CURDIR)/module MO=$(BUILD)/module
else
KBUILD_MODULE := M=$(BUILD)/module
endif

module:
ifneq ($(KBUILD_HAS_MO),y)
	mkdir -p $(BUILD)/module
	ln -sfn $(CURDIR)/uapi $(CURDIR)/netlink $(CURDIR)/VERSION $(BUILD)/
	ln -sf $(addprefix $(CURDIR)/module/,Kbuild $(notdir \
		$(wildcard module/*.c module/*.h))) $(BUILD)/module/
endif
	$(MAKE) -C $(KDIR) $(KBUILD_MODULE) W=$(W) modules

tool:
	$(MAKE) -C tool OUTPUT=$(BUILD)/tool

ifeq ($(KSFT_DIR),)
selftests:
	@echo "selftests: not built; set KSFT_DIR=<linux source>/tools/testing/selftests"
else
selftests:
	mkdir -p $(BUILD)/selftests
	$(MAKE) -C selftests/dmactl KSFT_DIR=$(KSFT_DIR) OUTPUT=$(BUILD)/selftests
endif

# The kernel source the selftests come from (its scripts, tools/dma).
KSRC ?= $(KSFT_DIR)/../../..

# What a guest (or a real machine's test run) needs, in one directory:
# dmactl.ko, bin/dmactl, and the selftests under ksft/.
stage: all
	rm -rf $(STAGE)
	mkdir -p $(STAGE)/bin
	cp $(BUILD)/module/dmactl.ko $(STAGE)/
	cp $(BUILD)/tool/dmactl $(STAGE)/bin/
	if [ -d $(KSRC)/tools/dma ]; then \
		mkdir -p $(BUILD)/dma && \
		$(MAKE) -s -C $(KSRC)/tools/dma OUTPUT=$(BUILD)/dma/ && \
		cp $(BUILD)/dma/dma_map_benchmark $(STAGE)/bin/; \
	fi
	$(call install-ksft,$(STAGE)/ksft)

# make kselftest-tar: the collection as CI labs take it (KernelCI's tuxrun,
# LAVA): like the kernel's gen_kselftest_tar.sh, a kselftest/ directory
# with run_kselftest.sh, kselftest-list.txt and dmactl/ -- in
# $(BUILD)/dmactl-kselftest-VERSION.tar.gz.
KSFT_TAR = $(BUILD)/dmactl-kselftest-$(DMACTL_VERSION).tar.gz
kselftest-tar: selftests
	rm -rf $(BUILD)/kselftest-tar
	$(call install-ksft,$(BUILD)/kselftest-tar/kselftest)
	tar -C $(BUILD)/kselftest-tar -czf $(KSFT_TAR) kselftest
	@echo $(KSFT_TAR)

# The kernel's style checker and kernel-doc over every kernel-side file.
CHECKPATCH ?= $(firstword $(wildcard $(KDIR)/scripts/checkpatch.pl \
	$(KSRC)/scripts/checkpatch.pl) checkpatch.pl)
KERNEL_DOC ?= $(firstword $(wildcard $(KSRC)/scripts/kernel-doc) kernel-doc)
checkpatch:
	$(CHECKPATCH) --strict --no-tree --quiet --show-types -f \
		$(wildcard module/*.c module/*.h) uapi/*.h uapi/linux/*.h \
		scripts/tests/bad_modules/*.c
	$(KERNEL_DOC) -none -Wall -Werror $(wildcard module/*.c module/*.h) \
		uapi/linux/dmactl.h uapi/linux/dmactl_netlink.h

# make install [DESTDIR=...] [PREFIX=/usr/local]: the module under
# $(DESTDIR)/lib/modules/KERNELRELEASE/updates, the tool in PREFIX/sbin and,
# with KSFT_DIR, the kselftest collection in PREFIX/lib/dmactl/kselftest.
# Kbuild's own depmod needs the kernel's System.map, which header packages
# do not ship: depmod runs here, on the installed tree, unless DESTDIR
# stages a package (its installer runs depmod).  Kbuild would sign with
# the kernel's own key, which only its builder has; for Secure Boot give
# SIGN_KEY=key.pem SIGN_CERT=cert.der (e.g. DKMS's MOK, enrolled with
# mokutil): the module is installed uncompressed and signed with them.
KERNELRELEASE = $(shell cat $(KDIR)/include/config/kernel.release 2>/dev/null)
MODULE_DEST = $(DESTDIR)/lib/modules/$(KERNELRELEASE)/updates
install: all
	$(MAKE) -C $(KDIR) $(KBUILD_MODULE) INSTALL_MOD_PATH=$(DESTDIR) \
		INSTALL_MOD_DIR=updates CONFIG_MODULE_SIG_ALL= \
		$(if $(SIGN_KEY),CONFIG_MODULE_COMPRESS_ALL=) modules_install
ifneq ($(SIGN_KEY),)
	$(KDIR)/scripts/sign-file sha256 $(SIGN_KEY) $(SIGN_CERT) $(MODULE_DEST)/dmactl.ko
endif
	[ -n "$(DESTDIR)" ] || depmod -a $(KERNELRELEASE)
	$(MAKE) install-user

clean:
	rm -rf $(BUILD)

.PHONY: all module tool selftests stage checkpatch install kselftest-tar clean
endif
