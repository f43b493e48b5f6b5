"""Routing: which team an alert goes to.

Part of :mod:`monitor.alerts` (import the public names from there). The keys of
:data:`DEFAULT_ROUTES` are error categories (:class:`monitor.ErrorCategory` values) and signal
groups (:class:`monitor.signals.Group`): both derive from their one definition.
"""

from __future__ import annotations

from collections.abc import Mapping

from .. import signals
from ..categories import ErrorCategory
from ..errors import InvalidArgumentError, InvalidTypeError
from .rules import Rule
from .units import check_str, show

_C = ErrorCategory
_G = signals.Group

DEFAULT_ROUTES: Mapping[str, str] = {
    _C.INFRASTRUCTURE.value: "platform",
    _C.TIMEOUT.value: "platform",
    _C.INPUT_VALIDATION.value: "platform",
    _C.MODEL_INFERENCE.value: "ml",
    _C.BUSINESS_LOGIC.value: "product",
    _G.DRIFT.value: "ml",
    _G.LATENCY.value: "platform",
    _G.THROUGHPUT.value: "platform",
    _G.SATURATION.value: "platform",
}
"""The article's routing: infrastructure errors to the platform team, model errors to the ML team,
business errors to product. Timeouts and input validation (the API boundary), latency,
throughput and saturation go to platform; drift (model inputs) goes to the ML team."""


class Router:
    """Routes an alert to a team: the rule's explicit ``route``, else its ``category`` label, else
    the category of the first signal it reads (``errors.rate.<category>``, ``drift``,
    ``latency``, ...), looked up in ``routes``; ``default`` when nothing matches."""

    __slots__ = ("default", "routes")

    def __init__(self, routes: Mapping[str, str] = DEFAULT_ROUTES, default: str = "platform") -> None:
        if not isinstance(routes, Mapping):
            raise InvalidTypeError(
                f"Router routes: expected a mapping of routing keys to team names, got {type(routes).__name__}"
            )
        try:
            items = list(routes.items())
        except Exception as exc:  # noqa: BLE001 - a mapping whose items() raises
            raise InvalidArgumentError(
                f"Router routes could not be read ({type(exc).__name__}: {exc})"
            ) from None
        for k, v in items:
            if not isinstance(k, str) or not isinstance(v, str) or not v:
                raise InvalidTypeError(
                    f"Router routes must map strings to non-empty team names, got {show(k)}: {show(v)}"
                )
        self.routes = dict(items)
        self.default = check_str(default, "Router default (a team name)", empty=False)

    def route(self, rule: Rule) -> str:
        if not isinstance(rule, Rule):
            raise InvalidTypeError(f"Router.route takes a Rule, got {type(rule).__name__}")
        if rule.route:
            return rule.route
        labels = dict(rule.labels)
        if "category" in labels and labels["category"] in self.routes:
            return self.routes[labels["category"]]
        for sig in rule.cond.signals():
            for key in route_keys(sig):
                if key in self.routes:
                    return self.routes[key]
        return self.default


def route_keys(signal: str) -> tuple[str, ...]:
    """The routing keys of a signal, most specific first: its error category (if any), then its
    group (``errors.rate.timeout`` -> ``("timeout", "errors")``, ``drift.amount.psi`` ->
    ``("drift",)``). A custom signal's group is its first component; a custom
    ``errors.<x>.<category>`` also routes by its last component."""
    parsed = signals.parse(signal)
    if parsed is not None:
        fam, labels = parsed
        cat = labels.get(signals.CATEGORY.name)
        return (cat, fam.group.value) if cat is not None else (fam.group.value,)
    parts = signal.split(".")
    if parts[0] == signals.Group.ERRORS.value and len(parts) == 3:
        return (parts[2], parts[0])
    return (parts[0],)


__all__ = ["DEFAULT_ROUTES", "Router", "route_keys"]
