"""Exports of :class:`~monitor.LatencyHistogram`: Prometheus text exposition (here),
OpenTelemetry exponential-histogram data points and Prometheus native-histogram parameters
(:meth:`~monitor.LatencyHistogram.to_otel` / :meth:`~monitor.LatencyHistogram.to_native`,
whose types are re-exported here).

Exactness. The classic text exposition places its cumulative ``le`` buckets on bucket
boundaries of the histogram (every ``2**(scale - export_scale)``-th one, plus the two ends of
the range), so every exported cumulative count is exact; boundaries and ``_sum`` are printed as
exact decimals of seconds (integer ns / 10^9). The exponential formats use the histogram's own
buckets in nanoseconds (in seconds the bucket indices would not be integers): bucket ``i`` of
the histogram is native-histogram bucket ``i`` and OpenTelemetry bucket ``i - 1``; underflow
values (0 included) form the zero bucket with ``zero_threshold_ns = range_lo_ns - 1``.
Overflow values cannot be placed exactly on the exponential scale: they are counted in the
bucket just above the range and reported in ``overflow_count`` (0 means the export is exact).
"""

from __future__ import annotations

import re
from itertools import accumulate

from .errors import InvalidArgumentError
from .latency import LatencyHistogram, NativeHistogram, OtelExponentialHistogramPoint

_METRIC_OK = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")
_LABEL_OK = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
_BAD_METRIC_CHARS = re.compile(r"[^a-zA-Z0-9_:]")
_BAD_LABEL_CHARS = re.compile(r"[^a-zA-Z0-9_]")


def escape_metric_name(name: str) -> str:
    """A valid metric name: characters outside ``[a-zA-Z0-9_:]`` become ``_``, and a leading
    digit gets a ``_`` prefix (text format 0.0.4 has no quoting for names)."""
    if not isinstance(name, str) or not name:
        raise InvalidArgumentError(f"metric name must be a non-empty str, got {name!r}")
    if _METRIC_OK.match(name):
        return name
    out = _BAD_METRIC_CHARS.sub("_", name)
    return "_" + out if out[0].isdigit() else out


def escape_label_name(name: str) -> str:
    """A valid label name (same rule as metric names, without ``:``). ``le`` and names starting
    with ``__`` are reserved and rejected."""
    if not isinstance(name, str) or not name:
        raise InvalidArgumentError(f"label name must be a non-empty str, got {name!r}")
    out = name if _LABEL_OK.match(name) else _BAD_LABEL_CHARS.sub("_", name)
    if out[0].isdigit():
        out = "_" + out
    if out == "le" or out.startswith("__"):
        raise InvalidArgumentError(f"label name {name!r} is reserved in a Prometheus histogram")
    return out


def escape_label_value(value: str) -> str:
    """A label value for the text format: backslash, newline and double quote escaped."""
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def escape_help(text: str) -> str:
    """A HELP text for the text format: backslash and newline escaped."""
    return text.replace("\\", "\\\\").replace("\n", "\\n")


def ns_to_seconds_str(ns: int) -> str:
    """Exact decimal of ns / 10^9 (e.g. 1024 -> '0.000001024')."""
    q, r = divmod(ns, 1_000_000_000)
    if r == 0:
        return f"{q}.0"
    return f"{q}.{r:09d}".rstrip("0")


def prometheus_text(
    hist: LatencyHistogram,
    name: str,
    labels: dict[str, str] | None = None,
    help: str | None = None,
    *,
    export_scale: int | None = 1,
) -> str:
    """Text exposition (format 0.0.4) of ``hist`` as a classic histogram in seconds."""
    lay = hist.layout
    s = lay.scale
    e = s if export_scale is None else export_scale
    if isinstance(e, bool) or not isinstance(e, int) or not 0 <= e <= s:
        raise InvalidArgumentError(
            f"export_scale must be an int in [0, {s}] (the histogram's scale), got {export_scale!r}"
        )
    metric = escape_metric_name(name)
    pairs = []
    for lname, lvalue in (labels or {}).items():
        if not isinstance(lvalue, str):
            raise InvalidArgumentError(
                f"label value for {lname!r} must be a str, got {type(lvalue).__name__}"
            )
        pairs.append(f'{escape_label_name(lname)}="{escape_label_value(lvalue)}"')
    names = [p.split("=", 1)[0] for p in pairs]
    if len(set(names)) != len(names):
        raise InvalidArgumentError(f"duplicate label names after escaping: {names}")
    base = ",".join(pairs)
    lbl = "{" + base + "}" if base else ""
    pre = base + "," if base else ""

    stats = hist.stats()
    counts = [int(c) for c in hist.bucket_counts().tolist()]
    under, total = stats.underflow, stats.count
    total_sum = stats.sum_ns
    cum = list(accumulate(counts, initial=under))  # cum[k] = values <= T(index_lo - 1 + k)
    step = 1 << (s - e)
    lines = []
    if help is not None:
        lines.append(f"# HELP {metric} {escape_help(help)}")
    lines.append(f"# TYPE {metric} histogram")
    last_t = -1
    for k in range(len(cum)):
        i = lay.index_lo - 1 + k
        if not (k == 0 or k == len(cum) - 1 or i % step == 0):
            continue
        t = hist.bucket_bounds(i)[1]
        if t == last_t:
            continue
        last_t = t
        lines.append(f'{metric}_bucket{{{pre}le="{ns_to_seconds_str(t)}"}} {cum[k]}')
    lines.append(f'{metric}_bucket{{{pre}le="+Inf"}} {total}')
    lines.append(f"{metric}_sum{lbl} {ns_to_seconds_str(total_sum)}")
    lines.append(f"{metric}_count{lbl} {total}")
    return "\n".join(lines) + "\n"


def otel_point(hist: LatencyHistogram) -> OtelExponentialHistogramPoint:
    """OpenTelemetry exponential-histogram data point of ``hist`` (``hist.to_otel()``)."""
    return hist.to_otel()


def native_histogram(hist: LatencyHistogram) -> NativeHistogram:
    """Prometheus native-histogram parameters of ``hist`` (``hist.to_native()``)."""
    return hist.to_native()


__all__ = [
    "OtelExponentialHistogramPoint",
    "NativeHistogram",
    "prometheus_text",
    "otel_point",
    "native_histogram",
    "escape_metric_name",
    "escape_label_name",
    "escape_label_value",
    "escape_help",
    "ns_to_seconds_str",
]
