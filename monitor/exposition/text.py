"""Prometheus text exposition format 0.0.4 (part of :mod:`monitor.exposition`): one
histogram (:func:`prometheus_text`) or every family of a registry (:func:`render_text`).

Exactness: classic buckets on histogram boundaries (see :mod:`monitor.exposition.buckets`), so
every cumulative count is exact; ``le`` and ``_sum`` are exact decimals of seconds (integer
ns / 10^9); counters are printed as integers.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..errors import InvalidArgumentError
from ..latency import LatencyHistogram
from .buckets import classic_buckets, resolve_export_scale
from .exemplars import exemplar_suffixes
from .model import HistogramValue, MetricFamily
from .names import (
    check_labels,
    escape_help,
    escape_label_value,
    escape_metric_name,
    format_value,
    label_block,
    ns_to_seconds_str,
)

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def histogram_lines(
    metric: str,
    labels: tuple[tuple[str, str], ...],
    hv: HistogramValue,
    export_scale: object,
    exemplar: bool = False,
) -> list[str]:
    """The ``_bucket``/``_sum``/``_count`` lines of one histogram sample (OpenMetrics adds
    exemplars when ``exemplar`` is true)."""
    hist = hv.hist
    les, uppers, cum = classic_buckets(hist, export_scale)
    stats = hist.stats()
    total = stats.count
    pre = ",".join(f'{k}="{escape_label_value(v)}"' for k, v in labels)
    pre = pre + "," if pre else ""
    ex_by_bucket: dict[int, str] = {}
    if exemplar and hv.exemplars:
        ex_by_bucket = exemplar_suffixes(hv.exemplars, uppers)
    out = []
    for k, (le, c) in enumerate(zip(les, cum)):
        out.append(f'{metric}_bucket{{{pre}le="{le}"}} {c}{ex_by_bucket.get(k, "")}')
    out.append(f'{metric}_bucket{{{pre}le="+Inf"}} {total}{ex_by_bucket.get(len(les), "")}')
    lbl = label_block(labels)
    out.append(f"{metric}_sum{lbl} {ns_to_seconds_str(stats.sum_ns)}")
    out.append(f"{metric}_count{lbl} {total}")
    return out


def prometheus_text(
    hist: LatencyHistogram,
    name: str,
    labels: dict[str, str] | None = None,
    help: str | None = None,
    *,
    export_scale: int | str | None = "auto",
) -> str:
    """Text exposition (format 0.0.4) of ``hist`` as a classic histogram in seconds.
    ``export_scale``: ``"auto"`` (default: the smallest scale keeping PromQL's
    ``histogram_quantile`` within 2%, see :mod:`monitor.exposition.buckets`), an int in
    ``[0, hist.scale]`` or None (every bucket)."""
    resolve_export_scale(hist, export_scale)
    metric = escape_metric_name(name)
    for lname, lvalue in (labels or {}).items():
        if not isinstance(lvalue, str):
            raise InvalidArgumentError(
                f"label value for {lname!r} must be a str, got {type(lvalue).__name__}"
            )
    pairs = check_labels("labels", labels)
    lines = []
    if help is not None:
        lines.append(f"# HELP {metric} {escape_help(help)}")
    lines.append(f"# TYPE {metric} histogram")
    lines += histogram_lines(metric, pairs, HistogramValue(hist), export_scale)
    return "\n".join(lines) + "\n"


def render_text(families: Iterable[MetricFamily], export_scale: object = "auto") -> str:
    """Every family in text format 0.0.4."""
    lines: list[str] = []
    for fam in families:
        name = fam.sample_name
        lines.append(f"# HELP {name} {escape_help(fam.help)}")
        lines.append(f"# TYPE {name} {fam.type}")
        for s in fam.samples:
            if isinstance(s.value, HistogramValue):
                lines += histogram_lines(name, s.labels, s.value, export_scale)
            else:
                lines.append(f"{name}{label_block(s.labels)} {format_value(s.value)}")
    return "\n".join(lines) + "\n" if lines else ""
