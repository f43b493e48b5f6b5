"""The signal registry: every family's name template, unit, kind and help, the name builders
and the lookup (see :mod:`monitor.signals`, the one definition of every signal)."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum

from ..categories import ErrorCategory
from ..errors import InvalidArgumentError, InvalidTypeError


@dataclass(frozen=True, slots=True)
class Unit:
    """The unit of a signal. ``symbol`` is how rules and docs write it (``"ms"``, ``"1"`` for a
    dimensionless ratio); ``base`` is the OpenMetrics base unit used as a metric-name suffix, and
    ``to_base`` the factor that converts a value into it (ms -> seconds: 0.001)."""

    symbol: str
    name: str
    base: str
    to_base: float = 1.0


MILLISECONDS = Unit("ms", "milliseconds", "seconds", 1e-3)
SECONDS = Unit("s", "seconds", "seconds")
REQUESTS = Unit("requests", "requests", "requests")
REQUESTS_PER_SECOND = Unit("requests/s", "requests per second", "requests_per_second")
ERRORS = Unit("errors", "errors", "errors")
EVENTS = Unit("events", "events", "events")
RATIO = Unit("1", "ratio", "ratio")
NATS = Unit("nats", "nats", "nats")
BITS = Unit("bits", "bits", "bits")


class Kind(str, Enum):
    """What a signal's value is."""

    COUNTER = "counter"
    """Cumulative since the monitor started (never decreases; a restart resets it)."""
    GAUGE = "gauge"
    """A value at the snapshot's instant: window counts and rates, ratios, in-flight requests."""
    SCORE = "score"
    """A drift score of the current window against the reference profile."""
    HISTOGRAM = "histogram"
    """Derived from the windowed latency histogram (quantiles, count)."""

    @property
    def prometheus_type(self) -> str:
        """The Prometheus metric type of a sample of this kind."""
        return "counter" if self is Kind.COUNTER else "gauge"


class Group(str, Enum):
    """The first component of a signal name (also the routing key of its alerts)."""

    LATENCY = "latency"
    THROUGHPUT = "throughput"
    SATURATION = "saturation"
    ERRORS = "errors"
    DRIFT = "drift"
    SLO = "slo"


_IDENT = r"[A-Za-z0-9_\-]+"

ERROR_CATEGORIES: tuple[str, ...] = tuple(c.value for c in ErrorCategory)
"""The error categories' values, in :class:`~monitor.categories.ErrorCategory` order."""

FLOWS: tuple[str, ...] = ("received", "processed", "dropped", "failed")
"""The service's request counters: received = processed + failed + dropped + in flight."""

LATENCY_QUANTILES: tuple[float, ...] = (50.0, 90.0, 99.0, 99.9)
"""The latency quantiles (percent) a snapshot publishes: ``latency.p50_ms`` .. ``latency.p999_ms``."""


def quantile_label(q: float) -> str:
    """The label of a quantile in percent, digits without the point: 99.9 -> ``"999"``, 50 -> ``"50"``."""
    if isinstance(q, bool) or not isinstance(q, (int, float)) or not 0 < q <= 100:
        raise InvalidArgumentError(f"a latency quantile is a percentage in (0, 100], got {q!r}")
    return f"{float(q):g}".replace(".", "")


@dataclass(frozen=True, slots=True)
class Label:
    """A placeholder of a family's template. ``values`` lists what the service produces (None:
    any identifier, e.g. a feature name); ``pattern`` is the regular expression (wrapped in a
    group where used) that names may use."""

    name: str
    help: str
    values: tuple[str, ...] | None
    pattern: str


QUANTILE = Label(
    "quantile",
    "latency quantile in percent without the point (99.9 -> 999)",
    tuple(quantile_label(q) for q in LATENCY_QUANTILES),
    # Only the quantiles a snapshot publishes: a rule on latency.p95_ms could never fire.
    "|".join(quantile_label(q) for q in LATENCY_QUANTILES),
)
FLOW = Label("flow", "request counter: " + ", ".join(FLOWS), FLOWS, "|".join(FLOWS))
CATEGORY = Label(
    "category", "error category: " + ", ".join(ERROR_CATEGORIES), ERROR_CATEGORIES, "|".join(ERROR_CATEGORIES)
)
FEATURE = Label("feature", "input feature of the drift monitor", None, _IDENT)
SLO_NAME = Label("slo", "service-level objective supplied by the caller", None, _IDENT)

_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


@dataclass(frozen=True, slots=True)
class SignalFamily:
    """Signals sharing one name template, unit, kind and help text.

    ``name`` is a stable identifier (a Prometheus metric stem such as ``error_rate``);
    ``template`` the dotted name with ``{label}`` placeholders; ``labels`` the placeholders in
    order; ``produced`` is False for signals the caller supplies (``slo.*`` counters)."""

    name: str
    template: str
    unit: Unit
    kind: Kind
    help: str
    labels: tuple[Label, ...] = ()
    produced: bool = True
    pattern: str = field(init=False, repr=False, compare=False)
    _regex: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_name = {lb.name: lb for lb in self.labels}
        used = _PLACEHOLDER.findall(self.template)
        if sorted(used) != sorted(by_name):
            raise ValueError(f"family {self.name}: template {self.template!r} and labels differ")
        plain, named, pos = [], [], 0
        for m in _PLACEHOLDER.finditer(self.template):
            text = re.escape(self.template[pos : m.start()])
            label = by_name[m.group(1)]
            plain += [text, f"(?:{label.pattern})"]
            named += [text, f"(?P<{label.name}>{label.pattern})"]
            pos = m.end()
        plain.append(re.escape(self.template[pos:]))
        named.append(re.escape(self.template[pos:]))
        object.__setattr__(self, "pattern", "".join(plain))
        object.__setattr__(self, "_regex", re.compile("".join(named)))

    @property
    def group(self) -> Group:
        return Group(self.template.split(".", 1)[0])

    @property
    def display(self) -> str:
        """The template as messages write it: ``errors.rate.<category>``."""
        return _PLACEHOLDER.sub(r"<\1>", self.template)

    def format(self, **labels: str) -> str:
        """The signal name for these label values (not validated: the hot path of snapshots)."""
        return self.template.format(**labels)

    def match(self, name: str) -> dict[str, str] | None:
        """The label values of ``name`` if it belongs to this family, else None."""
        m = self._regex.fullmatch(name)
        return None if m is None else m.groupdict()

    def names(self) -> tuple[str, ...]:
        """Every name the service produces in this family (empty if a label is open-ended)."""
        if any(lb.values is None for lb in self.labels):
            return ()
        combos: list[dict[str, str]] = [{}]
        for lb in self.labels:
            combos = [{**c, lb.name: v} for c in combos for v in lb.values or ()]
        return tuple(self.format(**c) for c in combos)


_NAN_NOTE = "; NaN when the window is empty"

LATENCY_QUANTILE = SignalFamily(
    "latency_quantile",
    "latency.p{quantile}_ms",
    MILLISECONDS,
    Kind.HISTOGRAM,
    "Latency quantile (nearest rank) of the requests finished in the window, in milliseconds" + _NAN_NOTE,
    (QUANTILE,),
)
LATENCY_COUNT = SignalFamily(
    "latency_count",
    "latency.count",
    REQUESTS,
    Kind.HISTOGRAM,
    "Requests finished in the window (the count of the windowed latency histogram)",
)
THROUGHPUT_TOTAL = SignalFamily(
    "throughput_total",
    "throughput.{flow}",
    REQUESTS,
    Kind.COUNTER,
    "Requests received, processed, dropped or failed since start (exact counters)",
    (FLOW,),
)
THROUGHPUT_RATE = SignalFamily(
    "throughput_rate",
    "throughput.{flow}_rps",
    REQUESTS_PER_SECOND,
    Kind.GAUGE,
    "Requests per second over the window, per flow",
    (FLOW,),
)
THROUGHPUT_WINDOW = SignalFamily(
    "throughput_window",
    "throughput.window_{flow}",
    REQUESTS,
    Kind.GAUGE,
    "Requests counted in the window, per flow",
    (FLOW,),
)
THROUGHPUT_IN_FLIGHT = SignalFamily(
    "throughput_in_flight",
    "throughput.in_flight",
    REQUESTS,
    Kind.GAUGE,
    "Requests started and not yet finished",
)
THROUGHPUT_GAP = SignalFamily(
    "throughput_gap",
    "throughput.gap",
    REQUESTS,
    Kind.GAUGE,
    "Requests received minus processed since start (failed + dropped + in flight)",
)
THROUGHPUT_GAP_RATIO = SignalFamily(
    "throughput_gap_ratio",
    "throughput.gap_ratio",
    RATIO,
    Kind.GAUGE,
    "Share of the window's received requests not processed; 0 when idle",
)
THROUGHPUT_WINDOW_SECONDS = SignalFamily(
    "throughput_window_seconds",
    "throughput.window_s",
    SECONDS,
    Kind.GAUGE,
    "Seconds covered by the window's counts and rates (at least one slot)",
)
SATURATION = SignalFamily(
    "saturation",
    "saturation",
    RATIO,
    Kind.GAUGE,
    "Load against the configured capacity (received rate / capacity_rps, in flight / "
    "capacity_concurrency, the larger); NaN without a capacity",
)
ERROR_RATE = SignalFamily(
    "error_rate",
    "errors.rate.{category}",
    RATIO,
    Kind.GAUGE,
    "Errors of the category in the window divided by the requests received in it; 0 when idle",
    (CATEGORY,),
)
ERROR_COUNT = SignalFamily(
    "error_count",
    "errors.count.{category}",
    ERRORS,
    Kind.COUNTER,
    "Errors of the category since start",
    (CATEGORY,),
)
ERROR_TOTAL_RATE = SignalFamily(
    "error_total_rate",
    "errors.total_rate",
    RATIO,
    Kind.GAUGE,
    "Errors of every category in the window divided by the requests received in it; 0 when idle",
)
DRIFT_PSI = SignalFamily(
    "drift_psi",
    "drift.{feature}.psi",
    NATS,
    Kind.SCORE,
    "Population stability index of the feature's window against its reference, in nats" + _NAN_NOTE,
    (FEATURE,),
)
DRIFT_TV = SignalFamily(
    "drift_tv",
    "drift.{feature}.tv",
    RATIO,
    Kind.SCORE,
    "Total variation distance of the feature's window from its reference, in [0, 1]" + _NAN_NOTE,
    (FEATURE,),
)
DRIFT_JS = SignalFamily(
    "drift_js",
    "drift.{feature}.js",
    BITS,
    Kind.SCORE,
    "Jensen-Shannon divergence of the feature's window from its reference, in bits, in [0, 1]" + _NAN_NOTE,
    (FEATURE,),
)
DRIFT_NAN_RATE = SignalFamily(
    "drift_nan_rate",
    "drift.{feature}.nan_rate",
    RATIO,
    Kind.GAUGE,
    "Share of the drift window's rows whose value of the feature is NaN (missing), in [0, 1]" + _NAN_NOTE,
    (FEATURE,),
)
DRIFT_OUT_OF_RANGE_RATE = SignalFamily(
    "drift_out_of_range_rate",
    "drift.{feature}.out_of_range_rate",
    RATIO,
    Kind.GAUGE,
    "Share of the drift window's rows whose value of the numeric feature is outside the "
    "reference's finite outer edges, in [0, 1]" + _NAN_NOTE,
    (FEATURE,),
)
DRIFT_UNSEEN_RATE = SignalFamily(
    "drift_unseen_rate",
    "drift.{feature}.unseen_rate",
    RATIO,
    Kind.GAUGE,
    "Share of the drift window's rows whose categorical code never occurs in the reference, "
    "in [0, 1]" + _NAN_NOTE,
    (FEATURE,),
)
SLO_GOOD = SignalFamily(
    "slo_good",
    "slo.{slo}.good",
    EVENTS,
    Kind.COUNTER,
    "Good events of the SLO since start (supplied by the caller, read by burn-rate rules)",
    (SLO_NAME,),
    produced=False,
)
SLO_BAD = SignalFamily(
    "slo_bad",
    "slo.{slo}.bad",
    EVENTS,
    Kind.COUNTER,
    "Bad events of the SLO since start (supplied by the caller, read by burn-rate rules)",
    (SLO_NAME,),
    produced=False,
)
SLO_TOTAL = SignalFamily(
    "slo_total",
    "slo.{slo}.total",
    EVENTS,
    Kind.COUNTER,
    "All events of the SLO since start (supplied by the caller, read by burn-rate rules)",
    (SLO_NAME,),
    produced=False,
)

FAMILIES: tuple[SignalFamily, ...] = (
    LATENCY_QUANTILE,
    LATENCY_COUNT,
    THROUGHPUT_TOTAL,
    THROUGHPUT_RATE,
    THROUGHPUT_WINDOW,
    THROUGHPUT_IN_FLIGHT,
    THROUGHPUT_GAP,
    THROUGHPUT_GAP_RATIO,
    THROUGHPUT_WINDOW_SECONDS,
    SATURATION,
    ERROR_RATE,
    ERROR_COUNT,
    ERROR_TOTAL_RATE,
    DRIFT_PSI,
    DRIFT_TV,
    DRIFT_JS,
    DRIFT_NAN_RATE,
    DRIFT_OUT_OF_RANGE_RATE,
    DRIFT_UNSEEN_RATE,
    SLO_GOOD,
    SLO_BAD,
    SLO_TOTAL,
)
"""Every signal family, in snapshot order."""

KNOWN_SIGNAL_PATTERNS: tuple[str, ...] = tuple(f.pattern for f in FAMILIES)
"""Regular expressions of the signal names rules may use, one per family (generated)."""

SIGNAL_RE = re.compile("|".join(f"(?:{p})" for p in KNOWN_SIGNAL_PATTERNS))
"""The compiled matcher of every known signal name (use with ``fullmatch``)."""

_DRIFT = {
    f.template.rsplit(".", 1)[1]: f
    for f in (DRIFT_PSI, DRIFT_TV, DRIFT_JS, DRIFT_NAN_RATE, DRIFT_OUT_OF_RANGE_RATE, DRIFT_UNSEEN_RATE)
}
_SLO = {f.template.rsplit(".", 1)[1]: f for f in (SLO_GOOD, SLO_BAD, SLO_TOTAL)}

DRIFT_METRICS: tuple[str, ...] = tuple(_DRIFT)
"""The drift signals a snapshot publishes per feature: the scores ``psi``, ``tv``, ``js`` and the
data-quality shares ``nan_rate``, ``out_of_range_rate``, ``unseen_rate``."""

# The snapshot's hot path: names of closed label sets precomputed, drift names by concatenation.
_DRIFT_PARTS = {m: tuple(f.template.split("{" + FEATURE.name + "}")) for m, f in _DRIFT.items()}
_QUANTILE_NAMES = {q: LATENCY_QUANTILE.format(quantile=quantile_label(q)) for q in LATENCY_QUANTILES}
_THROUGHPUT = {
    n.split(".", 1)[1]: n
    for f in FAMILIES
    if f.group is Group.THROUGHPUT
    for n in (f.names() or (f.template,))
}

# -- name builders (the snapshot's) -----------------------------------------------------------

LATENCY_COUNT_NAME = LATENCY_COUNT.template
SATURATION_NAME = SATURATION.template
ERRORS_TOTAL_RATE_NAME = ERROR_TOTAL_RATE.template


def latency_quantile_name(q: float) -> str:
    """``latency.p<label>_ms`` of a quantile in percent: 99.9 -> ``"latency.p999_ms"``."""
    name = _QUANTILE_NAMES.get(q)
    return name if name is not None else LATENCY_QUANTILE.format(quantile=quantile_label(q))


def throughput_name(field_name: str) -> str:
    """``throughput.<field>`` of a throughput field (``received``, ``received_rps``,
    ``window_received``, ``in_flight``, ``gap``, ``gap_ratio``, ``window_s``); KeyError for
    a field that is no throughput signal."""
    return _THROUGHPUT[field_name]


def throughput_fields() -> tuple[str, ...]:
    """Every throughput field a snapshot publishes (the suffixes of :func:`throughput_name`)."""
    return tuple(_THROUGHPUT)


def _by_category(fam: SignalFamily) -> dict[ErrorCategory | str, str]:
    names: dict[ErrorCategory | str, str] = {}
    for c in ErrorCategory:
        names[c] = names[c.value] = fam.format(category=c.value)
    return names


_RATE_NAMES = _by_category(ERROR_RATE)
_COUNT_NAMES = _by_category(ERROR_COUNT)


def error_rate_name(category: ErrorCategory | str) -> str:
    """``errors.rate.<category>`` (an :class:`ErrorCategory` or its value)."""
    name = _RATE_NAMES.get(category)
    return name if name is not None else ERROR_RATE.format(category=str(category))


def error_count_name(category: ErrorCategory | str) -> str:
    """``errors.count.<category>`` (an :class:`ErrorCategory` or its value)."""
    name = _COUNT_NAMES.get(category)
    return name if name is not None else ERROR_COUNT.format(category=str(category))


def drift_name(feature: str, metric: str) -> str:
    """``drift.<feature>.<metric>`` for a metric of :data:`DRIFT_METRICS`."""
    head, tail = _DRIFT_PARTS[metric]
    return head + feature + tail


def slo_name(slo: str, counter: str) -> str:
    """``slo.<slo>.<counter>`` for counter ``good``, ``bad`` or ``total``."""
    return _SLO[counter].format(slo=slo)


# -- lookup ------------------------------------------------------------------------------------


def parse(name: str) -> tuple[SignalFamily, dict[str, str]] | None:
    """The family of a dotted name and its label values (``errors.rate.timeout`` ->
    ``(ERROR_RATE, {"category": "timeout"})``), or None for an unknown name."""
    if not isinstance(name, str) or SIGNAL_RE.fullmatch(name) is None:
        return None
    for fam in FAMILIES:
        labels = fam.match(name)
        if labels is not None:
            return fam, labels
    return None  # pragma: no cover - SIGNAL_RE is the union of the families


def lookup(name: str) -> SignalFamily | None:
    """The family of a dotted signal name, or None if it is no known signal."""
    got = parse(name)
    return None if got is None else got[0]


def unit_of(name: str) -> Unit:
    """The unit of a signal. A known name has its family's unit; another name (a custom signal
    allowed with ``extra_signals``) follows the naming convention: ``*_ms`` is in milliseconds,
    anything else is dimensionless."""
    fam = lookup(name)
    if fam is not None:
        return fam.unit
    return MILLISECONDS if name.endswith("_" + MILLISECONDS.symbol) else RATIO


def _known_names_text() -> str:
    """The families for messages, families differing only in a plain last component merged:
    ``drift.<feature>.psi|tv|js``."""
    parts: list[str] = []
    prev: str | None = None
    for fam in FAMILIES:
        head, _, last = fam.display.rpartition(".")
        if head and prev == head and "<" not in last and "<" not in parts[-1].rpartition(".")[2]:
            parts[-1] += "|" + last
        else:
            parts.append(fam.display)
        prev = head
    domains = [f"<{lb.name}>: {'|'.join(lb.values or ())}" for lb in (FLOW, CATEGORY)]
    domains.append(f"<{QUANTILE.name}>: {QUANTILE.help}, published {'|'.join(QUANTILE.values or ())}")
    return ", ".join(parts) + f" ({'; '.join(domains)})"


_KNOWN_TEXT = _known_names_text()


def check_signal(signal: str, extra_signals: Iterable[str] = (), what: str = "signal") -> str:
    """Return ``signal`` if it is a known dotted signal name, else raise :class:`InvalidArgumentError`.

    ``extra_signals`` are additional allowed names or shell-style globs (``"custom.*"``).
    """
    if not isinstance(signal, str) or not signal:
        example = latency_quantile_name(99)
        if not isinstance(signal, str):
            raise InvalidTypeError(
                f"{what}: expected a dotted signal name such as {example!r}, got {type(signal).__name__}"
            )
        raise InvalidArgumentError(
            f"{what}: expected a dotted signal name such as {example!r}, got {signal!r}"
        )
    if SIGNAL_RE.fullmatch(signal):
        return signal
    for pat in (extra_signals,) if isinstance(extra_signals, str) else extra_signals:
        if not isinstance(pat, str):
            raise InvalidTypeError(
                f"extra_signals: expected names or globs (strings), got {type(pat).__name__}"
            )
        if fnmatch.fnmatchcase(signal, pat):
            return signal
    hint = ""
    if any(signal.startswith(f.template.split("{", 1)[0]) for f in (ERROR_RATE, ERROR_COUNT)):
        hint = f" (error categories: {', '.join(ERROR_CATEGORIES)})"
    elif signal.startswith(LATENCY_QUANTILE.template.split("{", 1)[0]):
        hint = (
            " (a snapshot publishes only the latency quantiles "
            + ", ".join(_QUANTILE_NAMES.values())
            + "; no rule on another quantile could ever fire)"
        )
    raise InvalidArgumentError(
        f"{what}: unknown signal {signal!r}{hint}; known: {_KNOWN_TEXT} "
        "(pass extra_signals=[...] to allow others)"
    )


__all__ = [
    "BITS",
    "CATEGORY",
    "DRIFT_JS",
    "DRIFT_NAN_RATE",
    "DRIFT_OUT_OF_RANGE_RATE",
    "DRIFT_UNSEEN_RATE",
    "DRIFT_METRICS",
    "DRIFT_PSI",
    "DRIFT_TV",
    "ERRORS",
    "ERRORS_TOTAL_RATE_NAME",
    "ERROR_CATEGORIES",
    "ERROR_COUNT",
    "ERROR_RATE",
    "ERROR_TOTAL_RATE",
    "EVENTS",
    "FAMILIES",
    "FEATURE",
    "FLOW",
    "FLOWS",
    "KNOWN_SIGNAL_PATTERNS",
    "LATENCY_COUNT",
    "LATENCY_COUNT_NAME",
    "LATENCY_QUANTILE",
    "LATENCY_QUANTILES",
    "MILLISECONDS",
    "NATS",
    "QUANTILE",
    "RATIO",
    "REQUESTS",
    "REQUESTS_PER_SECOND",
    "SATURATION",
    "SATURATION_NAME",
    "SECONDS",
    "SIGNAL_RE",
    "SLO_BAD",
    "SLO_GOOD",
    "SLO_NAME",
    "SLO_TOTAL",
    "THROUGHPUT_GAP",
    "THROUGHPUT_GAP_RATIO",
    "THROUGHPUT_IN_FLIGHT",
    "THROUGHPUT_RATE",
    "THROUGHPUT_TOTAL",
    "THROUGHPUT_WINDOW",
    "THROUGHPUT_WINDOW_SECONDS",
    "Group",
    "Kind",
    "Label",
    "SignalFamily",
    "Unit",
    "check_signal",
    "drift_name",
    "error_count_name",
    "error_rate_name",
    "latency_quantile_name",
    "lookup",
    "parse",
    "quantile_label",
    "slo_name",
    "throughput_fields",
    "throughput_name",
    "unit_of",
]
