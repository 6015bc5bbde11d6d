#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Fuzz the dmactl tool's parsers (tool/fuzz/fuzz_tool.c) with libFuzzer,
# AddressSanitizer and UndefinedBehaviorSanitizer, in the build root, for
# SECONDS (default 60: make check's slice; make fuzz-tool runs longer).
# The seeds are the selftests' scenario files and command lines of every
# command; the corpus grows in $DMACTL_OUT/fuzz-tool/corpus across runs.
#
# The fuzzer runs in a mount namespace of its own whose /dev holds only
# null and urandom and whose /sys is empty: no input can reach a device.
#
# Prints "ok"/"not ok" lines with the executions and crashes; a crash
# leaves its input in $DMACTL_OUT/fuzz-tool/ and fails.
#
# Usage: fuzz-tool.sh [SECONDS]
set -euo pipefail
. "$(dirname "$0")/lib.sh"

in_root || exec "$(dirname "$0")/in-root.sh" "$0" "$@"

secs=${1:-60}
dir=$DMACTL_OUT/fuzz-tool
build=$dir/build
mkdir -p "$build" "$dir/corpus" "$dir/seeds"
make -s -C "$DMACTL_TOP/tool/fuzz" OUTPUT="$build" "$build/fuzz_tool_bin" >&2

# Seeds: byte 0 the mode (0 a command line, 1 a scenario), byte 1 the
# failing ioctl (0: none), byte 2 its errno; then the text.
seed() {
	printf '%b' "$1\\x00\\x00$2" > "$dir/seeds/$3"
}
for f in "$DMACTL_TOP"/selftests/dmactl/scenarios/*.scn; do
	seed '\x01' "$(grep -v '^attach' "$f")" "scn-$(basename "$f")"
done
i=0
while IFS= read -r line; do
	seed '\x00' "$line" "cmd-$i"
	i=$((i + 1))
done <<'CMDS'
list --json
info 0000:00:01.0 --json
map 0000:00:01.0 --size 256k --pages-per-link 4 --dir from --json
map 0000:00:01.0 --size 2M --no-fallback
bench 0000:00:01.0 --mode all --pages 1,4,64 --threads 2 --ios 10 --json
bench 0000:00:01.0 --mode iova-sparse --seconds 0.5 --warmup 3
bench scale 0000:00:01.0 1M --json
bench report /dev/null
bench 0000:00:01.0 --mode blk,tso,gpusvm,premapped --unaligned --clock icount:3 --ios 10 --json
bench ab --floor 1.5 /dev/null,/dev/null /dev/null
stats --json
allow 0000:00:01.0 --json
bind 0000:00:01.0
p2p --all --json
p2pmem publish 0000:00:01.0 --bar 2 --size 2M
expendable 0000:00:01.0 --json
run -
qualify --dev 0000:00:01.0 --tests devnode --duration 1 --bench-ios 5 --expect-domain DMA
CMDS

log="$dir/fuzz.log"
# Reports with function names and lines.
for sym in /usr/bin/llvm-symbolizer /usr/lib/llvm-*/bin/llvm-symbolizer; do
	[ -x "$sym" ] && export ASAN_SYMBOLIZER_PATH=$sym && break
done
set +e
unshare --mount --propagation unchanged -- /bin/sh -c '
	mount -t tmpfs tmpfs /dev && mount -t tmpfs tmpfs /sys &&
	mknod -m 666 /dev/null c 1 3 && mknod -m 444 /dev/urandom c 1 9 &&
	cd "$1" && exec "$2" -max_total_time="$3" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 corpus seeds' fuzz "$dir" "$build/fuzz_tool_bin" \
	"$secs" 2>&1 | grep -av "^dmactl \|^fuzz:[0-9]*:\|^see .dmactl" > "$log"
rc=$?
set -e
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
crashes=$(ls "$dir" | grep -cE '^(crash|leak|timeout|oom)-' || true)
echo "# $(grep -E '^Done|^#[0-9]+ *DONE' "$log" | tail -n 1)"
if [ "$rc" = 0 ] && [ "$crashes" = 0 ] && [ -n "$runs" ]; then
	echo "ok 1 - the tool's parsers fuzzed for ${secs}s: $runs executions, 0 crashes"
else
	tail -n 40 "$log" | sed 's/^/# /'
	echo "not ok 1 - the tool's parsers fuzzed for ${secs}s: ${runs:-?} executions, $crashes crashes (inputs in $dir)"
	exit 1
fi
