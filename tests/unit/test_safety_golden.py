"""The safety monitor's golden vectors (monitor/data/golden_safety_v1.json) replayed through
Python; csrc/tests/test_golden_safety.c replays the same file through C on every cross target."""

from __future__ import annotations

import importlib.util
import json
import os

import pytest

from monitor.jcs import canonicalize
from monitor.policy import parse_policy

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GOLDEN = os.path.join(ROOT, "monitor", "data", "golden_safety_v1.json")


def _gen():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(
        "gen_safety_golden", os.path.join(ROOT, "tools", "gen", "gen_safety_golden.py")
    )
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.req("MON-REQ-SAFETY-004")
def test_golden_replays_through_python() -> None:
    gen = _gen()
    with open(GOLDEN, encoding="utf-8") as fh:
        doc = json.load(fh)
    policy = parse_policy(doc["policy_toml"])
    assert policy.hash.hex() == doc["policy_hash"]
    assert policy.to_bytes(["a", "b"]).hex() == doc["policy_blob"]
    expect, final = gen.run(doc, with_ledger=bool(doc["final"]))
    for i, (s, e) in enumerate(zip(doc["steps"], expect, strict=True)):
        assert s["expect"] == e, f"step {i}"
    assert final == doc["final"]
    # the scenario covers every state, every reaction it configures, clamps and both resets
    states = {s["expect"]["state"] for s in doc["steps"]}
    assert states == {"healthy", "degraded", "faulted", "stopped"}
    reactions = set().union(*(s["expect"]["reactions"] for s in doc["steps"]))
    assert {"log", "warn", "clamp", "degrade"} <= reactions
    assert {s["expect"].get("reset") for s in doc["steps"]} >= {"allowed", "refused"}
    assert sum(s["expect"]["inputs_clamped"] for s in doc["steps"]) > 0


def test_header_is_up_to_date() -> None:
    gen = _gen()
    with open(GOLDEN, encoding="utf-8") as fh:
        doc = json.load(fh)
    with open(os.path.join(ROOT, "csrc", "tests", "golden_safety_v1_data.h"), encoding="utf-8") as fh:
        assert fh.read() == gen.header(doc)
    assert canonicalize({"v": doc["version"]}) == b'{"v":1}'
