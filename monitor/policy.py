"""The safety policy of a :class:`monitor.safety.SafetyMonitor`: one strict TOML file on the
host, its canonical hash (SHA-256 of the RFC 8785 form of the normalised policy) and the compiled
little-endian blob a device decodes with ``mon_policy_decode`` (layout in csrc/mon_policy.h).

Strict: an unknown key, a wrong type or an out-of-range value is an
:class:`~monitor.errors.InvalidArgumentError` naming the key and its line in the file. Schema
(every table optional except ``[features.NAME]``; docs/safety.md has it in full)::

    model_version = "resnet-1.2"          # bound into the ledger's genesis entry
    [features.NAME]  lo, hi (numbers), nan = "reject" | "allow", nan_fill (number)
    [[outputs]]      name, lo, hi          # positional: the model's output vector
    [confidence]     output (an output name), lo, hi
    [[layers]]       name, max_rate_ppm (0..1e6), max_overrange, max_saturated
    [latency]        max_ns
    [reactions]      KIND = "none" | "log" | "warn" | "clamp" | "degrade" | "stop"
    [budgets]        window_steps, window_ticks, recover_windows, stop_after_windows,
                     degrade = {KIND = n}, fault = {KIND = n}
    [reset]          allowed_from = ["faulted", "stopped", ...]
    [drift]          mode = "off" | "count" | "tick", metric = "psi" | "js_distance" | "tv",
                     slots, slot_width, threshold (a number), min_count
    [[rules]]        name, signal, kind = "threshold" | "rate", op = ">" | ">=" | "<" | "<=",
                     threshold, clear_threshold, for_ticks, keep_firing_for_ticks,
                     window_ticks, resolution, relative, no_data = "false" | "keep",
                     action = "none" | "degrade" | "fault" | "stop"
SIGNAL is window.KIND (violations of that kind in the budget window), latency_ns, drift_score
or step_violations.
KIND is one of input_range, input_nan, output, confidence, activation, latency, fault, drift,
rule.
"""

from __future__ import annotations

import hashlib
import math
import re
import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import tomllib

from .errors import InvalidArgumentError, InvalidTypeError
from .jcs import canonicalize
from .latency import crc32c

__all__ = [
    "Policy",
    "load_policy",
    "parse_policy",
    "VIOLATION_KINDS",
    "REACTIONS",
    "HEALTH_STATES",
    "POLICY_VERSION",
]

POLICY_VERSION = 1
VIOLATION_KINDS = (
    "input_range",
    "input_nan",
    "output",
    "confidence",
    "activation",
    "latency",
    "fault",
    "drift",
    "rule",
)
REACTIONS = ("none", "log", "warn", "clamp", "degrade", "stop")
HEALTH_STATES = ("init", "healthy", "degraded", "faulted", "stopped")
_DRIFT_MODES = ("off", "count", "tick")
SIGNALS = tuple(f"window.{k}" for k in VIOLATION_KINDS) + ("latency_ns", "drift_score", "step_violations")
_RULE_KINDS = ("threshold", "rate")  # mon_rule_kind 1, 2
_OPS = (">", ">=", "<", "<=")  # mon_rule_op 1..4
_ACTIONS = {"none": 1, "degrade": 2, "fault": 3, "stop": 4}  # the mon_health escalated to
_MAX_RULES = 16
_MAX_SAMPLES = 64
_METRICS = ("psi", "js_distance", "tv")
_U32 = 2**32 - 1
_U64 = 2**53  # JSON numbers: exact integers only (the canonical hash is over doubles)
_MAX_FEATURES, _MAX_OUTPUTS, _MAX_LAYERS, _MAX_SLOTS = 256, 256, 64, 64

_HEADER = 240


class _Lines:
    """Line numbers of keys in a TOML text: ``(table path..., key) -> line`` (1-based)."""

    _HDR = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
    _KEY = re.compile(r"^\s*([A-Za-z0-9_\-\"'.]+)\s*=")

    def __init__(self, text: str) -> None:
        self.map: dict[tuple[str, ...], int] = {}
        table: tuple[str, ...] = ()
        counts: dict[tuple[str, ...], int] = {}
        for no, line in enumerate(text.splitlines(), 1):
            m = self._HDR.match(line)
            if m:
                parts = tuple(p.strip().strip("\"'") for p in m.group(2).split("."))
                if m.group(1) == "[[":
                    i = counts.get(parts, 0)
                    counts[parts] = i + 1
                    table = (*parts, str(i))
                else:
                    table = parts
                self.map.setdefault(table, no)
                continue
            k = self._KEY.match(line)
            if k:
                key = tuple(p.strip().strip("\"'") for p in k.group(1).split("."))
                self.map.setdefault((*table, *key), no)

    def of(self, path: Sequence[str]) -> int | None:
        p = tuple(path)
        while p:
            if p in self.map:
                return self.map[p]
            p = p[:-1]
        return None


class _Checker:
    def __init__(self, lines: _Lines | None, source: str) -> None:
        self.lines = lines
        self.source = source

    def fail(self, path: Sequence[str], msg: str, *, typ: bool = False) -> None:
        where = ".".join(path) or "(top level)"
        line = self.lines.of(path) if self.lines is not None else None
        at = f"{self.source}, line {line}" if line is not None else self.source
        cls = InvalidTypeError if typ else InvalidArgumentError
        raise cls(f"{at}: {where}: {msg}")

    def table(self, v: Any, path: Sequence[str], allowed: Sequence[str]) -> Mapping[str, Any]:
        if not isinstance(v, Mapping):
            self.fail(path, f"expected a table, got {type(v).__name__}", typ=True)
        for k in v:
            if k not in allowed:
                self.fail((*path, k), f"unknown key (expected one of: {', '.join(allowed)})")
        out: Mapping[str, Any] = v
        return out

    def integer(self, v: Any, path: Sequence[str], lo: int, hi: int) -> int:
        if isinstance(v, bool) or not isinstance(v, int):
            self.fail(path, f"expected an integer, got {type(v).__name__} {v!r}", typ=True)
        if not lo <= v <= hi:
            self.fail(path, f"{v} is out of range [{lo}, {hi}]")
        return int(v)

    def number(self, v: Any, path: Sequence[str], *, finite: bool = True) -> float:
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            self.fail(path, f"expected a number, got {type(v).__name__} {v!r}", typ=True)
        if isinstance(v, int) and abs(v) > _U64:
            self.fail(path, f"{v} is not exactly representable (|n| <= 2**53)")
        x = float(v)
        if math.isnan(x):
            self.fail(path, "NaN is not allowed")
        if finite and math.isinf(x):
            self.fail(path, "must be finite")
        return x

    def choice(self, v: Any, path: Sequence[str], options: Sequence[str]) -> str:
        if not isinstance(v, str):
            self.fail(path, f"expected a string, got {type(v).__name__} {v!r}", typ=True)
        if v not in options:
            self.fail(path, f"{v!r} is not one of: {', '.join(options)}")
        return str(v)

    def string(self, v: Any, path: Sequence[str], maxlen: int = 64) -> str:
        if not isinstance(v, str):
            self.fail(path, f"expected a string, got {type(v).__name__} {v!r}", typ=True)
        if not v or len(v) > maxlen:
            self.fail(path, f"must have 1 to {maxlen} characters")
        return str(v)

    def range_(self, t: Mapping[str, Any], path: Sequence[str]) -> tuple[float, float]:
        for k in ("lo", "hi"):
            if k not in t:
                self.fail((*path, k), "missing (a range needs lo and hi)")
        lo = self.number(t["lo"], (*path, "lo"))
        hi = self.number(t["hi"], (*path, "hi"))
        if lo > hi:
            self.fail((*path, "lo"), f"lo {lo!r} is above hi {hi!r}")
        return lo, hi


@dataclass(frozen=True)
class Policy:
    """A validated safety policy. ``document`` is the normalised policy (every default
    filled in); ``hash`` the SHA-256 of its RFC 8785 canonical form; ``to_bytes`` the compiled
    blob for ``mon_policy_decode`` with features in ``feature_order`` (default: the policy's
    feature names sorted)."""

    document: Mapping[str, Any]
    canonical: bytes
    hash: bytes

    @property
    def feature_names(self) -> tuple[str, ...]:
        return tuple(sorted(self.document["features"]))

    @property
    def model_version(self) -> str:
        return str(self.document["model_version"])

    def to_bytes(self, feature_order: Sequence[str] | None = None) -> bytes:
        return _compile(self, feature_order)


def parse_policy(text: str, source: str = "<policy>") -> Policy:
    """Parse and validate a TOML policy text (``source`` names it in errors)."""
    if not isinstance(text, str):
        raise InvalidTypeError(f"policy text must be str, got {type(text).__name__}")
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidArgumentError(f"{source}: not valid TOML: {exc}") from None
    doc = _validate(raw, _Checker(_Lines(text), source))
    canon = canonicalize(doc)
    return Policy(document=doc, canonical=canon, hash=hashlib.sha256(canon).digest())


def load_policy(path: str) -> Policy:
    """Read and validate a TOML policy file."""
    with open(path, encoding="utf-8") as fh:
        return parse_policy(fh.read(), source=str(path))


def _validate(raw: Mapping[str, Any], c: _Checker) -> dict[str, Any]:
    top = c.table(
        raw,
        (),
        (
            "model_version",
            "features",
            "outputs",
            "confidence",
            "layers",
            "latency",
            "reactions",
            "budgets",
            "reset",
            "drift",
            "rules",
        ),
    )
    doc: dict[str, Any] = {"version": POLICY_VERSION}
    mv = top.get("model_version", "unknown")
    doc["model_version"] = c.string(mv, ("model_version",), 56)
    if not all(0x20 <= ord(ch) <= 0x7E for ch in doc["model_version"]):
        c.fail(("model_version",), "must be printable ASCII")
    if "features" not in top:
        c.fail(("features",), "missing: at least one [features.NAME] table")
    feats = c.table(
        top["features"], ("features",), list(top["features"]) if isinstance(top["features"], Mapping) else ()
    )
    if not 1 <= len(feats) <= _MAX_FEATURES:
        c.fail(("features",), f"needs 1 to {_MAX_FEATURES} features, got {len(feats)}")
    doc["features"] = {}
    for name, ft in feats.items():
        p: tuple[str, ...] = ("features", name)
        t = c.table(ft, p, ("lo", "hi", "nan", "nan_fill"))
        lo, hi = c.range_(t, p)
        nan = c.choice(t.get("nan", "reject"), (*p, "nan"), ("reject", "allow"))
        fill = c.number(t.get("nan_fill", lo if math.isfinite(lo) else 0.0), (*p, "nan_fill"))
        doc["features"][name] = {"lo": lo, "hi": hi, "nan": nan, "nan_fill": fill}
    outs = top.get("outputs", [])
    if not isinstance(outs, list):
        c.fail(("outputs",), "expected an array of tables [[outputs]]", typ=True)
    if len(outs) > _MAX_OUTPUTS:
        c.fail(("outputs",), f"at most {_MAX_OUTPUTS} outputs")
    doc["outputs"] = []
    seen: set[str] = set()
    for i, o in enumerate(outs):
        p = ("outputs", str(i))
        t = c.table(o, p, ("name", "lo", "hi"))
        if "name" not in t:
            c.fail((*p, "name"), "missing")
        name = c.string(t["name"], (*p, "name"))
        if name in seen:
            c.fail((*p, "name"), f"output {name!r} given twice")
        seen.add(name)
        lo, hi = c.range_(t, p)
        doc["outputs"].append({"name": name, "lo": lo, "hi": hi})
    if "confidence" in top:
        p = ("confidence",)
        t = c.table(top["confidence"], p, ("output", "lo", "hi"))
        if "output" not in t:
            c.fail((*p, "output"), "missing (the name of an [[outputs]] entry)")
        oname = c.string(t["output"], (*p, "output"))
        if oname not in seen:
            c.fail((*p, "output"), f"{oname!r} is not an output (outputs: {sorted(seen)})")
        lo, hi = c.range_(t, p)
        doc["confidence"] = {"output": oname, "lo": lo, "hi": hi}
    layers = top.get("layers", [])
    if not isinstance(layers, list):
        c.fail(("layers",), "expected an array of tables [[layers]]", typ=True)
    if len(layers) > _MAX_LAYERS:
        c.fail(("layers",), f"at most {_MAX_LAYERS} layers")
    doc["layers"] = []
    for i, lay in enumerate(layers):
        p = ("layers", str(i))
        t = c.table(lay, p, ("name", "max_rate_ppm", "max_overrange", "max_saturated"))
        for k in ("name", "max_rate_ppm", "max_overrange", "max_saturated"):
            if k not in t:
                c.fail((*p, k), "missing")
        doc["layers"].append(
            {
                "name": c.string(t["name"], (*p, "name")),
                "max_rate_ppm": c.integer(t["max_rate_ppm"], (*p, "max_rate_ppm"), 0, 1_000_000),
                "max_overrange": c.number(t["max_overrange"], (*p, "max_overrange")),
                "max_saturated": c.integer(t["max_saturated"], (*p, "max_saturated"), 0, _U64),
            }
        )
    lat = c.table(top.get("latency", {}), ("latency",), ("max_ns",))
    doc["latency"] = {"max_ns": c.integer(lat.get("max_ns", 0), ("latency", "max_ns"), 0, _U64)}
    rx = c.table(top.get("reactions", {}), ("reactions",), VIOLATION_KINDS)
    doc["reactions"] = {k: c.choice(rx.get(k, "log"), ("reactions", k), REACTIONS) for k in VIOLATION_KINDS}
    b = c.table(
        top.get("budgets", {}),
        ("budgets",),
        ("window_steps", "window_ticks", "recover_windows", "stop_after_windows", "degrade", "fault"),
    )
    bud: dict[str, Any] = {
        "window_steps": c.integer(b.get("window_steps", 100), ("budgets", "window_steps"), 0, _U64),
        "window_ticks": c.integer(b.get("window_ticks", 0), ("budgets", "window_ticks"), 0, _U64),
        "recover_windows": c.integer(b.get("recover_windows", 1), ("budgets", "recover_windows"), 0, _U32),
        "stop_after_windows": c.integer(
            b.get("stop_after_windows", 0), ("budgets", "stop_after_windows"), 0, _U32
        ),
    }
    if bud["window_steps"] == 0 and bud["window_ticks"] == 0:
        c.fail(("budgets", "window_steps"), "window_steps and window_ticks cannot both be 0")
    for which in ("degrade", "fault"):
        t = c.table(b.get(which, {}), ("budgets", which), VIOLATION_KINDS)
        # absent: unlimited (2**32 - 1)
        bud[which] = {k: c.integer(t.get(k, _U32), ("budgets", which, k), 0, _U32) for k in VIOLATION_KINDS}
    for k in VIOLATION_KINDS:
        if bud["fault"][k] < bud["degrade"][k]:
            c.fail(
                ("budgets", "fault", k),
                f"fault budget {bud['fault'][k]} is below the degrade budget {bud['degrade'][k]}",
            )
    doc["budgets"] = bud
    r = c.table(top.get("reset", {}), ("reset",), ("allowed_from",))
    af = r.get("allowed_from", ["faulted", "stopped"])
    if not isinstance(af, list):
        c.fail(("reset", "allowed_from"), "expected an array of state names", typ=True)
    doc["reset"] = {
        "allowed_from": sorted(
            {c.choice(s, ("reset", "allowed_from"), HEALTH_STATES) for s in af}, key=HEALTH_STATES.index
        )
    }
    d = c.table(
        top.get("drift", {}), ("drift",), ("mode", "metric", "slots", "slot_width", "threshold", "min_count")
    )
    drift: dict[str, Any] = {
        "mode": c.choice(d.get("mode", "off"), ("drift", "mode"), _DRIFT_MODES),
        "metric": c.choice(d.get("metric", "psi"), ("drift", "metric"), _METRICS),
        "slots": c.integer(d.get("slots", 4), ("drift", "slots"), 1, _MAX_SLOTS),
        "slot_width": c.integer(d.get("slot_width", 100), ("drift", "slot_width"), 1, _U64),
        "threshold": c.number(d.get("threshold", 0.2), ("drift", "threshold"), finite=True),
        "min_count": c.integer(d.get("min_count", 50), ("drift", "min_count"), 1, _U64),
    }
    if not 0.0 <= drift["threshold"] < 2.0**31:
        c.fail(("drift", "threshold"), f"{drift['threshold']!r} is out of range [0, 2**31)")
    doc["drift"] = drift
    doc["rules"] = _rules(top.get("rules", []), c)
    return doc


def _rules(raw: Any, c: _Checker) -> list[dict[str, Any]]:
    if not isinstance(raw, list):
        c.fail(("rules",), "expected an array of tables [[rules]]", typ=True)
    if len(raw) > _MAX_RULES:
        c.fail(("rules",), f"at most {_MAX_RULES} rules")
    keys = (
        "name", "signal", "kind", "op", "threshold", "clear_threshold", "for_ticks",
        "keep_firing_for_ticks", "window_ticks", "resolution", "relative", "no_data", "action",
    )  # fmt: skip
    out: list[dict[str, Any]] = []
    names: set[str] = set()
    for i, r in enumerate(raw):
        p = ("rules", str(i))
        t = c.table(r, p, keys)
        for k in ("name", "signal", "threshold", "action"):
            if k not in t:
                c.fail((*p, k), "missing")
        name = c.string(t["name"], (*p, "name"))
        if name in names:
            c.fail((*p, "name"), f"rule {name!r} given twice")
        names.add(name)
        kind = c.choice(t.get("kind", "threshold"), (*p, "kind"), _RULE_KINDS)
        op = c.choice(t.get("op", ">"), (*p, "op"), _OPS)
        thr = c.number(t["threshold"], (*p, "threshold"))
        rule: dict[str, Any] = {
            "name": name,
            "signal": c.choice(t["signal"], (*p, "signal"), SIGNALS),
            "kind": kind,
            "op": op,
            "threshold": thr,
            "for_ticks": c.integer(t.get("for_ticks", 0), (*p, "for_ticks"), 0, _U64),
            "keep_firing_for_ticks": c.integer(
                t.get("keep_firing_for_ticks", 0), (*p, "keep_firing_for_ticks"), 0, _U64
            ),
            "no_data": c.choice(t.get("no_data", "false"), (*p, "no_data"), ("false", "keep")),
            "action": c.choice(t["action"], (*p, "action"), tuple(_ACTIONS)),
        }
        if "clear_threshold" in t:
            clear = c.number(t["clear_threshold"], (*p, "clear_threshold"))
            if (op in (">", ">=") and clear > thr) or (op in ("<", "<=") and clear < thr):
                c.fail(
                    (*p, "clear_threshold"),
                    f"{clear!r} is on the wrong side of the threshold {thr!r} for {op!r}",
                )
            rule["clear_threshold"] = clear
        if kind == "rate":
            if "window_ticks" not in t:
                c.fail((*p, "window_ticks"), "missing (a rate rule needs its window)")
            rule["window_ticks"] = c.integer(t["window_ticks"], (*p, "window_ticks"), 1, _U64)
            rule["resolution"] = c.integer(t.get("resolution", 4), (*p, "resolution"), 1, _MAX_SAMPLES - 2)
            rel = t.get("relative", False)
            if not isinstance(rel, bool):
                c.fail((*p, "relative"), f"expected true or false, got {rel!r}", typ=True)
            rule["relative"] = rel
        else:
            for k in ("window_ticks", "resolution", "relative"):
                if k in t:
                    c.fail((*p, k), 'only for kind = "rate"')
        out.append(rule)
    return out


def threshold_raw(x: float) -> int:
    """A drift threshold in the C core's 2^-32 units: round(x * 2^32) exactly, ties up."""
    return int(Fraction(x) * 2**32 + Fraction(1, 2))


def _f64(x: float) -> bytes:
    return struct.pack("<d", x)


def _compile(p: Policy, order: Sequence[str] | None) -> bytes:
    d = p.document
    names = list(p.feature_names if order is None else order)
    if sorted(names) != sorted(d["features"]) or len(set(names)) != len(names):
        raise InvalidArgumentError(
            f"feature_order {names} must name each policy feature once (policy features: {sorted(d['features'])})"
        )
    outs = d["outputs"]
    conf = d.get("confidence")
    conf_idx = _U32 if conf is None else [o["name"] for o in outs].index(conf["output"])
    body = bytearray()
    body += b"MPOL" + struct.pack("<HH", POLICY_VERSION, 0) + b"\0\0\0\0" + p.hash
    body += struct.pack("<IIII", len(names), len(outs), len(d["layers"]), conf_idx)
    body += _f64(conf["lo"] if conf else 0.0) + _f64(conf["hi"] if conf else 0.0)
    body += struct.pack("<Q", d["latency"]["max_ns"])
    body += bytes(REACTIONS.index(d["reactions"][k]) for k in VIOLATION_KINDS) + b"\0\0\0"
    bud = d["budgets"]
    body += struct.pack("<9I", *(bud["degrade"][k] for k in VIOLATION_KINDS))
    body += struct.pack("<9I", *(bud["fault"][k] for k in VIOLATION_KINDS))
    reset_from = sum(1 << HEALTH_STATES.index(s) for s in d["reset"]["allowed_from"])
    dr = d["drift"]
    body += struct.pack("<QQ", bud["window_steps"], bud["window_ticks"])
    body += struct.pack(
        "<6I",
        bud["recover_windows"],
        bud["stop_after_windows"],
        reset_from,
        _DRIFT_MODES.index(dr["mode"]),
        _METRICS.index(dr["metric"]),
        dr["slots"],
    )
    body += struct.pack("<QQQ", dr["slot_width"], threshold_raw(dr["threshold"]), dr["min_count"])
    body += struct.pack("<II", len(d["rules"]), 0)
    assert len(body) == _HEADER
    for n in names:
        f = d["features"][n]
        body += _f64(f["lo"]) + _f64(f["hi"]) + _f64(f["nan_fill"])
        body += struct.pack("<II", 0 if f["nan"] == "reject" else 1, 0)
    for o in outs:
        body += _f64(o["lo"]) + _f64(o["hi"])
    for lay in d["layers"]:
        body += _f64(lay["max_overrange"]) + struct.pack("<QII", lay["max_saturated"], lay["max_rate_ppm"], 0)
    for r in d["rules"]:
        has_clear = "clear_threshold" in r
        body += struct.pack("<II", _RULE_KINDS.index(r["kind"]) + 1, _OPS.index(r["op"]) + 1)
        body += _f64(r["threshold"]) + _f64(r.get("clear_threshold", 0.0))
        body += struct.pack("<II", int(has_clear), 0 if r["no_data"] == "false" else 1)
        body += struct.pack("<QQQ", r["for_ticks"], r["keep_firing_for_ticks"], r.get("window_ticks", 0))
        body += struct.pack(
            "<IIII",
            r.get("resolution", 0),
            int(r.get("relative", False)),
            SIGNALS.index(r["signal"]),
            _ACTIONS[r["action"]],
        )
    body[8:12] = struct.pack("<I", len(body) + 4)
    return bytes(body) + struct.pack("<I", crc32c(bytes(body)))
