#!/usr/bin/env python3
"""Generate the safety monitor's golden vectors (monitor/data/golden_safety_v1.json) and the C
header csrc/tests/golden_safety_v1_data.h derived from it.

    python tools/gen/gen_safety_golden.py gen      run the scenario through monitor.safety and
                                                 write the JSON and the header
    python tools/gen/gen_safety_golden.py header   only the header, from the JSON
    python tools/gen/gen_safety_golden.py check    fail when the header is out of date

The scenario: a two-feature model that runs clean, sees out-of-range inputs (DEGRADED, then
recovery), NaNs and bad outputs (clamped), drift (DEGRADED by the drift window), an engine fault
burst (FAULTED, then STOPPED), a refused and an allowed reset, latency spikes, activation contract
breaks and a clock that steps back. Every step's verdict (state, violations, warnings, reactions,
values to use, drift score) and the ledger's final head are recorded. The JSON is the source of
truth: tests/unit/test_safety_golden.py replays it through Python, csrc/tests/test_golden_safety.c
through C on every cross target.
"""

from __future__ import annotations

import json
import math
import os
import struct
import sys
from typing import Any

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, ROOT)
JSON_PATH = os.path.join(ROOT, "monitor", "data", "golden_safety_v1.json")
HEADER_PATH = os.path.join(ROOT, "csrc", "tests", "golden_safety_v1_data.h")

POLICY = """model_version = "golden-safety-1"

[features.a]
lo = -3.0
hi = 3.0
nan_fill = 0.25

[features.b]
lo = -3.0
hi = 3.0
nan = "allow"

[[outputs]]
name = "score"
lo = 0.0
hi = 10.0

[[outputs]]
name = "p"
lo = 0.0
hi = 1.0

[confidence]
output = "p"
lo = 0.5
hi = 1.0

[[layers]]
name = "conv1"
max_rate_ppm = 100000
max_overrange = 6.0
max_saturated = 2

[latency]
max_ns = 1000000

[reactions]
input_range = "clamp"
input_nan = "clamp"
output = "clamp"
confidence = "clamp"
activation = "warn"
latency = "warn"
fault = "log"
drift = "degrade"

[budgets]
window_steps = 10
recover_windows = 2
stop_after_windows = 1
degrade = { input_range = 2, fault = 2, latency = 3 }
fault = { input_range = 50, fault = 5, latency = 50 }

[reset]
allowed_from = ["faulted", "stopped"]

[drift]
mode = "count"
metric = "psi"
slots = 2
slot_width = 50
threshold = 0.25
min_count = 20

[[rules]]
name = "latency-burst"
signal = "window.latency"
op = ">="
threshold = 2
keep_firing_for_ticks = 500
action = "degrade"

[[rules]]
name = "drift-rising"
signal = "drift_score"
kind = "rate"
op = ">"
threshold = 0.5
window_ticks = 5000
resolution = 4
action = "none"
"""

EDGES = [-math.inf, -1.0, 0.0, 1.0, math.inf]
REF = [10, 40, 40, 10]
CYC = [-1.5, -0.5, -0.5, -0.5, -0.5, 0.5, 0.5, 0.5, 0.5, 1.5]
LEDGER = {"capacity": 4096, "checkpoint_every": 64}


def bits(x: float) -> str:
    return struct.pack(">d", x).hex()


def unbits(h: str) -> float:
    return float(struct.unpack(">d", bytes.fromhex(h))[0])


def scenario() -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = []
    tick = 1000
    for i in range(400):
        tick += 100
        a, b = CYC[i % 10], CYC[(i * 3) % 10]
        outs = [3.0, 0.9]
        lat, fault, act, reset = 1000, 0, [100, 1, 0, 2.0], None
        if 100 <= i < 120 and i % 4 == 0:
            a = 5.0 if i % 8 == 0 else -4.0
        if 180 <= i < 200:
            if i % 5 == 0:
                a = math.nan
            if i % 3 == 0:
                b = math.nan
            if i % 7 == 0:
                outs = [math.nan, 0.3]
            if i % 6 == 0:
                outs = [12.5, 1.5]
        if 200 <= i < 300:
            a = 1.5
        if 300 <= i < 306:
            fault = 1 << (i % 3)
        if i == 320:
            reset = 1  # STOPPED since step 310: allowed
        if i == 250:
            reset = 2  # HEALTHY: refused (and logged)
        if 330 <= i < 400 and i % 9 == 0:
            lat = 2_000_000
        if 340 <= i < 400 and i % 11 == 0:
            act = [100, 20, 3, 7.5]
        if i == 360:
            tick -= 5000  # the clock steps back
        if i % 17 == 0:
            act = None
        steps.append(
            {
                "tick": tick,
                "inputs": [bits(a), bits(b)],
                "outputs": [bits(x) for x in outs],
                "latency_ns": lat,
                "fault_flags": fault,
                "activations": None if act is None else [act[0], act[1], act[2], bits(act[3])],
                "reset_before": reset,
            }
        )
    return steps


def _reference() -> Any:
    import numpy as np

    from monitor.reference import FeatureProfile, Reference

    feats = [
        FeatureProfile(n, "numeric", np.array(EDGES), np.array(REF, dtype=np.uint64), 0, 0, 0)
        for n in ("a", "b")
    ]
    return Reference(feats, rows=sum(REF))


def run(doc: dict[str, Any], with_ledger: bool = True) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Replay the scenario of ``doc`` through monitor.safety: the per-step expectations and the
    final ledger anchor."""
    from monitor.policy import parse_policy
    from monitor.safety import ActivationStats, SafetyMonitor

    policy = parse_policy(doc["policy_toml"], "golden policy")
    ref = _reference()
    ledger = None
    if with_ledger:
        from monitor.ledger import Ledger

        ledger = Ledger(
            None,
            policy_hash=policy.hash,
            reference_digest=bytes.fromhex(ref.digest.split(":", 1)[1]),
            model_version=policy.model_version,
            tick=0,
            capacity=LEDGER["capacity"],
            checkpoint_every=LEDGER["checkpoint_every"],
        )
    sm = SafetyMonitor(policy, ref, ledger=ledger)
    out = []
    for s in doc["steps"]:
        e: dict[str, Any] = {}
        if s["reset_before"] is not None:
            try:
                sm.reset(tick=s["tick"], reason=s["reset_before"])
                e["reset"] = "allowed"
            except Exception:  # noqa: BLE001 - a refused reset is part of the scenario
                e["reset"] = "refused"
        act = s["activations"]
        v = sm.step(
            [unbits(x) for x in s["inputs"]],
            [unbits(x) for x in s["outputs"]],
            tick=s["tick"],
            latency_ns=s["latency_ns"],
            fault_flags=s["fault_flags"],
            activations=None if act is None else [ActivationStats(act[0], act[1], act[2], unbits(act[3]))],
        )
        e.update(
            {
                "state": v.state.name.lower(),
                "prev_state": v.prev_state.name.lower(),
                "violations": list(v.violations),
                "warnings": list(v.warnings),
                "reactions": list(v.reactions),
                "inputs_clamped": v.inputs_clamped,
                "outputs_clamped": v.outputs_clamped,
                "inputs": [bits(x) for x in v.inputs],
                "outputs": [bits(x) for x in v.outputs],
                "drift_score": v.drift_score_raw,
                "window_faults": v.window_faults,
                "rules_firing": list(v.rules_firing),
            }
        )
        out.append(e)
    final: dict[str, Any] = {}
    if ledger is not None:
        head = ledger.head()
        final = {"ledger_count": head.count, "ledger_head": head.head.hex()}
    return out, final


def generate(with_ledger: bool = True) -> dict[str, Any]:
    from monitor.policy import parse_policy

    policy = parse_policy(POLICY, "golden policy")
    ref = _reference()
    doc: dict[str, Any] = {
        "format": "monitor-golden-safety",
        "version": 1,
        "policy_toml": POLICY,
        "policy_hash": policy.hash.hex(),
        "policy_blob": policy.to_bytes(["a", "b"]).hex(),
        "features": [{"name": n, "edges": [bits(e) for e in EDGES], "reference": REF} for n in ("a", "b")],
        "reference_digest": ref.digest,
        "ledger": dict(LEDGER, model_version=policy.model_version),
        "steps": scenario(),
    }
    expect, final = run(doc, with_ledger)
    for s, e in zip(doc["steps"], expect):
        s["expect"] = e
    doc["final"] = final
    return doc


_NAMES = {
    "state": ["init", "healthy", "degraded", "faulted", "stopped"],
    "kinds": [
        "input_range",
        "input_nan",
        "output",
        "confidence",
        "activation",
        "latency",
        "fault",
        "drift",
        "rule",
    ],
    "reactions": ["none", "log", "warn", "clamp", "degrade", "stop"],
}


def _mask(names: list[str], table: list[str]) -> int:
    return sum(1 << table.index(n) for n in names)


def parse_rules_count(doc: dict[str, Any]) -> list[dict[str, Any]]:
    from monitor.policy import parse_policy

    return list(parse_policy(doc["policy_toml"], "golden policy").document["rules"])


def header(doc: dict[str, Any]) -> str:
    lines = [
        "/* Generated by tools/gen/gen_safety_golden.py from monitor/data/golden_safety_v1.json: do not edit. */",
        "#ifndef GOLDEN_SAFETY_V1_DATA_H",
        "#define GOLDEN_SAFETY_V1_DATA_H",
        "#include <stdint.h>",
        "",
    ]
    blob = bytes.fromhex(doc["policy_blob"])
    lines.append(f"#define GS_POLICY_LEN {len(blob)}")
    lines.append("static const uint8_t GS_POLICY[GS_POLICY_LEN] = {" + ",".join(str(b) for b in blob) + "};")
    lines.append(
        "static const uint8_t GS_POLICY_HASH[32] = {"
        + ",".join(str(b) for b in bytes.fromhex(doc["policy_hash"]))
        + "};"
    )
    rd = bytes.fromhex(doc["reference_digest"].split(":", 1)[1])
    lines.append("static const uint8_t GS_REFERENCE_DIGEST[32] = {" + ",".join(str(b) for b in rd) + "};")
    mv = doc["ledger"]["model_version"]
    lines.append(f'#define GS_MODEL "{mv}"')
    lines.append(f"#define GS_LEDGER_CAPACITY {doc['ledger']['capacity']}u")
    lines.append(f"#define GS_LEDGER_CHECKPOINT {doc['ledger']['checkpoint_every']}u")
    f0 = doc["features"][0]
    lines.append(f"#define GS_NEDGES {len(f0['edges'])}")
    nrules = len(parse_rules_count(doc))
    lines.append(f"#define GS_NRULES {nrules}")
    lines.append(
        "static const uint64_t GS_EDGE_BITS[GS_NEDGES] = {" + ",".join(f"0x{e}u" for e in f0["edges"]) + "};"
    )
    lines.append(
        "static const uint64_t GS_REF[GS_NEDGES - 1] = {" + ",".join(f"{c}u" for c in f0["reference"]) + "};"
    )
    fin = doc.get("final") or {}
    lines.append(f"#define GS_HAVE_LEDGER {1 if fin else 0}")
    lines.append(f"#define GS_LEDGER_COUNT {fin.get('ledger_count', 0)}u")
    head = bytes.fromhex(fin.get("ledger_head", "00" * 32))
    lines.append("static const uint8_t GS_LEDGER_HEAD[32] = {" + ",".join(str(b) for b in head) + "};")
    rnames = [r["name"] for r in parse_rules_count(doc)]
    lines += [
        "",
        "typedef struct gs_step {",
        "    uint64_t tick, latency_ns, in[2], out[2], act_count, act_oor, act_sat, act_max;",
        "    uint32_t fault_flags, has_act;",
        "    int32_t reset_before; /* -1: none */",
        "    int32_t reset_allowed;",
        "    uint32_t state, prev_state, violations, warnings, reactions, inputs_clamped, outputs_clamped, window_faults;",
        "    uint64_t e_in[2], e_out[2], drift_score;",
        "    uint32_t rules_firing, reserved;",
        "} gs_step;",
        "",
        f"#define GS_NSTEPS {len(doc['steps'])}",
        "static const gs_step GS_STEPS[GS_NSTEPS] = {",
    ]
    for s in doc["steps"]:
        e = s["expect"]
        act = s["activations"] or [0, 0, 0, "0" * 16]
        rb = -1 if s["reset_before"] is None else s["reset_before"]
        ra = 1 if e.get("reset") == "allowed" else 0
        lines.append(
            "  {"
            + ",".join(
                [
                    f"{s['tick']}u",
                    f"{s['latency_ns']}u",
                    "{" + ",".join(f"0x{x}u" for x in s["inputs"]) + "}",
                    "{" + ",".join(f"0x{x}u" for x in s["outputs"]) + "}",
                    f"{act[0]}u",
                    f"{act[1]}u",
                    f"{act[2]}u",
                    f"0x{act[3]}u",
                    f"{s['fault_flags']}u",
                    f"{0 if s['activations'] is None else 1}u",
                    f"{rb}",
                    f"{ra}",
                    f"{_NAMES['state'].index(e['state'])}u",
                    f"{_NAMES['state'].index(e['prev_state'])}u",
                    f"{_mask(e['violations'], _NAMES['kinds'])}u",
                    f"{_mask(e['warnings'], _NAMES['kinds'])}u",
                    f"{_mask(e['reactions'], _NAMES['reactions'])}u",
                    f"{e['inputs_clamped']}u",
                    f"{e['outputs_clamped']}u",
                    f"{e['window_faults']}u",
                    "{" + ",".join(f"0x{x}u" for x in e["inputs"]) + "}",
                    "{" + ",".join(f"0x{x}u" for x in e["outputs"]) + "}",
                    f"{e['drift_score']}u",
                    f"{sum(1 << rnames.index(n) for n in e['rules_firing'])}u",
                    "0u",
                ]
            )
            + "},"
        )
    lines += ["};", "", "#endif", ""]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    cmd = argv[1] if len(argv) > 1 else "check"
    if cmd == "gen":
        doc = generate(with_ledger="--no-ledger" not in argv)
        steps = doc.pop("steps")
        text = json.dumps(doc, indent=1)[:-2]
        text += (
            ',\n "steps": [\n'
            + ",\n".join("  " + json.dumps(s, separators=(",", ":")) for s in steps)
            + "\n ]\n}\n"
        )
        with open(JSON_PATH, "w", encoding="utf-8") as fh:
            fh.write(text)
    with open(JSON_PATH, encoding="utf-8") as fh:
        doc = json.load(fh)
    text = header(doc)
    if cmd in ("gen", "header"):
        with open(HEADER_PATH, "w", encoding="utf-8") as fh:
            fh.write(text)
        return 0
    with open(HEADER_PATH, encoding="utf-8") as fh:
        if fh.read() != text:
            print(f"{HEADER_PATH} is out of date: run tools/gen/gen_safety_golden.py header")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
