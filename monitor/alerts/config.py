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
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import cast

from ..errors import InvalidArgumentError, InvalidTypeError
from ..signals import check_signal
from .conditions import (
    MAX_DEPTH,
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
from .units import check_bool, show

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


class _ConfigTypeError(_ConfigError, InvalidTypeError):
    pass


class _Doc:
    """Error context: the file name and, for TOML, the line of each [[table]] header."""

    def __init__(self, source: str, text: str, is_toml: bool) -> None:
        self.source = source
        self.headers: dict[str, list[int]] = {}
        self.lines: list[str] = text.splitlines() if is_toml else []
        self.starts: list[int] = []  # every table header line, in order
        for lineno, line in enumerate(self.lines, 1):
            if re.match(r"\s*\[", line):
                self.starts.append(lineno)
            m = re.match(r"\s*\[\[\s*([A-Za-z_]+)\s*\]\]", line)
            if m:
                self.headers.setdefault(m.group(1), []).append(lineno)

    def line_of(self, path: str) -> int | None:
        """The TOML line of ``path``: the line of its first key inside the table when found
        there (``rule[1] (x).firing``), else the table's ``[[header]]`` line."""
        m = re.match(r"([a-z_]+)\[(\d+)\](?: \([^)]*\))?(?:\.([A-Za-z_]+))?", path)
        if not m:
            return None
        heads = self.headers.get(m.group(1), [])
        idx = int(m.group(2))
        if idx >= len(heads):
            return None
        head = heads[idx]
        key = m.group(3)
        if key:
            end = next((n for n in self.starts if n > head), len(self.lines) + 1)
            pat = re.compile(rf"\s*{key}\s*=")
            for n in range(head + 1, end):
                if pat.match(self.lines[n - 1]):
                    return n
        return head

    def fail(self, path: str, message: str, type_error: bool = False) -> _ConfigError:
        where = self.source
        line = self.line_of(path)
        if line is not None:
            where += f", line {line}"
        cls = _ConfigTypeError if type_error else _ConfigError
        return cls(f"{where}: {path}: {message}")

    def wrap(self, path: str, exc: InvalidArgumentError) -> _ConfigError:
        """``exc`` (from a constructor) with the file, path and line in front; a type error stays one."""
        return self.fail(path, str(exc), isinstance(exc, TypeError))

    def flag(self, table: Mapping[str, object], key: str, default: bool, path: str) -> bool:
        """A true/false field: a string such as "false" is refused, never read as true."""
        if key not in table:
            return default
        try:
            return check_bool(table[key], key)
        except InvalidArgumentError as exc:
            raise self.wrap(f"{path}.{key}", exc) from None


def _check_keys(doc: _Doc, table: object, allowed: set[str], path: str) -> Mapping[str, object]:
    if not isinstance(table, dict):
        raise doc.fail(path, f"expected a table/object, got {type(table).__name__}", True)
    if not all(isinstance(k, str) for k in table):
        raise doc.fail(path, "field names must be strings", True)
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
    raise doc.fail(path, f"expected a signal name or a list of names, got {show(value)}")


def _condition(
    doc: _Doc, table: Mapping[str, object], path: str, signals: list[tuple[str, str]], depth: int = 1
) -> Condition:
    if depth > MAX_DEPTH:
        raise doc.fail(
            path.split(".", 1)[0],
            f"conditions nested more than {MAX_DEPTH} deep (all/any/not); at most {MAX_DEPTH} levels are allowed",
        )
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
        raise doc.fail(path, f"field(s) {', '.join(repr(k) for k in extra)} do not belong with {show(kind)}")
    try:
        if kind in ("threshold", "baseline"):
            for key in ("signal", "op"):
                if key not in table:
                    raise doc.fail(path, f"missing {show(key)}")
            sig = table["signal"]
            if not isinstance(sig, str):
                raise doc.fail(f"{path}.signal", f"expected a string, got {type(sig).__name__}", True)
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
                    raise doc.fail(f"{path}.baseline.reference", "expected a list of numbers", True)
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
                    raise doc.fail(f"{path}.rate_of_change", f"missing {show(key)}")
            if not isinstance(r["signal"], str):
                raise doc.fail(f"{path}.rate_of_change.signal", "expected a string", True)
            signals.append((f"{path}.rate_of_change.signal", r["signal"]))
            return RateOfChange(
                r["signal"],
                cast(str, r["op"]),
                cast(int | float | str, r["change"]),
                cast(int | float | str, r["window"]),
                relative=doc.flag(r, "relative", True, f"{path}.rate_of_change"),
                resolution=cast(int, r.get("resolution", 60)),
            )
        if kind == "burn_rate":
            br = _check_keys(doc, table["burn_rate"], _BURN_KEYS, f"{path}.burn_rate")
            for key in ("total", "objective", "windows"):
                if key not in br:
                    raise doc.fail(f"{path}.burn_rate", f"missing {show(key)}")
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
                partial_windows=doc.flag(br, "partial_windows", True, f"{path}.burn_rate"),
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
                    conds.append(_condition(doc, sub, f"{path}.{kind}[{i}]", signals, depth + 1))
            return AllOf(*conds) if kind == "all" else AnyOf(*conds)
        if kind == "not":
            neg = table["not"]
            if isinstance(neg, str):
                return Not(RuleRef(neg))
            sub = _check_keys(doc, neg, _COND_KEYS, f"{path}.not")
            return Not(_condition(doc, sub, f"{path}.not", signals, depth + 1))
        ref = table["rule"]
        if not isinstance(ref, str):
            raise doc.fail(f"{path}.rule", f"expected a rule name, got {type(ref).__name__}", True)
        return RuleRef(ref, firing=doc.flag(table, "firing", False, path))
    except _ConfigError:
        raise
    except InvalidArgumentError as exc:
        raise doc.wrap(path, exc) from None
    except TypeError as exc:
        raise doc.fail(path, f"bad field: {exc}", True) from None


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
    if not isinstance(source, str) or not isinstance(text, str):
        raise InvalidTypeError("parse_config: source and text must be strings")
    doc = _Doc(source, text, bool(is_toml))
    top = _check_keys(doc, data, _TOP_KEYS, "(top level)")
    if isinstance(extra_signals, str):
        extra_signals = (extra_signals,)
    if not isinstance(extra_signals, Iterable):
        raise InvalidTypeError(
            f"extra_signals must be a list of signal names or globs, got {type(extra_signals).__name__}"
        )
    extra = list(extra_signals)
    if not all(isinstance(x, str) for x in extra):
        raise InvalidTypeError("extra_signals must be signal names or globs (strings)")
    if "signals" in top:
        sg = top["signals"]
        if not isinstance(sg, list) or not all(isinstance(s, str) for s in sg):
            raise doc.fail("signals", "expected a list of signal names or globs", True)
        extra.extend(cast(list[str], sg))
    keys = None if snapshot is None else set(signals_of(snapshot))
    rules: list[Rule] = []
    signals: list[tuple[str, str]] = []

    def tables(name: str) -> list[object]:
        v = top.get(name, [])
        if not isinstance(v, list):
            raise doc.fail(name, f"expected an array of tables ([[{name}]] in TOML, a list in JSON)", True)
        return v

    for i, raw in enumerate(tables("rule")):
        path = f"rule[{i}]"
        t = _check_keys(doc, raw, _RULE_KEYS | _COND_KEYS, path)
        name = t.get("name")
        if not isinstance(name, str):
            raise doc.fail(path, "missing 'name' (a string)", "name" in t)
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
        except _ConfigError:
            raise
        except InvalidArgumentError as exc:
            raise doc.wrap(path, exc) from None
    for i, raw in enumerate(tables("slo")):
        path = f"slo[{i}]"
        t = _check_keys(doc, raw, _SLO_KEYS, path)
        for key in ("name", "objective", "total"):
            if key not in t:
                raise doc.fail(path, f"missing {show(key)}")
        if not isinstance(t["name"], str):
            raise doc.fail(f"{path}.name", f"expected a string, got {type(t['name']).__name__}", True)
        total = _str_or_list(doc, t["total"], f"{path}.total")
        good = None if "good" not in t else _str_or_list(doc, t["good"], f"{path}.good")
        bad = None if "bad" not in t else _str_or_list(doc, t["bad"], f"{path}.bad")
        for key, val in (("total", total), ("good", good), ("bad", bad)):
            for s in (val,) if isinstance(val, str) else (val or ()):
                signals.append((f"{path}.{key}", s))
        try:
            rules.extend(
                slo_burn_rate_rules(
                    t["name"],
                    cast(int | float | str, t["objective"]),
                    total=total,
                    good=good,
                    bad=bad,
                    period=cast(int | float | str, t.get("period", "30d")),
                    route=cast(str | None, t.get("route")),
                    labels=cast(Mapping[str, str] | None, t.get("labels")),
                    resolution=cast(int, t.get("resolution", 60)),
                    partial_windows=doc.flag(t, "partial_windows", True, path),
                )
            )
        except _ConfigError:
            raise
        except InvalidArgumentError as exc:
            raise doc.wrap(path, exc) from None
    silences: list[Silence] = []
    for i, raw in enumerate(tables("silence")):
        path = f"silence[{i}]"
        t = _check_keys(doc, raw, _SILENCE_KEYS, path)
        for key in ("start", "end"):
            if key not in t:
                raise doc.fail(path, f"missing {show(key)}")
        try:
            silences.append(
                Silence(
                    start=cast(str, t["start"]),
                    end=cast(str, t["end"]),
                    rules=cast(tuple[str, ...], t.get("rules", ())),
                    labels=cast(Mapping[str, str], t.get("labels", {})),
                    comment=cast(str, t.get("comment", "")),
                )
            )
        except _ConfigError:
            raise
        except InvalidArgumentError as exc:
            raise doc.wrap(path, exc) from None
    for path, sig in signals:
        try:
            check_signal(sig, extra, "signal")
        except _ConfigError:
            raise
        except InvalidArgumentError as exc:
            raise doc.wrap(path, exc) from None
        if keys is not None and sig not in keys:
            raise doc.fail(path, f"signal {show(sig)} is not in the snapshot (it has {len(keys)} signals)")
    seen: set[str] = set()
    for r in rules:
        if r.name in seen:
            raise doc.fail("rule", f"duplicate rule name {show(r.name)}")
        seen.add(r.name)
    try:  # references and cycles: the engine's own check
        dependency_order(rules, {r.name: r for r in rules})
    except InvalidArgumentError as exc:
        raise doc.wrap("rule", exc) from None
    return AlertConfig(rules, silences, tuple(extra))


def load_config(
    path: str | os.PathLike[str], *, extra_signals: Iterable[str] = (), snapshot: SnapshotLike | None = None
) -> AlertConfig:
    """Read a ``.toml`` or ``.json`` rule file."""
    try:
        source = os.fspath(path)
    except TypeError:
        raise InvalidTypeError(
            f"a rule file path must be a str or os.PathLike, got {type(path).__name__}"
        ) from None
    if not isinstance(source, str):
        raise InvalidTypeError(f"a rule file path must be a str, got {type(source).__name__}")
    if not source.endswith((".json", ".toml")):
        raise InvalidArgumentError(f"{source}: rule files must end in .toml or .json")
    try:
        with open(source, "rb") as fh:
            raw = fh.read()
    except OSError as exc:
        raise InvalidArgumentError(
            f"{source}: cannot read the rule file ({exc.strerror or type(exc).__name__})"
        ) from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidArgumentError(f"{source}: not UTF-8 text ({exc})") from None
    if source.endswith(".json"):
        try:
            data = json.loads(text, object_pairs_hook=_no_duplicates)
        except json.JSONDecodeError as exc:
            raise InvalidArgumentError(
                f"{source}, line {exc.lineno}, column {exc.colno}: invalid JSON: {exc.msg}"
            ) from None
        except _DuplicateKey as exc:
            raise InvalidArgumentError(f"{source}: invalid JSON: {exc}") from None
        except RecursionError:
            raise InvalidArgumentError(f"{source}: JSON nested too deeply to read") from None
        except ValueError as exc:  # e.g. an integer of more digits than Python converts
            raise InvalidArgumentError(f"{source}: invalid JSON: {exc}") from None
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
        except RecursionError:
            raise InvalidArgumentError(f"{source}: TOML nested too deeply to read") from None
        except ValueError as exc:
            raise InvalidArgumentError(f"{source}: invalid TOML: {exc}") from None
        return parse_config(
            data, source, text=text, is_toml=True, extra_signals=extra_signals, snapshot=snapshot
        )
    raise InvalidArgumentError(f"{source}: rule files must end in .toml or .json")


class _DuplicateKey(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    out: dict[str, object] = {}
    for k, v in pairs:
        if k in out:
            raise _DuplicateKey(f"key {show(k)} appears twice in one object")
        out[k] = v
    return out


def load_rules(
    path: str | os.PathLike[str], *, extra_signals: Iterable[str] = (), snapshot: SnapshotLike | None = None
) -> list[Rule]:
    """Rules from a TOML or JSON file (the format: :mod:`monitor.alerts.config`).
    Unknown fields, unknown signals and bad units raise :class:`InvalidArgumentError` naming the key
    (and the line for syntax errors). With ``snapshot``, every signal must also be one of its keys."""
    return load_config(path, extra_signals=extra_signals, snapshot=snapshot).rules


__all__ = ["AlertConfig", "load_config", "load_rules", "parse_config"]
