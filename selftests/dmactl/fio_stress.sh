#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# I/O stress: fio hammers an NVMe namespace with O_DIRECT random
# read/write (libaio, then io_uring; several jobs; crc32c verification,
# fatal on the first mismatch) while dmactl, sharing the controller's
# IOMMU domain, runs benchmark threads in every mode the domain allows and
# scenario loops that allocate, link, verify and destroy.  This is where
# allocator races, IOTLB flushes that come late and P2P corruption show.
#
# Pass: fio reports no verify error and no I/O error; no IOMMU fault and
# no WARN in the kernel log; every dmactl scenario and benchmark run
# succeeds; dmactl's live counters are back to 0; "dmactl monitor" saw no
# event (nothing was revoked, no file was released with objects left).
#
# Options (or the environment):
#   -t SECONDS  how long each fio run lasts (DMACTL_STRESS_SECONDS, 8);
#               hours on hardware are fine
#   -d BDF      the NVMe controller (DMACTL_STRESS_DEV, else
#               DMACTL_SELFTESTS_DEV, else the first NVMe controller)
#   -p MODE     P2P: fio's buffers in another controller's p2pmem
#               (DMACTL_STRESS_P2P): auto (when the kernel allows it
#               between two controllers here), on (fail if it cannot),
#               off
DIR=$(cd "$(dirname "$0")" && pwd)
. "$DIR/../kselftest/ktap_helpers.sh"
DMACTL=${DMACTL:-dmactl}
. "$DIR/tool_queries.sh"
SECONDS_PER_RUN=${DMACTL_STRESS_SECONDS:-8}
DEV=${DMACTL_STRESS_DEV:-${DMACTL_SELFTESTS_DEV:-}}
P2P=${DMACTL_STRESS_P2P:-auto}
while getopts t:d:p: opt; do
	case $opt in
	t) SECONDS_PER_RUN=$OPTARG ;;
	d) DEV=$OPTARG ;;
	p) P2P=$OPTARG ;;
	*) echo "usage: $0 [-t SECONDS] [-d BDF] [-p auto|on|off]" >&2; exit 2 ;;
	esac
done

ktap_print_header
if ! command -v "$DMACTL" >/dev/null || ! command -v fio >/dev/null ||
   [ ! -e /dev/dmactl ]; then
	ktap_skip_all "needs the dmactl tool and module, and fio"
	exit "$KSFT_SKIP"
fi
nvmes=$(nvme_devices)
[ -n "$DEV" ] || DEV=$(echo "$nvmes" | head -n 1)
if [ -z "$DEV" ] || [ -z "$(nvme_namespace "$DEV")" ]; then
	ktap_skip_all "no NVMe namespace"
	exit "$KSFT_SKIP"
fi

# P2P: fio on DEV's namespace with buffers from PROV's p2pmem, if the
# kernel lets DEV reach PROV's memory; else the other way round.
PROV=
if [ "$P2P" != off ]; then
	for a in $nvmes; do
		for b in $nvmes; do
			[ "$a" != "$b" ] && [ -z "$PROV" ] &&
			[ -e "$SYS/$b/p2pmem/allocate" ] && [ -n "$(nvme_namespace "$a")" ] &&
			[ "$(map_of "$b" "$a")" != not-supported ] && {
				DEV=$a
				PROV=$b
			}
		done
	done
	if [ "$P2P" = on ] && [ -z "$PROV" ]; then
		ktap_skip_all "P2P asked for, but no two NVMe controllers here may talk"
		exit "$KSFT_SKIP"
	fi
fi
if why=$(refused "$DEV"); then
	ktap_skip_all "fio writes raw data to $DEV's namespace: $why"
	exit "$KSFT_SKIP"
fi
ns=/dev/$(basename "$(nvme_namespace "$DEV")")
tmp=$(mktemp -d)
dmesg_start=$(dmesg | wc -l)

# dmactl shares the controller: allow it for the run if it is not yet.
allowed_here=
if ! grep -qx "$DEV" /sys/class/misc/dmactl/allowed; then
	"$DMACTL" allow "$DEV" || exit 1
	allowed_here=1
fi
if "$DMACTL" info "$DEV" | grep -q '^IOVA API usable: *yes'; then
	DMACTL_PATH=iova
else
	DMACTL_PATH=fallback
fi
export DMACTL_PATH DMACTL_SELFTESTS_DEV="$DEV"

FIO_IOMEM=malloc
[ -n "$PROV" ] && FIO_IOMEM=mmapshared:$SYS/$PROV/p2pmem/allocate
ktap_set_plan 5
export FIO_DEV="$ns" FIO_SECONDS="$SECONDS_PER_RUN" FIO_IOMEM FIO_REGION=16M

"$DMACTL" monitor --json > "$tmp/monitor" 2> "$tmp/monitor.err" &
monitor=$!

# Scenario loops until $tmp/stop appears; a failure is kept.
scenario_loop() {
	n=0
	while [ ! -e "$tmp/stop" ]; do
		for scn in "$DIR"/scenarios/*.scn; do
			if ! "$DMACTL" run "$scn" > "$tmp/scn.out" 2>&1; then
				echo "$(basename "$scn")" >> "$tmp/scn-failed"
				sed 's/^/# /' "$tmp/scn.out" | tail -n 5
			fi
			n=$((n + 1))
		done
	done
	echo "$n" > "$tmp/scn-count"
}

# One fio job file, with dmactl's load beside it; prints fio's summary.
stress() {	# JOB
	rm -f "$tmp/stop" "$tmp/scn-count"
	scenario_loop &
	loop=$!
	# Every mode the domain allows (the default), for most of the fio run.
	per=$((SECONDS_PER_RUN / 5))
	[ "$per" -ge 1 ] || per=1
	"$DMACTL" bench "$DEV" --pages 8 --threads 2 \
		--seconds "$per" > "$tmp/bench.out" 2>&1 &
	bench=$!
	fio --output="$tmp/fio.out" "$DIR/fio/$1.fio"
	fio_rc=$?
	wait "$bench"
	bench_rc=$?
	touch "$tmp/stop"
	wait "$loop"
	echo "# fio exit $fio_rc"
	grep -E "err=|IOPS=|verify|error" "$tmp/fio.out" | sed 's/^ */# /'
	echo "# dmactl alongside: $(cat "$tmp/scn-count" 2>/dev/null || echo 0) scenario runs; bench exit $bench_rc"
	[ "$bench_rc" = 0 ] || sed 's/^/# bench: /' "$tmp/bench.out" | tail -n 5
	[ "$fio_rc" = 0 ] && [ "$bench_rc" = 0 ] && [ ! -e "$tmp/scn-failed" ] &&
		grep -q "err= 0" "$tmp/fio.out"
}

what="on $ns ($DEV, $DMACTL_PATH path)"
[ -n "$PROV" ] && what="$what, buffers in $PROV's p2pmem ($(map_of "$PROV" "$DEV"))"
for engine in libaio io_uring; do
	rm -f "$tmp/scn-failed"
	ktap_test_result "fio $engine randrw crc32c $what, dmactl alongside" \
		stress "randrw-$engine"
done

# The kernel log: no IOMMU fault, no WARN or BUG.
dmesg | tail -n +$((dmesg_start + 1)) > "$tmp/dmesg"
if grep -iE "DMAR:.*fault|AMD-Vi:.*(PAGE_FAULT|Event logged)|viommu.*fault|iommu.*fault|WARNING:|BUG:" \
	"$tmp/dmesg" > "$tmp/bad"; then
	sed 's/^/# /' "$tmp/bad" | head -n 10
	ktap_test_fail "kernel log: no IOMMU fault, no WARN"
else
	ktap_test_pass "kernel log: no IOMMU fault, no WARN"
fi

# dmactl's live counters, in total: all back to 0.
held=
for c in live-bufs pinned-pages kernel-pages live-iovas live-links p2p-bytes \
	 inflight live-benches bench-threads; do
	v=$(counter "$c")
	[ "$v" = 0 ] || held="$held $c=$v"
done
if [ -z "$held" ]; then
	ktap_test_pass "dmactl counters back to 0"
else
	echo "# still held:$held"
	ktap_test_fail "dmactl counters back to 0"
fi

# Nothing was revoked or left behind: the monitor heard nothing.
kill -INT "$monitor"
wait "$monitor"
monitor_rc=$?
if [ -s "$tmp/monitor" ] || [ "$monitor_rc" != 0 ]; then
	sed 's/^/# /' "$tmp/monitor" "$tmp/monitor.err" | head -n 10
	ktap_test_fail "dmactl monitor saw no event"
else
	ktap_test_pass "dmactl monitor saw no event"
fi

[ -n "$allowed_here" ] && "$DMACTL" disallow "$DEV"
rm -rf "$tmp"
ktap_finished
