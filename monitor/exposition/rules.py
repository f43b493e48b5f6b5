"""Prometheus alerting rules equivalent to the project's own rules (part of
:mod:`monitor.exposition`; ``monitor rules to-prometheus RULES_FILE``).

Each rule of a rule file (:mod:`monitor.alerts.config`) becomes one Prometheus alerting rule over
the exported metric names (:data:`monitor.signals.EXPORTS`), per monitor (every expression keeps
the ``service`` and ``model_version`` labels):

- a threshold ``signal op value`` is ``metric{labels} op value`` with the value in the metric's
  base unit (``500ms`` -> ``0.5``); a hysteresis ``clear`` level keeps the alert while the rule
  is active, as in-process: ``(m > level) or (m > clear and on(service, model_version)
  ALERTS{alertname="..."})``; a baseline with a fixed mean and sigma is its level;
- a rate of change is ``(m - m offset W) / abs(m offset W) op change`` (absolute: ``m - m offset
  W``);
- a burn rate is, per ``(long, short, factor)`` row, ``bad ratio over long / (1 - objective) >
  factor and the same over short``, rows joined by ``or``; the ratio is
  ``sum(increase(bad[W])) / sum(increase(total[W]))`` (``1 - good / total``);
- ``all`` / ``any`` / ``not`` are ``and`` / ``or`` / ``unless`` on ``(service, model_version)``;
  a reference to another rule's condition is that rule's expression; ``firing = true`` is
  ``ALERTS{alertname="...", alertstate="firing"}``;
- ``for`` and ``keep_firing_for`` (Prometheus 2.42+) are copied; severity, route and the rule's
  labels are labels; the summary is an annotation.

What has no PromQL equivalent is refused with the rule's name: a baseline learned from history
(its freezing while active has no PromQL form) and signals outside the registry.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from typing import Any

from .. import signals
from ..alerts import AllOf, AnyOf, Baseline, BurnRate, Condition, Not, RateOfChange, Rule, RuleRef, Threshold
from ..alerts.conditions import baseline_level
from ..alerts.config import load_config
from ..errors import InvalidArgumentError
from .names import escape_label_value

ON = "on(service, model_version)"
BY = "by (service, model_version)"


def _num(x: float) -> str:
    if math.isinf(x):
        return "+Inf" if x > 0 else "-Inf"
    return repr(float(x))


def _duration(seconds: float) -> str:
    ms = round(seconds * 1000)
    if ms % 1000:
        return f"{ms}ms"
    s = ms // 1000
    for unit, n in (("d", 86400), ("h", 3600), ("m", 60)):
        if s and s % n == 0:
            return f"{s // n}{unit}"
    return f"{s}s"


def signal_selector(name: str, what: str) -> tuple[str, float]:
    """``(PromQL selector, factor to base units)`` of a dotted signal name."""
    got = signals.export_of_signal(name)
    if got is None:
        raise InvalidArgumentError(
            f"{what}: signal {name!r} is not exported (only the signal registry's names have "
            "Prometheus metrics); it cannot be written as a Prometheus rule"
        )
    metric, values = got
    assert metric.family is not None
    labels = signals.export_labels(metric, values)
    body = ",".join(f'{k}="{escape_label_value(v)}"' for k, v in labels)
    sel = metric.sample_name + ("{" + body + "}" if body else "")
    return sel, metric.family.unit.to_base


class _Translator:
    def __init__(self, rules: Mapping[str, Rule]) -> None:
        self.rules = rules

    def expr(self, rule: Rule, cond: Condition, seen: tuple[str, ...] = ()) -> str:
        what = f"rule {rule.name!r}"
        if isinstance(cond, Threshold):
            sel, f = signal_selector(cond.signal, what)
            value = cond.value
            if isinstance(value, Baseline):
                if value.mean is None or value.sigma is None:
                    raise InvalidArgumentError(
                        f"{what}: a baseline learned from history has no PromQL equivalent "
                        "(give mean and sigma)"
                    )
                level = baseline_level(float(value.mean), float(value.sigma), value.k, cond.op)
                clear = (
                    None
                    if value.clear_k is None
                    else baseline_level(float(value.mean), float(value.sigma), value.clear_k, cond.op)
                )
            else:
                level = float(value)
                clear = None if cond.clear is None else float(cond.clear)
            e = f"{sel} {cond.op} {_num(level * f)}"
            if clear is not None and clear != level:
                active = f'ALERTS{{alertname="{escape_label_value(rule.name)}"}}'
                e = f"({e}) or ({sel} {cond.op} {_num(clear * f)} and {ON} {active})"
            return e
        if isinstance(cond, RateOfChange):
            sel, f = signal_selector(cond.signal, what)
            w = _duration(float(cond.window))
            past = f"({sel} offset {w})"
            if cond.relative:
                return f"(({sel} - {past}) / abs{past}) {cond.op} {_num(float(cond.value))}"
            return f"({sel} - {past}) {cond.op} {_num(float(cond.value) * f)}"
        if isinstance(cond, BurnRate):
            return self._burn(rule, cond)
        if isinstance(cond, (AllOf, AnyOf)):
            op = "and" if isinstance(cond, AllOf) else "or"
            parts = [f"({self.expr(rule, c, seen)})" for c in cond.conditions]
            return f" {op} {ON} ".join(parts)
        if isinstance(cond, Not):
            inner = self.expr(rule, cond.condition, seen)
            universe = f'group {BY} ({signals.EXPORTS[signals.THROUGHPUT_TOTAL.name].sample_name}{{flow="received"}})'
            return f"{universe} unless {ON} ({inner})"
        if isinstance(cond, RuleRef):
            if cond.firing:
                return f'ALERTS{{alertname="{escape_label_value(cond.rule)}", alertstate="firing"}}'
            other = self.rules.get(cond.rule)
            if other is None or cond.rule in seen:
                raise InvalidArgumentError(f"{what}: unknown or cyclic rule reference {cond.rule!r}")
            return self.expr(other, other.cond, (*seen, cond.rule))
        raise InvalidArgumentError(f"{what}: a {type(cond).__name__} has no Prometheus translation")

    def _burn(self, rule: Rule, cond: BurnRate) -> str:
        what = f"rule {rule.name!r}"

        def increase(names: Iterable[str], w: str) -> str:
            terms = []
            for n in names:
                sel, _ = signal_selector(n, what)
                terms.append(f"sum {BY} (increase({sel}[{w}]))")
            return " + ".join(terms) if len(terms) == 1 else "(" + " + ".join(terms) + ")"

        total = cond.total if isinstance(cond.total, tuple) else (cond.total,)
        budget = 1.0 - float(cond.objective)
        rows = []
        for long_w, short_w, factor in cond.windows:
            both = []
            for w in (_duration(float(long_w)), _duration(float(short_w))):
                tot = increase(total, w)
                if cond.bad is not None:
                    ratio = f"({increase(cond.bad, w)}) / ({tot})"
                else:
                    assert cond.good is not None
                    ratio = f"(1 - ({increase(cond.good, w)}) / ({tot}))"
                both.append(f"({ratio}) / {_num(budget)} > {_num(float(factor))}")
            rows.append(f"(({both[0]}) and {ON} ({both[1]}))")
        return " or ".join(rows)


def prometheus_rules(
    rules: Iterable[Rule], group: str = "monitor", interval: str | None = None
) -> dict[str, Any]:
    """A Prometheus rule file (as a dict, ready for YAML/JSON) with one alerting rule per rule."""
    rules = list(rules)
    tr = _Translator({r.name: r for r in rules})
    out = []
    for r in rules:
        entry: dict[str, Any] = {"alert": r.name, "expr": tr.expr(r, r.cond)}
        if float(r.for_):
            entry["for"] = _duration(float(r.for_))
        if float(r.keep_firing_for):
            entry["keep_firing_for"] = _duration(float(r.keep_firing_for))
        labels = {"severity": r.severity.value if hasattr(r.severity, "value") else str(r.severity)}
        if r.route:
            labels["route"] = r.route
        labels.update(dict(r.labels))
        entry["labels"] = labels
        if r.summary:
            entry["annotations"] = {"summary": r.summary}
        out.append(entry)
    grp: dict[str, Any] = {"name": group, "rules": out}
    if interval is not None:
        grp["interval"] = interval
    return {"groups": [grp]}


def to_yaml(doc: Any, indent: int = 0) -> str:
    """A small YAML writer for rule files (every string JSON-quoted, which is valid YAML)."""
    pad = "  " * indent
    if isinstance(doc, dict):
        lines = []
        for k, v in doc.items():
            if isinstance(v, (dict, list)) and v:
                lines.append(f"{pad}{k}:")
                lines.append(to_yaml(v, indent + 1))
            else:
                lines.append(f"{pad}{k}: {_scalar(v)}")
        return "\n".join(lines)
    if isinstance(doc, list):
        lines = []
        for item in doc:
            body = to_yaml(item, indent + 1).lstrip()
            lines.append(f"{pad}- {body}")
        return "\n".join(lines)
    return pad + _scalar(doc)


def _scalar(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, (dict, list)):
        return "{}" if isinstance(v, dict) else "[]"
    return json.dumps(str(v), ensure_ascii=False)


def rules_file_to_prometheus(path: str, group: str = "monitor", interval: str | None = None) -> str:
    """The Prometheus rule file (YAML text) of a project rule file (TOML or JSON)."""
    cfg = load_config(path)
    return to_yaml(prometheus_rules(cfg.rules, group, interval)) + "\n"
