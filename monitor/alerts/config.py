"""Rule files: declarative alert rules and silences from TOML or JSON.

Public as :mod:`monitor.alerts.config` (:func:`load_config`, :func:`parse_config`,
:class:`AlertConfig`); :func:`monitor.alerts.load_rules` and
:meth:`monitor.alerts.AlertEngine.from_file` read files through it. Both formats hold the same
document. TOML::

    signals = ["custom.*"]            # optional: extra allowed signal names (globs)

    [[rule]]
    name = "latency_p99_high"
    signal = "latency.p99_ms"
    op = ">"
    threshold = "500ms"
    clear = "400ms"                   # hysteresis (optional)
    for = "5m"
    keep_firing_for = "2m"
    severity = "page"                 # page | ticket | info
    route = "platform"                # optional, default from the signal's category
    summary = "P99 latency above 500 ms for 5 minutes"
    labels = { service = "fraud-model" }

    [[rule]]
    name = "latency_p99_baseline"
    signal = "latency.p99_ms"
    op = ">"
    baseline = { k = 3, mean = "180ms", sigma = "40ms" }     # or { k = 3, history = 60 }
                                                             # or { k = 3, reference = [..] }
    [[rule]]
    name = "infra_errors_rising"
    rate_of_change = { signal = "errors.rate.infrastructure", op = ">=", change = "300%", window = "10m" }

    [[rule]]
    name = "incident"
    all = ["latency_p99_high", "infra_errors_rising",
           { rate_of_change = { signal = "throughput.processed_rps", op = "<=", change = "-20%", window = "10m" } }]

    [[slo]]                           # SRE workbook page + ticket burn-rate rules
    name = "availability"
    objective = "99.9%"
    good = "slo.availability.good"
    total = "slo.availability.total"

    [[silence]]
    rules = ["latency_*"]
    start = "2026-01-23T18:00:00Z"
    end = "2026-01-23T20:00:00Z"
    comment = "planned load test"

A condition (a rule's own keys, or an item of ``all`` / ``any`` / ``not``) is exactly one of:
``signal`` + ``op`` + ``threshold`` [+ ``clear``]; ``signal`` + ``op`` + ``baseline``;
``rate_of_change``; ``burn_rate`` (``total``, ``good`` or ``bad``, ``objective``,
``windows = [["1h", "5m", 14.4], ...]``); ``all``; ``any``; ``not``; ``rule`` [+ ``firing``]
(a reference to another rule; a bare string in ``all``/``any`` is the same). Unknown keys,
unknown signals and bad units are errors naming the file, the key path and (TOML) the line.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import cast

from ..errors import InvalidArgumentError
from ..signals import check_signal
from .conditions import (
    AllOf,
    AnyOf,
    Baseline,
    BurnRate,
    Condition,
    Not,
    RateOfChange,
    RuleRef,
    Threshold,
)
from .evaluators import SnapshotLike, signals_of
from .presets import slo_burn_rate_rules
from .rules import Rule, Silence, dependency_order

_TOP_KEYS = {"rule", "slo", "silence", "signals"}
_RULE_KEYS = {"name", "for", "keep_firing_for", "severity", "route", "labels", "summary", "no_data"}
_COND_KEYS = {
    "signal",
    "op",
    "threshold",
    "clear",
    "baseline",
    "rate_of_change",
    "burn_rate",
    "all",
    "any",
    "not",
    "rule",
    "firing",
}
_BASELINE_KEYS = {
    "k",
    "mean",
    "sigma",
    "history",
    "min_history",
    "clear_k",
    "freeze_when_active",
    "reference",
}
_RATE_KEYS = {"signal", "op", "change", "window", "relative", "resolution"}
_BURN_KEYS = {"total", "good", "bad", "objective", "windows", "resolution", "partial_windows"}
_SLO_KEYS = {
    "name",
    "objective",
    "good",
    "bad",
    "total",
    "period",
    "route",
    "labels",
    "resolution",
    "partial_windows",
}
_SILENCE_KEYS = {"start", "end", "rules", "labels", "comment"}


@dataclass(frozen=True, slots=True)
class AlertConfig:
    """The content of a rule file."""

    rules: list[Rule]
    silences: list[Silence]
    extra_signals: tuple[str, ...]


class _ConfigError(InvalidArgumentError):
    pass


class _Doc:
    """Error context: the file name and, for TOML, the line of each [[table]] header."""

    def __init__(self, source: str, text: str, is_toml: bool) -> None:
        self.source = source
        self.headers: dict[str, list[int]] = {}
        if is_toml:
            for lineno, line in enumerate(text.splitlines(), 1):
                m = re.match(r"\s*\[\[\s*([A-Za-z_]+)\s*\]\]", line)
                if m:
                    self.headers.setdefault(m.group(1), []).append(lineno)

    def fail(self, path: str, message: str) -> _ConfigError:
        where = self.source
        m = re.match(r"([a-z_]+)\[(\d+)\]", path)
        if m:
            lines = self.headers.get(m.group(1), [])
            idx = int(m.group(2))
            if idx < len(lines):
                where += f", line {lines[idx]}"
        return _ConfigError(f"{where}: {path}: {message}")


def _check_keys(doc: _Doc, table: object, allowed: set[str], path: str) -> Mapping[str, object]:
    if not isinstance(table, dict):
        raise doc.fail(path, f"expected a table/object, got {type(table).__name__}")
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise doc.fail(
            path,
            f"unknown field(s) {', '.join(repr(k) for k in unknown)}; allowed: {', '.join(sorted(allowed))}",
        )
    return table


def _str_or_list(doc: _Doc, value: object, path: str) -> str | tuple[str, ...]:
    if isinstance(value, str):
        return value
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise doc.fail(path, f"expected a signal name or a list of names, got {value!r}")


def _condition(
    doc: _Doc, table: Mapping[str, object], path: str, signals: list[tuple[str, str]]
) -> Condition:
    present = [
        k
        for k in ("threshold", "baseline", "rate_of_change", "burn_rate", "all", "any", "not", "rule")
        if k in table
    ]
    if len(present) != 1:
        raise doc.fail(
            path,
            "a condition needs exactly one of threshold, baseline, rate_of_change, burn_rate, all, any, not, rule"
            + (f" (got {', '.join(present)})" if present else ""),
        )
    kind = present[0]
    allowed = {
        "threshold": {"signal", "op", "threshold", "clear"},
        "baseline": {"signal", "op", "baseline"},
        "rule": {"rule", "firing"},
    }.get(kind, {kind})
    extra = sorted(set(table) & _COND_KEYS - allowed)
    if extra:
        raise doc.fail(path, f"field(s) {', '.join(repr(k) for k in extra)} do not belong with {kind!r}")
    try:
        if kind in ("threshold", "baseline"):
            for key in ("signal", "op"):
                if key not in table:
                    raise doc.fail(path, f"missing {key!r}")
            sig = table["signal"]
            if not isinstance(sig, str):
                raise doc.fail(f"{path}.signal", "expected a string")
            signals.append((f"{path}.signal", sig))
            if kind == "threshold":
                return Threshold(
                    sig,
                    cast(str, table["op"]),
                    cast(int | float | str, table["threshold"]),
                    cast(int | float | str | None, table.get("clear")),
                )
            b = dict(_check_keys(doc, table["baseline"], _BASELINE_KEYS, f"{path}.baseline"))
            ref = b.pop("reference", None)
            if ref is not None:
                if not isinstance(ref, list):
                    raise doc.fail(f"{path}.baseline.reference", "expected a list of numbers")
                if "mean" in b or "sigma" in b or "history" in b:
                    raise doc.fail(f"{path}.baseline", "give one of reference, mean+sigma, history")
                base = Baseline.from_reference(
                    cast(list[float], ref),
                    k=cast(float, b.get("k", 3.0)),
                    clear_k=cast(float | None, b.get("clear_k")),
                )
            else:
                base = Baseline(**b)  # type: ignore[arg-type]
            return Threshold(sig, cast(str, table["op"]), base)
        if kind == "rate_of_change":
            r = _check_keys(doc, table["rate_of_change"], _RATE_KEYS, f"{path}.rate_of_change")
            for key in ("signal", "op", "change", "window"):
                if key not in r:
                    raise doc.fail(f"{path}.rate_of_change", f"missing {key!r}")
            if not isinstance(r["signal"], str):
                raise doc.fail(f"{path}.rate_of_change.signal", "expected a string")
            signals.append((f"{path}.rate_of_change.signal", r["signal"]))
            return RateOfChange(
                r["signal"],
                cast(str, r["op"]),
                cast(int | float | str, r["change"]),
                cast(int | float | str, r["window"]),
                relative=bool(r.get("relative", True)),
                resolution=cast(int, r.get("resolution", 60)),
            )
        if kind == "burn_rate":
            br = _check_keys(doc, table["burn_rate"], _BURN_KEYS, f"{path}.burn_rate")
            for key in ("total", "objective", "windows"):
                if key not in br:
                    raise doc.fail(f"{path}.burn_rate", f"missing {key!r}")
            wins = br["windows"]
            if not isinstance(wins, list) or not all(isinstance(w, list) and len(w) == 3 for w in wins):
                raise doc.fail(
                    f"{path}.burn_rate.windows",
                    'expected a list of [long, short, factor], e.g. [["1h", "5m", 14.4]]',
                )
            total = _str_or_list(doc, br["total"], f"{path}.burn_rate.total")
            good = None if "good" not in br else _str_or_list(doc, br["good"], f"{path}.burn_rate.good")
            bad = None if "bad" not in br else _str_or_list(doc, br["bad"], f"{path}.burn_rate.bad")
            for key, val in (("total", total), ("good", good), ("bad", bad)):
                for s in (val,) if isinstance(val, str) else (val or ()):
                    signals.append((f"{path}.burn_rate.{key}", s))
            return BurnRate(
                total=total,
                objective=cast(int | float | str, br["objective"]),
                windows=tuple(cast(tuple[str, str, float], tuple(w)) for w in wins),
                good=good,
                bad=bad,
                resolution=cast(int, br.get("resolution", 60)),
                partial_windows=bool(br.get("partial_windows", True)),
            )
        if kind in ("all", "any"):
            items = table[kind]
            if not isinstance(items, list) or not items:
                raise doc.fail(
                    f"{path}.{kind}", "expected a non-empty list of rule names or condition tables"
                )
            conds: list[Condition | str] = []
            for i, item in enumerate(items):
                if isinstance(item, str):
                    conds.append(RuleRef(item))
                else:
                    sub = _check_keys(doc, item, _COND_KEYS, f"{path}.{kind}[{i}]")
                    conds.append(_condition(doc, sub, f"{path}.{kind}[{i}]", signals))
            return AllOf(*conds) if kind == "all" else AnyOf(*conds)
        if kind == "not":
            neg = table["not"]
            if isinstance(neg, str):
                return Not(RuleRef(neg))
            return Not(
                _condition(doc, _check_keys(doc, neg, _COND_KEYS, f"{path}.not"), f"{path}.not", signals)
            )
        ref = table["rule"]
        if not isinstance(ref, str):
            raise doc.fail(f"{path}.rule", "expected a rule name")
        return RuleRef(ref, firing=bool(table.get("firing", False)))
    except _ConfigError:
        raise
    except InvalidArgumentError as exc:
        raise doc.fail(path, str(exc)) from None
    except TypeError as exc:
        raise doc.fail(path, f"bad field: {exc}") from None


def parse_config(
    data: object,
    source: str = "<rules>",
    *,
    text: str = "",
    is_toml: bool = False,
    extra_signals: Iterable[str] = (),
    snapshot: SnapshotLike | None = None,
) -> AlertConfig:
    """Build rules and silences from an already parsed document (see the module docstring)."""
    doc = _Doc(source, text, is_toml)
    top = _check_keys(doc, data, _TOP_KEYS, "(top level)")
    extra = list(extra_signals)
    if "signals" in top:
        sg = top["signals"]
        if not isinstance(sg, list) or not all(isinstance(s, str) for s in sg):
            raise doc.fail("signals", "expected a list of signal names or globs")
        extra.extend(cast(list[str], sg))
    keys = None if snapshot is None else set(signals_of(snapshot))
    rules: list[Rule] = []
    signals: list[tuple[str, str]] = []

    def tables(name: str) -> list[object]:
        v = top.get(name, [])
        if not isinstance(v, list):
            raise doc.fail(name, f"expected an array of tables ([[{name}]] in TOML, a list in JSON)")
        return v

    for i, raw in enumerate(tables("rule")):
        path = f"rule[{i}]"
        t = _check_keys(doc, raw, _RULE_KEYS | _COND_KEYS, path)
        name = t.get("name")
        if not isinstance(name, str):
            raise doc.fail(path, "missing 'name' (a string)")
        path = f"rule[{i}] ({name})"
        cond_table = {k: v for k, v in t.items() if k in _COND_KEYS}
        cond = _condition(doc, cond_table, path, signals)
        kw: dict[str, object] = {}
        for key, arg in (
            ("for", "for_"),
            ("keep_firing_for", "keep_firing_for"),
            ("severity", "severity"),
            ("route", "route"),
            ("labels", "labels"),
            ("summary", "summary"),
            ("no_data", "no_data"),
        ):
            if key in t:
                kw[arg] = t[key]
        try:
            rules.append(Rule(name, condition=cond, **kw))  # type: ignore[arg-type]
        except InvalidArgumentError as exc:
            raise doc.fail(path, str(exc)) from None
    for i, raw in enumerate(tables("slo")):
        path = f"slo[{i}]"
        t = _check_keys(doc, raw, _SLO_KEYS, path)
        for key in ("name", "objective", "total"):
            if key not in t:
                raise doc.fail(path, f"missing {key!r}")
        total = _str_or_list(doc, t["total"], f"{path}.total")
        good = None if "good" not in t else _str_or_list(doc, t["good"], f"{path}.good")
        bad = None if "bad" not in t else _str_or_list(doc, t["bad"], f"{path}.bad")
        for key, val in (("total", total), ("good", good), ("bad", bad)):
            for s in (val,) if isinstance(val, str) else (val or ()):
                signals.append((f"{path}.{key}", s))
        try:
            rules.extend(
                slo_burn_rate_rules(
                    cast(str, t["name"]),
                    cast(int | float | str, t["objective"]),
                    total=total,
                    good=good,
                    bad=bad,
                    period=cast(int | float | str, t.get("period", "30d")),
                    route=cast(str | None, t.get("route")),
                    labels=cast(Mapping[str, str] | None, t.get("labels")),
                    resolution=cast(int, t.get("resolution", 60)),
                    partial_windows=bool(t.get("partial_windows", True)),
                )
            )
        except InvalidArgumentError as exc:
            raise doc.fail(path, str(exc)) from None
    silences: list[Silence] = []
    for i, raw in enumerate(tables("silence")):
        path = f"silence[{i}]"
        t = _check_keys(doc, raw, _SILENCE_KEYS, path)
        for key in ("start", "end"):
            if key not in t:
                raise doc.fail(path, f"missing {key!r}")
        try:
            rules_v = t.get("rules", ())
            silences.append(
                Silence(
                    start=cast(str, t["start"]),
                    end=cast(str, t["end"]),
                    rules=(rules_v,) if isinstance(rules_v, str) else tuple(cast(Sequence[str], rules_v)),
                    labels=cast(Mapping[str, str], t.get("labels", {})),
                    comment=str(t.get("comment", "")),
                )
            )
        except InvalidArgumentError as exc:
            raise doc.fail(path, str(exc)) from None
    for path, sig in signals:
        try:
            check_signal(sig, extra, "signal")
        except InvalidArgumentError as exc:
            raise doc.fail(path, str(exc)) from None
        if keys is not None and sig not in keys:
            raise doc.fail(path, f"signal {sig!r} is not in the snapshot (it has {len(keys)} signals)")
    seen: set[str] = set()
    for r in rules:
        if r.name in seen:
            raise doc.fail("rule", f"duplicate rule name {r.name!r}")
        seen.add(r.name)
    try:  # references and cycles: the engine's own check
        dependency_order(rules, {r.name: r for r in rules})
    except InvalidArgumentError as exc:
        raise doc.fail("rule", str(exc)) from None
    return AlertConfig(rules, silences, tuple(extra))


def load_config(
    path: str | os.PathLike[str], *, extra_signals: Iterable[str] = (), snapshot: SnapshotLike | None = None
) -> AlertConfig:
    """Read a ``.toml`` or ``.json`` rule file."""
    source = os.fspath(path)
    with open(source, "rb") as fh:
        raw = fh.read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidArgumentError(f"{source}: not UTF-8 text ({exc})") from None
    if source.endswith(".json"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InvalidArgumentError(
                f"{source}, line {exc.lineno}, column {exc.colno}: invalid JSON: {exc.msg}"
            ) from None
        return parse_config(data, source, text=text, extra_signals=extra_signals, snapshot=snapshot)
    if source.endswith(".toml"):
        try:
            import tomllib as toml
        except ModuleNotFoundError:  # Python 3.10
            try:
                import tomli as toml  # type: ignore[no-redef, import-not-found, unused-ignore]
            except ModuleNotFoundError:
                raise InvalidArgumentError(
                    f"{source}: reading TOML on Python 3.10 needs the 'tomli' package "
                    "(pip install 'monitor[toml]'), or use a JSON rule file"
                ) from None
        try:
            data = toml.loads(text)
        except toml.TOMLDecodeError as exc:
            raise InvalidArgumentError(f"{source}: invalid TOML: {exc}") from None
        return parse_config(
            data, source, text=text, is_toml=True, extra_signals=extra_signals, snapshot=snapshot
        )
    raise InvalidArgumentError(f"{source}: rule files must end in .toml or .json")


def load_rules(
    path: str | os.PathLike[str], *, extra_signals: Iterable[str] = (), snapshot: SnapshotLike | None = None
) -> list[Rule]:
    """Rules from a TOML or JSON file (the format: :mod:`monitor.alerts.config`).
    Unknown fields, unknown signals and bad units raise :class:`InvalidArgumentError` naming the key
    (and the line for syntax errors). With ``snapshot``, every signal must also be one of its keys."""
    return load_config(path, extra_signals=extra_signals, snapshot=snapshot).rules


__all__ = ["AlertConfig", "load_config", "load_rules", "parse_config"]
