"""Ready-made rule sets: the article's per-category error thresholds and the SRE workbook's
multiwindow, multi-burn-rate SLO alerts.

Part of :mod:`monitor.alerts` (import the public names from there).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import cast

from .. import signals
from ..categories import ErrorCategory
from ..errors import InvalidArgumentError, InvalidTypeError
from .conditions import BurnRate, BurnWindow
from .routing import Router
from .rules import Rule, Severity
from .units import DIMENSIONLESS, Quantity, check_str, parse_duration, parse_quantity, show

SRE_WORKBOOK_PAGE: tuple[tuple[str, str, str], ...] = (("2%", "1h", "5m"), ("5%", "6h", "30m"))
"""The SRE workbook's paging rows: (budget consumed, long window, short window)."""
SRE_WORKBOOK_TICKET: tuple[tuple[str, str, str], ...] = (("10%", "3d", "6h"),)
"""The SRE workbook's ticket row."""


def burn_rate_factor(budget_fraction: Quantity, long_window: Quantity, period: Quantity = "30d") -> float:
    """Burn-rate threshold that consumes ``budget_fraction`` of the error budget of an SLO
    ``period`` in ``long_window``: budget * period / window (2% of 30 d in 1 h -> 14.4), computed
    exactly and rounded once."""
    frac = Fraction(str(parse_quantity(budget_fraction, DIMENSIONLESS, "budget fraction")))
    per = Fraction(str(parse_duration(period, "SLO period")))
    win = Fraction(str(parse_duration(long_window, "burn window")))
    if win <= 0:
        raise InvalidArgumentError("burn window must be > 0")
    return float(frac * per / win)


ARTICLE_ERROR_THRESHOLDS: Mapping[str, tuple[str, Severity]] = {
    ErrorCategory.INFRASTRUCTURE.value: ("2%", Severity.PAGE),
    ErrorCategory.INPUT_VALIDATION.value: ("5%", Severity.TICKET),
}
"""The article: infrastructure errors at 2% might be critical; input validation errors at 5% might
just mean a misbehaving client."""


def error_rate_rules(
    thresholds: Mapping[str, Quantity | tuple[Quantity, Severity | str]] = ARTICLE_ERROR_THRESHOLDS,
    *,
    for_: Quantity = "5m",
    prefix: str = "error_rate_",
    router: Router | None = None,
) -> list[Rule]:
    """One rule per error category: ``errors.rate.<category> > threshold`` for ``for_``, with a
    per-category severity (default page) and the category's route."""
    if not isinstance(thresholds, Mapping):
        raise InvalidTypeError(
            f"error_rate_rules thresholds: expected a mapping of error category to threshold, got {type(thresholds).__name__}"
        )
    check_str(prefix, "error_rate_rules prefix")
    if router is not None and not isinstance(router, Router):
        raise InvalidTypeError(f"error_rate_rules router: expected a Router, got {type(router).__name__}")
    rules = []
    for cat, spec in thresholds.items():
        if not isinstance(cat, str):
            raise InvalidTypeError(
                f"error_rate_rules: error categories are strings, got {type(cat).__name__}"
            )
        if cat not in signals.ERROR_CATEGORIES:
            raise InvalidArgumentError(
                f"unknown error category {show(cat)}; expected one of {', '.join(signals.ERROR_CATEGORIES)}"
            )
        if isinstance(spec, tuple):
            if len(spec) != 2:
                raise InvalidArgumentError(
                    f"error_rate_rules {show(cat)}: expected threshold or (threshold, severity)"
                )
            thr, sev = spec
        else:
            thr, sev = spec, Severity.PAGE
        rules.append(
            Rule(
                f"{prefix}{cat}",
                signals.error_rate_name(cat),
                ">",
                thr,
                for_=for_,
                severity=sev,
                labels={"category": cat},
                summary=f"{cat} error rate above {thr if isinstance(thr, str) else show(thr)}",
            )
        )
    return rules


def slo_burn_rate_rules(
    name: str,
    objective: Quantity,
    *,
    total: str | Sequence[str],
    good: str | Sequence[str] | None = None,
    bad: str | Sequence[str] | None = None,
    period: Quantity = "30d",
    route: str | None = None,
    labels: Mapping[str, str] | None = None,
    resolution: int = 60,
    partial_windows: bool = True,
) -> list[Rule]:
    """The SRE workbook's multiwindow, multi-burn-rate alerts for one SLO: a page rule (1 h and
    5 m burn > 14.4, or 6 h and 30 m burn > 6, for a 30-day period) and a ticket rule (3 d and 6 h
    burn > 1). Factors scale with ``period`` (budget fraction * period / long window)."""

    def rows(table: tuple[tuple[str, str, str], ...]) -> tuple[BurnWindow, ...]:
        return tuple((lw, sw, burn_rate_factor(frac, lw, period)) for frac, lw, sw in table)

    def tup(x: str | Sequence[str] | None) -> str | tuple[str, ...] | None:
        return tuple(x) if isinstance(x, (list, tuple)) else x  # type: ignore[return-value]

    check_str(name, "SLO name", empty=False)
    if labels is not None and not isinstance(labels, Mapping):
        raise InvalidTypeError(
            f"SLO {show(name)} labels: expected a mapping of strings, got {type(labels).__name__}"
        )
    lab = dict(labels or {})
    lab.setdefault("slo", name)
    out = []
    for suffix, table, sev in (
        ("page", SRE_WORKBOOK_PAGE, Severity.PAGE),
        ("ticket", SRE_WORKBOOK_TICKET, Severity.TICKET),
    ):
        cond = BurnRate(
            total=cast(str | tuple[str, ...], tup(total)),
            objective=objective,
            windows=rows(table),
            good=tup(good),
            bad=tup(bad),
            resolution=resolution,
            partial_windows=partial_windows,
        )
        out.append(
            Rule(
                f"{name}_burn_{suffix}",
                condition=cond,
                severity=sev,
                route=route,
                labels=lab,
                summary=f"SLO {name} error budget burning ({suffix})",
            )
        )
    return out


__all__ = [
    "ARTICLE_ERROR_THRESHOLDS",
    "SRE_WORKBOOK_PAGE",
    "SRE_WORKBOOK_TICKET",
    "burn_rate_factor",
    "error_rate_rules",
    "slo_burn_rate_rules",
]
