#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# dmactl qualify in emulated machines, its three outputs checked:
#
#   - intel-strict (an IOMMU) and p2p-hostbridge (P2P through it): the run
#     passes (exit 0); report.json validates against
#     doc/qualify-report.schema.json and lists every NVMe controller with
#     its domain, kselftests, benchmark and "given back" checks, and the
#     P2P pairs; junit.xml parses and has a test case per check of the
#     report, report.md a row per check; every driver binding and the
#     allow list are as before the run;
#   - direct (no IOMMU) with --expect-domain DMA: a check a vendor would
#     set fails, and the failure shows in all three outputs (exit 1);
#   - intel-strict, SIGINT in the middle (as a Ctrl-C): exit 1, the report
#     says so, and the devices are given back all the same; and a device
#     moved from nvme to dmactl behind qualify's back is bound to nvme
#     again at the end.
#
# Output: "ok N - what" lines, "N passed, N failed".
set -uo pipefail
. "$(dirname "$0")/../lib.sh"

in_root || exec "$DMACTL_TOP/scripts/in-root.sh" "$0" "$@"

work=$DMACTL_OUT/qualify
stage=$DMACTL_OUT/build/${1:-distro}/stage
tier=${1:-distro}
rm -rf "$work"
mkdir -p "$work"


# qualify NAME PROFILE ARGS...: run it, split what it printed into NAME/.
qualify() {
	local profile=$2 dir=$work/$1 f
	shift 2
	mkdir -p "$dir"
	"$DMACTL_TOP/scripts/vm-run.sh" -p "$profile" -t "$tier" -T 600 -s "$stage" \
		-o "$dir/guest" -- env QUALIFY_INTERRUPT="${INTERRUPT:-}" QUALIFY_TAMPER="${TAMPER:-}" \
		sh /dmactl/guest/qualify.sh "$@" > /dev/null 2>&1
	for f in report.json report.md junit.xml; do
		sed -n "/^QUALIFY-BEGIN $f\$/,/^QUALIFY-END $f\$/p" "$dir/guest.out.log" |
			sed '1d;$d' > "$dir/$f"
	done
	sed -n 's/^QUALIFY-RC=//p' "$dir/guest.out.log"
}

# check_outputs NAME EXPECT_RESULT: the three outputs agree with each other
# and the schema; prints what is wrong.
check_outputs() {
	python3 - "$work/$1" "$2" "$DMACTL_TOP/doc/qualify-report.schema.json" <<'PY'
import json, sys, xml.etree.ElementTree as ET
import jsonschema
d, want, schema = sys.argv[1], sys.argv[2], json.load(open(sys.argv[3]))
bad = []
r = json.load(open(d + "/report.json"))
try:
    jsonschema.validate(r, schema)
except jsonschema.ValidationError as e:
    bad.append("schema: " + e.message)
if r.get("result") != want:
    bad.append("result %s, expected %s" % (r.get("result"), want))
checks = list(r["prerequisites"]) + list(r["p2p"])
for dev in r["devices"]:
    checks += dev["checks"]
junit = ET.parse(d + "/junit.xml").getroot()
cases = {}
for s in junit.iter("testsuite"):
    for c in s.iter("testcase"):
        cases.setdefault(c.get("name"), []).append(
            "fail" if c.find("failure") is not None else
            "skip" if c.find("skipped") is not None else "pass")
md = open(d + "/report.md").read()
for c in checks:
    if c["result"] not in cases.get(c["name"], []):
        bad.append("junit.xml lacks %s (%s)" % (c["name"], c["result"]))
    if "| %s | %s |" % (c["name"], c["result"]) not in md:
        bad.append("report.md lacks %s (%s)" % (c["name"], c["result"]))
if sum(len(v) for v in cases.values()) != len(checks):
    bad.append("junit.xml has %d cases, the report %d checks" %
               (sum(len(v) for v in cases.values()), len(checks)))
print("\n".join(bad))
PY
}

# The NVMe controllers of a run's report, each with the checks it needs.
devices_complete() {
	python3 - "$work/$1/report.json" "$2" <<'PY'
import json, sys
r, nvmes = json.load(open(sys.argv[1])), int(sys.argv[2])
devs = [d for d in r["devices"] if d["class"] == 0x010802]
bad = [] if len(devs) == nvmes else ["%d NVMe controllers, expected %d" % (len(devs), nvmes)]
for d in devs:
    names = {c["name"] for c in d["checks"]}
    for want in ("IOMMU domain", "devnode", "buffers", "bench", "given back as it was"):
        if want not in names:
            bad.append("%s has no check %s" % (d["dev"], want))
if nvmes > 1 and len(r["p2p"]) != nvmes * (nvmes - 1):
    bad.append("%d P2P pairs, expected %d" % (len(r["p2p"]), nvmes * (nvmes - 1)))
if not r.get("bindings_restored"):
    bad.append("bindings_restored is not true")
print("\n".join(bad))
PY
}

for run in "intel-strict:1" "p2p-hostbridge:2"; do
	p=${run%%:*}
	rc=$(qualify "$p" "$p" --tests devnode,buffers --duration 3 --bench-ios 100)
	result "$p: dmactl qualify passes (exit ${rc:-none})" "$([ "$rc" = 0 ]; echo $?)"
	why=$(check_outputs "$p" pass 2>&1)
	[ -z "$why" ] || echo "$why" | sed 's/^/# /'
	result "$p: report.json validates; junit.xml and report.md have every check" \
		"$([ -z "$why" ]; echo $?)"
	why=$(devices_complete "$p" "${run#*:}" 2>&1)
	[ -z "$why" ] || echo "$why" | sed 's/^/# /'
	result "$p: every NVMe controller with its checks, every P2P pair, bindings restored" \
		"$([ -z "$why" ]; echo $?)"
	grep -q '^QUALIFY-BINDINGS=same$' "$work/$p/guest.out.log"
	result "$p: drivers and allow list as before the run (seen by the guest)" $?
done

rc=$(qualify failing direct --tests devnode --duration 0 --bench-ios 0 --expect-domain DMA)
result "direct --expect-domain DMA: qualify fails (exit ${rc:-none})" "$([ "$rc" = 1 ]; echo $?)"
why=$(check_outputs failing fail 2>&1)
[ -z "$why" ] || echo "$why" | sed 's/^/# /'
grep -q '| IOMMU domain | fail | none, expected DMA |' "$work/failing/report.md" &&
	grep -q '<failure message="none, expected DMA"/>' "$work/failing/junit.xml" || why="$why missing"
result "the failed domain check shows in report.json, report.md and junit.xml" \
	"$([ -z "$why" ]; echo $?)"

# Ctrl-C in the middle of the kselftests: the run stops, says so, and
# still gives the devices back.
rc=$(INTERRUPT=3 qualify interrupted intel-strict --tests lifecycle --duration 0)
why=$(check_outputs interrupted fail 2>&1)
grep -q '| ran to the end | fail | interrupted by signal 2 |' "$work/interrupted/report.md" ||
	why="$why no 'ran to the end' failure"
grep -q '"bindings_restored":true' <(tr -d ' \n' < "$work/interrupted/report.json") ||
	why="$why bindings_restored not true"
grep -q '^QUALIFY-BINDINGS=same$' "$work/interrupted/guest.out.log" || why="$why bindings changed"
[ -z "$why" ] || echo "$why" | sed 's/^/# /'
result "SIGINT during the kselftests: exit ${rc:-none}, the report says interrupted, the devices given back" \
	"$([ "$rc" = 1 ] && [ -z "$why" ]; echo $?)"

# The device moved to dmactl (driver_override) behind qualify's back while
# its kselftests run: qualify binds it to its driver again.
rc=$(TAMPER=2 qualify tampered intel-strict --tests lifecycle --duration 0 --bench-ios 0)
why=
grep -q '^QUALIFY-TAMPERED=dmactl$' "$work/tampered/guest.out.log" || why="not moved to dmactl"
grep -q '^QUALIFY-BINDINGS=same$' "$work/tampered/guest.out.log" || why="$why bindings changed"
grep -q '| given back as it was | pass | driver nvme' "$work/tampered/report.md" ||
	why="$why no 'given back' pass"
[ -z "$why" ] || echo "# $why"
result "a device moved to dmactl during the run is bound to nvme again (exit ${rc:-none})" \
	"$([ -z "$why" ]; echo $?)"

results_end
