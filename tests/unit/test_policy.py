"""The safety policy: strict TOML (errors name the key and its line), the canonical hash, and the
compiled blob decoded by the C core's mon_policy_decode."""

from __future__ import annotations

import os
import struct

import pytest

from monitor._ffi import ffi, lib
from monitor.errors import InvalidArgumentError, InvalidTypeError
from monitor.jcs import canonicalize
from monitor.policy import load_policy, parse_policy, threshold_raw

HERE = os.path.dirname(os.path.abspath(__file__))
POLICY = os.path.join(HERE, "..", "data", "safety_policy.toml")
MINI = "[features.x]\nlo = 0.0\nhi = 1.0\n"


def _decode(blob: bytes) -> tuple[int, object]:
    feats = ffi.new("mon_monitor_feature[]", 8)
    outs = ffi.new("mon_monitor_range[]", 8)
    lays = ffi.new("mon_monitor_layer[]", 8)
    cfg = ffi.new("mon_monitor_config *")
    h = ffi.new("uint8_t[32]")
    rules = ffi.new("mon_monitor_rule[]", 16)
    st = lib.mon_policy_decode(blob, len(blob), feats, 8, outs, 8, lays, 8, rules, 16, cfg, h)
    return int(st), (cfg, feats, outs, lays, bytes(h))


@pytest.mark.req("MON-REQ-POLICY-002")
def test_file_round_trip_through_c() -> None:
    p = load_policy(POLICY)
    blob = p.to_bytes()
    st, (cfg, feats, outs, lays, h) = _decode(blob)
    assert st == lib.MON_OK
    assert h == p.hash
    assert (cfg.n_features, cfg.n_outputs, cfg.n_layers, cfg.confidence_index) == (2, 2, 1, 1)
    assert (feats[0].lo, feats[0].hi, feats[1].nan_policy) == (-3.0, 3.0, lib.MON_NAN_ALLOW)
    assert cfg.reaction[lib.MON_VIOL_INPUT_RANGE] == lib.MON_REACT_CLAMP
    assert cfg.degrade_budget[lib.MON_VIOL_FAULT] == 2 and cfg.fault_budget[lib.MON_VIOL_DRIFT] == 2**32 - 1
    assert cfg.drift_threshold == threshold_raw(0.25) == 2**30
    assert cfg.reset_from == (1 << lib.MON_HEALTH_FAULTED) | (1 << lib.MON_HEALTH_STOPPED)
    assert (lays[0].max_rate_ppm, lays[0].max_saturated, lays[0].max_overrange) == (100000, 2, 6.0)


@pytest.mark.req("MON-REQ-POLICY-001")
def test_hash_is_canonical() -> None:
    a = parse_policy(MINI + 'nan = "allow"\n[latency]\nmax_ns = 5\n')
    b = parse_policy('[latency]\nmax_ns = 5\n\n[features.x]\nnan = "allow"\nhi = 1\nlo = 0\n')
    assert a.hash == b.hash and a.canonical == b.canonical == canonicalize(dict(a.document))
    c = parse_policy(MINI + 'nan = "allow"\n[latency]\nmax_ns = 6\n')
    assert c.hash != a.hash


@pytest.mark.parametrize(
    ("text", "line", "what"),
    [
        (MINI + "colour = 3\n", 4, "features.x.colour: unknown key"),
        (MINI + '[reactions]\ndrift = "explode"\n', 5, "reactions.drift: 'explode' is not one of"),
        (MINI + "[drift]\nslots = 65\n", 5, "drift.slots: 65 is out of range"),
        (MINI + '[budgets]\nwindow_steps = "ten"\n', 5, "budgets.window_steps: expected an integer"),
        ("[features.x]\nlo = 2.0\nhi = 1.0\n", 2, "lo 2.0 is above hi 1.0"),
        (MINI + "[budgets.degrade]\nfault = 4\n[budgets.fault]\nfault = 3\n", 7, "below the degrade budget"),
        (MINI + '[confidence]\noutput = "nope"\nlo = 0\nhi = 1\n', 5, "'nope' is not an output"),
        (MINI + "[budgets]\nwindow_steps = 0\n", 5, "cannot both be 0"),
        (MINI + "[drift]\nthreshold = nan\n", 5, "NaN is not allowed"),
        (MINI + "[latency]\nmax_ns = -1\n", 5, "out of range"),
        ("[features.x]\nlo = -inf\nhi = 1.0\n", 2, "must be finite"),
        (MINI + "mystery = 1\n", None, "mystery: unknown key"),
    ],
)
@pytest.mark.req("MON-REQ-POLICY-001")
def test_rejections_name_key_and_line(text: str, line: int | None, what: str) -> None:
    with pytest.raises(InvalidArgumentError) as ei:
        parse_policy(text, source="p.toml")
    msg = str(ei.value)
    assert what in msg
    if line is not None:
        assert msg.startswith(f"p.toml, line {line}:"), msg


def test_type_errors_and_toml_errors() -> None:
    with pytest.raises(InvalidTypeError):
        parse_policy(MINI + "[latency]\nmax_ns = 1.5\n")
    with pytest.raises(InvalidArgumentError, match="not valid TOML"):
        parse_policy("[features.x\n")
    with pytest.raises(InvalidArgumentError, match="at least one"):
        parse_policy("[latency]\nmax_ns = 1\n")
    with pytest.raises(InvalidTypeError):
        parse_policy(b"x")  # type: ignore[arg-type]


def test_feature_order() -> None:
    p = parse_policy(MINI + "[features.a]\nlo = 0\nhi = 2\n")
    assert p.feature_names == ("a", "x")
    assert p.to_bytes(["x", "a"]) != p.to_bytes()
    with pytest.raises(InvalidArgumentError, match="feature_order"):
        p.to_bytes(["x"])


@pytest.mark.req("MON-REQ-POLICY-002")
def test_blob_corruption_rejected() -> None:
    blob = bytearray(load_policy(POLICY).to_bytes())
    assert _decode(bytes(blob))[0] == lib.MON_OK
    assert _decode(bytes(blob[:-1]))[0] == lib.MON_E_TRUNCATED
    assert _decode(bytes(blob[:100]))[0] == lib.MON_E_TRUNCATED
    bad = bytearray(blob)
    bad[200] ^= 1
    assert _decode(bytes(bad))[0] == lib.MON_E_CHECKSUM
    bad = bytearray(blob)
    bad[4] = 2
    assert _decode(bytes(bad))[0] == lib.MON_E_FORMAT
    # a value out of range with a good CRC: the checks of mon_monitor_check_config
    from monitor.latency import crc32c

    bad = bytearray(blob)
    bad[84] = 9  # reaction of input_range
    bad[-4:] = struct.pack("<I", crc32c(bytes(bad[:-4])))
    assert _decode(bytes(bad))[0] == lib.MON_E_CONFIG
    nf = ffi.new("uint32_t *")
    assert (
        lib.mon_policy_peek(bytes(blob), len(blob), nf, ffi.NULL, ffi.NULL, ffi.NULL) == lib.MON_OK
        and nf[0] == 2
    )


RULE = '[[rules]]\nname = "r"\nsignal = "latency_ns"\nthreshold = 5\naction = "degrade"\n'


def test_rules_compile_and_reject() -> None:
    p = parse_policy(MINI + RULE + 'kind = "rate"\nwindow_ticks = 10\nrelative = true\n')
    st, (cfg, *_rest) = _decode(p.to_bytes())
    assert st == lib.MON_OK and cfg.n_rules == 1
    r = cfg.rules[0]
    assert (r.rule.kind, r.rule.window_ticks, r.rule.resolution, r.rule.relative) == (
        lib.MON_RULE_RATE,
        10,
        4,
        1,
    )
    assert (r.signal, r.action) == (lib.MON_SIG_LATENCY_NS, lib.MON_HEALTH_DEGRADED)
    for bad, what in (
        (RULE + 'signal = "x"\n', "unknown key"),  # a second signal key is a TOML error really
        (RULE.replace('"latency_ns"', '"window.nope"'), "is not one of"),
        (RULE + "window_ticks = 3\n", "only for kind"),
        (RULE + 'kind = "rate"\n', "needs its window"),
        (RULE + "clear_threshold = 9\n", "wrong side"),
        (RULE.replace('"degrade"', '"explode"'), "is not one of"),
    ):
        with pytest.raises(InvalidArgumentError) as ei:
            parse_policy(MINI + bad)
        assert what in str(ei.value) or "not valid TOML" in str(ei.value), str(ei.value)
